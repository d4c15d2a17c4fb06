"""Hostile chat never crashes the Twitch adapter, and never makes the bot ping everyone."""

import re

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.bot.components.conftest import ALICE, BOB, MO, TwitchChat
from tests.fakes.fake_twitch import FakeUser

MASS_MENTION = re.compile(r"@(everyone|here)", re.IGNORECASE)
ZERO_WIDTH_AND_BIDI = "\u200b\u200c\u200d\u2060\ufeff\u202a\u202b\u202d\u202e\u2066\u2067\u2068\u2069\u200f\u061c"
COMMAND_WORDS = ("!coffee", "!balance", "!vote", "!prompt", "!night add", "!pick", "!link", "!help", "thisgame++")

HOSTILE = [
    "@everyone thisgame++",
    "!coffee @everyone 3 @here",
    "!balance @here",
    "!night add @everyone",
    "!prompt @everyone look at this",
    "!" + "x" * 10_000,
    "!coffee " + "@" * 10_000,
    "thisgame++ " + "a" * 10_240,
    "\u202e!help\u202c",
    "!he\u200blp",
    "\u200b!playing",
    "!coffee @\u202ebob\u202c 2",
    "!pick 99999999999999999999",
    "!coffee @bob 99999999999999999999999",
    "!coffee @bob -5",
    "!vote \u0000",
    "!poker start " + ",".join(["x"] * 500),
    "!@everyone",
    "!" * 600,
]


async def _survives(twitch: TwitchChat, chatter: FakeUser, text: str, badges: list[str]) -> None:
    await twitch.say(chatter, text, badges=badges)
    # The adapter still answers: a fresh chatter's command comes back after the hostile line was taken in.
    await twitch.settle()
    said = [line.message for line in twitch.fake.chat_messages] + [whisper.message for whisper in twitch.fake.whispers]
    for line in said:
        assert len(line) <= 500
        assert MASS_MENTION.search(line) is None, line


@pytest.mark.parametrize("text", HOSTILE)
async def test_a_known_hostile_message_is_survived_without_a_mass_mention(twitch: TwitchChat, text: str) -> None:
    await _survives(twitch, MO, text, ["moderator"])


hostile_text = st.one_of(
    st.text(max_size=300),
    st.text(alphabet=st.sampled_from(ZERO_WIDTH_AND_BIDI + "@!everyonhr +-"), max_size=120),
    st.tuples(st.sampled_from(COMMAND_WORDS), st.text(max_size=200)).map(" ".join),
    st.tuples(st.sampled_from(COMMAND_WORDS), st.sampled_from(["@everyone", "@here", "@EveryOne"])).map(" ".join),
)


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(text=hostile_text, who=st.sampled_from([(ALICE, []), (BOB, ["vip"]), (MO, ["moderator"])]))
async def test_generated_chat_never_crashes_the_adapter_or_pings_everyone(
    twitch: TwitchChat, text: str, who: tuple[FakeUser, list[str]]
) -> None:
    chatter, badges = who
    await _survives(twitch, chatter, text, badges)
