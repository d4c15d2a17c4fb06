"""A fake Twitch on loopback: OAuth (id.twitch.tv), Helix and the EventSub websocket, for the real twitchio 3.

Use it like this::

    async with running_fake_twitch() as fake:  # serves 127.0.0.1:<random>, points twitchio at it, restores on exit
        bot_user = fake.add_user("900", "tallybot")
        streamer = fake.add_user("100", "streamer")
        alice = fake.add_user("101", "alice", "Alice")
        token, refresh = fake.issue_user_token(bot_user.id)  # hand these to the bot's token store
        bot = MyBot(client_id=fake.client_id, client_secret=fake.client_secret, bot_id=bot_user.id, ...)
        task = asyncio.create_task(bot.start(with_adapter=False))
        await fake.wait_for_subscription("channel.chat.message", broadcaster_user_id=streamer.id)
        asked = await fake.send_chat(streamer, alice, "!hello", badges=["moderator"])
        reply = await fake.next_chat_message()  # what the bot POSTed to /helix/chat/messages
        assert reply.reply_parent_message_id == asked
        ...
        await bot.close()
        await task

Without the context manager: ``await fake.start()``, ``with fake.patch_twitchio(): ...``, ``await fake.stop()``.

Every request lands in ``fake.requests``. A route the fake does not know answers 404 JSON, is logged as a warning
and lands in ``fake.unknown_requests``: tests should assert that list stays empty. Like Twitch, the fake checks the
Client-Id, the token, the sender against the token's user and the scopes, echoes the bot's own chat messages back
over EventSub (set ``echo_bot_messages=False`` to stop that), and sends ``session_keepalive`` when a socket is idle.
"""

import asyncio
import contextlib
import json
import logging
from collections.abc import AsyncIterator, Awaitable, Callable, Iterator, Sequence
from dataclasses import dataclass, field
from http import HTTPStatus
from typing import Any, TypeVar

from aiohttp import WSCloseCode, WSMsgType, web
from twitchio.eventsub import websockets as twitchio_websockets
from twitchio.http import Route

from tests.fakes.twitch_auth import BOT_SCOPES, CLIENT_ID, CLIENT_SECRET, FakeTwitchAuth, Refused
from tests.fakes.twitch_payloads import (
    ChatLine,
    FakeUser,
    RecordedRequest,
    SentChatMessage,
    SentWhisper,
    Subscription,
    chat_event,
    message,
    new_id,
    subscription_json,
    user_json,
    welcome_payload,
    whisper_event,
)

__all__ = [
    "BOT_SCOPES",
    "FakeTwitch",
    "FakeUser",
    "RecordedRequest",
    "SentChatMessage",
    "SentWhisper",
    "Subscription",
    "running_fake_twitch",
]

log = logging.getLogger(__name__)
T = TypeVar("T")
_Handler = Callable[[web.Request], Awaitable[web.StreamResponse]]

WAIT_SECONDS = 5.0


@dataclass
class _Session:
    id: str
    socket: web.WebSocketResponse
    keepalive_seconds: int
    last_sent: float = 0.0
    lock: asyncio.Lock = field(default_factory=asyncio.Lock)


