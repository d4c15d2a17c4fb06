"""/1/callback/*: signed, retried deliveries to a receiver on loopback, through the shared webhooks."""

import asyncio
import contextlib
import hashlib
import hmac
import json
from collections.abc import AsyncIterator
from dataclasses import dataclass, field, replace
from datetime import timedelta
from typing import Any

import pytest
from aiohttp import web
from aiohttp.test_utils import TestServer
from pytest_aiohttp import AiohttpServer

from tallybot.core.services import Services
from tallybot.settings import Settings
from tests.api.coffee.conftest import Call, SignIn
from tests.api.coffee.test_auth import error
from tests.helpers import FakeClock, until

NOW = "2026-11-23T12:00:00+0000"


@dataclass
class Receiver:
    """What the callback receiver got, and how it answers."""

    requests: list[tuple[dict[str, str], str]] = field(default_factory=list)
    status: int = 200
    hold: bool = False
    release: asyncio.Event = field(default_factory=asyncio.Event)


@pytest.fixture
def receiver() -> Receiver:
    return Receiver()


@pytest.fixture
async def receiver_server(aiohttp_server: AiohttpServer, receiver: Receiver) -> AsyncIterator[TestServer]:
    async def hook(request: web.Request) -> web.Response:
        receiver.requests.append((dict(request.headers), await request.text()))
        if receiver.hold:
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(receiver.release.wait(), 5)
        return web.Response(status=receiver.status, text="thanks")

    app = web.Application()
    app.router.add_post("/hook", hook)
    server = await aiohttp_server(app)
    yield server
    receiver.release.set()


@pytest.fixture
def settings(settings: Settings) -> Settings:
    webhooks = replace(settings.webhooks, allow_private=True, timeout_seconds=0.5, backoff_seconds=1.0)
    return replace(settings, webhooks=webhooks)


@pytest.fixture
async def dispatcher(services: Services) -> AsyncIterator[None]:
    task = asyncio.create_task(services.webhooks.run())
    yield
    task.cancel()
    with contextlib.suppress(asyncio.CancelledError):
        await task


@pytest.fixture
async def mona(call: Call, sign_in: SignIn) -> str:
    """Mona's token; she is in group 1 (the Coffee team, in UTC) with Ryan (user 2)."""
    token = (await sign_in("octocat"))["access_token"]
    await sign_in("ryan")
    await call("/1/group/create", token, github_team_id=30000)
    return str(token)


async def status_when(call: Call, token: str, url: str, outcome: str) -> dict[str, Any]:
    """The callback's status once its last response is ``outcome`` (the deliveries happen in the background)."""
    latest: dict[str, Any] = {}

    async def reached() -> bool:
        nonlocal latest
        latest = await call("GET /1/callback/status", token, group_id=1, url=url)
        return latest.get("last_response_status") == outcome

    await until(reached)
    return latest


async def test_a_transaction_reaches_the_callback_signed_and_status_reports_it(
    call: Call, mona: str, receiver: Receiver, receiver_server: TestServer, dispatcher: None
) -> None:
    url = str(receiver_server.make_url("/hook"))
    created = await call("/1/callback/create", mona, group_id=1, url=url)
    secret = created.pop("secret")
    assert created == {"status": "ok"}
    assert await call("/1/callback/create", mona, group_id=1, url=url) == {"status": "already_active"}
    never = {
        "url": url,
        "last_request_date": None,
        "last_response_date": None,
        "last_response_status": None,
        "last_response_status_code": None,
    }
    assert await call("GET /1/callback/list", mona, group_id=1) == {"callbacks": [never]}
    await call("/1/transaction/create", mona, group_id=1, user_id=2, amount=2)
    status = await status_when(call, mona, url, "ok")

    headers, body = receiver.requests[0]
    timestamp = headers["X-Webhook-Timestamp"]
    expected = hmac.new(secret.encode(), f"{timestamp}.{body}".encode(), hashlib.sha256).hexdigest()
    assert headers["X-Webhook-Signature"] == f"sha256={expected}"
    delivered = json.loads(body)
    assert (delivered["type"], delivered["timestamp"]) == ("coffee.transaction", "2026-11-23T12:00:00.000Z")
    assert delivered["data"] == {
        "group_id": 1,
        "transaction_id": 1,
        "from_user_id": 1,
        "to_user_id": 2,
        "amount": 2,
        "note": None,
        "created_by": 1,
        "date": "2026-11-23T12:00:00+00:00",
        "summary": "Mona Lisa bought Ryan 2 coffees",
    }
    sent = ["Content-Type", "User-Agent", "X-Webhook-Timestamp", "X-Webhook-Event-Id", "X-Webhook-Event"]
    request_lines = [f"Host: {headers['Host']}", *(f"{name}: {headers[name]}" for name in sent)]
    request_lines.append(f"X-Webhook-Signature: sha256={expected}")
    response = status.pop("response")
    assert status == {
        **never,
        "last_request_date": NOW,
        "last_response_date": NOW,
        "last_response_status": "ok",
        "last_response_status_code": 200,
        "request": "POST /hook HTTP/1.1\n" + "\n".join(request_lines) + f"\n\n{body}",
    }
    assert response.startswith("HTTP/1.1 200 OK\n")
    assert response.endswith("\n\nthanks")
    listed = await call("GET /1/callback/list", mona, group_id=1)
    assert listed == {"callbacks": [{key: status[key] for key in never}]}


