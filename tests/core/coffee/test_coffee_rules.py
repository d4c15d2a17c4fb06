"""The coffee rules that live once, in the core: the member lookup, validation and the defaults.

Adapters only read requests and word answers, so each rule is pinned here, on the service
(over a real SQLite file, with the sign-in provider faked at its port).
"""

from pathlib import Path

import pytest

from tallybot.core.coffee import Member, OAuthProfile, Profile
from tallybot.core.coffee.access import member_of
from tallybot.core.errors import Forbidden, Invalid, NotFound
from tallybot.core.models import Provider
from tests.core.coffee.test_coffee import coffee_on, github_user, team_group

ANA = Member(Profile(1, "ana", "Ana", None), 2, True)
BO = Member(Profile(2, "bo", "Bo", None), -2, False)


def test_the_member_lookup_finds_a_member_or_raises_the_callers_refusal() -> None:
    missing, left = NotFound("not here"), Forbidden("gone")
    assert member_of([ANA, BO], 1, missing) == ANA
    assert member_of([ANA, BO], 2, missing) == BO
    with pytest.raises(NotFound, match="not here"):
        member_of([ANA, BO], 3, missing, inactive=left)
    with pytest.raises(Forbidden, match="gone"):
        member_of([ANA, BO], 2, missing, inactive=left)


async def test_reading_a_group_and_transacting_in_it_use_the_same_membership_rules(tmp_path: Path) -> None:
    async with coffee_on(tmp_path) as (coffee, oauth, home):
        group_id, ids = await team_group(coffee, oauth, home)
        oauth.profiles["outsider"] = OAuthProfile(Provider.GITHUB, github_user(99))
        outsider = (await coffee.sign_in("github", "outsider", "127.0.0.1")).profile.person_id
        unknown = f"You are not in a group with id {group_id}"
        with pytest.raises(NotFound, match=unknown):
            await coffee.group_info(outsider, group_id, None)
        with pytest.raises(NotFound, match=unknown):
            await coffee.create_transaction(outsider, group_id, None, ids[0], 1)
        with pytest.raises(NotFound, match=unknown):
            await coffee.callbacks.of_group(outsider, group_id, None)
        with pytest.raises(NotFound, match=f"User {outsider} is not in group {group_id}"):
            await coffee.user_info(ids[0], outsider, group_id, None)
        with pytest.raises(Invalid, match="user_id is not an active member of this group"):
            await coffee.create_transaction(ids[0], group_id, None, outsider, 1)


async def test_a_transaction_is_read_by_its_groups_members_only_and_otherwise_reads_as_unknown(tmp_path: Path) -> None:
    async with coffee_on(tmp_path) as (coffee, oauth, home):
        group_id, ids = await team_group(coffee, oauth, home)
        await coffee.create_transaction(ids[0], group_id, None, ids[1], 2)
        oauth.profiles["outsider"] = OAuthProfile(Provider.GITHUB, github_user(99))
        outsider = (await coffee.sign_in("github", "outsider", "127.0.0.1")).profile.person_id
        info = await coffee.transaction_info(ids[2], 1, None)
        assert (info.group.id, info.viewer.profile.person_id) == (group_id, ids[2])
        assert [(entry.transaction.id, entry.summary) for entry in info.entries] == [
            (1, "user1 bought user2 2 coffees")
        ]
        assert {member.profile.person_id: member.balance for member in info.members}[ids[0]] == 2
        refusals = []
        for viewer, transaction_id in ((outsider, 1), (ids[0], 2)):
            with pytest.raises(NotFound) as refused:
                await coffee.transaction_info(viewer, transaction_id, None)
            refusals.append((str(refused.value), refused.value.details))
        assert refusals == [
            (f"Transaction {n} is not in any of your groups", {"parameter": "transaction_id"}) for n in (1, 2)
        ]


async def test_what_the_caller_could_not_read_is_reported_with_every_broken_rule_at_once(tmp_path: Path) -> None:
    async with coffee_on(tmp_path) as (coffee, oauth, home):
        group_id, ids = await team_group(coffee, oauth, home)
        unreadable = {"user_id": ["is required"], "date": ["must be an ISO 8601 date with a UTC offset"]}
        with pytest.raises(Invalid) as refused:
            await coffee.create_transaction(
                ids[0], group_id, None, 0, 0, "x" * 501, (91.0, 181.0, -1.0, None), unreadable=unreadable
            )
        assert refused.value.fields == {
            **unreadable,
            "amount": ["must not be zero"],
            "note": ["must be at most 500 characters"],
            "latitude": ["must be from -90 to 90"],
            "longitude": ["must be from -180 to 180"],
            "accuracy": ["must not be negative"],
        }
        # A value the caller could not read is not judged again by the rules.
        with pytest.raises(Invalid) as refused:
            await coffee.create_group(
                ids[0], home, "7", None, "Mars/Olympus", unreadable={"name": ["must be a string"]}
            )
        assert str(refused.value) == (
            "Invalid parameters: name must be a string; "
            "timezone is not a known timezone name, such as America/Los_Angeles"
        )
        assert (await coffee.group_info(ids[0], group_id, None)).entries == ()


async def test_leaving_out_the_provider_timezone_or_page_size_takes_the_cores_defaults(tmp_path: Path) -> None:
    async with coffee_on(tmp_path) as (coffee, oauth, home):
        assert coffee.authorize_url(None) == coffee.authorize_url() == "https://github.example/authorize"
        oauth.profiles["code"] = OAuthProfile(Provider.GITHUB, github_user(1))
        assert (await coffee.sign_in(None, "code", "127.0.0.1")).profile.username == "user1"
    async with coffee_on(tmp_path / "history") as (coffee, oauth, home):
        group_id, ids = await team_group(coffee, oauth, home)
        for amount in range(1, 22):
            await coffee.create_transaction(ids[0], group_id, None, ids[1], amount)
        page = await coffee.history(ids[0], group_id, None)
        assert [entry.transaction.amount for entry in page.entries] == list(range(21, 1, -1))
        assert (page.group.timezone, page.has_more) == ("UTC", True)
