"""The game-night sessions API, route by route: bodies, errors and side effects."""

from datetime import timedelta
from typing import Any

import pytest

from tallybot.core.models import Platform, Role
from tallybot.core.services import Services
from tallybot.settings import Settings
from tests.gamenight_helpers import SeededGames, call, drain, host_headers, rows
from tests.helpers import Client, FakeClock

NOON = "2026-11-23T12:00:00.000Z"
NOT_FOUND = {"error": "Session not found"}


async def start(client: Client, host: dict[str, str], notes: str | None = "Friday game night") -> int:
    body = await call(client, "POST", "/api/sessions", host, {"notes": notes}, status=201)
    return int(body["id"])


async def add(client: Client, host: dict[str, str], session_id: int, game_id: int, **extra: Any) -> dict[str, Any]:
    body: dict[str, Any] = await call(
        client, "POST", f"/api/sessions/{session_id}/games", host, {"game_id": game_id, **extra}, status=201
    )
    return body


async def test_without_sessions_the_list_is_empty_and_none_is_active(client: Client) -> None:
    assert await call(client, "GET", "/api/sessions", {}) == []
    assert await call(client, "GET", "/api/sessions/active", {}) == {"session": None, "message": "No active session"}


async def test_creating_a_session_returns_it_and_announces_session_started(
    client: Client, services: Services, host: dict[str, str]
) -> None:
    events = services.bus.subscribe()
    body = await call(client, "POST", "/api/sessions", host, {"notes": "Friday game night"}, status=201)
    session = {"id": body["id"], "notes": "Friday game night", "is_active": 1, "created_at": NOON, "closed_at": None}
    assert body == session
    assert [(e.type, e.data) for e in await drain(events)] == [
        ("session.started", {"sessionId": body["id"], "session": {**session, "games_played": 0}})
    ]


async def test_a_session_without_a_body_has_no_notes(client: Client, host: dict[str, str]) -> None:
    response = await client.post("/api/sessions", headers=host)
    assert response.status == 201
    assert (await response.json())["notes"] is None


async def test_a_second_active_session_is_refused_with_the_active_ones_id(client: Client, host: dict[str, str]) -> None:
    first = await start(client, host)
    body = await call(client, "POST", "/api/sessions", host, {}, status=400)
    assert body == {
        "error": "An active session already exists. Please close it before creating a new one.",
        "activeSessionId": first,
    }


async def test_the_active_session_and_the_list_show_games_played(
    client: Client, host: dict[str, str], games: SeededGames, clock: FakeClock
) -> None:
    old = await start(client, host, "Last week")
    await add(client, host, old, games.quiplash)
    await call(client, "POST", f"/api/sessions/{old}/close", host)
    clock.advance(timedelta(days=7))
    new = await start(client, host)
    await add(client, host, new, games.trivia)
    await add(client, host, new, games.drawful)
    later = "2026-11-30T12:00:00.000Z"
    active = {"id": new, "notes": "Friday game night", "is_active": 1, "created_at": later, "closed_at": None}
    assert await call(client, "GET", "/api/sessions/active", {}) == {**active, "games_played": 2}
    assert await call(client, "GET", f"/api/sessions/{new}", {}) == {**active, "games_played": 2}
    closed = {"id": old, "notes": "Last week", "is_active": 0, "created_at": NOON, "closed_at": NOON}
    assert await call(client, "GET", "/api/sessions", {}) == [
        {**active, "games_played": 2},
        {**closed, "games_played": 1},
    ]


@pytest.mark.parametrize(
    ("method", "path"),
    [
        ("GET", "/api/sessions/999"),
        ("GET", "/api/sessions/abc"),
        ("GET", "/api/sessions/999/games"),
        ("GET", "/api/sessions/999/votes"),
        ("POST", "/api/sessions/999/close"),
        ("DELETE", "/api/sessions/999"),
        ("POST", "/api/sessions/999/chat-import"),
        ("GET", "/api/sessions/999/export"),
    ],
)
async def test_an_unknown_session_is_404(client: Client, host: dict[str, str], method: str, path: str) -> None:
    payload: dict[str, Any] | None = {"chatData": []} if path.endswith("chat-import") else None
    assert await call(client, method, path, host, payload, status=404) == NOT_FOUND


WRITE_ROUTES = [
    ("POST", "/api/sessions"),
    ("POST", "/api/sessions/1/close"),
    ("DELETE", "/api/sessions/1"),
    ("POST", "/api/sessions/1/games"),
    ("POST", "/api/sessions/1/chat-import"),
    ("GET", "/api/sessions/1/export"),
    ("PATCH", "/api/sessions/1/games/1/status"),
    ("DELETE", "/api/sessions/1/games/1"),
    ("PATCH", "/api/sessions/1/games/1/room-code"),
    ("PATCH", "/api/sessions/1/games/1/player-count"),
]


