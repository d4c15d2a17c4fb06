"""The poker overlay in headless Chromium: who has voted, never which card, until the reveal."""

import re

from playwright.async_api import Locator, Page, WebSocket, expect

from tallybot.core.models import Role
from tests.e2e.conftest import LiveApp, screenshot

# Cards that appear nowhere else, so that finding one on the page or on the wire is a leak.
DECK = ["sun", "moon", "comet", "nebula"]
# A card as a word of its own: the random session id ("sunny-otter-123") may hold one inside a word.
A_CARD = re.compile(rf"\b({'|'.join(DECK)})\b")


def bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


async def open_session(live_app: LiveApp) -> tuple[str, str, str]:
    """A session owned by Ann with Bob in it: its id and their tokens."""
    created = await live_app.call("POST", "/session/create", {"participant_id": "Ann", "deck": DECK}, status=201)
    bob = await live_app.call("POST", f"/session/{created['session_id']}/join", {"participant_id": "Bob"})
    return created["session_id"], created["token"], bob["token"]


def record_frames(page: Page) -> list[str]:
    """Every WebSocket message the page receives, from now on."""
    frames: list[str] = []

    def follow(socket: WebSocket) -> None:
        socket.on("framereceived", lambda payload: frames.append(str(payload)))

    page.on("websocket", follow)
    return frames


def voter(page: Page, name: str) -> Locator:
    return page.locator(f'#voters li[data-participant="{name}"]')


async def test_votes_show_who_voted_but_no_card_reaches_the_page_before_the_reveal(
    live_app: LiveApp, page: Page
) -> None:
    session, ann, _bob = await open_session(live_app)
    frames = record_frames(page)
    await page.goto(live_app.url(f"/overlay/poker/{session}?token={await live_app.token(Role.VIEWER)}"))
    await expect(page.locator("#prompt")).to_have_text("Waiting for a story…")
    await expect(page.locator("#progress")).to_have_text("2 joined")
    await expect(page.locator("body")).to_have_attribute("data-connection", "live-ws")

    await live_app.call("POST", f"/session/{session}/prompt/create", {"prompt": "Login page"}, bearer(ann), 201)
    await expect(page.locator("#prompt")).to_have_text("Login page")
    await expect(page.locator("#progress")).to_have_text("0 of 2 voted")

    # Ann opened the session: once she votes, the round waits for her and for Bob.
    await live_app.call("POST", f"/session/{session}/prompt/1/vote", {"vote": "moon"}, bearer(ann))
    await expect(page.locator("#progress")).to_have_text("1 of 2 voted")
    ann_row = voter(page, "Ann")
    await expect(ann_row).to_have_attribute("data-voted", "yes")
    await expect(ann_row.locator(".card-face")).to_have_text("✓")
    await expect(voter(page, "Bob").locator(".card-face")).to_have_text("…")
    await screenshot(page, "overlay-poker-voting")
    shown = await page.locator("body").inner_text()
    assert not A_CARD.search(shown), shown
    assert any('"poker.voted"' in frame for frame in frames), frames
    assert not any(A_CARD.search(frame) for frame in frames), frames

    await live_app.call("POST", f"/session/{session}/prompt/1/reveal", None, bearer(ann))
    await expect(page.locator("#progress")).to_have_text("Round 1 revealed")
    await expect(ann_row.locator(".card-face")).to_have_text("moon")
    await expect(voter(page, "Bob").locator(".card-face")).to_have_text("-")
    await expect(page.locator("#result")).to_have_text("Agreed!")
    await screenshot(page, "overlay-poker-revealed")


async def test_the_last_vote_reveals_every_card_and_the_result(live_app: LiveApp, page: Page) -> None:
    session, ann, bob = await open_session(live_app)
    await live_app.call("POST", f"/session/{session}/prompt/create", {"prompt": "Search"}, bearer(ann), 201)
    await page.goto(live_app.url(f"/overlay/poker/{session}?theme=light&token={await live_app.token(Role.VIEWER)}"))
    await expect(page.locator("#progress")).to_have_text("0 of 2 voted")

    await live_app.call("POST", f"/session/{session}/prompt/1/vote", {"vote": "sun"}, bearer(ann))
    await live_app.call("POST", f"/session/{session}/prompt/1/vote", {"vote": "nebula"}, bearer(bob))
    await expect(page.locator("#progress")).to_have_text("Round 1 revealed")
    await expect(page.locator("#voters .card-face")).to_have_text(["sun", "nebula"])
    await expect(page.locator("#result")).to_have_text("No consensus: Ann, Bob to explain")
    await screenshot(page, "overlay-poker-result-light")
