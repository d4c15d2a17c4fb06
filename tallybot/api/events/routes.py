"""Live events: the game-night WebSocket protocol, and read-only streams for overlays.

- ``/api/sessions/live``: the original project's protocol (auth, subscribe, unsubscribe,
  ping); see docs/events.md.
- ``/api/events``: a read-only WebSocket of the community's game-night events
  (``?session=ID`` for one session's), or for overlays with read access, of one poker
  session (``?poker=ID``) or one coffee group (``?coffee=ID``).
- ``/api/events/stream``: the same as Server-Sent Events, with ``id:`` the outbox
  sequence, so a reconnecting client's ``Last-Event-ID`` replays what it missed.

A client that falls too far behind is cut off by the event bus; its socket is then closed
(1013, "reconnect") so that it reconnects and catches up.
"""

import asyncio
import contextlib
import json
from collections.abc import Awaitable, Callable
from typing import Any

from aiohttp import WSCloseCode, WSMsgType, web

from tallybot.api.events.shapes import Reply, StreamQuery, TopicQuery, envelope
from tallybot.api.keys import SERVICES
from tallybot.api.middlewares import PlainError, render_plain_error
from tallybot.api.openapi.operations import VIEWER, Content, SpecDoc
from tallybot.api.params import bearer_token, community, is_text
from tallybot.core.errors import Malformed, Unauthorized
from tallybot.core.events import (
    EventStreams,
    StreamTopic,
    reaches_live_client,
    reaches_overlay,
    session_id_of,
)
from tallybot.core.models import Community, Event
from tallybot.core.ports import EventSubscription
from tallybot.core.services import Services

PREFIX = "/api"
routes = web.RouteTableDef()
render_error = render_plain_error
API = SpecDoc("Events", PlainError, ids="events")


_CLOSED = (WSMsgType.CLOSE, WSMsgType.CLOSING, WSMsgType.CLOSED, WSMsgType.ERROR)
# The stream's schema describes each event, as OpenAPI 3.1 tools read it for text/event-stream
# (3.2 calls this ``itemSchema``): the opening ``retry:``, then one event per outbox entry.
_SSE_EVENT = {
    "type": "object",
    "properties": {
        "id": {"type": "string", "pattern": "^[0-9]+$", "description": "The event's outbox sequence."},
        "event": {"const": "message", "description": "No event type is sent: the default one."},
        "data": {
            "type": "string",
            "contentMediaType": "application/json",
            "description": "The event's envelope as JSON, as /api/events sends it.",
        },
        "retry": {"type": "integer", "minimum": 0, "description": "How long to wait before a reconnect, in ms."},
    },
    "additionalProperties": False,
}


def _error(message: str) -> Reply:
    return {"type": "error", "message": message}


def _parse(text: str) -> Reply | None:
    try:
        message = json.loads(text)
    except (ValueError, RecursionError):
        return None
    return message if isinstance(message, dict) else None


class _LiveClient:
    """One ``/api/sessions/live`` connection: whether it has authenticated, and its sessions."""

    def __init__(self, services: Services, where: Community) -> None:
        self._services = services
        self._where = where
        self._authenticated = False
        self._sessions: set[int] = set()

    def wants(self, event: Event) -> bool:
        return self._authenticated and reaches_live_client(event, self._where, self._sessions)

    async def handle(self, text: str) -> Reply:
        message = _parse(text)
        if message is None:
            return _error("Invalid message format")
        kind = message.get("type")
        if kind == "ping":
            return {"type": "pong"}
        if kind == "auth":
            return await self._authenticate(message.get("token"))
        if kind in ("subscribe", "unsubscribe"):
            if not self._authenticated:
                return _error("Not authenticated")
            session_id = session_id_of(message.get("sessionId"))
            if session_id is None:
                return _error("Session ID required")
            if kind == "subscribe":
                self._sessions.add(session_id)
            else:
                self._sessions.discard(session_id)
            return {"type": f"{kind}d", "sessionId": message["sessionId"]}
        return _error(f"Unknown message type: {kind}")

    async def _authenticate(self, token: Any) -> Reply:
        if not isinstance(token, str) or not token:
            return {"type": "auth_error", "message": "Token required"}
        if not is_text(token):
            return {"type": "auth_error", "message": "Invalid or expired token"}
        try:
            await self._services.accounts.authenticate(token)
        except Unauthorized:
            return {"type": "auth_error", "message": "Invalid or expired token"}
        self._authenticated = True
        return {"type": "auth_success", "message": "Authenticated successfully"}


async def _read_only(text: str) -> Reply:
    message = _parse(text)
    if message is not None and message.get("type") == "ping":
        return {"type": "pong"}
    return _error("This stream is read-only; only ping is understood")


async def _forward(ws: web.WebSocketResponse, subscription: EventSubscription, wants: Callable[[Event], bool]) -> None:
    with contextlib.suppress(ConnectionError):
        async for event in subscription:
            if wants(event):
                await ws.send_json(envelope(event))
        await ws.close(code=WSCloseCode.TRY_AGAIN_LATER, message=b"reconnect")


async def _converse(ws: web.WebSocketResponse, idle_timeout: float, handle: Callable[[str], Awaitable[Reply]]) -> None:
    """Answer the client's messages; drop it once nothing (not even a pong) came for ``idle_timeout``."""
    loop = asyncio.get_running_loop()
    heard = loop.time()
    while not ws.closed:
        try:
            message = await ws.receive(timeout=idle_timeout / 3)
        except TimeoutError:
            if loop.time() - heard >= idle_timeout:
                await ws.close(code=WSCloseCode.OK, message=b"idle")
                return
            await ws.ping()
            continue
        heard = loop.time()
        if message.type in _CLOSED:
            return
        if message.type is WSMsgType.PING:
            await ws.pong(message.data)
        elif message.type is WSMsgType.TEXT:
            await ws.send_json(await handle(message.data))
        elif message.type is WSMsgType.BINARY:
            await ws.send_json(_error("Invalid message format"))


