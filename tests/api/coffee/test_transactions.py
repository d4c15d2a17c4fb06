"""Transactions, history, users and devices: /1/transaction/*, /1/user/info and /1/device/register."""

import asyncio
from pathlib import Path
from typing import Any

import aiosqlite
import pytest

from tallybot.core.services import Services
from tallybot.settings import Settings
from tests.api.coffee.conftest import Call, SignIn
from tests.api.coffee.test_auth import OCTOCAT, error
from tests.api.coffee.test_groups import MONA, profile, user

RYAN = user(2, "ryan", "Ryan")
ALICE = user(3, "alice")


@pytest.fixture
async def tokens(call: Call, sign_in: SignIn) -> tuple[str, str]:
    """Mona (user 1) and Ryan (user 2), in group 1 made from the Coffee team (with alice, user 3)."""
    mona = (await sign_in("octocat"))["access_token"]
    ryan = (await sign_in("ryan"))["access_token"]
    await call("/1/group/create", mona, github_team_id=30000, timezone="America/Los_Angeles")
    return mona, ryan


def entry(transaction_id: int, from_id: int, to_id: int, amount: int, summary: str, **extra: Any) -> dict[str, Any]:
    return {
        "transaction_id": transaction_id,
        "from_user_id": from_id,
        "to_user_id": to_id,
        "latitude": None,
        "longitude": None,
        "accuracy": None,
        "amount": amount,
        "note": None,
        "date": "2026-11-23T04:00:00-0800",
        "location_date": None,
        "created_by": from_id,
        "summary": summary,
        **extra,
    }


async def test_a_transaction_returns_the_group_info_from_the_creators_point_of_view(
    call: Call, tokens: tuple[str, str]
) -> None:
    mona, _ = tokens
    body = await call(
        "/1/transaction/create",
        mona,
        user_id=2,
        group_id=1,
        amount=3,
        note="Paying You Back",
        latitude=45.5165,
        longitude=-122.6165,
        accuracy=100,
        date="2014-04-04T09:43:00-0700",
    )
    assert body == {
        "group_id": 1,
        "group_name": "Coffee",
        "timezone": "America/Los_Angeles",
        "user_balance": 3,
        "min_balance": -3,
        "max_balance": 3,
        "users": [ALICE, {**MONA, "user_balance": 3}, {**RYAN, "user_balance": -3}],
        "transactions": [
            entry(
                1,
                1,
                2,
                3,
                "You bought Ryan 3 coffees",
                latitude=45.5165,
                longitude=-122.6165,
                accuracy=100.0,
                note="Paying You Back",
                location_date="2014-04-04T09:43:00-0700",
            )
        ],
    }


async def test_a_form_encoded_negative_amount_means_the_other_user_bought(call: Call, tokens: tuple[str, str]) -> None:
    mona, ryan = tokens
    body = await call("/1/transaction/create", mona, form=True, user_id=2, group_id=1, amount=-1, location_date="")
    assert (body["user_balance"], body["transactions"]) == (
        -1,
        [{**entry(1, 2, 1, 1, "Ryan bought you 1 coffee"), "created_by": 1}],
    )
    seen_by_ryan = await call("GET /1/group/info", ryan, group_id=1)
    assert seen_by_ryan["user_balance"] == 1
    assert seen_by_ryan["transactions"][0]["summary"] == "You bought Mona Lisa 1 coffee"
    await call("/1/transaction/create", ryan, user_id=3, group_id=1, amount=2)
    seen_by_mona = await call("GET /1/group/info", mona, group_id=1)
    assert [t["summary"] for t in seen_by_mona["transactions"]] == [
        "Ryan bought alice 2 coffees",
        "Ryan bought you 1 coffee",
    ]


