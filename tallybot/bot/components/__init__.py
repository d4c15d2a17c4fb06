"""The Twitch adapter's twitchio components: the chat and whisper relays and the announcer."""
