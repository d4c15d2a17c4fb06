"""Game-night sessions: starting and closing them, the games played, their statuses, room
codes and player counts, exports and chat imports.

A community has at most one active session. Every change, and the export, is a host's:
it takes the caller and raises NotHost for anyone else. Every change publishes an event
whose data carries ``sessionId``, so event streams can route it to the session's subscribers.
"""

import re
from collections.abc import Sequence
from dataclasses import replace
from datetime import datetime
from typing import Any

from tallybot.core.errors import Invalid, NotFound
from tallybot.core.events import new_event
from tallybot.core.gamenight.chat_import import ChatImportResult, import_chat
from tallybot.core.gamenight.models import ChatMessage, GameNight, GameStatus, SessionExport, SessionGame
from tallybot.core.models import Community, Principal
from tallybot.core.ports import Clock, Database, Transaction

SESSION_NOT_FOUND = "Session not found"
SESSION_GAME_NOT_FOUND = "Session game not found"
ACTIVE_EXISTS = "An active session already exists. Please close it before creating a new one."
BAD_STATUS = "Invalid status. Must be playing, played, or skipped"
ROOM_CODE_REQUIRED = "room_code is required"
BAD_ROOM_CODE = "room_code must be exactly 4 alphanumeric characters (A-Z, 0-9)"
PLAYER_COUNT_REQUIRED = "player_count is required"
BAD_PLAYER_COUNT = "player_count must be a positive number"
# Far above any real room (Jackbox audiences stop at 10,000); keeps the value a sane integer.
MAX_PLAYER_COUNT = 1_000_000
_ROOM_CODE = re.compile(r"[A-Z0-9]{4}")


def check_room_code(room_code: str | None) -> str:
    """A room code is exactly four of A-Z and 0-9."""
    if not room_code:
        raise Invalid(ROOM_CODE_REQUIRED)
    if not _ROOM_CODE.fullmatch(room_code):
        raise Invalid(BAD_ROOM_CODE)
    return room_code


