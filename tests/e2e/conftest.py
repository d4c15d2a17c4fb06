"""End-to-end fixtures: the real app on a real TCP port, and headless Chromium to look at it.

Chromium is Debian's package (``/usr/bin/chromium``, which ``make test`` installs), driven
through Playwright's async API on the test's own event loop; Playwright never downloads a
browser here. Every page is cut off from the network: a request to anything but the app
on 127.0.0.1 is aborted, so a page that works in these tests works offline.

Use ``live_app`` for the server (``live_app.url(path)``, ``live_app.call(...)``,
``live_app.restart()``), ``page`` for a fresh browser tab, and ``screenshot(page, name)``
to leave a picture in ``artifacts/`` for a human to look at.
"""

import contextlib
import os
import shutil
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import aiohttp
import pytest
from aiohttp import web
from playwright.async_api import Browser, Page, Route, async_playwright, expect

from tallybot.api.app import create_app
from tallybot.bot.__main__ import open_services
from tallybot.core.models import Role
from tallybot.core.services import Services
from tallybot.settings import Settings
from tests.helpers import FakeClock, FakeMonotonic

ARTIFACTS = Path(__file__).resolve().parents[2] / "artifacts"
CHROMIUM = os.environ.get("TALLYBOT_CHROMIUM") or shutil.which("chromium") or "/usr/bin/chromium"
LAUNCH_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
# Every ``expect`` waits for the page to show what it asserts. This only bounds a test that would
# otherwise hang on a loaded machine; it is no budget the page must meet (bench/ measures latency).
expect.set_options(timeout=30_000)


class LiveApp:
    """tallybot's app on 127.0.0.1 at a real port, with services of its own.

    ``restart`` stops it as a shutdown does (stream clients are let go, then the server
    closes) and starts it again on the same port and database, as a process restart would.
    """

    def __init__(self, settings: Settings, clock: FakeClock, monotonic: FakeMonotonic) -> None:
        self._settings = settings
        self._clock = clock
        self._monotonic = monotonic
        self._stack: contextlib.AsyncExitStack | None = None
        self._services: Services | None = None
        self.port = 0

    @property
    def services(self) -> Services:
        """The running app's services."""
        assert self._services is not None, "the app is not running"
        return self._services

    async def start(self) -> None:
        """Open the services and serve the app."""
        stack = contextlib.AsyncExitStack()
        services = await stack.enter_async_context(
            open_services(self._settings, clock=self._clock, monotonic=self._monotonic)
        )
        api = self._settings.api
        runner = web.AppRunner(create_app(services, api.max_body_bytes, cors_origins=api.cors_origins))
        await runner.setup()
        stack.push_async_callback(runner.cleanup)
        # Stream clients hold their handlers open: they are let go before the server waits for those.
        stack.callback(services.streams.close)
        await web.TCPSite(runner, "127.0.0.1", self.port).start()
        self.port = runner.addresses[0][1]
        self._stack, self._services = stack, services

    async def stop(self) -> None:
        """Stop serving and close the services."""
        if self._stack is not None:
            stack, self._stack, self._services = self._stack, None, None
            await stack.aclose()

    async def restart(self) -> None:
        """Stop, then start again on the same port."""
        await self.stop()
        await self.start()

    def url(self, path: str) -> str:
        """The absolute URL of a path on the app."""
        return f"http://127.0.0.1:{self.port}{path}"

    async def call(
        self, method: str, path: str, payload: Any = None, headers: dict[str, str] | None = None, status: int = 200
    ) -> Any:
        """Send a JSON request to the app and return the JSON answer, which must have ``status``."""
        async with (
            aiohttp.ClientSession() as session,
            session.request(method, self.url(path), json=payload, headers=headers) as response,
        ):
            assert response.status == status, await response.text()
            return await response.json() if response.content_type == "application/json" else None

    async def token(self, role: Role) -> str:
        """A new API token of the default community."""
        issued = await self.services.accounts.create_api_token(self.services.default_community, role, "e2e")
        return issued.secret


@pytest.fixture
async def live_app(settings: Settings, clock: FakeClock, monotonic: FakeMonotonic) -> AsyncIterator[LiveApp]:
    app = LiveApp(settings, clock, monotonic)
    await app.start()
    try:
        yield app
    finally:
        await app.stop()


@pytest.fixture
def chromium() -> str:
    """Where Debian's Chromium is; the tests fail clearly when it is not installed."""
    if not Path(CHROMIUM).exists():
        pytest.fail(f"Chromium is not at {CHROMIUM}: run `make browser` (Debian's chromium package)")
    return CHROMIUM


@pytest.fixture
async def browser(chromium: str) -> AsyncIterator[Browser]:
    async with async_playwright() as playwright:
        launched = await playwright.chromium.launch(executable_path=chromium, args=LAUNCH_ARGS)
        try:
            yield launched
        finally:
            await launched.close()


async def local_only(route: Route) -> None:
    """Let requests to the app through and abort everything else, as if there were no network."""
    if urlsplit(route.request.url).hostname == "127.0.0.1":
        await route.continue_()
    else:
        await route.abort("internetdisconnected")


@pytest.fixture
async def page(browser: Browser) -> AsyncIterator[Page]:
    context = await browser.new_context(viewport={"width": 720, "height": 420})
    await context.route("**/*", local_only)
    try:
        yield await context.new_page()
    finally:
        await context.close()


async def screenshot(page: Page, name: str) -> Path:
    """Save what the page shows, with its transparent background kept, as ``artifacts/<name>.png``."""
    ARTIFACTS.mkdir(exist_ok=True)
    path = ARTIFACTS / f"{name}.png"
    await page.screenshot(path=path, omit_background=True)
    return path
