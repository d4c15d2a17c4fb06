"""The Twitch adapter's life: its status on the board, a start that fails, and a clean stop."""

import asyncio
from dataclasses import replace
from typing import Any

import pytest

from tallybot.bot.commands.layer import ChatCommands
from tallybot.bot.twitch_app import run_twitch
from tallybot.core.adapters import AdapterStatus
from tallybot.core.models import Platform
from tallybot.core.services import Services
from tallybot.settings import Settings
from tests.bot.components.conftest import ALICE, BOT, STREAMER, stop_adapter
from tests.fakes.fake_twitch import FakeTwitch
from tests.helpers import FakeClock, FakeMonotonic


async def _first_report(services: Services) -> AdapterStatus:
    async with asyncio.timeout(5):
        # The status board tells nobody of a change: look until the adapter has reported.
        while not services.adapters.statuses():  # noqa: ASYNC110
            await asyncio.sleep(0.01)
    [status] = services.adapters.statuses()
    return status


async def test_the_adapter_shows_itself_connected_with_its_channels_and_stopped_after(
    fake: FakeTwitch, services: Services, chat: ChatCommands, twitch_settings: Settings, clock: FakeClock
) -> None:
    await services.platform_tokens.save(Platform.TWITCH, BOT.id, *fake.issue_user_token(BOT.id))
    before = asyncio.all_tasks()
    task = asyncio.create_task(run_twitch(services, chat, twitch_settings))
    running = await _first_report(services)
    subscription = await fake.wait_for_subscription("channel.chat.message")
    await stop_adapter(task, before)

    assert running == AdapterStatus("twitch", True, "chat of Streamer", clock.now)
    assert services.adapters.statuses() == [AdapterStatus("twitch", False, "stopped", clock.now)]
    assert subscription.condition == {"broadcaster_user_id": STREAMER.id, "user_id": BOT.id}
    assert fake.subscriptions == {}


@pytest.mark.parametrize(
    ("change", "reason"),
    [
        (
            {"client_secret": "not-the-secret-4f2a"},
            "Twitch answered 403: invalid client secret",
        ),
        ({"channels": ("streamer", "nobody")}, "LookupError: no Twitch user for channel(s) nobody"),
    ],
)
async def test_a_failed_start_is_shown_without_secrets_and_retried_until_the_adapter_is_stopped(
    fake: FakeTwitch,
    services: Services,
    chat: ChatCommands,
    twitch_settings: Settings,
    monotonic: FakeMonotonic,
    change: dict[str, Any],
    reason: str,
    caplog: pytest.LogCaptureFixture,
) -> None:
    tokens = fake.issue_user_token(BOT.id)
    await services.platform_tokens.save(Platform.TWITCH, BOT.id, *tokens)
    settings = replace(twitch_settings, twitch=replace(twitch_settings.twitch, **change))
    before = asyncio.all_tasks()
    task = asyncio.create_task(run_twitch(services, chat, settings, monotonic=monotonic))
    failed = await _first_report(services)
    await stop_adapter(task, before)

    assert (failed.connected, failed.detail) == (False, f"could not connect ({reason}); retrying in 5 s")
    assert [status.detail for status in services.adapters.statuses()] == ["stopped"]
    # twitchio puts the client secret in the address of its token requests: it stays out of the log.
    for secret in (settings.twitch.client_secret, *tokens):
        assert secret not in caplog.text


async def test_without_a_stored_token_the_adapter_cannot_join_chat(
    fake: FakeTwitch, services: Services, chat: ChatCommands, twitch_settings: Settings
) -> None:
    before = asyncio.all_tasks()
    task = asyncio.create_task(run_twitch(services, chat, twitch_settings))
    failed = await _first_report(services)
    await stop_adapter(task, before)

    assert (failed.connected, failed.detail) == (
        False,
        "could not connect (Twitch answered 400: The websocket transport requires a user access token); "
        "retrying in 5 s",
    )


async def test_without_channels_the_bot_joins_its_own_chat(
    fake: FakeTwitch, services: Services, chat: ChatCommands, twitch_settings: Settings
) -> None:
    await services.platform_tokens.save(Platform.TWITCH, BOT.id, *fake.issue_user_token(BOT.id))
    settings = replace(twitch_settings, twitch=replace(twitch_settings.twitch, channels=()))
    before = asyncio.all_tasks()
    task = asyncio.create_task(run_twitch(services, chat, settings))
    running = await _first_report(services)
    asked = await fake.send_chat(BOT, ALICE, "!playing")
    answer = await fake.next_chat_message()
    await stop_adapter(task, before)

    assert running.detail == "chat of TallyBot"
    assert (answer.broadcaster_id, answer.reply_parent_message_id, answer.message) == (
        BOT.id,
        asked,
        "No game night is running right now",
    )
