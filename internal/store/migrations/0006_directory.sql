-- The partner directory (sociale kaart): organisations, the regions they
-- serve, their contact persons and their offers. Rows are never deleted,
-- only deactivated.
CREATE TABLE organisations (
    id          uuid PRIMARY KEY,
    -- The request_id of the CreateOrganisation call: a retry creates nothing.
    request_id  text NOT NULL UNIQUE,
    name        text NOT NULL,
    kind        text NOT NULL,
    regions     text[] NOT NULL,
    -- [{"name": …, "role": …, "email": …}, …]
    contacts    jsonb NOT NULL DEFAULT '[]',
    active      boolean NOT NULL DEFAULT true,
    created_at  timestamptz NOT NULL,
    updated_at  timestamptz NOT NULL
);

-- Keyset paging by (name, id); the region filter uses the GIN index.
CREATE INDEX organisations_name_idx ON organisations (name, id);
CREATE INDEX organisations_regions_idx ON organisations USING gin (regions);

CREATE TABLE offers (
    id               uuid PRIMARY KEY,
    organisation_id  uuid NOT NULL REFERENCES organisations (id),
    -- The request_id of the CreateOffer call.
    request_id       text NOT NULL UNIQUE,
    name             text NOT NULL,
    description      text NOT NULL,
    age_band         text NOT NULL,
    school_levels    text[] NOT NULL DEFAULT '{}',
    themes           text[] NOT NULL DEFAULT '{}',
    capacity         integer CHECK (capacity >= 0),
    waiting_weeks    integer CHECK (waiting_weeks >= 0),
    how_to_reach     text NOT NULL DEFAULT '',
    active           boolean NOT NULL DEFAULT true,
    created_at       timestamptz NOT NULL,
    updated_at       timestamptz NOT NULL,
    -- Full-text search on name (weight A) and description (weight B): the
    -- Dutch stems, so that "wachtlijsten" finds "wachtlijst", and the words
    -- as written, so that a prefix search for "school" finds
    -- "schoolverzuim" although the Dutch stemmer makes "school" "schol".
    search           tsvector NOT NULL GENERATED ALWAYS AS (
        setweight(to_tsvector('dutch'::regconfig, name), 'A') ||
        setweight(to_tsvector('dutch'::regconfig, description), 'B') ||
        setweight(to_tsvector('simple'::regconfig, name), 'A') ||
        setweight(to_tsvector('simple'::regconfig, description), 'B')) STORED
);

CREATE INDEX offers_search_idx ON offers USING gin (search);
CREATE INDEX offers_themes_idx ON offers USING gin (themes);
CREATE INDEX offers_organisation_idx ON offers (organisation_id, id);

-- Idempotency of the directory's mutating calls: one row per request_id,
-- naming the call and the resource it was for. A retried update or
-- deactivation finds its row and changes nothing; a request_id used for
-- another call or resource is refused.
CREATE TABLE directory_requests (
    request_id  text PRIMARY KEY,
    method      text NOT NULL,
    resource    text NOT NULL,
    at          timestamptz NOT NULL
);

GRANT SELECT, INSERT, UPDATE, DELETE ON organisations, offers, directory_requests TO rots_app;
