-- Cases: the record submitted by a CLB or youth-care worker and the stage
-- projection that the case workflow keeps current.
CREATE TABLE cases (
    id                  uuid PRIMARY KEY,
    request_id          text NOT NULL UNIQUE,
    region              text NOT NULL,
    stage               text NOT NULL,
    org_name            text NOT NULL,
    org_kind            text NOT NULL,
    contact_name        text NOT NULL,
    contact_email       text NOT NULL,
    contact_phone       text NOT NULL DEFAULT '',
    yp_alias            text NOT NULL,
    yp_birth_year       integer NOT NULL,
    yp_birth_month      integer NOT NULL,
    yp_school_level     text NOT NULL,
    yp_grade            integer NOT NULL,
    yp_school           text NOT NULL,
    yp_municipality     text NOT NULL,
    blocked             text NOT NULL,
    tried               text[] NOT NULL,
    themes              text[] NOT NULL,
    clb_stuck           boolean NOT NULL,
    youth_care_stuck    boolean NOT NULL,
    informed            boolean NOT NULL,
    open_question       text NOT NULL DEFAULT '',
    advice              text NOT NULL DEFAULT '',
    offer               text NOT NULL DEFAULT '',
    closure_reason      text NOT NULL DEFAULT '',
    closure_note        text NOT NULL DEFAULT '',
    submitted_at        timestamptz NOT NULL,
    updated_at          timestamptz NOT NULL,
    closed_at           timestamptz,
    -- Outbox: false until the case workflow is known to be started.
    workflow_started    boolean NOT NULL DEFAULT false
);

-- Keyset paging is newest first on (submitted_at, id), with or without filters.
CREATE INDEX cases_submitted_idx ON cases (submitted_at DESC, id DESC);
CREATE INDEX cases_region_idx ON cases (region, submitted_at DESC, id DESC);
CREATE INDEX cases_stage_idx ON cases (stage, submitted_at DESC, id DESC);
CREATE INDEX cases_org_idx ON cases (org_name, submitted_at DESC, id DESC);
CREATE INDEX cases_unstarted_idx ON cases (submitted_at) WHERE NOT workflow_started;

CREATE TABLE agreements (
    case_id             uuid NOT NULL REFERENCES cases (id),
    position            integer NOT NULL,
    action              text NOT NULL,
    owner_organisation  text NOT NULL,
    due_date            date NOT NULL,
    PRIMARY KEY (case_id, position)
);

-- The timeline: one row per transition. request_id makes a retried
-- activity or command write its event once.
CREATE TABLE case_events (
    id          bigserial PRIMARY KEY,
    case_id     uuid NOT NULL REFERENCES cases (id),
    request_id  text NOT NULL,
    kind        text NOT NULL,
    from_stage  text NOT NULL,
    to_stage    text NOT NULL,
    actor       text NOT NULL,
    summary     text NOT NULL,
    at          timestamptz NOT NULL,
    UNIQUE (case_id, request_id)
);
