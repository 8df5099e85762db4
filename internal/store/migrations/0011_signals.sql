-- Signals to government (signaalfunctie): a manager's draft with frozen
-- figures, approved by another manager, then marked sent.
CREATE TABLE signals (
    id                uuid PRIMARY KEY,
    -- The request_id of the CreateSignal call: a retry creates nothing.
    request_id        text NOT NULL UNIQUE,
    state             text NOT NULL CHECK (state IN ('DRAFT', 'APPROVED', 'SENT')),
    -- Stored region name, e.g. LIMBURG; '' for all of Flanders.
    region            text NOT NULL,
    -- First days of the first and the last month of the period.
    start_month       date NOT NULL,
    end_month         date NOT NULL CHECK (end_month >= start_month),
    title             text NOT NULL,
    body              text NOT NULL,
    sections          text[] NOT NULL,
    -- The figure tables after disclosure control, as they were at
    -- figures_at; a hidden figure is stored without its value.
    figures           jsonb NOT NULL,
    figures_at        timestamptz NOT NULL,
    author            text NOT NULL,
    author_subject    text NOT NULL,
    approver          text NOT NULL DEFAULT '',
    approver_subject  text NOT NULL DEFAULT '',
    approved_at       timestamptz,
    recipient         text NOT NULL DEFAULT '',
    sender            text NOT NULL DEFAULT '',
    sent_at           timestamptz,
    -- Counts every change; the etag.
    revision          integer NOT NULL DEFAULT 1,
    created_at        timestamptz NOT NULL,
    updated_at        timestamptz NOT NULL,
    -- Four eyes: nobody approves their own signal.
    CHECK (approver_subject = '' OR approver_subject <> author_subject),
    CHECK ((state = 'DRAFT') = (approved_at IS NULL)),
    CHECK ((state = 'SENT') = (sent_at IS NOT NULL))
);

-- Keyset paging is newest first on (created_at, id), with or without region.
CREATE INDEX signals_created_idx ON signals (created_at DESC, id DESC);
CREATE INDEX signals_region_idx ON signals (region, created_at DESC, id DESC);

-- Once approved, what was approved stays as it was: only the move to SENT
-- may change the row.
CREATE FUNCTION signals_frozen_after_approval() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF OLD.state <> 'DRAFT' AND (
        NEW.title, NEW.body, NEW.region, NEW.start_month, NEW.end_month, NEW.sections, NEW.figures,
        NEW.figures_at, NEW.author, NEW.author_subject, NEW.approver, NEW.approver_subject, NEW.approved_at
    ) IS DISTINCT FROM (
        OLD.title, OLD.body, OLD.region, OLD.start_month, OLD.end_month, OLD.sections, OLD.figures,
        OLD.figures_at, OLD.author, OLD.author_subject, OLD.approver, OLD.approver_subject, OLD.approved_at
    ) THEN
        RAISE EXCEPTION 'signal % is % and can no longer change', OLD.id, OLD.state;
    END IF;
    IF OLD.state = 'SENT' AND NEW IS DISTINCT FROM OLD THEN
        RAISE EXCEPTION 'signal % was sent and can no longer change', OLD.id;
    END IF;
    RETURN NEW;
END $$;

CREATE TRIGGER signals_frozen BEFORE UPDATE ON signals
    FOR EACH ROW EXECUTE FUNCTION signals_frozen_after_approval();

-- Idempotency of the mutating calls: one row per request_id, naming the
-- call and the signal it was for.
CREATE TABLE signal_requests (
    request_id  text PRIMARY KEY,
    method      text NOT NULL,
    signal_id   uuid NOT NULL,
    at          timestamptz NOT NULL
);

GRANT SELECT, INSERT, UPDATE ON signals, signal_requests TO rots_app;
