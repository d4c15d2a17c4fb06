-- Coffee scoreboard: GitHub teams as last fetched at sign-in, groups with their members and
-- balances, the zero-sum transactions between members, and registered mobile devices.

-- A GitHub team, as the provider described it when one of its members last signed in.
CREATE TABLE coffee_teams (
    github_id INTEGER PRIMARY KEY,
    name TEXT NOT NULL,
    org TEXT NOT NULL,
    synced_at TEXT NOT NULL
);

CREATE TABLE coffee_team_members (
    github_id INTEGER NOT NULL REFERENCES coffee_teams (github_id) ON DELETE CASCADE,
    person_id INTEGER NOT NULL REFERENCES persons (id) ON DELETE CASCADE,
    PRIMARY KEY (github_id, person_id)
);
CREATE INDEX coffee_team_members_person ON coffee_team_members (person_id);

-- A group takes its members from a GitHub team, or (github_id NULL) from the known members
-- of its own community (a Discord server or a Twitch channel).
CREATE TABLE coffee_groups (
    id INTEGER PRIMARY KEY,
    community_id INTEGER NOT NULL REFERENCES communities (id) ON DELETE CASCADE,
    github_id INTEGER REFERENCES coffee_teams (github_id),
    name TEXT NOT NULL,
    timezone TEXT NOT NULL,
    created_by INTEGER NOT NULL REFERENCES persons (id),
    created_at TEXT NOT NULL
);
CREATE UNIQUE INDEX coffee_groups_one_per_team ON coffee_groups (github_id) WHERE github_id IS NOT NULL;
CREATE UNIQUE INDEX coffee_groups_one_per_community ON coffee_groups (community_id) WHERE github_id IS NULL;

-- Members who leave are deactivated, never deleted, so that their history stays.
CREATE TABLE coffee_members (
    group_id INTEGER NOT NULL REFERENCES coffee_groups (id) ON DELETE CASCADE,
    person_id INTEGER NOT NULL REFERENCES persons (id),
    balance INTEGER NOT NULL DEFAULT 0,
    active INTEGER NOT NULL DEFAULT 1 CHECK (active IN (0, 1)),
    joined_at TEXT NOT NULL,
    PRIMARY KEY (group_id, person_id)
);
CREATE INDEX coffee_members_person ON coffee_members (person_id);

-- from_person_id bought to_person_id `amount` coffees; created_by recorded it.
CREATE TABLE coffee_transactions (
    id INTEGER PRIMARY KEY,
    group_id INTEGER NOT NULL REFERENCES coffee_groups (id) ON DELETE CASCADE,
    from_person_id INTEGER NOT NULL REFERENCES persons (id),
    to_person_id INTEGER NOT NULL REFERENCES persons (id),
    amount INTEGER NOT NULL CHECK (amount > 0),
    note TEXT,
    latitude REAL,
    longitude REAL,
    accuracy REAL,
    location_date TEXT,
    created_by INTEGER NOT NULL REFERENCES persons (id),
    created_at TEXT NOT NULL,
    CHECK (from_person_id <> to_person_id)
);
CREATE INDEX coffee_transactions_group ON coffee_transactions (group_id, id);

-- One push token per device; registering the device again replaces it.
CREATE TABLE coffee_devices (
    uuid TEXT PRIMARY KEY,
    person_id INTEGER NOT NULL REFERENCES persons (id) ON DELETE CASCADE,
    token TEXT NOT NULL,
    token_type TEXT NOT NULL CHECK (token_type IN ('apns_production', 'apns_sandbox', 'gcm')),
    registered_at TEXT NOT NULL
);
CREATE INDEX coffee_devices_person ON coffee_devices (person_id);
