"""The session-game routes of the sessions API: status, removal, room code and player count.

``sessionGameId`` in these paths is the session_games row id, not the game id.
"""

from datetime import timedelta
from typing import Any

import pytest

from tallybot.core.services import Services
from tallybot.settings import Settings
from tests.gamenight_helpers import SeededGames, call, drain, rows
from tests.helpers import Client, FakeClock

GAME_NOT_FOUND = {"error": "Session game not found"}


async def start(client: Client, host: dict[str, str]) -> int:
    return int((await call(client, "POST", "/api/sessions", host, {}, status=201))["id"])


async def add(client: Client, host: dict[str, str], session_id: int, game_id: int) -> dict[str, Any]:
    body: dict[str, Any] = await call(
        client, "POST", f"/api/sessions/{session_id}/games", host, {"game_id": game_id}, status=201
    )
    return body


async def test_setting_a_status_announces_it_and_playing_makes_the_other_playing_game_played(
    client: Client, services: Services, host: dict[str, str], games: SeededGames, clock: FakeClock
) -> None:
    session_id = await start(client, host)
    first = await add(client, host, session_id, games.quiplash)
    clock.advance(timedelta(minutes=1))
    second = await add(client, host, session_id, games.trivia)
    events = services.bus.subscribe()
    path = f"/api/sessions/{session_id}/games/{first['id']}/status"
    assert await call(client, "PATCH", path, host, {"status": "playing"}) == {
        "message": "Status updated successfully",
        "status": "playing",
    }
    listed = await call(client, "GET", f"/api/sessions/{session_id}/games", {})
    assert [(g["id"], g["status"]) for g in listed] == [(first["id"], "playing"), (second["id"], "played")]
    assert [(e.type, e.data) for e in await drain(events)] == [
        ("game.status", {"sessionId": session_id, "sessionGameId": first["id"], "status": "playing"})
    ]


@pytest.mark.parametrize("payload", [{}, {"status": "finished"}, {"status": 3}])
async def test_an_invalid_status_is_400(
    client: Client, host: dict[str, str], games: SeededGames, payload: dict[str, Any]
) -> None:
    session_id = await start(client, host)
    game = await add(client, host, session_id, games.quiplash)
    path = f"/api/sessions/{session_id}/games/{game['id']}/status"
    assert await call(client, "PATCH", path, host, payload, status=400) == {
        "error": "Invalid status. Must be playing, played, or skipped"
    }


async def test_session_game_routes_use_the_row_id_within_its_session(
    client: Client, host: dict[str, str], games: SeededGames
) -> None:
    session_id = await start(client, host)
    game = await add(client, host, session_id, games.trivia)
    assert game["id"] != games.trivia
    wrong = [
        f"/api/sessions/{session_id}/games/{games.trivia}",
        f"/api/sessions/{session_id + 1}/games/{game['id']}",
        f"/api/sessions/{session_id}/games/xyz",
    ]
    for base in wrong:
        assert await call(client, "PATCH", base + "/status", host, {"status": "played"}, status=404) == GAME_NOT_FOUND
        assert await call(client, "PATCH", base + "/room-code", host, {"room_code": "ABCD"}, status=404) == (
            GAME_NOT_FOUND
        )
        assert await call(client, "PATCH", base + "/player-count", host, {"player_count": 4}, status=404) == (
            GAME_NOT_FOUND
        )
        assert await call(client, "DELETE", base, host, status=404) == GAME_NOT_FOUND


async def test_removing_a_game_takes_it_out_of_the_session(
    client: Client, services: Services, host: dict[str, str], games: SeededGames
) -> None:
    session_id = await start(client, host)
    game = await add(client, host, session_id, games.quiplash)
    events = services.bus.subscribe()
    path = f"/api/sessions/{session_id}/games/{game['id']}"
    assert await call(client, "DELETE", path, host) == {"message": "Game removed from session successfully"}
    assert await call(client, "GET", f"/api/sessions/{session_id}/games", {}) == []
    assert await call(client, "DELETE", path, host, status=404) == GAME_NOT_FOUND
    assert [(e.type, e.data) for e in await drain(events)] == [
        ("game.removed", {"sessionId": session_id, "sessionGameId": game["id"], "gameId": games.quiplash})
    ]


