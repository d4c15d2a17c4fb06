"""The Twitch adapter under test: ``run_twitch`` with the real twitchio, on the fake Twitch, on real services."""

import asyncio
import gc
from collections.abc import AsyncIterator, Callable, Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path

import pytest

from tallybot.bot.commands.layer import ChatCommands
from tallybot.bot.commands.registry import all_commands
from tallybot.bot.twitch_app import run_twitch
from tallybot.core.models import Community, Platform
from tallybot.core.services import Services
from tallybot.settings import Settings
from tests.fakes.fake_twitch import BOT_SCOPES, FakeTwitch, FakeUser, SentChatMessage, SentWhisper, running_fake_twitch
from tests.helpers import FakeMonotonic

BOT = FakeUser("900", "tallybot", "TallyBot")
STREAMER = FakeUser("100", "streamer", "Streamer")
ALICE = FakeUser("101", "alice", "Alice")
MO = FakeUser("102", "mo", "Mo")
BOB = FakeUser("103", "bob", "Bob")
USERS = (BOT, STREAMER, ALICE, MO, BOB)
REPLY_LIMIT = 500


@dataclass
class TwitchChat:
    """The fake Twitch with the adapter joined to STREAMER's chat, and what a test does with them."""

    fake: FakeTwitch
    services: Services
    chat: ChatCommands
    probes: list[str] = field(default_factory=list)

    async def community(self) -> Community:
        """The community of STREAMER's channel."""
        return await self.services.communities.ensure(Platform.TWITCH, STREAMER.id, STREAMER.display_name)

    async def say(self, chatter: FakeUser, text: str, *, badges: Sequence[str] = ()) -> str:
        """Say ``text`` in STREAMER's chat; returns the message id."""
        return await self.fake.send_chat(STREAMER, chatter, text, badges=badges)

    async def reply(self, to: str | None = None) -> SentChatMessage:
        """The next line the bot said in chat (as a reply to message ``to``, if given); all fit Twitch's limit."""
        sent = await self.fake.next_chat_message(matching=None if to is None else _replying_to(to))
        assert len(sent.message) <= REPLY_LIMIT
        return sent

    async def announcement(self) -> str:
        """The next line the bot said of its own accord (not as a reply)."""
        sent = await self.fake.next_chat_message(matching=_replying_to(None))
        assert (sent.sender_id, sent.broadcaster_id) == (BOT.id, STREAMER.id)
        return sent.message

    async def settle(self) -> None:
        """Wait until the bot has taken in every message said so far, so that moving the clock cannot change them.

        The bot reads the time as it takes a message, in the order they came; a fresh chatter's command, answered,
        was taken after them. The probes' lines are left out of ``lines``.
        """
        probe = self.fake.add_user(str(800_000 + len(self.probes)), f"probe{len(self.probes)}")
        asked = await self.say(probe, "!help")
        self.probes.append(asked)
        await self.reply(asked)

    def lines(self) -> list[str]:
        """Everything the bot said in chat so far, but the answers to ``settle``'s probes."""
        return [sent.message for sent in self.fake.chat_messages if sent.reply_parent_message_id not in self.probes]

    async def whisper(self) -> SentWhisper:
        """The next whisper the bot sent."""
        return await self.fake.next_whisper()

    async def ask(self, chatter: FakeUser, text: str, *, badges: Sequence[str] = ()) -> str:
        """Say ``text`` and return the text of the bot's reply to it."""
        asked = await self.say(chatter, text, badges=badges)
        sent = await self.reply(asked)
        assert (sent.reply_parent_message_id, sent.sender_id, sent.broadcaster_id) == (asked, BOT.id, STREAMER.id)
        return sent.message


def _replying_to(message_id: str | None) -> Callable[[SentChatMessage], bool]:
    def matches(sent: SentChatMessage) -> bool:
        return sent.reply_parent_message_id == message_id

    return matches


@pytest.fixture
async def fake() -> AsyncIterator[FakeTwitch]:
    async with running_fake_twitch() as server:
        for user in USERS:
            server.add_user(user.id, user.login, user.display_name)
        yield server
        assert server.unknown_requests == []


@pytest.fixture
def twitch_settings(settings: Settings, fake: FakeTwitch) -> Settings:
    twitch = replace(
        settings.twitch,
        client_id=fake.client_id,
        client_secret=fake.client_secret,
        bot_id=BOT.id,
        channels=(STREAMER.login,),
    )
    return replace(settings, twitch=twitch)


@pytest.fixture
def chat(services: Services, settings: Settings, monotonic: FakeMonotonic) -> ChatCommands:
    return ChatCommands(services, all_commands(), settings.chat, monotonic)


async def start_adapter(
    services: Services, chat: ChatCommands, settings: Settings, monotonic: FakeMonotonic
) -> "asyncio.Task[None]":
    """``run_twitch`` as a task, once the bot reports itself connected."""
    task = asyncio.create_task(run_twitch(services, chat, settings, monotonic=monotonic))
    async with asyncio.timeout(5):
        # The status board tells nobody of a change: look until the adapter says it is connected.
        while not any(status.name == "twitch" and status.connected for status in services.adapters.statuses()):
            assert not task.done(), task
            await asyncio.sleep(0.01)
    return task


async def stop_adapter(task: "asyncio.Task[None]", before: set["asyncio.Task[object]"]) -> None:
    """Cancel ``run_twitch`` and fail on any task it left behind (those in ``before`` were there already).

    twitchio cancels its tasks without awaiting them, so they get a moment to finish. Collecting garbage then
    makes an unclosed aiohttp session's ResourceWarning (an error under ``filterwarnings=error``) land here.
    The young generations suffice for what the adapter just dropped; a full collection costs seconds late in a
    long test run.
    """
    task.cancel()
    await asyncio.wait({task})
    assert task.cancelled()
    current = asyncio.current_task()
    for _ in range(100):
        left = [other for other in asyncio.all_tasks() if other is not current and other not in before]
        if not left:
            gc.collect(1)
            return
        await asyncio.sleep(0.01)
    raise AssertionError(f"tasks outlived the Twitch adapter: {left}")


@pytest.fixture
def bot_scopes() -> Sequence[str]:
    """The scopes of the bot account's token; a test module may narrow them."""
    return BOT_SCOPES


@pytest.fixture
async def twitch(
    bot_scopes: Sequence[str],
    fake: FakeTwitch,
    services: Services,
    chat: ChatCommands,
    twitch_settings: Settings,
    monotonic: FakeMonotonic,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> AsyncIterator[TwitchChat]:
    # twitchio would write .tio.tokens.json to the working directory: it must stay empty.
    workdir = tmp_path / "workdir"
    workdir.mkdir()
    monkeypatch.chdir(workdir)
    await services.platform_tokens.save(Platform.TWITCH, BOT.id, *fake.issue_user_token(BOT.id, bot_scopes))
    before = asyncio.all_tasks()
    task = await start_adapter(services, chat, twitch_settings, monotonic)
    yield TwitchChat(fake, services, chat)
    await stop_adapter(task, before)
    assert list(workdir.iterdir()) == []
