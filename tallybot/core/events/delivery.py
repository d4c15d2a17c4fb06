"""Webhook delivery: which events go to which webhook, how requests are signed, and the dispatcher.

How an event reaches a receiver, durably:

1. A service appends the event to the outbox in the same transaction as its change.
2. The dispatcher reads the outbox after its cursor and matches each event against the
   enabled webhooks. Every match becomes a ``webhook_deliveries`` row, written together
   with the new cursor. The cursor is only saved with matches (or every ``SAVE_CURSOR_EVERY``
   events), so after a restart some events are matched again; the rows are unique per
   (webhook, event), so that adds nothing twice.
3. For each webhook, only the oldest pending delivery is ever in flight, so a receiver gets
   its events in outbox order. A 2xx answer settles it; anything else schedules a retry
   with exponential backoff, until the retry budget is spent and the delivery is given up.
   Every attempt is recorded. A delivery still pending at shutdown is sent after a restart.

A receiver may see an event id again only when it did not answer the previous attempt
with a 2xx (or the process stopped between its answer and the record of it).
"""

import asyncio
import hashlib
import hmac
import json
import logging
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import datetime, timedelta

from tallybot.core.events.models import DeliveryOutcome, DueDelivery, Webhook, WebhookRequest, WebhookResponse
from tallybot.core.events.ports import WebhookSender
from tallybot.core.models import Event
from tallybot.core.ports import Clock, Database, EventBus, EventSubscription, Transaction
from tallybot.core.wire import utc_ms

log = logging.getLogger(__name__)

Sleep = Callable[[float], Awaitable[None]]

SIGNATURE_HEADER = "X-Webhook-Signature"
TIMESTAMP_HEADER = "X-Webhook-Timestamp"
EVENT_ID_HEADER = "X-Webhook-Event-Id"
EVENT_TYPE_HEADER = "X-Webhook-Event"
USER_AGENT = "tallybot-webhooks/1"
SAVE_CURSOR_EVERY = 5000


@dataclass(frozen=True)
class DeliveryPolicy:
    """The retry budget and backoff schedule, and how much history is kept."""

    max_attempts: int = 10
    backoff: timedelta = timedelta(seconds=10)
    max_backoff: timedelta = timedelta(hours=1)
    batch: int = 500
    keep_attempts: int = 500

    def retry_delay(self, failed_attempts: int) -> timedelta:
        """The wait after the n-th failed attempt: backoff, doubled each time, capped."""
        delay: timedelta = self.backoff * 2 ** (failed_attempts - 1)
        return min(delay, self.max_backoff)


def matches(webhook: Webhook, event: Event) -> bool:
    """True if the webhook wants this event: its community, a subscribed type, newer, and the filter holds."""
    if not webhook.enabled or event.community_id != webhook.community_id:
        return False
    if event.sequence is None or event.sequence <= webhook.after_sequence:
        return False
    if "*" not in webhook.events and event.type not in webhook.events:
        return False
    # Compare types too, so that a filter of 1 does not match True, nor "13" match 13.
    return all(
        name in event.data and type(event.data[name]) is type(value) and event.data[name] == value
        for name, value in webhook.data_filter.items()
    )


def sign(secret: str, timestamp: str, body: str) -> str:
    """The hex HMAC-SHA256 of ``f"{timestamp}.{body}"`` under the webhook's secret."""
    return hmac.new(secret.encode(), f"{timestamp}.{body}".encode(), hashlib.sha256).hexdigest()


def build_request(url: str, secret: str, event: Event, now: datetime) -> WebhookRequest:
    """The signed POST for one event. The timestamp is the sending time, so a retry is signed afresh."""
    body = json.dumps({"id": event.id, "type": event.type, "timestamp": utc_ms(event.occurred_at), "data": event.data})
    timestamp = str(int(now.timestamp()))
    headers = {
        "Content-Type": "application/json",
        "User-Agent": USER_AGENT,
        TIMESTAMP_HEADER: timestamp,
        EVENT_ID_HEADER: event.id,
        EVENT_TYPE_HEADER: event.type,
        SIGNATURE_HEADER: "sha256=" + sign(secret, timestamp, body),
    }
    return WebhookRequest(url=url, headers=headers, body=body, event_id=event.id, event_type=event.type)


def outcome_of(response: WebhookResponse) -> DeliveryOutcome:
    """Only a 2xx answer counts as delivered."""
    if response.failure is not None:
        return response.failure
    if response.status is not None and 200 <= response.status < 300:
        return DeliveryOutcome.OK
    return DeliveryOutcome.ERROR


