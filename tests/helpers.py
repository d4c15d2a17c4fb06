"""Test helpers: clocks the tests can move, callers of a community, waiting for a condition, and reading mail."""

import asyncio
import email
import inspect
import re
from collections.abc import Awaitable, Callable
from datetime import UTC, datetime, timedelta
from email.message import Message
from pathlib import Path

import pytest
from aiohttp import web
from aiohttp.test_utils import TestClient

from tallybot.core.models import Community, Principal, Role

Client = TestClient[web.Request, web.Application]
LastCode = Callable[[str], str]

_FIGURES_KEY = "figures"
# The title pytest gives the report section that holds a test's figures (printed by tests/conftest.py).
FIGURES = f"Captured {_FIGURES_KEY} call"


def leave_figures(request: pytest.FixtureRequest, text: str) -> None:
    """Keep figures (counts, latencies) in the test's report, for the end of the run, passed or not."""
    request.node.add_report_section("call", _FIGURES_KEY, text)


class FakeClock:
    """A wall clock that only moves when the test says so."""

    def __init__(self, start: datetime | None = None) -> None:
        self.now = start or datetime(2026, 11, 23, 12, 0, tzinfo=UTC)

    def __call__(self) -> datetime:
        return self.now

    def advance(self, delta: timedelta) -> None:
        self.now += delta


class FakeMonotonic:
    """A monotonic clock in seconds that only moves when the test says so."""

    def __init__(self) -> None:
        self.seconds = 1000.0

    def __call__(self) -> float:
        return self.seconds

    def advance(self, seconds: float) -> None:
        self.seconds += seconds


def outbox_messages(path: Path) -> list[Message]:
    """Every message the outbox mailer appended to ``path``."""
    if not path.exists():
        return []
    chunks = re.split(r"^From tallybot \S+\n", path.read_text(encoding="utf-8"), flags=re.MULTILINE)
    # Each message is followed by the blank line that separates it from the next one.
    return [email.message_from_string(chunk.removesuffix("\n")) for chunk in chunks if chunk.strip()]


def code_in(message: Message) -> str:
    """The 4-digit confirmation code in a mail's body."""
    payload = message.get_payload(decode=True)
    assert isinstance(payload, bytes)
    match = re.search(r"confirmation code is (\d{4})", payload.decode())
    assert match is not None, payload
    return match.group(1)


def host_of(community: Community) -> Principal:
    """A caller who is a host of the community, as a host's token or chat badge makes one."""
    return Principal.host(community, "test host")


def member_of(community: Community) -> Principal:
    """A caller who is a member of the community and nothing more."""
    return Principal(label="test member", roles={community.id: Role.MEMBER})


async def until(condition: Callable[[], bool | Awaitable[bool]], *, seconds: float = 5.0) -> None:
    """Wait until ``condition()`` (plain or awaitable) holds, checking it again on every turn of the loop.

    For state that announces nothing to wait on (a count of waiters, what a background task
    wrote). ``seconds`` only bounds a test that would otherwise hang; it is not a budget the
    code must meet.
    """
    try:
        async with asyncio.timeout(seconds):
            while True:
                held = condition()
                if inspect.isawaitable(held):
                    held = await held
                if held:
                    return
                await asyncio.sleep(0.001)
    except TimeoutError:
        raise AssertionError(f"the condition never held within {seconds} s: {condition}") from None
