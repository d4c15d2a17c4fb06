"""Abusive requests: oversized, deeply nested, broken and slow bodies, and slow or idle connections.

Each is refused in the error format of the spec whose route was asked, never with a 500,
and a slow client cannot hold a connection open past the read timeout.
"""

import gzip
import io
import json
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import pytest
from aiohttp.test_utils import TestServer
from pytest_aiohttp import AiohttpServer

from tallybot.api.app import create_app, runner_options
from tallybot.api.params import MAX_JSON_DEPTH
from tallybot.core.services import Services
from tallybot.settings import Settings
from tests.helpers import Client
from tests.live_server import LiveServer, free_port
from tests.security.raw_http import Answer, exchange, request_head

READ_TIMEOUT = 0.5


def accounts_error(message: str) -> dict[str, Any]:
    return {"success": False, "message": message}


def coffee_error(kind: str, message: str) -> dict[str, Any]:
    return {"error": {"type": kind, "message": message, "parameters": {}}}


def without_timestamp(body: dict[str, Any]) -> dict[str, Any]:
    body.pop("reply_timestamp", None)
    return body


# One route with a body per spec, and how that spec words a refusal: (path, status, body).
def refusals(message: str, coffee_type: str, status: int) -> list[tuple[str, int, dict[str, Any]]]:
    return [
        ("/api/sign-up", status, accounts_error(message)),
        ("/api/pick", status, {"error": message}),
        ("/session/create", status, {"error": message}),
        ("/1/auth", 200, coffee_error(coffee_type, message)),
    ]


TOO_LARGE = refusals("The request body is too large", "request_too_large", 413)
TOO_DEEP = refusals(f"The request body nests more than {MAX_JSON_DEPTH} levels deep", "invalid_request", 400)
UNREADABLE = refusals("The request body could not be read", "invalid_request", 400)
TOO_SLOW = refusals("The request body did not arrive in time", "request_timeout", 408)


async def answer(client: Client, path: str, **request: Any) -> tuple[int, dict[str, Any]]:
    response = await client.post(path, **request)
    return response.status, without_timestamp(await response.json())


# Oversized bodies


@pytest.mark.parametrize(("path", "status", "body"), TOO_LARGE)
async def test_a_body_over_the_limit_is_413_in_the_specs_format(
    client: Client, settings: Settings, path: str, status: int, body: dict[str, Any]
) -> None:
    big = io.BytesIO(json.dumps({"code": "x" * settings.api.max_body_bytes}).encode())
    headers = {"Content-Type": "application/json"}
    assert await answer(client, path, data=big, headers=headers) == (status, body)


@pytest.mark.parametrize(("path", "status", "body"), TOO_LARGE)
async def test_a_chunked_body_without_a_length_is_cut_off_at_the_limit(
    client: Client, settings: Settings, path: str, status: int, body: dict[str, Any]
) -> None:
    # Far more than the server would take: it answers long before the end.
    cap = 1000 * settings.api.max_body_bytes
    sent = 0

    async def stream() -> AsyncIterator[bytes]:
        nonlocal sent
        while sent < cap:
            sent += 64 * 1024
            yield b" " * (64 * 1024)

    headers = {"Content-Type": "application/json"}
    assert await answer(client, path, data=stream(), headers=headers) == (status, body)
    assert sent < cap


async def test_an_oversized_form_is_413_too(client: Client, settings: Settings) -> None:
    form = io.BytesIO(b"email_address=" + b"x" * settings.api.max_body_bytes)
    headers = {"Content-Type": "application/x-www-form-urlencoded"}
    too_large = accounts_error("The request body is too large")
    assert await answer(client, "/api/sign-up", data=form, headers=headers) == (413, too_large)


# Deeply nested and broken bodies


def nested(depth: int) -> str:
    """A JSON object whose innermost list sits ``depth`` containers deep."""
    return '{"participant_id": ' + "[" * (depth - 1) + "]" * (depth - 1) + "}"


@pytest.mark.parametrize(("path", "status", "body"), TOO_DEEP)
async def test_a_hundred_thousand_open_brackets_are_a_400(
    client: Client, path: str, status: int, body: dict[str, Any]
) -> None:
    headers = {"Content-Type": "application/json"}
    assert await answer(client, path, data="[" * 100_000, headers=headers) == (status, body)


@pytest.mark.parametrize(("path", "status", "body"), TOO_DEEP)
async def test_json_nested_past_the_limit_is_a_400(
    client: Client, path: str, status: int, body: dict[str, Any]
) -> None:
    headers = {"Content-Type": "application/json"}
    assert await answer(client, path, data=nested(MAX_JSON_DEPTH + 1), headers=headers) == (status, body)


async def test_json_nested_up_to_the_limit_is_read(client: Client) -> None:
    response = await client.post(
        "/session/create", data=nested(MAX_JSON_DEPTH), headers={"Content-Type": "application/json"}
    )
    assert response.status == 400
    assert await response.json() == {"error": "Invalid parameters: participant_id must be a string"}


BROKEN = {
    "multipart part without a name": (
        b"--b\r\nContent-Disposition: form-data\r\n\r\nvalue\r\n--b--\r\n",
        {"Content-Type": "multipart/form-data; boundary=b"},
    ),
    "multipart cut short": (
        b'--b\r\nContent-Disposition: form-data; name="code"\r\n\r\nvalue',
        {"Content-Type": "multipart/form-data; boundary=b"},
    ),
    "multipart without a boundary": (b"code=1", {"Content-Type": "multipart/form-data"}),
    "form that is not UTF-8": (b"\xff\xfe=1", {"Content-Type": "application/x-www-form-urlencoded"}),
    "gzip that is not gzip": (b"{}", {"Content-Type": "application/json", "Content-Encoding": "gzip"}),
}


