"""Events: how a change is described, and the in-process bus that fans them out.

Services append events to the outbox inside their write transaction; the database hands
the committed ones to the bus, which copies them to every subscriber's queue.
"""

import asyncio
import logging
import uuid
from collections.abc import AsyncIterator, Mapping, Sequence
from datetime import datetime
from typing import Any

from tallybot.core.models import Event

log = logging.getLogger(__name__)


def new_event(event_type: str, community_id: int, data: Mapping[str, Any], now: datetime) -> Event:
    """Describe a change; the id is unique so that consumers can deduplicate."""
    return Event(id=str(uuid.uuid4()), type=event_type, community_id=community_id, occurred_at=now, data=data)


class QueueSubscription:
    """One subscriber's bounded queue. A subscriber that falls too far behind is cut off."""

    def __init__(self, bus: "InProcessEventBus", maxsize: int) -> None:
        self._bus = bus
        self._maxsize = maxsize
        # Unbounded underneath; ``offer`` enforces the bound so the end marker always fits.
        self._queue: asyncio.Queue[Event | None] = asyncio.Queue()
        self._closed = False
        self.overflowed = False

    def offer(self, event: Event) -> None:
        """Queue an event, or end the subscription if the subscriber is not keeping up."""
        if self._closed:
            return
        if self._queue.qsize() >= self._maxsize:
            # Blocking the publisher would stall every write; dropping silently would
            # lie to the subscriber. Ending the stream lets it reconnect and resync.
            self.overflowed = True
            self.close()
            return
        self._queue.put_nowait(event)

    def close(self) -> None:
        """Stop receiving events; a pending iteration ends after what is already queued."""
        if self._closed:
            return
        self._closed = True
        self._bus.unsubscribe(self)
        self._queue.put_nowait(None)

    async def __aiter__(self) -> AsyncIterator[Event]:
        while True:
            event = await self._queue.get()
            if event is None:
                return
            yield event


class InProcessEventBus:
    """Fans committed events out to subscribers in this process."""

    def __init__(self, queue_size: int = 1000) -> None:
        self._queue_size = queue_size
        self._subscribers: set[QueueSubscription] = set()

    def publish(self, events: Sequence[Event]) -> None:
        """Copy each event to every subscriber."""
        for subscriber in list(self._subscribers):
            for event in events:
                subscriber.offer(event)

    def subscribe(self) -> QueueSubscription:
        """Start receiving events published from now on."""
        subscription = QueueSubscription(self, self._queue_size)
        self._subscribers.add(subscription)
        return subscription

    def unsubscribe(self, subscription: QueueSubscription) -> None:
        """Forget a subscriber; safe to call twice."""
        self._subscribers.discard(subscription)

    @property
    def subscriber_count(self) -> int:
        """How many subscribers are listening."""
        return len(self._subscribers)
