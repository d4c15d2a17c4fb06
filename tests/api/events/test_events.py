"""Live events: the /api/sessions/live protocol, and the read-only WebSocket and SSE streams.

Events come from real changes: game-night API calls, or real outbox writes for the kinds
of event no API here makes.
"""

import asyncio
import json
from collections.abc import AsyncIterator
from dataclasses import replace
from typing import Any

import aiohttp
import pytest
from aiohttp import WSMsgType

from tallybot.core.models import Event, Platform
from tallybot.core.services import Services
from tallybot.settings import Settings
from tests.gamenight_helpers import SeededGames, host_headers, seed_games
from tests.helpers import Client
from tests.webhook_helpers import Publish, outbox_writer

NOON = "2026-11-23T12:00:00.000Z"
Socket = aiohttp.ClientWebSocketResponse


@pytest.fixture
def settings(settings: Settings) -> Settings:
    return replace(settings, events=replace(settings.events, idle_timeout_seconds=0.6, heartbeat_seconds=0.2))


@pytest.fixture
async def host(services: Services) -> dict[str, str]:
    return await host_headers(services)


@pytest.fixture
async def games(services: Services) -> SeededGames:
    return await seed_games(services)


@pytest.fixture
async def publish(settings: Settings, services: Services) -> AsyncIterator[Publish]:
    async with outbox_writer(settings.storage.path, services) as append:
        yield append


async def api(client: Client, method: str, path: str, host: dict[str, str], payload: Any = None) -> Any:
    response = await client.request(method, path, json=payload, headers=host)
    assert response.status < 300, await response.text()
    return await response.json()


async def start_session(client: Client, host: dict[str, str]) -> int:
    return int((await api(client, "POST", "/api/sessions", host, {"notes": "Friday"}))["id"])


async def add_game(client: Client, host: dict[str, str], session_id: int, game_id: int) -> Any:
    return await api(client, "POST", f"/api/sessions/{session_id}/games", host, {"game_id": game_id})


async def send(ws: Socket, message: dict[str, Any]) -> Any:
    await ws.send_json(message)
    return await ws.receive_json(timeout=5)


async def authenticated(client: Client, host: dict[str, str], path: str = "/api/sessions/live") -> Socket:
    ws = await client.ws_connect(path)
    token = host["Authorization"].removeprefix("Bearer ")
    assert await send(ws, {"type": "auth", "token": token}) == {
        "type": "auth_success",
        "message": "Authenticated successfully",
    }
    return ws


def envelope(event: Event) -> dict[str, Any]:
    return {"type": event.type, "timestamp": NOON, "data": json.loads(json.dumps(event.data))}


async def test_a_client_authenticates_subscribes_and_receives_its_sessions_events(
    client: Client, services: Services, host: dict[str, str], games: SeededGames
) -> None:
    bus = services.bus.subscribe()
    ws = await authenticated(client, host)
    session_id = await start_session(client, host)
    started = await ws.receive_json(timeout=5)
    assert await send(ws, {"type": "subscribe", "sessionId": session_id}) == {
        "type": "subscribed",
        "sessionId": session_id,
    }
    await add_game(client, host, session_id, games.quiplash)
    added = await ws.receive_json(timeout=5)
    vote = {"username": "viewer1", "vote": "up", "timestamp": "2026-11-23T12:00:00Z"}
    await api(client, "POST", "/api/votes/live", host, vote)
    voted = await ws.receive_json(timeout=5)
    bus.close()
    published = [event async for event in bus]
    assert [started, added, voted] == [envelope(event) for event in published]
    assert [message["type"] for message in (started, added, voted)] == [
        "session.started",
        "game.added",
        "vote.received",
    ]
    assert added["data"]["sessionId"] == voted["data"]["sessionId"] == session_id
    assert added["data"]["game"]["title"] == "Quiplash Test"
    assert {"sessionId", "game", "vote", "totals"} <= set(voted["data"])
    await ws.close()


async def test_only_subscribed_sessions_reach_a_client_and_unsubscribe_stops_them(
    client: Client, host: dict[str, str], games: SeededGames
) -> None:
    first = await start_session(client, host)
    ws = await authenticated(client, host)
    assert await send(ws, {"type": "subscribe", "sessionId": str(first + 100)}) == {
        "type": "subscribed",
        "sessionId": str(first + 100),
    }
    await add_game(client, host, first, games.quiplash)
    assert await send(ws, {"type": "subscribe", "sessionId": str(first)}) == {
        "type": "subscribed",
        "sessionId": str(first),
    }
    await add_game(client, host, first, games.trivia)
    received = await ws.receive_json(timeout=5)
    assert (received["type"], received["data"]["game"]["title"]) == ("game.added", "Trivia Test")
    assert await send(ws, {"type": "unsubscribe", "sessionId": first}) == {"type": "unsubscribed", "sessionId": first}
    await api(client, "POST", f"/api/sessions/{first}/close", host, {})
    second = await start_session(client, host)
    # Events go out in order: had session.ended been sent, it would come first.
    broadcast = await ws.receive_json(timeout=5)
    assert (broadcast["type"], broadcast["data"]["sessionId"]) == ("session.started", second)
    await ws.close()


