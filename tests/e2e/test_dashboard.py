"""The dashboard in headless Chromium: what is running, and overlay URLs that copy and open."""

from playwright.async_api import Browser, expect

from tallybot.core.models import Role
from tests.e2e.conftest import LiveApp, local_only, screenshot
from tests.gamenight_helpers import seed_games


async def test_the_dashboard_shows_what_runs_and_its_copied_overlay_url_opens_the_overlay(
    live_app: LiveApp, browser: Browser
) -> None:
    host = {"Authorization": f"Bearer {await live_app.token(Role.HOST)}"}
    games = await seed_games(live_app.services)
    session = await live_app.call("POST", "/api/sessions", {"notes": "Friday"}, host, 201)
    await live_app.call("POST", f"/api/sessions/{session['id']}/games", {"game_id": games.trivia}, host, 201)
    poker = await live_app.call("POST", "/session/create", {"participant_id": "Ann"}, status=201)
    ann = {"Authorization": f"Bearer {poker['token']}"}
    await live_app.call("POST", f"/session/{poker['session_id']}/prompt/create", {"prompt": "Checkout"}, ann, 201)
    live_app.services.adapters.report("discord", connected=True, detail="2 servers")
    viewer = await live_app.token(Role.VIEWER)

    context = await browser.new_context(viewport={"width": 960, "height": 900})
    await context.route("**/*", local_only)
    await context.grant_permissions(["clipboard-read", "clipboard-write"], origin=live_app.url(""))
    page = await context.new_page()
    try:
        await page.goto(live_app.url(f"/?token={viewer}"))
        await expect(page.locator('#adapters li[data-adapter="discord"]')).to_contain_text("connected 2 servers")
        await expect(page.locator("#gamenight-game")).to_contain_text("Trivia Test (Test Pack 6), playing")
        overlay_url = live_app.url(f"/overlay/poker/{poker['session_id']}?theme=dark&token={viewer}")
        row = page.locator("#poker li")
        await expect(row.locator("input")).to_have_value(overlay_url)
        await expect(page.locator('#docs a[href="/api/docs"]')).to_have_text("Interactive API reference")
        await screenshot(page, "dashboard")

        await row.locator("button").click()
        await expect(row.locator("button")).to_have_text("Copied!")
        assert await page.evaluate("navigator.clipboard.readText()") == overlay_url

        await page.goto(overlay_url)
        await expect(page.locator("#prompt")).to_have_text("Checkout")
    finally:
        await context.close()
