-- OAuth tokens that the chat adapters hold for platform accounts (the Twitch bot's user
-- token, refreshed by twitchio as it runs). They must be usable again, so they cannot be
-- hashed: each column holds "sealed:<Fernet token>" when [twitch] token_key is set, or
-- "plain:<token>" when it is not.

CREATE TABLE platform_tokens (
    platform TEXT NOT NULL,
    user_id TEXT NOT NULL,
    access_token TEXT NOT NULL,
    refresh_token TEXT NOT NULL,
    updated_at TEXT NOT NULL,
    PRIMARY KEY (platform, user_id)
);
