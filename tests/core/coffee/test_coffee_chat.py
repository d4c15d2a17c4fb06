"""Coffee from chat in the core: the community's chat group, chat's rules, balances and the board.

Everything runs on a real SQLite file (the ``services`` fixture). Chat users are the
people behind chat identities, as ``AccountService.chat_person`` makes them.
"""

import asyncio
import random

import pytest

from tallybot.core.errors import Conflict, Invalid, NotFound
from tallybot.core.models import Community, Person, Platform, Provider, Role
from tallybot.core.services import Services


@pytest.fixture
async def guild(services: Services) -> Community:
    return await services.communities.ensure(Platform.DISCORD, "4242", "Coffee Club")


async def chatter(services: Services, community: Community, name: str) -> Person:
    return await services.accounts.chat_person(community, Provider.DISCORD, f"id-{name}", name, Role.MEMBER)


async def test_the_first_coffee_makes_the_communitys_group_and_both_join_it(
    services: Services, guild: Community
) -> None:
    ana, ryan = await chatter(services, guild, "ana"), await chatter(services, guild, "Ryan")
    recorded = await services.coffee.chat_coffee(guild, ana.id, ryan.id, 3, None)
    assert (recorded.summary, recorded.balance) == ("You bought Ryan 3 coffees", 3)
    board = await services.coffee.chat_board(guild, ana.id)
    assert (board.group.name, board.group.community_id, board.group.github_id) == ("Coffee Club", guild.id, None)
    assert [(member.profile.display_name, member.balance) for member in board.leaders] == [("ana", 3), ("Ryan", -3)]


async def test_a_chat_coffee_publishes_the_same_event_as_the_api(services: Services, guild: Community) -> None:
    ana, ryan = await chatter(services, guild, "ana"), await chatter(services, guild, "Ryan")
    subscription = services.bus.subscribe()
    await services.coffee.chat_coffee(guild, ana.id, ryan.id, 2, "standup")
    async with asyncio.timeout(5):
        event = await anext(aiter(subscription))
    subscription.close()
    board = await services.coffee.chat_board(guild, ana.id)
    assert (event.type, event.community_id) == ("coffee.transaction", guild.id)
    assert event.data == {
        "group_id": board.group.id,
        "transaction_id": 1,
        "from_user_id": ana.id,
        "to_user_id": ryan.id,
        "amount": 2,
        "note": "standup",
        "created_by": ana.id,
        "date": services.clock().isoformat(),
        "summary": "ana bought Ryan 2 coffees",
    }


@pytest.mark.parametrize(
    ("amount", "note", "message"),
    [
        (0, None, "The number of coffees must be from 1 to 1000"),
        (-2, None, "The number of coffees must be from 1 to 1000"),
        (1001, None, "The number of coffees must be from 1 to 1000"),
        (1, "x" * 501, "The note can have at most 500 characters"),
    ],
)
async def test_chat_records_one_to_a_thousand_coffees_with_a_short_note(
    services: Services, guild: Community, amount: int, note: str | None, message: str
) -> None:
    ana, ryan = await chatter(services, guild, "ana"), await chatter(services, guild, "Ryan")
    with pytest.raises(Invalid, match=message):
        await services.coffee.chat_coffee(guild, ana.id, ryan.id, amount, note)
    assert (await services.coffee.chat_balance(guild, ryan.id, None)).balance == 0


async def test_nobody_buys_themselves_coffee(services: Services, guild: Community) -> None:
    ana = await chatter(services, guild, "ana")
    # The core words this rule once, for chat and the API alike; chat's own words are the chat adapter's.
    with pytest.raises(Invalid, match="Invalid parameters: user_id can't be yourself"):
        await services.coffee.chat_coffee(guild, ana.id, ana.id, 1, None)


async def test_coffee_for_someone_never_seen_in_the_community_is_refused(services: Services, guild: Community) -> None:
    ana = await chatter(services, guild, "ana")
    elsewhere = await services.communities.ensure(Platform.DISCORD, "999", "Elsewhere")
    stranger = await chatter(services, elsewhere, "stranger")
    with pytest.raises(NotFound, match="stranger hasn't been seen in this community yet"):
        await services.coffee.chat_coffee(guild, ana.id, stranger.id, 1, None)


