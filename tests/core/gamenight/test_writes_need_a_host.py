"""Who may change a game night is decided in core: every write takes the caller and is a host's.

Each write is called straight on the services (real SQLite), once by a member of the
community, who is refused with NotHost while nothing at all is written, and once by a host,
whose call goes through. Chat votes stay open to every member.
"""

from collections.abc import Awaitable, Callable
from dataclasses import dataclass, replace
from datetime import timedelta

import pytest

from tallybot.core.gamenight import ChatVoteOutcome, Game, GameDetails, GameNight, SessionGame, messages_from_items
from tallybot.core.gamenight.games_csv import format_csv
from tallybot.core.models import Community, Platform
from tallybot.core.services import Services
from tallybot.settings import Settings
from tests.gamenight_helpers import Who, refused_and_nothing_written, written_by_a_host
from tests.helpers import FakeClock, host_of

YAK_RACE = GameDetails("Test Pack", "Yak Race", 2, 6)


@dataclass(frozen=True)
class Night:
    """A community with something for every write to act on.

    ``game`` (custom) is playing in the ``running`` night, with a room code; ``spare``
    (custom) was never played; ``closed`` is an earlier night; ``quiet`` is a second
    community with no night running, for starting one; ``elsewhere`` a third one.
    """

    community: Community
    quiet: Community
    elsewhere: Community
    game: Game
    spare: Game
    closed: GameNight
    running: GameNight
    playing: SessionGame


@pytest.fixture
async def night(services: Services, clock: FakeClock) -> Night:
    home = services.default_community
    host = host_of(home)
    game = await services.games.add_game(host, home, GameDetails("Test Pack", "Zebra Quest", 1, 8))
    spare = await services.games.add_game(host, home, GameDetails("Test Pack", "Otter Dash", 1, 8))
    closed = await services.game_nights.start(host, home, "last week")
    await services.game_nights.close(host, home, closed.id, None)
    running = await services.game_nights.start(host, home, "tonight")
    # Added without a room code, so that no room monitor starts writing in the background.
    playing = await services.game_nights.add_game(host, home, running.id, game.id, False, None)
    playing = await services.game_nights.set_room_code(host, home, running.id, playing.id, "ABCD")
    clock.advance(timedelta(minutes=5))
    quiet = await services.communities.ensure(Platform.DISCORD, "77", "Quiet server")
    elsewhere = await services.communities.ensure(Platform.DISCORD, "78", "Another server")
    return Night(home, quiet, elsewhere, game, spare, closed, running, playing)


# Each call is made as ``who(community)`` for the community it acts on.
Call = Callable[[Services, Night, Who], Awaitable[object]]

