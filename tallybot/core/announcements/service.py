"""Announcements: committed events turned into typed news for each community's chat, and where each goes.

A game added (from chat or the API), a poker reveal and a night closed are announced. The
news is read from the database by the ids its event carries, so an event whose records are
gone (a game taken out of its night, a night deleted) announces nothing. It goes to the
channel a host chose with ``announce here``, or, where that is None, to the adapter's own
default (the broadcaster's chat on Twitch; nowhere on Discord). A poker session started in
chat has its reveals announced in the channel it was started in, where its players are:
this is the one place chat sees a round's result, however it was revealed.
"""

import logging
from collections.abc import Awaitable, Callable, Mapping
from typing import Any

from tallybot.core.announcements.models import Announcement, GameAdded, News, NightClosed, PokerRevealed
from tallybot.core.models import Community, Event, Platform
from tallybot.core.poker import round_result
from tallybot.core.ports import Database, EventBus, Transaction

log = logging.getLogger(__name__)

Post = Callable[[Announcement], Awaitable[None]]


async def _game_added(tx: Transaction, community_id: int, data: Mapping[str, Any]) -> GameAdded | None:
    game = await tx.game_nights.game(community_id, int(data["sessionId"]), int(data["game"]["id"]))
    return None if game is None else GameAdded(game)


async def _night_closed(tx: Transaction, community_id: int, data: Mapping[str, Any]) -> NightClosed | None:
    night = await tx.game_nights.get(community_id, int(data["sessionId"]))
    return None if night is None else NightClosed(night)


async def _poker_revealed(tx: Transaction, community_id: int, data: Mapping[str, Any]) -> PokerRevealed | None:
    session = await tx.poker.session(community_id, str(data["session_id"]))
    prompt = None if session is None else await tx.poker.prompt(session.id, int(data["prompt_id"]))
    if session is None or prompt is None:
        return None
    # The event's own round: by the time it is read, a revote may have started the next one.
    number = int(data["result"]["round"])
    revealed = [round_ for round_ in await tx.poker.rounds(prompt.id) if round_.number == number and round_.revealed]
    if not revealed:
        return None
    participants, votes = await tx.poker.participants(session.id), await tx.poker.votes(prompt.id)
    return PokerRevealed(session, prompt, round_result(session, revealed[0], participants, votes))


# One reader per event kind chat hears about: its news, read by the ids the event carries
# (None when what they name is gone).
_READERS: dict[str, Callable[[Transaction, int, Mapping[str, Any]], Awaitable[News | None]]] = {
    "game.added": _game_added,
    "session.ended": _night_closed,
    "poker.revealed": _poker_revealed,
}


async def _channel(tx: Transaction, community: Community, news: News) -> str | None:
    """Where news goes: a chat-started poker session's own channel, else the channel a host chose (if any)."""
    if isinstance(news, PokerRevealed) and news.session.chat_channel_id is not None:
        return news.session.chat_channel_id
    return await tx.chat.announcement_channel(community.id)


class AnnouncementService:
    """Turns committed events into announcements for one platform's communities, and relays them to an adapter."""

    def __init__(self, db: Database, bus: EventBus) -> None:
        self._db = db
        self._bus = bus

    async def announcement_for(self, event: Event, platform: Platform) -> Announcement | None:
        """The announcement of an event for a community on ``platform``, or None if there is none to make."""
        reader = _READERS.get(event.type)
        if reader is None:
            return None

        async def work(tx: Transaction) -> Announcement | None:
            community = await tx.communities.by_id(event.community_id)
            if community is None or community.platform is not platform:
                return None
            news = await reader(tx, community.id, event.data)
            if news is None:
                log.debug("event %s (%s) announces nothing: what it names is gone", event.id, event.type)
                return None
            return Announcement(community, await _channel(tx, community, news), news)

        return await self._db.read(work)

    async def relay(self, platform: Platform, post: Post) -> None:
        """Hand ``post`` the announcements for ``platform``'s communities until cancelled.

        A post that fails is logged and skipped. A subscription cut off for falling behind
        is renewed: a burst of events costs some announcements, not all later ones.
        """
        while True:
            subscription = self._bus.subscribe()
            try:
                async for event in subscription:
                    announcement = await self.announcement_for(event, platform)
                    if announcement is None:
                        continue
                    try:
                        await post(announcement)
                    except Exception:
                        log.exception("could not post an announcement in community %d", announcement.community.id)
            finally:
                subscription.close()
            log.warning("announcements fell behind the events; some were skipped")
