"""The coffee overlay's leaderboard: /api/overlay/coffee/{group_id}, read with a viewer token."""

from tallybot.core.models import Role
from tallybot.core.services import Services
from tests.api.coffee.conftest import Call, Join, SignIn
from tests.helpers import Client


async def viewer_of(services: Services, slug: str | None = None) -> str:
    where = services.default_community if slug is None else await services.communities.by_slug(slug)
    return (await services.accounts.create_api_token(where, Role.VIEWER, "obs")).secret


async def test_the_leaderboard_ranks_active_members_by_balance_with_ties_sharing_a_place(
    client: Client, services: Services, call: Call, sign_in: SignIn
) -> None:
    mona = (await sign_in("octocat"))["access_token"]
    await sign_in("ryan")
    await call("/1/group/create", mona, github_team_id=30000)
    await call("/1/transaction/create", mona, group_id=1, user_id=2, amount=2)
    await call("/1/transaction/create", mona, group_id=1, user_id=3, amount=-2)
    response = await client.get(f"/api/overlay/coffee/1?token={await viewer_of(services)}")
    assert response.status == 200
    assert await response.json() == {
        "group_id": 1,
        "group_name": "Coffee",
        "leaderboard": [
            {"rank": 1, "user_id": 3, "username": "alice", "display_name": "alice", "balance": 2},
            {"rank": 2, "user_id": 1, "username": "octocat", "display_name": "Mona Lisa", "balance": 0},
            {"rank": 3, "user_id": 2, "username": "ryan", "display_name": "Ryan", "balance": -2},
        ],
    }


async def test_equal_balances_share_a_rank(client: Client, services: Services, call: Call, sign_in: SignIn) -> None:
    mona = (await sign_in("octocat"))["access_token"]
    await call("/1/group/create", mona, github_team_id=30000)
    response = await client.get(f"/api/overlay/coffee/1?token={await viewer_of(services)}")
    body = await response.json()
    assert [(entry["rank"], entry["balance"]) for entry in body["leaderboard"]] == [(1, 0), (1, 0), (1, 0)]


async def test_a_group_of_another_community_is_unknown_to_this_ones_overlay(
    client: Client, services: Services, call: Call, sign_in: SignIn, join: Join
) -> None:
    mona = (await sign_in("octocat"))["access_token"]
    slug = await join("999", "Coffee Lovers", [1, 2])
    await call(f"/c/{slug}/1/group/create", mona, github_team_id=slug)
    response = await client.get(f"/api/overlay/coffee/1?token={await viewer_of(services)}")
    assert (response.status, await response.json()) == (404, {"error": "No coffee group 1 in this community"})
    response = await client.get(f"/c/{slug}/api/overlay/coffee/1?token={await viewer_of(services, slug)}")
    assert (response.status, (await response.json())["group_name"]) == (200, "Coffee Lovers")


async def test_a_group_id_that_is_not_a_number_is_not_found(client: Client, services: Services) -> None:
    response = await client.get(f"/api/overlay/coffee/first?token={await viewer_of(services)}")
    assert (response.status, await response.json()) == (
        404,
        {"error": "No coffee group with that id in this community"},
    )