WRITES: dict[str, Call] = {
    "GameService.add_game": lambda s, n, who: s.games.add_game(who(n.community), n.community, YAK_RACE),
    "GameService.update_game": lambda s, n, who: s.games.update_game(
        who(n.community), n.community, n.spare.id, replace(n.spare.details, max_players=9)
    ),
    "GameService.delete_game": lambda s, n, who: s.games.delete_game(who(n.community), n.community, n.spare.id),
    "GameService.toggle_game": lambda s, n, who: s.games.toggle_game(who(n.community), n.community, n.game.id),
    "GameService.set_pack_enabled": lambda s, n, who: s.games.set_pack_enabled(
        who(n.community), n.community, "Test Pack", False
    ),
    "GameService.set_game_favor": lambda s, n, who: s.games.set_game_favor(who(n.community), n.community, n.game.id, 1),
    "GameService.set_pack_favor": lambda s, n, who: s.games.set_pack_favor(
        who(n.community), n.community, "Test Pack", -1
    ),
    "GameService.import_csv": lambda s, n, who: s.games.import_csv(
        who(n.community), n.community, format_csv([YAK_RACE])
    ),
    "SessionService.start": lambda s, n, who: s.game_nights.start(who(n.quiet), n.quiet, "fresh"),
    "SessionService.close": lambda s, n, who: s.game_nights.close(who(n.community), n.community, n.running.id, "done"),
    "SessionService.delete": lambda s, n, who: s.game_nights.delete(who(n.community), n.community, n.closed.id),
    "SessionService.add_game": lambda s, n, who: s.game_nights.add_game(
        who(n.community), n.community, n.running.id, n.spare.id, True, None
    ),
    "SessionService.set_status": lambda s, n, who: s.game_nights.set_status(
        who(n.community), n.community, n.running.id, n.playing.id, "skipped"
    ),
    "SessionService.remove_game": lambda s, n, who: s.game_nights.remove_game(
        who(n.community), n.community, n.running.id, n.playing.id
    ),
    "SessionService.set_room_code": lambda s, n, who: s.game_nights.set_room_code(
        who(n.community), n.community, n.running.id, n.playing.id, "WXYZ"
    ),
    "SessionService.set_player_count": lambda s, n, who: s.game_nights.set_player_count(
        who(n.community), n.community, n.running.id, n.playing.id, 5
    ),
    "SessionService.import_chat": lambda s, n, who: s.game_nights.import_chat(
        who(n.community),
        n.community,
        n.running.id,
        messages_from_items([{"username": "viewer", "message": "thisgame++", "timestamp": "2026-11-23T12:01:00Z"}]),
    ),
    "VoteService.cast": lambda s, n, who: s.votes.cast(
        who(n.community), n.community, "viewer", "up", "2026-11-23T12:01:00Z"
    ),
    "RoomMonitor.start": lambda s, n, who: s.room_monitor.start(
        who(n.community), n.community, n.running.id, n.playing.id
    ),
    "RoomMonitor.stop": lambda s, n, who: s.room_monitor.stop(
        who(n.community), n.community, n.running.id, n.playing.id
    ),
    "TonightService.add_game": lambda s, n, who: s.tonight.add_game(who(n.community), n.community, "Otter Dash"),
    "TonightService.set_room_code": lambda s, n, who: s.tonight.set_room_code(who(n.community), n.community, "wxyz"),
    "TonightService.set_status": lambda s, n, who: s.tonight.set_status(who(n.community), n.community, "played"),
    "TonightService.set_player_count": lambda s, n, who: s.tonight.set_player_count(who(n.community), n.community, 4),
    "TonightService.close": lambda s, n, who: s.tonight.close(who(n.community), n.community, None),
}

# Reads that show what only a host may see: the whole catalogue as CSV, a night's chat log.
HOST_READS: dict[str, Call] = {
    "GameService.export_csv": lambda s, n, who: s.games.export_csv(who(n.community), n.community),
    "SessionService.export": lambda s, n, who: s.game_nights.export(who(n.community), n.community, n.running.id),
}


@pytest.mark.parametrize("name", [*WRITES, *HOST_READS])
async def test_a_member_is_refused_every_host_call_and_nothing_is_written(
    services: Services, settings: Settings, night: Night, name: str
) -> None:
    call = {**WRITES, **HOST_READS}[name]
    await refused_and_nothing_written(settings.storage.path, lambda who: call(services, night, who), night.elsewhere)


@pytest.mark.parametrize("name", list(WRITES))
async def test_a_host_changes_a_game_night(services: Services, settings: Settings, night: Night, name: str) -> None:
    await written_by_a_host(settings.storage.path, lambda who: WRITES[name](services, night, who))


@pytest.mark.parametrize("name", list(HOST_READS))
async def test_a_host_reads_what_only_hosts_may_see(services: Services, night: Night, name: str) -> None:
    assert await HOST_READS[name](services, night, host_of)


async def test_a_member_still_votes_in_chat(services: Services, night: Night, clock: FakeClock) -> None:
    outcome = await services.votes.chat_message(night.community, "viewer", "thisgame++", clock())
    assert outcome is ChatVoteOutcome.COUNTED
