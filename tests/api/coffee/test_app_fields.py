"""What the original coffee app reads and sends beyond the spec.

Each user of a group carries ``user_balance``; ``GET /1/transaction/info`` answers one
transaction; group create and update take ``timezone_offset`` in seconds east of UTC.
"""

from typing import Any

import pytest

from tests.api.coffee.conftest import Call, Join, SignIn
from tests.api.coffee.test_auth import error
from tests.api.coffee.test_groups import user
from tests.api.coffee.test_transactions import entry


@pytest.fixture
async def tokens(call: Call, sign_in: SignIn) -> tuple[str, str, str]:
    """Mona (user 1), Ryan (user 2) and alice (user 3), in group 1 made from the Coffee team."""
    mona, ryan, alice = [(await sign_in(login))["access_token"] for login in ("octocat", "ryan", "alice")]
    await call("/1/group/create", mona, github_team_id=30000, timezone="America/Los_Angeles")
    return mona, ryan, alice


def not_found(transaction_id: int) -> dict[str, Any]:
    """The one answer for a transaction id that does not exist and for one in somebody else's group."""
    message = f"Transaction {transaction_id} is not in any of your groups"
    return error("not_found", message, transaction_id=[("not_found", message)])


def balances(body: dict[str, Any]) -> dict[int, int]:
    return {member["user_id"]: member["user_balance"] for member in body["users"]}


async def test_every_user_of_a_group_carries_their_own_balance_and_the_balances_sum_to_zero(
    call: Call, tokens: tuple[str, str, str]
) -> None:
    mona, ryan, alice = tokens
    await call("/1/transaction/create", mona, group_id=1, user_id=2, amount=3)
    await call("/1/transaction/create", ryan, group_id=1, user_id=3, amount=2)
    created = await call("/1/transaction/create", alice, form=True, group_id=1, user_id=1, amount=-1)
    assert created["users"] == [
        user(3, "alice", balance=-3),
        user(1, "octocat", "Mona Lisa", balance=4),
        user(2, "ryan", "Ryan", balance=-1),
    ]
    assert created["user_balance"] == -3
    for token, me in ((mona, 1), (ryan, 2), (alice, 3)):
        info = await call("GET /1/group/info", token, group_id=1)
        assert balances(info) == {1: 4, 2: -1, 3: -3}
        assert info["user_balance"] == balances(info)[me]
    assert sum(balances(created).values()) == 0


async def test_a_member_reads_one_transaction_in_its_groups_info(call: Call, tokens: tuple[str, str, str]) -> None:
    mona, ryan, alice = tokens
    await call("/1/transaction/create", mona, group_id=1, user_id=2, amount=3, note="flat white")
    await call("/1/transaction/create", ryan, group_id=1, user_id=3, amount=1)
    assert await call("GET /1/transaction/info", alice, transaction_id=1) == {
        "group_id": 1,
        "group_name": "Coffee",
        "timezone": "America/Los_Angeles",
        "user_balance": -1,
        "min_balance": -2,
        "max_balance": 3,
        "users": [
            user(3, "alice", balance=-1),
            user(1, "octocat", "Mona Lisa", balance=3),
            user(2, "ryan", "Ryan", balance=-2),
        ],
        "transactions": [entry(1, 1, 2, 3, "Mona Lisa bought Ryan 3 coffees", note="flat white")],
    }
    seen_by_ryan = await call("GET /1/transaction/info", ryan, transaction_id="2")
    assert seen_by_ryan["transactions"] == [entry(2, 2, 3, 1, "You bought alice 1 coffee")]


async def test_a_transaction_outside_your_groups_reads_exactly_as_one_that_does_not_exist(
    call: Call, sign_in: SignIn, tokens: tuple[str, str, str]
) -> None:
    mona, _, _ = tokens
    await call("/1/transaction/create", mona, group_id=1, user_id=2, amount=1)
    bob = (await sign_in("bob"))["access_token"]
    assert await call("GET /1/transaction/info", bob, transaction_id=1) == not_found(1)
    assert await call("GET /1/transaction/info", bob, transaction_id=2) == not_found(2)
    assert await call("GET /1/transaction/info", mona, transaction_id=2) == not_found(2)


async def test_transaction_info_under_a_community_path_finds_only_that_communitys_transactions(
    call: Call, tokens: tuple[str, str, str], join: Join
) -> None:
    mona, ryan, _ = tokens
    slug = await join("999", "Coffee Lovers", [1, 2])
    await call(f"/c/{slug}/1/group/create", mona, github_team_id=slug)
    await call("/1/transaction/create", mona, group_id=1, user_id=2, amount=1)
    await call(f"/c/{slug}/1/transaction/create", ryan, group_id=2, user_id=1, amount=2)
    there = await call(f"GET /c/{slug}/1/transaction/info", mona, transaction_id=2)
    assert (there["group_id"], there["transactions"][0]["summary"]) == (2, "Ryan bought you 2 coffees")
    assert await call(f"GET /c/{slug}/1/transaction/info", mona, transaction_id=1) == not_found(1)
    assert (await call("GET /1/transaction/info", mona, transaction_id=2))["group_id"] == 2


