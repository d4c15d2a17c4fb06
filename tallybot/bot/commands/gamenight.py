"""Game-night chat commands: a host runs tonight's night, anyone asks what is on.

Votes (``thisgame++`` / ``thisgame--``) are not commands: the command layer counts them
in any message. Each command's arguments are a dataclass below, read from chat text by
its parser or filled by a slash command's options; its handler calls one service method
with them and the person typing (``message.principal``) and words the result. The rules,
that only a host runs the night among them, live in ``core/gamenight/tonight.py`` and the
services it uses.
"""

import re
from dataclasses import dataclass

from tallybot.bot.commands.types import Command, CommandText, Invocation, NoArguments, Reply, no_arguments
from tallybot.core.gamenight import GameStatus, SessionGame

_COUNT = re.compile(r"[0-9]{1,7}")
VOTE_HINT = "Vote with thisgame++ or thisgame--."


@dataclass(frozen=True)
class Notes:
    """What a host notes about a night as it starts or ends, if anything."""

    notes: str | None


@dataclass(frozen=True)
class NightAdd:
    """The game to start playing, and its room code when that is given on its own.

    In chat text the title may end with the room code (``night add Quiplash 3 ABCD``):
    only the catalogue can tell that from a title ending in a four-letter word, so the
    core splits it when ``room_code`` is None.
    """

    title: str
    room_code: str | None


@dataclass(frozen=True)
class RoomCode:
    """The room code of the game being played."""

    code: str


@dataclass(frozen=True)
class NightStatus:
    """Where the current game stands: playing, played or skipped (the core checks which)."""

    status: str


@dataclass(frozen=True)
class PlayerCount:
    """A number of players."""

    count: int


def _game(game: SessionGame) -> str:
    return f"{game.title} ({game.pack_name})"


def _notes(text: CommandText) -> Notes:
    return Notes(text.optional())


def _night_add(text: CommandText) -> NightAdd:
    return NightAdd(text.required(), None)


def _room_code(text: CommandText) -> RoomCode:
    return RoomCode(text.required())


def _night_status(text: CommandText) -> NightStatus:
    return NightStatus(text.required())


def _player_count(text: CommandText) -> PlayerCount:
    if not _COUNT.fullmatch(text.text):
        raise text.wrong()
    return PlayerCount(int(text.text))


async def _start(invocation: Invocation, arguments: Notes) -> Reply:
    message = invocation.message
    session = await invocation.services.game_nights.start(message.principal, message.community, arguments.notes)
    return Reply(
        public=f"Game night #{session.id} has started! A host adds each game with "
        f"{invocation.prefix}night add <title>. {VOTE_HINT}"
    )


async def _add(invocation: Invocation, arguments: NightAdd) -> Reply:
    message = invocation.message
    game = await invocation.services.tonight.add_game(
        message.principal, message.community, arguments.title, arguments.room_code
    )
    room = f" with room code {game.room_code}" if game.room_code else ""
    return Reply(public=f"Added {_game(game)} to game night #{game.session_id}{room}.")


async def _room(invocation: Invocation, arguments: RoomCode) -> Reply:
    message = invocation.message
    game = await invocation.services.tonight.set_room_code(message.principal, message.community, arguments.code)
    return Reply(public=f"Room code for {_game(game)}: {game.room_code}")


async def _status(invocation: Invocation, arguments: NightStatus) -> Reply:
    message = invocation.message
    status = arguments.status
    game = await invocation.services.tonight.set_status(message.principal, message.community, status)
    return Reply(public=f"{_game(game)} is now {status.strip().lower()}.")


async def _players(invocation: Invocation, arguments: PlayerCount) -> Reply:
    message = invocation.message
    count = arguments.count
    game = await invocation.services.tonight.set_player_count(message.principal, message.community, count)
    return Reply(public=f"{_game(game)}: {count} {'player' if count == 1 else 'players'}.")


async def _close(invocation: Invocation, arguments: Notes) -> Reply:
    message = invocation.message
    session = await invocation.services.tonight.close(message.principal, message.community, arguments.notes)
    played = f"{session.games_played} {'game' if session.games_played == 1 else 'games'}"
    return Reply(public=f"Game night #{session.id} is over: {played} played. Thanks for playing!")


async def _playing(invocation: Invocation, _: NoArguments) -> Reply:
    tonight = await invocation.services.tonight.now(invocation.message.community)
    game = tonight.current
    if game is None:
        return Reply(public=f"Game night #{tonight.session.id} is on, but no game has been added yet.")
    details = [f"room code {game.room_code}"] if game.room_code else []
    if game.player_count is not None:
        details.append(f"{game.player_count} {'player' if game.player_count == 1 else 'players'}")
    extra = "".join(f", {detail}" for detail in details)
    if game.status is GameStatus.PLAYING:
        return Reply(public=f"Now playing: {_game(game)}{extra}. {VOTE_HINT}")
    return Reply(public=f"Nothing is playing; the last game was {_game(game)}{extra}, {game.status.value}.")


async def _votes(invocation: Invocation, _: NoArguments) -> Reply:
    games = await invocation.services.tonight.votes(invocation.message.community)
    if not games:
        return Reply(public=f"No votes yet tonight. {VOTE_HINT}")
    lines = [f"{game.title} +{game.upvotes} -{game.downvotes} (net {game.upvotes - game.downvotes})" for game in games]
    return Reply(public="Tonight's votes: " + " | ".join(lines))


async def _pick(invocation: Invocation, arguments: PlayerCount) -> Reply:
    pick = await invocation.services.tonight.pick(invocation.message.community, arguments.count)
    details = pick.game.details
    return Reply(
        public=f"How about {details.title} ({details.pack_name})? It takes {details.min_players}-"
        f"{details.max_players} players (picked from {pick.pool_size} games)."
    )


START = Command("night start", "night start [notes]", "start tonight's game night", _notes, _start, host_only=True)
ADD = Command("night add", "night add <title> [room code]", "start playing a game", _night_add, _add, host_only=True)
ROOM = Command("night room", "night room <code>", "set the current game's room code", _room_code, _room, host_only=True)
STATUS = Command(
    "night status",
    "night status <playing|played|skipped>",
    "mark the current game",
    _night_status,
    _status,
    host_only=True,
)
PLAYERS = Command(
    "night players",
    "night players <n>",
    "record how many played the current game",
    _player_count,
    _players,
    host_only=True,
)
CLOSE = Command("night close", "night close [notes]", "end the game night", _notes, _close, host_only=True)
PLAYING = Command("playing", "playing", "what is playing now", no_arguments, _playing)
VOTES = Command("votes", "votes", "tonight's votes per game", no_arguments, _votes)
PICK = Command("pick", "pick <players>", "suggest a game for that many players", _player_count, _pick)

COMMANDS = (START, ADD, ROOM, STATUS, PLAYERS, CLOSE, PLAYING, VOTES, PICK)
