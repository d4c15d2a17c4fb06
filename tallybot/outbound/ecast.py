"""A client for Jackbox's ecast service: is a room open, and how many players are in it.

A room is looked up over REST (``GET {base}/api/v2/rooms/{code}``), then watched through an
observer ("shard") WebSocket on the room's host. The welcome message lists everyone in the
room (``here``); ``client/connected`` and ``client/disconnected`` follow the changes, and the
room closing ends the watch.
"""

import logging
from collections.abc import AsyncGenerator, Mapping
from dataclasses import dataclass
from typing import Any

import aiohttp

from tallybot.core.errors import NotFound, Unavailable

log = logging.getLogger(__name__)

ROOM_NOT_FOUND = "Room not found"
USER_AGENT = "tallybot-room-monitor/1.0"
# Opcodes after which the room is gone for good.
_ROOM_CLOSED = frozenset({"room/exit", "room/closed"})


@dataclass(frozen=True)
class EcastRoom:
    """What the REST lookup says about an open room."""

    code: str
    host: str
    max_players: int | None
    locked: bool
    app_tag: str | None


def _is_player(client: Any) -> bool:
    """Whether an entry of ``here`` (or a connected client) is a player, not the host or an observer."""
    return isinstance(client, Mapping) and isinstance(client.get("roles"), Mapping) and "player" in client["roles"]


class EcastClient:
    """Implements ``RoomWatcher`` against ecast. ``socket_scheme`` is ``ws`` only for tests on loopback."""

    def __init__(
        self, base_url: str, *, socket_scheme: str = "wss", timeout_seconds: float = 10.0, name: str = "tallybot"
    ) -> None:
        self._base_url = base_url.rstrip("/")
        self._socket_scheme = socket_scheme
        self._timeout = aiohttp.ClientTimeout(total=timeout_seconds)
        self._name = name
        # No total timeout on the session: a watch lasts as long as the room; requests set their own.
        self._session = aiohttp.ClientSession(
            headers={"User-Agent": USER_AGENT}, timeout=aiohttp.ClientTimeout(total=None, sock_connect=timeout_seconds)
        )

    async def close(self) -> None:
        """Close the connection pool (and with it any socket still open)."""
        await self._session.close()

    async def room(self, code: str) -> EcastRoom:
        """Look a room up: NotFound when there is no such room, Unavailable when ecast cannot be asked."""
        try:
            async with self._session.get(f"{self._base_url}/api/v2/rooms/{code}", timeout=self._timeout) as response:
                if response.status == 404:
                    raise NotFound(ROOM_NOT_FOUND)
                if response.status != 200:
                    raise Unavailable(f"ecast answered {response.status}")
                body = await response.json(content_type=None)
        except (aiohttp.ClientError, TimeoutError, ValueError) as exc:
            raise Unavailable("ecast cannot be reached") from exc
        # Some ecast versions wrap the room as {"ok": true, "body": {...}}.
        if isinstance(body, Mapping) and isinstance(body.get("body"), Mapping):
            body = body["body"]
        if not isinstance(body, Mapping) or not isinstance(body.get("host"), str) or not body["host"]:
            raise Unavailable("ecast sent no room host")
        max_players = body.get("maxPlayers")
        app_tag = body.get("appTag")
        return EcastRoom(
            code=code,
            host=body["host"],
            max_players=max_players if isinstance(max_players, int) else None,
            locked=body.get("locked") is True,
            app_tag=app_tag if isinstance(app_tag, str) else None,
        )

    async def watch(self, room_code: str) -> AsyncGenerator[int, None]:
        """The room's player count, again after each change; ends when the room closes."""
        room = await self.room(room_code)
        log.info("watching room %s (%s, max %s players)", room.code, room.app_tag, room.max_players)
        url = f"{self._socket_scheme}://{room.host}/api/v2/rooms/{room.code}/play"
        params = {"role": "shard", "name": self._name, "format": "json"}
        try:
            async with self._session.ws_connect(
                url, params=params, protocols=("ecast-v0",), heartbeat=30.0, timeout=aiohttp.ClientWSTimeout(ws_close=5)
            ) as socket:
                players: set[str] = set()
                async for message in socket:
                    if message.type is not aiohttp.WSMsgType.TEXT:
                        break
                    frame = message.json()
                    opcode = frame.get("opcode") if isinstance(frame, Mapping) else None
                    if opcode in _ROOM_CLOSED:
                        return
                    if opcode == "error":
                        raise Unavailable("ecast refused the room's socket")
                    count = self._apply(players, opcode, frame.get("result"))
                    if count is not None:
                        yield count
        except (aiohttp.ClientError, ValueError) as exc:
            raise Unavailable("the room's socket cannot be reached") from exc

    @staticmethod
    def _apply(players: set[str], opcode: Any, result: Any) -> int | None:
        """Apply one socket message to the ids of the players here: the new count, or None if unchanged."""
        if not isinstance(result, Mapping):
            return None
        if opcode == "client/welcome":
            here = result.get("here")
            entries = here.items() if isinstance(here, Mapping) else ()
            players.clear()
            players.update(str(key) for key, client in entries if _is_player(client))
            return len(players)
        client_id = str(result.get("id"))
        if opcode == "client/connected" and _is_player(result):
            players.add(client_id)
            return len(players)
        if opcode == "client/disconnected" and client_id in players:
            players.discard(client_id)
            return len(players)
        return None