async def test_a_transaction_is_published_as_an_event_with_its_group(
    call: Call, tokens: tuple[str, str], services: Services
) -> None:
    subscription = services.bus.subscribe()
    await call("/1/transaction/create", tokens[0], user_id=2, group_id=1, amount=2, note="flat white")
    async with asyncio.timeout(5):
        event = await anext(aiter(subscription))
    subscription.close()
    assert (event.type, event.community_id) == ("coffee.transaction", services.default_community.id)
    assert event.data == {
        "group_id": 1,
        "transaction_id": 1,
        "from_user_id": 1,
        "to_user_id": 2,
        "amount": 2,
        "note": "flat white",
        "created_by": 1,
        "date": "2026-11-23T12:00:00+00:00",
        "summary": "Mona Lisa bought Ryan 2 coffees",
    }


async def test_every_bad_transaction_parameter_is_reported_at_once(call: Call, tokens: tuple[str, str]) -> None:
    body = await call("/1/transaction/create", tokens[0], group_id=1, amount=0, latitude=200, date="yesterday")
    assert body == error(
        "invalid_parameters",
        "Invalid parameters: user_id is required; date must be an ISO 8601 date with a UTC offset; "
        "amount must not be zero; latitude must be from -90 to 90",
        user_id=[("missing", "user_id is required")],
        date=[("invalid", "date must be an ISO 8601 date with a UTC offset")],
        amount=[("invalid", "amount must not be zero")],
        latitude=[("invalid", "latitude must be from -90 to 90")],
    )
    body = await call(
        "/1/transaction/create", tokens[0], form=True, group_id=1, user_id=2, amount="1.5", accuracy="far"
    )
    assert body == error(
        "invalid_parameters",
        "Invalid parameters: amount must be a whole number; accuracy must be a number",
        amount=[("invalid", "amount must be a whole number")],
        accuracy=[("invalid", "accuracy must be a number")],
    )
    assert await call("/1/transaction/create", tokens[0], group_id=1, user_id=2, amount=1001) == error(
        "invalid_parameters",
        "Invalid parameters: amount must be from -1000 to 1000",
        amount=[("invalid", "amount must be from -1000 to 1000")],
    )


async def test_every_rule_the_core_finds_broken_is_listed_in_one_coffee_error(
    call: Call, tokens: tuple[str, str]
) -> None:
    # The note is longer than any cap the adapter ever had: its length is the core's rule alone.
    body = await call(
        "/1/transaction/create",
        tokens[0],
        group_id=1,
        user_id=2,
        amount=1001,
        note="x" * 2001,
        latitude=91,
        longitude=181,
        accuracy=-1,
        date="soon",
    )
    assert body == error(
        "invalid_parameters",
        "Invalid parameters: date must be an ISO 8601 date with a UTC offset; amount must be from -1000 to 1000; "
        "note must be at most 500 characters; latitude must be from -90 to 90; longitude must be from -180 to 180; "
        "accuracy must not be negative",
        date=[("invalid", "date must be an ISO 8601 date with a UTC offset")],
        amount=[("invalid", "amount must be from -1000 to 1000")],
        note=[("invalid", "note must be at most 500 characters")],
        latitude=[("invalid", "latitude must be from -90 to 90")],
        longitude=[("invalid", "longitude must be from -180 to 180")],
        accuracy=[("invalid", "accuracy must not be negative")],
    )


async def test_nobody_buys_coffee_for_themselves_or_for_outsiders(
    call: Call, sign_in: SignIn, tokens: tuple[str, str]
) -> None:
    assert await call("/1/transaction/create", tokens[0], group_id=1, user_id=1, amount=1) == error(
        "invalid_parameters",
        "Invalid parameters: user_id can't be yourself",
        user_id=[("invalid", "user_id can't be yourself")],
    )
    await sign_in("bob")
    message = "user_id is not an active member of this group"
    assert await call("/1/transaction/create", tokens[0], group_id=1, user_id=4, amount=1) == error(
        "invalid_parameters", f"Invalid parameters: {message}", user_id=[("invalid", message)]
    )
    assert (await call("GET /1/group/info", tokens[0], group_id=1))["transactions"] == []


