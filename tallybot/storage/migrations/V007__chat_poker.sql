-- Planning poker from chat: a participant is either a token holder (the HTTP API) or a
-- person known by their chat identity, who has no token. SQLite cannot drop NOT NULL in
-- place, so poker_participants is rebuilt; poker_votes, which references it, is rebuilt
-- with it so that dropping the old table cascades to nothing.

CREATE TABLE poker_participants_v7 (
    id INTEGER PRIMARY KEY,
    session_id INTEGER NOT NULL REFERENCES poker_sessions (id) ON DELETE CASCADE,
    name TEXT NOT NULL COLLATE NOCASE,
    token_hash TEXT UNIQUE,
    person_id INTEGER REFERENCES persons (id),
    is_owner INTEGER NOT NULL DEFAULT 0 CHECK (is_owner IN (0, 1)),
    joined_at TEXT NOT NULL,
    UNIQUE (session_id, name),
    UNIQUE (session_id, person_id),
    CHECK (token_hash IS NOT NULL OR person_id IS NOT NULL)
);
INSERT INTO poker_participants_v7 (id, session_id, name, token_hash, is_owner, joined_at)
SELECT id, session_id, name, token_hash, is_owner, joined_at FROM poker_participants;

CREATE TABLE poker_votes_v7 (
    prompt_id INTEGER NOT NULL,
    round INTEGER NOT NULL,
    participant_id INTEGER NOT NULL REFERENCES poker_participants_v7 (id) ON DELETE CASCADE,
    card TEXT NOT NULL,
    voted_at TEXT NOT NULL,
    PRIMARY KEY (prompt_id, round, participant_id),
    FOREIGN KEY (prompt_id, round) REFERENCES poker_rounds (prompt_id, number) ON DELETE CASCADE
);
INSERT INTO poker_votes_v7 SELECT prompt_id, round, participant_id, card, voted_at FROM poker_votes;

DROP TABLE poker_votes;
DROP TABLE poker_participants;
ALTER TABLE poker_participants_v7 RENAME TO poker_participants;
ALTER TABLE poker_votes_v7 RENAME TO poker_votes;

-- "Which open session is this person in": the chat's way of finding its session.
CREATE INDEX poker_participants_person ON poker_participants (person_id) WHERE person_id IS NOT NULL;
-- "The community's open sessions, newest first": a bare "poker join" joins the first.
CREATE INDEX poker_sessions_open ON poker_sessions (community_id, created_at, id) WHERE closed_at IS NULL;
