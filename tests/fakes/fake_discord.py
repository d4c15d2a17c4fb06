"""A fake Discord (REST API and gateway) on 127.0.0.1 for testing bots built on the real discord.py.

Usage::

    guild = FakeGuild(members=[FakeUser(11, "ana", host=True), FakeUser(12, "bo")])
    async with FakeDiscord(guild) as fake:
        with fake.patch():                      # discord.py now talks to the fake
            bot = commands.Bot(command_prefix="!", intents=intents, guild_ready_timeout=0.05)
            async with fake.running(bot):       # bot.start(); wait until ready; bot.close() on exit
                await fake.send_message(guild.first_channel_id, guild.members[1], "hello")
                reply = await fake.wait_for_sent(channel_id=guild.first_channel_id)
                assert reply.content == "hi bo"

What the test can do:

- inject gateway events: ``send_message`` (MESSAGE_CREATE), ``send_command`` and
  ``send_autocomplete`` (slash commands, "group sub" names, options typed from their
  Python values, a ``FakeUser`` becomes a resolved user option), ``click`` (a button on a
  message the bot sent) or any raw event with ``dispatch``;
- wait for what the bot sent: ``wait_for_sent`` (messages, interaction responses,
  followups, edits), ``wait_for_dm``, ``wait_for_callback`` (every interaction answer,
  autocomplete choices and deferrals included), ``wait_for_reaction`` and, for anything
  else, ``wait_until(condition)``. Each ``wait_for_*`` returns the oldest matching record
  it has not returned before, or fails after ``within`` seconds (default ``timeout``, 5 s);
- read the records: ``sent``, ``callbacks``, ``reactions``, ``deleted``, ``commands``
  (synced application commands by guild id, None for global), ``identify`` (what the bot
  sent in IDENTIFY, intents included), ``presences`` (its presence updates) and ``unknown``.

Hosts hold a role with Manage Server. A route or gateway opcode the fake does not know is
logged, recorded in ``unknown`` and makes ``stop()`` fail, so a test notices it.

discord.py is pointed here by ``patch()``: ``discord.http.Route.BASE`` (every REST call and
webhook) and ``DiscordWebSocket.DEFAULT_GATEWAY`` (a plain ``Client`` never asks
``/gateway``; it connects to that constant). Gateway frames are plain JSON text: the client
asks for zlib/zstd transport compression in the URL, but only decompresses binary frames.
``Client`` waits ``guild_ready_timeout`` (2 s by default) after the last GUILD_CREATE
before it is ready, so tests pass a small value.
"""

import asyncio
import json
import logging
import secrets
from collections.abc import AsyncIterator, Callable, Iterator
from contextlib import asynccontextmanager, contextmanager
from typing import Any, Self, TypeVar

import discord
import yarl
from aiohttp import WSMsgType, web
from discord.gateway import DiscordWebSocket
from discord.http import Route

from tests.fakes.fake_discord_payloads import (
    HOST_PERMISSIONS,
    JSON,
    FakeGuild,
    FakeUser,
    channel_payload,
    dm_channel_payload,
    guild_payload,
    member_payload,
    option_payloads,
    permissions_of,
    user_payload,
)
from tests.fakes.fake_discord_rest import (
    API,
    Interaction,
    InteractionCallback,
    Platform,
    Reaction,
    SentMessage,
    build_rest_app,
)

TOKEN = "fake-discord-token"
_log = logging.getLogger(__name__)
Record = TypeVar("Record", SentMessage, InteractionCallback, Reaction)


