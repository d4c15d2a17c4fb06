"""The room monitor: start/stop-player-check, and watches started by adding a game with a room code.

A fake ecast on loopback plays the Jackbox side; events are read from the bus.
"""

import asyncio
from collections.abc import AsyncIterator
from dataclasses import replace
from typing import Any

import pytest

from tallybot.core.models import Event
from tallybot.core.ports import EventSubscription
from tallybot.core.services import Services
from tallybot.settings import Settings
from tests.fakes.fake_ecast import FakeEcast
from tests.gamenight_helpers import SeededGames, call, rows
from tests.helpers import Client

STARTED = {"message": "Room monitor started", "status": "monitoring"}
STOPPED = {"message": "Room monitor and player count check stopped", "status": "stopped"}


@pytest.fixture
async def ecast() -> AsyncIterator[FakeEcast]:
    async with FakeEcast().running() as fake:
        yield fake


@pytest.fixture
def settings(settings: Settings, ecast: FakeEcast) -> Settings:
    return replace(settings, gamenight=replace(settings.gamenight, ecast_base_url=ecast.url, ecast_socket_scheme="ws"))


@pytest.fixture
async def events(services: Services) -> AsyncIterator[EventSubscription]:
    subscription = services.bus.subscribe()
    yield subscription
    subscription.close()


async def add_game(client: Client, host: dict[str, str], game_id: int, room_code: str | None = None) -> tuple[int, int]:
    """Start a session and add a game to it: (session id, session game id)."""
    session_id = (await call(client, "POST", "/api/sessions", host, {}, status=201))["id"]
    payload = {"game_id": game_id} if room_code is None else {"game_id": game_id, "room_code": room_code}
    added = await call(client, "POST", f"/api/sessions/{session_id}/games", host, payload, status=201)
    return session_id, added["id"]


async def next_events(subscription: EventSubscription, *types: str) -> list[tuple[str, dict[str, Any]]]:
    """The next events of these types, in order (other events are skipped)."""
    found: list[tuple[str, dict[str, Any]]] = []
    iterator = aiter(subscription)
    async with asyncio.timeout(5):
        while len(found) < len(types):
            event: Event = await anext(iterator)
            if event.type in ("game.status", "player-count.updated"):
                found.append((event.type, dict(event.data)))
    assert [kind for kind, _ in found] == list(types)
    return found


def check(ids: tuple[int, int], status: str, count: int | None, room: str = "ABCD") -> tuple[str, dict[str, Any]]:
    data = {"sessionId": ids[0], "sessionGameId": ids[1], "roomCode": room, "playerCountCheckStatus": status}
    return ("game.status", {**data, "playerCount": count})


def counted(ids: tuple[int, int], count: int) -> tuple[str, dict[str, Any]]:
    return ("player-count.updated", {"sessionId": ids[0], "sessionGameId": ids[1], "playerCount": count})


async def stored(settings: Settings, session_game_id: int) -> dict[str, Any]:
    query = "SELECT player_count, player_count_check_status FROM session_games WHERE id = ?"
    return (await rows(settings.storage.path, query, session_game_id))[0]


async def test_starting_a_check_counts_the_players_and_follows_them_as_they_join_and_leave(
    client: Client,
    services: Services,
    host: dict[str, str],
    games: SeededGames,
    ecast: FakeEcast,
    settings: Settings,
    events: EventSubscription,
) -> None:
    ids = await add_game(client, host, games.quiplash)
    await call(client, "PATCH", f"/api/sessions/{ids[0]}/games/{ids[1]}/room-code", host, {"room_code": "ABCD"})
    ecast.open_room("ABCD", players=("ANA", "BO"))
    path = f"/api/sessions/{ids[0]}/games/{ids[1]}/start-player-check"
    assert await call(client, "POST", path, host) == STARTED
    assert await next_events(events, "game.status", "player-count.updated") == [
        check(ids, "monitoring", None),
        counted(ids, 2),
    ]
    assert await stored(settings, ids[1]) == {"player_count": 2, "player_count_check_status": "monitoring"}
    carla = await ecast.join("ABCD", "CARLA")
    assert await next_events(events, "player-count.updated") == [counted(ids, 3)]
    await ecast.leave("ABCD", carla)
    assert await next_events(events, "player-count.updated") == [counted(ids, 2)]
    assert services.room_monitor.is_watching(ids[1])
    assert ecast.lookups[-1]["code"] == "ABCD"


async def test_adding_a_game_with_a_room_code_starts_the_monitor(
    client: Client, host: dict[str, str], games: SeededGames, ecast: FakeEcast, events: EventSubscription
) -> None:
    ecast.open_room("WXYZ", players=("ANA", "BO", "CY"))
    ids = await add_game(client, host, games.trivia, room_code="WXYZ")
    assert await next_events(events, "game.status", "player-count.updated") == [
        check(ids, "monitoring", None, room="WXYZ"),
        counted(ids, 3),
    ]
    await ecast.wait_for_sockets(1)