async def test_ping_gets_pong_before_and_after_authenticating(client: Client, host: dict[str, str]) -> None:
    ws = await client.ws_connect("/api/sessions/live")
    assert await send(ws, {"type": "ping"}) == {"type": "pong"}
    await ws.close()
    ws = await authenticated(client, host)
    assert await send(ws, {"type": "ping"}) == {"type": "pong"}
    await ws.close()


@pytest.mark.parametrize(
    ("message", "reply"),
    [
        ({"type": "auth"}, {"type": "auth_error", "message": "Token required"}),
        ({"type": "auth", "token": ""}, {"type": "auth_error", "message": "Token required"}),
        ({"type": "auth", "token": "not-a-token"}, {"type": "auth_error", "message": "Invalid or expired token"}),
        ({"type": "subscribe", "sessionId": 1}, {"type": "error", "message": "Not authenticated"}),
        ({"type": "unsubscribe", "sessionId": 1}, {"type": "error", "message": "Not authenticated"}),
        ({"type": "dance"}, {"type": "error", "message": "Unknown message type: dance"}),
        (["auth"], {"type": "error", "message": "Invalid message format"}),
    ],
)
async def test_bad_messages_get_an_error_reply(client: Client, message: Any, reply: dict[str, str]) -> None:
    ws = await client.ws_connect("/api/sessions/live")
    assert await send(ws, message) == reply
    await ws.close()


async def test_text_that_is_not_json_and_a_subscribe_without_session_get_errors(
    client: Client, host: dict[str, str]
) -> None:
    ws = await authenticated(client, host)
    await ws.send_str("{type")
    assert await ws.receive_json(timeout=5) == {"type": "error", "message": "Invalid message format"}
    assert await send(ws, {"type": "subscribe"}) == {"type": "error", "message": "Session ID required"}
    assert await send(ws, {"type": "subscribe", "sessionId": True}) == {
        "type": "error",
        "message": "Session ID required",
    }
    await ws.close()


async def test_an_unauthenticated_client_gets_no_events(client: Client, host: dict[str, str]) -> None:
    ws = await client.ws_connect("/api/sessions/live")
    await start_session(client, host)
    # The pong is queued after session.started had its chance to go out.
    assert await send(ws, {"type": "ping"}) == {"type": "pong"}
    await ws.close()


async def test_a_client_that_stays_silent_is_dropped(client: Client) -> None:
    ws = await client.ws_connect("/api/sessions/live", autoping=False)
    message = await ws.receive(timeout=5)
    while message.type is WSMsgType.PING:
        message = await ws.receive(timeout=5)
    assert (message.type, message.data, message.extra) == (WSMsgType.CLOSE, 1000, "idle")


async def test_a_client_that_answers_pings_stays_connected_past_the_idle_timeout(client: Client) -> None:
    ws = await client.ws_connect("/api/sessions/live")
    # Reading answers the server's pings (aiohttp's client pongs only while it reads).
    with pytest.raises(TimeoutError):
        async with asyncio.timeout(1.2):
            await ws.receive()
    assert await send(ws, {"type": "ping"}) == {"type": "pong"}
    await ws.close()


async def test_shutting_the_streams_down_tells_clients_to_reconnect(
    client: Client, services: Services, host: dict[str, str]
) -> None:
    ws = await authenticated(client, host)
    overlay = await client.ws_connect("/api/events")
    stream = await client.get("/api/events/stream")
    assert await stream.content.readuntil(b"\n\n") == b"retry: 3000\n\n"
    services.streams.close()
    for socket in (ws, overlay):
        message = await socket.receive(timeout=5)
        assert (message.type, message.data, message.extra) == (WSMsgType.CLOSE, 1013, "reconnect")
    assert await stream.content.read() == b""


