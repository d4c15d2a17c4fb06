"""Chat import, exports and the per-session vote breakdown of the game-night sessions API."""

from datetime import timedelta
from typing import Any

import pytest

from tallybot.core.services import Services
from tallybot.settings import Settings
from tests.gamenight_helpers import SeededGames, call, drain, rows
from tests.helpers import Client, FakeClock

NOON = "2026-11-23T12:00:00.000Z"
HALF_PAST = "2026-11-23T12:30:00.000Z"
NOON_MS = 1795435200000


@pytest.fixture
async def night(client: Client, host: dict[str, str], games: SeededGames, clock: FakeClock) -> int:
    """A session playing Quiplash from 12:00 and Trivia from 12:30."""
    session = await call(client, "POST", "/api/sessions", host, {"notes": "Friday"}, status=201)
    await call(client, "POST", f"/api/sessions/{session['id']}/games", host, {"game_id": games.quiplash}, status=201)
    clock.advance(timedelta(minutes=30))
    payload = {"game_id": games.trivia, "manually_added": True}
    await call(client, "POST", f"/api/sessions/{session['id']}/games", host, payload, status=201)
    return int(session["id"])


def message(username: str, text: str, timestamp: str) -> dict[str, str]:
    return {"username": username, "message": text, "timestamp": timestamp}


CHAT = [
    message("viewer1", "thisgame++", "2026-11-23T12:10:00Z"),
    message("viewer2", "THISGAME-- boo", "2026-11-23T12:11:00Z"),
    message("viewer1", "thisgame++", "2026-11-23T12:10:00Z"),
    message("viewer1", "thisgame++", "2026-11-23T12:35:00Z"),
    message("viewer3", "hello chat", "2026-11-23T12:36:00Z"),
    message("early", "thisgame++", "2026-11-23T11:59:00Z"),
    message("viewer5", "thisgame++", "2026-11-23T12:40:00.000Z"),
    message("viewer5", "thisgame++ again", "2026-11-23T12:40:00.500Z"),
    {"username": "incomplete", "message": "thisgame++"},
]


async def test_a_chat_import_stores_new_messages_and_counts_their_votes_by_interval(
    client: Client, services: Services, host: dict[str, str], night: int, games: SeededGames, settings: Settings
) -> None:
    events = services.bus.subscribe()
    body = await call(client, "POST", f"/api/sessions/{night}/chat-import", host, {"chatData": CHAT})
    assert body == {
        "message": "Chat log imported and processed successfully",
        "messagesImported": 7,
        "duplicatesSkipped": 1,
        "votesProcessed": 4,
        "votesByGame": {
            str(games.quiplash): {"title": "Quiplash Test", "upvotes": 1, "downvotes": 1},
            str(games.trivia): {"title": "Trivia Test", "upvotes": 2, "downvotes": 0},
        },
        "debug": {
            "sessionGamesTimeline": [
                {"title": "Quiplash Test", "played_at": NOON, "played_at_ms": NOON_MS},
                {"title": "Trivia Test", "played_at": HALF_PAST, "played_at_ms": NOON_MS + 30 * 60_000},
            ],
            "voteMatches": [
                {
                    "username": "viewer1",
                    "vote": "thisgame++",
                    "timestamp": "2026-11-23T12:10:00Z",
                    "timestamp_ms": NOON_MS + 10 * 60_000,
                    "matched_game": "Quiplash Test",
                    "game_played_at": NOON,
                },
                {
                    "username": "viewer2",
                    "vote": "thisgame--",
                    "timestamp": "2026-11-23T12:11:00Z",
                    "timestamp_ms": NOON_MS + 11 * 60_000,
                    "matched_game": "Quiplash Test",
                    "game_played_at": NOON,
                },
                {
                    "username": "viewer1",
                    "vote": "thisgame++",
                    "timestamp": "2026-11-23T12:35:00Z",
                    "timestamp_ms": NOON_MS + 35 * 60_000,
                    "matched_game": "Trivia Test",
                    "game_played_at": HALF_PAST,
                },
                {
                    "username": "viewer5",
                    "vote": "thisgame++",
                    "timestamp": "2026-11-23T12:40:00.000Z",
                    "timestamp_ms": NOON_MS + 40 * 60_000,
                    "matched_game": "Trivia Test",
                    "game_played_at": HALF_PAST,
                },
            ],
        },
    }
    stats = await rows(settings.storage.path, "SELECT game_id, upvotes, downvotes FROM game_stats ORDER BY game_id")
    assert [(s["upvotes"], s["downvotes"]) for s in stats] == [(1, 1), (2, 0)]
    assert sorted(
        (e.type, e.data["game"]["id"], e.data["count"], e.data["sessionId"]) for e in await drain(events)
    ) == [
        ("vote.received", games.quiplash, 2, night),
        ("vote.received", games.trivia, 2, night),
    ]


async def test_importing_the_same_log_again_changes_nothing(
    client: Client, host: dict[str, str], night: int, settings: Settings
) -> None:
    await call(client, "POST", f"/api/sessions/{night}/chat-import", host, {"chatData": CHAT})
    body = await call(client, "POST", f"/api/sessions/{night}/chat-import", host, {"chatData": CHAT})
    assert (body["messagesImported"], body["duplicatesSkipped"], body["votesProcessed"], body["votesByGame"]) == (
        0,
        8,
        0,
        {},
    )
    assert len(await rows(settings.storage.path, "SELECT id FROM chat_logs")) == 7
    assert len(await rows(settings.storage.path, "SELECT id FROM live_votes")) == 4


