"""A flood through the command layer: 10,000 messages from 500 users, all at once."""

import asyncio
from collections import Counter
from dataclasses import replace
from datetime import timedelta

from tallybot.bot.commands.types import Reply
from tallybot.core.errors import RateLimited
from tallybot.core.models import Role
from tallybot.core.services import Services
from tests.chat_helpers import ChatDriver, chat_layer
from tests.gamenight_helpers import seed_games
from tests.helpers import FakeClock, FakeMonotonic, host_of

USERS = 500
VOTES_EACH = 12
COMMANDS_EACH = 8
STEP = timedelta(milliseconds=400)


def expected_tally() -> Counter[str]:
    """Each user's votes, 0.4 s apart: one is counted unless the last counted one is under 1 s older."""
    tally: Counter[str] = Counter()
    for user in range(USERS):
        last = None
        for k in range(1, VOTES_EACH + 1):
            moment = k * STEP
            if last is None or moment - last >= timedelta(seconds=1):
                tally["up" if (user + k) % 3 else "down"] += 1
                last = moment
    return tally


async def test_a_flood_counts_every_vote_exactly_and_tells_each_user_once(
    services: Services, clock: FakeClock, monotonic: FakeMonotonic
) -> None:
    games = await seed_games(services)
    chat = chat_layer(services, monotonic)
    driver = ChatDriver(services, chat)
    home = services.default_community
    session = await services.game_nights.start(host_of(home), home, None)
    await services.game_nights.add_game(host_of(home), home, session.id, games.quiplash, True, None)
    start = clock()
    messages = []
    for k in range(1, VOTES_EACH + COMMANDS_EACH + 1):
        for user in range(USERS):
            vote = "thisgame++ so good" if (user + k) % 3 else "meh thisgame--"
            text = vote if k <= VOTES_EACH else "!playing"
            message = driver.message(text, user=f"viewer{user}", role=Role.MEMBER)
            messages.append(replace(message, sent_at=start + k * STEP))
    assert len(messages) == 10_000

    results = await asyncio.gather(*(chat.on_message(message) for message in messages), return_exceptions=True)

    notices = Counter(
        message.author.id for message, result in zip(messages, results, strict=True) if isinstance(result, RateLimited)
    )
    failures = [
        result for result in results if isinstance(result, BaseException) and not isinstance(result, RateLimited)
    ]
    assert failures == []
    # Five commands or acknowledged votes per cooldown (the fake monotonic clock stands still): the
    # first command past them is refused with a notice, the user's other ones get silence.
    assert set(notices.values()) == {1}
    assert len(notices) == USERS
    assert all(result is None or isinstance(result, Reply | RateLimited) for result in results)
    [votes] = await services.votes.session_votes(services.default_community, session.id)
    expected = expected_tally()
    assert (votes.upvotes, votes.downvotes) == (expected["up"], expected["down"])
