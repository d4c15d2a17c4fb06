"""Announcements: events worded for chat, sent to each platform's communities and their chosen channel."""

import asyncio
from collections.abc import AsyncIterator
from dataclasses import dataclass
from datetime import UTC, datetime

import pytest

from tallybot.bot.commands.announcements import poker_revealed, wording
from tallybot.bot.commands.layer import ChatCommands
from tallybot.core.announcements import Announcement, PokerRevealed
from tallybot.core.errors import Forbidden
from tallybot.core.models import Platform
from tallybot.core.poker import PokerSession, Prompt, RoundResult
from tallybot.core.services import Services
from tests.chat_helpers import ChatDriver, chat_layer
from tests.gamenight_helpers import seed_games
from tests.helpers import FakeMonotonic, host_of

HINT = "Vote with thisgame++ or thisgame--."
NOW = datetime(2026, 11, 23, 20, 0, tzinfo=UTC)


@dataclass(frozen=True)
class Line:
    """An announcement as an adapter posts it: the community, the channel (None: its default) and the words."""

    community_id: int
    channel_id: str | None
    text: str


class Posts:
    """What a fake adapter was asked to post, worded; the first ``fail`` posts raise."""

    def __init__(self, fail: int = 0) -> None:
        self.posted: asyncio.Queue[Line] = asyncio.Queue()
        self.fail = fail

    async def post(self, announcement: Announcement) -> None:
        if self.fail:
            self.fail -= 1
            raise ConnectionError("chat is down")
        self.posted.put_nowait(Line(announcement.community.id, announcement.channel_id, wording(announcement)))

    async def next(self) -> Line:
        return await asyncio.wait_for(self.posted.get(), timeout=5)


async def relaying(services: Services, platform: Platform, posts: Posts) -> AsyncIterator[None]:
    task = asyncio.create_task(services.announcements.relay(platform, posts.post))
    await asyncio.sleep(0)  # let it subscribe
    try:
        yield
    finally:
        task.cancel()
        await asyncio.wait({task})


@pytest.fixture
def chat(services: Services, monotonic: FakeMonotonic) -> ChatCommands:
    return chat_layer(services, monotonic)


@pytest.fixture
async def local_posts(services: Services) -> AsyncIterator[Posts]:
    posts = Posts()
    async for _ in relaying(services, Platform.LOCAL, posts):
        yield posts


def reveal(prompt: str, result: RoundResult) -> PokerRevealed:
    """A reveal of a round in a session started over HTTP."""
    session = PokerSession(1, 1, "x", ("3", "5", "13"), NOW, None, 1)
    return PokerRevealed(session, Prompt(1, 1, 1, prompt, NOW), result)


def test_a_poker_reveal_is_announced_with_every_vote_the_median_and_the_verdict() -> None:
    result = RoundResult(1, (("ann", "3"), ("ben", "13")), 3.0, 13.0, 8.0, 8.0, consensus=False, outliers=("ben",))
    assert poker_revealed(reveal("Login page", result)) == (
        "🃏 Cards are up for “Login page”: ann 3, ben 13. Median 8. No consensus; furthest from the median: ben."
    )
    agreed = RoundResult(1, (("ann", "5"),), 5.0, 5.0, 5.0, 5.0, consensus=True, outliers=())
    assert poker_revealed(reveal("Logout", agreed)) == "🃏 Cards are up for “Logout”: ann 5. Median 5. Consensus!"


async def test_a_game_added_over_the_api_or_chat_and_a_closed_night_are_announced(
    services: Services, chat: ChatCommands, local_posts: Posts
) -> None:
    games = await seed_games(services)
    community = services.default_community
    session = await services.game_nights.start(host_of(community), community, None)
    await services.game_nights.add_game(host_of(community), community, session.id, games.quiplash, False, "ABCD")
    assert await local_posts.next() == Line(
        community.id, None, f"🎮 Now playing: Quiplash Test (Test Pack 7), room code ABCD. {HINT}"
    )
    driver = ChatDriver(services, chat, channel_id="games-channel")
    await driver.host("!announce here")
    await driver.host("!night add Trivia Test")
    assert await local_posts.next() == Line(
        community.id, "games-channel", f"🎮 Now playing: Trivia Test (Test Pack 6). {HINT}"
    )
    await driver.host("!night close")
    assert await local_posts.next() == Line(
        community.id, "games-channel", "🌙 Game night #1 is over: 2 games played. Thanks for playing!"
    )


async def test_each_platform_hears_only_its_own_communities(services: Services, local_posts: Posts) -> None:
    discord_posts = Posts()
    server = await services.communities.ensure(Platform.DISCORD, "555", "Guild")
    async for _ in relaying(services, Platform.DISCORD, discord_posts):
        home = services.default_community
        await services.game_nights.start(host_of(server), server, None)
        await services.game_nights.close(host_of(server), server, 1, None)
        await services.game_nights.start(host_of(home), home, None)
        await services.game_nights.close(host_of(home), home, 2, None)
        assert (await discord_posts.next()).community_id == server.id
        assert (await local_posts.next()).community_id == services.default_community.id
        assert discord_posts.posted.empty()


async def test_a_failed_post_is_skipped_and_the_next_one_goes_out(services: Services) -> None:
    posts = Posts(fail=1)
    home = services.default_community
    async for _ in relaying(services, Platform.LOCAL, posts):
        for _ in range(2):
            session = await services.game_nights.start(host_of(home), home, None)
            await services.game_nights.close(host_of(home), home, session.id, None)
        assert (await posts.next()).text == "🌙 Game night #2 is over: 0 games played. Thanks for playing!"


async def test_only_a_host_chooses_the_announcement_channel(services: Services, chat: ChatCommands) -> None:
    with pytest.raises(Forbidden) as refused:
        await ChatDriver(services, chat).say("!announce here")
    assert str(refused.value) == "Only a host can use !announce here"


async def test_a_poker_session_started_in_chat_has_its_reveals_announced_where_it_was_started(
    services: Services, chat: ChatCommands, local_posts: Posts
) -> None:
    await ChatDriver(services, chat, channel_id="news").host("!announce here")
    table = ChatDriver(services, chat, channel_id="planning")
    await table.say("!poker start", "ann")
    await table.say("!prompt Login page", "ann")
    await table.say("!vote 5", "ann")
    community = services.default_community
    seat = await services.poker.create_session(community, "Dee")
    assert seat.token is not None
    await services.poker.create_prompt(community, seat.session_id, seat.token, "Logout")
    await services.poker.vote(community, seat.session_id, None, seat.token, "3")

    assert await local_posts.next() == Line(
        community.id, "planning", "🃏 Cards are up for “Login page”: ann 5. Median 5. Consensus!"
    )
    assert await local_posts.next() == Line(
        community.id, "news", "🃏 Cards are up for “Logout”: Dee 3. Median 3. Consensus!"
    )
