-- Game night: the games catalogue (shared, plus per-community custom games), per-community
-- game and pack settings and counters, sessions, the games played in them, live votes and
-- imported chat logs.

CREATE TABLE games (
    id INTEGER PRIMARY KEY,
    -- NULL for the shipped catalogue; a community's id for a game that community added.
    community_id INTEGER REFERENCES communities (id) ON DELETE CASCADE,
    pack_name TEXT NOT NULL,
    title TEXT NOT NULL,
    game_type TEXT,
    secondary_type TEXT,
    min_players INTEGER NOT NULL CHECK (min_players >= 1),
    max_players INTEGER NOT NULL CHECK (max_players >= min_players),
    length_minutes INTEGER CHECK (length_minutes > 0),
    has_audience INTEGER NOT NULL DEFAULT 0 CHECK (has_audience IN (0, 1)),
    family_friendly INTEGER NOT NULL DEFAULT 1 CHECK (family_friendly IN (0, 1)),
    created_at TEXT NOT NULL
);
CREATE UNIQUE INDEX games_catalogue_title ON games (pack_name, title) WHERE community_id IS NULL;
CREATE UNIQUE INDEX games_community_title ON games (community_id, pack_name, title) WHERE community_id IS NOT NULL;

-- Everything about a game that differs between communities. A missing row means the
-- defaults: enabled, no favour bias, no plays and no votes.
CREATE TABLE game_stats (
    community_id INTEGER NOT NULL REFERENCES communities (id) ON DELETE CASCADE,
    game_id INTEGER NOT NULL REFERENCES games (id) ON DELETE CASCADE,
    enabled INTEGER NOT NULL DEFAULT 1 CHECK (enabled IN (0, 1)),
    favor_bias INTEGER NOT NULL DEFAULT 0 CHECK (favor_bias IN (-1, 0, 1)),
    play_count INTEGER NOT NULL DEFAULT 0 CHECK (play_count >= 0),
    upvotes INTEGER NOT NULL DEFAULT 0 CHECK (upvotes >= 0),
    downvotes INTEGER NOT NULL DEFAULT 0 CHECK (downvotes >= 0),
    PRIMARY KEY (community_id, game_id)
);

CREATE TABLE pack_settings (
    community_id INTEGER NOT NULL REFERENCES communities (id) ON DELETE CASCADE,
    pack_name TEXT NOT NULL,
    favor_bias INTEGER NOT NULL DEFAULT 0 CHECK (favor_bias IN (-1, 0, 1)),
    PRIMARY KEY (community_id, pack_name)
);

CREATE TABLE gamenight_sessions (
    id INTEGER PRIMARY KEY,
    community_id INTEGER NOT NULL REFERENCES communities (id) ON DELETE CASCADE,
    notes TEXT,
    is_active INTEGER NOT NULL DEFAULT 1 CHECK (is_active IN (0, 1)),
    created_at TEXT NOT NULL,
    closed_at TEXT
);
-- "Only one active session" holds per community.
CREATE UNIQUE INDEX gamenight_sessions_one_active ON gamenight_sessions (community_id) WHERE is_active = 1;

CREATE TABLE session_games (
    id INTEGER PRIMARY KEY,
    session_id INTEGER NOT NULL REFERENCES gamenight_sessions (id) ON DELETE CASCADE,
    game_id INTEGER NOT NULL REFERENCES games (id),
    manually_added INTEGER NOT NULL DEFAULT 0 CHECK (manually_added IN (0, 1)),
    status TEXT NOT NULL DEFAULT 'playing' CHECK (status IN ('playing', 'played', 'skipped')),
    room_code TEXT CHECK (room_code IS NULL OR length(room_code) = 4),
    played_at TEXT NOT NULL,
    player_count INTEGER CHECK (player_count IS NULL OR player_count >= 0),
    player_count_check_status TEXT
        CHECK (player_count_check_status IS NULL OR player_count_check_status IN ('monitoring', 'completed', 'failed', 'stopped'))
);
CREATE INDEX session_games_session ON session_games (session_id, played_at);

CREATE TABLE live_votes (
    id INTEGER PRIMARY KEY,
    session_id INTEGER NOT NULL REFERENCES gamenight_sessions (id) ON DELETE CASCADE,
    session_game_id INTEGER REFERENCES session_games (id) ON DELETE SET NULL,
    game_id INTEGER NOT NULL REFERENCES games (id),
    username TEXT NOT NULL,
    vote_type TEXT NOT NULL CHECK (vote_type IN ('up', 'down')),
    timestamp TEXT NOT NULL
);
CREATE INDEX live_votes_session ON live_votes (session_id, game_id);
CREATE INDEX live_votes_username ON live_votes (session_id, username, timestamp);

CREATE TABLE chat_logs (
    id INTEGER PRIMARY KEY,
    session_id INTEGER NOT NULL REFERENCES gamenight_sessions (id) ON DELETE CASCADE,
    chatter_name TEXT NOT NULL,
    message TEXT NOT NULL,
    timestamp TEXT NOT NULL,
    parsed_vote TEXT CHECK (parsed_vote IS NULL OR parsed_vote IN ('up', 'down')),
    message_hash TEXT NOT NULL,
    UNIQUE (session_id, message_hash)
);
