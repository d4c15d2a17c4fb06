"""The coffee overlay in headless Chromium: a group's leaderboard, re-ranked as coffees are bought."""

from dataclasses import replace
from typing import Any

import pytest
from aiohttp.test_utils import TestServer
from playwright.async_api import Page, expect
from pytest_aiohttp import AiohttpServer

from tallybot.core.models import Role
from tallybot.settings import GithubSettings, Settings
from tests.e2e.conftest import LiveApp, screenshot
from tests.fake_oauth import CLIENT_ID, CLIENT_SECRET, FakeProvider, FakeTeam, FakeUser, build_app


@pytest.fixture
def provider() -> FakeProvider:
    state = FakeProvider()
    state.users["github"] = {
        "octocat": FakeUser(1, "octocat", "Mona Lisa"),
        "ryan": FakeUser(2, "ryan", "Ryan"),
        "alice": FakeUser(3, "alice", None),
    }
    state.teams = [FakeTeam(30000, "Coffee", "coffee", "esri", ["octocat", "ryan", "alice"])]
    return state


@pytest.fixture
async def provider_server(aiohttp_server: AiohttpServer, provider: FakeProvider) -> TestServer:
    return await aiohttp_server(build_app(provider))


@pytest.fixture
def settings(settings: Settings, provider_server: TestServer) -> Settings:
    github = GithubSettings(
        client_id=CLIENT_ID,
        client_secret=CLIENT_SECRET,
        token_url=str(provider_server.make_url("/github/token")),
        user_url=str(provider_server.make_url("/github/user")),
        api_url=str(provider_server.make_url("/github/api")),
    )
    return replace(settings, github=github)


async def sign_in(live_app: LiveApp, provider: FakeProvider, login: str) -> dict[str, str]:
    body = await live_app.call("POST", "/1/auth", {"code": provider.code_for("github", login), "provider": "github"})
    return {"Authorization": f"Bearer {body['access_token']}"}


async def buy(live_app: LiveApp, buyer: dict[str, str], user_id: int, amount: int) -> Any:
    payload = {"group_id": 1, "user_id": user_id, "amount": amount}
    body = await live_app.call("POST", "/1/transaction/create", payload, buyer)
    assert "error" not in body, body
    return body


async def test_the_leaderboard_follows_each_coffee_within_two_seconds(
    live_app: LiveApp, page: Page, provider: FakeProvider
) -> None:
    mona = await sign_in(live_app, provider, "octocat")
    ryan = await sign_in(live_app, provider, "ryan")
    group = await live_app.call("POST", "/1/group/create", {"github_team_id": 30000}, mona)
    assert group["group_id"] == 1, group
    await page.goto(live_app.url(f"/overlay/coffee/1?token={await live_app.token(Role.VIEWER)}"))
    await expect(page.locator("#group")).to_have_text("Coffee")
    await expect(page.locator("#leaderboard .name")).to_have_text(["alice", "Mona Lisa", "Ryan"])
    await expect(page.locator("#leaderboard .rank")).to_have_text(["1", "1", "1"])
    await expect(page.locator("body")).to_have_attribute("data-connection", "live-ws")

    await buy(live_app, mona, 2, 3)
    await expect(page.locator("#leaderboard .name")).to_have_text(["Mona Lisa", "alice", "Ryan"])
    await expect(page.locator("#leaderboard .balance")).to_have_text(["+3", "0", "−3"])
    await expect(page.locator("#leaderboard .rank")).to_have_text(["1", "2", "3"])

    await buy(live_app, ryan, 3, 5)
    await expect(page.locator("#leaderboard .name")).to_have_text(["Mona Lisa", "Ryan", "alice"])
    await expect(page.locator("#leaderboard .balance")).to_have_text(["+3", "+2", "−5"])
    await screenshot(page, "overlay-coffee-dark")
