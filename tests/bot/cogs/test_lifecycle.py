"""The Discord adapter's life: explicit command sync, status on the dashboard, a clean stop when cancelled."""

import asyncio
from dataclasses import replace
from pathlib import Path

import discord
import pytest

from tallybot.bot.__main__ import main
from tallybot.bot.commands.layer import ChatCommands
from tallybot.bot.commands.types import Command, Invocation, NoArguments, Reply, no_arguments
from tallybot.bot.discord_app import TallyBot, run_discord
from tallybot.core.services import Services
from tallybot.settings import Settings
from tests.bot.cogs.conftest import BO, GENERAL, GUILD
from tests.fakes.fake_discord import FakeDiscord
from tests.helpers import FakeMonotonic

SLASH_COMMANDS = [
    "announce",
    "balance",
    "board",
    "coffee",
    "help",
    "link",
    "night",
    "pick",
    "playing",
    "poker",
    "prompt",
    "reveal",
    "revote",
    "token",
    "vote",
    "votes",
]


def write_config(tmp_path: Path, token: str) -> Path:
    config = tmp_path / "bot.toml"
    config.write_text(
        f'[storage]\npath = "{tmp_path / "bot.db"}"\n[email]\noutbox_path = "{tmp_path / "outbox.txt"}"\n'
        f'[discord]\ntoken = "{token}"\n'
    )
    return config


async def test_sync_commands_registers_every_slash_command_in_one_server(
    fake: FakeDiscord, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    config = write_config(tmp_path, fake.token)

    code = await asyncio.to_thread(main, ["sync-commands", "--guild", str(GUILD.id), "--config", str(config)])

    assert code == 0
    assert capsys.readouterr().out == (
        f"registered {len(SLASH_COMMANDS)} slash commands in server {GUILD.id}: "
        + ", ".join(f"/{name}" for name in SLASH_COMMANDS)
        + "\n"
    )
    synced = fake.commands[GUILD.id]
    assert sorted(command["name"] for command in synced) == SLASH_COMMANDS
    assert all(command["contexts"] == [0] for command in synced)
    assert None not in fake.commands


async def test_sync_commands_without_a_guild_registers_them_globally(
    fake: FakeDiscord, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    config = write_config(tmp_path, fake.token)

    code = await asyncio.to_thread(main, ["sync-commands", "--config", str(config)])

    assert code == 0
    assert capsys.readouterr().out.startswith(f"registered {len(SLASH_COMMANDS)} slash commands globally")
    assert sorted(command["name"] for command in fake.commands[None]) == SLASH_COMMANDS


def test_sync_commands_without_a_token_stops_with_one_line(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["sync-commands", "--config", str(write_config(tmp_path, ""))]) == 2
    assert capsys.readouterr().err == (
        "tallybot: configuration error: [discord] token: needed to register the slash commands\n"
    )


async def test_a_running_bot_never_syncs_and_shows_on_the_status_board(
    fake: FakeDiscord, bot: TallyBot, services: Services
) -> None:
    [status] = services.adapters.statuses()

    assert (status.name, status.connected, status.detail) == ("discord", True, "1 server")
    assert fake.commands == {}
    assert fake.identify is not None
    assert fake.identify["intents"] == (1 << 0) | (1 << 9) | (1 << 12) | (1 << 15)


async def test_cancelling_run_discord_lets_an_answer_in_progress_finish_and_leaves_no_task(
    fake: FakeDiscord, services: Services, settings: Settings, monotonic: FakeMonotonic
) -> None:
    started, release = asyncio.Event(), asyncio.Event()

    async def slow(invocation: Invocation, _: NoArguments) -> Reply:
        started.set()
        await release.wait()
        return Reply(public="done at last")

    chat = ChatCommands(
        services, [Command("slow", "slow", "takes its time", no_arguments, slow)], settings.chat, monotonic
    )
    before = asyncio.all_tasks()
    running = asyncio.create_task(run_discord(services, chat, settings))
    await fake.wait_until_connected()
    asked = await fake.send_message(GENERAL, BO, "!slow")
    await started.wait()

    running.cancel()
    await asyncio.sleep(0.05)
    assert not running.done()
    release.set()
    with pytest.raises(asyncio.CancelledError):
        await running

    [answer] = fake.sent
    assert (answer.reply_to, answer.content) == (asked, "done at last")
    [status] = services.adapters.statuses()
    assert (status.connected, status.detail) == (False, "stopped")
    await asyncio.sleep(0)
    assert asyncio.all_tasks() - before - {asyncio.current_task()} == set()


async def test_a_refused_token_stops_the_adapter_and_says_why_on_the_status_board(
    fake: FakeDiscord, services: Services, chat: ChatCommands, settings: Settings
) -> None:
    wrong = replace(settings, discord=replace(settings.discord, token="not-the-token"))

    with pytest.raises(discord.LoginFailure):
        await run_discord(services, chat, wrong)

    [status] = services.adapters.statuses()
    assert (status.connected, status.detail) == (False, "Discord refused the token in [discord] token")
