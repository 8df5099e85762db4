-- Good practices (goede praktijken): a tandem's write-up of what worked in
-- a case closed with a good outcome, reviewed by another coordinator of
-- the region, then found by every coordinator in Flanders. Nothing here
-- identifies the young person; the service checks the texts.
CREATE TABLE practices (
    id                  uuid PRIMARY KEY,
    -- The request_id of the CreatePractice call: a retry creates nothing.
    request_id          text NOT NULL UNIQUE,
    -- The case it was written from, only for the rule of one practice per
    -- case; never given to a reader, and cleared by the case's
    -- anonymisation.
    case_id             uuid UNIQUE,
    -- Stored region name, e.g. LIMBURG.
    region              text NOT NULL,
    state               text NOT NULL CHECK (state IN ('IN_REVIEW', 'SENT_BACK', 'PUBLISHED')),
    title               text NOT NULL,
    offer               text NOT NULL,
    agreements          text NOT NULL,
    difference          text NOT NULL,
    organisation_kinds  text[] NOT NULL DEFAULT '{}',
    themes              text[] NOT NULL,
    age_band            text NOT NULL,
    school_level        text NOT NULL,
    directory_offers    text[] NOT NULL DEFAULT '{}',
    author_subject      text NOT NULL,
    reviewer_subject    text NOT NULL DEFAULT '',
    review_note         text NOT NULL DEFAULT '',
    -- The first day of the month it was published.
    publish_month       date,
    created_at          timestamptz NOT NULL,
    updated_at          timestamptz NOT NULL,
    -- Four eyes: nobody publishes their own practice.
    CHECK (reviewer_subject = '' OR reviewer_subject <> author_subject),
    CHECK ((state = 'PUBLISHED') = (publish_month IS NOT NULL)),
    search              tsvector NOT NULL GENERATED ALWAYS AS (
        setweight(to_tsvector('dutch'::regconfig, title), 'A') ||
        setweight(to_tsvector('dutch'::regconfig, offer || ' ' || difference), 'B') ||
        setweight(to_tsvector('dutch'::regconfig, agreements), 'C')) STORED
);

CREATE INDEX practices_search_idx ON practices USING gin (search);
CREATE INDEX practices_themes_idx ON practices USING gin (themes);
CREATE INDEX practices_state_idx ON practices (state, region, created_at DESC, id);

-- Idempotency of the practices' changing calls, as directory_requests.
CREATE TABLE practice_requests (
    request_id  text PRIMARY KEY,
    method      text NOT NULL,
    resource    text NOT NULL,
    at          timestamptz NOT NULL
);

GRANT SELECT, INSERT, UPDATE ON practices, practice_requests TO rots_app;
GRANT DELETE ON practice_requests TO rots_app;
