"""One mention syntax everywhere: @name, or Discord's <@id>, resolved to a person."""

from dataclasses import replace

import pytest

from tallybot.bot.commands.mentions import asker, resolve_mention
from tallybot.bot.commands.types import ChatUser, Invocation, provider_for
from tallybot.core.errors import Invalid, NotFound
from tallybot.core.models import Platform, Provider, Role
from tallybot.core.services import Services
from tests.chat_helpers import ChatDriver, chat_layer
from tests.helpers import FakeMonotonic


def invocation(driver: ChatDriver, text: str, mentions: tuple[str, ...] = ()) -> Invocation:
    return Invocation(driver.message(text, user="ann", mentions=mentions), driver.services)


@pytest.fixture
async def discord(services: Services, monotonic: FakeMonotonic) -> ChatDriver:
    community = await services.communities.ensure(Platform.DISCORD, "555", "Guild")
    return ChatDriver(services, chat_layer(services, monotonic), platform=Platform.DISCORD, community=community)


def test_each_platform_has_its_own_identity_provider() -> None:
    assert [provider_for(platform) for platform in Platform] == [Provider.CONSOLE, Provider.DISCORD, Provider.TWITCH]


async def test_a_mention_the_platform_resolved_is_found_by_name_in_any_case(discord: ChatDriver) -> None:
    person = await resolve_mention(invocation(discord, "@RYAN", mentions=("Ryan",)), "@RYAN")
    assert person.display_name == "Ryan"
    assert await resolve_mention(invocation(discord, "ryan", mentions=("Ryan",)), "ryan") == person


async def test_a_discord_id_mention_resolves_through_the_platforms_list(discord: ChatDriver) -> None:
    message = replace(discord.message("!coffee <@123> 2", user="ann"), mentions=(ChatUser("123", "ryan"),))
    person = await resolve_mention(Invocation(message, discord.services), "<@!123>")
    assert person.display_name == "ryan"
    with pytest.raises(NotFound) as unseen:
        await resolve_mention(Invocation(message, discord.services), "<@999>")
    assert str(unseen.value) == "I can't tell who <@999> is: write @name"


async def test_a_plain_name_is_found_among_the_people_seen_on_that_platform(discord: ChatDriver) -> None:
    with pytest.raises(NotFound) as unknown:
        await resolve_mention(invocation(discord, "@sam"), "@sam")
    assert str(unknown.value) == "I don't know anyone called @sam yet: they need to say something in chat first"
    sam = await asker(Invocation(discord.message("hi", user="Sam", role=Role.HOST), discord.services))
    assert await resolve_mention(invocation(discord, "@SAM"), "@SAM") == sam
    assert await resolve_mention(invocation(discord, "sam"), " sam ") == sam


async def test_text_that_is_no_mention_says_how_to_mention(discord: ChatDriver) -> None:
    with pytest.raises(Invalid) as bad:
        await resolve_mention(invocation(discord, "two words"), "two words")
    assert str(bad.value) == "'two words' is not a mention of someone: write @name"


async def test_a_platform_user_needs_no_text_and_is_the_same_person_as_their_name(discord: ChatDriver) -> None:
    zoe = await resolve_mention(invocation(discord, "/coffee"), ChatUser("777", "Zoe"))
    assert zoe.display_name == "Zoe"
    assert await resolve_mention(invocation(discord, "!balance @zoe"), "@zoe") == zoe
    message = replace(discord.message("!balance <@777>", user="ann"), mentions=(ChatUser("777", "Zoe"),))
    assert await resolve_mention(Invocation(message, discord.services), "<@777>") == zoe
