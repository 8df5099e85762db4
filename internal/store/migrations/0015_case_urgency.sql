-- The tandem's werkbak: ListCases in urgency order (order_by "urgency").
--
-- next_deadline is when the earliest of the case's running deadlines
-- (deadlines) falls, 'infinity' while none runs. The store writes it with
-- the deadlines (store.NextDeadline), cut to the microsecond as every time
-- it stores; existing cases get it from their deadlines here, the digits
-- past the microsecond cut the same way rather than rounded. A constant
-- default adds the column without rewriting the table.
ALTER TABLE cases ADD COLUMN next_deadline timestamptz NOT NULL DEFAULT 'infinity';

UPDATE cases SET next_deadline = d.due
FROM (
    SELECT c.id, min(regexp_replace(e->>'Due', '(\.[0-9]{6})[0-9]+', '\1')::timestamptz) AS due
    FROM cases c, jsonb_array_elements(c.deadlines) e
    WHERE c.deadlines <> '[]'
    GROUP BY c.id
) d
WHERE cases.id = d.id;

-- case_urgency ranks a case in the urgency order, the most urgent lowest:
-- 0 to 4 a case that broke through, by rung, higher first; 5 to 9 the other
-- open cases, by rung (rung 1 or higher is overdue); 10 a closed case.
-- store.Urgency is the same in Go, for the page token.
CREATE FUNCTION case_urgency(stage text, breakthrough boolean, rung integer) RETURNS integer
    LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
    SELECT CASE WHEN stage = 'CLOSED' THEN 10 WHEN breakthrough THEN 4 - rung ELSE 9 - rung END
$$;

-- Keyset paging in urgency order per region: one page is an index range,
-- with or without the closed cases (open_only stops the range at 10).
CREATE INDEX cases_urgency_idx ON cases (region, case_urgency(stage, breakthrough, rung), next_deadline, submitted_at, id);

-- open_only newest first: the region's open cases (a few in a hundred),
-- without reading past the closed ones on the last page.
CREATE INDEX cases_open_idx ON cases (region, submitted_at DESC, id DESC) WHERE stage <> 'CLOSED';