async def test_the_check_completes_when_the_room_closes(
    client: Client,
    services: Services,
    host: dict[str, str],
    games: SeededGames,
    ecast: FakeEcast,
    settings: Settings,
    events: EventSubscription,
) -> None:
    ecast.open_room("ABCD", players=("ANA",))
    ids = await add_game(client, host, games.quiplash, room_code="ABCD")
    await next_events(events, "game.status", "player-count.updated")
    await ecast.close_room("ABCD")
    assert await next_events(events, "game.status") == [check(ids, "completed", 1)]
    assert await stored(settings, ids[1]) == {"player_count": 1, "player_count_check_status": "completed"}
    await ecast.wait_for_sockets(0)
    assert not services.room_monitor.is_watching(ids[1])


async def test_the_check_fails_when_ecast_does_not_know_the_room(
    client: Client, host: dict[str, str], games: SeededGames, settings: Settings, events: EventSubscription
) -> None:
    ids = await add_game(client, host, games.quiplash, room_code="NOPE")
    assert await next_events(events, "game.status", "game.status") == [
        check(ids, "monitoring", None, room="NOPE"),
        check(ids, "failed", None, room="NOPE"),
    ]
    assert await stored(settings, ids[1]) == {"player_count": None, "player_count_check_status": "failed"}


async def test_stopping_the_check_closes_the_socket_and_marks_it_stopped(
    client: Client,
    services: Services,
    host: dict[str, str],
    games: SeededGames,
    ecast: FakeEcast,
    settings: Settings,
    events: EventSubscription,
) -> None:
    ecast.open_room("ABCD", players=("ANA", "BO"))
    ids = await add_game(client, host, games.quiplash, room_code="ABCD")
    await next_events(events, "game.status", "player-count.updated")
    await ecast.wait_for_sockets(1)
    path = f"/api/sessions/{ids[0]}/games/{ids[1]}/stop-player-check"
    assert await call(client, "POST", path, host) == STOPPED
    assert await next_events(events, "game.status") == [check(ids, "stopped", 2)]
    assert await stored(settings, ids[1]) == {"player_count": 2, "player_count_check_status": "stopped"}
    assert not services.room_monitor.is_watching(ids[1])
    await ecast.wait_for_sockets(0)


async def test_removing_the_game_stops_its_monitor(
    client: Client,
    services: Services,
    host: dict[str, str],
    games: SeededGames,
    ecast: FakeEcast,
    events: EventSubscription,
) -> None:
    ecast.open_room("ABCD", players=("ANA",))
    ids = await add_game(client, host, games.quiplash, room_code="ABCD")
    await next_events(events, "game.status", "player-count.updated")
    await ecast.wait_for_sockets(1)
    await call(client, "DELETE", f"/api/sessions/{ids[0]}/games/{ids[1]}", host)
    await ecast.wait_for_sockets(0)
    assert not services.room_monitor.is_watching(ids[1])


async def test_closing_the_monitor_ends_every_watch_and_its_socket(
    client: Client,
    services: Services,
    host: dict[str, str],
    games: SeededGames,
    ecast: FakeEcast,
    events: EventSubscription,
) -> None:
    ecast.open_room("ABCD", players=("ANA",))
    ecast.open_room("WXYZ", players=("BO",))
    first = await add_game(client, host, games.quiplash, room_code="ABCD")
    await call(client, "POST", f"/api/sessions/{first[0]}/close", host)
    second = await add_game(client, host, games.trivia, room_code="WXYZ")
    await ecast.wait_for_sockets(2)
    await services.room_monitor.close()
    await ecast.wait_for_sockets(0)
    assert not services.room_monitor.is_watching(first[1])
    assert not services.room_monitor.is_watching(second[1])


async def test_a_game_without_a_room_code_cannot_be_checked(
    client: Client, host: dict[str, str], games: SeededGames
) -> None:
    ids = await add_game(client, host, games.quiplash)
    path = f"/api/sessions/{ids[0]}/games/{ids[1]}/start-player-check"
    assert await call(client, "POST", path, host, status=400) == {"error": "Game does not have a room code"}


@pytest.mark.parametrize("action", ["start-player-check", "stop-player-check"])
async def test_checking_an_unknown_session_game_is_404_needs_a_token_and_leaves_the_watch_alone(
    client: Client, services: Services, host: dict[str, str], games: SeededGames, ecast: FakeEcast, action: str
) -> None:
    ecast.open_room("ABCD", players=("ANA",))
    ids = await add_game(client, host, games.quiplash, room_code="ABCD")
    await ecast.wait_for_sockets(1)
    for path in (f"/api/sessions/{ids[0]}/games/999/{action}", f"/api/sessions/999/games/{ids[1]}/{action}"):
        assert await call(client, "POST", path, host, status=404) == {"error": "Session game not found"}
    path = f"/api/sessions/{ids[0]}/games/{ids[1]}/{action}"
    assert await call(client, "POST", path, {}, status=401) == {"error": "Access token required"}
    assert services.room_monitor.is_watching(ids[1])
    assert ecast.open_sockets == 1
