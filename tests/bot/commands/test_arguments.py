"""Typed command arguments: chat text parsed into them, and the same reply whether text or a platform typed them."""

from typing import Any

import pytest

from tallybot.bot.commands import coffee, gamenight, poker
from tallybot.bot.commands.coffee import Balance, Coffee
from tallybot.bot.commands.gamenight import NightAdd, Notes, PlayerCount, RoomCode
from tallybot.bot.commands.layer import ChatCommands
from tallybot.bot.commands.poker import PokerJoin, PokerPrompt, PokerStart, PokerVote
from tallybot.bot.commands.types import ChatUser, Command, NoArguments
from tallybot.core.errors import Invalid, NotFound
from tallybot.core.models import Role
from tallybot.core.services import Services
from tallybot.settings import ChatSettings
from tests.chat_helpers import ChatDriver, chat_layer
from tests.helpers import FakeMonotonic


@pytest.mark.parametrize(
    ("command", "text", "arguments"),
    [
        # The core tells a title from a trailing room code: chat hands it the whole text.
        (gamenight.ADD, "Quiplash 3 ABCD", NightAdd("Quiplash 3 ABCD", None)),
        (gamenight.START, "pizza night", Notes("pizza night")),
        (gamenight.START, "", Notes(None)),
        (gamenight.ROOM, "abcd", RoomCode("abcd")),
        (gamenight.PLAYERS, "6", PlayerCount(6)),
        (gamenight.PICK, "0", PlayerCount(0)),
        (gamenight.PLAYING, "anything at all", NoArguments()),
        (coffee.COFFEE, "@ryan", Coffee("@ryan", None, None)),
        (coffee.COFFEE, "<@123> 3 for the   review", Coffee("<@123>", 3, "for the review")),
        (coffee.COFFEE, "@ryan lunch on Friday", Coffee("@ryan", None, "lunch on Friday")),
        (coffee.COFFEE, "@ryan -2", Coffee("@ryan", -2, None)),
        (coffee.BALANCE, "", Balance(None)),
        (coffee.BALANCE, "@ryan", Balance("@ryan")),
        (poker.START, "", PokerStart(None)),
        (poker.START, "tshirt", PokerStart("tshirt")),
        (poker.START, "1, 2 ,3", PokerStart(("1", "2", "3"))),
        (poker.START, "S M L", PokerStart(("S", "M", "L"))),
        (poker.JOIN, "", PokerJoin(None)),
        (poker.PROMPT, "Login  page", PokerPrompt("Login  page")),
        (poker.VOTE, "13", PokerVote("13")),
    ],
)
def test_chat_text_is_parsed_into_the_commands_typed_arguments(
    command: Command[Any], text: str, arguments: object
) -> None:
    assert command.arguments(text, "!") == arguments


@pytest.mark.parametrize(
    ("command", "text", "refusal"),
    [
        (gamenight.ADD, "", "Usage: ?night add <title> [room code]"),
        (gamenight.PLAYERS, "many", "Usage: ?night players <n>"),
        (gamenight.PLAYERS, "-1", "Usage: ?night players <n>"),
        (gamenight.PICK, "12345678", "Usage: ?pick <players>"),
        (gamenight.STATUS, "", "Usage: ?night status <playing|played|skipped>"),
        (coffee.COFFEE, "", "Usage: ?coffee @user [n] [note]"),
        (coffee.COFFEE, "@ryan 2.5", "The number of coffees must be a whole number, like 3"),
        (poker.PROMPT, "", "Usage: ?prompt <story>"),
        (poker.VOTE, "", "Usage: ?vote <card>"),
    ],
)
def test_chat_text_that_does_not_fit_is_refused_with_the_usage_or_the_reason(
    command: Command[Any], text: str, refusal: str
) -> None:
    with pytest.raises(Invalid) as refused:
        command.arguments(text, "?")
    assert str(refused.value) == refusal


def test_a_pressed_choice_becomes_the_arguments_of_the_command_that_offered_it() -> None:
    assert poker.VOTE.chosen("☕️") == PokerVote("☕️")
    with pytest.raises(NotFound) as none:
        poker.PROMPT.chosen("5")
    assert str(none.value) == "prompt offers no choices"


@pytest.fixture
def chat(services: Services, monotonic: FakeMonotonic) -> ChatCommands:
    return chat_layer(services, monotonic, ChatSettings(commands_per_cooldown=100))


@pytest.fixture
async def driver(services: Services, chat: ChatCommands) -> ChatDriver:
    driver = ChatDriver(services, chat)
    await driver.host("!night start")
    await driver.host("!night add Earwax")
    await driver.say("!poker start", user="hana")
    await driver.say("!coffee @Ryan 2", user="zed", mentions=["Ryan"])
    return driver


@pytest.mark.parametrize(
    ("text", "command", "arguments"),
    [
        ("!night add Quixort abcd", gamenight.ADD, NightAdd("Quixort", "abcd")),
        ("!night room wxyz", gamenight.ROOM, RoomCode("wxyz")),
        ("!night players 6", gamenight.PLAYERS, PlayerCount(6)),
        ("!playing", gamenight.PLAYING, NoArguments()),
        ("!balance @ryan", coffee.BALANCE, Balance(ChatUser("ryan", "Ryan"))),
        ("!prompt Login page", poker.PROMPT, PokerPrompt("Login page")),
    ],
)
async def test_text_and_typed_arguments_get_the_same_reply(
    driver: ChatDriver, text: str, command: Command[Any], arguments: object
) -> None:
    typed = await driver.chat.run_parsed(driver.message(f"/{command.name}", "hana", Role.HOST), command, arguments)
    assert typed is not None
    assert await driver.host(text) == typed


async def test_a_coffee_for_a_platform_user_and_one_for_their_mention_read_alike(driver: ChatDriver) -> None:
    typed = Coffee(ChatUser("ryan", "Ryan"), 3, "for the demo")
    by_slash = await driver.chat.run_parsed(driver.message("/coffee", "ann"), coffee.COFFEE, typed)
    by_text = await driver.say("!coffee @Ryan 3 for the demo", "ben", mentions=["Ryan"])
    assert by_slash == by_text
    assert by_text is not None
    assert by_text.public == "You bought Ryan 3 coffees. Your balance: +3"
