"""The room monitor: follows a session game's Jackbox room and records its player count.

At most one watch runs per session game. Each change is one write that updates the row and
appends its event: ``game.status`` when the check's state changes (``monitoring``, then
``completed`` when the room closes, ``failed`` when it cannot be found or reached,
``stopped`` when a host stops it), ``player-count.updated`` when the count changes.

Adding a game with a room code starts a watch, and removing the game ends it: the monitor
follows ``game.added`` and ``game.removed`` on the event bus. Starting or stopping a watch
by hand takes the caller and is a host's only (NotHost).
"""

import asyncio
import contextlib
import logging
from typing import Any

from tallybot.core.errors import DomainError, Invalid, NotFound
from tallybot.core.events import new_event
from tallybot.core.gamenight.models import SessionGame
from tallybot.core.gamenight.ports import RoomWatcher
from tallybot.core.gamenight.sessions import SESSION_GAME_NOT_FOUND
from tallybot.core.models import Community, Event, Principal
from tallybot.core.ports import Clock, Database, EventBus, Transaction

log = logging.getLogger(__name__)

NO_ROOM_CODE = "Game does not have a room code"
MONITORING, COMPLETED, FAILED, STOPPED = "monitoring", "completed", "failed", "stopped"


class RoomMonitor:
    """Watches rooms in background tasks; ``close()`` ends them all."""

    def __init__(self, db: Database, clock: Clock, watcher: RoomWatcher, bus: EventBus) -> None:
        self._db = db
        self._clock = clock
        self._watcher = watcher
        self._bus = bus
        # The current watch of each session game, and every watch task not yet ended (for close).
        self._watches: dict[int, asyncio.Task[None]] = {}
        self._tasks: set[asyncio.Task[None]] = set()
        self._listener: asyncio.Task[None] | None = None

    def listen(self) -> None:
        """Follow the bus: start a watch for each game added with a room code, end it when the game goes."""
        if self._listener is None:
            self._listener = asyncio.create_task(self._follow_bus(), name="room-monitor-bus")

    async def close(self) -> None:
        """Cancel every watch and the bus listener, and wait for them to end."""
        tasks = list(self._tasks)
        if self._listener is not None:
            tasks.append(self._listener)
            self._listener = None
        for task in tasks:
            task.cancel()
        await asyncio.gather(*tasks, return_exceptions=True)
        self._watches.clear()

    def is_watching(self, session_game_id: int) -> bool:
        """Whether a watch of the session game is running."""
        return session_game_id in self._watches

    async def start(self, asker: Principal, community: Community, session_id: int, session_game_id: int) -> str:
        """Start (or restart) watching the game's room; the check is then ``monitoring``."""
        asker.check_host_of(community.id)
        await self._begin(community.id, session_id, session_game_id)
        return MONITORING

    async def stop(self, asker: Principal, community: Community, session_id: int, session_game_id: int) -> str:
        """Stop watching the game's room; the check is then ``stopped``."""
        asker.check_host_of(community.id)
        # Checked before anything is cancelled: an id from another community must not stop its watch.
        await self._read_game(community.id, session_id, session_game_id)
        await self._cancel(session_game_id)

        async def work(tx: Transaction) -> None:
            game = await self._game(tx, community.id, session_id, session_game_id)
            await tx.game_nights.set_count_check(session_game_id, STOPPED)
            await self._announce_check(tx, community.id, game, STOPPED)

        await self._db.write(work)
        return STOPPED

    async def _game(self, tx: Transaction, community_id: int, session_id: int, session_game_id: int) -> SessionGame:
        game = await tx.game_nights.game(community_id, session_id, session_game_id)
        if game is None:
            raise NotFound(SESSION_GAME_NOT_FOUND)
        return game

    async def _announce_check(
        self, tx: Transaction, community_id: int, game: SessionGame, status: str, count: int | None = None
    ) -> None:
        data: dict[str, Any] = {
            "sessionId": game.session_id,
            "sessionGameId": game.id,
            "roomCode": game.room_code,
            "playerCountCheckStatus": status,
            "playerCount": game.player_count if count is None else count,
        }
        await tx.outbox.append(new_event("game.status", community_id, data, self._clock()))

    async def _cancel(self, session_game_id: int) -> None:
        task = self._watches.pop(session_game_id, None)
        if task is not None and task is not asyncio.current_task():
            task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await task

    async def _read_game(self, community_id: int, session_id: int, session_game_id: int) -> SessionGame:
        async def work(tx: Transaction) -> SessionGame:
            return await self._game(tx, community_id, session_id, session_game_id)

        return await self._db.read(work)

    async def _begin(self, community_id: int, session_id: int, session_game_id: int) -> None:
        if not (await self._read_game(community_id, session_id, session_game_id)).room_code:
            raise Invalid(NO_ROOM_CODE)
        await self._cancel(session_game_id)

        async def work(tx: Transaction) -> SessionGame:
            game = await self._game(tx, community_id, session_id, session_game_id)
            if not game.room_code:
                raise Invalid(NO_ROOM_CODE)
            await tx.game_nights.set_count_check(session_game_id, MONITORING)
            await self._announce_check(tx, community_id, game, MONITORING)
            return game

        game = await self._db.write(work)
        assert game.room_code is not None
        # Two starts of one game may overlap: the later watch replaces the earlier one.
        previous = self._watches.get(game.id)
        if previous is not None:
            previous.cancel()
        task = asyncio.create_task(self._watch(community_id, game, game.room_code), name=f"room-monitor-{game.id}")
        self._watches[game.id] = task
        self._tasks.add(task)
        task.add_done_callback(lambda done: self._forget(game.id, done))

    def _forget(self, session_game_id: int, task: asyncio.Task[None]) -> None:
        self._tasks.discard(task)
        if not task.cancelled() and task.exception() is not None:
            log.error("the watch of session game %d broke", session_game_id, exc_info=task.exception())
        if self._watches.get(session_game_id) is task:
            del self._watches[session_game_id]

    async def _watch(self, community_id: int, game: SessionGame, room_code: str) -> None:
        """Follow the room until it closes (``completed``) or cannot be followed (``failed``)."""
        count = game.player_count
        outcome = COMPLETED
        try:
            async with contextlib.aclosing(self._watcher.watch(room_code)) as counts:
                async for new_count in counts:
                    if new_count != count:
                        count = new_count
                        await self._record_count(community_id, game, new_count)
        except DomainError as exc:
            log.info("room %s of session game %d: %s", room_code, game.id, exc)
            outcome = FAILED
        await self._finish(community_id, game, outcome, count)

    async def _record_count(self, community_id: int, game: SessionGame, count: int) -> None:
        async def work(tx: Transaction) -> None:
            await tx.game_nights.set_player_count(game.id, count, MONITORING)
            data = {"sessionId": game.session_id, "sessionGameId": game.id, "playerCount": count}
            await tx.outbox.append(new_event("player-count.updated", community_id, data, self._clock()))

        await self._db.write(work)

    async def _finish(self, community_id: int, game: SessionGame, outcome: str, count: int | None) -> None:
        async def work(tx: Transaction) -> None:
            # The game may have been removed meanwhile; then there is nothing to record.
            if await tx.game_nights.game(community_id, game.session_id, game.id) is None:
                return
            await tx.game_nights.set_count_check(game.id, outcome)
            await self._announce_check(tx, community_id, game, outcome, count)

        await self._db.write(work)

    async def _follow_bus(self) -> None:
        # A subscription that falls behind is cut off; subscribing again picks up from now.
        while True:
            subscription = self._bus.subscribe()
            try:
                async for event in subscription:
                    try:
                        await self._on_event(event)
                    except Exception:
                        # One event that cannot be handled must not stop the monitor following the rest.
                        log.exception("the room monitor could not handle %s", event.type)
            finally:
                subscription.close()

    async def _on_event(self, event: Event) -> None:
        if event.type == "game.removed":
            session_game_id = event.data.get("sessionGameId")
            if isinstance(session_game_id, int):
                await self._cancel(session_game_id)
        elif event.type == "game.added":
            added = event.data.get("game")
            if isinstance(added, dict) and added.get("room_code"):
                # The game may be gone again already; then there is nothing to watch.
                with contextlib.suppress(NotFound):
                    await self._begin(event.community_id, added["session_id"], added["id"])