class SessionService:
    """Game nights of each community and the games played in them."""

    def __init__(self, db: Database, clock: Clock) -> None:
        self._db = db
        self._clock = clock

    async def _session(self, tx: Transaction, community: Community, session_id: int) -> GameNight:
        session = await tx.game_nights.get(community.id, session_id)
        if session is None:
            raise NotFound(SESSION_NOT_FOUND)
        return session

    async def _session_game(self, tx: Transaction, community: Community, session_id: int, game_id: int) -> SessionGame:
        game = await tx.game_nights.game(community.id, session_id, game_id)
        if game is None:
            raise NotFound(SESSION_GAME_NOT_FOUND)
        return game

    async def _announce(self, tx: Transaction, community: Community, kind: str, data: dict[str, Any]) -> None:
        await tx.outbox.append(new_event(kind, community.id, data, self._clock()))

    async def all(self, community: Community) -> list[GameNight]:
        """Every session of the community, newest first."""

        async def work(tx: Transaction) -> list[GameNight]:
            return await tx.game_nights.all(community.id)

        return await self._db.read(work)

    async def active(self, community: Community) -> GameNight | None:
        """The community's active session, if there is one."""

        async def work(tx: Transaction) -> GameNight | None:
            return await tx.game_nights.active(community.id)

        return await self._db.read(work)

    async def get(self, community: Community, session_id: int) -> GameNight:
        """One session of the community, or NotFound."""

        async def work(tx: Transaction) -> GameNight:
            return await self._session(tx, community, session_id)

        return await self._db.read(work)

    async def start(self, asker: Principal, community: Community, notes: str | None) -> GameNight:
        """Start a session; Invalid (with ``activeSessionId``) while another one is active."""
        asker.check_host_of(community.id)

        async def work(tx: Transaction) -> GameNight:
            active = await tx.game_nights.active(community.id)
            if active is not None:
                raise Invalid(ACTIVE_EXISTS, details={"activeSessionId": active.id})
            session = await tx.game_nights.create(community.id, notes, self._clock())
            await self._announce(
                tx, community, "session.started", {"sessionId": session.id, "session": session.as_data()}
            )
            return session

        return await self._db.write(work)

    async def close(self, asker: Principal, community: Community, session_id: int, notes: str | None) -> GameNight:
        """Close a session; its playing game becomes played. ``notes``, if given, replace the old ones."""
        asker.check_host_of(community.id)

        async def work(tx: Transaction) -> GameNight:
            session = await self._session(tx, community, session_id)
            if not session.is_active:
                raise Invalid("Session is already closed")
            await tx.game_nights.close(session_id, notes, self._clock())
            closed = await self._session(tx, community, session_id)
            await self._announce(tx, community, "session.ended", {"sessionId": session_id, "session": closed.as_data()})
            return closed

        return await self._db.write(work)

    async def delete(self, asker: Principal, community: Community, session_id: int) -> None:
        """Delete a closed session with its games, votes and chat logs."""
        asker.check_host_of(community.id)

        async def work(tx: Transaction) -> None:
            session = await self._session(tx, community, session_id)
            if session.is_active:
                raise Invalid("Cannot delete an active session. Please close it first.")
            await tx.game_nights.delete(session_id)

        await self._db.write(work)

    async def games(self, community: Community, session_id: int) -> list[SessionGame]:
        """The games of a session in the order they were played."""

        async def work(tx: Transaction) -> list[SessionGame]:
            await self._session(tx, community, session_id)
            return await tx.game_nights.games(community.id, session_id)

        return await self._db.read(work)

    async def add_game(
        self,
        asker: Principal,
        community: Community,
        session_id: int,
        game_id: int,
        manually_added: bool,
        room_code: str | None,
    ) -> SessionGame:
        """Start playing a game: the playing one becomes played, and the game's play count goes up."""
        asker.check_host_of(community.id)
        code = None if room_code is None else check_room_code(room_code)

        async def work(tx: Transaction) -> SessionGame:
            session = await self._session(tx, community, session_id)
            if not session.is_active:
                raise Invalid("Cannot add games to a closed session")
            if await tx.games.get(community.id, game_id) is None:
                raise NotFound("Game not found")
            row_id = await tx.game_nights.add_game(session_id, game_id, manually_added, code, self._clock())
            await tx.game_nights.count_play(community.id, game_id)
            added = await self._session_game(tx, community, session_id, row_id)
            data = {
                "sessionId": session_id,
                "session": replace(session, games_played=session.games_played + 1).as_data(),
                "game": added.as_added_data(),
            }
            await self._announce(tx, community, "game.added", data)
            return added

        return await self._db.write(work)

    async def set_status(
        self, asker: Principal, community: Community, session_id: int, session_game_id: int, status: str | None
    ) -> GameStatus:
        """Set a session game's status; making it playing makes the playing one played."""
        asker.check_host_of(community.id)
        if status not in tuple(GameStatus):
            raise Invalid(BAD_STATUS)
        new_status = GameStatus(status)

        async def work(tx: Transaction) -> GameStatus:
            await self._session_game(tx, community, session_id, session_game_id)
            await tx.game_nights.set_status(session_id, session_game_id, new_status)
            data = {"sessionId": session_id, "sessionGameId": session_game_id, "status": new_status.value}
            await self._announce(tx, community, "game.status", data)
            return new_status

        return await self._db.write(work)

    async def remove_game(self, asker: Principal, community: Community, session_id: int, session_game_id: int) -> None:
        """Take a game out of a session (announced as ``game.removed``, so a room monitor stops)."""
        asker.check_host_of(community.id)

        async def work(tx: Transaction) -> None:
            game = await self._session_game(tx, community, session_id, session_game_id)
            await tx.game_nights.remove_game(session_game_id)
            data = {"sessionId": session_id, "sessionGameId": session_game_id, "gameId": game.game_id}
            await self._announce(tx, community, "game.removed", data)

        await self._db.write(work)

    async def set_room_code(
        self, asker: Principal, community: Community, session_id: int, session_game_id: int, room_code: str | None
    ) -> SessionGame:
        """Record a session game's room code; returns the updated game."""
        asker.check_host_of(community.id)
        code = check_room_code(room_code)

        async def work(tx: Transaction) -> SessionGame:
            await self._session_game(tx, community, session_id, session_game_id)
            await tx.game_nights.set_room_code(session_game_id, code)
            data = {"sessionId": session_id, "sessionGameId": session_game_id, "roomCode": code}
            await self._announce(tx, community, "room-code.updated", data)
            return await self._session_game(tx, community, session_id, session_game_id)

        return await self._db.write(work)

    async def set_player_count(
        self, asker: Principal, community: Community, session_id: int, session_game_id: int, player_count: int | None
    ) -> int:
        """Record how many played (the count check is then ``completed``)."""
        asker.check_host_of(community.id)
        if player_count is None:
            raise Invalid(PLAYER_COUNT_REQUIRED)
        if player_count < 0:
            raise Invalid(BAD_PLAYER_COUNT)
        if player_count > MAX_PLAYER_COUNT:
            raise Invalid(f"player_count must be at most {MAX_PLAYER_COUNT:,}")

        async def work(tx: Transaction) -> int:
            await self._session_game(tx, community, session_id, session_game_id)
            await tx.game_nights.set_player_count(session_game_id, player_count, "completed")
            data = {"sessionId": session_id, "sessionGameId": session_game_id, "playerCount": player_count}
            await self._announce(tx, community, "player-count.updated", data)
            return player_count

        return await self._db.write(work)

    async def export(self, asker: Principal, community: Community, session_id: int) -> SessionExport:
        """A session with its games and imported chat, for download."""
        asker.check_host_of(community.id)

        async def work(tx: Transaction) -> SessionExport:
            session = await self._session(tx, community, session_id)
            games = await tx.game_nights.games(community.id, session_id)
            return SessionExport(session, games, await tx.votes.chat_logs(session_id))

        return await self._db.read(work)

    async def import_chat(
        self, asker: Principal, community: Community, session_id: int, messages: Sequence[ChatMessage]
    ) -> ChatImportResult:
        """Store a session's chat log and count its votes, all in one unit of work."""
        asker.check_host_of(community.id)
        now: datetime = self._clock()

        async def work(tx: Transaction) -> ChatImportResult:
            return await import_chat(tx, community.id, session_id, messages, now)

        return await self._db.write(work)
