"""Announcements on Discord: games added, poker reveals and closed nights, in the channel a host chose."""

import asyncio
import contextlib
import logging

import discord
from discord.ext import commands

from tallybot.bot.commands.announcements import wording
from tallybot.bot.commands.layer import fit
from tallybot.bot.commands.types import REPLY_LIMITS
from tallybot.bot.discord_app import TallyBot
from tallybot.core.announcements import Announcement
from tallybot.core.models import Platform

log = logging.getLogger(__name__)


class Announcements(commands.Cog):
    """Relays the event bus's announcements for Discord communities while the cog is loaded."""

    def __init__(self, bot: TallyBot) -> None:
        self.bot = bot
        self._relay: asyncio.Task[None] | None = None

    async def cog_load(self) -> None:
        """Start relaying."""
        relay = self.bot.services.announcements.relay(Platform.DISCORD, self.post)
        self._relay = asyncio.create_task(relay, name="discord-announcements")

    async def cog_unload(self) -> None:
        """Stop relaying; an announcement being posted is abandoned."""
        if self._relay is not None:
            self._relay.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._relay

    async def post(self, announcement: Announcement) -> None:
        """Post one announcement in its channel; a community that chose none gets none on Discord."""
        if announcement.channel_id is None:
            return
        await self.bot.wait_until_ready()
        channel_id = int(announcement.channel_id)
        channel = self.bot.get_channel(channel_id) or await self.bot.fetch_channel(channel_id)
        if not isinstance(channel, discord.abc.Messageable):
            log.warning(
                "announcement channel %d of community %d takes no messages", channel_id, announcement.community.id
            )
            return
        await channel.send(fit(wording(announcement), REPLY_LIMITS[Platform.DISCORD]))


async def setup(bot: TallyBot) -> None:
    """Extension entry point."""
    await bot.add_cog(Announcements(bot))
