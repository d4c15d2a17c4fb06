"""The command layer: parsing, cooldowns with one notice, host-only commands, help, and safe replies."""

import asyncio
import re
from dataclasses import replace
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given
from hypothesis import settings as hypothesis_settings
from hypothesis import strategies as st

from tallybot.bot.__main__ import open_services
from tallybot.bot.commands import gamenight
from tallybot.bot.commands.layer import MAX_TEXT, ChatCommands, fit
from tallybot.bot.commands.registry import all_commands
from tallybot.bot.commands.types import ChatMessage, Command, CommandText, Invocation, NoArguments, Reply, no_arguments
from tallybot.core.errors import DomainError, Forbidden, NotFound, NotHost, RateLimited
from tallybot.core.models import Platform, Role
from tallybot.core.services import Services
from tallybot.settings import ChatSettings, Settings
from tests.chat_helpers import ChatDriver
from tests.helpers import FakeMonotonic


def _text(text: CommandText) -> str:
    return text.text


async def _echo(invocation: Invocation, text: str) -> Reply:
    return Reply(public=f"echo {text}", private=f"psst {text}")


async def _secret(invocation: Invocation, _: NoArguments) -> Reply:
    # The check a service makes for a host's write; the layer only words the refusal.
    message = invocation.message
    message.principal.check_host_of(message.community.id)
    return Reply(public="the secret")


ECHO = Command("echo", "echo <text>", "say it back", _text, _echo, aliases=("say",))
TWO_WORDS = Command("night echo", "night echo <text>", "say it back at night", _text, _echo)
SECRET = Command("secret", "secret", "hosts only", no_arguments, _secret, host_only=True)


def layer(services: Services, monotonic: FakeMonotonic, settings: ChatSettings | None = None) -> ChatCommands:
    return ChatCommands(services, (ECHO, TWO_WORDS, SECRET), settings or ChatSettings(), monotonic)


@pytest.fixture
def chat(services: Services, monotonic: FakeMonotonic) -> ChatCommands:
    return layer(services, monotonic)


@pytest.mark.parametrize(
    ("text", "name", "args"),
    [
        ("!echo hello there", "echo", "hello there"),
        ("/echo hello", "echo", "hello"),
        ("  !ECHO   spaced   out ", "echo", "spaced   out"),
        ("!say hi", "echo", "hi"),
        ("!night echo at night", "night echo", "at night"),
        ("!Night ECHO", "night echo", ""),
        ("!secret", "secret", ""),
    ],
)
def test_a_command_is_found_by_its_name_or_alias_in_any_case(
    chat: ChatCommands, text: str, name: str, args: str
) -> None:
    parsed = chat.parse(text)
    assert parsed is not None
    command, rest = parsed
    assert (command.name, rest) == (name, args)


@pytest.mark.parametrize("text", ["hello", "thisgame++", "!", "/", "!nosuch thing", "! echo", "echo !echo", ""])
def test_plain_chat_and_unknown_commands_are_not_commands(chat: ChatCommands, text: str) -> None:
    assert chat.parse(text) is None


def test_the_prefix_comes_from_the_settings_and_slash_always_works(
    services: Services, monotonic: FakeMonotonic
) -> None:
    chat = layer(services, monotonic, ChatSettings(prefix="?"))
    assert chat.parse("!echo a") is None
    assert chat.parse("?echo a") is not None
    assert chat.parse("/echo a") is not None


async def test_a_command_runs_and_its_reply_comes_back(services: Services, chat: ChatCommands) -> None:
    reply = await ChatDriver(services, chat).say("!echo hi")
    assert reply == Reply(public="echo hi", private="psst hi")


async def test_a_member_is_refused_a_host_command_with_a_clear_reply(services: Services, chat: ChatCommands) -> None:
    driver = ChatDriver(services, chat)
    with pytest.raises(Forbidden) as refused:
        await driver.say("!secret", role=Role.MEMBER)
    assert str(refused.value) == "Only a host can use !secret"
    assert await driver.say("!secret", role=Role.HOST) == Reply(public="the secret")


