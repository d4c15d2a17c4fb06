"""Accounts on Discord: ``/link`` and ``/token`` answer ephemerally, so the secret stays with its owner."""

import discord
from discord import app_commands
from discord.ext import commands

from tallybot.bot.cogs.replies import run_command
from tallybot.bot.commands.account import LINK, TOKEN
from tallybot.bot.commands.types import NoArguments
from tallybot.bot.discord_app import TallyBot


class Account(commands.Cog):
    """Slash commands that tie a Discord user to their tallybot account."""

    @app_commands.command(name="link", description="Get a one-time code that links this Discord account to yours")
    async def link(self, interaction: discord.Interaction) -> None:
        await run_command(interaction, LINK, NoArguments())

    @app_commands.command(name="token", description="Get a personal API token")
    async def token(self, interaction: discord.Interaction) -> None:
        await run_command(interaction, TOKEN, NoArguments())


async def setup(bot: TallyBot) -> None:
    """Extension entry point."""
    await bot.add_cog(Account())
