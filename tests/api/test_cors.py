"""CORS: pages on the origins of ``[api] cors_origins`` call each spec's routes and read every answer.

One route of each spec (accounts, game night, poker, coffee, events) is asked by a page on
a listed origin, by any page while ``"*"`` is listed, and by a page on an origin that is
not listed: preflights first, then the requests themselves, errors included.
"""

import io
from collections.abc import AsyncIterator, Awaitable, Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

import pytest
from aiohttp import ClientResponse
from pytest_aiohttp import AiohttpClient

from tallybot.api.app import create_app
from tallybot.core.services import Services
from tallybot.settings import Settings
from tests.conformance import Conformance
from tests.gamenight_helpers import host_headers
from tests.helpers import Client

LISTED = "https://poker.example"
STRANGER = "https://elsewhere.example"
EXPOSED = {"Access-Control-Expose-Headers": "Retry-After, Allow, Content-Disposition"}
FOR_LISTED = {"Access-Control-Allow-Origin": LISTED, "Access-Control-Allow-Credentials": "true", **EXPOSED}
FOR_ANYONE = {"Access-Control-Allow-Origin": "*", **EXPOSED}
PREFLIGHT = {
    "Access-Control-Allow-Methods": "GET, HEAD, POST, PUT, PATCH, DELETE",
    "Access-Control-Allow-Headers": "Authorization, Content-Type, Last-Event-ID",
    "Access-Control-Max-Age": "600",
}
# (configured origins, the asking page's origin, the CORS headers every answer to it carries)
POLICIES = [
    pytest.param((LISTED,), LISTED, FOR_LISTED, id="listed-origin"),
    pytest.param(("*",), STRANGER, FOR_ANYONE, id="any-origin"),
    pytest.param((LISTED,), STRANGER, {}, id="origin-not-listed"),
]
OpenClient = Callable[[Sequence[str]], Awaitable[Client]]


@dataclass(frozen=True)
class Ask:
    """One request of a page, and the answer its spec gives."""

    method: str
    path: str
    status: int
    body: Any
    host: bool = False
    send: dict[str, Any] = field(default_factory=dict)


ASKS = [
    # The accounts web client posts JSON as text/plain, which needs no preflight.
    pytest.param(
        Ask(
            "POST",
            "/api/sign-up",
            200,
            {"success": False, "message": "You need to agree to the terms of service to sign up"},
            send={"data": '{"email_address": "ann@example.com", "display_name": "Ann", "agreed_with_TOS": false}'},
        ),
        id="accounts",
    ),
    pytest.param(Ask("GET", "/api/sessions", 200, []), id="gamenight"),
    pytest.param(Ask("GET", "/api/sessions/999", 404, {"error": "Session not found"}), id="gamenight-404"),
    pytest.param(
        Ask(
            "POST",
            "/session/calm-otter-123/join",
            404,
            {"error": "No open session with id calm-otter-123"},
            send={"json": {"participant_id": "Jo"}},
        ),
        id="poker-404",
    ),
    pytest.param(
        Ask(
            "GET",
            "/1/team/list",
            200,
            {
                "error": {
                    "type": "unauthorized",
                    "message": "Access token required",
                    "parameters": {"headers.authorization": [{"type": "missing", "message": "Access token required"}]},
                }
            },
        ),
        id="coffee-unauthorized",
    ),
    pytest.param(Ask("GET", "/api/webhooks", 200, [], host=True), id="events"),
    pytest.param(Ask("GET", "/api/webhooks/999", 404, {"error": "Webhook not found"}, host=True), id="events-404"),
    pytest.param(Ask("PUT", "/api/sessions", 405, {"error": "Method not allowed"}), id="gamenight-405"),
    pytest.param(Ask("GET", "/nothing/here", 404, {"error": "Not found"}), id="unknown-path"),
]
# What each spec's web client asks first: (method, path, the headers that make the browser send a preflight).
PREFLIGHTS = [
    pytest.param("POST", "/api/sign-up", "content-type", id="accounts"),
    pytest.param("POST", "/api/sessions", "authorization,content-type", id="gamenight"),
    pytest.param("POST", "/session/create", "content-type", id="poker"),
    pytest.param("GET", "/1/team/list", "authorization", id="coffee"),
    pytest.param("PATCH", "/api/webhooks/1", "authorization,content-type", id="events"),
]


def cors_headers(response: ClientResponse) -> dict[str, str]:
    return {name: value for name, value in response.headers.items() if name.startswith("Access-Control-")}


def without_timestamp(body: Any) -> Any:
    if isinstance(body, dict):
        body.pop("reply_timestamp", None)
    return body


@pytest.fixture
async def open_client(
    aiohttp_client: AiohttpClient, services: Services, settings: Settings
) -> AsyncIterator[OpenClient]:
    """The app, letting in the given origins, on a test client that checks every answer against the document."""
    attached: list[Conformance] = []

    async def open_one(origins: Sequence[str]) -> Client:
        app = create_app(services, settings.api.max_body_bytes, settings.api.read_timeout_seconds, origins)
        attached.append(Conformance.attach(app))
        return await aiohttp_client(app)

    yield open_one
    problems = [problem for conformance in attached for problem in conformance.problems]
    assert not problems, "responses that break the OpenAPI document:\n" + "\n".join(problems)


async def ask(client: Client, services: Services, request: Ask, origin: str | None) -> ClientResponse:
    headers = {} if origin is None else {"Origin": origin}
    if request.host:
        headers.update(await host_headers(services))
    if "data" in request.send:
        headers["Content-Type"] = "text/plain;charset=UTF-8"
    return await client.request(request.method, request.path, headers=headers, **request.send)