@pytest.mark.parametrize("prefix", ["!", "?"])
async def test_a_members_night_start_is_refused_by_core_and_worded_by_the_layer(
    services: Services, monotonic: FakeMonotonic, prefix: str
) -> None:
    # Not marked host-only: the layer checks nothing, the session service refuses.
    start = replace(gamenight.START, host_only=False)
    driver = ChatDriver(services, ChatCommands(services, (start,), ChatSettings(prefix=prefix), monotonic))
    with pytest.raises(NotHost) as refused:
        await driver.say(f"{prefix}night start pizza", role=Role.MEMBER)
    assert str(refused.value) == f"Only a host can use {prefix}night start"
    assert await services.game_nights.all(services.default_community) == []


@pytest.mark.parametrize(("role", "is_host"), [(Role.HOST, True), (Role.MEMBER, False)])
def test_a_chat_message_names_its_author_with_the_role_the_platform_gave(
    services: Services, chat: ChatCommands, role: Role, is_host: bool
) -> None:
    driver = ChatDriver(services, chat, platform=Platform.TWITCH)
    asker = driver.message("!night start", user="Dee", role=role).principal
    community = services.default_community
    assert (asker.label, asker.role_in(community.id), asker.is_host_of(community.id)) == ("twitch:dee", role, is_host)
    assert asker.person is None


async def test_run_names_an_unknown_command_clearly(services: Services, chat: ChatCommands) -> None:
    dance = Command("dance", "dance", "not in this layer", no_arguments, _secret)
    with pytest.raises(NotFound) as unknown:
        await chat.run_parsed(ChatDriver(services, chat).message("/dance"), dance, NoArguments())
    assert str(unknown.value) == "There is no command called dance. Try !help"


async def test_a_flood_gets_one_notice_per_cooldown_and_then_silence(
    services: Services, monotonic: FakeMonotonic
) -> None:
    chat = layer(services, monotonic, ChatSettings(cooldown_seconds=10.0, commands_per_cooldown=2))
    driver = ChatDriver(services, chat)
    assert await driver.say("!echo 1") is not None
    monotonic.advance(1)
    assert await driver.say("!echo 2") is not None
    with pytest.raises(RateLimited) as throttled:
        await driver.say("!echo 3")
    assert str(throttled.value) == "Slow down: try again in 9 seconds."
    for _ in range(50):
        assert await driver.say("!echo again") is None
    # Somebody else is not held up by alice's flood.
    assert await driver.say("!echo 1", user="bob") is not None
    monotonic.advance(9)
    assert await driver.say("!echo 4") == Reply(public="echo 4", private="psst 4")


async def test_a_user_still_flooding_after_a_cooldown_is_told_once_more(
    services: Services, monotonic: FakeMonotonic
) -> None:
    chat = layer(services, monotonic, ChatSettings(cooldown_seconds=10.0, commands_per_cooldown=1))
    driver = ChatDriver(services, chat)
    notices = 0
    for _ in range(30):
        try:
            await driver.say("!echo spam")
        except RateLimited:
            notices += 1
        monotonic.advance(1)
    # 30 seconds of one message a second: three windows, each with one answer and one notice.
    assert notices == 3


async def test_help_lists_only_what_the_asker_may_use(services: Services, chat: ChatCommands) -> None:
    driver = ChatDriver(services, chat)
    member_help = "Commands: !echo <text>: say it back | !night echo <text>: say it back at night | !help: " + (
        "list the commands you can use"
    )
    assert await driver.say("!help") == Reply(public=member_help)
    host_help = await driver.say("!commands", role=Role.HOST)
    assert host_help is not None
    assert host_help.public == member_help.replace(" | !help", " | !secret: hosts only | !help")