async def test_a_chat_vote_already_counted_live_is_not_counted_again(
    client: Client, host: dict[str, str], night: int
) -> None:
    live = {"username": "viewer1", "vote": "up", "timestamp": "2026-11-23T12:10:00Z"}
    await call(client, "POST", "/api/votes/live", host, live)
    body = await call(client, "POST", f"/api/sessions/{night}/chat-import", host, {"chatData": CHAT[:1]})
    assert (body["messagesImported"], body["votesProcessed"]) == (1, 0)


@pytest.mark.parametrize("payload", [{}, {"chatData": {"username": "x"}}, {"chatData": "thisgame++"}])
async def test_chat_data_must_be_an_array(client: Client, host: dict[str, str], night: int, payload: Any) -> None:
    body = await call(client, "POST", f"/api/sessions/{night}/chat-import", host, payload, status=400)
    assert body == {"error": "chatData must be an array"}


async def test_a_chat_import_needs_games_to_match_against(client: Client, host: dict[str, str]) -> None:
    session = await call(client, "POST", "/api/sessions", host, {}, status=201)
    body = await call(
        client, "POST", f"/api/sessions/{session['id']}/chat-import", host, {"chatData": CHAT}, status=400
    )
    assert body == {"error": "No games played in this session to match votes against"}


async def test_the_json_export_holds_the_session_its_games_and_its_chat(
    client: Client, host: dict[str, str], night: int
) -> None:
    await call(client, "POST", f"/api/sessions/{night}/chat-import", host, {"chatData": CHAT[:2]})
    response = await client.get(f"/api/sessions/{night}/export?format=json", headers=host)
    assert response.status == 200
    assert response.content_type == "application/json"
    assert response.headers["Content-Disposition"] == f'attachment; filename="session-{night}.json"'
    assert await response.json() == {
        "session": {
            "id": night,
            "created_at": NOON,
            "closed_at": None,
            "is_active": True,
            "notes": "Friday",
            "games_played": 2,
        },
        "games": [
            {
                "title": "Quiplash Test",
                "pack": "Test Pack 7",
                "players": "3-8",
                "type": "Writing",
                "played_at": NOON,
                "manually_added": False,
                "status": "played",
            },
            {
                "title": "Trivia Test",
                "pack": "Test Pack 6",
                "players": "1-8",
                "type": "Trivia",
                "played_at": HALF_PAST,
                "manually_added": True,
                "status": "playing",
            },
        ],
        "chat_logs": [
            {
                "username": "viewer1",
                "message": "thisgame++",
                "timestamp": "2026-11-23T12:10:00.000Z",
                "vote": "thisgame++",
            },
            {
                "username": "viewer2",
                "message": "THISGAME-- boo",
                "timestamp": "2026-11-23T12:11:00.000Z",
                "vote": "thisgame--",
            },
        ],
    }


async def test_the_text_export_is_the_default_and_reads_as_a_report(
    client: Client, host: dict[str, str], night: int
) -> None:
    await call(client, "POST", f"/api/sessions/{night}/chat-import", host, {"chatData": CHAT[4:5]})
    response = await client.get(f"/api/sessions/{night}/export", headers=host)
    assert response.status == 200
    assert response.content_type == "text/plain"
    assert response.headers["Content-Disposition"] == f'attachment; filename="session-{night}.txt"'
    assert await response.text() == (
        f"GAME NIGHT SESSION {night}\n"
        f"{'=' * len(f'GAME NIGHT SESSION {night}')}\n"
        f"Created: {NOON}\n"
        "Status: active\n"
        "Notes: Friday\n"
        "Games played: 2\n"
        "\n"
        "GAMES\n"
        "=====\n"
        "1. Quiplash Test (Test Pack 7)\n"
        "   Players: 3-8 | Type: Writing | Status: played\n"
        f"   Played at: {NOON}\n"
        "2. Trivia Test (Test Pack 6)\n"
        "   Players: 1-8 | Type: Trivia | Status: playing | Manually added\n"
        f"   Played at: {HALF_PAST}\n"
        "\n"
        "CHAT LOG\n"
        "========\n"
        "[2026-11-23T12:36:00.000Z] viewer3: hello chat\n"
    )


async def test_an_unknown_export_format_is_400(client: Client, host: dict[str, str], night: int) -> None:
    body = await call(client, "GET", f"/api/sessions/{night}/export?format=xml", host, status=400)
    assert body == {"error": 'format must be "json" or "txt"'}


async def test_the_vote_breakdown_of_a_session_is_ordered_by_net_score(
    client: Client, host: dict[str, str], night: int, games: SeededGames
) -> None:
    assert await call(client, "GET", f"/api/sessions/{night}/votes", {}) == {"session_id": night, "votes": []}
    for username, vote, minute in [
        ("a", "up", 5),
        ("b", "down", 6),
        ("c", "down", 7),
        ("a", "up", 35),
        ("b", "up", 36),
    ]:
        live = {"username": username, "vote": vote, "timestamp": f"2026-11-23T12:{minute:02d}:00Z"}
        await call(client, "POST", "/api/votes/live", host, live)
    assert await call(client, "GET", f"/api/sessions/{night}/votes", {}) == {
        "session_id": night,
        "votes": [
            {
                "game_id": games.trivia,
                "title": "Trivia Test",
                "pack_name": "Test Pack 6",
                "upvotes": 2,
                "downvotes": 0,
                "net_score": 2,
                "total_votes": 2,
            },
            {
                "game_id": games.quiplash,
                "title": "Quiplash Test",
                "pack_name": "Test Pack 7",
                "upvotes": 1,
                "downvotes": 2,
                "net_score": -1,
                "total_votes": 3,
            },
        ],
    }
