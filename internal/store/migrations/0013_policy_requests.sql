-- Idempotency of UpdateEscalationPolicy: the request_id of each change of a
-- region's policy, written in the same transaction, so that a late retry
-- does not put back a policy someone changed since.
CREATE TABLE policy_requests (
    request_id  text PRIMARY KEY,
    method      text NOT NULL,
    region      text NOT NULL,
    at          timestamptz NOT NULL
);

GRANT SELECT, INSERT ON policy_requests TO rots_app;
