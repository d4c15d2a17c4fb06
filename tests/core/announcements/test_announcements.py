"""Announcements: which committed events become news for chat, with typed values, and which channel each goes to."""

import asyncio
import logging
from collections.abc import Sequence
from datetime import UTC, datetime
from pathlib import Path

import pytest

from tallybot.core.announcements import Announcement, AnnouncementService, GameAdded, NightClosed, PokerRevealed
from tallybot.core.events import InProcessEventBus, new_event
from tallybot.core.models import Community, Event, Platform, Provider, Role
from tallybot.core.ports import EventSubscription
from tallybot.core.services import Services
from tallybot.settings import Settings
from tallybot.storage.db import SqliteDatabase
from tests.gamenight_helpers import drain, seed_games
from tests.helpers import host_of

NOW = datetime(2026, 11, 23, 20, 0, tzinfo=UTC)
LOGGER = "tallybot.core.announcements.service"


class WatchedBus:
    """An event bus with a small queue per subscriber, which says when someone subscribes."""

    def __init__(self) -> None:
        self._bus = InProcessEventBus(queue_size=2)
        self.subscribed = asyncio.Event()

    def publish(self, events: Sequence[Event]) -> None:
        self._bus.publish(events)

    def subscribe(self) -> EventSubscription:
        self.subscribed.set()
        return self._bus.subscribe()

    async def wait_for_subscriber(self) -> None:
        await self.subscribed.wait()
        self.subscribed.clear()


async def night_with_a_game(services: Services, community: Community) -> tuple[Event, Event]:
    """A night in the community with one game added, then closed: the ``game.added`` and ``session.ended`` events."""
    games = await seed_games(services, community)
    subscription = services.bus.subscribe()
    night = await services.game_nights.start(host_of(community), community, None)
    await services.game_nights.add_game(host_of(community), community, night.id, games.quiplash, False, "ABCD")
    await services.game_nights.close(host_of(community), community, night.id, None)
    events = {event.type: event for event in await drain(subscription)}
    return events["game.added"], events["session.ended"]


async def revealed(services: Services, community: Community, owner: str, chat_channel_id: str | None) -> Event:
    """The ``poker.revealed`` event of a one-voter round, the session started in chat when a channel is given."""
    person = await services.accounts.chat_person(community, Provider.CONSOLE, owner, owner, Role.MEMBER)
    subscription = services.bus.subscribe()
    seat = await services.poker.create_session(community, person, chat_channel_id=chat_channel_id)
    await services.poker.create_prompt(community, seat.session_id, person, "Login page")
    await services.poker.vote(community, seat.session_id, None, person, "5")
    [event] = [event for event in await drain(subscription) if event.type == "poker.revealed"]
    return event


async def test_news_goes_to_the_adapters_default_until_a_host_chooses_a_channel(services: Services) -> None:
    community = services.default_community
    added, closed = await night_with_a_game(services, community)

    before = await services.announcements.announcement_for(added, Platform.LOCAL)
    await services.chat.set_announcement_channel(host_of(community), community, "555")
    await services.chat.set_announcement_channel(host_of(community), community, "556")
    after = await services.announcements.announcement_for(closed, Platform.LOCAL)

    assert before is not None
    assert (before.community, before.channel_id) == (community, None)
    assert after is not None
    assert (after.community, after.channel_id) == (community, "556")


async def test_a_game_added_and_a_night_closed_carry_the_session_game_and_the_night(services: Services) -> None:
    community = services.default_community
    added, closed = await night_with_a_game(services, community)
    [game] = await services.game_nights.games(community, 1)

    assert await services.announcements.announcement_for(added, Platform.LOCAL) == Announcement(
        community, None, GameAdded(game)
    )
    announced = await services.announcements.announcement_for(closed, Platform.LOCAL)
    assert announced == Announcement(community, None, NightClosed(await services.game_nights.get(community, 1)))
    assert isinstance(announced.what, NightClosed)
    assert (announced.what.night.games_played, game.title, game.room_code) == (1, "Quiplash Test", "ABCD")


async def test_a_poker_session_started_in_chat_is_announced_in_its_own_channel(services: Services) -> None:
    community = services.default_community
    await services.chat.set_announcement_channel(host_of(community), community, "news")
    event = await revealed(services, community, "ann", chat_channel_id="planning")

    announced = await services.announcements.announcement_for(event, Platform.LOCAL)

    assert announced is not None
    assert announced.channel_id == "planning"
    assert isinstance(announced.what, PokerRevealed)
    assert (announced.what.prompt.text, announced.what.result.votes) == ("Login page", (("ann", "5"),))
    assert (announced.what.result.median, announced.what.result.consensus) == (5, True)


async def test_a_poker_session_started_over_http_is_announced_in_the_communitys_channel(services: Services) -> None:
    community = services.default_community
    await services.chat.set_announcement_channel(host_of(community), community, "news")
    subscription = services.bus.subscribe()
    seat = await services.poker.create_session(community, "Dee")
    assert seat.token is not None
    await services.poker.create_prompt(community, seat.session_id, seat.token, "Logout")
    await services.poker.vote(community, seat.session_id, None, seat.token, "3")
    [event] = [event for event in await drain(subscription) if event.type == "poker.revealed"]

    announced = await services.announcements.announcement_for(event, Platform.LOCAL)

    assert announced is not None
    assert announced.channel_id == "news"
    assert isinstance(announced.what, PokerRevealed)
    assert announced.what.result.votes == (("Dee", "3"),)


