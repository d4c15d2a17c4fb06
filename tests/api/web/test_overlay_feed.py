"""What overlays read: the game night and poker states, and the poker and coffee event streams."""

import json
from collections.abc import AsyncIterator
from typing import Any

import pytest

from tallybot.core.models import Role
from tallybot.core.services import Services
from tests.gamenight_helpers import SeededGames, call
from tests.helpers import Client
from tests.webhook_helpers import Publish, outbox_writer

NOON = "2026-11-23T12:00:00.000Z"
DECK = ["sun", "moon", "comet"]
NEEDS_VIEWER = {
    "error": "This community's overlays need a viewer token: add ?token=... to the URL "
    "(make one with: tallybot token create --role viewer)"
}


@pytest.fixture
async def viewer(services: Services) -> str:
    return (await services.accounts.create_api_token(services.default_community, Role.VIEWER, "obs")).secret


@pytest.fixture
async def publish(settings: Any, services: Services) -> AsyncIterator[Publish]:
    async with outbox_writer(settings.storage.path, services) as append:
        yield append


def bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


async def state(client: Client, path: str, viewer: str) -> Any:
    return await call(client, "GET", f"{path}?token={viewer}", {})


async def test_the_game_night_state_is_the_active_session_and_its_game_with_votes(
    client: Client, host: dict[str, str], games: SeededGames, viewer: str
) -> None:
    session = await call(client, "POST", "/api/sessions", host, {"notes": "Friday"}, 201)
    assert await state(client, "/api/overlay/gamenight", viewer) == {
        "session": {**session, "games_played": 0},
        "game": None,
    }
    path = f"/api/sessions/{session['id']}/games"
    game = await call(client, "POST", path, host, {"game_id": games.trivia}, 201)
    await call(client, "PATCH", f"{path}/{game['id']}/room-code", host, {"room_code": "TRIV"})
    await call(client, "PATCH", f"{path}/{game['id']}/player-count", host, {"player_count": 7})
    vote = {"username": "ann", "vote": "down", "timestamp": "2026-11-23T12:00:05Z"}
    await call(client, "POST", "/api/votes/live", host, vote)
    assert await state(client, "/api/overlay/gamenight", viewer) == {
        "session": {**session, "games_played": 1},
        "game": {
            **game,
            "room_code": "TRIV",
            "player_count": 7,
            "popularity_score": -1,
            "upvotes": 0,
            "downvotes": 1,
        },
    }


async def test_the_game_on_screen_is_the_one_playing_rather_than_the_last_added(
    client: Client, host: dict[str, str], games: SeededGames, viewer: str
) -> None:
    session = await call(client, "POST", "/api/sessions", host, {}, 201)
    path = f"/api/sessions/{session['id']}/games"
    first = await call(client, "POST", path, host, {"game_id": games.trivia}, 201)
    second = await call(client, "POST", path, host, {"game_id": games.drawful}, 201)
    await call(client, "PATCH", f"{path}/{second['id']}/status", host, {"status": "skipped"})
    await call(client, "PATCH", f"{path}/{first['id']}/status", host, {"status": "playing"})
    shown = await state(client, "/api/overlay/gamenight", viewer)
    assert (shown["game"]["id"], shown["game"]["status"]) == (first["id"], "playing")


async def poker_session(client: Client) -> tuple[str, str, str]:
    created = await call(client, "POST", "/session/create", {}, {"participant_id": "Ann", "deck": DECK}, 201)
    session = created["session_id"]
    bob = await call(client, "POST", f"/session/{session}/join", {}, {"participant_id": "Bob"})
    return session, created["token"], bob["token"]


async def test_the_poker_state_says_who_voted_and_shows_cards_only_once_revealed(client: Client, viewer: str) -> None:
    session, ann, _bob = await poker_session(client)
    path = f"/api/overlay/poker/{session}"
    assert await state(client, path, viewer) == {
        "session_id": session,
        "closed": False,
        "participants": ["Ann", "Bob"],
        "prompt": None,
    }
    await call(client, "POST", f"/session/{session}/prompt/create", bearer(ann), {"prompt": "Login page"}, 201)
    await call(client, "POST", f"/session/{session}/prompt/1/vote", bearer(ann), {"vote": "moon"})
    voting = {
        "prompt_id": "1",
        "prompt": "Login page",
        "round": 1,
        "revealed": False,
        "voters": [{"participant_id": "Ann", "voted": True}, {"participant_id": "Bob", "voted": False}],
        "result": None,
    }
    assert await state(client, path, viewer) == {
        "session_id": session,
        "closed": False,
        "participants": ["Ann", "Bob"],
        "prompt": voting,
    }
    await call(client, "POST", f"/session/{session}/prompt/1/reveal", bearer(ann))
    closed = await client.post(f"/session/{session}/close", headers=bearer(ann))
    assert closed.status == 204
    revealed = await state(client, path, viewer)
    assert revealed == {
        "session_id": session,
        "closed": True,
        "participants": ["Ann", "Bob"],
        "prompt": {
            **voting,
            "revealed": True,
            "voters": [
                {"participant_id": "Ann", "voted": True, "vote": "moon"},
                {"participant_id": "Bob", "voted": False, "vote": None},
            ],
            "result": {
                "round": 1,
                "votes": [{"participant_id": "Ann", "vote": "moon"}],
                "min": None,
                "max": None,
                "median": None,
                "mean": None,
                "consensus": True,
                "outliers": [],
            },
        },
    }


