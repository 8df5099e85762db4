-- Escalation: the ladder's state per case, region policies and the
-- notification inbox that doubles as the mail outbox.
ALTER TABLE cases
    ADD COLUMN rung         integer NOT NULL DEFAULT 0,
    ADD COLUMN breakthrough boolean NOT NULL DEFAULT false,
    ADD COLUMN deadlines    jsonb   NOT NULL DEFAULT '[]';

CREATE INDEX cases_rung_idx ON cases (rung, submitted_at DESC, id DESC) WHERE rung > 0;

CREATE TABLE region_policies (
    region      text PRIMARY KEY,
    policy      jsonb NOT NULL,
    updated_at  timestamptz NOT NULL,
    updated_by  text NOT NULL
);

CREATE TABLE notifications (
    id            bigserial PRIMARY KEY,
    case_id       uuid NOT NULL REFERENCES cases (id),
    -- What the workflow notified about; with the recipient it makes a
    -- retried activity insert nothing twice.
    key           text NOT NULL,
    recipient     text NOT NULL,
    kind          text NOT NULL,
    subject       text NOT NULL,
    body          text NOT NULL,
    created_at    timestamptz NOT NULL,
    read_at       timestamptz,
    mail_sent_at  timestamptz,
    UNIQUE (case_id, key, recipient)
);

CREATE INDEX notifications_recipient_idx ON notifications (recipient, id DESC);