class FakeDiscord:
    """One fake Discord with one guild, serving one bot at a time."""

    def __init__(
        self,
        guild: FakeGuild | None = None,
        *,
        bot: FakeUser | None = None,
        token: str = TOKEN,
        timeout: float = 5.0,
        heartbeat_interval_ms: int = 41_250,
    ) -> None:
        self.guild = guild or FakeGuild()
        self.bot = bot or FakeUser(id=900_000_000_000_000_002, name="tallybot", bot=True)
        self.token = token
        self.timeout = timeout
        self.heartbeat_interval_ms = heartbeat_interval_ms
        self.platform = Platform(self.guild, self.bot, token)
        self.identify: JSON | None = None
        self.presences: list[JSON] = []
        self._runner: web.AppRunner | None = None
        self._url = ""
        self._ws: web.WebSocketResponse | None = None
        self._seq = 0
        self._send_lock = asyncio.Lock()
        self._connected = asyncio.Event()
        self._returned: set[int] = set()

    async def __aenter__(self) -> Self:
        await self.start()
        return self

    async def __aexit__(self, *exc_info: object) -> None:
        await self.stop(check=exc_info[0] is None)

    @property
    def api_url(self) -> str:
        """The REST base URL, the fake's ``Route.BASE``."""
        return f"{self._url}{API}"

    @property
    def gateway_url(self) -> str:
        """The gateway websocket URL."""
        return f"{self._url.replace('http', 'ws', 1)}/ws/"

    async def start(self) -> None:
        """Listen on a free port of 127.0.0.1."""
        app = build_rest_app(self.platform)
        app.router.add_get("/ws/", self._gateway)
        self._runner = web.AppRunner(app, handle_signals=False)
        await self._runner.setup()
        site = web.TCPSite(self._runner, "127.0.0.1", 0)
        await site.start()
        host, port = self._runner.addresses[0][:2]
        self._url = f"http://{host}:{port}"
        self.platform.gateway_url = self.gateway_url

    async def stop(self, *, check: bool = True) -> None:
        """Shut the server down; fail if the bot used a route or opcode the fake does not know."""
        if self._ws is not None:
            await self._ws.close()
        if self._runner is not None:
            await self._runner.cleanup()
            self._runner = None
        if check and self.unknown:
            raise AssertionError(f"the bot used what the fake Discord does not know: {self.unknown}")

    @contextmanager
    def patch(self) -> Iterator[None]:
        """Point discord.py's REST calls, webhooks and gateway at this fake; restore them afterwards."""
        saved = Route.BASE, DiscordWebSocket.DEFAULT_GATEWAY
        Route.BASE = self.api_url
        DiscordWebSocket.DEFAULT_GATEWAY = yarl.URL(self.gateway_url)
        try:
            yield
        finally:
            Route.BASE, DiscordWebSocket.DEFAULT_GATEWAY = saved

    @asynccontextmanager
    async def running(self, client: discord.Client) -> AsyncIterator[discord.Client]:
        """Start ``client`` with the fake's token, wait until it is ready, and close it on exit."""
        if self.api_url != Route.BASE:
            raise RuntimeError("use FakeDiscord.running() inside FakeDiscord.patch()")
        task = asyncio.create_task(client.start(self.token), name="fake-discord-client")
        ready = asyncio.create_task(self._until_ready(client))
        await asyncio.wait({task, ready}, timeout=self.timeout, return_when=asyncio.FIRST_COMPLETED)
        try:
            if not ready.done():
                raise AssertionError(f"the bot was not ready within {self.timeout}s")
            yield client
        finally:
            ready.cancel()
            await client.close()
            await task

    async def _until_ready(self, client: discord.Client) -> None:
        await self._connected.wait()
        await client.wait_until_ready()

    async def wait_until_connected(self) -> None:
        """Wait until a bot identified and received READY and GUILD_CREATE."""
        async with asyncio.timeout(self.timeout):
            await self._connected.wait()

    # Records

    @property
    def sent(self) -> list[SentMessage]:
        """Every message the bot posted or changed, oldest first."""
        return self.platform.sent

    @property
    def callbacks(self) -> list[InteractionCallback]:
        """Every interaction callback, oldest first."""
        return self.platform.callbacks

    @property
    def reactions(self) -> list[Reaction]:
        """Every reaction the bot added, oldest first."""
        return self.platform.reactions

    @property
    def deleted(self) -> list[int]:
        """Ids of the messages the bot deleted."""
        return self.platform.deleted

    @property
    def commands(self) -> dict[int | None, list[JSON]]:
        """The synced application commands, by guild id (None for global commands)."""
        return self.platform.commands

    @property
    def unknown(self) -> list[str]:
        """Requests and gateway opcodes the fake did not understand."""
        return self.platform.unknown

    def dm_channel_id(self, user_id: int) -> int:
        """The id of the DM channel between the bot and a user."""
        return self.platform.dm_channel_id(user_id)

    # Events into the bot

    async def dispatch(self, event: str, data: JSON) -> None:
        """Send a raw gateway DISPATCH event to the connected bot."""
        await self.wait_until_connected()
        assert self._ws is not None
        await self._send(self._ws, 0, data, event)

    async def send_message(
        self, channel_id: int, author: FakeUser, content: str, *, reply_to: int | None = None
    ) -> int:
        """Post a message as ``author`` (MESSAGE_CREATE); returns its id."""
        body: JSON = {"content": content}
        if reply_to is not None:
            body["message_reference"] = {"message_id": str(reply_to), "channel_id": str(channel_id)}
        message = self.platform.store_message(channel_id, author, body)
        await self.dispatch("MESSAGE_CREATE", message)
        return int(message["id"])

    async def send_command(
        self, user: FakeUser, command: str, options: dict[str, Any] | None = None, *, channel_id: int | None = None
    ) -> int:
        """Invoke a slash command (``"poker vote"`` for a subcommand); returns the interaction id."""
        return await self._interact(user, 2, self._command_data(command, options or {}, None), channel_id)

    async def send_autocomplete(
        self,
        user: FakeUser,
        command: str,
        options: dict[str, Any],
        *,
        focused: str,
        channel_id: int | None = None,
    ) -> int:
        """Ask for autocomplete choices while ``user`` types option ``focused``; returns the interaction id."""
        return await self._interact(user, 4, self._command_data(command, options, focused), channel_id)

    async def click(self, user: FakeUser, message: SentMessage, custom_id: str) -> int:
        """Click a button on a message the bot sent; returns the interaction id."""
        if custom_id not in message.custom_ids:
            raise ValueError(f"message {message.message_id} has no component {custom_id!r}: {message.custom_ids}")
        data: JSON = {"custom_id": custom_id, "component_type": 2}
        return await self._interact(user, 3, data, message.channel_id, message.message_id)

    def _command_data(self, command: str, options: dict[str, Any], focused: str | None) -> JSON:
        name, *path = command.split()
        payloads, resolved = option_payloads(options, focused, self.guild)
        for depth, sub in enumerate(reversed(path)):
            payloads = [{"type": 1 if depth == 0 else 2, "name": sub, "options": payloads}]
        data: JSON = {"id": str(self.platform.ids.next()), "name": name, "type": 1, "options": payloads}
        synced = [c for scope in (self.guild.id, None) for c in self.commands.get(scope, []) if c["name"] == name]
        if synced:
            data["id"] = synced[0]["id"]
            if "guild_id" in synced[0]:
                data["guild_id"] = synced[0]["guild_id"]
        if resolved:
            data["resolved"] = resolved
        return data

    async def _interact(
        self, user: FakeUser, kind: int, data: JSON, channel_id: int | None, message_id: int | None = None
    ) -> int:
        channel_id = channel_id or self.guild.first_channel_id
        guild = self.platform.guild_of(channel_id)
        interaction = Interaction(id=self.platform.ids.next(), channel_id=channel_id, message_id=message_id)
        token = secrets.token_urlsafe(24)
        self.platform.interactions[token] = interaction
        payload: JSON = {
            "id": str(interaction.id),
            "application_id": str(self.bot.id),
            "type": kind,
            "data": data,
            "token": token,
            "version": 1,
            "channel_id": str(channel_id),
            "locale": "en-US",
            "app_permissions": str(HOST_PERMISSIONS),
            "entitlements": [],
            "attachment_size_limit": 10 * 1024 * 1024,
        }
        if guild is not None:
            member = {**member_payload(guild, user), "permissions": str(permissions_of(user))}
            payload.update(guild_id=str(guild.id), guild_locale="en-US", member=member, context=0)
            payload["channel"] = channel_payload(guild, channel_id)
            payload["authorizing_integration_owners"] = {"0": str(guild.id)}
        else:
            payload.update(user=user_payload(user), context=1, channel=dm_channel_payload(channel_id, user))
            payload["authorizing_integration_owners"] = {"1": str(user.id)}
        if message_id is not None:
            payload["message"] = self.platform.messages[message_id]
        await self.dispatch("INTERACTION_CREATE", payload)
        return interaction.id

    # Waiting for the bot

    async def wait_for_sent(
        self,
        *,
        channel_id: int | None = None,
        interaction_id: int | None = None,
        kind: str | None = None,
        within: float | None = None,
    ) -> SentMessage:
        """The oldest message not returned before that matches every filter given."""

        def match(sent: SentMessage) -> bool:
            wanted = (channel_id, sent.channel_id), (interaction_id, sent.interaction_id), (kind, sent.kind)
            return all(want is None or want == got for want, got in wanted)

        return await self._wait(self.platform.sent, match, "matching message", within)

    async def wait_for_dm(self, user: FakeUser, *, within: float | None = None) -> SentMessage:
        """The oldest direct message to ``user`` not returned before."""
        return await self.wait_for_sent(channel_id=self.dm_channel_id(user.id), within=within)

    async def wait_for_callback(self, interaction_id: int, *, within: float | None = None) -> InteractionCallback:
        """The bot's answer to an interaction (any type: message, defer, update, autocomplete, modal)."""
        return await self._wait(
            self.platform.callbacks, lambda c: c.interaction_id == interaction_id, "interaction callback", within
        )

    async def wait_for_reaction(self, message_id: int, *, within: float | None = None) -> Reaction:
        """The oldest reaction the bot added to a message, not returned before."""
        return await self._wait(self.platform.reactions, lambda r: r.message_id == message_id, "reaction", within)

    async def wait_until(self, condition: Callable[[], bool], *, within: float | None = None) -> None:
        """Wait until ``condition()`` holds; it is checked again after every change to the records."""
        limit = self.timeout if within is None else within
        try:
            async with asyncio.timeout(limit), self.platform.changed:
                await self.platform.changed.wait_for(condition)
        except TimeoutError:
            raise AssertionError(f"condition not met within {limit}s: {condition}") from None

    async def _wait(
        self, records: list[Record], match: Callable[[Record], bool], what: str, within: float | None
    ) -> Record:
        def find() -> Record | None:
            return next((r for r in records if id(r) not in self._returned and match(r)), None)

        limit = self.timeout if within is None else within
        found = None
        try:
            async with asyncio.timeout(limit), self.platform.changed:
                found = await self.platform.changed.wait_for(find)
        except TimeoutError:
            pass
        if found is None:
            raise AssertionError(f"no {what} within {limit}s; records: {records}")
        self._returned.add(id(found))
        return found

    # The gateway

    async def _gateway(self, request: web.Request) -> web.WebSocketResponse:
        ws = web.WebSocketResponse()
        await ws.prepare(request)
        await self._send(ws, 10, {"heartbeat_interval": self.heartbeat_interval_ms})
        try:
            async for frame in ws:
                if frame.type is WSMsgType.TEXT:
                    await self._received(ws, json.loads(frame.data))
        finally:
            if self._ws is ws:
                self._ws = None
                self._connected.clear()
        return ws

    async def _send(self, ws: web.WebSocketResponse, op: int, data: Any, event: str | None = None) -> None:
        # One lock, so sequence numbers reach the bot in order.
        async with self._send_lock:
            frame: JSON = {"op": op, "d": data, "s": None, "t": event}
            if op == 0:
                self._seq += 1
                frame["s"] = self._seq
            await ws.send_str(json.dumps(frame))

    async def _received(self, ws: web.WebSocketResponse, frame: JSON) -> None:
        op = frame.get("op")
        data: Any = frame.get("d")
        if op == 1:
            await self._send(ws, 11, None)
        elif op == 2:
            await self._identified(ws, data)
        elif op == 3:
            self.presences.append(data)
        elif op == 6:
            # No resuming here: the client starts a new session, as after an expired one.
            await self._send(ws, 9, False)
        elif op == 8:
            await self._send(ws, 0, self._members_chunk(data), "GUILD_MEMBERS_CHUNK")
        else:
            _log.error("fake Discord got a gateway opcode it does not know: %s", frame)
            self.unknown.append(f"gateway op {op}")

    async def _identified(self, ws: web.WebSocketResponse, data: JSON) -> None:
        if data.get("token") != self.token:
            await ws.close(code=4004, message=b"Authentication failed.")
            return
        self.identify = {key: value for key, value in data.items() if key != "token"}
        self._ws, self._seq = ws, 0
        ready = {
            "v": 10,
            "user": {**user_payload(self.bot), "verified": True, "mfa_enabled": False, "flags": 0},
            "guilds": [{"id": str(self.guild.id), "unavailable": True}],
            "session_id": secrets.token_hex(16),
            "resume_gateway_url": self.gateway_url,
            "application": {"id": str(self.bot.id), "flags": 0},
            "private_channels": [],
            "relationships": [],
        }
        await self._send(ws, 0, ready, "READY")
        await self._send(ws, 0, guild_payload(self.guild, self.bot), "GUILD_CREATE")
        self._connected.set()

    def _members_chunk(self, request: JSON) -> JSON:
        members = [*self.guild.members, self.bot]
        if request.get("user_ids"):
            members = [m for m in members if m.id in {int(i) for i in request["user_ids"]}]
        if request.get("query"):
            members = [m for m in members if m.name.lower().startswith(str(request["query"]).lower())]
        if request.get("limit"):
            members = members[: int(request["limit"])]
        chunk: JSON = {"guild_id": str(self.guild.id), "chunk_index": 0, "chunk_count": 1, "not_found": []}
        chunk["members"] = [member_payload(self.guild, member) for member in members]
        if "nonce" in request:
            chunk["nonce"] = request["nonce"]
        return chunk
