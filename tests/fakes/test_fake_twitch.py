"""The fake Twitch drives a real twitchio 3 ``commands.Bot``: commands, listeners, whispers, guards and tokens."""

# twitchio's command, guard and listener decorators are annotated as returning Any.
# mypy: disable-error-code="untyped-decorator"

import asyncio
import gc
from collections.abc import AsyncIterator
from pathlib import Path

import pytest
import twitchio
from twitchio import eventsub
from twitchio.authentication import ValidateTokenPayload
from twitchio.ext import commands

from tests.fakes.fake_twitch import (
    FakeTwitch,
    FakeUser,
    RecordedRequest,
    SentChatMessage,
    SentWhisper,
    running_fake_twitch,
)

BOT = FakeUser("900", "tallybot", "TallyBot")
STREAMER = FakeUser("100", "streamer", "Streamer")
ALICE = FakeUser("101", "alice", "Alice")
MO = FakeUser("102", "mo", "Mo")


class MemoryTokenStore:
    """Stands in for tallybot's database: user id -> (access token, refresh token)."""

    def __init__(self) -> None:
        self.rows: dict[str, tuple[str, str]] = {}


class ProofBot(commands.Bot):
    """A bot that keeps its tokens in a store instead of twitchio's ``.tio.tokens.json``."""

    def __init__(self, fake: FakeTwitch, store: MemoryTokenStore) -> None:
        super().__init__(
            client_id=fake.client_id,
            client_secret=fake.client_secret,
            bot_id=BOT.id,
            owner_id=STREAMER.id,
            prefix="!",
        )
        self.store = store
        self.errors: list[BaseException] = []

    async def setup_hook(self) -> None:
        await self.add_component(Proof(self))
        chat = eventsub.ChatMessageSubscription(broadcaster_user_id=STREAMER.id, user_id=self.bot_id)
        await self.subscribe_websocket(chat)

    async def load_tokens(self, path: str | None = None, /) -> None:
        for token, refresh in list(self.store.rows.values()):
            await self.add_token(token, refresh)

    async def add_token(self, token: str, refresh: str) -> ValidateTokenPayload:
        validated = await super().add_token(token, refresh)
        if validated.user_id is not None:
            # Store the pair twitchio manages: it refreshes a token that is about to expire while adding it.
            managed = self.tokens[validated.user_id]
            self.store.rows[validated.user_id] = (managed["token"], managed["refresh"])
        return validated

    async def event_token_refreshed(self, payload: twitchio.TokenRefreshedPayload) -> None:
        # Refreshes after a 401 or by the hourly revalidation never pass through add_token.
        self.store.rows[payload.user_id] = (payload.token, payload.refresh_token)

    async def save_tokens(self, path: str | None = None, /) -> None:
        """Tokens are stored as they change; this override keeps twitchio from writing ``.tio.tokens.json``."""

    async def event_error(self, payload: twitchio.EventErrorPayload) -> None:
        self.errors.append(payload.error)

    async def event_command_error(self, payload: commands.CommandErrorPayload) -> None:
        self.errors.append(payload.exception)


class Proof(commands.Component):
    """A tiny component: a reply, a whisper, a moderator-only command and a listener on every message."""

    def __init__(self, bot: ProofBot) -> None:
        self.bot = bot
        self.heard: list[tuple[str | None, str]] = []

    @commands.command()
    async def hello(self, ctx: commands.Context[ProofBot]) -> None:
        await ctx.reply(f"Hello {ctx.chatter.display_name}!")

    @commands.command()
    async def link(self, ctx: commands.Context[ProofBot]) -> None:
        assert self.bot.user is not None
        await self.bot.user.send_whisper(to_user=ctx.chatter, message="Your code is 424242")
        await ctx.reply("I whispered you a code.")

    @commands.is_moderator()
    @commands.command(name="close")
    async def close_night(self, ctx: commands.Context[ProofBot]) -> None:
        await ctx.send("Game night closed.")

    async def component_command_error(self, payload: commands.CommandErrorPayload) -> bool | None:
        if isinstance(payload.exception, commands.GuardFailure):
            await payload.context.reply("Only the broadcaster or a moderator can do that.")
            return False
        return None

    @commands.Component.listener()
    async def event_message(self, payload: twitchio.ChatMessage) -> None:
        self.heard.append((payload.chatter.name, payload.text))
        # Twitch echoes the bot's own messages; answering them could loop forever.
        if payload.chatter.id != self.bot.bot_id and "thisgame++" in payload.text:
            await payload.respond(f"{payload.chatter.display_name} thisgame++ counted")