async def test_setting_a_room_code_returns_the_game_and_announces_it(
    client: Client, services: Services, host: dict[str, str], games: SeededGames
) -> None:
    session_id = await start(client, host)
    game = await add(client, host, session_id, games.quiplash)
    events = services.bus.subscribe()
    path = f"/api/sessions/{session_id}/games/{game['id']}/room-code"
    body = await call(client, "PATCH", path, host, {"room_code": "XY9Z"})
    assert body == {
        **game,
        "room_code": "XY9Z",
        "player_count": None,
        "popularity_score": 0,
        "upvotes": 0,
        "downvotes": 0,
    }
    assert [(e.type, e.data) for e in await drain(events)] == [
        ("room-code.updated", {"sessionId": session_id, "sessionGameId": game["id"], "roomCode": "XY9Z"})
    ]


@pytest.mark.parametrize(
    ("payload", "error"),
    [
        ({}, "room_code is required"),
        ({"room_code": ""}, "room_code is required"),
        ({"room_code": "xy9z"}, "room_code must be exactly 4 alphanumeric characters (A-Z, 0-9)"),
        ({"room_code": "ABCDE"}, "room_code must be exactly 4 alphanumeric characters (A-Z, 0-9)"),
        ({"room_code": "AB-D"}, "room_code must be exactly 4 alphanumeric characters (A-Z, 0-9)"),
        ({"room_code": 1234}, "room_code must be exactly 4 alphanumeric characters (A-Z, 0-9)"),
    ],
)
async def test_a_room_code_must_be_four_capitals_or_digits(
    client: Client, host: dict[str, str], games: SeededGames, payload: dict[str, Any], error: str
) -> None:
    session_id = await start(client, host)
    game = await add(client, host, session_id, games.quiplash)
    path = f"/api/sessions/{session_id}/games/{game['id']}/room-code"
    assert await call(client, "PATCH", path, host, payload, status=400) == {"error": error}


async def test_setting_the_player_count_completes_the_check_and_announces_it(
    client: Client, services: Services, host: dict[str, str], games: SeededGames, settings: Settings
) -> None:
    session_id = await start(client, host)
    game = await add(client, host, session_id, games.quiplash)
    events = services.bus.subscribe()
    path = f"/api/sessions/{session_id}/games/{game['id']}/player-count"
    body = await call(client, "PATCH", path, host, {"player_count": 6})
    assert body == {"message": "Player count updated successfully", "player_count": 6}
    assert await call(client, "PATCH", path, host, {"player_count": "0"}) == {
        "message": "Player count updated successfully",
        "player_count": 0,
    }
    stored = await rows(settings.storage.path, "SELECT player_count, player_count_check_status FROM session_games")
    assert stored == [{"player_count": 0, "player_count_check_status": "completed"}]
    ids = {"sessionId": session_id, "sessionGameId": game["id"]}
    assert [(e.type, e.data) for e in await drain(events)] == [
        ("player-count.updated", {**ids, "playerCount": 6}),
        ("player-count.updated", {**ids, "playerCount": 0}),
    ]


@pytest.mark.parametrize(
    ("payload", "error"),
    [
        ({}, "player_count is required"),
        ({"player_count": None}, "player_count is required"),
        ({"player_count": -1}, "player_count must be a positive number"),
        ({"player_count": "six"}, "player_count must be a positive number"),
        ({"player_count": 2.5}, "player_count must be a positive number"),
        ({"player_count": True}, "player_count must be a positive number"),
    ],
)
async def test_an_invalid_player_count_is_400(
    client: Client, host: dict[str, str], games: SeededGames, payload: dict[str, Any], error: str
) -> None:
    session_id = await start(client, host)
    game = await add(client, host, session_id, games.quiplash)
    path = f"/api/sessions/{session_id}/games/{game['id']}/player-count"
    assert await call(client, "PATCH", path, host, payload, status=400) == {"error": error}
