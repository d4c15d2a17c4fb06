"""The one place where a failure becomes a reply on Discord.

A domain error's text is written for the person who caused it, so it is shown as it is
(ephemerally for a slash command or a button, as a reply to a chat message). Anything
else is logged with its traceback and answered with one generic line.
"""

import logging

import discord
from discord import app_commands
from discord.ext import commands

from tallybot.bot.commands.layer import fit
from tallybot.bot.commands.types import REPLY_LIMITS
from tallybot.bot.discord_app import TallyBot
from tallybot.core.errors import DomainError
from tallybot.core.models import Platform

log = logging.getLogger(__name__)

SOMETHING_WENT_WRONG = "Something went wrong on my side. Please try again later."


def explain(error: BaseException) -> str:
    """What to tell the user about a failure; only domain errors say more than "something went wrong"."""
    if isinstance(error, app_commands.CommandInvokeError):
        error = error.original
    if isinstance(error, DomainError):
        # Error texts may quote what the user typed, so they are defanged like any reply.
        return fit(str(error), REPLY_LIMITS[Platform.DISCORD])
    log.error("a Discord command failed", exc_info=error)
    return SOMETHING_WENT_WRONG


async def answer_interaction(interaction: discord.Interaction, error: BaseException) -> None:
    """Tell the user of a slash command or button what went wrong, visible to them alone."""
    text = explain(error)
    try:
        if interaction.response.is_done():
            await interaction.followup.send(text, ephemeral=True)
        else:
            await interaction.response.send_message(text, ephemeral=True)
    except discord.HTTPException:
        log.warning("could not tell a Discord user about an error", exc_info=True)


async def answer_message(message: discord.Message, error: BaseException) -> None:
    """Tell the author of a chat message what went wrong, as a reply that pings nobody."""
    text = explain(error)
    try:
        await message.reply(text, mention_author=False)
    except discord.HTTPException:
        log.warning("could not tell a Discord user about an error", exc_info=True)


class ErrorReplies(commands.Cog):
    """Routes every slash command's failure to ``answer_interaction``."""

    def __init__(self, bot: TallyBot) -> None:
        self._tree = bot.tree
        self._previous = bot.tree.on_error

    async def cog_load(self) -> None:
        """Become the command tree's error handler."""
        self._tree.on_error = answer_interaction  # type: ignore[method-assign]

    async def cog_unload(self) -> None:
        """Give the tree its own handler back."""
        self._tree.on_error = self._previous  # type: ignore[method-assign]


async def setup(bot: TallyBot) -> None:
    """Extension entry point."""
    await bot.add_cog(ErrorReplies(bot))
