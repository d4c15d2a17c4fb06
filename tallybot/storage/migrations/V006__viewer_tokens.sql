-- Read-only "viewer" API tokens, for stream overlays: widen the role check of api_tokens.
-- SQLite cannot change a CHECK constraint, so the table is rebuilt with its rows and ids.

CREATE TABLE api_tokens_v6 (
    id INTEGER PRIMARY KEY,
    community_id INTEGER NOT NULL REFERENCES communities (id) ON DELETE CASCADE,
    role TEXT NOT NULL CHECK (role IN ('host', 'member', 'viewer')),
    name TEXT NOT NULL,
    token_hash TEXT NOT NULL UNIQUE,
    created_at TEXT NOT NULL,
    expires_at TEXT
);

INSERT INTO api_tokens_v6 (id, community_id, role, name, token_hash, created_at, expires_at)
SELECT id, community_id, role, name, token_hash, created_at, expires_at FROM api_tokens;

DROP TABLE api_tokens;

ALTER TABLE api_tokens_v6 RENAME TO api_tokens;
