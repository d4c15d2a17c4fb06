"""Failures on Discord: a clear reply for a refused or bad command, a generic line for a bug, one throttle notice."""

import logging
from collections.abc import AsyncIterator

import pytest

from tallybot.bot.cogs.errors import SOMETHING_WENT_WRONG
from tallybot.bot.cogs.replies import NOT_IN_A_SERVER
from tallybot.bot.commands.layer import ChatCommands
from tallybot.bot.commands.registry import all_commands
from tallybot.bot.commands.types import Command, Invocation, NoArguments, Reply, no_arguments
from tallybot.bot.discord_app import TallyBot, build_discord_bot
from tallybot.core.models import Community
from tallybot.core.services import Services
from tallybot.settings import Settings
from tests.bot.cogs.conftest import ANA, BO, GENERAL
from tests.fakes.fake_discord import FakeDiscord
from tests.helpers import FakeMonotonic


async def test_a_member_is_refused_a_host_command_in_chat_with_a_reply(
    fake: FakeDiscord, bot: TallyBot, services: Services, community: Community
) -> None:
    asked = await fake.send_message(GENERAL, BO, "!night start")

    refusal = await fake.wait_for_sent(channel_id=GENERAL)

    assert (refusal.reply_to, refusal.content) == (asked, "Only a host can use !night start")
    assert await services.game_nights.active(community) is None


async def test_a_member_is_refused_a_host_slash_command_ephemerally(
    fake: FakeDiscord, bot: TallyBot, services: Services, community: Community
) -> None:
    asked = await fake.send_command(BO, "night add", {"title": "Quixort"})

    refusal = await fake.wait_for_sent(interaction_id=asked)

    assert (refusal.kind, refusal.content, refusal.ephemeral) == ("response", "Only a host can use !night add", True)


async def test_a_host_gets_the_domain_error_of_a_command_that_breaks_a_rule(fake: FakeDiscord, bot: TallyBot) -> None:
    asked = await fake.send_command(ANA, "night add", {"title": "Quixort"})

    answer = await fake.wait_for_sent(interaction_id=asked)

    assert (answer.content, answer.ephemeral) == ("No game night is running right now", True)


async def test_a_throttled_user_is_told_once_per_cooldown(
    fake: FakeDiscord, bot: TallyBot, settings: Settings, monotonic: FakeMonotonic
) -> None:
    for _ in range(settings.chat.commands_per_cooldown + 3):
        await fake.send_message(GENERAL, BO, "!playing")
    slash = await fake.send_command(BO, "playing")
    await fake.wait_until(lambda: len(fake.deleted) == 1)
    monotonic.advance(settings.chat.cooldown_seconds)
    await fake.send_message(GENERAL, BO, "!votes")

    await fake.wait_until(lambda: len(fake.sent) == settings.chat.commands_per_cooldown + 2)
    texts = [sent.content for sent in fake.sent]
    assert texts.count("Slow down: try again in 10 seconds.") == 1
    assert texts[-1] == "No game night is running right now"
    assert [callback.type for callback in fake.callbacks if callback.interaction_id == slash] == [5]


async def _broken(invocation: Invocation, _: NoArguments) -> Reply:
    raise RuntimeError("the database is on fire")


@pytest.fixture
def broken_chat(services: Services, settings: Settings, monotonic: FakeMonotonic) -> ChatCommands:
    """The real commands, but ``playing`` fails as a bug would."""
    commands = [c for c in all_commands() if c.name != "playing"]
    return ChatCommands(
        services, [*commands, Command("playing", "playing", "fails", no_arguments, _broken)], settings.chat, monotonic
    )


@pytest.fixture
async def broken_bot(
    fake: FakeDiscord, services: Services, broken_chat: ChatCommands, settings: Settings
) -> AsyncIterator[TallyBot]:
    bot = build_discord_bot(services, broken_chat, guild_ready_timeout=0.05)
    async with fake.running(bot):
        yield bot


async def test_an_unexpected_failure_is_logged_and_answered_with_a_generic_line(
    fake: FakeDiscord, broken_bot: TallyBot, caplog: pytest.LogCaptureFixture
) -> None:
    asked = await fake.send_message(GENERAL, BO, "!playing")
    slash = await fake.send_command(BO, "playing")

    in_chat = await fake.wait_for_sent(channel_id=GENERAL)
    in_slash = await fake.wait_for_sent(interaction_id=slash)

    assert (in_chat.reply_to, in_chat.content) == (asked, SOMETHING_WENT_WRONG)
    assert (in_slash.content, in_slash.ephemeral) == (SOMETHING_WENT_WRONG, True)
    failures = [r for r in caplog.records if r.levelno == logging.ERROR and r.name == "tallybot.bot.cogs.errors"]
    assert [str(r.exc_info[1]) for r in failures if r.exc_info] == ["the database is on fire"] * 2
    assert all("on fire" not in (sent.content or "") for sent in fake.sent)


async def test_direct_messages_are_not_read_and_a_slash_command_there_is_turned_away(
    fake: FakeDiscord, bot: TallyBot
) -> None:
    dm = fake.dm_channel_id(BO.id)
    await fake.send_message(dm, BO, "!help")
    asked = await fake.send_command(BO, "help", channel_id=dm)

    answer = await fake.wait_for_sent(interaction_id=asked)

    assert (answer.content, answer.ephemeral) == (NOT_IN_A_SERVER, True)
    assert fake.sent == [answer]