async def _websocket(
    request: web.Request,
    wants: Callable[[Event], bool],
    handle: Callable[[str], Awaitable[Reply]],
) -> web.WebSocketResponse:
    streams = request.config_dict[SERVICES].streams
    # Pings are answered here, so that a pong from the client counts as a sign of life.
    ws = web.WebSocketResponse(autoping=False)
    await ws.prepare(request)
    subscription = streams.subscribe()
    forwarder = asyncio.create_task(_forward(ws, subscription, wants))
    try:
        with contextlib.suppress(ConnectionError):
            await _converse(ws, streams.idle_timeout, handle)
    finally:
        subscription.close()
        await forwarder
        await ws.close()
    return ws


async def _topic(request: web.Request) -> tuple[Community, StreamTopic]:
    """The community and topic a read-only stream asks for, once the asker may read it.

    Game night is public; a poker session's or coffee group's events need overlay read
    access. A ``token`` in the URL is checked in every case, so that one that can write
    is refused wherever it is put.
    """
    where, query = await community(request), request.query
    session_id, poker, coffee = (query.get(name) or None for name in ("session", "poker", "coffee"))
    if sum(value is not None for value in (session_id, poker, coffee)) > 1:
        raise Malformed("Ask for one of session, poker or coffee")
    topic = StreamTopic(
        session_id=None if session_id is None else session_id_of(session_id),
        poker_session=poker,
        coffee_group=None if coffee is None else session_id_of(coffee),
    )
    if session_id is not None and topic.session_id is None:
        raise Malformed("session must be a session id")
    if coffee is not None and topic.coffee_group is None:
        raise Malformed("coffee must be a coffee group id")
    url_token = query.get("token")
    overlays = request.config_dict[SERVICES].overlays
    if url_token is not None or not topic.is_game_night:
        await overlays.authorize(where, url_token, bearer_token(request))
    if topic.poker_session is not None:
        # A stream of a session that was never opened would wait for nothing: NotFound instead.
        await overlays.poker(where, topic.poker_session)
    return where, topic


@routes.get("/sessions/live")
@API({101: None}, errors=(400,))
async def sessions_live(request: web.Request) -> web.WebSocketResponse:
    """The game-night WebSocket: auth, then subscribe to sessions."""
    client = _LiveClient(request.config_dict[SERVICES], await community(request))
    return await _websocket(request, client.wants, client.handle)


@routes.get("/events")
@API({101: None}, errors=(400, 401, 403, 404), query=TopicQuery, security=VIEWER, optional_auth=True)
async def events_socket(request: web.Request) -> web.WebSocketResponse:
    """A read-only WebSocket of the community's game-night, poker-session or coffee-group events."""
    where, topic = await _topic(request)
    return await _websocket(request, lambda event: reaches_overlay(event, where, topic), _read_only)


def _sse(event: Event) -> bytes:
    return f"id: {event.sequence}\ndata: {json.dumps(envelope(event))}\n\n".encode()


async def _heartbeat(response: web.StreamResponse, every: float, subscription: EventSubscription) -> None:
    # Writing is also how a vanished client is noticed: then the subscription ends the stream.
    try:
        while True:
            await asyncio.sleep(every)
            await response.write(b": heartbeat\n\n")
    except ConnectionError:
        subscription.close()


def _last_event_id(request: web.Request) -> int | None:
    text = request.headers.get("Last-Event-ID") or request.query.get("lastEventId")
    if text is None:
        return None
    sequence = session_id_of(text)
    if sequence is None:
        raise Malformed("lastEventId must be the id of an event this stream sent")
    return sequence


@routes.get("/events/stream")
@API(
    {200: Content("text/event-stream", _SSE_EVENT)},
    errors=(400, 401, 403, 404),
    query=StreamQuery,
    security=VIEWER,
    optional_auth=True,
)
async def events_stream(request: web.Request) -> web.StreamResponse:
    """Server-Sent Events of the same topics as ``/api/events``; ``Last-Event-ID`` replays missed ones."""
    last_id = _last_event_id(request)
    where, topic = await _topic(request)
    streams: EventStreams = request.config_dict[SERVICES].streams
    subscription = streams.subscribe()
    response = web.StreamResponse(headers={"Content-Type": "text/event-stream", "Cache-Control": "no-cache"})
    heartbeat: asyncio.Task[None] | None = None
    try:
        await response.prepare(request)
        await response.write(b"retry: 3000\n\n")
        sent = 0
        if last_id is not None:
            sent = last_id
            for event in await streams.replay(where, last_id, topic):
                await response.write(_sse(event))
                sent = event.sequence or sent
        heartbeat = asyncio.create_task(_heartbeat(response, streams.heartbeat, subscription))
        async for event in subscription:
            # Events replayed above may arrive again live; the sequence tells.
            if (event.sequence or 0) > sent and reaches_overlay(event, where, topic):
                await response.write(_sse(event))
                sent = event.sequence or sent
    except ConnectionError:
        pass
    finally:
        subscription.close()
        if heartbeat is not None:
            heartbeat.cancel()
            await asyncio.gather(heartbeat, return_exceptions=True)
    return response