async def test_balances_are_the_askers_or_a_members_and_strangers_have_none(
    services: Services, guild: Community
) -> None:
    ana, ryan, cy = [await chatter(services, guild, name) for name in ("ana", "Ryan", "cy")]
    assert (await services.coffee.chat_balance(guild, cy.id, None)).balance == 0
    await services.coffee.chat_coffee(guild, ana.id, ryan.id, 4, None)
    theirs = await services.coffee.chat_balance(guild, cy.id, ryan.id)
    assert (theirs.profile.display_name, theirs.balance) == ("Ryan", -4)
    newcomer = await chatter(services, guild, "dee")
    with pytest.raises(NotFound, match="dee has no coffee balance here yet"):
        await services.coffee.chat_balance(guild, ana.id, newcomer.id)


async def test_the_board_shows_the_ten_most_generous_then_how_many_more(services: Services, guild: Community) -> None:
    people = [await chatter(services, guild, f"p{number:02}") for number in range(12)]
    for giver, amount in zip(people, range(12, 0, -1), strict=True):
        receiver = people[0] if giver == people[-1] else people[-1]
        await services.coffee.chat_coffee(guild, giver.id, receiver.id, amount, None)
    board = await services.coffee.chat_board(guild, people[0].id)
    assert [(member.profile.display_name, member.balance) for member in board.leaders] == [
        ("p00", 11),
        ("p01", 11),
        ("p02", 10),
        ("p03", 9),
        ("p04", 8),
        ("p05", 7),
        ("p06", 6),
        ("p07", 5),
        ("p08", 4),
        ("p09", 3),
    ]
    assert board.more == 2


async def test_balances_stay_zero_sum_over_many_chat_coffees(services: Services, guild: Community) -> None:
    people = [await chatter(services, guild, name) for name in ("ana", "bo", "cy", "dee")]
    draw = random.Random(7)
    expected = dict.fromkeys((person.id for person in people), 0)
    for _ in range(60):
        buyer, receiver = draw.sample(people, 2)
        amount = draw.randint(1, 5)
        await services.coffee.chat_coffee(guild, buyer.id, receiver.id, amount, None)
        expected[buyer.id] += amount
        expected[receiver.id] -= amount
    board = await services.coffee.chat_board(guild, people[0].id)
    assert {member.profile.person_id: member.balance for member in board.leaders} == expected
    assert sum(expected.values()) == 0


async def test_chat_uses_the_group_the_api_makes_from_the_community(services: Services, guild: Community) -> None:
    ana, ryan = await chatter(services, guild, "ana"), await chatter(services, guild, "Ryan")
    group = await services.coffee.create_group(ana.id, services.default_community, guild.slug, "Baristas", None)
    await services.coffee.chat_coffee(guild, ana.id, ryan.id, 1, None)
    info = await services.coffee.group_info(ryan.id, group.id, None)
    assert [entry.summary for entry in info.entries] == ["ana bought you 1 coffee"]
    with pytest.raises(Conflict, match="That team already has a group: Baristas"):
        await services.coffee.create_group(ryan.id, services.default_community, guild.slug, None, None)


async def test_buying_yourself_coffee_is_refused_in_core_for_chat_and_http_alike(
    services: Services, guild: Community
) -> None:
    ana = await chatter(services, guild, "ana")
    group = await services.coffee.create_group(ana.id, services.default_community, guild.slug, None, None)
    with pytest.raises(Invalid) as from_chat:
        await services.coffee.chat_coffee(guild, ana.id, ana.id)
    with pytest.raises(Invalid) as from_http:
        await services.coffee.create_transaction(ana.id, group.id, None, ana.id, 1)
    refusals = [(str(caught.value), caught.value.fields) for caught in (from_chat, from_http)]
    assert refusals == [("Invalid parameters: user_id can't be yourself", {"user_id": ["can't be yourself"]})] * 2
    assert (await services.coffee.group_info(ana.id, group.id, None)).entries == ()


async def test_a_chat_coffee_without_a_count_is_one_coffee(services: Services, guild: Community) -> None:
    ana, ryan = await chatter(services, guild, "ana"), await chatter(services, guild, "Ryan")
    recorded = await services.coffee.chat_coffee(guild, ana.id, ryan.id)
    assert (recorded.summary, recorded.balance) == ("You bought Ryan 1 coffee", 1)
