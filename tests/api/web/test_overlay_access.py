"""Who may read overlays: a viewer token, or anyone in a public community; never a token that can write in a URL."""

import asyncio
from dataclasses import replace
from datetime import timedelta
from pathlib import Path

import pytest

from tallybot.bot.__main__ import main, open_services
from tallybot.core.models import Platform, Role
from tallybot.core.services import Services
from tallybot.settings import Settings, load_settings
from tests.helpers import Client, FakeClock

NEEDS_VIEWER = {
    "error": "This community's overlays need a viewer token: add ?token=... to the URL "
    "(make one with: tallybot token create --role viewer)"
}
WRITER_IN_URL = {
    "error": "This token can change things, so it must never be put in a URL. "
    "Overlays take a read-only viewer token (tallybot token create --role viewer)"
}
OTHER_COMMUNITY = {"error": "This token is for another community"}
UNKNOWN_TOKEN = {"error": "Invalid or expired token"}
NOTHING_RUNNING = {"session": None, "game": None}
READ_ROUTES = ("/api/overlay/gamenight", "/api/overlay/poker/brave-otter-417", "/api/overlay/coffee/1")


async def token(services: Services, role: Role, *, elsewhere: bool = False, days: int | None = None) -> str:
    where = services.default_community
    if elsewhere:
        where = await services.communities.ensure(Platform.DISCORD, "81384788765712384", "Elsewhere")
    expires = None if days is None else services.clock() + timedelta(days=days)
    return (await services.accounts.create_api_token(where, role, "overlay", expires_at=expires)).secret


async def answer(client: Client, path: str, headers: dict[str, str] | None = None) -> tuple[int, object]:
    response = await client.get(path, headers=headers)
    return response.status, await response.json()


@pytest.mark.parametrize("path", READ_ROUTES)
async def test_without_a_token_a_private_communitys_overlays_are_refused(client: Client, path: str) -> None:
    assert await answer(client, path) == (401, NEEDS_VIEWER)


async def test_a_viewer_token_in_the_url_reads_the_overlays(client: Client, services: Services) -> None:
    viewer = await token(services, Role.VIEWER)
    assert await answer(client, f"/api/overlay/gamenight?token={viewer}") == (200, NOTHING_RUNNING)


@pytest.mark.parametrize("role", [Role.HOST, Role.MEMBER])
async def test_an_api_token_that_can_write_is_refused_in_the_url(
    client: Client, services: Services, role: Role
) -> None:
    writer = await token(services, role)
    for path in READ_ROUTES:
        assert await answer(client, f"{path}?token={writer}") == (403, WRITER_IN_URL)


async def test_a_persons_session_is_refused_in_the_url(client: Client, services: Services) -> None:
    person = await services.accounts.sign_up(
        services.default_community, "ann@example.com", "Ann", True, None, "127.0.0.1"
    )
    session = await services.accounts.open_session_for(person)
    assert await answer(client, f"/api/overlay/gamenight?token={session.token}") == (403, WRITER_IN_URL)


async def test_a_host_token_of_another_community_is_refused_in_the_url_as_a_writer(
    client: Client, services: Services
) -> None:
    writer = await token(services, Role.HOST, elsewhere=True)
    assert await answer(client, f"/api/overlay/gamenight?token={writer}") == (403, WRITER_IN_URL)


async def test_a_viewer_token_reads_only_its_own_community(client: Client, services: Services) -> None:
    viewer = await token(services, Role.VIEWER, elsewhere=True)
    assert await answer(client, f"/api/overlay/gamenight?token={viewer}") == (403, OTHER_COMMUNITY)
    assert await answer(client, f"/c/discord-81384788765712384/api/overlay/gamenight?token={viewer}") == (
        200,
        NOTHING_RUNNING,
    )


async def test_an_unknown_or_expired_viewer_token_is_refused(
    client: Client, services: Services, clock: FakeClock
) -> None:
    assert await answer(client, "/api/overlay/gamenight?token=nope") == (401, UNKNOWN_TOKEN)
    viewer = await token(services, Role.VIEWER, days=1)
    assert (await answer(client, f"/api/overlay/gamenight?token={viewer}"))[0] == 200
    clock.advance(timedelta(days=1))
    assert await answer(client, f"/api/overlay/gamenight?token={viewer}") == (401, UNKNOWN_TOKEN)


async def test_a_token_of_the_community_in_a_header_reads_the_overlays(client: Client, services: Services) -> None:
    host = {"Authorization": f"Bearer {await token(services, Role.HOST)}"}
    assert await answer(client, "/api/overlay/gamenight", host) == (200, NOTHING_RUNNING)
    stranger = {"Authorization": f"Bearer {await token(services, Role.HOST, elsewhere=True)}"}
    assert await answer(client, "/api/overlay/gamenight", stranger) == (403, OTHER_COMMUNITY)


async def test_a_viewer_token_cannot_change_anything(client: Client, services: Services) -> None:
    viewer = {"Authorization": f"Bearer {await token(services, Role.VIEWER)}"}
    response = await client.post("/api/sessions", json={"notes": "Friday"}, headers=viewer)
    assert (response.status, await response.json()) == (403, {"error": "This needs a host token for this community"})
    response = await client.post("/api/webhooks", json={}, headers=viewer)
    assert (response.status, await response.json()) == (403, {"error": "This needs a host token for this community"})


class TestAPublicCommunity:
    @pytest.fixture
    def settings(self, settings: Settings) -> Settings:
        return replace(settings, overlays=replace(settings.overlays, public_communities=("default",)))

    async def test_its_overlays_need_no_token(self, client: Client) -> None:
        assert await answer(client, "/api/overlay/gamenight") == (200, NOTHING_RUNNING)

    async def test_a_token_that_can_write_is_still_refused_in_the_url(self, client: Client, services: Services) -> None:
        writer = await token(services, Role.HOST)
        assert await answer(client, f"/api/overlay/gamenight?token={writer}") == (403, WRITER_IN_URL)

    async def test_other_communities_stay_private(self, client: Client, services: Services) -> None:
        await services.communities.ensure(Platform.DISCORD, "81384788765712384", "Elsewhere")
        path = "/c/discord-81384788765712384/api/overlay/gamenight"
        assert await answer(client, path) == (401, NEEDS_VIEWER)


async def test_token_create_makes_a_viewer_token_that_reads_overlays(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    config = tmp_path / "bot.toml"
    config.write_text(f'[storage]\npath = "{tmp_path / "bot.db"}"\n[email]\noutbox_path = "{tmp_path / "out.txt"}"\n')
    code = await asyncio.to_thread(
        main, ["token", "create", "--role", "viewer", "--name", "obs", "--config", str(config)]
    )
    assert code == 0
    viewer = capsys.readouterr().out.strip()
    async with open_services(load_settings(config, env={})) as services:
        where = services.default_community
        assert (await services.accounts.authenticate(viewer)).roles == {where.id: Role.VIEWER}
        assert await services.overlays.may_read(where, viewer, None)