class FakeTwitch:
    """The fake platform: its state, its server and the test-side helpers."""

    def __init__(
        self,
        *,
        client_id: str = CLIENT_ID,
        client_secret: str = CLIENT_SECRET,
        echo_bot_messages: bool = True,
    ) -> None:
        self.client_id = client_id
        self.client_secret = client_secret
        self.echo_bot_messages = echo_bot_messages
        self.users: dict[str, FakeUser] = {}
        self.auth = FakeTwitchAuth(client_id, client_secret, self.users)
        self.requests: list[RecordedRequest] = []
        self.unknown_requests: list[RecordedRequest] = []
        self.chat_messages: list[SentChatMessage] = []
        self.whispers: list[SentWhisper] = []
        self.subscriptions: dict[str, Subscription] = {}
        self._sessions: dict[str, _Session] = {}
        self._by_login: dict[str, FakeUser] = {}
        self._lines: dict[str, ChatLine] = {}
        self._unread_chat: list[SentChatMessage] = []
        self._unread_whispers: list[SentWhisper] = []
        self._changed = asyncio.Condition()
        self._runner: web.AppRunner | None = None
        self._port = 0

    @property
    def url(self) -> str:
        """The base URL serving both the id (``/oauth2/...``) and Helix (``/helix/...``) routes."""
        return f"http://127.0.0.1:{self._port}"

    @property
    def ws_url(self) -> str:
        """The EventSub websocket URL."""
        return f"ws://127.0.0.1:{self._port}/ws"

    async def start(self) -> None:
        """Serve on a random loopback port."""
        app = web.Application(middlewares=[self._record])
        app.router.add_post("/oauth2/token", self.auth.token)
        app.router.add_get("/oauth2/validate", self.auth.validate)
        app.router.add_get("/helix/users", self._get_users)
        app.router.add_post("/helix/eventsub/subscriptions", self._create_subscription)
        app.router.add_get("/helix/eventsub/subscriptions", self._list_subscriptions)
        app.router.add_delete("/helix/eventsub/subscriptions", self._delete_subscription)
        app.router.add_post("/helix/chat/messages", self._post_chat)
        app.router.add_post("/helix/whispers", self._post_whisper)
        app.router.add_get("/ws", self._websocket)
        app.router.add_route("*", "/{tail:.*}", self._unknown, name="unknown")
        self._runner = web.AppRunner(app, access_log=None, shutdown_timeout=1.0)
        await self._runner.setup()
        site = web.TCPSite(self._runner, "127.0.0.1", 0)
        await site.start()
        self._port = self._runner.addresses[0][1]

    async def stop(self) -> None:
        """Close every websocket and stop serving."""
        for session in list(self._sessions.values()):
            await session.socket.close(code=WSCloseCode.GOING_AWAY, message=b"fake Twitch is stopping")
        if self._runner is not None:
            await self._runner.cleanup()
            self._runner = None

    @contextlib.contextmanager
    def patch_twitchio(self) -> Iterator[None]:
        """Point twitchio's Helix, id and EventSub URLs at this fake; put the real ones back afterwards."""
        saved = (Route.BASE, Route.ID_BASE, twitchio_websockets.WSS)
        Route.BASE = f"{self.url}/helix/"
        Route.ID_BASE = f"{self.url}/"
        twitchio_websockets.WSS = self.ws_url
        try:
            yield
        finally:
            Route.BASE, Route.ID_BASE, twitchio_websockets.WSS = saved

    def add_user(self, user_id: str, login: str, display_name: str | None = None) -> FakeUser:
        """Create a Twitch account."""
        user = FakeUser(user_id, login.lower(), display_name or login)
        self.users[user_id] = user
        self._by_login[user.login] = user
        return user

    def issue_user_token(self, user_id: str, scopes: Sequence[str] = BOT_SCOPES) -> tuple[str, str]:
        """A user access token and its refresh token, as if ``user_id`` had gone through Twitch OAuth."""
        if user_id not in self.users:
            raise KeyError(f"fake Twitch has no user {user_id}; add_user first")
        return self.auth.issue(user_id, tuple(scopes))

    def authorization_code(self, user_id: str, redirect_uri: str, scopes: Sequence[str] = BOT_SCOPES) -> str:
        """The code Twitch would send to ``redirect_uri`` after ``user_id`` agreed to ``scopes`` on its consent page."""
        if user_id not in self.users:
            raise KeyError(f"fake Twitch has no user {user_id}; add_user first")
        return self.auth.authorize(user_id, tuple(scopes), redirect_uri)

    def expire_token(self, access_token: str) -> None:
        """Make a token invalid, as Twitch does when it expires; its refresh token keeps working."""
        self.auth.expire(access_token)

    def is_current_pair(self, access_token: str, refresh_token: str) -> bool:
        """True if both tokens are the newest pair for their user and still valid."""
        return self.auth.is_current_pair(access_token, refresh_token)

    async def send_chat(
        self,
        broadcaster: FakeUser | str,
        chatter: FakeUser | str,
        text: str,
        *,
        badges: Sequence[str] = (),
        reply_to: str | None = None,
    ) -> str:
        """Say ``text`` in a channel's chat; returns the new message id.

        ``badges`` are set ids such as ``"moderator"``, ``"vip"`` or ``"subscriber"``; the broadcaster always gets
        ``"broadcaster"``. It fails loudly if no websocket is subscribed to ``channel.chat.message`` there.
        """
        channel, speaker = self._user(broadcaster), self._user(chatter)
        if speaker.id == channel.id and "broadcaster" not in badges:
            badges = ("broadcaster", *badges)
        parent = self._lines[reply_to] if reply_to is not None else None
        line = ChatLine(new_id(), channel, speaker, text, tuple(badges), parent)
        if await self._deliver(line) == 0:
            raise AssertionError(f"no websocket is subscribed to channel.chat.message for {channel.login}")
        return line.message_id

    async def send_whisper(self, sender: FakeUser | str, recipient: FakeUser | str, text: str) -> str:
        """Whisper ``text`` from one user to another; returns the whisper id.

        It fails loudly if no websocket is subscribed to ``user.whisper.message`` for the recipient.
        """
        source, target = self._user(sender), self._user(recipient)
        whisper_id = new_id()
        event = whisper_event(whisper_id, source, target, text)
        targets = [
            sub
            for sub in self.subscriptions.values()
            if sub.type == "user.whisper.message" and sub.condition.get("user_id") == target.id
        ]
        if not targets:
            raise AssertionError(f"no websocket is subscribed to user.whisper.message for {target.login}")
        for sub in targets:
            payload = {"subscription": subscription_json(sub), "event": event}
            await self._send(self._sessions[sub.session_id], message("notification", payload, sub))
        return whisper_id

    async def send_keepalive(self) -> None:
        """Send ``session_keepalive`` on every websocket now."""
        for session in list(self._sessions.values()):
            await self._send(session, message("session_keepalive", {}))

    async def wait_for_subscription(
        self, subscription_type: str, *, within: float = WAIT_SECONDS, **condition: str
    ) -> Subscription:
        """The first live subscription of that type whose condition includes ``condition``."""

        def find() -> Subscription | None:
            for sub in self.subscriptions.values():
                if sub.type == subscription_type and condition.items() <= sub.condition.items():
                    return sub
            return None

        return await self._wait(find, within, f"a {subscription_type} subscription with {condition}")

    async def next_chat_message(
        self, *, within: float = WAIT_SECONDS, matching: Callable[[SentChatMessage], bool] | None = None
    ) -> SentChatMessage:
        """The oldest chat message the bot sent that no earlier call returned (optionally the oldest matching)."""
        take = _taker(self._unread_chat, matching)
        return await self._wait(take, within, "a chat message from the bot")

    async def next_whisper(
        self, *, within: float = WAIT_SECONDS, matching: Callable[[SentWhisper], bool] | None = None
    ) -> SentWhisper:
        """The oldest whisper the bot sent that no earlier call returned (optionally the oldest matching)."""
        take = _taker(self._unread_whispers, matching)
        return await self._wait(take, within, "a whisper from the bot")

    async def wait_until(self, condition: Callable[[], bool], *, within: float = WAIT_SECONDS) -> None:
        """Wait until ``condition()`` holds; it is checked again after every chat message, whisper or subscription."""

        def holds() -> bool | None:
            return True if condition() else None

        await self._wait(holds, within, "a condition to hold")

    # -- server internals --------------------------------------------------------------------------------------

    @web.middleware
    async def _record(self, request: web.Request, handler: _Handler) -> web.StreamResponse:
        body: Any = None
        if request.can_read_body:
            body = await request.text()
            if request.content_type == "application/json":
                with contextlib.suppress(ValueError):
                    body = json.loads(body)
        query: dict[str, list[str]] = {}
        for key, value in request.query.items():
            query.setdefault(key, []).append(value)
        token = self.auth.presented(request)
        record = RecordedRequest(request.method, request.path, query, body, token.user_id if token else None)
        self.requests.append(record)
        if request.match_info.route.name == "unknown":
            log.warning("fake Twitch does not implement %s %s", request.method, request.path)
            self.unknown_requests.append(record)
        try:
            return await handler(request)
        except Refused as refused:
            phrase = HTTPStatus(refused.status).phrase
            return web.json_response(
                {"error": phrase, "status": refused.status, "message": refused.text}, status=refused.status
            )

    async def _unknown(self, request: web.Request) -> web.Response:
        raise Refused(404, f"fake Twitch does not implement {request.method} {request.path}")

    async def _get_users(self, request: web.Request) -> web.Response:
        token = self.auth.helix_token(request)
        ids = request.query.getall("id", [])
        logins = [login.lower() for login in request.query.getall("login", [])]
        if not ids and not logins:
            if token.user_id is None:
                raise Refused(400, "The id or login query parameter is required when using an app access token")
            ids = [token.user_id]
        found = [user for user in self.users.values() if user.id in ids or user.login in logins]
        return web.json_response({"data": [user_json(user, self.url) for user in found]})

    async def _create_subscription(self, request: web.Request) -> web.Response:
        token = self.auth.helix_token(request)
        body = await _json_object(request)
        transport = body.get("transport") or {}
        if transport.get("method") != "websocket":
            raise Refused(400, "fake Twitch only serves the websocket transport")
        if token.user_id is None:
            raise Refused(400, "The websocket transport requires a user access token")
        session_id = transport.get("session_id")
        if session_id not in self._sessions:
            raise Refused(400, "websocket transport session does not exist or has already disconnected")
        kind, version, condition = body.get("type"), body.get("version"), body.get("condition")
        if not isinstance(kind, str) or not isinstance(version, str) or not isinstance(condition, dict):
            raise Refused(400, "type, version and condition are required")
        chat = kind == "channel.chat.message"
        if chat and (condition.get("user_id") != token.user_id or "user:read:chat" not in token.scopes):
            raise Refused(403, "subscription missing proper authorization")
        reads_whispers = {"user:read:whispers", "user:manage:whispers"} & set(token.scopes)
        if kind == "user.whisper.message" and (condition.get("user_id") != token.user_id or not reads_whispers):
            raise Refused(403, "subscription missing proper authorization")
        for sub in self.subscriptions.values():
            if (sub.type, sub.version, sub.condition, sub.session_id) == (kind, version, condition, session_id):
                raise Refused(409, f"subscription already exists, id={sub.id}")
        sub = Subscription(
            new_id(), kind, version, {str(k): str(v) for k, v in condition.items()}, session_id, token.user_id
        )
        self.subscriptions[sub.id] = sub
        await self._notify()
        answer = {
            "data": [subscription_json(sub)],
            "total": len(self.subscriptions),
            "total_cost": 0,
            "max_total_cost": 10,
        }
        return web.json_response(answer, status=202)

    async def _list_subscriptions(self, request: web.Request) -> web.Response:
        token = self.auth.helix_token(request)
        mine = [subscription_json(sub) for sub in self.subscriptions.values() if sub.user_id == token.user_id]
        answer = {"data": mine, "total": len(mine), "total_cost": 0, "max_total_cost": 10, "pagination": {}}
        return web.json_response(answer)

    async def _delete_subscription(self, request: web.Request) -> web.Response:
        self.auth.helix_token(request)
        if self.subscriptions.pop(request.query.get("id", ""), None) is None:
            raise Refused(404, "The subscription was not found")
        await self._notify()
        return web.Response(status=204)

    async def _post_chat(self, request: web.Request) -> web.Response:
        token = self.auth.helix_token(request)
        body = await _json_object(request)
        channel = self._known(body.get("broadcaster_id"), "broadcaster_id")
        sender = self._known(body.get("sender_id"), "sender_id")
        text = body.get("message")
        if not isinstance(text, str) or not text.strip():
            raise Refused(400, "The message field is required")
        if len(text) > 500:
            raise Refused(400, "The message field may not exceed 500 characters")
        if token.user_id is None and not self.auth.granted(sender.id, "user:bot"):
            raise Refused(403, "The sender must authorize user:bot to chat with an app access token")
        if token.user_id is not None and (token.user_id != sender.id or "user:write:chat" not in token.scopes):
            raise Refused(401, "The ID in sender_id must match the user ID in the access token with user:write:chat")
        parent_id = body.get("reply_parent_message_id")
        if parent_id is not None and parent_id not in self._lines:
            raise Refused(400, "The reply_parent_message_id was not found")
        sent = SentChatMessage(channel.id, sender.id, text, parent_id, new_id(), token.user_id)
        if self.echo_bot_messages:
            # Echo before the test can see the message, so whatever the test says next reaches chat after the echo.
            badges = ("broadcaster",) if sender.id == channel.id else ()
            parent = self._lines[parent_id] if parent_id is not None else None
            await self._deliver(ChatLine(sent.message_id, channel, sender, text, badges, parent))
        self.chat_messages.append(sent)
        self._unread_chat.append(sent)
        await self._notify()
        return web.json_response({"data": [{"message_id": sent.message_id, "is_sent": True, "drop_reason": None}]})

    async def _post_whisper(self, request: web.Request) -> web.Response:
        token = self.auth.helix_token(request)
        sender, receiver = request.query.get("from_user_id"), request.query.get("to_user_id")
        if token.user_id is None or token.user_id != sender:
            raise Refused(401, "The ID in from_user_id must match the user ID in the access token")
        if "user:manage:whispers" not in token.scopes:
            raise Refused(401, "Missing scope: user:manage:whispers")
        if receiver not in self.users:
            raise Refused(404, "The user in the to_user_id query parameter was not found")
        text = (await _json_object(request)).get("message")
        if not isinstance(text, str) or not text.strip():
            raise Refused(400, "The message field is required")
        whisper = SentWhisper(sender, receiver, text)
        self.whispers.append(whisper)
        self._unread_whispers.append(whisper)
        await self._notify()
        return web.Response(status=204)

    async def _websocket(self, request: web.Request) -> web.WebSocketResponse:
        keepalive = request.query.get("keepalive_timeout_seconds", "10")
        if not keepalive.isdigit() or not 10 <= int(keepalive) <= 600:
            raise Refused(400, "keepalive_timeout_seconds must be between 10 and 600")
        socket = web.WebSocketResponse()
        await socket.prepare(request)
        session = _Session(new_id(), socket, int(keepalive))
        self._sessions[session.id] = session
        await self._send(session, message("session_welcome", welcome_payload(session.id, session.keepalive_seconds)))
        keepalive_task = asyncio.create_task(self._keep_alive(session))
        try:
            async for incoming in socket:
                if incoming.type is WSMsgType.TEXT:
                    # Twitch drops any client that talks on the EventSub socket.
                    log.warning("client sent %r on the EventSub websocket", incoming.data)
                    await socket.close(code=4001, message=b"client sent inbound traffic")
        finally:
            keepalive_task.cancel()
            await asyncio.wait({keepalive_task})
            del self._sessions[session.id]
            for sub_id in [sub.id for sub in self.subscriptions.values() if sub.session_id == session.id]:
                del self.subscriptions[sub_id]
            await self._notify()
        return socket

    async def _keep_alive(self, session: _Session) -> None:
        loop = asyncio.get_running_loop()
        while True:
            await asyncio.sleep(max(0.0, session.last_sent + session.keepalive_seconds - loop.time()))
            if loop.time() - session.last_sent >= session.keepalive_seconds:
                await self._send(session, message("session_keepalive", {}))

    async def _send(self, session: _Session, data: dict[str, Any]) -> None:
        async with session.lock:
            if not session.socket.closed:
                await session.socket.send_json(data)
                session.last_sent = asyncio.get_running_loop().time()

    async def _deliver(self, line: ChatLine) -> int:
        """Notify every websocket subscribed to this channel's chat; returns how many were."""
        self._lines[line.message_id] = line
        event = chat_event(line, self._by_login)
        targets = [
            sub
            for sub in self.subscriptions.values()
            if sub.type == "channel.chat.message" and sub.condition.get("broadcaster_user_id") == line.broadcaster.id
        ]
        for sub in targets:
            payload = {"subscription": subscription_json(sub), "event": event}
            await self._send(self._sessions[sub.session_id], message("notification", payload, sub))
        return len(targets)

    def _known(self, user_id: object, name: str) -> FakeUser:
        user = self.users.get(str(user_id))
        if user is None:
            raise Refused(400, f"The {name} is not a known user")
        return user

    def _user(self, user: FakeUser | str) -> FakeUser:
        return user if isinstance(user, FakeUser) else self.users[user]

    async def _notify(self) -> None:
        async with self._changed:
            self._changed.notify_all()

    async def _wait(self, find: Callable[[], T | None], within: float, what: str) -> T:
        try:
            async with asyncio.timeout(within), self._changed:
                while (found := find()) is None:
                    await self._changed.wait()
                return found
        except TimeoutError:
            sent = f"chat so far: {self.chat_messages}; whispers so far: {self.whispers}"
            raise AssertionError(f"fake Twitch waited {within}s for {what}; {sent}") from None


def _taker(unread: list[T], matching: Callable[[T], bool] | None) -> Callable[[], T | None]:
    def take() -> T | None:
        for index, item in enumerate(unread):
            if matching is None or matching(item):
                return unread.pop(index)
        return None

    return take


async def _json_object(request: web.Request) -> dict[str, Any]:
    try:
        body = await request.json()
    except ValueError:
        raise Refused(400, "The request body is not valid JSON") from None
    if not isinstance(body, dict):
        raise Refused(400, "The request body must be a JSON object")
    return body


@contextlib.asynccontextmanager
async def running_fake_twitch(*, echo_bot_messages: bool = True) -> AsyncIterator[FakeTwitch]:
    """A started fake with twitchio pointed at it; stops it and restores twitchio's URLs on exit."""
    fake = FakeTwitch(echo_bot_messages=echo_bot_messages)
    await fake.start()
    try:
        with fake.patch_twitchio():
            yield fake
    finally:
        await fake.stop()