@pytest.fixture
async def fake() -> AsyncIterator[FakeTwitch]:
    async with running_fake_twitch() as server:
        for user in (BOT, STREAMER, ALICE, MO):
            server.add_user(user.id, user.login, user.display_name)
        yield server
        assert server.unknown_requests == []


@pytest.fixture
def store(fake: FakeTwitch) -> MemoryTokenStore:
    tokens = MemoryTokenStore()
    tokens.rows[BOT.id] = fake.issue_user_token(BOT.id)
    return tokens


@pytest.fixture
async def bot(
    fake: FakeTwitch, store: MemoryTokenStore, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> AsyncIterator[ProofBot]:
    # A token file would land in the working directory; an empty tmp_path afterwards proves none was written.
    monkeypatch.chdir(tmp_path)
    proof = ProofBot(fake, store)
    running = asyncio.create_task(proof.start(with_adapter=False))
    ready = asyncio.create_task(proof.wait_until_ready())
    await asyncio.wait({running, ready}, timeout=5, return_when=asyncio.FIRST_COMPLETED)
    assert ready.done(), running.exception() if running.done() else "the bot was not ready within 5 s"
    yield proof
    await proof.close()
    await running
    await _nothing_left_behind()
    assert _names_in(tmp_path) == []
    assert proof.errors == []


async def _nothing_left_behind() -> None:
    """Fail on a task or an unclosed aiohttp session that outlived the bot.

    twitchio cancels its tasks without awaiting them, so they get a moment to finish. Collecting garbage now makes
    an unclosed session's ResourceWarning (an error under ``filterwarnings=error``) land on this test.
    """
    current = asyncio.current_task()
    for _ in range(50):
        left = [task for task in asyncio.all_tasks() if task is not current]
        if not left:
            gc.collect(1)
            return
        await asyncio.sleep(0.01)
    raise AssertionError(f"tasks outlived the bot: {left}")


def _names_in(directory: Path) -> list[str]:
    return sorted(path.name for path in directory.iterdir())


def _component(bot: ProofBot) -> Proof:
    component = bot.get_component("Proof")
    assert isinstance(component, Proof)
    return component


async def test_startup_gets_an_app_token_adds_the_stored_token_and_subscribes_to_chat(
    fake: FakeTwitch, store: MemoryTokenStore, bot: ProofBot
) -> None:
    assert [(request.method, request.path) for request in fake.requests] == [
        ("POST", "/oauth2/token"),
        ("GET", "/oauth2/validate"),
        ("GET", "/oauth2/validate"),
        ("GET", "/helix/users"),
        ("GET", "/helix/users"),
        ("GET", "/ws"),
        ("POST", "/helix/eventsub/subscriptions"),
    ]
    subscription = await fake.wait_for_subscription("channel.chat.message", broadcaster_user_id=STREAMER.id)
    assert (subscription.condition, subscription.user_id) == (
        {"broadcaster_user_id": STREAMER.id, "user_id": BOT.id},
        BOT.id,
    )
    assert bot.tokens[BOT.id]["token"] == store.rows[BOT.id][0]


async def test_command_reply_goes_to_the_channel_as_a_reply_from_the_bot(fake: FakeTwitch, bot: ProofBot) -> None:
    asked = await fake.send_chat(STREAMER.id, ALICE, "!hello")

    reply = await fake.next_chat_message()

    # twitchio's Context.reply posts with the app token, so Twitch needs user:bot from the bot account.
    assert reply == SentChatMessage(
        broadcaster_id=STREAMER.id,
        sender_id=BOT.id,
        message="Hello Alice!",
        reply_parent_message_id=asked,
        message_id=reply.message_id,
        auth_user_id=None,
    )


async def test_listener_hears_every_message_and_ignores_the_bots_own_echo(fake: FakeTwitch, bot: ProofBot) -> None:
    await fake.send_chat(STREAMER.id, ALICE, "great game thisgame++")
    vote = await fake.next_chat_message()
    await fake.send_chat(STREAMER.id, ALICE, "!hello")
    await fake.next_chat_message()

    assert (vote.message, vote.reply_parent_message_id) == ("Alice thisgame++ counted", None)
    assert [sent.message for sent in fake.chat_messages] == ["Alice thisgame++ counted", "Hello Alice!"]
    # The echo of "Hello Alice!" may still be on its way, so only the first three are settled.
    assert _component(bot).heard[:3] == [
        ("alice", "great game thisgame++"),
        ("tallybot", "Alice thisgame++ counted"),
        ("alice", "!hello"),
    ]


async def test_link_whispers_the_chatter_with_the_bots_user_token(fake: FakeTwitch, bot: ProofBot) -> None:
    asked = await fake.send_chat(STREAMER.id, ALICE, "!link")

    whisper = await fake.next_whisper()
    reply = await fake.next_chat_message()

    assert whisper == SentWhisper(from_user_id=BOT.id, to_user_id=ALICE.id, message="Your code is 424242")
    assert (reply.message, reply.reply_parent_message_id) == ("I whispered you a code.", asked)
    assert [request for request in fake.requests if request.path == "/helix/whispers"] == [
        RecordedRequest(
            method="POST",
            path="/helix/whispers",
            query={"from_user_id": [BOT.id], "to_user_id": [ALICE.id]},
            body={"message": "Your code is 424242"},
            auth_user_id=BOT.id,
        )
    ]


async def test_member_is_refused_a_moderator_command_with_a_clear_reply(fake: FakeTwitch, bot: ProofBot) -> None:
    asked = await fake.send_chat(STREAMER.id, ALICE, "!close", badges=["subscriber", "vip"])

    reply = await fake.next_chat_message()

    assert (reply.message, reply.reply_parent_message_id) == ("Only the broadcaster or a moderator can do that.", asked)


@pytest.mark.parametrize(("chatter", "badges"), [(MO, ["moderator"]), (STREAMER, [])])
async def test_moderator_and_broadcaster_may_use_a_moderator_command(
    fake: FakeTwitch, bot: ProofBot, chatter: FakeUser, badges: list[str]
) -> None:
    await fake.send_chat(STREAMER.id, chatter, "!close", badges=badges)

    reply = await fake.next_chat_message()

    assert (reply.message, reply.reply_parent_message_id) == ("Game night closed.", None)


async def test_expired_bot_token_is_refreshed_into_the_store(
    fake: FakeTwitch, store: MemoryTokenStore, bot: ProofBot
) -> None:
    old = store.rows[BOT.id]
    fake.expire_token(old[0])

    await fake.send_chat(STREAMER.id, ALICE, "!link")
    await fake.next_whisper()
    await fake.next_chat_message()

    assert store.rows[BOT.id] != old
    assert fake.is_current_pair(*store.rows[BOT.id])
    refreshes = [request for request in fake.requests if request.path == "/oauth2/token"]
    assert [request.query["grant_type"] for request in refreshes] == [["client_credentials"], ["refresh_token"]]


async def test_default_twitchio_bot_writes_tokens_to_a_file_in_the_working_directory(
    fake: FakeTwitch, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    plain = commands.Bot(client_id=fake.client_id, client_secret=fake.client_secret, bot_id=BOT.id, prefix="!")
    await plain.login()
    await plain.add_token(*fake.issue_user_token(BOT.id))

    await plain.close()
    await _nothing_left_behind()

    assert _names_in(tmp_path) == [".tio.tokens.json"]