async def test_a_reveal_read_after_a_revote_announces_the_round_it_revealed(services: Services) -> None:
    community = services.default_community
    person = await services.accounts.chat_person(community, Provider.CONSOLE, "ann", "ann", Role.MEMBER)
    seat = await services.poker.create_session(community, person, chat_channel_id="planning")
    await services.poker.create_prompt(community, seat.session_id, person, "Login page")
    subscription = services.bus.subscribe()
    await services.poker.vote(community, seat.session_id, None, person, "5")
    await services.poker.revote(community, seat.session_id, None, person)
    await services.poker.vote(community, seat.session_id, None, person, "8")
    first, second = [event for event in await drain(subscription) if event.type == "poker.revealed"]

    rounds = [await services.announcements.announcement_for(event, Platform.LOCAL) for event in (first, second)]

    results = [announced.what.result for announced in rounds if announced and isinstance(announced.what, PokerRevealed)]
    assert [(result.round, result.votes) for result in results] == [(1, (("ann", "5"),)), (2, (("ann", "8"),))]


async def test_another_platforms_community_gets_nothing(services: Services) -> None:
    server = await services.communities.ensure(Platform.DISCORD, "555", "Guild")
    added, _ = await night_with_a_game(services, server)

    assert await services.announcements.announcement_for(added, Platform.LOCAL) is None
    assert await services.announcements.announcement_for(added, Platform.TWITCH) is None
    on_discord = await services.announcements.announcement_for(added, Platform.DISCORD)
    assert on_discord is not None
    assert on_discord.community == server


async def test_an_event_of_no_known_community_is_not_announced(services: Services) -> None:
    added, _ = await night_with_a_game(services, services.default_community)
    stray = new_event(added.type, 10_000, added.data, NOW)

    assert await services.announcements.announcement_for(stray, Platform.LOCAL) is None


async def test_events_chat_does_not_hear_about_are_not_announced(services: Services) -> None:
    event = new_event("vote.received", services.default_community.id, {}, NOW)

    assert await services.announcements.announcement_for(event, Platform.LOCAL) is None


async def test_an_event_whose_game_is_gone_is_skipped_without_a_traceback(
    services: Services, caplog: pytest.LogCaptureFixture
) -> None:
    community = services.default_community
    added, _ = await night_with_a_game(services, community)
    await services.game_nights.remove_game(host_of(community), community, 1, int(added.data["game"]["id"]))
    posted: asyncio.Queue[Announcement] = asyncio.Queue()

    async def post(announcement: Announcement) -> None:
        posted.put_nowait(announcement)

    relay = asyncio.create_task(services.announcements.relay(Platform.LOCAL, post))
    await asyncio.sleep(0)  # let it subscribe
    try:
        services.bus.publish([added])  # committed before, read now: its game is gone
        night = await services.game_nights.start(host_of(community), community, None)
        await services.game_nights.close(host_of(community), community, night.id, None)
        announced = await asyncio.wait_for(posted.get(), timeout=5)
    finally:
        relay.cancel()
        await asyncio.wait({relay})

    assert isinstance(announced.what, NightClosed)
    assert announced.what.night.id == night.id
    assert await services.announcements.announcement_for(added, Platform.LOCAL) is None
    assert [record for record in caplog.records if record.name == LOGGER and record.levelno >= logging.WARNING] == []


async def test_a_relay_cut_off_for_falling_behind_warns_and_goes_on_with_later_events(
    services: Services, settings: Settings, caplog: pytest.LogCaptureFixture
) -> None:
    community = services.default_community
    subscription = services.bus.subscribe()
    for _ in range(5):
        night = await services.game_nights.start(host_of(community), community, None)
        await services.game_nights.close(host_of(community), community, night.id, None)
    closed = [event for event in await drain(subscription) if event.type == "session.ended"]
    bus = WatchedBus()
    db = SqliteDatabase(Path(settings.storage.path), on_commit=lambda events: None)
    await db.open()
    posting, release = asyncio.Event(), asyncio.Event()
    posted: asyncio.Queue[int] = asyncio.Queue()

    async def post(announcement: Announcement) -> None:
        posting.set()
        await release.wait()  # the first post hangs while the events pile up
        assert isinstance(announcement.what, NightClosed)
        posted.put_nowait(announcement.what.night.id)

    relay = asyncio.create_task(AnnouncementService(db, bus).relay(Platform.LOCAL, post))
    try:
        async with asyncio.timeout(5):
            await bus.wait_for_subscriber()
            bus.publish(closed[:1])
            await posting.wait()
            bus.publish(closed[1:4])  # two fit in the queue; the third cuts the relay off
            release.set()
            firsts = [await posted.get() for _ in range(3)]
            await bus.wait_for_subscriber()
            bus.publish(closed[4:])
            last = await posted.get()
    finally:
        relay.cancel()
        await asyncio.wait({relay})
        await db.close()

    assert [*firsts, last] == [1, 2, 3, 5]
    assert [
        record.message for record in caplog.records if record.name == LOGGER and record.levelno >= logging.WARNING
    ] == ["announcements fell behind the events; some were skipped"]
