"""The coffee scoreboard in the core: summaries, sign-in with teams, and zero-sum balances.

The service runs on a real SQLite file; only the outside sign-in provider is faked, at its
port (``OAuthClient``).
"""

import asyncio
import contextlib
import tempfile
from collections.abc import AsyncIterator
from datetime import UTC, datetime
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tallybot.core.accounts import AccountLimits, AccountPolicy, AccountService
from tallybot.core.coffee import (
    CoffeeService,
    CoffeeTransaction,
    OAuthProfile,
    OAuthTeam,
    OAuthUser,
    invalid,
    transaction_problems,
)
from tallybot.core.coffee.models import coffees, summary
from tallybot.core.errors import Invalid, NotFound
from tallybot.core.events import DeliveryPolicy, InProcessEventBus, WebhookService
from tallybot.core.models import Community, Platform, Provider
from tallybot.core.ratelimit import RateLimiter
from tallybot.outbound.mail import OutboxMailer
from tallybot.outbound.webhooks import AiohttpWebhookSender
from tallybot.storage.db import SqliteDatabase
from tests.helpers import FakeClock

NO_LOCATION = (None, None, None, None)
TEAM_SIZE = 5


class FakeOAuth:
    """The sign-in provider, faked at the port: each code hands out one profile, once."""

    def __init__(self) -> None:
        self.profiles: dict[str, OAuthProfile] = {}

    def authorize_url(self, provider: Provider) -> str:
        return f"https://{provider.value}.example/authorize"

    async def profile(self, provider: Provider, code: str) -> OAuthProfile:
        profile = self.profiles.pop(code, None)
        if profile is None or profile.provider is not provider:
            raise invalid({"code": ["was not accepted"]})
        return profile


def github_user(number: int, name: str | None = None) -> OAuthUser:
    login = f"user{number}"
    return OAuthUser(str(number), login, name or login, f"https://avatars.example/{number}.png")


@contextlib.asynccontextmanager
async def coffee_on(path: Path) -> AsyncIterator[tuple[CoffeeService, FakeOAuth, Community]]:
    """A CoffeeService over a fresh SQLite file, with the real accounts and webhook services."""
    clock = FakeClock()
    bus = InProcessEventBus()
    db = SqliteDatabase(path / "coffee.db", on_commit=bus.publish)
    await db.open()
    try:
        limiter = RateLimiter(1000, 60, lambda: 0.0, "slow down")
        accounts = AccountService(
            db,
            OutboxMailer(path / "mail.txt", "tallybot@test"),
            clock,
            AccountPolicy(),
            AccountLimits(limiter, limiter),
        )
        sender = AiohttpWebhookSender(1.0, allow_private=True)
        webhooks = WebhookService(db, bus, sender, clock, DeliveryPolicy(), True, asyncio.sleep)
        oauth = FakeOAuth()
        coffee = CoffeeService(db, clock, accounts, oauth, webhooks)
        home = await db.write(lambda tx: tx.communities.ensure(Platform.LOCAL, "home", "home", "Home"))
        yield coffee, oauth, home
    finally:
        await db.close()


async def team_group(coffee: CoffeeService, oauth: FakeOAuth, home: Community) -> tuple[int, list[int]]:
    """Sign the first member of a GitHub team in and make a group of it; returns its id and member ids."""
    members = tuple(github_user(number) for number in range(1, TEAM_SIZE + 1))
    oauth.profiles["code"] = OAuthProfile(Provider.GITHUB, members[0], (OAuthTeam(7, "Coffee", "esri", members),))
    signed_in = await coffee.sign_in("github", "code", "127.0.0.1")
    group = await coffee.create_group(signed_in.profile.person_id, home, "7", None, None)
    info = await coffee.group_info(signed_in.profile.person_id, group.id, None)
    return group.id, [member.profile.person_id for member in info.members]


def transaction(from_id: int, to_id: int, amount: int) -> CoffeeTransaction:
    moment = datetime(2026, 1, 1, tzinfo=UTC)
    return CoffeeTransaction(1, 1, from_id, to_id, amount, None, None, None, None, None, from_id, moment)


def test_summaries_are_written_from_the_viewers_point_of_view() -> None:
    names = {1: "Matt", 2: "Ryan", 3: "Alice"}
    assert summary(1, transaction(1, 2, 3), names) == "You bought Ryan 3 coffees"
    assert summary(1, transaction(2, 1, 1), names) == "Ryan bought you 1 coffee"
    assert summary(3, transaction(1, 2, 2), names) == "Matt bought Ryan 2 coffees"


def test_one_coffee_is_singular_and_every_other_count_plural() -> None:
    assert [coffees(n) for n in (1, 2, 11)] == ["1 coffee", "2 coffees", "11 coffees"]


