-- Foundation: communities, people and identities, credentials, and the event outbox.
-- Times are ISO 8601 text in UTC.

CREATE TABLE communities (
    id INTEGER PRIMARY KEY,
    slug TEXT NOT NULL UNIQUE,
    platform TEXT NOT NULL CHECK (platform IN ('local', 'discord', 'twitch')),
    external_id TEXT NOT NULL,
    name TEXT NOT NULL,
    UNIQUE (platform, external_id)
);

CREATE TABLE persons (
    id INTEGER PRIMARY KEY,
    uuid TEXT NOT NULL UNIQUE,
    display_name TEXT NOT NULL,
    avatar_url TEXT,
    password_hash TEXT,
    email_confirmed_at TEXT,
    created_at TEXT NOT NULL
);

CREATE TABLE identities (
    person_id INTEGER NOT NULL REFERENCES persons (id) ON DELETE CASCADE,
    provider TEXT NOT NULL CHECK (provider IN ('discord', 'twitch', 'github', 'email')),
    external_id TEXT NOT NULL,
    username TEXT NOT NULL,
    PRIMARY KEY (provider, external_id)
);
CREATE INDEX identities_person ON identities (person_id);

CREATE TABLE memberships (
    community_id INTEGER NOT NULL REFERENCES communities (id) ON DELETE CASCADE,
    person_id INTEGER NOT NULL REFERENCES persons (id) ON DELETE CASCADE,
    role TEXT NOT NULL CHECK (role IN ('host', 'member')),
    PRIMARY KEY (community_id, person_id)
);
CREATE INDEX memberships_person ON memberships (person_id);

CREATE TABLE auth_sessions (
    id INTEGER PRIMARY KEY,
    person_id INTEGER NOT NULL REFERENCES persons (id) ON DELETE CASCADE,
    token_hash TEXT NOT NULL UNIQUE,
    inserted TEXT NOT NULL,
    expires TEXT NOT NULL,
    updated TEXT
);

CREATE TABLE confirmation_codes (
    id INTEGER PRIMARY KEY,
    person_id INTEGER NOT NULL REFERENCES persons (id) ON DELETE CASCADE,
    code_hash TEXT NOT NULL,
    created_at TEXT NOT NULL,
    expires_at TEXT NOT NULL,
    failed_attempts INTEGER NOT NULL DEFAULT 0,
    retired_at TEXT
);
CREATE INDEX confirmation_codes_person ON confirmation_codes (person_id, retired_at);

CREATE TABLE api_tokens (
    id INTEGER PRIMARY KEY,
    community_id INTEGER NOT NULL REFERENCES communities (id) ON DELETE CASCADE,
    role TEXT NOT NULL CHECK (role IN ('host', 'member')),
    name TEXT NOT NULL,
    token_hash TEXT NOT NULL UNIQUE,
    created_at TEXT NOT NULL,
    expires_at TEXT
);

CREATE TABLE outbox (
    sequence INTEGER PRIMARY KEY AUTOINCREMENT,
    event_id TEXT NOT NULL UNIQUE,
    type TEXT NOT NULL,
    community_id INTEGER NOT NULL REFERENCES communities (id),
    occurred_at TEXT NOT NULL,
    data TEXT NOT NULL
);