@pytest.mark.parametrize(("origins", "origin", "expected"), POLICIES)
@pytest.mark.parametrize("request_", ASKS)
async def test_every_answer_carries_the_cors_headers_of_the_asking_origin(
    open_client: OpenClient,
    services: Services,
    origins: tuple[str, ...],
    origin: str,
    expected: dict[str, str],
    request_: Ask,
) -> None:
    client = await open_client(origins)
    response = await ask(client, services, request_, origin)
    assert (response.status, without_timestamp(await response.json())) == (request_.status, request_.body)
    assert cors_headers(response) == expected
    assert response.headers["Vary"] == "Origin"


@pytest.mark.parametrize(("origins", "origin", "expected"), POLICIES)
async def test_a_refused_body_is_readable_by_the_pages_that_are_let_in(
    open_client: OpenClient, settings: Settings, origins: tuple[str, ...], origin: str, expected: dict[str, str]
) -> None:
    client = await open_client(origins)
    big = io.BytesIO(b'{"participant_id": "' + b"x" * settings.api.max_body_bytes + b'"}')
    response = await client.post("/session/create", data=big, headers={"Origin": origin})
    assert (response.status, await response.json()) == (413, {"error": "The request body is too large"})
    assert cors_headers(response) == expected


@pytest.mark.parametrize(("origins", "origin", "expected"), POLICIES)
async def test_the_event_stream_lets_the_same_pages_in(
    open_client: OpenClient, origins: tuple[str, ...], origin: str, expected: dict[str, str]
) -> None:
    client = await open_client(origins)
    response = await client.get("/api/events/stream", headers={"Origin": origin})
    assert (response.status, response.headers["Content-Type"]) == (200, "text/event-stream")
    assert cors_headers(response) == expected
    response.close()


@pytest.mark.parametrize(("origins", "origin", "expected"), POLICIES[:2])
@pytest.mark.parametrize(("method", "path", "wanted"), PREFLIGHTS)
async def test_a_preflight_from_an_origin_let_in_allows_the_method_and_the_headers(
    open_client: OpenClient,
    origins: tuple[str, ...],
    origin: str,
    expected: dict[str, str],
    method: str,
    path: str,
    wanted: str,
) -> None:
    client = await open_client(origins)
    headers = {"Origin": origin, "Access-Control-Request-Method": method, "Access-Control-Request-Headers": wanted}
    response = await client.options(path, headers=headers)
    assert (response.status, await response.read()) == (204, b"")
    assert cors_headers(response) == {**PREFLIGHT, **expected}
    assert response.headers["Vary"] == "Origin"


@pytest.mark.parametrize(("method", "path", "wanted"), PREFLIGHTS)
async def test_a_preflight_from_an_origin_not_listed_gets_the_plain_answer_without_cors_headers(
    open_client: OpenClient, method: str, path: str, wanted: str
) -> None:
    client = await open_client((LISTED,))
    plain = await client.options(path)
    headers = {"Origin": STRANGER, "Access-Control-Request-Method": method, "Access-Control-Request-Headers": wanted}
    refused = await client.options(path, headers=headers)
    assert refused.status == plain.status
    assert without_timestamp(await refused.json()) == without_timestamp(await plain.json())
    assert refused.headers.get("Allow") == plain.headers.get("Allow")
    assert cors_headers(refused) == {}


NOT_ALLOWED = "Method not allowed"
COFFEE_NOT_ALLOWED = {"error": {"type": "method_not_allowed", "message": NOT_ALLOWED, "parameters": {}}}


@pytest.mark.parametrize(
    ("path", "status", "allow", "body"),
    [
        ("/api/sessions", 405, "GET,POST", {"error": NOT_ALLOWED}),
        ("/api/sign-up", 405, "POST", {"success": False, "message": NOT_ALLOWED}),
        ("/1/team/list", 200, "GET", COFFEE_NOT_ALLOWED),
    ],
)
@pytest.mark.parametrize("origins", [(), (LISTED,), ("*",)], ids=["no-cors", "listed-origin", "any-origin"])
async def test_an_options_that_is_no_preflight_is_answered_as_without_cors(
    open_client: OpenClient, origins: tuple[str, ...], path: str, status: int, allow: str, body: dict[str, Any]
) -> None:
    client = await open_client(origins)
    response = await client.options(path, headers={"Origin": LISTED})
    assert (response.status, response.headers["Allow"]) == (status, allow)
    assert without_timestamp(await response.json()) == body


async def test_with_no_origin_configured_no_page_elsewhere_is_let_in(open_client: OpenClient) -> None:
    client = await open_client(())
    preflight = {"Origin": LISTED, "Access-Control-Request-Method": "POST"}
    refused = await client.options("/session/create", headers=preflight)
    assert (refused.status, await refused.json()) == (405, {"error": "Method not allowed"})
    answer = await client.get("/api/sessions", headers={"Origin": LISTED})
    assert (answer.status, await answer.json()) == (200, [])
    assert cors_headers(refused) == cors_headers(answer) == {}
    assert "Vary" not in answer.headers


async def test_origins_match_without_regard_to_case(open_client: OpenClient) -> None:
    client = await open_client(("HTTPS://Poker.Example",))
    response = await client.get("/api/sessions", headers={"Origin": LISTED})
    assert cors_headers(response) == FOR_LISTED
