"""Game night on Discord: ``/night ...`` for hosts, ``/playing``, ``/votes`` and ``/pick`` for everyone."""

import discord
from discord import app_commands
from discord.ext import commands

from tallybot.bot.cogs.replies import run_command
from tallybot.bot.commands.announcements import ANNOUNCE_HERE
from tallybot.bot.commands.gamenight import (
    ADD,
    CLOSE,
    PICK,
    PLAYERS,
    PLAYING,
    ROOM,
    START,
    STATUS,
    VOTES,
    NightAdd,
    NightStatus,
    Notes,
    PlayerCount,
    RoomCode,
)
from tallybot.bot.commands.types import NoArguments
from tallybot.bot.discord_app import TallyBot
from tallybot.core.gamenight import GameStatus

# Discord shows at most 25 autocomplete choices, each at most 100 characters long.
_MAX_CHOICES = 25
_MAX_CHOICE_LENGTH = 100


class GameNight(commands.Cog):
    """Slash commands for game night; each runs the chat command of the same name with its options as arguments."""

    night = app_commands.Group(name="night", description="Run tonight's game night (hosts)")
    announce = app_commands.Group(name="announce", description="Where tallybot posts its announcements (hosts)")

    def __init__(self, bot: TallyBot) -> None:
        self.bot = bot

    @night.command(name="start", description="Start a game night")
    @app_commands.describe(notes="Anything worth remembering about tonight")
    async def night_start(self, interaction: discord.Interaction, notes: str | None = None) -> None:
        await run_command(interaction, START, Notes(notes))

    @night.command(name="add", description="Add the game that is starting now")
    @app_commands.describe(title="The game's title", room_code="The room code players join with")
    async def night_add(self, interaction: discord.Interaction, title: str, room_code: str | None = None) -> None:
        await run_command(interaction, ADD, NightAdd(title, room_code))

    @night_add.autocomplete("title")
    async def night_add_titles(self, interaction: discord.Interaction, current: str) -> list[app_commands.Choice[str]]:
        """The games whose title holds what was typed, those starting with it first."""
        if interaction.guild is None or not self.bot.accepting():
            return []
        community = await self.bot.community_for(interaction.guild)
        titles = await self.bot.services.tonight.titles(community, current, _MAX_CHOICES)
        return [app_commands.Choice(name=title, value=title) for title in titles if len(title) <= _MAX_CHOICE_LENGTH]

    @night.command(name="room", description="Set the room code of the game being played")
    @app_commands.describe(code="The room code")
    async def night_room(self, interaction: discord.Interaction, code: str) -> None:
        await run_command(interaction, ROOM, RoomCode(code))

    @night.command(name="status", description="Mark the current game as playing, played or skipped")
    @app_commands.describe(status="Where the game stands")
    @app_commands.choices(status=[app_commands.Choice(name=status.value, value=status.value) for status in GameStatus])
    async def night_status(self, interaction: discord.Interaction, status: app_commands.Choice[str]) -> None:
        await run_command(interaction, STATUS, NightStatus(status.value))

    @night.command(name="players", description="Set how many people are playing the current game")
    @app_commands.describe(count="The number of players")
    async def night_players(self, interaction: discord.Interaction, count: app_commands.Range[int, 0, 10_000]) -> None:
        await run_command(interaction, PLAYERS, PlayerCount(count))

    @night.command(name="close", description="End tonight's game night")
    @app_commands.describe(notes="Anything worth remembering about the night")
    async def night_close(self, interaction: discord.Interaction, notes: str | None = None) -> None:
        await run_command(interaction, CLOSE, Notes(notes))

    @announce.command(name="here", description="Post game-night and poker announcements in this channel")
    async def announce_here(self, interaction: discord.Interaction) -> None:
        await run_command(interaction, ANNOUNCE_HERE, NoArguments())

    @app_commands.command(name="playing", description="What game is being played now")
    async def playing(self, interaction: discord.Interaction) -> None:
        await run_command(interaction, PLAYING, NoArguments())

    @app_commands.command(name="votes", description="Tonight's votes, game by game")
    async def votes(self, interaction: discord.Interaction) -> None:
        await run_command(interaction, VOTES, NoArguments())

    @app_commands.command(name="pick", description="Pick a game for this many players")
    @app_commands.describe(players="How many people will play")
    async def pick(self, interaction: discord.Interaction, players: app_commands.Range[int, 1, 10_000]) -> None:
        await run_command(interaction, PICK, PlayerCount(players))


async def setup(bot: TallyBot) -> None:
    """Extension entry point."""
    await bot.add_cog(GameNight(bot))
