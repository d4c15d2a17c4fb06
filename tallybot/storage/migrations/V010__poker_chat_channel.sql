-- The chat channel a poker session was started in, so that its reveals are announced
-- where its players are. NULL for sessions started over HTTP: their reveals go to the
-- community's announcement channel.
ALTER TABLE poker_sessions ADD COLUMN chat_channel_id TEXT;
