"""Teams and groups: /1/team/list, /1/group/create, /1/group/update, /1/group/list and /1/group/info."""

from typing import Any

from tests.api.coffee.conftest import AVATAR, Call, Join, SignIn
from tests.api.coffee.test_auth import error
from tests.fake_oauth import FakeProvider


def profile(user_id: int, login: str, name: str | None = None, *, avatar: bool = True) -> dict[str, Any]:
    return {
        "user_id": user_id,
        "username": login,
        "display_name": name or login,
        "avatar_url": AVATAR.format(login) if avatar else None,
    }


def user(
    user_id: int, login: str, name: str | None = None, *, active: bool = True, avatar: bool = True, balance: int = 0
) -> dict[str, Any]:
    """A member as a group's ``users`` lists them, with their balance in that group."""
    return {**profile(user_id, login, name, avatar=avatar), "active": active, "user_balance": balance}


MONA = user(1, "octocat", "Mona Lisa")


async def test_team_list_shows_github_teams_and_chat_communities(call: Call, sign_in: SignIn, join: Join) -> None:
    me = await sign_in("octocat")
    await join("999", "Coffee Lovers", [1, 2])
    assert await call("GET /1/team/list", me["access_token"]) == {
        "teams": [
            {"github_id": 30000, "name": "Coffee", "org": "esri", "members": 3},
            {"github_id": 30001, "name": "Tea", "org": "esri", "members": 1},
            {"github_id": "discord-999", "name": "Coffee Lovers", "org": "discord", "members": 2},
        ]
    }


async def test_a_group_from_a_github_team_starts_everyone_at_zero(call: Call, sign_in: SignIn) -> None:
    token = (await sign_in("octocat"))["access_token"]
    created = await call(
        "/1/group/create", token, github_team_id=30000, name="Esri PDX", timezone="America/Los_Angeles"
    )
    assert created == {"group_id": 1, "group_name": "Esri PDX", "timezone": "America/Los_Angeles"}
    assert await call("GET /1/group/info", token, group_id=1) == {
        "group_id": 1,
        "group_name": "Esri PDX",
        "timezone": "America/Los_Angeles",
        "user_balance": 0,
        "min_balance": 0,
        "max_balance": 0,
        "users": [user(3, "alice"), MONA, user(2, "ryan")],
        "transactions": [],
    }


async def test_a_form_encoded_group_from_a_discord_server_takes_its_known_members(
    call: Call, sign_in: SignIn, join: Join
) -> None:
    token = (await sign_in("octocat"))["access_token"]
    slug = await join("999", "Coffee Lovers", [1, 3])
    created = await call("/1/group/create", token, form=True, github_team_id=slug)
    assert created == {"group_id": 1, "group_name": "Coffee Lovers", "timezone": "UTC"}
    info = await call("GET /1/group/info", token, group_id="1")
    assert info["users"] == [user(3, "alice"), MONA]


async def test_group_create_reports_every_bad_parameter_at_once(call: Call, sign_in: SignIn) -> None:
    token = (await sign_in("octocat"))["access_token"]
    assert await call("/1/group/create", token, name="", timezone="Mars/Olympus") == error(
        "invalid_parameters",
        "Invalid parameters: github_team_id is required; name must be 1 to 100 characters; "
        "timezone is not a known timezone name, such as America/Los_Angeles",
        github_team_id=[("missing", "github_team_id is required")],
        name=[("invalid", "name must be 1 to 100 characters")],
        timezone=[("invalid", "timezone is not a known timezone name, such as America/Los_Angeles")],
    )
    assert await call("/1/group/create", token, form=True, github_team_id="30000", name=" ") == error(
        "invalid_parameters",
        "Invalid parameters: name must be 1 to 100 characters",
        name=[("invalid", "name must be 1 to 100 characters")],
    )


async def test_a_group_needs_one_of_your_own_teams_and_only_one_per_team(call: Call, sign_in: SignIn) -> None:
    token = (await sign_in("octocat"))["access_token"]
    message = "30002 is not one of your teams"
    assert await call("/1/group/create", token, github_team_id=30002) == error(
        "not_found", message, github_team_id=[("not_found", message)]
    )
    message = "discord-1 is not one of your teams"
    assert await call("/1/group/create", token, github_team_id="discord-1") == error(
        "not_found", message, github_team_id=[("not_found", message)]
    )
    await call("/1/group/create", token, github_team_id=30000)
    message = "That team already has a group: Coffee (group 1)"
    assert await call("/1/group/create", token, github_team_id=30000) == error(
        "conflict", message, github_team_id=[("conflict", message)]
    )


