-- Webhooks: subscriptions to event types, the durable delivery queue fed from the outbox,
-- and a record of every attempt. Times are ISO 8601 text in UTC.

CREATE TABLE webhooks (
    id INTEGER PRIMARY KEY,
    community_id INTEGER NOT NULL REFERENCES communities (id) ON DELETE CASCADE,
    name TEXT NOT NULL,
    url TEXT NOT NULL,
    -- Kept as given: signing needs the secret itself, so it cannot be hashed. It never
    -- leaves the database except as the HMAC key.
    secret TEXT NOT NULL,
    -- A JSON array of event types.
    events TEXT NOT NULL,
    -- A JSON object; an event matches when its data has every one of these values.
    data_filter TEXT NOT NULL DEFAULT '{}',
    enabled INTEGER NOT NULL DEFAULT 1 CHECK (enabled IN (0, 1)),
    -- The outbox sequence when the webhook was made: older events are never sent to it.
    after_sequence INTEGER NOT NULL,
    created_at TEXT NOT NULL,
    updated_at TEXT
);
CREATE INDEX webhooks_community ON webhooks (community_id);

-- How far the dispatcher has matched outbox events against webhooks. It may lag behind
-- what was enqueued (matching again is harmless), never run ahead of it.
CREATE TABLE webhook_cursor (
    id INTEGER PRIMARY KEY CHECK (id = 1),
    sequence INTEGER NOT NULL
);
INSERT INTO webhook_cursor (id, sequence) VALUES (1, (SELECT coalesce(max(sequence), 0) FROM outbox));

-- One row per (webhook, event). Finished rows stay, so that matching an event again after
-- a restart cannot send it twice.
CREATE TABLE webhook_deliveries (
    id INTEGER PRIMARY KEY,
    webhook_id INTEGER NOT NULL REFERENCES webhooks (id) ON DELETE CASCADE,
    -- The outbox sequence of the event.
    sequence INTEGER NOT NULL,
    status TEXT NOT NULL DEFAULT 'pending' CHECK (status IN ('pending', 'delivered', 'failed')),
    attempts INTEGER NOT NULL DEFAULT 0 CHECK (attempts >= 0),
    next_attempt_at TEXT NOT NULL,
    UNIQUE (webhook_id, sequence)
);
CREATE INDEX webhook_deliveries_pending ON webhook_deliveries (webhook_id, sequence) WHERE status = 'pending';

CREATE TABLE webhook_attempts (
    id INTEGER PRIMARY KEY,
    webhook_id INTEGER NOT NULL REFERENCES webhooks (id) ON DELETE CASCADE,
    -- NULL for a test delivery, which is sent at once and never retried.
    delivery_id INTEGER REFERENCES webhook_deliveries (id) ON DELETE CASCADE,
    attempt INTEGER NOT NULL CHECK (attempt >= 1),
    event_id TEXT NOT NULL,
    event_type TEXT NOT NULL,
    sent_at TEXT NOT NULL,
    duration_ms INTEGER NOT NULL CHECK (duration_ms >= 0),
    outcome TEXT NOT NULL CHECK (outcome IN ('ok', 'error', 'timeout')),
    request_url TEXT NOT NULL,
    -- JSON objects; the signature is there, the secret never is.
    request_headers TEXT NOT NULL,
    request_body TEXT NOT NULL,
    status_code INTEGER,
    response_reason TEXT NOT NULL,
    response_headers TEXT NOT NULL,
    -- Truncated to what a log needs.
    response_body TEXT NOT NULL,
    error TEXT
);
CREATE INDEX webhook_attempts_webhook ON webhook_attempts (webhook_id, id);
