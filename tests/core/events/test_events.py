"""The in-process event bus: fan-out to every subscriber, and cutting off one that lags."""

import asyncio
from datetime import UTC, datetime

from tallybot.core.events import InProcessEventBus, new_event
from tallybot.core.models import Event

NOW = datetime(2026, 11, 23, tzinfo=UTC)


def event(n: int) -> Event:
    return new_event("test.tick", 1, {"n": n}, NOW)


async def collect(subscription: object, count: int) -> list[int]:
    seen: list[int] = []
    async for item in subscription:  # type: ignore[attr-defined]
        seen.append(item.data["n"])
        if len(seen) == count:
            break
    return seen


async def test_every_subscriber_receives_every_event_in_order() -> None:
    bus = InProcessEventBus()
    first, second = bus.subscribe(), bus.subscribe()
    bus.publish([event(1), event(2)])
    bus.publish([event(3)])
    assert await collect(first, 3) == [1, 2, 3]
    assert await collect(second, 3) == [1, 2, 3]


async def test_events_get_unique_ids() -> None:
    assert len({event(n).id for n in range(100)}) == 100


async def test_a_subscriber_that_falls_behind_is_cut_off_without_blocking_the_publisher() -> None:
    bus = InProcessEventBus(queue_size=3)
    slow, keeping_up = bus.subscribe(), bus.subscribe()
    reader = asyncio.create_task(collect(keeping_up, 5))
    for n in range(5):
        bus.publish([event(n)])
        await asyncio.sleep(0)
    assert await reader == [0, 1, 2, 3, 4]
    assert slow.overflowed
    assert await collect(slow, 10) == [0, 1, 2]
    assert bus.subscriber_count == 1


async def test_closing_a_subscription_ends_its_iteration() -> None:
    bus = InProcessEventBus()
    subscription = bus.subscribe()
    waiting = asyncio.create_task(collect(subscription, 1))
    await asyncio.sleep(0)
    subscription.close()
    assert await waiting == []
    assert bus.subscriber_count == 0
