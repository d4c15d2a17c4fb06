"""``/help``: the commands the asker may use, as the command layer lists them."""

import discord
from discord import app_commands
from discord.ext import commands

from tallybot.bot.cogs.replies import run_command
from tallybot.bot.commands.types import NoArguments
from tallybot.bot.discord_app import TallyBot


class Help(commands.Cog):
    """The help command, the command layer's own."""

    def __init__(self, bot: TallyBot) -> None:
        self.bot = bot

    @app_commands.command(name="help", description="List the commands you can use")
    async def help(self, interaction: discord.Interaction) -> None:
        await run_command(interaction, self.bot.chat.command("help"), NoArguments())


async def setup(bot: TallyBot) -> None:
    """Extension entry point."""
    await bot.add_cog(Help(bot))
