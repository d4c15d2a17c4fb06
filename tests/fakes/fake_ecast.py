"""A fake of Jackbox's ecast service on loopback: room lookups over REST and observer WebSockets.

A test opens rooms, moves players in and out, and closes rooms; every observer socket of the
room hears about it as the real service would tell it (``client/welcome`` with ``here``,
``client/connected``, ``client/disconnected``, ``room/exit``).
"""

import asyncio
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from typing import Any

from aiohttp import WSMsgType, web


@dataclass
class FakeRoom:
    """An open room: its clients by id (id 1 is the game itself, the host)."""

    code: str
    app_tag: str = "quiplash3"
    max_players: int = 8
    clients: dict[int, dict[str, Any]] = field(default_factory=lambda: {1: {"id": 1, "roles": {"host": {}}}})
    sockets: list[web.WebSocketResponse] = field(default_factory=list)


class FakeEcast:
    """The fake service; ``url`` is its REST base, and rooms live on its own host."""

    def __init__(self, *, wrap_body: bool = True) -> None:
        self.wrap_body = wrap_body
        self.rooms: dict[str, FakeRoom] = {}
        self.lookups: list[dict[str, str]] = []
        self.shard_queries: list[dict[str, str]] = []
        self.connected = asyncio.Condition()
        self.open_sockets = 0
        self._runner: web.AppRunner | None = None
        self.url = ""

    @property
    def host(self) -> str:
        return self.url.removeprefix("http://")

    def open_room(self, code: str, players: tuple[str, ...] = ()) -> FakeRoom:
        """Open a room with some players already in it."""
        room = FakeRoom(code)
        for name in players:
            self._add_client(room, name)
        self.rooms[code] = room
        return room

    def _add_client(self, room: FakeRoom, name: str) -> int:
        client_id = max(room.clients) + 1
        room.clients[client_id] = {"id": client_id, "roles": {"player": {"name": name}}}
        return client_id

    async def join(self, code: str, name: str) -> int:
        """A player joins; observers get ``client/connected``."""
        room = self.rooms[code]
        client_id = self._add_client(room, name)
        await self._tell(room, "client/connected", {**room.clients[client_id], "name": name, "reconnect": False})
        return client_id

    async def audience_joins(self, code: str) -> None:
        """Someone joins the audience, who is not a player."""
        room = self.rooms[code]
        client_id = max(room.clients) + 1
        room.clients[client_id] = {"id": client_id, "roles": {"audience": {}}}
        await self._tell(room, "client/connected", room.clients[client_id])

    async def leave(self, code: str, client_id: int) -> None:
        """A player leaves; observers get ``client/disconnected``."""
        room = self.rooms[code]
        del room.clients[client_id]
        await self._tell(room, "client/disconnected", {"id": client_id, "role": "player"})

    async def close_room(self, code: str) -> None:
        """The game ends: observers get ``room/exit`` and their sockets close."""
        room = self.rooms.pop(code)
        await self._tell(room, "room/exit", {"cause": 0})
        for socket in list(room.sockets):
            await socket.close()

    async def wait_for_sockets(self, count: int) -> None:
        """Wait until exactly ``count`` observer sockets are open."""
        async with asyncio.timeout(5), self.connected:
            await self.connected.wait_for(lambda: self.open_sockets == count)

    async def _tell(self, room: FakeRoom, opcode: str, result: dict[str, Any]) -> None:
        for socket in list(room.sockets):
            await socket.send_json({"pc": 1, "opcode": opcode, "result": result})

    async def _lookup(self, request: web.Request) -> web.Response:
        self.lookups.append({"code": request.match_info["code"], "user_agent": request.headers.get("User-Agent", "")})
        room = self.rooms.get(request.match_info["code"])
        if room is None:
            return web.json_response({"ok": False, "error": "no such room"}, status=404)
        body = {"appTag": room.app_tag, "host": self.host, "maxPlayers": room.max_players, "locked": False}
        return web.json_response({"ok": True, "body": body} if self.wrap_body else body)

    async def _play(self, request: web.Request) -> web.StreamResponse:
        room = self.rooms.get(request.match_info["code"])
        if room is None:
            raise web.HTTPNotFound()
        self.shard_queries.append(dict(request.query))
        socket = web.WebSocketResponse(protocols=("ecast-v0",))
        await socket.prepare(request)
        room.sockets.append(socket)
        await self._count_socket(1)
        try:
            shard_id = max(room.clients) + 1
            here = {str(client_id): client for client_id, client in room.clients.items()}
            welcome = {"id": shard_id, "reconnect": False, "here": here, "entities": {}}
            await socket.send_json({"pc": 0, "opcode": "client/welcome", "result": welcome})
            async for message in socket:
                if message.type is WSMsgType.ERROR:
                    break
        finally:
            room.sockets.remove(socket)
            await self._count_socket(-1)
        return socket

    async def _count_socket(self, change: int) -> None:
        async with self.connected:
            self.open_sockets += change
            self.connected.notify_all()

    @asynccontextmanager
    async def running(self) -> AsyncIterator["FakeEcast"]:
        """Serve on 127.0.0.1 until the block ends."""
        app = web.Application()
        app.router.add_get("/api/v2/rooms/{code}", self._lookup)
        app.router.add_get("/api/v2/rooms/{code}/play", self._play)
        self._runner = web.AppRunner(app)
        await self._runner.setup()
        site = web.TCPSite(self._runner, "127.0.0.1", 0)
        await site.start()
        host, port = self._runner.addresses[0][:2]
        self.url = f"http://{host}:{port}"
        try:
            yield self
        finally:
            await self._runner.cleanup()
