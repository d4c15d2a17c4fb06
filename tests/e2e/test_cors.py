"""A page on another origin uses the API from headless Chromium: let in when its origin is listed, refused when not.

The page comes from a second server on two more ports of 127.0.0.1; only the first port's
origin is in ``[api] cors_origins``. These contexts do not intercept requests: with
interception on, Playwright answers every CORS preflight itself, permissively, and the app's
own answers would never be tested. The pages load nothing but what the tests serve, and a
listener checks that no request leaves 127.0.0.1.
"""

import json
from collections.abc import AsyncIterator
from dataclasses import dataclass, replace
from typing import Any
from urllib.parse import urlsplit

import pytest
from aiohttp import web
from playwright.async_api import Browser, Page, Request

from tallybot.core.models import Role
from tallybot.settings import Settings
from tests.e2e.conftest import LiveApp

PAGE = '<!doctype html><html lang="en"><head><meta charset="utf-8"><title>Another app</title></head></html>'
# What a web client does: one fetch, then the answer's status and JSON body, or how the fetch failed.
FETCH = """async ({url, method, headers, body}) => {
  try {
    const response = await fetch(url, {method, headers, body});
    return {status: response.status, body: await response.json()};
  } catch (error) {
    return {refused: `${error.name}: ${error.message}`};
  }
}"""
REFUSED = {"refused": "TypeError: Failed to fetch"}


@dataclass(frozen=True)
class Origins:
    """Where the other app's page is served: a listed origin and one that is not."""

    listed: str
    stranger: str


@pytest.fixture
async def origins() -> AsyncIterator[Origins]:
    async def page(request: web.Request) -> web.Response:
        return web.Response(text=PAGE, content_type="text/html")

    app = web.Application()
    app.router.add_get("/", page)
    runner = web.AppRunner(app)
    await runner.setup()
    try:
        for _ in range(2):
            await web.TCPSite(runner, "127.0.0.1", 0).start()
        listed, stranger = (f"http://127.0.0.1:{address[1]}" for address in runner.addresses)
        yield Origins(listed, stranger)
    finally:
        await runner.cleanup()


@pytest.fixture
def settings(settings: Settings, origins: Origins) -> Settings:
    return replace(settings, api=replace(settings.api, cors_origins=(origins.listed,)))


@pytest.fixture
async def other_app(browser: Browser) -> AsyncIterator[Page]:
    """A browser tab for the other app's pages; at the end, no request of it has left 127.0.0.1."""
    context = await browser.new_context()
    asked: list[str] = []

    def note(request: Request) -> None:
        asked.append(request.url)

    context.on("request", note)
    try:
        yield await context.new_page()
    finally:
        await context.close()
    assert {urlsplit(url).hostname for url in asked} == {"127.0.0.1"}


@pytest.fixture
async def host(live_app: LiveApp) -> str:
    return f"Bearer {await live_app.token(Role.HOST)}"


async def fetch(page: Page, url: str, method: str = "GET", body: str | None = None, **headers: str) -> Any:
    return await page.evaluate(FETCH, {"url": url, "method": method, "headers": headers, "body": body})


async def sign_up(page: Page, live_app: LiveApp, name: str) -> Any:
    """Sign up as the accounts web client does: JSON sent as text/plain, which needs no preflight."""
    body = json.dumps({"email_address": f"{name.lower()}@example.com", "display_name": name, "agreed_with_TOS": True})
    return await fetch(page, live_app.url("/api/sign-up"), "POST", body, **{"Content-Type": "text/plain"})


def without(body: dict[str, Any], *keys: str) -> dict[str, Any]:
    return {key: value for key, value in body.items() if key not in keys}


async def test_a_page_on_a_listed_origin_uses_each_spec_and_reads_its_answers_and_errors(
    live_app: LiveApp, other_app: Page, origins: Origins, host: str
) -> None:
    page = other_app
    await page.goto(origins.listed)

    signed_up = await sign_up(page, live_app, "Ann")
    assert signed_up["status"] == 200
    assert without(signed_up["body"], "reply_timestamp", "inserted_person") == {
        "success": True,
        "message": "Go check your email!",
    }
    again = await sign_up(page, live_app, "Ann")
    assert (again["status"], without(again["body"], "reply_timestamp")) == (
        200,
        {"success": False, "message": "ann@example.com has already signed up. Ask for a confirmation code to sign in."},
    )

    # Game night, with a bearer token (so after a preflight).
    json_type = {"Content-Type": "application/json"}
    started = await fetch(page, live_app.url("/api/sessions"), "POST", "{}", Authorization=host, **json_type)
    assert (started["status"], started["body"]["is_active"]) == (201, True)
    refused = await fetch(page, live_app.url("/api/sessions"), "POST", "{}", Authorization=host, **json_type)
    assert refused == {
        "status": 400,
        "body": {
            "error": "An active session already exists. Please close it before creating a new one.",
            "activeSessionId": started["body"]["id"],
        },
    }

    # Planning poker: JSON, so after a preflight.
    created = await fetch(page, live_app.url("/session/create"), "POST", '{"participant_id": "Ann"}', **json_type)
    assert (created["status"], sorted(created["body"])) == (201, ["session_id", "token"])
    unknown = await fetch(page, live_app.url("/session/calm-otter-123/join"), "POST", '{"participant_id": "Bo"}')
    assert unknown == {"status": 404, "body": {"error": "No open session with id calm-otter-123"}}

    # Coffee, as its app asks, doubled slash included.
    teams = await fetch(page, live_app.url("/1//team/list"), Authorization="Bearer not-a-token")
    assert teams == {
        "status": 200,
        "body": {
            "error": {
                "type": "unauthorized",
                "message": "Invalid or expired token",
                "parameters": {"headers.authorization": [{"type": "invalid", "message": "Invalid or expired token"}]},
            }
        },
    }

    # Events: the webhooks.
    assert await fetch(page, live_app.url("/api/webhooks"), Authorization=host) == {"status": 200, "body": []}
    missing = await fetch(page, live_app.url("/api/webhooks/999"), "DELETE", Authorization=host)
    assert missing == {"status": 404, "body": {"error": "Webhook not found"}}


async def test_a_page_on_an_origin_not_listed_cannot_read_any_answer(
    live_app: LiveApp, other_app: Page, origins: Origins, host: str
) -> None:
    page = other_app
    await page.goto(origins.stranger)
    assert await sign_up(page, live_app, "Bo") == REFUSED
    assert await fetch(page, live_app.url("/api/sessions"), "POST", "{}", Authorization=host) == REFUSED
    assert await fetch(page, live_app.url("/api/sessions")) == REFUSED
    assert await fetch(page, live_app.url("/1//team/list"), Authorization=host) == REFUSED
    # The page on the listed origin still reads the same answer.
    await page.goto(origins.listed)
    assert await fetch(page, live_app.url("/api/sessions")) == {"status": 200, "body": []}
