"""Planning poker on Discord: ``/poker start|join|close``, ``/prompt``, ``/vote`` (ephemeral), ``/reveal``, ``/revote``.

Votes can also be cast with the card buttons under a prompt; ``ChoiceButton`` answers those.
"""

import discord
from discord import app_commands
from discord.ext import commands

from tallybot.bot.cogs.replies import run_command
from tallybot.bot.commands.poker import (
    CLOSE,
    JOIN,
    PROMPT,
    REVEAL,
    REVOTE,
    START,
    VOTE,
    PokerJoin,
    PokerPrompt,
    PokerStart,
    PokerVote,
    deck_of,
)
from tallybot.bot.commands.types import NoArguments
from tallybot.bot.discord_app import TallyBot


class Poker(commands.Cog):
    """Slash commands for planning poker; each runs the chat command of the same name with its options as arguments."""

    poker = app_commands.Group(name="poker", description="Planning poker sessions")

    @poker.command(name="start", description="Start a planning poker session and own it")
    @app_commands.describe(deck="fibonacci (the default), tshirt, or your own cards separated by commas")
    async def poker_start(self, interaction: discord.Interaction, deck: str | None = None) -> None:
        await run_command(interaction, START, PokerStart(deck_of(deck)))

    @poker.command(name="join", description="Join this server's poker session, or the one with this id")
    @app_commands.describe(session="A session id, when there is more than one")
    async def poker_join(self, interaction: discord.Interaction, session: str | None = None) -> None:
        await run_command(interaction, JOIN, PokerJoin(session))

    @poker.command(name="close", description="Close your poker session (owner)")
    async def poker_close(self, interaction: discord.Interaction) -> None:
        await run_command(interaction, CLOSE, NoArguments())

    @app_commands.command(name="prompt", description="Put a story up for estimation (owner)")
    @app_commands.describe(story="What the team estimates")
    async def prompt(self, interaction: discord.Interaction, story: str) -> None:
        await run_command(interaction, PROMPT, PokerPrompt(story))

    @app_commands.command(name="vote", description="Vote on the current story; only you see your card")
    @app_commands.describe(card="Your card")
    async def vote(self, interaction: discord.Interaction, card: str) -> None:
        await run_command(interaction, VOTE, PokerVote(card))

    @app_commands.command(name="reveal", description="Show every vote now (owner)")
    async def reveal(self, interaction: discord.Interaction) -> None:
        await run_command(interaction, REVEAL, NoArguments())

    @app_commands.command(name="revote", description="Vote on the same story again (owner)")
    async def revote(self, interaction: discord.Interaction) -> None:
        await run_command(interaction, REVOTE, NoArguments())


async def setup(bot: TallyBot) -> None:
    """Extension entry point."""
    await bot.add_cog(Poker())
