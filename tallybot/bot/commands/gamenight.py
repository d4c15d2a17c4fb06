"""Game-night chat commands: a host runs tonight's night, anyone asks what is on.

Votes (``thisgame++`` / ``thisgame--``) are not commands: the command layer counts them
in any message. Each handler reads its arguments, calls one service method with the person
typing (``message.principal``) and words the result; the rules, that only a host runs the
night among them, live in ``core/gamenight/tonight.py`` and the services it uses.
"""

import re

from tallybot.bot.commands.types import Command, Invocation, Reply
from tallybot.core.errors import Invalid
from tallybot.core.gamenight import GameStatus, SessionGame

_COUNT = re.compile(r"\d{1,7}")
VOTE_HINT = "Vote with thisgame++ or thisgame--."


def _game(game: SessionGame) -> str:
    return f"{game.title} ({game.pack_name})"


def _count(invocation: Invocation, usage: str) -> int:
    if not _COUNT.fullmatch(invocation.args):
        raise Invalid(f"Usage: {invocation.prefix}{usage}")
    return int(invocation.args)


def _required(invocation: Invocation, usage: str) -> str:
    if not invocation.args:
        raise Invalid(f"Usage: {invocation.prefix}{usage}")
    return invocation.args


async def _start(invocation: Invocation) -> Reply:
    message = invocation.message
    session = await invocation.services.game_nights.start(message.principal, message.community, invocation.args or None)
    return Reply(
        public=f"Game night #{session.id} has started! A host adds each game with "
        f"{invocation.prefix}night add <title>. {VOTE_HINT}"
    )


async def _add(invocation: Invocation) -> Reply:
    message = invocation.message
    text = _required(invocation, ADD.usage)
    game = await invocation.services.tonight.add_game(message.principal, message.community, text)
    room = f" with room code {game.room_code}" if game.room_code else ""
    return Reply(public=f"Added {_game(game)} to game night #{game.session_id}{room}.")


async def _room(invocation: Invocation) -> Reply:
    message = invocation.message
    code = _required(invocation, ROOM.usage)
    game = await invocation.services.tonight.set_room_code(message.principal, message.community, code)
    return Reply(public=f"Room code for {_game(game)}: {game.room_code}")


async def _status(invocation: Invocation) -> Reply:
    message = invocation.message
    status = _required(invocation, STATUS.usage)
    game = await invocation.services.tonight.set_status(message.principal, message.community, status)
    return Reply(public=f"{_game(game)} is now {status.strip().lower()}.")


async def _players(invocation: Invocation) -> Reply:
    message = invocation.message
    count = _count(invocation, PLAYERS.usage)
    game = await invocation.services.tonight.set_player_count(message.principal, message.community, count)
    return Reply(public=f"{_game(game)}: {count} {'player' if count == 1 else 'players'}.")


async def _close(invocation: Invocation) -> Reply:
    message = invocation.message
    session = await invocation.services.tonight.close(message.principal, message.community, invocation.args or None)
    played = f"{session.games_played} {'game' if session.games_played == 1 else 'games'}"
    return Reply(public=f"Game night #{session.id} is over: {played} played. Thanks for playing!")


async def _playing(invocation: Invocation) -> Reply:
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


async def _votes(invocation: Invocation) -> Reply:
    games = await invocation.services.tonight.votes(invocation.message.community)
    if not games:
        return Reply(public=f"No votes yet tonight. {VOTE_HINT}")
    lines = [f"{game.title} +{game.upvotes} -{game.downvotes} (net {game.upvotes - game.downvotes})" for game in games]
    return Reply(public="Tonight's votes: " + " | ".join(lines))


async def _pick(invocation: Invocation) -> Reply:
    count = _count(invocation, PICK.usage)
    pick = await invocation.services.tonight.pick(invocation.message.community, count)
    details = pick.game.details
    return Reply(
        public=f"How about {details.title} ({details.pack_name})? It takes {details.min_players}-"
        f"{details.max_players} players (picked from {pick.pool_size} games)."
    )


START = Command("night start", "night start [notes]", "start tonight's game night", _start, host_only=True)
ADD = Command("night add", "night add <title> [room code]", "start playing a game", _add, host_only=True)
ROOM = Command("night room", "night room <code>", "set the current game's room code", _room, host_only=True)
STATUS = Command(
    "night status", "night status <playing|played|skipped>", "mark the current game", _status, host_only=True
)
PLAYERS = Command(
    "night players", "night players <n>", "record how many played the current game", _players, host_only=True
)
CLOSE = Command("night close", "night close [notes]", "end the game night", _close, host_only=True)
PLAYING = Command("playing", "playing", "what is playing now", _playing)
VOTES = Command("votes", "votes", "tonight's votes per game", _votes)
PICK = Command("pick", "pick <players>", "suggest a game for that many players", _pick)

COMMANDS = (START, ADD, ROOM, STATUS, PLAYERS, CLOSE, PLAYING, VOTES, PICK)
