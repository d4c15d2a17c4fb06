"""A flood through the Twitch adapter: 10,000 chat messages from 500 users, votes and commands mixed.

Time is the test's to move. Each round every user says one thing, the bot takes all of it in,
then the wall clock and the monotonic clock move on by the round's step. A round ends with a
vote from a fresh chatter, awaited in the database (chat votes are written in arrival order,
so every earlier vote is counted by then), and a fresh chatter's command, awaited in chat
(every earlier message has then met the cooldown). A plain model of the rules works out
beside it what the bot should say: one vote per user per second; ``commands_per_cooldown``
per user per cooldown, then one notice; and, Twitch having no reactions, at most
``REACTIONS_PER_WINDOW`` ✅ lines per channel in any ``REACTION_WINDOW_SECONDS``.
"""

import asyncio
import itertools
import random
from collections import deque
from dataclasses import dataclass, field, replace
from datetime import timedelta

import pytest

from tallybot.bot.components.replies import REACTION_WINDOW_SECONDS, REACTIONS_PER_WINDOW
from tallybot.settings import Settings
from tests.bot.components.conftest import STREAMER, TwitchChat
from tests.bot.flood_model import (
    COMMANDS,
    COOLDOWN,
    DOWN,
    PER_COOLDOWN,
    ROUNDS,
    STEPS,
    SWITCH_ROUND,
    USERS,
    ChatRules,
    admit,
)
from tests.fakes.fake_twitch import FakeUser
from tests.helpers import FakeClock, FakeMonotonic, host_of

UP = ("thisgame++", "THISGAME++ yes", "great one thisgame++")
CHATTER = ("hello", "gg", "thisgame+ almost", "lol", "@everyone look")
NOTICE = "Slow down"


@dataclass
class TwitchRules(ChatRules):
    """The chat rules, plus the channel's budget of ✅ lines (Twitch has no reactions)."""

    reactions: int = 0
    channel: dict[str, deque[float]] = field(default_factory=dict)

    def end_round(self, now: float) -> None:
        """Every ✅ of a round is asked for at the same moment; the channel's budget lets some through."""
        for _ in range(self.reactions_due):
            if admit(self.channel, STREAMER.id, now, REACTIONS_PER_WINDOW, REACTION_WINDOW_SECONDS):
                self.reactions += 1
        self.reactions_due = 0


@pytest.fixture
def settings(settings: Settings) -> Settings:
    return replace(settings, chat=replace(settings.chat, cooldown_seconds=COOLDOWN, commands_per_cooldown=PER_COOLDOWN))


async def test_ten_thousand_messages_count_every_vote_once_and_throttle_with_one_notice_per_cooldown(
    twitch: TwitchChat, clock: FakeClock, monotonic: FakeMonotonic
) -> None:
    rng = random.Random(6)
    users = [twitch.fake.add_user(str(500_000 + n), f"viewer{n:03}") for n in range(USERS)]
    community = await twitch.community()
    services = twitch.services
    night = await services.game_nights.start(host_of(community), community, None)
    await services.tonight.add_game(host_of(community), community, "Quixort")
    await twitch.announcement()
    clock.advance(timedelta(seconds=1))
    expected = TwitchRules()
    elapsed = 0.0
    game = "Quixort"
    said_by: dict[str, tuple[str, float]] = {}
    for round_number in range(ROUNDS):
        if round_number == SWITCH_ROUND:
            await services.tonight.add_game(host_of(community), community, "Fibbage 4")
            await twitch.announcement()
            game = "Fibbage 4"
        for user in users:
            kind = rng.choice(("up", "up", "down", "command", "command", "chatter"))
            text = rng.choice({"up": UP, "down": DOWN, "command": COMMANDS, "chatter": CHATTER}[kind])
            said_by[await twitch.say(user, text)] = (user.login, elapsed)
            if kind == "command":
                expected.command(user.login, elapsed)
            elif kind != "chatter":
                expected.vote(user.login, elapsed, game, kind == "up")
        sentinel = twitch.fake.add_user(str(700_000 + round_number), f"sentinel{round_number}")
        said_by[await twitch.say(sentinel, "thisgame++")] = (sentinel.login, elapsed)
        expected.vote(sentinel.login, elapsed, game, up=True)
        await _counted(twitch, sentinel)
        await twitch.settle()
        expected.end_round(elapsed)
        step = STEPS[round_number % len(STEPS)]
        clock.advance(timedelta(seconds=step))
        monotonic.advance(step)
        elapsed += step

    # Besides the answers, the bot announced the two games.
    lines = expected.replies + expected.notice_count + expected.reactions + 2
    await twitch.fake.wait_until(lambda: len(twitch.lines()) == lines, within=30)
    votes = await services.votes.session_votes(community, night.id)
    assert {game.title: [game.upvotes, game.downvotes] for game in votes} == expected.votes
    sent = [line for line in twitch.fake.chat_messages if line.reply_parent_message_id in said_by]
    assert sum(line.message == "✅" for line in sent) == expected.reactions
    notices: dict[str, list[float]] = {}
    for line in sent:
        if line.message.startswith(NOTICE):
            login, at = said_by[line.reply_parent_message_id or ""]
            notices.setdefault(login, []).append(at)
    assert notices == expected.notices
    assert all(b - a >= COOLDOWN for times in notices.values() for a, b in itertools.pairwise(times))
    assert len(notices) > USERS // 2
    assert all(len(line.message) <= 500 and "@everyone" not in line.message for line in twitch.fake.chat_messages)


async def _counted(twitch: TwitchChat, chatter: FakeUser) -> None:
    community = await twitch.community()
    async with asyncio.timeout(30):
        # The database tells nobody when a batch of votes is in: ask it until the chatter's vote is.
        while (await twitch.services.votes.page(community, username=chatter.display_name)).total == 0:  # noqa: ASYNC110
            await asyncio.sleep(0.01)