def test_fit_defangs_mass_mentions_and_cuts_to_the_limit() -> None:
    assert fit("hi @everyone and @HERE", 2000) == "hi @\u200beveryone and @\u200bHERE"
    cut = fit("x" * 600, 500)
    assert len(cut) == 500
    assert cut.endswith("x…")
    assert fit("short", 500) == "short"


async def test_replies_are_defanged_and_fit_the_platform(services: Services, chat: ChatCommands) -> None:
    twitch = ChatDriver(services, chat, platform=Platform.TWITCH)
    reply = await twitch.say("!echo @everyone " + "y" * 700)
    assert reply is not None
    assert reply.public is not None
    assert reply.public.startswith("echo @\u200beveryone yyy")
    assert len(reply.public) == 500
    discord = ChatDriver(services, chat, platform=Platform.DISCORD)
    long_reply = await discord.say("!echo @here " + "z" * 900)
    assert long_reply is not None
    assert long_reply.public == "echo @\u200bhere " + "z" * 900


def test_the_registry_gives_every_command_a_unique_name_and_a_usage_starting_with_it() -> None:
    commands = all_commands()
    names = [name for command in commands for name in (command.name, *command.aliases)]
    assert len(names) == len(set(names))
    for command in commands:
        assert command.usage.startswith(command.name)


_MASS_MENTION = re.compile(r"@(everyone|here)", re.IGNORECASE)
_NASTY = st.sampled_from(["@everyone", "@here", "\u200b", "\u202e", "\u2066", "\ufeff", "<@123>", "@", "\n", "٠١٢"])
_HOSTILE = st.lists(st.one_of(st.text(max_size=40), _NASTY), max_size=30).map("".join)
_COMMAND_WORDS = st.sampled_from(
    sorted({name for command in all_commands() for name in (command.name, *command.aliases)} | {"help"})
)
_LINES = st.one_of(
    _HOSTILE,
    st.builds(lambda name, rest: f"!{name} {rest}", _COMMAND_WORDS, _HOSTILE),
    st.builds(lambda rest: f"thisgame++ {rest}", _HOSTILE),
    st.just("@everyone " * 1100),
    st.just("\u202e" + "x" * 10_240),
)


def _safe(reply: Reply | None) -> None:
    if reply is not None:
        for text in (reply.public, reply.private):
            assert text is None or not _MASS_MENTION.search(text)
            assert text is None or len(text) <= 2000


def test_hostile_chat_never_raises_anything_but_a_domain_error(settings: Settings, tmp_path: Path) -> None:
    settings = replace(settings, storage=replace(settings.storage, path=str(tmp_path / "hostile.db")))
    with asyncio.Runner() as runner:
        opened = open_services(settings)
        services = runner.run(opened.__aenter__())
        try:
            chat = ChatCommands(services, all_commands(), ChatSettings(commands_per_cooldown=10**9), FakeMonotonic())
            driver = ChatDriver(services, chat, platform=Platform.DISCORD)

            async def send(message: ChatMessage) -> None:
                try:
                    reply = await chat.on_message(message)
                except DomainError as error:
                    # What an adapter's error handler posts.
                    reply = Reply(public=fit(str(error), 2000))
                _safe(reply)

            @hypothesis_settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
            @given(text=_LINES, host=st.booleans())
            def check(text: str, host: bool) -> None:
                message = driver.message(text, user="mallory", role=Role.HOST if host else Role.MEMBER)
                runner.run(send(message))

            check()
        finally:
            runner.run(opened.__aexit__(None, None, None))


async def test_a_10_kb_message_is_read_only_as_far_as_a_command_needs(services: Services, chat: ChatCommands) -> None:
    reply = await ChatDriver(services, chat).say("!echo " + "a" * 10_240)
    assert reply is not None
    assert reply.public == "echo " + "a" * (MAX_TEXT - len("!echo "))
