"""Hostile input sent to every operation of the OpenAPI document, which the test reads from the app.

For each operation, and each place it takes input (a path parameter, a query parameter, a
field of its JSON body, its body as a whole), every kind of bad input below that fits the
place is sent on its own, with a real token of the kind the operation asks for and real ids
elsewhere. A new route is covered as soon as it is in the document.

Every answer must be a 4xx (coffee: its HTTP 200 error object, never ``server_error``), in
the error format of the spec whose route was asked (the ``client`` fixture holds every
answer to the document), and nothing may be logged above INFO or with a traceback.
"""

import asyncio
import json
import logging
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass, replace
from typing import Any
from urllib.parse import quote

import pytest
from pytest_aiohttp import AiohttpServer

from tallybot.api.app import create_app, runner_options
from tallybot.api.middlewares import AccessLogger
from tallybot.core.services import Services
from tallybot.settings import Settings
from tests.fuzz.live_app import UNLIMITED, World, build_world
from tests.helpers import Client, leave_figures
from tests.security.raw_http import exchange

BIG = "1" + "0" * 400  # far beyond 64 bits
DIGIT = "\u0661"  # ARABIC-INDIC DIGIT ONE: str.isdigit() and int() accept it
SUPERSCRIPT = "\u00b9"  # SUPERSCRIPT ONE: isdigit() accepts it, int() does not
BROKEN_MULTIPART = ("multipart/form-data; boundary=xx", b"--xx\r\nbroken")
TOKENS = {"hostToken": "host", "sessionToken": "person", "viewerToken": "viewer", "pokerToken": "poker_owner"}
BODY_METHODS = ("post", "put", "patch", "delete")
# The accounts spec answers most errors with HTTP 200 and ``"success": false``.
ACCOUNTS = tuple(
    f"/api/{name}"
    for name in (
        "sign-up",
        "signup",
        "confirm-email",
        "send-confirmation-code",
        "start-session",
        "login",
        "log-in",
        "authenticate",
        "start-session-with-confirmation-code",
        "verify-session-uuid",
        "end-session",
        "logout",
    )
)


@dataclass(frozen=True)
class Probe:
    """One request: an operation, where the bad input goes, and what it is."""

    method: str
    path: str
    kind: str
    place: str
    url: str
    headers: dict[str, str]
    body: bytes | None

    @property
    def label(self) -> str:
        return f"{self.method.upper()} {self.path} [{self.kind} in {self.place}]"


@pytest.fixture
def settings(settings: Settings) -> Settings:
    # The brute-force limits would answer sign-ins with 429 before they read the input.
    accounts = replace(settings.accounts, attempts_per_address=UNLIMITED, attempts_per_account=UNLIMITED)
    return replace(settings, accounts=accounts, api=replace(settings.api, poker_sessions_per_hour=UNLIMITED))


def _resolve(document: dict[str, Any], schema: dict[str, Any]) -> dict[str, Any]:
    while "$ref" in schema:
        schema = document["components"]["schemas"][schema["$ref"].rsplit("/", 1)[-1]]
    return schema


def _body_fields(document: dict[str, Any], operation: dict[str, Any]) -> dict[str, dict[str, Any]]:
    content = operation.get("requestBody", {}).get("content", {})
    schema = content.get("application/json", {}).get("schema")
    if schema is None:
        return {}
    resolved = _resolve(document, schema)
    fields: dict[str, dict[str, Any]] = {}
    for option in resolved.get("anyOf", [resolved]):
        fields.update(_resolve(document, option).get("properties", {}))
    return fields


def _known(world: World, path: str) -> dict[str, str]:
    poker = "/session/{session_id}" in path or "/poker/{session_id}" in path
    return {
        "community": world.community,
        "session_id": world.poker_session if poker else str(world.night),
        "id": str(world.night) if "/sessions/{id}" in path else "1",
        "prompt_id": str(world.prompt),
        "session_game_id": str(world.night_game),
        "group_id": str(world.group),
        "name": "Fuzz Pack",
    }


