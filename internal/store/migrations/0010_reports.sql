-- Reports: rollups of the cases for the managers' dashboard, kept current
-- in the same transaction that changes a case, so that a dashboard reads a
-- few hundred rollup rows instead of scanning the cases.

-- The young person's age band at submission, kept apart from the birth
-- month, which retention removes.
CREATE FUNCTION report_age_band(birth_year integer, birth_month integer, submitted timestamptz)
RETURNS text LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
    SELECT CASE WHEN (extract(year FROM s) * 12 + extract(month FROM s)) - (birth_year * 12 + birth_month) < 144
        THEN 'UNDER_12' ELSE 'TWELVE_AND_OVER' END
    FROM (SELECT submitted AT TIME ZONE 'Europe/Brussels' AS s) b
$$;

-- The first day of the month of t, Brussels time.
CREATE FUNCTION report_month(t timestamptz) RETURNS date LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
    SELECT date_trunc('month', t AT TIME ZONE 'Europe/Brussels')::date
$$;

ALTER TABLE cases ADD COLUMN age_band text NOT NULL DEFAULT '';
UPDATE cases SET age_band = report_age_band(yp_birth_year, yp_birth_month, submitted_at);

-- report_rows is what each case contributes to report_counts: one row per
-- (dimension, key) it counts under. The rollup is this view grouped, and a
-- change of a case adds the difference of its rows before and after.
--
--   dim             day                         key
--   stage           month of submission         current stage
--   age_band        month of submission         UNDER_12 / TWELVE_AND_OVER
--   school_level    month of submission         school level
--   org_kind        month of submission         CLB / YOUTH_CARE
--   theme           month of submission         each distinct theme
--   closure_reason  month of submission         reason ('' if none), closed cases only
--   closed          month of closure            ''
--   open_rung       month of submission         rung 1-4, open cases only
--   open_agreement  due date                    status, not DONE, open cases only
--   gap             month the gap was recorded  theme/age band
CREATE VIEW report_rows AS
    SELECT id AS case_id, region, 'stage' AS dim, report_month(submitted_at) AS day, stage AS key FROM cases
    UNION ALL
    SELECT id, region, 'age_band', report_month(submitted_at), age_band FROM cases
    UNION ALL
    SELECT id, region, 'school_level', report_month(submitted_at), yp_school_level FROM cases
    UNION ALL
    SELECT id, region, 'org_kind', report_month(submitted_at), org_kind FROM cases
    UNION ALL
    SELECT c.id, c.region, 'theme', report_month(c.submitted_at), t.theme
    FROM cases c CROSS JOIN LATERAL (SELECT DISTINCT unnest(c.themes)) t (theme)
    UNION ALL
    SELECT id, region, 'closure_reason', report_month(submitted_at), closure_reason FROM cases
    WHERE stage = 'CLOSED'
    UNION ALL
    SELECT id, region, 'closed', report_month(closed_at), '' FROM cases WHERE closed_at IS NOT NULL
    UNION ALL
    SELECT id, region, 'open_rung', report_month(submitted_at), rung::text FROM cases
    WHERE stage <> 'CLOSED' AND rung > 0
    UNION ALL
    SELECT a.case_id, c.region, 'open_agreement', a.due_date, a.status
    FROM agreements a JOIN cases c ON c.id = a.case_id
    WHERE c.stage <> 'CLOSED' AND a.status <> 'DONE'
    UNION ALL
    SELECT case_id, region, 'gap', report_month(recorded_at), theme || '/' || age_band FROM gaps;

CREATE TABLE report_counts (
    region  text NOT NULL,
    dim     text NOT NULL,
    day     date NOT NULL,
    key     text NOT NULL,
    n       bigint NOT NULL,
    PRIMARY KEY (region, dim, day, key)
);

-- Histograms of times in working days: each completed stay in a stage, and
-- submission to the first suitable offer (measure OFFER), by the case's
-- region and month of submission. Medians and percentiles come from these.
CREATE TABLE report_durations (
    region   text NOT NULL,
    month    date NOT NULL,
    measure  text NOT NULL,
    days     integer NOT NULL,
    n        bigint NOT NULL,
    PRIMARY KEY (region, month, measure, days)
);

-- One row per full rebuild of the rollups; none means the rollups were
-- never built, and store.Open builds them from the cases.
CREATE TABLE report_rebuilds (
    rebuilt_at  timestamptz NOT NULL,
    cases       bigint NOT NULL
);

GRANT SELECT, INSERT, UPDATE, DELETE ON report_counts, report_durations, report_rebuilds TO rots_app;
GRANT SELECT ON report_rows TO rots_app;
