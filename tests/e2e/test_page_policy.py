"""The pages work under their Content-Security-Policy: Chromium reports no violation on any of them.

Each page is loaded with a listener for ``securitypolicyviolation`` in place before its first
script, and is driven until it shows its live state (the overlays over WebSocket and over
SSE, the docs with every operation), so that a blocked script, style, stream or image shows.
"""

from playwright.async_api import Page, expect

from tallybot.core.models import Role
from tests.e2e.conftest import LiveApp

RECORD_VIOLATIONS = """
window.violations = [];
document.addEventListener("securitypolicyviolation", (event) => {
  window.violations.push(`${event.effectiveDirective} ${event.blockedURI}`);
});
"""


async def violations(page: Page) -> list[str]:
    found: list[str] = await page.evaluate("window.violations")
    return found


async def test_the_dashboard_and_the_overlays_run_with_no_policy_violation(live_app: LiveApp, page: Page) -> None:
    await page.add_init_script(RECORD_VIOLATIONS)
    viewer = await live_app.token(Role.VIEWER)
    await page.goto(live_app.url(f"/?token={viewer}"))
    await expect(page.locator("#gamenight-none")).to_have_text("No game night is running.")
    assert await violations(page) == []

    for transport in ("ws", "sse"):
        await page.goto(live_app.url(f"/overlay/gamenight?token={viewer}&transport={transport}"))
        await expect(page.locator("body")).to_have_attribute("data-connection", f"live-{transport}")
        await expect(page.locator("#title")).to_have_text("No game night right now")
        assert await violations(page) == []


async def test_an_error_page_shows_in_its_own_style_with_no_policy_violation(live_app: LiveApp, page: Page) -> None:
    await page.add_init_script(RECORD_VIOLATIONS)
    response = await page.goto(live_app.url("/overlay/gamenight"))
    assert response is not None
    assert response.status == 401
    message = page.locator("#message")
    await expect(message).to_contain_text("Overlay unavailable:")
    await expect(message).to_have_css("background-color", "rgba(160, 20, 40, 0.88)")
    assert await violations(page) == []


async def test_the_api_docs_render_with_no_policy_violation(live_app: LiveApp, page: Page) -> None:
    await page.add_init_script(RECORD_VIOLATIONS)
    await page.goto(live_app.url("/api/docs"))
    await expect(page.locator(".info .title")).to_contain_text("tallybot")
    # An opened operation draws its parameters, examples and schemas too.
    create = page.locator(".opblock-post", has=page.locator('.opblock-summary-path[data-path="/api/sessions"]'))
    await create.locator(".opblock-summary-control").click()
    await expect(create.locator(".opblock-body .responses-wrapper")).to_be_visible()
    await create.locator(".opblock-body .tablinks", has_text="Schema").first.click()
    await expect(create.locator(".opblock-body .model-box").first).to_be_visible()
    assert await violations(page) == []