def _is_numeric(document: dict[str, Any], schema: dict[str, Any]) -> bool:
    """True for a parameter that only takes a number (perhaps written as digits in a string)."""
    schema = _resolve(document, schema)
    options = [_resolve(document, option) for option in schema.get("anyOf", schema.get("oneOf", [schema]))]
    kinds = {kind for option in options for kind in _types(option)}
    digits = [option for option in options if "string" in _types(option) and "[0-9]" in option.get("pattern", "")]
    return bool(kinds) and (kinds <= {"integer", "number", "null"} or (bool(digits) and "integer" in kinds))


def _types(schema: dict[str, Any]) -> set[str]:
    kind = schema.get("type", [])
    return {kind} if isinstance(kind, str) else set(kind)


def _url_kinds(where: str, numeric: bool) -> list[tuple[str, str]]:
    """The bad values that fit a path or query parameter: NUL anywhere, digits where a number goes."""
    kinds = [("NUL", "a\0b")]
    if numeric:
        kinds += [("non-ASCII digit", DIGIT if where == "path" else SUPERSCRIPT), ("integer beyond 64 bits", BIG)]
    return kinds


def _url(path: str, values: dict[str, str], query: dict[str, str]) -> str:
    url = path
    for name, value in values.items():
        url = url.replace("{" + name + "}", quote(value, safe=""))
    if query:
        url += "?" + "&".join(f"{quote(k)}={quote(v, safe='')}" for k, v in query.items())
    return url


def _headers(world: World, operation: dict[str, Any], content_type: str | None) -> dict[str, str]:
    headers = {} if content_type is None else {"Content-Type": content_type}
    for requirement in operation.get("security", []):
        for scheme in requirement:
            headers["Authorization"] = f"Bearer {getattr(world, TOKENS[scheme])}"
            return headers
    return headers


def probes(document: dict[str, Any], world: World) -> Iterator[Probe]:
    """Every request of the run, operation by operation."""
    for path, item in document["paths"].items():
        for method, operation in item.items():
            if method in ("get", *BODY_METHODS) and not path.endswith(("/logout", "/end-session")):
                yield from _operation_probes(document, world, method, path, operation)


def _operation_probes(
    document: dict[str, Any], world: World, method: str, path: str, operation: dict[str, Any]
) -> Iterator[Probe]:
    known = _known(world, path)
    parameters = operation.get("parameters", [])
    values = {p["name"]: known.get(p["name"], "1") for p in parameters if p["in"] == "path"}
    auth = _headers(world, operation, None)
    for p in parameters:
        if p["name"] == "community":
            continue
        for kind, bad in _url_kinds(p["in"], _is_numeric(document, p.get("schema", {}))):
            changed = {**values, p["name"]: bad} if p["in"] == "path" else values
            query = {p["name"]: bad} if p["in"] == "query" else {}
            yield Probe(method, path, kind, f"{p['in']} {p['name']}", _url(path, changed, query), auth, None)
    if method not in BODY_METHODS:
        return
    url = _url(path, values, {})
    content, raw = BROKEN_MULTIPART
    yield Probe(method, path, "broken multipart", "body", url, {**auth, "Content-Type": content}, raw)
    json_headers = {**auth, "Content-Type": "application/json"}
    for name, schema in _body_fields(document, operation).items():
        kinds = [("lone surrogate", '"\\ud800"'), ("NUL", '"a\\u0000b"'), ("integer beyond 64 bits", BIG)]
        if _is_numeric(document, schema):
            kinds.append(("non-ASCII digit", json.dumps(DIGIT)))
        for kind, bad in kinds:
            text = "{" + json.dumps(name) + ": " + bad + "}"
            yield Probe(method, path, kind, f"body {name}", url, json_headers, text.encode())


