-- The change feed (ChangeService.ListChanges): one row for every change to
-- a case that a mirror follows — a stage (a new case is its first), the
-- escalation (rung, breakthrough, deadlines), an agreement's status, the
-- consent. Triggers write it, so every writer of these columns, now and
-- later, feeds it in its own transaction: a change is in the feed exactly
-- when it committed. A row holds no personal data: the case, the kind and
-- the new state only, so anonymising a case leaves nothing to blank here.
--
-- Commit order. A serial column is not commit order: the transaction that
-- took 10 may commit after 11 was read, and a reader past 11 never sees 10.
-- A row's place is (position, seq) instead, position a transaction ID
-- (xid8) and seq a sequence. The reader (store.ListChanges) only hands out
-- rows whose position is below the xmin of its snapshot: every transaction
-- with an ID below it has ended, and a row's position is never below its
-- own transaction's ID, so no row can appear later below a position a
-- reader has passed. Within a case, position is also never below the
-- case's previous change (greatest below): a transaction may take its ID
-- before another that then changes the case first, and the case's changes
-- would otherwise sort out of their commit order. The case row is locked
-- while a change is written, so its changes are written one transaction at
-- a time, and seq, taken after the lock, grows with them.
CREATE TABLE case_changes (
    position            xid8 NOT NULL,
    seq                 bigint GENERATED ALWAYS AS IDENTITY,
    case_id             uuid NOT NULL,
    -- stage, escalation, agreement or consent.
    kind                text NOT NULL,
    -- The case's stage after the change, whatever its kind.
    stage               text NOT NULL,
    rung                integer NOT NULL DEFAULT 0,
    breakthrough        boolean NOT NULL DEFAULT false,
    deadlines           jsonb NOT NULL DEFAULT '[]',
    agreement_position  integer NOT NULL DEFAULT 0,
    -- '' when the agreement was removed (a new outcome replaced them).
    agreement_status    text NOT NULL DEFAULT '',
    consent_withdrawn   boolean NOT NULL DEFAULT false,
    at                  timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (position, seq)
);

CREATE INDEX case_changes_case_idx ON case_changes (case_id, position DESC, seq DESC);
CREATE INDEX case_changes_at_idx ON case_changes (at);

-- The last place retention deleted: a page token before it has missed
-- changes, and its reader must resync.
CREATE TABLE case_changes_pruned (
    one       boolean PRIMARY KEY DEFAULT true CHECK (one),
    position  xid8 NOT NULL,
    seq       bigint NOT NULL
);

-- case_change_position is where a change of the case goes: this
-- transaction's ID, or the case's previous change when that sorts later.
CREATE FUNCTION case_change_position(p_case uuid) RETURNS xid8 LANGUAGE sql VOLATILE AS $$
    SELECT greatest(pg_current_xact_id(),
        (SELECT position FROM case_changes WHERE case_id = p_case ORDER BY position DESC, seq DESC LIMIT 1))
$$;

CREATE FUNCTION cases_record_change() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
    pos xid8;
    consent boolean := NEW.consent_withdrawn_at IS NOT NULL;
BEGIN
    IF TG_OP = 'INSERT' THEN
        INSERT INTO case_changes (position, case_id, kind, stage, rung, breakthrough, deadlines, consent_withdrawn)
        VALUES (pg_current_xact_id(), NEW.id, 'stage', NEW.stage, NEW.rung, NEW.breakthrough, NEW.deadlines, consent);
        RETURN NULL;
    END IF;
    IF (OLD.stage, OLD.rung, OLD.breakthrough, OLD.deadlines, OLD.consent_withdrawn_at IS NOT NULL)
        IS NOT DISTINCT FROM (NEW.stage, NEW.rung, NEW.breakthrough, NEW.deadlines, consent) THEN
        RETURN NULL;
    END IF;
    -- The row is locked by this UPDATE.
    pos := case_change_position(NEW.id);
    IF OLD.stage IS DISTINCT FROM NEW.stage THEN
        INSERT INTO case_changes (position, case_id, kind, stage, rung, breakthrough, deadlines, consent_withdrawn)
        VALUES (pos, NEW.id, 'stage', NEW.stage, NEW.rung, NEW.breakthrough, NEW.deadlines, consent);
    END IF;
    IF (OLD.rung, OLD.breakthrough, OLD.deadlines) IS DISTINCT FROM (NEW.rung, NEW.breakthrough, NEW.deadlines) THEN
        INSERT INTO case_changes (position, case_id, kind, stage, rung, breakthrough, deadlines, consent_withdrawn)
        VALUES (pos, NEW.id, 'escalation', NEW.stage, NEW.rung, NEW.breakthrough, NEW.deadlines, consent);
    END IF;
    IF (OLD.consent_withdrawn_at IS NOT NULL) IS DISTINCT FROM consent THEN
        INSERT INTO case_changes (position, case_id, kind, stage, rung, breakthrough, deadlines, consent_withdrawn)
        VALUES (pos, NEW.id, 'consent', NEW.stage, NEW.rung, NEW.breakthrough, NEW.deadlines, consent);
    END IF;
    RETURN NULL;
END
$$;

CREATE TRIGGER cases_changes AFTER INSERT OR UPDATE ON cases
    FOR EACH ROW EXECUTE FUNCTION cases_record_change();

CREATE FUNCTION agreements_record_change() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
    a agreements;
    c cases;
BEGIN
    IF TG_OP = 'DELETE' THEN a := OLD; ELSE a := NEW; END IF;
    IF TG_OP = 'UPDATE' AND OLD.status IS NOT DISTINCT FROM NEW.status THEN
        RETURN NULL;
    END IF;
    -- Lock the case, as its own changes do, so its changes keep their order.
    SELECT * INTO c FROM cases WHERE id = a.case_id FOR NO KEY UPDATE;
    INSERT INTO case_changes (position, case_id, kind, stage, rung, breakthrough, deadlines,
        agreement_position, agreement_status, consent_withdrawn)
    VALUES (case_change_position(a.case_id), a.case_id, 'agreement', c.stage, c.rung, c.breakthrough, c.deadlines,
        a.position, CASE WHEN TG_OP = 'DELETE' THEN '' ELSE a.status END, c.consent_withdrawn_at IS NOT NULL);
    RETURN NULL;
END
$$;

CREATE TRIGGER agreements_changes AFTER INSERT OR UPDATE OR DELETE ON agreements
    FOR EACH ROW EXECUTE FUNCTION agreements_record_change();

GRANT SELECT, INSERT, UPDATE, DELETE ON case_changes, case_changes_pruned TO rots_app;
GRANT USAGE, SELECT ON ALL SEQUENCES IN SCHEMA public TO rots_app;
