"""A webhook receiver that is down for 60 s, then back, gets every event exactly once, in order.

The outage is simulated time: the dispatcher's sleep moves a fake clock instead of
waiting, and each time it sleeps, the traffic that would have happened meanwhile happens
(an event is appended every ``TRAFFIC_EVERY`` seconds), and the receiver comes back once
``OUTAGE`` has passed. The receiver is real, on 127.0.0.1: while down it either refuses
connections (nothing listens on its port) or answers 503. The delivery settings are the
defaults from bot.toml.example.
"""

import asyncio
import json
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, replace
from datetime import datetime, timedelta

import pytest
from aiohttp import web
from pytest_aiohttp import AiohttpServer

from tallybot.bot.__main__ import open_services
from tallybot.core.events import DeliveryOutcome
from tallybot.core.models import Event
from tallybot.settings import Settings, WebhookSettings
from tests.helpers import FakeClock, host_of, until
from tests.live_server import free_port
from tests.webhook_helpers import Publish, outbox_writer, running

OUTAGE = timedelta(seconds=60)
TRAFFIC_EVERY = timedelta(seconds=5)
SECRET = "outage test secret"


@dataclass(frozen=True)
class Arrival:
    """A request that reached the receiver: its event, the answer, and the simulated time."""

    event_id: str
    status: int
    at: datetime


class Receiver:
    """A webhook receiver that answers 503 until ``back_at``, then 200."""

    def __init__(self, clock: FakeClock, back_at: datetime) -> None:
        self.arrivals: list[Arrival] = []
        self._clock = clock
        self._back_at = back_at
        self.app = web.Application()
        self.app.router.add_post("/hook", self._handle)

    async def _handle(self, request: web.Request) -> web.Response:
        event_id = json.loads(await request.text())["id"]
        status = 503 if self._clock() < self._back_at else 200
        self.arrivals.append(Arrival(event_id, status, self._clock()))
        return web.Response(status=status)

    def acknowledged(self) -> list[str]:
        """The event ids answered with 200, in the order they arrived."""
        return [arrival.event_id for arrival in self.arrivals if arrival.status == 200]


class Outage:
    """The dispatcher's sleep: moves the fake clock to the next thing that happens, and makes it happen.

    Things that happen: an appended event every ``TRAFFIC_EVERY`` until the receiver is
    back, and the receiver coming back. A sleep that reaches one returns there, early, as a
    sleep woken by that event would; the dispatcher then sleeps again for what is left.
    Each step runs shielded and one at a time, and moves the clock before it acts, so the
    dispatcher always reckons from where the clock really is.
    """

    def __init__(self, clock: FakeClock, back_at: datetime, come_back: Callable[[], Awaitable[None]]) -> None:
        self.clock = clock
        self.back_at = back_at
        self.published: list[Event] = []
        self.publish: Publish | None = None
        self._come_back = come_back
        self._back = False
        self._next_event = clock() + TRAFFIC_EVERY
        self._lock = asyncio.Lock()

    async def __call__(self, seconds: float) -> None:
        await asyncio.shield(self._step(timedelta(seconds=seconds)))

    async def _step(self, span: timedelta) -> None:
        async with self._lock:
            end = self.clock() + span
            if self._back or min(self._next_event, self.back_at) > end:
                self.clock.now = end
            elif self._next_event < self.back_at:
                self.clock.now = self._next_event
                self._next_event += TRAFFIC_EVERY
                assert self.publish is not None
                self.published.append(await self.publish("vote.received", {"n": len(self.published)}))
            else:
                self.clock.now = self.back_at
                self._back = True
                await self._come_back()
        await asyncio.sleep(0)


@pytest.fixture
def settings(settings: Settings) -> Settings:
    return replace(settings, webhooks=replace(WebhookSettings(), allow_private=True))


@pytest.mark.parametrize("down", ["refusing connections", "answering 503"])
async def test_a_receiver_down_for_60_seconds_then_back_gets_every_event_exactly_once_in_order(
    settings: Settings, clock: FakeClock, aiohttp_server: AiohttpServer, down: str
) -> None:
    start = clock()
    receiver = Receiver(clock, start + OUTAGE)
    port = free_port()

    async def come_back() -> None:
        if down == "refusing connections":
            await aiohttp_server(receiver.app, port=port)

    if down == "answering 503":
        await aiohttp_server(receiver.app, port=port)
    outage = Outage(clock, start + OUTAGE, come_back)
    async with open_services(settings, clock=clock, sleep=outage) as services:
        where = services.default_community
        url = f"http://127.0.0.1:{port}/hook"
        hook = await services.webhooks.create(host_of(where), where, "overlay", url, SECRET, ["vote.received"])
        async with outbox_writer(settings.storage.path, services) as publish:
            outage.publish = publish
            before = [await publish("vote.received", {"n": -n}) for n in (3, 2, 1)]
            async with running(services):
                await until(lambda: len(receiver.acknowledged()) == len(before) + len(outage.published))
                after = [await publish("vote.received", {"n": 100 + n}) for n in range(3)]
                sent = before + outage.published + after
                await until(lambda: len(receiver.acknowledged()) == len(sent))

                async def all_recorded() -> bool:
                    return len(await services.webhooks.logs(host_of(where), where, hook.id, limit=100)) == len(sent) + 3

                # The last answer is recorded just after it arrives; stopping sooner would cut that short.
                await until(all_recorded)
        log = list(reversed(await services.webhooks.logs(host_of(where), where, hook.id, limit=100)))

    assert [event.occurred_at - start for event in outage.published] == [TRAFFIC_EVERY * n for n in range(1, 12)]
    assert receiver.acknowledged() == [event.id for event in sent]
    assert all(arrival.at >= start + OUTAGE for arrival in receiver.arrivals if arrival.status == 200)
    # Only the oldest event was tried while the receiver was down, so none could overtake it.
    failed = [(a.request.event_id, a.sent_at - start, a.outcome) for a in log if a.outcome is not DeliveryOutcome.OK]
    assert failed == [(before[0].id, timedelta(seconds=s), DeliveryOutcome.ERROR) for s in (0, 10, 30)]
    assert [a.request.event_id for a in log if a.outcome is DeliveryOutcome.OK] == [event.id for event in sent]
    assert log[3].sent_at - start == timedelta(seconds=70)
    expected_statuses = [503, 503, 503] if down == "answering 503" else []
    assert [a.status for a in receiver.arrivals if a.status != 200] == expected_statuses
