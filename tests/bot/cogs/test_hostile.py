"""Hostile chat never crashes the Discord adapter and never makes the bot ping @everyone or @here.

Hypothesis runs in a worker thread and drives the fake Discord on the test's event loop,
so one running bot sees every generated message.
"""

import asyncio
import logging
import re
from dataclasses import replace

import pytest
from hypothesis import HealthCheck, given
from hypothesis import settings as hypothesis_settings
from hypothesis import strategies as st

from tallybot.bot.discord_app import TallyBot
from tallybot.settings import Settings
from tests.bot.cogs.conftest import ANA, BO, CY, GENERAL
from tests.fakes.fake_discord import FakeDiscord

MASS_PING = re.compile(r"@(everyone|here)", re.IGNORECASE)
COMMANDS = (
    "!help",
    "!coffee ",
    "!balance ",
    "!vote ",
    "!prompt ",
    "!night add ",
    "!night start ",
    "!night room ",
    "!pick ",
    "!poker start ",
    "!poker join ",
    "!link",
    "/coffee ",
    "!NIGHT  status ",
)
FRAGMENTS = (
    "thisgame++",
    "thisgame--",
    "@everyone",
    "@here",
    "@EveryOne",
    "@bo",
    "<@900000000000000012>",
    "<@!1>",
    "<@&1>",
    "\u200b",
    "\u200d",
    "\u2066",
    "\u202e",
    "\u061c",
    "\ufeff",
    " ",
    "ｔｈｉｓｇａｍｅ＋＋",
    "```",
    "||",
    "3",
    "-1",
    "99999999999999999999",
)
hostile_args = st.lists(st.sampled_from(FRAGMENTS) | st.text(max_size=8), max_size=12).map("".join)
hostile_text = st.one_of(
    st.text(max_size=300),
    hostile_args,
    st.tuples(st.sampled_from(COMMANDS), hostile_args).map("".join),
    st.tuples(st.sampled_from(COMMANDS), hostile_args).map("".join),
)


@pytest.fixture
def settings(settings: Settings) -> Settings:
    # Throttling would answer most of the flood with silence; here every message should reach a command.
    return replace(settings, chat=replace(settings.chat, commands_per_cooldown=1_000_000))


def _assert_nobody_was_pinged(fake: FakeDiscord) -> None:
    for sent in fake.sent:
        assert sent.allowed_mentions is not None
        assert sent.allowed_mentions.get("parse") == []
        assert sent.allowed_mentions.get("replied_user", False) is False
        assert not MASS_PING.search(sent.content or ""), sent.content


async def test_generated_hostile_messages_get_answers_that_ping_nobody(
    fake: FakeDiscord, bot: TallyBot, caplog: pytest.LogCaptureFixture
) -> None:
    loop = asyncio.get_running_loop()
    for command, options in (("night start", {}), ("night add", {"title": "Quixort"}), ("poker start", {})):
        await fake.wait_for_sent(interaction_id=await fake.send_command(ANA, command, options))

    @hypothesis_settings(max_examples=150, deadline=None, suppress_health_check=list(HealthCheck))
    @given(text=hostile_text, author=st.sampled_from([ANA, BO, CY]))
    def send(text: str, author: object) -> None:
        asyncio.run_coroutine_threadsafe(fake.send_message(GENERAL, author, text), loop).result()  # type: ignore[arg-type]

    await asyncio.to_thread(send)
    await fake.send_message(GENERAL, BO, "!help")
    await fake.wait_until(lambda: any((s.content or "").startswith("Commands: ") for s in fake.sent[3:]), within=20)

    # The generated commands were answered, not dropped.
    assert len(fake.sent) > 20
    _assert_nobody_was_pinged(fake)
    assert [r for r in caplog.records if r.levelno >= logging.ERROR] == []


@pytest.mark.parametrize(
    ("text", "answer_starts"),
    [
        ("!coffee @everyone 3 " + "☕" * 10_000, "I don't know anyone called @\u200beveryone yet"),
        ("!prompt @here " + "x" * 10_000, "Estimating: @\u200bhere xxx"),
        ("!night add @everyone\u202e" + "\u200b" * 10_000, "Only a host can use !night add"),
        ("!vote @everyone\u202e" + "\u200b" * 10_240, "Session "),
        ("!balance @here", "I don't know anyone called @\u200bhere yet"),
    ],
)
async def test_ten_kilobyte_and_mass_mention_messages_are_answered_without_pinging(
    fake: FakeDiscord, bot: TallyBot, text: str, answer_starts: str, caplog: pytest.LogCaptureFixture
) -> None:
    await fake.wait_for_sent(interaction_id=await fake.send_command(ANA, "poker start"))
    asked = await fake.send_message(GENERAL, BO if text.startswith("!night") else ANA, text)

    answer = await fake.wait_for_sent(channel_id=GENERAL)

    assert answer.reply_to == asked
    assert answer.content is not None
    assert answer.content.startswith(answer_starts)
    assert len(answer.content) <= 2000
    _assert_nobody_was_pinged(fake)
    assert [r for r in caplog.records if r.levelno >= logging.ERROR] == []