@pytest.mark.parametrize(("method", "path"), WRITE_ROUTES)
async def test_write_routes_need_a_valid_host_token(client: Client, services: Services, method: str, path: str) -> None:
    assert await call(client, method, path, {}, status=401) == {"error": "Access token required"}
    bad = {"Authorization": "Bearer not-a-token"}
    assert await call(client, method, path, bad, status=403) == {"error": "Invalid or expired token"}
    member = await services.accounts.create_api_token(services.default_community, Role.MEMBER, "overlay")
    headers = {"Authorization": f"Bearer {member.secret}"}
    assert await call(client, method, path, headers, status=403) == {
        "error": "This needs a host token for this community"
    }


async def test_closing_sets_playing_games_to_played_updates_notes_and_announces_session_ended(
    client: Client, services: Services, host: dict[str, str], games: SeededGames, clock: FakeClock
) -> None:
    session_id = await start(client, host)
    first = await add(client, host, session_id, games.quiplash)
    clock.advance(timedelta(minutes=20))
    second = await add(client, host, session_id, games.trivia)
    clock.advance(timedelta(hours=3))
    events = services.bus.subscribe()
    body = await call(client, "POST", f"/api/sessions/{session_id}/close", host, {"notes": "Great session!"})
    closed = {
        "id": session_id,
        "notes": "Great session!",
        "is_active": 0,
        "created_at": NOON,
        "closed_at": "2026-11-23T15:20:00.000Z",
        "games_played": 2,
    }
    assert body == closed
    listed = await call(client, "GET", f"/api/sessions/{session_id}/games", {})
    assert [(g["id"], g["status"]) for g in listed] == [(first["id"], "played"), (second["id"], "played")]
    assert [(e.type, e.data) for e in await drain(events)] == [
        ("session.ended", {"sessionId": session_id, "session": closed})
    ]
    assert await call(client, "GET", "/api/sessions/active", {}) == {"session": None, "message": "No active session"}


async def test_closing_without_notes_keeps_them_and_closing_twice_is_400(client: Client, host: dict[str, str]) -> None:
    session_id = await start(client, host)
    body = await call(client, "POST", f"/api/sessions/{session_id}/close", host)
    assert body["notes"] == "Friday game night"
    again = await call(client, "POST", f"/api/sessions/{session_id}/close", host, status=400)
    assert again == {"error": "Session is already closed"}


async def test_an_active_session_cannot_be_deleted(client: Client, host: dict[str, str]) -> None:
    session_id = await start(client, host)
    body = await call(client, "DELETE", f"/api/sessions/{session_id}", host, status=400)
    assert body == {"error": "Cannot delete an active session. Please close it first."}
    assert (await call(client, "GET", f"/api/sessions/{session_id}", {}))["is_active"] == 1


async def test_deleting_a_closed_session_removes_its_games_votes_and_chat_logs(
    client: Client, host: dict[str, str], games: SeededGames, settings: Settings
) -> None:
    session_id = await start(client, host)
    await add(client, host, session_id, games.quiplash)
    vote = {"username": "viewer1", "vote": "up", "timestamp": "2026-11-23T12:05:00Z"}
    await call(client, "POST", "/api/votes/live", host, vote)
    chat = {"chatData": [{"username": "viewer2", "message": "hello", "timestamp": "2026-11-23T12:06:00Z"}]}
    await call(client, "POST", f"/api/sessions/{session_id}/chat-import", host, chat)
    await call(client, "POST", f"/api/sessions/{session_id}/close", host)
    body = await call(client, "DELETE", f"/api/sessions/{session_id}", host)
    assert body == {"message": "Session deleted successfully", "sessionId": session_id}
    assert await call(client, "GET", f"/api/sessions/{session_id}", {}, status=404) == NOT_FOUND
    for table in ("session_games", "live_votes", "chat_logs"):
        assert await rows(settings.storage.path, f"SELECT * FROM {table} WHERE session_id = ?", session_id) == []  # noqa: S608


async def test_adding_a_game_returns_it_counts_a_play_and_announces_game_added(
    client: Client, services: Services, host: dict[str, str], games: SeededGames, settings: Settings
) -> None:
    session_id = await start(client, host)
    events = services.bus.subscribe()
    body = await add(client, host, session_id, games.quiplash, manually_added=True, room_code="ABCD")
    added = {
        "id": body["id"],
        "session_id": session_id,
        "game_id": games.quiplash,
        "manually_added": 1,
        "status": "playing",
        "room_code": "ABCD",
        "played_at": NOON,
        "pack_name": "Test Pack 7",
        "title": "Quiplash Test",
        "game_type": "Writing",
        "min_players": 3,
        "max_players": 8,
    }
    assert body == added
    session = {"id": session_id, "notes": "Friday game night", "is_active": 1, "created_at": NOON, "closed_at": None}
    # The room code also starts the room monitor, whose own events tests/api/gamenight/test_room_monitor.py checks.
    assert [(e.type, e.data) for e in await drain(events) if e.type == "game.added"] == [
        ("game.added", {"sessionId": session_id, "session": {**session, "games_played": 1}, "game": added})
    ]
    await add(client, host, session_id, games.quiplash)
    stats = await rows(settings.storage.path, "SELECT play_count FROM game_stats WHERE game_id = ?", games.quiplash)
    assert stats == [{"play_count": 2}]


