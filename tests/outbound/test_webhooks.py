"""The aiohttp webhook sender against fake receivers on 127.0.0.1."""

import asyncio
import socket
from collections.abc import AsyncIterator

import pytest
from aiohttp import web
from pytest_aiohttp import AiohttpServer

from tallybot.core.events import DeliveryOutcome, WebhookRequest
from tallybot.core.events.delivery import outcome_of
from tallybot.outbound.webhooks import MAX_RESPONSE_CHARS, AiohttpWebhookSender

HEADERS = {"Content-Type": "application/json", "X-Webhook-Event-Id": "e-1", "X-Webhook-Signature": "sha256=ab"}
REFUSED = "refused: the target is a private, loopback or link-local address"


class Target:
    """A receiver whose routes answer in the ways a webhook target can."""

    def __init__(self) -> None:
        self.hits: list[tuple[str, dict[str, str], str]] = []
        self.app = web.Application()
        self.app.router.add_post("/ok", self.ok)
        self.app.router.add_post("/slow", self.slow)
        self.app.router.add_post("/moved", self.moved)
        self.app.router.add_post("/chatty", self.chatty)

    async def _hit(self, request: web.Request) -> None:
        self.hits.append((request.path, dict(request.headers), await request.text()))

    async def ok(self, request: web.Request) -> web.Response:
        await self._hit(request)
        return web.Response(status=202, reason="Accepted", text="queued", headers={"X-Receiver": "fake"})

    async def slow(self, request: web.Request) -> web.Response:
        await self._hit(request)
        await asyncio.sleep(2)
        return web.Response(text="too late")

    async def moved(self, request: web.Request) -> web.Response:
        await self._hit(request)
        raise web.HTTPFound("/ok")

    async def chatty(self, request: web.Request) -> web.Response:
        await self._hit(request)
        return web.Response(text="x" * (MAX_RESPONSE_CHARS * 3))


@pytest.fixture
async def base(aiohttp_server: AiohttpServer, target: Target) -> str:
    server = await aiohttp_server(target.app)
    return str(server.make_url("")).rstrip("/")


@pytest.fixture
def target() -> Target:
    return Target()


@pytest.fixture
async def sender() -> AsyncIterator[AiohttpWebhookSender]:
    sending = AiohttpWebhookSender(timeout_seconds=0.5, allow_private=True)
    yield sending
    await sending.close()


@pytest.fixture
async def strict_sender() -> AsyncIterator[AiohttpWebhookSender]:
    sending = AiohttpWebhookSender(timeout_seconds=0.5, allow_private=False)
    yield sending
    await sending.close()


def request_to(url: str) -> WebhookRequest:
    return WebhookRequest(url=url, headers=HEADERS, body='{"id":"e-1"}', event_id="e-1", event_type="game.added")


async def test_the_body_and_headers_are_posted_as_given_and_the_answer_reported(
    sender: AiohttpWebhookSender, target: Target, base: str
) -> None:
    response = await sender.send(request_to(f"{base}/ok"))
    assert (response.status, response.reason, response.body, response.failure, response.error) == (
        202,
        "Accepted",
        "queued",
        None,
        None,
    )
    assert response.headers["X-Receiver"] == "fake"
    assert response.duration_ms >= 0
    assert outcome_of(response) is DeliveryOutcome.OK
    [(path, headers, body)] = target.hits
    assert (path, body) == ("/ok", '{"id":"e-1"}')
    assert {name: headers[name] for name in HEADERS} == HEADERS


async def test_a_receiver_that_does_not_answer_in_time_is_a_timeout(sender: AiohttpWebhookSender, base: str) -> None:
    response = await sender.send(request_to(f"{base}/slow"))
    assert (response.status, response.failure, response.error) == (None, DeliveryOutcome.TIMEOUT, "no answer in time")
    assert outcome_of(response) is DeliveryOutcome.TIMEOUT


async def test_a_refused_connection_is_an_error(sender: AiohttpWebhookSender) -> None:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    response = await sender.send(request_to(f"http://127.0.0.1:{port}/hook"))
    assert (response.status, response.failure) == (None, DeliveryOutcome.ERROR)
    assert str(response.error).startswith("ClientConnectorError")


async def test_redirects_are_not_followed(sender: AiohttpWebhookSender, target: Target, base: str) -> None:
    response = await sender.send(request_to(f"{base}/moved"))
    assert response.status == 302
    assert outcome_of(response) is DeliveryOutcome.ERROR
    assert [path for path, _, _ in target.hits] == ["/moved"]


async def test_a_long_answer_is_cut_to_what_a_log_needs(sender: AiohttpWebhookSender, base: str) -> None:
    response = await sender.send(request_to(f"{base}/chatty"))
    assert response.body == "x" * MAX_RESPONSE_CHARS


async def test_private_addresses_are_refused_unless_allowed(
    strict_sender: AiohttpWebhookSender, target: Target, base: str
) -> None:
    port = base.rsplit(":", 1)[1]
    for url in (f"http://127.0.0.1:{port}/ok", f"http://localhost:{port}/ok"):
        response = await strict_sender.send(request_to(url))
        assert (response.status, response.failure) == (None, DeliveryOutcome.ERROR)
        assert REFUSED in str(response.error)
    assert target.hits == []
