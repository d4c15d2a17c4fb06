-- Chat accounts: identities of `tallybot console` users, one-time codes that link a chat
-- identity to an account, and the channel each community's announcements go to.

-- SQLite cannot change a CHECK constraint, so identities is rebuilt to admit 'console'.
CREATE TABLE identities_chat (
    person_id INTEGER NOT NULL REFERENCES persons (id) ON DELETE CASCADE,
    provider TEXT NOT NULL CHECK (provider IN ('discord', 'twitch', 'github', 'email', 'console')),
    external_id TEXT NOT NULL,
    username TEXT NOT NULL,
    PRIMARY KEY (provider, external_id)
);

INSERT INTO identities_chat (person_id, provider, external_id, username)
SELECT person_id, provider, external_id, username FROM identities;

DROP TABLE identities;

ALTER TABLE identities_chat RENAME TO identities;

CREATE INDEX identities_person ON identities (person_id);

-- `coffee @ryan` finds Ryan by the name chat shows, whatever its case.
CREATE INDEX identities_username ON identities (provider, username COLLATE NOCASE);

-- A code sent by direct message. It is random enough to be looked up by its SHA-256;
-- it works once, briefly, and a few wrong uses void it.
CREATE TABLE chat_link_codes (
    id INTEGER PRIMARY KEY,
    person_id INTEGER NOT NULL REFERENCES persons (id) ON DELETE CASCADE,
    code_hash TEXT NOT NULL,
    created_at TEXT NOT NULL,
    expires_at TEXT NOT NULL,
    failed_attempts INTEGER NOT NULL DEFAULT 0 CHECK (failed_attempts >= 0),
    retired_at TEXT
);
CREATE INDEX chat_link_codes_hash ON chat_link_codes (code_hash, retired_at);
CREATE INDEX chat_link_codes_person ON chat_link_codes (person_id, retired_at);

-- Where a community's announcements (a game added, a poker reveal, a night closed) go.
CREATE TABLE announcement_channels (
    community_id INTEGER PRIMARY KEY REFERENCES communities (id) ON DELETE CASCADE,
    channel_id TEXT NOT NULL,
    updated_at TEXT NOT NULL
);
