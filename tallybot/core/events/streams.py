"""Live event streams: which committed events reach which WebSocket or SSE client.

Game-night events hold nothing private; every one of them carries ``data.sessionId``.

- ``/api/sessions/live`` (the original protocol): ``session.started`` goes to every
  authenticated client of the community, every other event to the clients subscribed to
  its session.
- the read-only overlay streams, by topic: every game-night event of the community (or
  one session's), or the events of one poker session or one coffee group. Poker and
  coffee topics are for overlays with read access; what they show of an event is cut to
  ``shown_data``, so a vote never carries its card.
"""

import weakref
from dataclasses import dataclass
from typing import Any

from tallybot.core.models import Community, Event
from tallybot.core.ports import Database, EventBus, EventSubscription, Transaction

GAME_NIGHT_EVENTS = frozenset(
    {
        "session.started",
        "session.ended",
        "game.added",
        "game.status",
        "room-code.updated",
        "player-count.updated",
        "vote.received",
    }
)
BROADCAST_EVENTS = frozenset({"session.started"})
POKER_EVENTS = frozenset(
    {"poker.started", "poker.joined", "poker.prompt", "poker.voted", "poker.revealed", "poker.revote", "poker.closed"}
)
COFFEE_EVENTS = frozenset({"coffee.transaction"})
# Streams show these events only in part: a poker vote says who voted but never the card
# (``poker.revealed`` shows the cards), and a coffee note stays with the group's members.
_SHOWN_FIELDS = {
    "poker.voted": ("session_id", "prompt_id", "round", "participant_id"),
    "coffee.transaction": ("group_id", "transaction_id", "from_user_id", "to_user_id", "amount", "summary"),
}


@dataclass(frozen=True)
class StreamTopic:
    """What a read-only stream carries: game night (or one session of it), one poker session, or one coffee group."""

    session_id: int | None = None
    poker_session: str | None = None
    coffee_group: int | None = None

    @property
    def is_game_night(self) -> bool:
        """True for game-night topics, which anyone may read."""
        return self.poker_session is None and self.coffee_group is None


def shown_data(event: Event) -> dict[str, Any]:
    """The part of an event's data that streams send."""
    fields = _SHOWN_FIELDS.get(event.type)
    if fields is None:
        return dict(event.data)
    return {name: event.data[name] for name in fields if name in event.data}


def session_id_of(value: Any) -> int | None:
    """A row id from a client or an event: a whole number from 0 to 2**63 - 1, or its ASCII digits in a string.

    ``int()`` would read other scripts' digits ("١", "¹"), which are no id here.
    """
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value if 0 <= value < 2**63 else None
    text = value.strip() if isinstance(value, str) else ""
    if text.isascii() and text.isdigit() and len(text) <= 18:
        return int(text)
    return None


def reaches_live_client(event: Event, community: Community, sessions: set[int]) -> bool:
    """Whether an authenticated ``/api/sessions/live`` client subscribed to ``sessions`` gets the event."""
    if event.community_id != community.id or event.type not in GAME_NIGHT_EVENTS:
        return False
    return event.type in BROADCAST_EVENTS or session_id_of(event.data.get("sessionId")) in sessions


def reaches_overlay(event: Event, community: Community, topic: StreamTopic) -> bool:
    """Whether a read-only stream of the community on this topic gets the event."""
    if event.community_id != community.id:
        return False
    if topic.poker_session is not None:
        return event.type in POKER_EVENTS and event.data.get("session_id") == topic.poker_session
    if topic.coffee_group is not None:
        return event.type in COFFEE_EVENTS and event.data.get("group_id") == topic.coffee_group
    if event.type not in GAME_NIGHT_EVENTS:
        return False
    return topic.session_id is None or session_id_of(event.data.get("sessionId")) == topic.session_id


class EventStreams:
    """Subscriptions for stream clients, replay from the outbox, and ending them all at shutdown."""

    def __init__(
        self,
        db: Database,
        bus: EventBus,
        idle_timeout: float,
        heartbeat: float,
        replay_scan_limit: int = 10_000,
    ) -> None:
        self._db = db
        self._bus = bus
        self.idle_timeout = idle_timeout
        self.heartbeat = heartbeat
        self._replay_scan_limit = replay_scan_limit
        self._open: weakref.WeakSet[EventSubscription] = weakref.WeakSet()
        self._closed = False

    def subscribe(self) -> EventSubscription:
        """Start receiving committed events; the subscription ends when the client lags or at shutdown."""
        subscription = self._bus.subscribe()
        if self._closed:
            subscription.close()
        else:
            self._open.add(subscription)
        return subscription

    def close(self) -> None:
        """End every subscription, so that stream clients are let go and reconnect elsewhere."""
        self._closed = True
        for subscription in list(self._open):
            subscription.close()

    async def replay(self, community: Community, after: int, topic: StreamTopic) -> list[Event]:
        """The overlay events committed after outbox sequence ``after``, oldest first.

        At most ``replay_scan_limit`` outbox entries are looked at, so that a very old
        Last-Event-ID cannot make one client read the whole history.
        """
        page = 500
        found: list[Event] = []
        scanned = 0
        while scanned < self._replay_scan_limit:
            events = await self._page(after, page)
            found.extend(event for event in events if reaches_overlay(event, community, topic))
            scanned += len(events)
            if len(events) < page:
                break
            last = events[-1].sequence
            assert last is not None
            after = last
        return found

    async def _page(self, after: int, size: int) -> list[Event]:
        async def work(tx: Transaction) -> list[Event]:
            return await tx.outbox.after(after, size)

        return await self._db.read(work)
