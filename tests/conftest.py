"""Fixtures shared by every test: settings on a temporary SQLite file, services, the app."""

from collections.abc import AsyncIterator
from dataclasses import replace
from pathlib import Path

import pytest
from pytest_aiohttp import AiohttpClient

from tallybot.api.app import create_app
from tallybot.bot.__main__ import open_services
from tallybot.core.services import Services
from tallybot.settings import Settings, parse_settings
from tests.conformance import Conformance
from tests.helpers import FIGURES, Client, FakeClock, FakeMonotonic, LastCode, code_in, outbox_messages


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Run the long tests first, so that under ``make test``'s workers each starts at once, not at the end."""
    items.sort(key=lambda item: item.get_closest_marker("long") is None)


def pytest_terminal_summary(terminalreporter: pytest.TerminalReporter) -> None:
    """Print the figures that tests left (the fuzz run's counts, the soak's latencies), passed or not.

    They travel in the test's report, so they reach the end of the run from xdist's workers too.
    """
    for outcome in ("passed", "failed"):
        for report in terminalreporter.stats.get(outcome, []):
            for title, text in getattr(report, "sections", []):
                if title == FIGURES:
                    terminalreporter.write_sep("-", f"figures: {report.nodeid}")
                    terminalreporter.write_line(text.rstrip())


@pytest.fixture
def settings(tmp_path: Path) -> Settings:
    base = parse_settings({}, {})
    return replace(
        base,
        storage=replace(base.storage, path=str(tmp_path / "tallybot.db")),
        email=replace(base.email, outbox_path=str(tmp_path / "outbox.txt")),
        # Never the real ecast: a room monitor started by a test that brings no fake ecast
        # fails at once on this closed loopback port.
        gamenight=replace(base.gamenight, ecast_base_url="http://127.0.0.1:1"),
    )


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock()


@pytest.fixture
def monotonic() -> FakeMonotonic:
    return FakeMonotonic()


@pytest.fixture
async def services(settings: Settings, clock: FakeClock, monotonic: FakeMonotonic) -> AsyncIterator[Services]:
    async with open_services(settings, clock=clock, monotonic=monotonic) as opened:
        yield opened


@pytest.fixture
async def client(aiohttp_client: AiohttpClient, services: Services, settings: Settings) -> AsyncIterator[Client]:
    """The app on a test client; every response it sends must match the app's OpenAPI document."""
    app = create_app(services, settings.api.max_body_bytes, settings.api.read_timeout_seconds)
    conformance = Conformance.attach(app)
    yield await aiohttp_client(app)
    assert not conformance.problems, "responses that break the OpenAPI document:\n" + "\n".join(conformance.problems)


@pytest.fixture
def last_code(settings: Settings) -> LastCode:
    """A function returning the code in the newest mail to an address."""

    def find(address: str) -> str:
        mails = [m for m in outbox_messages(Path(settings.email.outbox_path)) if m["To"] == address]
        assert mails, f"no mail to {address}"
        return code_in(mails[-1])

    return find
