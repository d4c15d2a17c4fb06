-- The 1-second vote rule compares voters, not spellings: "Alice", "alice " and "alice" with a
-- zero-width space are one voter (core/gamenight/models.py voter_key). New rows get the
-- key from the core; older rows get the closest key SQL can compute.
ALTER TABLE live_votes ADD COLUMN voter_key TEXT NOT NULL DEFAULT '';
UPDATE live_votes SET voter_key = lower(trim(username));
CREATE INDEX live_votes_voter ON live_votes (session_id, voter_key, timestamp);
DROP INDEX live_votes_username;