async def test_the_overlay_socket_needs_no_token_and_sends_only_game_night_events(
    client: Client, host: dict[str, str], publish: Publish, services: Services
) -> None:
    overlay = await client.ws_connect("/api/events")
    other = await services.communities.ensure(Platform.DISCORD, "9", "Elsewhere")
    await publish("coffee.transaction", {"group_id": 1, "amount": 2})
    await publish("game.added", {"sessionId": 5}, other)
    started = await publish("session.started", {"sessionId": 5})
    assert await overlay.receive_json(timeout=5) == envelope(started)
    assert await send(overlay, {"type": "ping"}) == {"type": "pong"}
    assert await send(overlay, {"type": "subscribe", "sessionId": 5}) == {
        "type": "error",
        "message": "This stream is read-only; only ping is understood",
    }
    await overlay.close()


async def test_the_overlay_socket_can_follow_one_session(client: Client, publish: Publish) -> None:
    overlay = await client.ws_connect("/api/events?session=6")
    await publish("game.added", {"sessionId": 5})
    wanted = await publish("game.added", {"sessionId": 6})
    assert await overlay.receive_json(timeout=5) == envelope(wanted)
    await overlay.close()


async def test_a_stream_for_a_session_that_is_not_an_id_is_refused(client: Client) -> None:
    for path in ("/api/events?session=abc", "/api/events/stream?session=abc"):
        response = await client.get(path)
        assert (response.status, await response.json()) == (400, {"error": "session must be a session id"})


async def read_sse(response: aiohttp.ClientResponse) -> str:
    return (await response.content.readuntil(b"\n\n")).decode()


def sse(event: Event) -> str:
    return f"id: {event.sequence}\ndata: {json.dumps(envelope(event))}\n\n"


async def test_the_sse_stream_sends_events_with_their_outbox_sequence_and_heartbeats(
    client: Client, publish: Publish, host: dict[str, str], games: SeededGames
) -> None:
    response = await client.get("/api/events/stream")
    assert response.headers["Content-Type"] == "text/event-stream"
    assert response.headers["Cache-Control"] == "no-cache"
    assert await read_sse(response) == "retry: 3000\n\n"
    first = await publish("player-count.updated", {"sessionId": 2, "playerCount": 6})
    assert await read_sse(response) == sse(first)
    assert await read_sse(response) == ": heartbeat\n\n"
    response.close()


async def test_the_sse_stream_replays_what_a_reconnecting_client_missed(client: Client, publish: Publish) -> None:
    seen = await publish("room-code.updated", {"sessionId": 3, "roomCode": "ABCD"})
    await publish("room-code.updated", {"sessionId": 4, "roomCode": "WXYZ"})
    await publish("poker.revealed", {"sessionId": 3})
    missed = await publish("game.status", {"sessionId": 3, "status": "played"})
    response = await client.get("/api/events/stream?session=3", headers={"Last-Event-ID": str(seen.sequence)})
    assert await read_sse(response) == "retry: 3000\n\n"
    assert await read_sse(response) == sse(missed)
    live = await publish("session.ended", {"sessionId": 3})
    assert await read_sse(response) == sse(live)
    response.close()


@pytest.mark.parametrize("session_id", ["\u00b9", "\u0661", "1" + "0" * 30, -1, 2**63, True, None])
async def test_a_subscribe_with_no_session_id_in_it_gets_an_error_and_the_socket_stays_open(
    client: Client, host: dict[str, str], session_id: Any
) -> None:
    ws = await authenticated(client, host)
    assert await send(ws, {"type": "subscribe", "sessionId": session_id}) == {
        "type": "error",
        "message": "Session ID required",
    }
    assert await send(ws, {"type": "ping"}) == {"type": "pong"}
    await ws.close()


@pytest.mark.parametrize("token", ["a\u0000b", "\ud800"])
async def test_a_token_that_is_not_text_is_refused_and_the_socket_stays_open(client: Client, token: str) -> None:
    ws = await client.ws_connect("/api/sessions/live")
    # A lone surrogate cannot be sent as UTF-8 JSON; it comes escaped, as a browser would send it.
    await ws.send_str(json.dumps({"type": "auth", "token": token}))
    assert await ws.receive_json(timeout=5) == {"type": "auth_error", "message": "Invalid or expired token"}
    assert await send(ws, {"type": "ping"}) == {"type": "pong"}
    await ws.close()


@pytest.mark.parametrize(
    ("path", "query"),
    [
        ("/api/events/stream", "session=%C2%B9"),
        ("/api/events/stream", "session=%D9%A1"),
        ("/api/events/stream", "coffee=%C2%B9"),
        ("/api/events/stream", "lastEventId=%D9%A1"),
        ("/api/events", "session=%C2%B9"),
        ("/api/events", "coffee=%D9%A1"),
    ],
)
async def test_a_stream_topic_written_in_other_digits_is_a_400(client: Client, path: str, query: str) -> None:
    response = await client.get(f"{path}?{query}")
    assert response.status == 400
    assert list(await response.json()) == ["error"]