async def test_group_list_shows_each_group_with_the_users_balance(call: Call, sign_in: SignIn) -> None:
    token = (await sign_in("octocat"))["access_token"]
    await call("/1/group/create", token, github_team_id=30001)
    await call("/1/group/create", token, github_team_id=30000, timezone="America/Los_Angeles")
    await call("/1/transaction/create", token, group_id=2, user_id=2, amount=-3)
    assert await call("GET /1/group/list", token) == {
        "groups": [
            {
                "group_name": "Coffee",
                "timezone": "America/Los_Angeles",
                "group_id": 2,
                "user_balance": -3,
                "min_balance": -3,
                "max_balance": 3,
            },
            {
                "group_name": "Tea",
                "timezone": "UTC",
                "group_id": 1,
                "user_balance": 0,
                "min_balance": 0,
                "max_balance": 0,
            },
        ]
    }


async def test_group_info_is_only_for_members_and_needs_a_whole_group_id(call: Call, sign_in: SignIn) -> None:
    token = (await sign_in("octocat"))["access_token"]
    await call("/1/group/create", token, github_team_id=30001)
    bob = (await sign_in("bob"))["access_token"]
    message = "You are not in a group with id 1"
    assert await call("GET /1/group/info", bob, group_id=1) == error(
        "not_found", message, group_id=[("not_found", message)]
    )
    assert await call("GET /1/group/info", token) == error(
        "invalid_parameters", "Invalid parameters: group_id is required", group_id=[("missing", "group_id is required")]
    )
    assert await call("GET /1/group/info", token, group_id="one") == error(
        "invalid_parameters",
        "Invalid parameters: group_id must be a whole number",
        group_id=[("invalid", "group_id must be a whole number")],
    )


async def test_update_deactivates_who_left_keeps_their_history_and_brings_them_back(
    call: Call, sign_in: SignIn, provider: FakeProvider
) -> None:
    token = (await sign_in("octocat"))["access_token"]
    ryan = (await sign_in("ryan"))["access_token"]
    await call("/1/group/create", token, github_team_id=30000)
    await call("/1/transaction/create", ryan, group_id=1, user_id=1, amount=2)
    provider.teams[0].members.remove("ryan")
    await sign_in("octocat")
    left = await call("/1/group/update", token, group_id=1)
    assert left == {
        "group_id": 1,
        "group_name": "Coffee",
        "timezone": "UTC",
        "users_added": [],
        "users_removed": [profile(2, "ryan", "Ryan")],
    }
    info = await call("GET /1/group/info", ryan, group_id=1)
    assert (info["user_balance"], info["users"][2]) == (2, user(2, "ryan", "Ryan", active=False, balance=2))
    assert [entry["summary"] for entry in info["transactions"]] == ["You bought Mona Lisa 2 coffees"]
    message = "You are no longer an active member of this group"
    assert await call("/1/transaction/create", ryan, group_id=1, user_id=1, amount=1) == error(
        "forbidden", message, group_id=[("forbidden", message)]
    )
    provider.teams[0].members.append("ryan")
    await sign_in("octocat")
    back = await call("/1/group/update", token, form=True, group_id=1, name="Esri", timezone="Europe/Amsterdam")
    assert back == {
        "group_id": 1,
        "group_name": "Esri",
        "timezone": "Europe/Amsterdam",
        "users_added": [profile(2, "ryan", "Ryan")],
        "users_removed": [],
    }
    assert (await call("GET /1/group/info", ryan, group_id=1))["user_balance"] == 2


async def test_update_reports_bad_parameters_together(call: Call, sign_in: SignIn) -> None:
    token = (await sign_in("octocat"))["access_token"]
    assert await call("/1/group/update", token, timezone="Nowhere") == error(
        "invalid_parameters",
        "Invalid parameters: group_id is required; timezone is not a known timezone name, such as America/Los_Angeles",
        group_id=[("missing", "group_id is required")],
        timezone=[("invalid", "timezone is not a known timezone name, such as America/Los_Angeles")],
    )


async def test_community_paths_show_only_that_communitys_groups(call: Call, sign_in: SignIn, join: Join) -> None:
    token = (await sign_in("octocat"))["access_token"]
    slug = await join("999", "Coffee Lovers", [1, 2])
    await call("/1/group/create", token, github_team_id=30000)
    await call(f"/c/{slug}/1/group/create", token, github_team_id=slug)
    listed = await call(f"GET /c/{slug}/1/group/list", token)
    assert [group["group_id"] for group in listed["groups"]] == [2]
    assert [group["group_id"] for group in (await call("GET /1/group/list", token))["groups"]] == [1, 2]
    message = "You are not in a group with id 1"
    assert await call(f"GET /c/{slug}/1/group/info", token, group_id=1) == error(
        "not_found", message, group_id=[("not_found", message)]
    )
