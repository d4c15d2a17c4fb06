"""The game-night overlay in headless Chromium: games, room codes, player counts and votes as they happen."""

import asyncio
import re
from datetime import timedelta

from playwright.async_api import Page, Route, expect

from tallybot.core.models import Role
from tests.e2e.conftest import LiveApp, screenshot
from tests.gamenight_helpers import seed_games
from tests.helpers import FakeClock

TRANSPARENT = "rgba(0, 0, 0, 0)"


async def vote(live_app: LiveApp, host: dict[str, str], username: str, way: str, second: int) -> None:
    payload = {"username": username, "vote": way, "timestamp": f"2026-11-23T12:00:{second:02d}Z"}
    await live_app.call("POST", "/api/votes/live", payload, host)


async def test_the_overlay_shows_each_change_made_through_the_api_within_two_seconds(
    live_app: LiveApp, page: Page
) -> None:
    host = {"Authorization": f"Bearer {await live_app.token(Role.HOST)}"}
    viewer = await live_app.token(Role.VIEWER)
    games = await seed_games(live_app.services)
    await page.goto(live_app.url(f"/overlay/gamenight?token={viewer}"))
    await expect(page.locator("#title")).to_have_text("No game night right now")
    await expect(page.locator("body")).to_have_attribute("data-connection", "live-ws")

    session = await live_app.call("POST", "/api/sessions", {"notes": "Friday"}, host, 201)
    await expect(page.locator("#session")).to_have_text(f"Game night #{session['id']}")
    await expect(page.locator("#title")).to_have_text("Waiting for the first game")

    path = f"/api/sessions/{session['id']}/games"
    game = await live_app.call("POST", path, {"game_id": games.quiplash}, host, 201)
    await expect(page.locator("#title")).to_have_text("Quiplash Test")
    await expect(page.locator("#pack")).to_have_text("Test Pack 7")
    await expect(page.locator("#room-code")).to_have_text("-")

    await live_app.call("PATCH", f"{path}/{game['id']}/room-code", {"room_code": "QUIP"}, host)
    await expect(page.locator("#room-code")).to_have_text("QUIP")
    await live_app.call("PATCH", f"{path}/{game['id']}/player-count", {"player_count": 6}, host)
    await expect(page.locator("#players")).to_have_text("6")

    up = page.locator(".count.up")
    await expect(up).not_to_have_class(re.compile("bump"))
    await vote(live_app, host, "ann", "up", 1)
    await expect(page.locator("#upvotes")).to_have_text("1")
    await expect(up).to_have_class(re.compile("bump"))
    await vote(live_app, host, "bob", "up", 2)
    await vote(live_app, host, "cid", "down", 3)
    await expect(page.locator("#upvotes")).to_have_text("2")
    await expect(page.locator("#downvotes")).to_have_text("1")
    await expect(page.locator(".count.down")).to_have_class(re.compile("bump"))

    backgrounds = await page.evaluate(
        "[document.documentElement, document.body].map((element) => getComputedStyle(element).backgroundColor)"
    )
    assert backgrounds == [TRANSPARENT, TRANSPARENT]
    await screenshot(page, "overlay-gamenight-dark")


async def test_the_next_game_replaces_the_one_on_screen_with_its_own_tally(
    live_app: LiveApp, page: Page, clock: FakeClock
) -> None:
    host = {"Authorization": f"Bearer {await live_app.token(Role.HOST)}"}
    games = await seed_games(live_app.services)
    session = await live_app.call("POST", "/api/sessions", {}, host, 201)
    path = f"/api/sessions/{session['id']}/games"
    await live_app.call("POST", path, {"game_id": games.quiplash, "room_code": "ABCD"}, host, 201)
    await vote(live_app, host, "ann", "up", 1)
    await page.goto(live_app.url(f"/overlay/gamenight?theme=light&token={await live_app.token(Role.VIEWER)}"))
    await expect(page.locator("#upvotes")).to_have_text("1")

    clock.advance(timedelta(minutes=20))
    await live_app.call("POST", path, {"game_id": games.trivia}, host, 201)
    await expect(page.locator("#title")).to_have_text("Trivia Test")
    await expect(page.locator("#upvotes")).to_have_text("0")
    await expect(page.locator("#room-code")).to_have_text("-")
    await expect(page.locator("html")).to_have_attribute("data-theme", "light")
    await screenshot(page, "overlay-gamenight-light")


async def test_a_state_fetch_answered_after_a_vote_arrived_does_not_roll_the_tally_back(
    live_app: LiveApp, page: Page
) -> None:
    host = {"Authorization": f"Bearer {await live_app.token(Role.HOST)}"}
    games = await seed_games(live_app.services)
    session = await live_app.call("POST", "/api/sessions", {}, host, 201)
    path = f"/api/sessions/{session['id']}/games"
    game = await live_app.call("POST", path, {"game_id": games.quiplash}, host, 201)
    await page.goto(live_app.url(f"/overlay/gamenight?token={await live_app.token(Role.VIEWER)}"))
    await expect(page.locator("#title")).to_have_text("Quiplash Test")
    await expect(page.locator("body")).to_have_attribute("data-connection", "live-ws")

    # The next state fetch is answered by the server at once but reaches the page only on release.
    read, release = asyncio.Event(), asyncio.Event()
    held: list[str] = []

    async def hold_once(route: Route) -> None:
        if held:
            await route.continue_()
            return
        held.append(route.request.url)
        answer = await route.fetch()
        read.set()
        await release.wait()
        await route.fulfill(response=answer)

    await page.route("**/api/overlay/gamenight*", hold_once)
    await live_app.call("PATCH", f"{path}/{game['id']}/room-code", {"room_code": "QUIP"}, host)
    await read.wait()
    await vote(live_app, host, "ann", "up", 1)
    await expect(page.locator("#upvotes")).to_have_text("1")

    release.set()
    await expect(page.locator("body")).to_have_attribute("data-discarded", "1")
    await expect(page.locator("#room-code")).to_have_text("QUIP")
    assert await page.locator("#upvotes").inner_text() == "1"
