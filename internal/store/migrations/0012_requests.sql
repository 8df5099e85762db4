-- Idempotency keys of every mutating call, checked before the call runs: a
-- request_id belongs to the caller who first used it, for one method on one
-- resource and one request (its fingerprint, a SHA-256 of the request with
-- the request_id left out). A second use by another caller, or for another
-- request, is refused; the same request again is a retry.
CREATE TABLE requests (
    request_id   text PRIMARY KEY,
    caller       text NOT NULL,
    method       text NOT NULL,
    resource     text NOT NULL,
    fingerprint  bytea NOT NULL,
    at           timestamptz NOT NULL
);

GRANT SELECT, INSERT, DELETE ON requests TO rots_app;

-- A case's reference for people ("ROTS-1A2B3C4D"), unique. Existing cases
-- keep the reference their mails already showed (the first 8 hex digits of
-- the ID); where two share it, the later ones take all 32. New cases draw
-- a random reference (store.NewReference).
ALTER TABLE cases ADD COLUMN reference text;

UPDATE cases c SET reference = r.reference
FROM (
    SELECT id, CASE WHEN row_number() OVER (PARTITION BY left(id::text, 8) ORDER BY submitted_at, id) = 1
        THEN 'ROTS-' || upper(left(id::text, 8))
        ELSE 'ROTS-' || upper(replace(id::text, '-', ''))
    END AS reference
    FROM cases
) r
WHERE c.id = r.id;

ALTER TABLE cases ALTER COLUMN reference SET NOT NULL;
CREATE UNIQUE INDEX cases_reference_idx ON cases (reference);
