"""``/help``: the commands the asker may use, as the command layer lists them."""

import discord
from discord import app_commands
from discord.ext import commands

from tallybot.bot.cogs.replies import run_command
from tallybot.bot.discord_app import TallyBot


class Help(commands.Cog):
    """The help command."""

    @app_commands.command(name="help", description="List the commands you can use")
    async def help(self, interaction: discord.Interaction) -> None:
        await run_command(interaction, "help", "")


async def setup(bot: TallyBot) -> None:
    """Extension entry point."""
    await bot.add_cog(Help())