async def test_history_pages_back_with_before_id_and_forward_with_after_id(call: Call, tokens: tuple[str, str]) -> None:
    mona = tokens[0]
    for amount in range(1, 6):
        await call("/1/transaction/create", mona, group_id=1, user_id=2, amount=amount)

    async def page(**params: Any) -> tuple[list[int], bool]:
        body = await call("GET /1/transaction/history", mona, group_id=1, **params)
        assert (body["group_id"], body["group_name"], body["timezone"]) == (1, "Coffee", "America/Los_Angeles")
        return [t["transaction_id"] for t in body["transactions"]], body["has_more"]

    assert await page() == ([5, 4, 3, 2, 1], False)
    assert await page(limit=2) == ([5, 4], True)
    assert await page(limit=2, before_id=4) == ([3, 2], True)
    assert await page(limit=2, before_id=2) == ([1], False)
    assert await page(limit=2, after_id=2) == ([4, 3], True)
    assert await page(limit=2, after_id=4) == ([5], False)
    assert await page(after_id=1, before_id=5) == ([4, 3, 2], False)
    body = await call("GET /1/transaction/history", mona, group_id=1, limit=1)
    assert body["transactions"] == [entry(5, 1, 2, 5, "You bought Ryan 5 coffees")]
    assert await call("GET /1/transaction/history", mona, group_id=1, limit=0, before_id="x") == error(
        "invalid_parameters",
        "Invalid parameters: before_id must be a whole number",
        before_id=[("invalid", "before_id must be a whole number")],
    )
    assert await call("GET /1/transaction/history", mona, group_id=1, limit=101) == error(
        "invalid_parameters",
        "Invalid parameters: limit must be from 1 to 100",
        limit=[("invalid", "limit must be from 1 to 100")],
    )


async def test_user_info_gives_a_profile_and_with_a_group_the_standing(
    call: Call, sign_in: SignIn, tokens: tuple[str, str]
) -> None:
    mona, _ = tokens
    await call("/1/transaction/create", mona, group_id=1, user_id=2, amount=3)
    assert await call("GET /1/user/info", mona) == OCTOCAT
    assert await call("GET /1/user/info", mona, user_id=3) == profile(3, "alice")
    assert await call("GET /1/user/info", mona, user_id=2, group_id=1) == {
        **RYAN,
        "user_balance": -3,
        "max_balance": 3,
        "min_balance": -3,
    }
    await sign_in("bob")
    message = "User 4 is not in any of your groups"
    assert await call("GET /1/user/info", mona, user_id=4) == error(
        "not_found", message, user_id=[("not_found", message)]
    )
    message = "User 4 is not in group 1"
    assert await call("GET /1/user/info", mona, user_id=4, group_id=1) == error(
        "not_found", message, user_id=[("not_found", message)]
    )
    assert await call("GET /1/user/info", mona, user_id="me", group_id=0) == error(
        "invalid_parameters",
        "Invalid parameters: user_id must be a whole number; group_id must be at least 1",
        user_id=[("invalid", "user_id must be a whole number")],
        group_id=[("invalid", "group_id must be at least 1")],
    )


async def test_registering_a_device_again_replaces_its_token(
    call: Call, tokens: tuple[str, str], settings: Settings
) -> None:
    mona, ryan = tokens
    ok = {"status": "ok"}
    assert await call("/1/device/register", mona, uuid="phone-1", token="apns-token", token_type="apns_sandbox") == ok
    assert await call("/1/device/register", ryan, form=True, uuid="phone-1", token="gcm-token", token_type="gcm") == ok
    query = "SELECT uuid, person_id, token, token_type FROM coffee_devices"
    async with aiosqlite.connect(Path(settings.storage.path)) as conn, conn.execute(query) as cursor:
        assert [tuple(row) for row in await cursor.fetchall()] == [("phone-1", 2, "gcm-token", "gcm")]
    assert await call("/1/device/register", mona, uuid="phone-2", token="t", token_type="sms") == error(
        "invalid_parameters",
        "Invalid parameters: token_type must be one of apns_production, apns_sandbox, gcm",
        token_type=[("invalid", "token_type must be one of apns_production, apns_sandbox, gcm")],
    )
    assert await call("/1/device/register", mona) == error(
        "invalid_parameters",
        "Invalid parameters: uuid is required; token is required; token_type is required",
        uuid=[("missing", "uuid is required")],
        token=[("missing", "token is required")],
        token_type=[("missing", "token_type is required")],
    )