async def test_an_unknown_poker_session_is_not_found(client: Client, viewer: str) -> None:
    response = await client.get(f"/api/overlay/poker/brave-otter-417?token={viewer}")
    assert (response.status, await response.json()) == (404, {"error": "No session with id brave-otter-417"})


async def test_the_poker_stream_tells_who_voted_without_the_card_then_reveals(client: Client, viewer: str) -> None:
    session, ann, bob = await poker_session(client)
    refused = await client.get(f"/api/events?poker={session}")
    assert (refused.status, await refused.json()) == (401, NEEDS_VIEWER)
    socket = await client.ws_connect(f"/api/events?poker={session}&token={viewer}")
    await call(client, "POST", f"/session/{session}/prompt/create", bearer(ann), {"prompt": "Login page"}, 201)
    await call(client, "POST", f"/session/{session}/prompt/1/vote", bearer(ann), {"vote": "comet"})
    await call(client, "POST", f"/session/{session}/prompt/1/vote", bearer(bob), {"vote": "moon"})
    received = [await socket.receive_json(timeout=5) for _ in range(3)]
    await socket.close()
    base = {"session_id": session, "prompt_id": "1"}
    assert received == [
        {"type": "poker.prompt", "timestamp": NOON, "data": {**base, "prompt": "Login page"}},
        {"type": "poker.voted", "timestamp": NOON, "data": {**base, "round": 1, "participant_id": "Ann"}},
        {"type": "poker.voted", "timestamp": NOON, "data": {**base, "round": 1, "participant_id": "Bob"}},
    ]
    revealed = await replayed_reveal(client, session, viewer)
    assert revealed["type"] == "poker.revealed"
    assert revealed["data"]["result"]["votes"] == [
        {"participant_id": "Ann", "vote": "comet"},
        {"participant_id": "Bob", "vote": "moon"},
    ]


async def replayed_reveal(client: Client, session: str, viewer: str) -> Any:
    """The poker.revealed event, replayed to an SSE client that says it has seen nothing."""
    response = await client.get(f"/api/events/stream?poker={session}&token={viewer}&lastEventId=0")
    assert await response.content.readuntil(b"\n\n") == b"retry: 3000\n\n"
    while True:
        chunk = (await response.content.readuntil(b"\n\n")).decode()
        event = json.loads(chunk.split("data: ", 1)[1])
        if event["type"] == "poker.revealed":
            response.close()
            return event


async def test_the_coffee_stream_carries_the_groups_transactions_without_their_notes(
    client: Client, viewer: str, publish: Publish
) -> None:
    socket = await client.ws_connect(f"/api/events?coffee=2&token={viewer}")
    transaction = {
        "group_id": 2,
        "transaction_id": 9,
        "from_user_id": 1,
        "to_user_id": 2,
        "amount": 3,
        "note": "for the bad joke",
        "created_by": 1,
        "date": "2026-11-23T12:00:00+00:00",
        "summary": "Mona bought Ryan 3 coffees",
    }
    await publish("coffee.transaction", {**transaction, "group_id": 1})
    await publish("game.added", {"sessionId": 1})
    await publish("coffee.transaction", transaction)
    assert await socket.receive_json(timeout=5) == {
        "type": "coffee.transaction",
        "timestamp": NOON,
        "data": {
            "group_id": 2,
            "transaction_id": 9,
            "from_user_id": 1,
            "to_user_id": 2,
            "amount": 3,
            "summary": "Mona bought Ryan 3 coffees",
        },
    }
    await socket.close()


@pytest.mark.parametrize(
    ("query", "error"),
    [
        ("session=1&poker=brave-otter-417", "Ask for one of session, poker or coffee"),
        ("coffee=abc", "coffee must be a coffee group id"),
    ],
)
async def test_a_stream_asked_for_a_muddled_topic_is_refused(
    client: Client, viewer: str, query: str, error: str
) -> None:
    for path in ("/api/events", "/api/events/stream"):
        response = await client.get(f"{path}?{query}&token={viewer}")
        assert (response.status, await response.json()) == (400, {"error": error})


async def test_a_game_night_stream_refuses_a_token_that_can_write_in_its_url(
    client: Client, host: dict[str, str]
) -> None:
    token = host["Authorization"].removeprefix("Bearer ")
    response = await client.get(f"/api/events?token={token}")
    assert (response.status, await response.json()) == (
        403,
        {
            "error": "This token can change things, so it must never be put in a URL. "
            "Overlays take a read-only viewer token (tallybot token create --role viewer)"
        },
    )