async def test_adding_a_game_makes_the_playing_one_played_and_leaves_skipped_ones_skipped(
    client: Client, host: dict[str, str], games: SeededGames, clock: FakeClock
) -> None:
    session_id = await start(client, host)
    first = await add(client, host, session_id, games.quiplash)
    clock.advance(timedelta(minutes=1))
    second = await add(client, host, session_id, games.trivia)
    await call(client, "PATCH", f"/api/sessions/{session_id}/games/{second['id']}/status", host, {"status": "skipped"})
    clock.advance(timedelta(minutes=1))
    third = await add(client, host, session_id, games.drawful)
    assert (first["manually_added"], third["status"]) == (0, "playing")
    listed = await call(client, "GET", f"/api/sessions/{session_id}/games", {})
    assert [g["status"] for g in listed] == ["played", "skipped", "playing"]


@pytest.mark.parametrize(
    ("payload", "status", "error"),
    [
        ({}, 400, "game_id is required"),
        ({"game_id": None}, 400, "game_id is required"),
        ({"game_id": "many"}, 400, "game_id must be a whole number"),
        ({"game_id": 999_999}, 404, "Game not found"),
        ({"game_id": 0}, 400, "game_id is required"),
    ],
)
async def test_adding_a_game_checks_the_game(
    client: Client, host: dict[str, str], payload: dict[str, Any], status: int, error: str
) -> None:
    session_id = await start(client, host)
    body = await call(client, "POST", f"/api/sessions/{session_id}/games", host, payload, status=status)
    assert body == {"error": error}


async def test_adding_a_game_with_a_bad_room_code_is_400(
    client: Client, host: dict[str, str], games: SeededGames
) -> None:
    session_id = await start(client, host)
    payload = {"game_id": games.quiplash, "room_code": "abcd"}
    body = await call(client, "POST", f"/api/sessions/{session_id}/games", host, payload, status=400)
    assert body == {"error": "room_code must be exactly 4 alphanumeric characters (A-Z, 0-9)"}


async def test_games_cannot_be_added_to_a_closed_or_unknown_session(
    client: Client, host: dict[str, str], games: SeededGames
) -> None:
    session_id = await start(client, host)
    await call(client, "POST", f"/api/sessions/{session_id}/close", host)
    payload = {"game_id": games.quiplash}
    closed = await call(client, "POST", f"/api/sessions/{session_id}/games", host, payload, status=400)
    assert closed == {"error": "Cannot add games to a closed session"}
    assert await call(client, "POST", "/api/sessions/999/games", host, payload, status=404) == NOT_FOUND


async def test_the_games_of_a_session_come_with_player_counts_and_votes(
    client: Client, host: dict[str, str], games: SeededGames, clock: FakeClock
) -> None:
    session_id = await start(client, host)
    first = await add(client, host, session_id, games.quiplash, room_code="ABCD")
    await call(
        client, "PATCH", f"/api/sessions/{session_id}/games/{first['id']}/player-count", host, {"player_count": 6}
    )
    for n in range(3):
        vote = {"username": f"viewer{n}", "vote": "up" if n else "down", "timestamp": "2026-11-23T12:05:00Z"}
        await call(client, "POST", "/api/votes/live", host, vote)
    clock.advance(timedelta(minutes=45))
    second = await add(client, host, session_id, games.trivia)
    assert await call(client, "GET", f"/api/sessions/{session_id}/games", {}) == [
        {**first, "status": "played", "player_count": 6, "popularity_score": 1, "upvotes": 2, "downvotes": 1},
        {**second, "player_count": None, "popularity_score": 0, "upvotes": 0, "downvotes": 0},
    ]


async def test_a_session_of_another_community_is_not_found_here(
    client: Client, services: Services, host: dict[str, str]
) -> None:
    other = await services.communities.ensure(Platform.DISCORD, "4242", "Other Server")
    other_host = await host_headers(services, other)
    theirs = await call(client, "POST", f"/c/{other.slug}/api/sessions", other_host, {}, status=201)
    assert await call(client, "GET", f"/api/sessions/{theirs['id']}", {}, status=404) == NOT_FOUND
    assert await call(client, "GET", "/api/sessions", {}) == []
    mine = await start(client, host)
    assert mine != theirs["id"]
    listed = await call(client, "GET", f"/c/{other.slug}/api/sessions", {})
    assert [s["id"] for s in listed] == [theirs["id"]]
    assert await call(client, "POST", f"/c/{other.slug}/api/sessions", host, {}, status=403) == {
        "error": "This needs a host token for this community"
    }


@pytest.mark.parametrize("written", ["%D9%A1", "%EF%BC%91", "%C2%B9", "1%00"])
async def test_a_session_id_in_other_digits_closes_nothing(client: Client, host: dict[str, str], written: str) -> None:
    session = await call(client, "POST", "/api/sessions", host, {}, status=201)
    assert session["id"] == 1
    response = await client.post(f"/api/sessions/{written}/close", headers=host)
    assert response.status in (400, 404)
    assert list(await response.json()) == ["error"]
    assert (await call(client, "GET", "/api/sessions/1", host))["is_active"] == 1
