"""The API reference at /api/docs, rendered by headless Chromium with no network but the app."""

from urllib.parse import urlsplit

from playwright.async_api import Page, Request, expect

from tests.e2e.conftest import LiveApp, screenshot


async def test_api_docs_render_every_operation_with_the_network_blocked(live_app: LiveApp, page: Page) -> None:
    asked: list[str] = []

    def note(request: Request) -> None:
        asked.append(request.url)

    page.on("request", note)
    document = await live_app.call("GET", "/api/openapi.json")
    operations = sum(len(item) for item in document["paths"].values())

    await page.goto(live_app.url("/api/docs"))

    # Swagger UI draws one block per operation; each block names its method and path.
    blocks = page.locator(".opblock")
    await expect(blocks).to_have_count(operations)
    create = page.locator(".opblock-post", has=page.locator('.opblock-summary-path[data-path="/api/sessions"]'))
    await expect(create).to_have_count(1)
    await expect(create.locator(".opblock-summary-description")).to_have_text(
        "Start a session (one active per community)."
    )
    await expect(page.locator(".info .title")).to_contain_text("tallybot")
    await create.scroll_into_view_if_needed()
    await screenshot(page, "api-docs")
    assert {urlsplit(url).hostname for url in asked} == {"127.0.0.1"}
