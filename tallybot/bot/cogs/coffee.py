"""The coffee scoreboard on Discord: ``/coffee``, ``/balance`` and ``/board``."""

import discord
from discord import app_commands
from discord.ext import commands

from tallybot.bot.cogs.replies import run_command, words
from tallybot.bot.discord_app import TallyBot
from tallybot.core.coffee import MAX_AMOUNT


def _mention(user: discord.abc.User) -> str:
    """How the command layer reads a user option: Discord's own ping syntax, resolved by id."""
    return f"<@{user.id}>"


class Coffee(commands.Cog):
    """Slash commands for the coffee scoreboard; each runs the chat command of the same name."""

    @app_commands.command(name="coffee", description="Record coffees you bought someone")
    @app_commands.describe(user="Who you bought coffee for", count="How many coffees", note="What it was for")
    async def coffee(
        self,
        interaction: discord.Interaction,
        user: discord.User,
        count: app_commands.Range[int, 1, MAX_AMOUNT] | None = None,
        note: str | None = None,
    ) -> None:
        await run_command(interaction, "coffee", words(_mention(user), count, note), mentions=[user])

    @app_commands.command(name="balance", description="Your coffee balance, or someone else's")
    @app_commands.describe(user="Whose balance (yours if left out)")
    async def balance(self, interaction: discord.Interaction, user: discord.User | None = None) -> None:
        if user is None:
            await run_command(interaction, "balance", "")
        else:
            await run_command(interaction, "balance", _mention(user), mentions=[user])

    @app_commands.command(name="board", description="This server's coffee leaderboard")
    async def board(self, interaction: discord.Interaction) -> None:
        await run_command(interaction, "board", "")


async def setup(bot: TallyBot) -> None:
    """Extension entry point."""
    await bot.add_cog(Coffee())
