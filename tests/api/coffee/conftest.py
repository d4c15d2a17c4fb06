"""Fixtures for the coffee API tests: a fake OAuth provider on loopback, and sign-in helpers."""

from collections.abc import Awaitable, Callable
from dataclasses import replace
from pathlib import Path
from typing import Any

import pytest
from aiohttp.test_utils import TestServer
from pytest_aiohttp import AiohttpServer

from tallybot.core.models import Platform, Role
from tallybot.core.services import Services
from tallybot.settings import GithubSettings, Settings
from tallybot.storage.db import SqliteDatabase
from tallybot.storage.transaction import SqliteTransaction
from tests.fake_oauth import CLIENT_ID, CLIENT_SECRET, REDIRECT_URI, FakeProvider, FakeTeam, FakeUser, build_app
from tests.helpers import Client

Call = Callable[..., Awaitable[dict[str, Any]]]
SignIn = Callable[..., Awaitable[dict[str, Any]]]
Join = Callable[[str, str, list[int]], Awaitable[str]]

AVATAR = "https://avatars.example/{}.png"


@pytest.fixture
def provider() -> FakeProvider:
    state = FakeProvider()
    state.users["github"] = {
        "octocat": FakeUser(1, "octocat", "Mona Lisa", AVATAR.format("octocat")),
        "ryan": FakeUser(2, "ryan", "Ryan", AVATAR.format("ryan")),
        "alice": FakeUser(3, "alice", None, AVATAR.format("alice")),
        "bob": FakeUser(4, "bob", "Bob", None),
    }
    state.users["discord"] = {"nelly": FakeUser("80351110224678912", "nelly", "Nelly", "8342729096ea3675")}
    state.users["twitch"] = {"twitchdev": FakeUser(141981764, "twitchdev", "TwitchDev", AVATAR.format("twitch"))}
    state.teams = [
        FakeTeam(30000, "Coffee", "coffee", "esri", ["octocat", "ryan", "alice"]),
        FakeTeam(30001, "Tea", "tea", "esri", ["octocat"]),
        FakeTeam(30002, "Secret", "secret", "other", ["bob"]),
    ]
    return state


@pytest.fixture
async def provider_server(aiohttp_server: AiohttpServer, provider: FakeProvider) -> TestServer:
    return await aiohttp_server(build_app(provider))


@pytest.fixture
def settings(settings: Settings, provider_server: TestServer) -> Settings:
    def url(path: str) -> str:
        return str(provider_server.make_url(path))

    github = GithubSettings(
        client_id=CLIENT_ID,
        client_secret=CLIENT_SECRET,
        authorize_url="https://github.example/login/oauth/authorize",
        token_url=url("/github/token"),
        user_url=url("/github/user"),
        api_url=url("/github/api"),
    )
    discord = replace(
        settings.discord,
        oauth_client_id=CLIENT_ID,
        oauth_client_secret=CLIENT_SECRET,
        oauth_redirect_uri=REDIRECT_URI,
        oauth_token_url=url("/discord/token"),
        oauth_user_url=url("/discord/users/@me"),
    )
    twitch = replace(
        settings.twitch,
        client_id=CLIENT_ID,
        client_secret=CLIENT_SECRET,
        oauth_redirect_uri=REDIRECT_URI,
        oauth_token_url=url("/twitch/token"),
        oauth_user_url=url("/twitch/helix/users"),
    )
    return replace(settings, github=github, discord=discord, twitch=twitch)


@pytest.fixture
def call(client: Client) -> Call:
    """Call a coffee route; every answer must be HTTP 200 JSON. ``form=True`` sends a form body."""

    async def send(path: str, bearer: str | None = None, /, *, form: bool = False, **params: Any) -> dict[str, Any]:
        headers = {} if bearer is None else {"Authorization": f"Bearer {bearer}"}
        if path.startswith("GET "):
            response = await client.get(path[4:], params=params, headers=headers)
        elif form:
            response = await client.post(path, data={k: str(v) for k, v in params.items()}, headers=headers)
        else:
            response = await client.post(path, json=params, headers=headers)
        assert response.status == 200, await response.text()
        body: dict[str, Any] = await response.json()
        return body

    return send


@pytest.fixture
def sign_in(call: Call, provider: FakeProvider) -> SignIn:
    """Sign someone in through the fake provider; returns the /1/auth answer."""

    async def run(login: str, provider_name: str = "github") -> dict[str, Any]:
        body = await call("/1/auth", code=provider.code_for(provider_name, login), provider=provider_name)
        assert "access_token" in body, body
        return body

    return run


@pytest.fixture
def join(services: Services, settings: Settings) -> Join:
    """Make people known members of a Discord server, as the chat adapter records them; returns its slug."""

    async def run(external_id: str, name: str, person_ids: list[int]) -> str:
        community = await services.communities.ensure(Platform.DISCORD, external_id, name)
        db = SqliteDatabase(Path(settings.storage.path), on_commit=lambda events: None)
        await db.open()
        try:

            async def work(tx: SqliteTransaction) -> None:
                for person_id in person_ids:
                    await tx.communities.set_role(community.id, person_id, Role.MEMBER)

            await db.write(work)
        finally:
            await db.close()
        return community.slug

    return run
