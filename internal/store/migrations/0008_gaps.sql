-- Attendance at the table's meeting, and gaps in the regional offer.
ALTER TABLE table_participants ADD COLUMN present boolean;

CREATE TABLE gaps (
    id             bigserial PRIMARY KEY,
    case_id        uuid NOT NULL REFERENCES cases (id),
    request_id     text NOT NULL,
    region         text NOT NULL,
    theme          text NOT NULL,
    age_band       text NOT NULL,
    needed         text NOT NULL,
    waiting_weeks  integer NOT NULL,
    recorded_at    timestamptz NOT NULL,
    recorded_by    text NOT NULL,
    UNIQUE (case_id, request_id)
);

CREATE INDEX gaps_region_idx ON gaps (region, recorded_at);

GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA public TO rots_app;
GRANT USAGE, SELECT ON ALL SEQUENCES IN SCHEMA public TO rots_app;
REVOKE UPDATE, DELETE, TRUNCATE ON access_log FROM rots_app;