class WebhookDispatcher:
    """The long-running loop that turns outbox events into signed, retried deliveries."""

    def __init__(
        self,
        db: Database,
        bus: EventBus,
        sender: WebhookSender,
        clock: Clock,
        policy: DeliveryPolicy,
        sleep: Sleep = asyncio.sleep,
    ) -> None:
        self._db = db
        self._bus = bus
        self._sender = sender
        self._clock = clock
        self._policy = policy
        self._sleep = sleep
        self._wake = asyncio.Event()
        self._in_flight: set[int] = set()
        # Whether the queue heads may have changed since they were last read, and when the
        # earliest waiting one falls due; they are read again only when needed.
        self._heads_changed = True
        self._next_due: datetime | None = None
        self._cursor = 0
        self._saved_cursor = 0
        self._subscription: EventSubscription | None = None

    def wake(self) -> None:
        """Look for new events and due deliveries now (say so after changing a webhook)."""
        self._heads_changed = True
        self._wake.set()

    async def run(self) -> None:
        """Deliver until cancelled; cancelling stops in-flight requests, which are sent again later."""

        async def cursor(tx: Transaction) -> int:
            return await tx.webhooks.cursor()

        self._cursor = self._saved_cursor = await self._db.read(cursor)
        # Subscribed before the first look at the outbox, so no event falls in between.
        self._subscription = self._bus.subscribe()
        try:
            async with asyncio.TaskGroup() as group:
                group.create_task(self._listen(), name="webhook-wakeups")
                while True:
                    self._wake.clear()
                    try:
                        await self._match_new_events()
                        if self._heads_changed:
                            self._heads_changed = False
                            self._next_due = await self._start_due(group)
                    except Exception:
                        log.exception("the webhook dispatcher failed a round; trying again shortly")
                        self._heads_changed = True
                        self._next_due = self._clock() + self._policy.backoff
                    await self._wait()
        finally:
            self._subscription.close()

    async def _listen(self) -> None:
        # Only the wake-up matters: the events themselves are read from the outbox. A
        # subscription cut off for lagging is replaced, and the outbox has the rest.
        while self._subscription is not None:
            async for _event in self._subscription:
                self._wake.set()
            self._subscription = self._bus.subscribe()
            self._wake.set()

    async def _wait(self) -> None:
        """Until woken, or until the earliest waiting delivery falls due."""
        if self._next_due is None:
            await self._wake.wait()
            return
        delay = (self._next_due - self._clock()).total_seconds()
        sleeper = asyncio.ensure_future(self._sleep(max(delay, 0.0)))
        woken = asyncio.ensure_future(self._wake.wait())
        try:
            await asyncio.wait({sleeper, woken}, return_when=asyncio.FIRST_COMPLETED)
        finally:
            sleeper.cancel()
            woken.cancel()
            await asyncio.gather(sleeper, woken, return_exceptions=True)
        if self._next_due <= self._clock():
            self._heads_changed = True

    async def _match_new_events(self) -> None:
        while await self._match_batch():
            pass

    async def _match_batch(self) -> bool:
        """Match the next batch of outbox events; True if there may be more."""
        after = self._cursor

        async def load(tx: Transaction) -> tuple[list[Event], list[Webhook]]:
            return await tx.outbox.after(after, self._policy.batch), await tx.webhooks.enabled()

        events, webhooks = await self._db.read(load)
        if not events:
            return False
        last = events[-1].sequence
        assert last is not None
        pairs = [(hook.id, event.sequence) for event in events for hook in webhooks if matches(hook, event)]
        if pairs or last - self._saved_cursor >= SAVE_CURSOR_EVERY:
            now = self._clock()

            async def save(tx: Transaction) -> None:
                for webhook_id, sequence in pairs:
                    assert sequence is not None
                    await tx.webhooks.enqueue(webhook_id, sequence, now)
                await tx.webhooks.set_cursor(last)

            await self._db.write(save)
            self._saved_cursor = last
            self._heads_changed = self._heads_changed or bool(pairs)
        self._cursor = last
        return len(events) == self._policy.batch

    async def _start_due(self, group: asyncio.TaskGroup) -> datetime | None:
        """Start every delivery that is due; returns when the earliest other one falls due."""

        async def due(tx: Transaction) -> list[DueDelivery]:
            return await tx.webhooks.due()

        # A delivery that finishes while the heads are read may show up in them as still
        # pending; its webhook counts as busy for this round (its finish wakes the next).
        busy = set(self._in_flight)
        heads = await self._db.read(due)
        now = self._clock()
        next_due: datetime | None = None
        for delivery in heads:
            if delivery.webhook_id in busy or delivery.webhook_id in self._in_flight:
                continue
            if delivery.next_attempt_at <= now:
                self._in_flight.add(delivery.webhook_id)
                group.create_task(self._deliver(delivery), name=f"webhook-{delivery.webhook_id}")
            elif next_due is None or delivery.next_attempt_at < next_due:
                next_due = delivery.next_attempt_at
        return next_due

    async def _deliver(self, delivery: DueDelivery) -> None:
        try:
            await self._attempt(delivery)
        except Exception:
            log.exception("webhook %d: delivery %d could not be attempted", delivery.webhook_id, delivery.id)
            await self._sleep(self._policy.backoff.total_seconds())
        finally:
            self._in_flight.discard(delivery.webhook_id)
            self.wake()

    async def _attempt(self, delivery: DueDelivery) -> None:
        attempt = delivery.attempts + 1
        sent_at = self._clock()
        request = build_request(delivery.url, delivery.secret, delivery.event, sent_at)
        response = await self._sender.send(request)
        outcome = outcome_of(response)
        finished_at = self._clock()
        if outcome is not DeliveryOutcome.OK:
            log.info("webhook %d: attempt %d of event %s: %s", delivery.webhook_id, attempt, request.event_id, outcome)

        async def record(tx: Transaction) -> None:
            # The webhook may have been deleted while the request was on its way.
            if await tx.webhooks.get(delivery.event.community_id, delivery.webhook_id) is None:
                return
            repo = tx.webhooks
            await repo.add_attempt(delivery.webhook_id, delivery.id, attempt, sent_at, outcome, request, response)
            await repo.prune_attempts(delivery.webhook_id, self._policy.keep_attempts)
            if outcome is DeliveryOutcome.OK:
                await repo.settle(delivery.id, "delivered", attempt, finished_at)
            elif attempt >= self._policy.max_attempts:
                await repo.settle(delivery.id, "failed", attempt, finished_at)
            else:
                retry_at = finished_at + self._policy.retry_delay(attempt)
                await repo.settle(delivery.id, "pending", attempt, retry_at)

        await self._db.write(record)
