-- The access log: every read or change of a case's personal data, append
-- only. Each row's hash chains it to the row before, so that a changed or
-- removed row is found by verification.
CREATE TABLE access_log (
    id         bigserial PRIMARY KEY,
    at         timestamptz NOT NULL,
    actor      text NOT NULL,
    role       text NOT NULL,
    case_id    uuid,
    action     text NOT NULL,
    purpose    text NOT NULL,
    prev_hash  bytea NOT NULL,
    hash       bytea NOT NULL
);

CREATE INDEX access_log_case_idx ON access_log (case_id, id DESC);
CREATE INDEX access_log_actor_idx ON access_log (actor, id DESC);

-- No UPDATE, DELETE or TRUNCATE, whoever asks.
CREATE FUNCTION access_log_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION 'access_log is append-only';
END $$;

CREATE TRIGGER access_log_no_update BEFORE UPDATE OR DELETE ON access_log
    FOR EACH ROW EXECUTE FUNCTION access_log_append_only();
CREATE TRIGGER access_log_no_truncate BEFORE TRUNCATE ON access_log
    FOR EACH STATEMENT EXECUTE FUNCTION access_log_append_only();

-- The application's role: everything it needs, and on the access log only
-- reading and appending. Production connects as a member of rots_app.
DO $$
BEGIN
    CREATE ROLE rots_app NOLOGIN;
EXCEPTION WHEN duplicate_object OR unique_violation THEN
    NULL; -- the role is cluster-wide: another database made it already
END $$;

GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA public TO rots_app;
GRANT USAGE, SELECT ON ALL SEQUENCES IN SCHEMA public TO rots_app;
REVOKE UPDATE, DELETE, TRUNCATE ON access_log FROM rots_app;
