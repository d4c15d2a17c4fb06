"""Planning poker through the chat command layer: chat messages in, exact replies out."""

import asyncio
import re

import pytest

from tallybot.bot.commands.announcements import wording
from tallybot.bot.commands.layer import ChatCommands
from tallybot.bot.commands.types import Reply
from tallybot.core.errors import DomainError, Invalid, NotFound, Unauthorized
from tallybot.core.models import Platform
from tallybot.core.poker.rules import FIBONACCI
from tallybot.core.ports import EventSubscription
from tallybot.core.services import Services
from tallybot.settings import ChatSettings
from tests.chat_helpers import ChatDriver, chat_layer
from tests.helpers import FakeMonotonic

CARDS = " ".join(FIBONACCI)
STARTED = re.compile(r"alice started planning poker (\S+) with the cards ")


@pytest.fixture
def chat(services: Services, monotonic: FakeMonotonic) -> ChatCommands:
    # Enough commands per cooldown for a whole round; cooldowns have tests of their own.
    return chat_layer(services, monotonic, ChatSettings(commands_per_cooldown=100))


@pytest.fixture
def table(services: Services, chat: ChatCommands) -> ChatDriver:
    return ChatDriver(services, chat)


async def start(table: ChatDriver, deck: str = "") -> str:
    """Alice starts a session; returns its id."""
    reply = await table.say(f"!poker start {deck}".strip())
    assert reply is not None
    assert reply.public is not None
    match = STARTED.match(reply.public)
    assert match is not None, reply.public
    return match.group(1)


async def refusal(table: ChatDriver, text: str, user: str = "alice") -> tuple[type[DomainError], str]:
    """The kind and the words of the error a message is answered with."""
    with pytest.raises(DomainError) as caught:
        await table.say(text, user)
    return type(caught.value), str(caught.value)


async def revealed(services: Services, subscription: EventSubscription) -> str:
    """The announcement of the next ``poker.revealed`` event on the bus, worded; the subscription ends with it."""
    try:
        async with asyncio.timeout(5):
            async for event in subscription:
                if event.type == "poker.revealed":
                    announcement = await services.announcements.announcement_for(event, Platform.LOCAL)
                    assert announcement is not None
                    return wording(announcement)
    finally:
        subscription.close()
    raise AssertionError("the subscription ended without a reveal")


async def test_a_full_round_keeps_the_cards_hidden_until_the_last_vote_reveals_them(
    services: Services, table: ChatDriver
) -> None:
    started = await table.say("!poker start")
    assert started is not None
    assert started.public is not None
    match = STARTED.match(started.public)
    assert match is not None
    session_id = match.group(1)
    assert started == Reply(
        public=f"alice started planning poker {session_id} with the cards {CARDS}. Join with !poker join"
    )
    assert await table.say("!poker join", "bob") == Reply(public=f"bob joined {session_id}. Players: alice, bob")
    assert await table.say(f"/poker join {session_id}", "cy") == Reply(
        public=f"cy joined {session_id}. Players: alice, bob, cy"
    )
    assert await table.say("!prompt Login page") == Reply(
        public=f"Estimating: Login page | Vote with !vote <card>: {CARDS}", choices=FIBONACCI, choice_command="vote"
    )
    assert await table.say("!vote 5") == Reply(
        public="alice has voted (1/3)",
        private="You voted 5 (hidden until the reveal).",
        choices=FIBONACCI,
        choice_command="vote",
    )
    assert await table.say("!vote 8", "bob") == Reply(
        public="bob has voted (2/3)",
        private="You voted 8 (hidden until the reveal).",
        choices=FIBONACCI,
        choice_command="vote",
    )
    subscription = services.bus.subscribe()
    assert await table.say("!vote 5", "cy") == Reply(
        public="cy has voted (3/3). Everyone has voted: the cards are up!", private="You voted 5."
    )
    assert await revealed(services, subscription) == (
        "🃏 Cards are up for “Login page”: alice 5, bob 8, cy 5. Median 5. No consensus; furthest from the median: bob."
    )


async def test_the_owner_reveals_early_revotes_and_closes(services: Services, table: ChatDriver) -> None:
    session_id = await start(table)
    await table.say("!poker join", "bob")
    await table.say("!prompt OIDC")
    await table.say("!vote 13", "bob")
    subscription = services.bus.subscribe()
    # The result is the announcement's to tell, in the session's channel; the command adds nothing to it.
    assert await table.say("!reveal") == Reply()
    assert await revealed(services, subscription) == "🃏 Cards are up for “OIDC”: bob 13. Median 13. Consensus!"
    assert await table.say("!revote") == Reply(
        public=f"Round 2 for “OIDC”: vote again with !vote <card>: {CARDS}", choices=FIBONACCI, choice_command="vote"
    )
    await table.say("!vote 3")
    await table.say("!vote 20", "bob")
    assert await table.say("!poker close") == Reply(
        public=f"Planning poker {session_id} is closed. Thanks for estimating!"
    )


async def test_a_member_is_refused_what_only_the_owner_may_do(table: ChatDriver) -> None:
    session_id = await start(table)
    await table.say("!poker join", "bob")
    owner_only = (Unauthorized, f"Only the owner of session {session_id} can do that")
    assert await refusal(table, "!prompt Sneaky story", "bob") == owner_only
    await table.say("!prompt OIDC")
    for command in ("!reveal", "!revote", "!poker close"):
        assert await refusal(table, command, "bob") == owner_only


async def test_a_reveal_without_numbers_has_no_median(services: Services, table: ChatDriver) -> None:
    await start(table, "tshirt")
    await table.say("!poker join", "bob")
    await table.say("!prompt Checkout")
    await table.say("!vote m")
    await table.say("!vote XL", "bob")
    await table.say("!revote")
    await table.say("!vote ?")
    subscription = services.bus.subscribe()
    assert await table.say("!reveal") == Reply()
    assert await revealed(services, subscription) == "🃏 Cards are up for “Checkout”: alice ?. No consensus."


async def test_a_custom_deck_is_given_as_cards_separated_by_commas(table: ChatDriver) -> None:
    await start(table, "S, M, L")
    assert await table.say("!prompt Search") == Reply(
        public="Estimating: Search | Vote with !vote <card>: S M L", choices=("S", "M", "L"), choice_command="vote"
    )
    assert await refusal(table, "!vote XL") == (
        Invalid,
        "'XL' is not a card in this session's deck. Valid cards: S, M, L",
    )


async def test_commands_outside_a_session_say_what_to_do(table: ChatDriver) -> None:
    assert await refusal(table, "!poker join") == (NotFound, "There is no open poker session here to join")
    assert await refusal(table, "!vote 5") == (
        NotFound,
        "You are not in an open poker session here: start one or join one first",
    )
    assert await refusal(table, "!vote") == (Invalid, "Usage: !vote <card>")
    assert await refusal(table, "/prompt") == (Invalid, "Usage: !prompt <story>")