@pytest.mark.parametrize("transaction_id", ["\u0661", "\u00b2", "1" * 19, "9223372036854775808", "one", "-1"])
async def test_a_transaction_id_that_is_no_ascii_64_bit_number_is_refused_as_every_id_is(
    call: Call, tokens: tuple[str, str, str], transaction_id: str
) -> None:
    problem = "must be at least 1" if transaction_id == "-1" else "must be a whole number"
    for name, route in (("transaction_id", "/1/transaction/info"), ("group_id", "/1/group/info")):
        message = f"{name} {problem}"
        assert await call(f"GET {route}", tokens[0], **{name: transaction_id}) == error(
            "invalid_parameters", f"Invalid parameters: {message}", **{name: [("invalid", message)]}
        )


async def test_transaction_info_needs_a_transaction_id(call: Call, tokens: tuple[str, str, str]) -> None:
    message = "transaction_id is required"
    assert await call("GET /1/transaction/info", tokens[0]) == error(
        "invalid_parameters", f"Invalid parameters: {message}", transaction_id=[("missing", message)]
    )


async def test_a_timezone_offset_makes_a_fixed_offset_group_timezone_on_create_and_update(
    call: Call, sign_in: SignIn
) -> None:
    mona = (await sign_in("octocat"))["access_token"]
    created = await call("/1/group/create", mona, github_team_id=30000, timezone_offset=7200)
    assert created == {"group_id": 1, "group_name": "Coffee", "timezone": "Etc/GMT-2"}
    made = await call("/1/transaction/create", mona, group_id=1, user_id=2, amount=1)
    assert made["transactions"][0]["date"] == "2026-11-23T14:00:00+0200"
    west = await call("/1/group/update", mona, form=True, group_id=1, timezone_offset="-25200")
    assert west["timezone"] == "Etc/GMT+7"
    india = await call("/1/group/update", mona, group_id=1, timezone_offset=19800)
    assert india["timezone"] == "UTC+05:30"
    info = await call("GET /1/group/info", mona, group_id=1)
    assert (info["timezone"], info["transactions"][0]["date"]) == ("UTC+05:30", "2026-11-23T17:30:00+0530")
    # A group's own timezone is a name like any other: a client may send it back as it read it.
    again = await call("/1/group/update", mona, group_id=1, timezone=info["timezone"], name="Chai")
    assert (again["group_name"], again["timezone"]) == ("Chai", "UTC+05:30")
    assert (await call("/1/group/update", mona, group_id=1, timezone_offset=0))["timezone"] == "UTC"


async def test_a_timezone_name_wins_over_a_timezone_offset(call: Call, sign_in: SignIn) -> None:
    mona = (await sign_in("octocat"))["access_token"]
    both = {"timezone": "America/Los_Angeles", "timezone_offset": 7200}
    created = await call("/1/group/create", mona, github_team_id=30000, **both)
    assert created["timezone"] == "America/Los_Angeles"
    updated = await call("/1/group/update", mona, group_id=1, timezone="Europe/Amsterdam", timezone_offset=-25200)
    assert updated["timezone"] == "Europe/Amsterdam"


@pytest.mark.parametrize(
    ("offset", "problem"),
    [
        (3600.5, "must be a whole number"),
        ("+2", "must be a whole number"),
        (True, "must be a whole number"),
        (50460, "must be from -50400 to 50400 seconds (14 hours from UTC)"),
        (-50401, "must be from -50400 to 50400 seconds (14 hours from UTC)"),
        (2**63, "must be a whole number that fits in 64 bits"),
        (90, "must be a whole number of minutes (a multiple of 60 seconds)"),
    ],
)
async def test_a_timezone_offset_that_is_no_whole_number_of_minutes_within_14_hours_is_refused(
    call: Call, sign_in: SignIn, offset: Any, problem: str
) -> None:
    mona = (await sign_in("octocat"))["access_token"]
    message = f"timezone_offset {problem}"
    refused = error("invalid_parameters", f"Invalid parameters: {message}", timezone_offset=[("invalid", message)])
    assert await call("/1/group/create", mona, github_team_id=30000, timezone_offset=offset) == refused
    await call("/1/group/create", mona, github_team_id=30000)
    assert await call("/1/group/update", mona, group_id=1, timezone_offset=offset) == refused
    assert (await call("GET /1/group/info", mona, group_id=1))["timezone"] == "UTC"


async def test_a_bad_timezone_and_a_bad_offset_are_both_reported_even_though_the_name_would_win(
    call: Call, sign_in: SignIn
) -> None:
    mona = (await sign_in("octocat"))["access_token"]
    unknown = "timezone is not a known timezone name, such as America/Los_Angeles"
    too_far = "timezone_offset must be from -50400 to 50400 seconds (14 hours from UTC)"
    assert await call("/1/group/update", mona, form=True, timezone="UTC+15:00", timezone_offset="-86400") == error(
        "invalid_parameters",
        f"Invalid parameters: group_id is required; {unknown}; {too_far}",
        group_id=[("missing", "group_id is required")],
        timezone=[("invalid", unknown)],
        timezone_offset=[("invalid", too_far)],
    )
