"""Announcements in Twitch chat: a game added, a poker reveal, a night closed.

The news and its channel come from ``services.announcements``, the wording from
``tallybot.bot.commands.announcements``. This component posts each line for a joined
channel's community in that channel's chat (the broadcaster's own chat, unless a host
said ``announce here`` in another joined channel).
"""

import asyncio
from collections.abc import Mapping

from twitchio.ext import commands

from tallybot.bot.commands.announcements import wording
from tallybot.bot.components.replies import TwitchReplies
from tallybot.core.announcements import Announcement
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
        relay = self._services.announcements.relay(Platform.TWITCH, self._post)
        self._task = asyncio.create_task(relay, name="twitch-announcements")

    async def component_teardown(self) -> None:
        """Stop listening; an announcement being posted is cut short with the bot."""
        if self._task is not None:
            self._task.cancel()
            await asyncio.wait({self._task})

    async def _post(self, announcement: Announcement) -> None:
        # A Twitch community's external id is its broadcaster's id, which names its own chat.
        channel = announcement.channel_id or announcement.community.external_id
        if channel in self._communities:
            await self._replies.say(channel, wording(announcement))
