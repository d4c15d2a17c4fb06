"""The game-night votes API: live votes and the paginated list of votes."""

from datetime import timedelta
from typing import Any

import pytest

from tallybot.core.services import Services
from tallybot.settings import Settings
from tests.gamenight_helpers import SeededGames, call, drain, rows
from tests.helpers import Client, FakeClock

NOON = "2026-11-23T12:00:00.000Z"
HALF_PAST = "2026-11-23T12:30:00.000Z"
DUPLICATE = {
    "error": "Duplicate vote detected (within 1 second of previous vote)",
    "message": "Please wait at least 1 second between votes",
}


async def start_session(client: Client, host: dict[str, str]) -> int:
    return int((await call(client, "POST", "/api/sessions", host, {}, status=201))["id"])


@pytest.fixture
async def night(client: Client, host: dict[str, str], games: SeededGames, clock: FakeClock) -> int:
    """An active session playing Quiplash from 12:00 and Trivia from 12:30."""
    session_id = await start_session(client, host)
    await call(client, "POST", f"/api/sessions/{session_id}/games", host, {"game_id": games.quiplash}, status=201)
    clock.advance(timedelta(minutes=30))
    await call(client, "POST", f"/api/sessions/{session_id}/games", host, {"game_id": games.trivia}, status=201)
    return session_id


async def vote(
    client: Client, host: dict[str, str], username: str, kind: str, timestamp: str, status: int = 200
) -> Any:
    payload = {"username": username, "vote": kind, "timestamp": timestamp}
    return await call(client, "POST", "/api/votes/live", host, payload, status=status)


async def test_a_live_vote_counts_for_the_game_playing_at_its_timestamp(
    client: Client, services: Services, host: dict[str, str], night: int, games: SeededGames, settings: Settings
) -> None:
    events = services.bus.subscribe()
    body = await vote(client, host, "viewer123", "up", "2026-11-23T12:20:00Z")
    game = {"id": games.quiplash, "title": "Quiplash Test", "upvotes": 1, "downvotes": 0, "popularity_score": 1}
    ballot = {"username": "viewer123", "type": "up", "timestamp": "2026-11-23T12:20:00Z"}
    assert body == {
        "success": True,
        "message": "Vote recorded successfully",
        "session": {"id": night, "games_played": 2},
        "game": game,
        "vote": ballot,
    }
    totals = {"upvotes": 1, "downvotes": 0, "popularity_score": 1}
    assert [(e.type, e.data) for e in await drain(events)] == [
        ("vote.received", {"sessionId": night, "game": game, "vote": ballot, "totals": totals})
    ]
    later = await vote(client, host, "viewer9", "down", "2026-11-23T13:45:00+01:00")
    assert later["game"] == {
        "id": games.trivia,
        "title": "Trivia Test",
        "upvotes": 0,
        "downvotes": 1,
        "popularity_score": -1,
    }
    stored = await rows(settings.storage.path, "SELECT game_id, username, vote_type, timestamp FROM live_votes")
    assert stored == [
        {
            "game_id": games.quiplash,
            "username": "viewer123",
            "vote_type": "up",
            "timestamp": "2026-11-23T12:20:00.000000+00:00",
        },
        {
            "game_id": games.trivia,
            "username": "viewer9",
            "vote_type": "down",
            "timestamp": "2026-11-23T12:45:00.000000+00:00",
        },
    ]


async def test_the_boundary_between_two_games_belongs_to_the_later_one(
    client: Client, host: dict[str, str], night: int, games: SeededGames
) -> None:
    before = await vote(client, host, "a", "up", "2026-11-23T12:29:59.999Z")
    at = await vote(client, host, "b", "up", "2026-11-23T12:30:00Z")
    assert (before["game"]["id"], at["game"]["id"]) == (games.quiplash, games.trivia)


