"""The coffee scoreboard on Discord: ``/coffee``, ``/balance`` and ``/board``."""

import discord
from discord import app_commands
from discord.ext import commands

from tallybot.bot.cogs.replies import run_command
from tallybot.bot.commands.coffee import BALANCE, BOARD, COFFEE, Balance, Coffee
from tallybot.bot.commands.types import NoArguments
from tallybot.bot.discord_app import TallyBot, chat_user
from tallybot.core.coffee import MAX_AMOUNT


class CoffeeScoreboard(commands.Cog, name="Coffee"):
    """Slash commands for the coffee scoreboard; each runs the chat command of the same name with its options.

    A user option is the user Discord resolved, so the command needs no mention to read.
    """

    @app_commands.command(name="coffee", description="Record coffees you bought someone")
    @app_commands.describe(user="Who you bought coffee for", count="How many coffees", note="What it was for")
    async def coffee(
        self,
        interaction: discord.Interaction,
        user: discord.User,
        count: app_commands.Range[int, 1, MAX_AMOUNT] | None = None,
        note: str | None = None,
    ) -> None:
        await run_command(interaction, COFFEE, Coffee(chat_user(user), count, note))

    @app_commands.command(name="balance", description="Your coffee balance, or someone else's")
    @app_commands.describe(user="Whose balance (yours if left out)")
    async def balance(self, interaction: discord.Interaction, user: discord.User | None = None) -> None:
        await run_command(interaction, BALANCE, Balance(None if user is None else chat_user(user)))

    @app_commands.command(name="board", description="This server's coffee leaderboard")
    async def board(self, interaction: discord.Interaction) -> None:
        await run_command(interaction, BOARD, NoArguments())


async def setup(bot: TallyBot) -> None:
    """Extension entry point."""
    await bot.add_cog(CoffeeScoreboard())
