"""A flood through the Discord adapter: 10,000 messages from 500 users, votes and commands mixed.

Time is the tests' to move: each round every user sends one message, the bot handles
all of them, then the wall clock and the monotonic clock move on by the round's step.
A sentinel vote from a fresh user closes each round: its ✅ comes after every earlier
message of the round has been counted and has met the cooldown, because chat votes are
written in arrival order. What the bot should do is worked out beside it by a plain
model of the two rules (one vote per user per second; ``commands_per_cooldown`` per
cooldown, then one notice), and the fake must have received exactly that.
"""

import itertools
import random
from collections.abc import Callable
from dataclasses import replace
from datetime import timedelta

import pytest

from tallybot.bot.discord_app import TallyBot
from tallybot.core.models import Community
from tallybot.core.services import Services
from tallybot.settings import Settings
from tests.bot.cogs.conftest import GENERAL
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
)
from tests.fakes.fake_discord import FakeDiscord
from tests.fakes.fake_discord_payloads import FakeUser
from tests.helpers import FakeClock, FakeMonotonic, host_of

UP = ("thisgame++", "THISGAME++ yes", "great one thisgame++", "thisgame++ thisgame--")
CHATTER = ("hello", "gg", "thisgame+ almost", "lol")


def reacted_to(fake: FakeDiscord, message_id: int) -> Callable[[], bool]:
    """A condition that holds once the bot reacted to the message; each check reads only new reactions."""
    seen = 0

    def check() -> bool:
        nonlocal seen
        new = itertools.islice(fake.reactions, seen, None)
        seen = len(fake.reactions)
        return any(reaction.message_id == message_id for reaction in new)

    return check


@pytest.fixture
def settings(settings: Settings) -> Settings:
    return replace(settings, chat=replace(settings.chat, cooldown_seconds=COOLDOWN, commands_per_cooldown=PER_COOLDOWN))


async def test_ten_thousand_messages_count_every_vote_once_and_throttle_with_one_notice_per_cooldown(
    fake: FakeDiscord,
    bot: TallyBot,
    services: Services,
    community: Community,
    clock: FakeClock,
    monotonic: FakeMonotonic,
) -> None:
    rng = random.Random(6)
    users = [FakeUser(id=800_000_000_000_000_000 + n, name=f"viewer{n:03}") for n in range(USERS)]
    night = await services.game_nights.start(host_of(community), community, None)
    await services.tonight.add_game(host_of(community), community, "Quixort")
    clock.advance(timedelta(seconds=1))
    expected = ChatRules()
    elapsed = 0.0
    game = "Quixort"
    message_of: dict[int, tuple[str, float]] = {}
    for round_number in range(ROUNDS):
        if round_number == SWITCH_ROUND:
            await services.tonight.add_game(host_of(community), community, "Fibbage 4")
            game = "Fibbage 4"
        for user in users:
            kind = rng.choice(("up", "up", "down", "command", "command", "chatter"))
            text = rng.choice({"up": UP, "down": DOWN, "command": COMMANDS, "chatter": CHATTER}[kind])
            message_id = await fake.send_message(GENERAL, user, text)
            message_of[message_id] = (user.name, elapsed)
            if kind == "command":
                expected.command(user.name, elapsed)
            elif kind != "chatter":
                expected.vote(user.name, elapsed, game, kind == "up")
        sentinel = await fake.send_message(
            GENERAL, FakeUser(id=700 + round_number, name=f"s{round_number}"), "thisgame++"
        )
        await fake.wait_until(reacted_to(fake, sentinel), within=30)
        expected.votes[game][0] += 1
        step = STEPS[round_number % len(STEPS)]
        clock.advance(timedelta(seconds=step))
        monotonic.advance(step)
        elapsed += step

    await fake.wait_until(
        lambda: (
            len(fake.reactions) == expected.reactions_due + ROUNDS
            and len(fake.sent) == expected.replies + expected.notice_count
        ),
        within=30,
    )
    votes = await services.votes.session_votes(community, night.id)
    assert {game.title: [game.upvotes, game.downvotes] for game in votes} == expected.votes
    assert {reaction.emoji for reaction in fake.reactions} == {"✅"}
    notices: dict[str, list[float]] = {}
    for sent in fake.sent:
        assert sent.reply_to is not None
        assert sent.content is not None
        if sent.content.startswith("Slow down"):
            name, at = message_of[sent.reply_to]
            notices.setdefault(name, []).append(at)
    assert notices == expected.notices
    assert all(b - a >= COOLDOWN for times in notices.values() for a, b in itertools.pairwise(times))
    assert len(notices) > USERS // 2