@pytest.mark.parametrize(
    "payload",
    [
        {},
        {"vote": "up", "timestamp": "2026-11-23T12:20:00Z"},
        {"username": "viewer", "timestamp": "2026-11-23T12:20:00Z"},
        {"username": "viewer", "vote": "up"},
        {"username": "", "vote": "up", "timestamp": "2026-11-23T12:20:00Z"},
    ],
)
async def test_a_vote_without_username_vote_or_timestamp_is_400(
    client: Client, host: dict[str, str], night: int, payload: dict[str, Any]
) -> None:
    body = await call(client, "POST", "/api/votes/live", host, payload, status=400)
    assert body == {"error": "Missing required fields: username, vote, timestamp"}


async def test_a_vote_must_be_up_or_down(client: Client, host: dict[str, str], night: int) -> None:
    body = await vote(client, host, "viewer", "sideways", "2026-11-23T12:20:00Z", status=400)
    assert body == {"error": 'vote must be either "up" or "down"'}


@pytest.mark.parametrize("timestamp", ["yesterday", "2026-13-45T99:00:00Z", "12:20"])
async def test_a_vote_timestamp_must_be_iso_8601(
    client: Client, host: dict[str, str], night: int, timestamp: str
) -> None:
    body = await vote(client, host, "viewer", "up", timestamp, status=400)
    assert body == {"error": "Invalid timestamp format. Use ISO 8601 format (e.g., 2025-11-01T20:30:00Z)"}


async def test_a_vote_without_an_active_session_is_404(client: Client, host: dict[str, str]) -> None:
    body = await vote(client, host, "viewer", "up", "2026-11-23T12:20:00Z", status=404)
    assert body == {"error": "No active session found"}


async def test_a_vote_before_any_game_is_played_is_404(client: Client, host: dict[str, str]) -> None:
    await start_session(client, host)
    body = await vote(client, host, "viewer", "up", "2026-11-23T12:20:00Z", status=404)
    assert body == {"error": "No games have been played in the active session yet"}


async def test_a_vote_from_before_the_first_game_is_404_with_the_timeline(
    client: Client, host: dict[str, str], night: int
) -> None:
    body = await vote(client, host, "viewer", "up", "2026-11-23T11:59:59Z", status=404)
    assert body == {
        "error": "Vote timestamp does not match any game in the active session",
        "debug": {
            "voteTimestamp": "2026-11-23T11:59:59Z",
            "sessionGames": [
                {"title": "Quiplash Test", "played_at": NOON},
                {"title": "Trivia Test", "played_at": HALF_PAST},
            ],
        },
    }


async def test_the_same_username_within_one_second_is_409_and_not_counted(
    client: Client, host: dict[str, str], night: int, settings: Settings
) -> None:
    await vote(client, host, "viewer", "up", "2026-11-23T12:20:00Z")
    body = await vote(client, host, "viewer", "down", "2026-11-23T12:20:00.500Z", status=409)
    assert body == {**DUPLICATE, "timeSinceLastVote": 0.5}
    earlier = await vote(client, host, "viewer", "down", "2026-11-23T12:19:59.750Z", status=409)
    assert earlier == {**DUPLICATE, "timeSinceLastVote": 0.25}
    other = await vote(client, host, "someone-else", "up", "2026-11-23T12:20:00.500Z")
    assert other["game"]["upvotes"] == 2
    a_second_later = await vote(client, host, "viewer", "up", "2026-11-23T12:20:01Z")
    assert (a_second_later["game"]["upvotes"], a_second_later["game"]["downvotes"]) == (3, 0)
    stats = await rows(settings.storage.path, "SELECT upvotes, downvotes FROM game_stats WHERE upvotes > 0")
    assert stats == [{"upvotes": 3, "downvotes": 0}]


@pytest.mark.parametrize(
    "spelling", ["Alice", "alice ", " ALICE", "\uff41\uff4c\uff49\uff43\uff45", "ali\u200bce", "alice\u00ad"]
)
async def test_one_voter_spelled_another_way_within_one_second_is_still_a_repeat(
    client: Client, host: dict[str, str], night: int, spelling: str
) -> None:
    await vote(client, host, "alice", "up", "2026-11-23T12:20:00Z")
    body = await vote(client, host, spelling, "up", "2026-11-23T12:20:00.400Z", status=409)
    assert body == {**DUPLICATE, "timeSinceLastVote": 0.4}


