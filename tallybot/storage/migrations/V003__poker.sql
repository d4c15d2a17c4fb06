-- Planning poker: sessions with friendly ids, participants with hashed tokens, prompts,
-- voting rounds (a revote starts the next round and keeps the earlier ones) and votes.

CREATE TABLE poker_sessions (
    id INTEGER PRIMARY KEY,
    community_id INTEGER NOT NULL REFERENCES communities (id) ON DELETE CASCADE,
    -- The friendly id (adjective-animal-number) and its index in the id space, which is
    -- what new ids are allocated by. Ids are never reused, so old history stays reachable.
    public_id TEXT NOT NULL UNIQUE,
    id_index INTEGER NOT NULL UNIQUE CHECK (id_index >= 0),
    deck TEXT NOT NULL,
    created_at TEXT NOT NULL,
    closed_at TEXT,
    -- Counts every change, for watch?since_version=N.
    version INTEGER NOT NULL DEFAULT 0 CHECK (version >= 0)
);

CREATE TABLE poker_participants (
    id INTEGER PRIMARY KEY,
    session_id INTEGER NOT NULL REFERENCES poker_sessions (id) ON DELETE CASCADE,
    name TEXT NOT NULL COLLATE NOCASE,
    token_hash TEXT NOT NULL UNIQUE,
    is_owner INTEGER NOT NULL DEFAULT 0 CHECK (is_owner IN (0, 1)),
    joined_at TEXT NOT NULL,
    UNIQUE (session_id, name)
);

CREATE TABLE poker_prompts (
    id INTEGER PRIMARY KEY,
    session_id INTEGER NOT NULL REFERENCES poker_sessions (id) ON DELETE CASCADE,
    number INTEGER NOT NULL CHECK (number >= 1),
    text TEXT NOT NULL,
    created_at TEXT NOT NULL,
    UNIQUE (session_id, number)
);

CREATE TABLE poker_rounds (
    prompt_id INTEGER NOT NULL REFERENCES poker_prompts (id) ON DELETE CASCADE,
    number INTEGER NOT NULL CHECK (number >= 1),
    started_at TEXT NOT NULL,
    revealed_at TEXT,
    PRIMARY KEY (prompt_id, number)
);

CREATE TABLE poker_votes (
    prompt_id INTEGER NOT NULL,
    round INTEGER NOT NULL,
    participant_id INTEGER NOT NULL REFERENCES poker_participants (id) ON DELETE CASCADE,
    card TEXT NOT NULL,
    voted_at TEXT NOT NULL,
    PRIMARY KEY (prompt_id, round, participant_id),
    FOREIGN KEY (prompt_id, round) REFERENCES poker_rounds (prompt_id, number) ON DELETE CASCADE
);