def refusal(status: int, body: bytes, path: str) -> str | None:
    """What is wrong with an answer to bad input, or None when it is a refusal in the spec's words."""
    if status == 200 and path.removeprefix("/c/{community}").startswith(ACCOUNTS):
        return None if json.loads(body).get("success") is False else "accounts answered success"
    if path.startswith(("/1/", "/c/{community}/1/")):
        error = json.loads(body).get("error") if status == 200 else None
        if not isinstance(error, dict):
            return f"coffee answered {status} without its error object"
        return "a server_error" if error.get("type") == "server_error" else None
    return None if 400 <= status < 500 else f"status {status}"


async def test_every_operation_refuses_every_kind_of_bad_input_in_its_spec_format(
    client: Client, services: Services, caplog: pytest.LogCaptureFixture, request: pytest.FixtureRequest
) -> None:
    world = await build_world(services)
    document = await (await client.get("/api/openapi.json")).json()
    sent: Counter[str] = Counter()
    failed: Counter[str] = Counter()
    problems = []
    caplog.set_level(logging.INFO)
    for probe in probes(document, world):
        caplog.clear()
        sent[probe.kind] += 1
        try:
            async with asyncio.timeout(10):
                response = await client.request(
                    probe.method, probe.url, headers=probe.headers, data=probe.body, skip_auto_headers=["Content-Type"]
                )
                body = await response.read()
        except TimeoutError:
            problems.append(f"{probe.label}: no answer within 10 s")
            continue
        # One line at most (the access log's), never a warning or a traceback.
        noisy = (
            caplog.records
            if len(caplog.records) > 1
            else [r for r in caplog.records if r.levelno > logging.INFO or r.exc_info]
        )
        wrong = refusal(response.status, body, probe.path)
        if response.status >= 500:
            failed[probe.kind] += 1
        if wrong or noisy:
            problems.append(f"{probe.label}: {wrong or 'logged'} {body[:120]!r} {[r.getMessage() for r in noisy]}")
    figures = "\n".join(f"{kind}: {count} requests, {failed[kind]} answers with a 5xx" for kind, count in sent.items())
    leave_figures(request, figures)
    assert problems == [], "\n".join(problems)


RAW_BODIES = {
    # A 7-byte "gzip" body (aiohttp reads a cut-off gzip stream as what it holds: nothing here),
    # a corrupt deflate one: the handler answers, in the spec's format.
    "bad gzip": (b"Content-Encoding: gzip\r\nContent-Length: 7\r\n", b"\x1f\x8b\x08\x00bad", True),
    "bad deflate": (b"Content-Encoding: deflate\r\nContent-Length: 7\r\n", b"abcdefg", True),
    # aiohttp's parser refuses these before any route is known: its own plain 400.
    "unsupported encoding": (b"Content-Encoding: br\r\nContent-Length: 7\r\n", b"abcdefg", False),
    "broken chunks": (b"Transfer-Encoding: chunked\r\n", b"7\r\nabcdefg\r\nzz\r\n", False),
}


@pytest.mark.parametrize("kind", list(RAW_BODIES))
async def test_a_body_that_cannot_be_decoded_costs_one_log_line_and_no_traceback(
    aiohttp_server: AiohttpServer, services: Services, settings: Settings, caplog: pytest.LogCaptureFixture, kind: str
) -> None:
    app = create_app(services, settings.api.max_body_bytes, 5)
    options = runner_options(5)
    # aiohttp's test server always cancels the handlers of vanished clients, and says so itself.
    options.pop("handler_cancellation")
    server = await aiohttp_server(app, access_log_class=AccessLogger, **options)
    assert server.port is not None
    headers, body, in_spec_format = RAW_BODIES[kind]
    caplog.set_level(logging.INFO)
    head = b"POST /session/create HTTP/1.1\r\nHost: tallybot\r\nContent-Type: application/json\r\n" + headers
    answer = await exchange(server.port, [head + b"Connection: close\r\n\r\n" + body], pause=0)
    assert answer.status == 400
    if in_spec_format:
        assert list(answer.json()) == ["error"]
    assert [record.levelname for record in caplog.records] == ["INFO"]
    assert not any(record.exc_info for record in caplog.records)
