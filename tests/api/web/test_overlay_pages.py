"""The overlay pages, their files and the dashboard, as HTML: themes, escaping, access and URLs."""

import re
from dataclasses import replace

import pytest

from tallybot.core.models import Platform, Role
from tallybot.core.services import Services
from tallybot.settings import Settings
from tests.gamenight_helpers import SeededGames, call
from tests.helpers import Client

PAGES = ("/overlay/gamenight", "/overlay/poker/brave-otter-417", "/overlay/coffee/3")


async def token(services: Services, role: Role) -> str:
    return (await services.accounts.create_api_token(services.default_community, role, "obs")).secret


async def page(client: Client, path: str, status: int = 200) -> str:
    response = await client.get(path)
    assert (response.status, response.content_type) == (status, "text/html"), await response.text()
    return await response.text()


def theme(html: str) -> str:
    match = re.search(r'<html lang="en" data-theme="([^"]*)">', html)
    assert match is not None, html
    return match.group(1)


@pytest.mark.parametrize("path", PAGES)
async def test_each_page_is_dark_unless_a_known_theme_is_asked_for(
    client: Client, services: Services, path: str
) -> None:
    viewer = await token(services, Role.VIEWER)
    assert theme(await page(client, f"{path}?token={viewer}")) == "dark"
    assert theme(await page(client, f"{path}?token={viewer}&theme=light")) == "light"
    assert theme(await page(client, f"{path}?token={viewer}&theme=%22%3E%3Cscript%3E")) == "dark"


async def test_a_page_names_its_topic_escaped_and_its_files_under_its_community(
    client: Client, services: Services
) -> None:
    community = await services.communities.ensure(Platform.DISCORD, "42", "Elsewhere")
    viewer = (await services.accounts.create_api_token(community, Role.VIEWER, "obs")).secret
    html = await page(client, f"/c/discord-42/overlay/poker/%22%3E%3Cscript%3Ealert(1)%3C%2Fscript%3E?token={viewer}")
    assert '<body data-overlay="poker" data-base="/c/discord-42" data-key="&quot;&gt;&lt;script&gt;' in html
    assert "<script>alert" not in html
    assert '<script src="/c/discord-42/overlay/static/poker.js"></script>' in html


async def test_without_read_access_a_page_explains_how_to_get_it(client: Client) -> None:
    html = await page(client, "/overlay/gamenight", 401)
    assert (
        '<p role="alert" id="message"><strong>Overlay unavailable:</strong> This community&#x27;s overlays need a '
        "viewer token: add ?token=... to the URL (make one with: tallybot token create --role viewer)</p>"
    ) in html


async def test_a_page_refuses_a_token_that_can_write(client: Client, services: Services) -> None:
    html = await page(client, f"/overlay/poker/brave-otter-417?token={await token(services, Role.HOST)}", 403)
    assert "This token can change things, so it must never be put in a URL." in html


async def test_a_coffee_page_for_a_group_that_is_not_a_number_is_not_found(client: Client, services: Services) -> None:
    html = await page(client, f"/overlay/coffee/abc?token={await token(services, Role.VIEWER)}", 404)
    assert "No coffee group with that id in this community" in html


@pytest.mark.parametrize(
    ("name", "content_type"),
    [("overlay.css", "text/css"), ("overlay.js", "text/javascript"), ("dashboard.js", "text/javascript")],
)
async def test_the_pages_files_are_served_without_a_token(client: Client, name: str, content_type: str) -> None:
    response = await client.get(f"/overlay/static/{name}")
    assert (response.status, response.content_type, response.charset) == (200, content_type, "utf-8")


@pytest.mark.parametrize("name", ["gamenight.html", "missing.js", "..%2F__init__.py", "%2E%2E%2Fbot.toml.example"])
async def test_only_the_listed_files_are_served(client: Client, name: str) -> None:
    await page(client, f"/overlay/static/{name}", 404)


async def game_night(client: Client, host: dict[str, str], games: SeededGames) -> None:
    session = await call(client, "POST", "/api/sessions", host, {}, 201)
    await call(client, "POST", f"/api/sessions/{session['id']}/games", host, {"game_id": games.trivia}, 201)


async def test_the_dashboard_hides_poker_sessions_and_coffee_groups_without_read_access(
    client: Client, host: dict[str, str], games: SeededGames
) -> None:
    await game_night(client, host, games)
    created = await call(client, "POST", "/session/create", {}, {"participant_id": "Ann"}, 201)
    html = await page(client, "/")
    assert '<p class="muted" id="adapters-none">No chat adapter is configured: the API runs alone.</p>' in html
    assert '<p id="gamenight-game"><strong>Trivia Test</strong> (Test Pack 6), playing;' in html
    assert created["session_id"] not in html
    assert html.count('<p class="muted details-hidden">') == 2
    port = client.port
    assert f'value="http://127.0.0.1:{port}/overlay/gamenight?theme=dark&amp;token=VIEWER_TOKEN"' in html


async def test_with_a_viewer_token_the_dashboard_lists_open_poker_sessions_with_ready_urls(
    client: Client, services: Services
) -> None:
    created = await call(client, "POST", "/session/create", {}, {"participant_id": "Ann"}, 201)
    closed = await call(client, "POST", "/session/create", {}, {"participant_id": "Bob"}, 201)
    response = await client.post(
        f"/session/{closed['session_id']}/close", headers={"Authorization": f"Bearer {closed['token']}"}
    )
    assert response.status == 204
    viewer = await token(services, Role.VIEWER)
    html = await page(client, f"/?token={viewer}")
    url = f"http://127.0.0.1:{client.port}/overlay/poker/{created['session_id']}?theme=dark&amp;token={viewer}"
    assert f'<input readonly value="{url}" aria-label="Poker {created["session_id"]} URL">' in html
    assert f'<button type="button" data-copy="{url}">Copy</button>' in html
    assert closed["session_id"] not in html
    assert '<section id="coffee"><h2>Coffee groups</h2><p class="muted">None.</p></section>' in html


async def test_the_dashboard_escapes_what_chat_platforms_and_adapters_report(
    client: Client, services: Services
) -> None:
    community = await services.communities.ensure(Platform.DISCORD, "7", "<b>Evil</b> & co")
    services.adapters.report("discord", connected=False, detail="<img src=x onerror=alert(1)>")
    html = await page(client, f"/c/{community.slug}/")
    assert "<title>tallybot · &lt;b&gt;Evil&lt;/b&gt; &amp; co</title>" in html
    assert "&lt;img src=x onerror=alert(1)&gt;" in html
    assert "<img" not in html
    assert "<b>" not in html
    assert f'<link rel="stylesheet" href="/c/{community.slug}/overlay/static/dashboard.css">' in html


async def test_the_dashboard_refuses_a_token_that_can_write(client: Client, services: Services) -> None:
    await page(client, f"/?token={await token(services, Role.HOST)}", 403)


class TestAPublicCommunity:
    @pytest.fixture
    def settings(self, settings: Settings) -> Settings:
        return replace(settings, overlays=replace(settings.overlays, public_communities=("default",)))

    async def test_its_pages_and_dashboard_need_no_token_and_its_urls_carry_none(self, client: Client) -> None:
        created = await call(client, "POST", "/session/create", {}, {"participant_id": "Ann"}, 201)
        await page(client, "/overlay/gamenight")
        html = await page(client, "/")
        url = f"http://127.0.0.1:{client.port}/overlay/poker/{created['session_id']}?theme=dark"
        assert f'data-copy="{url}"' in html
