"""Overlays keep up by themselves: they reconnect after a restart, fall back to SSE, and may be public."""

from dataclasses import replace

import pytest
from playwright.async_api import Page, expect

from tallybot.core.models import Role
from tallybot.settings import Settings
from tests.e2e.conftest import LiveApp, screenshot
from tests.gamenight_helpers import seed_games

# Records every connection state the page goes through, in window.connectionStates.
WATCH_CONNECTION = """
window.connectionStates = [];
new MutationObserver(() => window.connectionStates.push(document.body.dataset.connection))
  .observe(document, {subtree: true, attributes: true, attributeFilter: ["data-connection"]});
"""


async def game_playing(live_app: LiveApp) -> dict[str, str]:
    """A host's header, with a game night whose game is playing."""
    host = {"Authorization": f"Bearer {await live_app.token(Role.HOST)}"}
    games = await seed_games(live_app.services)
    session = await live_app.call("POST", "/api/sessions", {}, host, 201)
    await live_app.call("POST", f"/api/sessions/{session['id']}/games", {"game_id": games.drawful}, host, 201)
    return host


async def vote(live_app: LiveApp, host: dict[str, str], username: str, second: int) -> None:
    payload = {"username": username, "vote": "up", "timestamp": f"2026-11-23T12:00:{second:02d}Z"}
    await live_app.call("POST", "/api/votes/live", payload, host)


async def test_after_a_server_restart_the_overlay_reconnects_and_catches_up(live_app: LiveApp, page: Page) -> None:
    host = await game_playing(live_app)
    await page.add_init_script(WATCH_CONNECTION)
    await page.goto(live_app.url(f"/overlay/gamenight?token={await live_app.token(Role.VIEWER)}"))
    await expect(page.locator("body")).to_have_attribute("data-connection", "live-ws")

    await live_app.restart()
    # Cast while the page is still away: it shows up from the state fetched on reconnecting.
    await vote(live_app, host, "ann", 1)
    await expect(page.locator("#upvotes")).to_have_text("1")
    await expect(page.locator("body")).to_have_attribute("data-connection", "live-ws")
    states = await page.evaluate("window.connectionStates")
    assert "reconnecting" in states, states

    await vote(live_app, host, "bob", 2)
    await expect(page.locator("#upvotes")).to_have_text("2")


async def test_without_websockets_the_overlay_follows_server_sent_events_across_a_restart(
    live_app: LiveApp, page: Page
) -> None:
    host = await game_playing(live_app)
    await page.add_init_script("window.WebSocket = undefined;")
    await page.goto(live_app.url(f"/overlay/gamenight?token={await live_app.token(Role.VIEWER)}"))
    await expect(page.locator("body")).to_have_attribute("data-connection", "live-sse")

    await vote(live_app, host, "ann", 1)
    await expect(page.locator("#upvotes")).to_have_text("1")

    await live_app.restart()
    await expect(page.locator("body")).to_have_attribute("data-connection", "live-sse")
    await vote(live_app, host, "bob", 2)
    await expect(page.locator("#upvotes")).to_have_text("2")


async def test_an_overlay_whose_websockets_are_refused_while_http_works_follows_server_sent_events(
    live_app: LiveApp, page: Page
) -> None:
    host = await game_playing(live_app)
    # As a proxy that refuses WebSocket upgrades would: each socket closes before it opens.
    await page.route_web_socket("**/api/events*", lambda socket: socket.close())
    await page.goto(live_app.url(f"/overlay/gamenight?token={await live_app.token(Role.VIEWER)}"))
    await expect(page.locator("body")).to_have_attribute("data-connection", "live-sse")
    await vote(live_app, host, "ann", 1)
    await expect(page.locator("#upvotes")).to_have_text("1")


class TestAPublicCommunity:
    @pytest.fixture
    def settings(self, settings: Settings) -> Settings:
        return replace(settings, overlays=replace(settings.overlays, public_communities=("default",)))

    async def test_its_overlays_need_no_token(self, live_app: LiveApp, page: Page) -> None:
        host = await game_playing(live_app)
        await page.goto(live_app.url("/overlay/gamenight"))
        await expect(page.locator("#title")).to_have_text("Drawful Test")
        await expect(page.locator("body")).to_have_attribute("data-connection", "live-ws")
        await vote(live_app, host, "ann", 1)
        await expect(page.locator("#upvotes")).to_have_text("1")

    async def test_a_host_token_in_the_url_is_still_refused_with_a_readable_page(
        self, live_app: LiveApp, page: Page
    ) -> None:
        response = await page.goto(live_app.url(f"/overlay/gamenight?token={await live_app.token(Role.HOST)}"))
        assert response is not None
        assert response.status == 403
        await expect(page.locator("#message")).to_have_text(
            "Overlay unavailable: This token can change things, so it must never be put in a URL. "
            "Overlays take a read-only viewer token (tallybot token create --role viewer)"
        )
        await screenshot(page, "overlay-refused-write-token")