async def test_a_failing_receiver_is_reported_and_the_delivery_retried(
    call: Call, mona: str, receiver: Receiver, receiver_server: TestServer, dispatcher: None, clock: FakeClock
) -> None:
    url = str(receiver_server.make_url("/hook"))
    await call("/1/callback/create", mona, group_id=1, url=url, secret="shared-secret")
    receiver.status = 500
    await call("/1/transaction/create", mona, group_id=1, user_id=2, amount=-1)
    status = await status_when(call, mona, url, "error")
    assert (status["last_response_status_code"], status["last_response_date"]) == (500, NOW)
    assert status["response"].startswith("HTTP/1.1 500 Internal Server Error\n")
    receiver.status = 200
    clock.advance(timedelta(seconds=2))
    status = await status_when(call, mona, url, "ok")
    assert status["last_request_date"] == "2026-11-23T12:00:02+0000"
    first, second = receiver.requests
    assert first[0]["X-Webhook-Event-Id"] == second[0]["X-Webhook-Event-Id"]
    assert first[1] == second[1]


async def test_a_receiver_that_does_not_answer_in_time_is_a_timeout(
    call: Call, mona: str, receiver: Receiver, receiver_server: TestServer, dispatcher: None
) -> None:
    url = str(receiver_server.make_url("/hook"))
    await call("/1/callback/create", mona, group_id=1, url=url)
    receiver.hold = True
    await call("/1/transaction/create", mona, group_id=1, user_id=2, amount=1)
    status = await status_when(call, mona, url, "timeout")
    assert (status["last_response_status_code"], status["last_response_date"]) == (None, None)
    assert status["response"] == "no answer in time"


async def test_a_removed_callback_is_gone_and_can_be_created_again(call: Call, mona: str) -> None:
    url = "http://127.0.0.1:9/hook"
    await call("/1/callback/create", mona, group_id=1, url=url)
    assert await call("/1/callback/remove", mona, form=True, group_id=1, url=url) == {"status": "ok"}
    assert await call("GET /1/callback/list", mona, group_id=1) == {"callbacks": []}
    message = f"Group 1 has no callback to {url}"
    gone = error("not_found", message, url=[("not_found", message)])
    assert await call("GET /1/callback/status", mona, group_id=1, url=url) == gone
    assert await call("/1/callback/remove", mona, group_id=1, url=url) == gone
    assert (await call("/1/callback/create", mona, form=True, group_id=1, url=url))["status"] == "ok"


async def test_callback_parameters_are_checked_and_only_members_may_use_them(
    call: Call, mona: str, sign_in: SignIn
) -> None:
    assert await call("/1/callback/create", mona) == error(
        "invalid_parameters",
        "Invalid parameters: group_id is required; url is required",
        group_id=[("missing", "group_id is required")],
        url=[("missing", "url is required")],
    )
    assert await call("/1/callback/create", mona, group_id=1, url="ftp://example.com/hook") == error(
        "invalid_parameters", "Invalid URL format", url=[("invalid", "url must be an http or https URL")]
    )
    bob = (await sign_in("bob"))["access_token"]
    message = "You are not in a group with id 1"
    for path in ("/1/callback/create", "GET /1/callback/list", "GET /1/callback/status", "/1/callback/remove"):
        assert await call(path, bob, group_id=1, url="http://127.0.0.1:9/hook") == error(
            "not_found", message, group_id=[("not_found", message)]
        )
