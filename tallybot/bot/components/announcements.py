"""Announcements in Twitch chat: a game added, a poker reveal, a night closed.

The wording and the choice of channel come from ``tallybot.bot.commands.announcements``; this
component posts each line for a joined channel's community in that channel's chat (the
broadcaster's own chat, unless a host said ``announce here`` in another joined channel).
"""

import asyncio
from collections.abc import Mapping

from twitchio.ext import commands

from tallybot.bot.commands.announcements import Announcement, relay_announcements
from tallybot.bot.components.replies import TwitchReplies
from tallybot.core.models import Community, Platform
from tallybot.core.services import Services


class Announcer(commands.Component):
    """Relays the joined channels' announcements from the event bus while the component is loaded."""

    def __init__(self, services: Services, communities: Mapping[str, Community], replies: TwitchReplies) -> None:
        self._services = services
        self._communities = communities
        self._replies = replies
        self._task: asyncio.Task[None] | None = None

    async def component_load(self) -> None:
        """Start listening to the event bus."""
        relay = relay_announcements(self._services, Platform.TWITCH, self._post)
        self._task = asyncio.create_task(relay, name="twitch-announcements")

    async def component_teardown(self) -> None:
        """Stop listening; an announcement being posted is cut short with the bot."""
        if self._task is not None:
            self._task.cancel()
            await asyncio.wait({self._task})

    async def _post(self, announcement: Announcement) -> None:
        channel = announcement.channel_id or self._broadcaster_of(announcement.community_id)
        if channel is not None and channel in self._communities:
            await self._replies.say(channel, announcement.text)

    def _broadcaster_of(self, community_id: int) -> str | None:
        for broadcaster_id, community in self._communities.items():
            if community.id == community_id:
                return broadcaster_id
        return None