def test_a_zero_or_huge_amount_and_a_position_off_the_globe_are_all_reported() -> None:
    assert transaction_problems(0, "x" * 501, 91.0, -181.0, -1.0) == {
        "amount": ["must not be zero"],
        "note": ["must be at most 500 characters"],
        "latitude": ["must be from -90 to 90"],
        "longitude": ["must be from -180 to 180"],
        "accuracy": ["must not be negative"],
    }
    assert transaction_problems(1001, None, None, None, None) == {"amount": ["must be from -1000 to 1000"]}


async def test_signing_in_again_links_the_same_person_and_refreshes_the_team(tmp_path: Path) -> None:
    async with coffee_on(tmp_path) as (coffee, oauth, home):
        group_id, member_ids = await team_group(coffee, oauth, home)
        smaller_team = OAuthTeam(7, "Coffee", "esri", (github_user(1), github_user(2)))
        oauth.profiles["again"] = OAuthProfile(Provider.GITHUB, github_user(1, "User One"), (smaller_team,))
        again = await coffee.sign_in("github", "again", "127.0.0.1")
        assert again.profile.person_id == member_ids[0]
        assert again.profile.display_name == "User One"
        resync = await coffee.update_group(again.profile.person_id, group_id, None, None, None)
        assert [profile.person_id for profile in resync.removed] == member_ids[2:]
        assert resync.added == ()


async def test_signing_in_without_teams_leaves_every_team(tmp_path: Path) -> None:
    async with coffee_on(tmp_path) as (coffee, oauth, home):
        _, member_ids = await team_group(coffee, oauth, home)
        assert [team.key for team in await coffee.teams(member_ids[0])] == [7]
        oauth.profiles["teamless"] = OAuthProfile(Provider.GITHUB, github_user(1))
        await coffee.sign_in("github", "teamless", "127.0.0.1")
        assert await coffee.teams(member_ids[0]) == []
        assert [team.key for team in await coffee.teams(member_ids[1])] == [7]


async def test_a_member_who_left_keeps_their_balance_but_cannot_transact(tmp_path: Path) -> None:
    async with coffee_on(tmp_path) as (coffee, oauth, home):
        group_id, ids = await team_group(coffee, oauth, home)
        await coffee.create_transaction(ids[1], group_id, None, ids[0], 2, None, NO_LOCATION)
        oauth.profiles["left"] = OAuthProfile(
            Provider.GITHUB, github_user(1), (OAuthTeam(7, "Coffee", "esri", (github_user(1), github_user(3))),)
        )
        await coffee.sign_in("github", "left", "127.0.0.1")
        await coffee.update_group(ids[0], group_id, None, None, None)
        info = await coffee.group_info(ids[1], group_id, None)
        assert (info.viewer.balance, info.viewer.active) == (2, False)
        assert [entry.summary for entry in info.entries] == ["You bought user1 2 coffees"]
        with pytest.raises(Invalid, match="user_id is not an active member of this group"):
            await coffee.create_transaction(ids[0], group_id, None, ids[1], 1, None, NO_LOCATION)


async def test_a_bad_code_is_refused_without_creating_anybody(tmp_path: Path) -> None:
    async with coffee_on(tmp_path) as (coffee, _oauth, _home):
        with pytest.raises(Invalid, match="code was not accepted"):
            await coffee.sign_in("github", "made-up", "127.0.0.1")
        with pytest.raises(NotFound):
            await coffee.user_info(1, None, None, None)


# Each operation: the creator's and the other member's places in the team, and the amount.
operations = st.lists(
    st.tuples(
        st.integers(0, TEAM_SIZE - 1),
        st.integers(0, TEAM_SIZE - 1),
        st.integers(-1000, 999).map(lambda amount: amount if amount < 0 else amount + 1),
    ),
    min_size=1000,
    max_size=1000,
)


# A thousand transactions is the point of the property, so the large base example is expected.
@settings(max_examples=3, deadline=None, suppress_health_check=[HealthCheck.large_base_example])
@given(operations)
def test_balances_stay_zero_sum_across_a_thousand_random_transactions(ops: list[tuple[int, int, int]]) -> None:
    async def scenario(path: Path) -> None:
        async with coffee_on(path) as (coffee, oauth, home):
            group_id, ids = await team_group(coffee, oauth, home)
            expected = dict.fromkeys(ids, 0)

            async def record(creator: int, other: int, amount: int) -> None:
                try:
                    await coffee.create_transaction(ids[creator], group_id, None, ids[other], amount, None, NO_LOCATION)
                except Invalid:
                    assert creator == other
                else:
                    expected[ids[creator]] += amount
                    expected[ids[other]] -= amount

            # Concurrent writes share group commits, which must not lose or double a unit.
            for start in range(0, len(ops), 100):
                await asyncio.gather(*(record(*op) for op in ops[start : start + 100]))
            info = await coffee.group_info(ids[0], group_id, None)
            balances = {member.profile.person_id: member.balance for member in info.members}
            assert sum(balances.values()) == 0
            assert balances == expected
            assert (info.min_balance, info.max_balance) == (min(expected.values()), max(expected.values()))

    with tempfile.TemporaryDirectory() as directory:
        asyncio.run(scenario(Path(directory)))
