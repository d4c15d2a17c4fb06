"""Fake outside platforms that run for real on 127.0.0.1, for tests of the chat adapters.

- ``fake_discord.FakeDiscord``: Discord's REST API and gateway, for the real discord.py.
- ``fake_twitch``: Twitch's OAuth, Helix and EventSub websocket, for the real twitchio 3.

Each module's docstring says how to use it.
"""
