"""The coffee scoreboard through the chat command layer: chat messages in, exact replies out."""

import pytest

from tallybot.bot.commands.layer import ChatCommands
from tallybot.bot.commands.types import Reply
from tallybot.core.errors import DomainError, Invalid, NotFound
from tallybot.core.models import Platform
from tallybot.core.services import Services
from tallybot.settings import ChatSettings
from tests.chat_helpers import ChatDriver, chat_layer
from tests.helpers import FakeMonotonic


@pytest.fixture
def chat(services: Services, monotonic: FakeMonotonic) -> ChatCommands:
    # Enough commands per cooldown for a whole test; cooldowns have tests of their own.
    return chat_layer(services, monotonic, ChatSettings(commands_per_cooldown=100))


@pytest.fixture
def room(services: Services, chat: ChatCommands) -> ChatDriver:
    return ChatDriver(services, chat)


async def refusal(room: ChatDriver, text: str, user: str = "alice") -> tuple[type[DomainError], str]:
    """The kind and the words of the error a message is answered with."""
    with pytest.raises(DomainError) as caught:
        await room.say(text, user)
    return type(caught.value), str(caught.value)


async def test_coffee_for_a_mention_records_it_and_shows_the_buyers_balance(room: ChatDriver) -> None:
    assert await room.say("!coffee @Ryan 3", mentions=["Ryan"]) == Reply(
        public="You bought Ryan 3 coffees. Your balance: +3"
    )
    assert await room.say("!coffee @ryan") == Reply(public="You bought Ryan 1 coffee. Your balance: +4")
    assert await room.say("/coffee ryan 2 for the demo") == Reply(public="You bought Ryan 2 coffees. Your balance: +6")


async def test_balances_are_your_own_or_a_mentioned_persons(room: ChatDriver) -> None:
    await room.say("!coffee @Ryan 2", mentions=["Ryan"])
    assert await room.say("!balance", "Ryan") == Reply(public="Your coffee balance: -2")
    assert await room.say("!balance @ryan") == Reply(public="Ryan's coffee balance: -2")
    assert await room.say("!balance @alice") == Reply(public="Your coffee balance: +2")
    assert await room.say("!balance", "cy") == Reply(public="Your coffee balance: 0")


async def test_the_board_ranks_the_most_generous_first(services: Services, room: ChatDriver) -> None:
    await room.say("!coffee @Ryan 2", mentions=["Ryan"])
    await room.say("!coffee @cy 5", "Ryan", mentions=["cy"])
    name = services.default_community.name
    assert await room.say("!board", "dee") == Reply(
        public=f"Coffee board for {name}: 1. Ryan +3 | 2. alice +2 | 3. dee 0 | 4. cy -5"
    )


async def test_what_cannot_be_recorded_is_refused_in_plain_words(room: ChatDriver) -> None:
    await room.say("!balance", "Ryan")
    assert await refusal(room, "!coffee") == (Invalid, "Usage: !coffee @user [n] [note]")
    assert await refusal(room, "!coffee @ryan 2.5") == (Invalid, "The number of coffees must be a whole number, like 3")
    assert await refusal(room, "!coffee @ryan 0") == (Invalid, "The number of coffees must be from 1 to 1000")
    assert await refusal(room, "!coffee @ryan 1001") == (Invalid, "The number of coffees must be from 1 to 1000")
    assert await refusal(room, "!coffee @alice") == (
        Invalid,
        "You can't buy yourself coffee: mention who you bought it for",
    )
    assert await refusal(room, "!coffee @nobody 2") == (
        NotFound,
        "I don't know anyone called @nobody yet: they need to say something in chat first",
    )
    assert await room.say("!balance @ryan") == Reply(public="Ryan's coffee balance: 0")


async def test_twitch_users_record_coffee_with_the_same_syntax(services: Services, chat: ChatCommands) -> None:
    channel = await services.communities.ensure(Platform.TWITCH, "77", "streamer")
    twitch = ChatDriver(services, chat, platform=Platform.TWITCH, community=channel)
    await twitch.say("!balance", "Ryan")
    assert await twitch.say("!coffee @Ryan 2 thanks for the raid") == Reply(
        public="You bought Ryan 2 coffees. Your balance: +2"
    )
    assert await twitch.say("!board", "Ryan") == Reply(public="Coffee board for streamer: 1. alice +2 | 2. Ryan -2")