async def test_a_voter_is_shown_as_typed_though_compared_normalised(
    client: Client, host: dict[str, str], night: int
) -> None:
    recorded = await vote(client, host, " Ｂob ", "up", "2026-11-23T12:20:00Z")
    assert recorded["vote"]["username"] == " Ｂob "
    listed = await call(client, "GET", "/api/votes?limit=1", host)
    assert [item["username"] for item in listed["votes"]] == [" Ｂob "]
    assert (await vote(client, host, "bob", "up", "2026-11-23T12:20:01Z"))["game"]["upvotes"] == 2


@pytest.mark.parametrize(
    ("username", "error"),
    [
        ("x" * 101, "username must be at most 100 characters"),
        ("\u200b\u200d", "username must hold a visible character"),
        ("a\u0000b", "Invalid parameters: username must be valid Unicode text without NUL characters"),
    ],
)
async def test_a_voter_name_that_is_too_long_invisible_or_holds_nul_is_refused(
    client: Client, host: dict[str, str], night: int, settings: Settings, username: str, error: str
) -> None:
    body = await vote(client, host, username, "up", "2026-11-23T12:20:00Z", status=400)
    assert body == {"error": error}
    assert await rows(settings.storage.path, "SELECT id FROM live_votes") == []


@pytest.mark.parametrize(
    ("headers", "status", "error"),
    [
        ({}, 401, "Access token required"),
        ({"Authorization": "Bearer nope"}, 403, "Invalid or expired token"),
    ],
)
async def test_a_live_vote_needs_a_token(
    client: Client, night: int, headers: dict[str, str], status: int, error: str
) -> None:
    body = await vote(client, headers, "viewer", "up", "2026-11-23T12:20:00Z", status=status)
    assert body == {"error": error}


async def test_the_vote_list_filters_and_pages(
    client: Client, host: dict[str, str], night: int, games: SeededGames
) -> None:
    for n in range(5):
        await vote(client, host, f"viewer{n}", "up" if n % 2 == 0 else "down", f"2026-11-23T12:0{n}:00Z")
    await vote(client, host, "viewer0", "down", "2026-11-23T12:40:00Z")
    everything = await call(client, "GET", "/api/votes", {})
    assert everything["pagination"] == {"page": 1, "limit": 50, "total": 6, "totalPages": 1}
    newest = everything["votes"][0]
    assert newest == {
        "id": newest["id"],
        "session_id": night,
        "session_game_id": newest["session_game_id"],
        "game_id": games.trivia,
        "title": "Trivia Test",
        "pack_name": "Test Pack 6",
        "username": "viewer0",
        "vote_type": "down",
        "timestamp": "2026-11-23T12:40:00.000Z",
    }
    page = await call(client, "GET", "/api/votes?limit=2&page=2", {})
    assert [v["username"] for v in page["votes"]] == ["viewer3", "viewer2"]
    assert page["pagination"] == {"page": 2, "limit": 2, "total": 6, "totalPages": 3}
    ups = await call(client, "GET", f"/api/votes?vote_type=up&game_id={games.quiplash}&session_id={night}", {})
    assert [v["username"] for v in ups["votes"]] == ["viewer4", "viewer2", "viewer0"]
    mine = await call(client, "GET", "/api/votes?username=viewer0", {})
    assert [v["timestamp"] for v in mine["votes"]] == ["2026-11-23T12:40:00.000Z", "2026-11-23T12:00:00.000Z"]
    none = await call(client, "GET", f"/api/votes?session_id={night + 1}", {})
    assert none == {"votes": [], "pagination": {"page": 1, "limit": 50, "total": 0, "totalPages": 0}}


@pytest.mark.parametrize(
    ("query", "error"),
    [
        ("vote_type=sideways", 'vote_type must be either "up" or "down"'),
        ("limit=101", "limit must be between 1 and 100"),
        ("page=0", "Invalid parameters: page must be at least 1"),
        ("session_id=abc", "Invalid parameters: session_id must be a whole number"),
    ],
)
async def test_a_bad_vote_list_query_is_400(client: Client, query: str, error: str) -> None:
    assert await call(client, "GET", f"/api/votes?{query}", {}, status=400) == {"error": error}
