"""Helpers for the webhook and event-stream tests: a fake receiver, virtual sleep, outbox writes."""

import asyncio
import contextlib
import json
from collections.abc import AsyncIterator, Awaitable, Callable
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path
from typing import Any

from aiohttp import web

from tallybot.core.events import new_event
from tallybot.core.models import Community, Event
from tallybot.core.services import Services
from tallybot.storage.db import SqliteDatabase
from tallybot.storage.transaction import SqliteTransaction
from tests.helpers import FakeClock

Publish = Callable[..., Awaitable[Event]]


@dataclass(frozen=True)
class Received:
    """One request that reached the fake receiver, and the status it answered."""

    headers: dict[str, str]
    body: str
    status: int

    @property
    def json(self) -> Any:
        return json.loads(self.body)

    @property
    def event_id(self) -> str:
        return self.headers["X-Webhook-Event-Id"]


class Receiver:
    """A webhook receiver for aiohttp's loopback test server: answers with scripted statuses.

    ``statuses`` are used one per request, then ``200`` for every later one.
    """

    def __init__(self, statuses: tuple[int, ...] = (), delay: float = 0.0) -> None:
        self.received: list[Received] = []
        self._statuses = list(statuses)
        self._delay = delay
        self._arrived = asyncio.Condition()
        self.app = web.Application()
        self.app.router.add_post("/hook", self._handle)

    async def _handle(self, request: web.Request) -> web.Response:
        body = await request.text()
        status = self._statuses.pop(0) if self._statuses else 200
        if self._delay:
            await asyncio.sleep(self._delay)
        async with self._arrived:
            self.received.append(Received(dict(request.headers), body, status))
            self._arrived.notify_all()
        return web.Response(status=status, text="thanks" if status < 300 else "down for maintenance")

    async def wait_for(self, count: int) -> list[Received]:
        """Wait (up to 5 s) until ``count`` requests have arrived."""
        async with asyncio.timeout(5), self._arrived:
            await self._arrived.wait_for(lambda: len(self.received) >= count)
        return self.received

    def acknowledged(self) -> list[str]:
        """The event ids this receiver answered with a 2xx, in order."""
        return [item.event_id for item in self.received if 200 <= item.status < 300]


class VirtualSleep:
    """An injectable sleep that moves the fake clock instead of waiting, and remembers each wait."""

    def __init__(self, clock: FakeClock) -> None:
        self.clock = clock
        self.waits: list[float] = []

    async def __call__(self, seconds: float) -> None:
        self.waits.append(seconds)
        self.clock.advance(timedelta(seconds=seconds))
        await asyncio.sleep(0)


@contextlib.asynccontextmanager
async def running(services: Services) -> AsyncIterator[None]:
    """Run the webhook dispatcher for the length of the block, then stop it cleanly."""
    task = asyncio.create_task(services.webhooks.run())
    try:
        yield
    finally:
        task.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await task


@contextlib.asynccontextmanager
async def outbox_writer(database: str, services: Services) -> AsyncIterator[Publish]:
    """A function that appends an event to the outbox with a real write on the same SQLite file.

    Its commits are published on the services' bus, as a service's would be.
    """
    db = SqliteDatabase(Path(database), on_commit=services.bus.publish)
    await db.open()

    async def publish(event_type: str, data: dict[str, Any], community: Community | None = None) -> Event:
        where = community or services.default_community
        event = new_event(event_type, where.id, data, services.clock())

        async def work(tx: SqliteTransaction) -> Event:
            return await tx.outbox.append(event)

        return await db.write(work)

    try:
        yield publish
    finally:
        await db.close()
