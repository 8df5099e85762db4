-- Sessions of the web application, kept server-side. The cookie holds a
-- random ID and the table only its SHA-256, so a copy of the table opens
-- no session; the tokens are sealed like the case texts.
CREATE TABLE web_sessions (
    id_hash     bytea PRIMARY KEY,
    data        text NOT NULL,
    created_at  timestamptz NOT NULL,
    seen_at     timestamptz NOT NULL,
    expires_at  timestamptz NOT NULL
);
CREATE INDEX web_sessions_expires ON web_sessions (expires_at);

-- Sign-ins under way: what the callback must check (state, nonce, the
-- PKCE verifier) for a few minutes, keyed by the state's SHA-256.
CREATE TABLE web_logins (
    state_hash  bytea PRIMARY KEY,
    data        text NOT NULL,
    created_at  timestamptz NOT NULL
);

GRANT SELECT, INSERT, UPDATE, DELETE ON web_sessions, web_logins TO rots_app;
