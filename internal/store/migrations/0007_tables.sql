-- Consultation tables: who is invited, when the table meets, and the
-- follow-up of agreements.
ALTER TABLE cases
    ADD COLUMN meeting_at       timestamptz,
    ADD COLUMN meeting_minutes  integer NOT NULL DEFAULT 0,
    ADD COLUMN meeting_location text NOT NULL DEFAULT '',
    ADD COLUMN meeting_sequence integer NOT NULL DEFAULT 0;

ALTER TABLE agreements
    ADD COLUMN status         text NOT NULL DEFAULT 'OPEN',
    ADD COLUMN blocked_reason text NOT NULL DEFAULT '';

CREATE TABLE table_participants (
    case_id      uuid NOT NULL REFERENCES cases (id),
    position     integer NOT NULL,
    kind         text NOT NULL,
    organisation text NOT NULL,
    name         text NOT NULL,
    email        text NOT NULL,
    role         text NOT NULL,
    PRIMARY KEY (case_id, position)
);

-- A notification may carry an attachment, such as an invitation (.ics).
ALTER TABLE notifications ADD COLUMN attachment text NOT NULL DEFAULT '';

-- The application role on the tables made since the access log, and still
-- only reading and appending on the log.
GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA public TO rots_app;
GRANT USAGE, SELECT ON ALL SEQUENCES IN SCHEMA public TO rots_app;
REVOKE UPDATE, DELETE, TRUNCATE ON access_log FROM rots_app;