@pytest.mark.parametrize("kind", list(BROKEN))
@pytest.mark.parametrize(("path", "status", "body"), UNREADABLE)
async def test_a_body_that_cannot_be_decoded_is_a_400(
    client: Client, kind: str, path: str, status: int, body: dict[str, Any]
) -> None:
    data, headers = BROKEN[kind]
    assert await answer(client, path, data=data, headers=headers) == (status, body)


async def test_a_real_gzip_body_is_read(client: Client) -> None:
    data = gzip.compress(json.dumps({"participant_id": "Dale"}).encode())
    headers = {"Content-Type": "application/json", "Content-Encoding": "gzip"}
    response = await client.post("/session/create", data=data, headers=headers)
    assert response.status == 201
    assert set(await response.json()) == {"session_id", "token"}


@pytest.mark.parametrize(
    ("path", "message"),
    [
        ("/api/sessions/live", "Invalid message format"),
        ("/api/events", "This stream is read-only; only ping is understood"),
    ],
)
async def test_a_deeply_nested_websocket_message_is_answered_with_an_error(
    client: Client, path: str, message: str
) -> None:
    ws = await client.ws_connect(path)
    await ws.send_str("[" * 100_000)
    assert await ws.receive_json(timeout=5) == {"type": "error", "message": message}
    await ws.send_json({"type": "ping"})
    assert await ws.receive_json(timeout=5) == {"type": "pong"}
    await ws.close()


# Slow clients


@pytest.fixture
async def slow_server(aiohttp_server: AiohttpServer, services: Services, settings: Settings) -> TestServer:
    """The app served as ``tallybot run`` serves it, with a short read timeout."""
    app = create_app(services, settings.api.max_body_bytes, READ_TIMEOUT)
    options = runner_options(READ_TIMEOUT)
    # aiohttp's test server always cancels the handlers of vanished clients, and says so itself.
    assert options.pop("handler_cancellation") is True
    return await aiohttp_server(app, **options)


def port_of(server: TestServer) -> int:
    assert server.port is not None
    return server.port


def refusal(answer: Answer) -> tuple[int | None, dict[str, Any]]:
    return answer.status, without_timestamp(answer.json())


@pytest.mark.parametrize(("path", "status", "body"), TOO_SLOW)
async def test_a_body_that_never_comes_gets_408_and_the_connection_closes(
    slow_server: TestServer, path: str, status: int, body: dict[str, Any]
) -> None:
    head = request_head("POST", path, Content_Type="application/json", Content_Length="100")
    answer = await exchange(port_of(slow_server), [head + b"{"], pause=60)
    assert refusal(answer) == (status, body)
    assert answer.headers["connection"] == "close"


@pytest.mark.parametrize(("path", "status", "body"), TOO_SLOW)
async def test_a_body_trickling_in_gets_408_once_the_read_timeout_passes(
    slow_server: TestServer, path: str, status: int, body: dict[str, Any]
) -> None:
    head = request_head("POST", path, Content_Type="application/json", Transfer_Encoding="chunked")
    # One byte every 50 ms would take 100 s; the server gives up after READ_TIMEOUT.
    answer = await exchange(port_of(slow_server), [head, *[b"1\r\n \r\n"] * 2000], pause=0.05)
    assert refusal(answer) == (status, body)


async def test_headers_trickling_in_get_the_connection_closed_without_an_answer(slow_server: TestServer) -> None:
    lines = [b"GET /healthz HTTP/1.1\r\n", *[b"X-Slow: 1\r\n"] * 2000]
    answer = await exchange(port_of(slow_server), lines, pause=0.05)
    assert answer.status is None


async def test_a_connection_that_sends_nothing_is_closed(slow_server: TestServer) -> None:
    assert (await exchange(port_of(slow_server), [b""], pause=60)).status is None


async def test_a_prompt_client_is_unaffected_by_the_read_timeout(slow_server: TestServer) -> None:
    body = json.dumps({"participant_id": "Dale"}).encode()
    head = request_head(
        "POST", "/session/create", Content_Type="application/json", Content_Length=str(len(body)), Connection="close"
    )
    answer = await exchange(port_of(slow_server), [head + body], pause=60)
    assert answer.status == 201
    assert set(answer.json()) == {"session_id", "token"}


@pytest.fixture
async def live_server(tmp_path: Path) -> AsyncIterator[LiveServer]:
    """``tallybot run`` as a subprocess, with a one-second read timeout."""
    port = free_port()
    config = tmp_path / "bot.toml"
    config.write_text(
        f'[api]\nhost = "127.0.0.1"\nport = {port}\nread_timeout_seconds = 1.0\n'
        f'[storage]\npath = "{tmp_path / "tallybot.db"}"\n'
        f'[email]\noutbox_path = "{tmp_path / "outbox.txt"}"\n'
        '[gamenight]\necast_base_url = "http://127.0.0.1:1"\n',
        encoding="utf-8",
    )
    server = LiveServer(config, port, tmp_path / "server.log")
    await server.start()
    yield server
    await server.stop()


async def test_the_real_server_closes_slow_connections_after_the_configured_timeout(live_server: LiveServer) -> None:
    slow_headers = await exchange(live_server.port, [b"GET /healthz HTTP/1.1\r\n", *[b"X: 1\r\n"] * 600], pause=0.05)
    assert slow_headers.status is None
    head = request_head("POST", "/api/sign-up", Content_Type="application/json", Content_Length="100")
    slow_body = await exchange(live_server.port, [head], pause=60)
    assert refusal(slow_body) == (408, accounts_error("The request body did not arrive in time"))
