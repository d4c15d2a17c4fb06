"""The webhooks API, route by route, with fake receivers on 127.0.0.1."""

import hashlib
import hmac
import json
from collections.abc import AsyncIterator
from dataclasses import replace
from datetime import timedelta
from typing import Any

import pytest
from pytest_aiohttp import AiohttpClient, AiohttpServer

from tallybot.api.app import create_app
from tallybot.bot.__main__ import open_services
from tallybot.core.models import Platform, Role
from tallybot.core.services import Services
from tallybot.settings import Settings
from tests.gamenight_helpers import host_headers, seed_games
from tests.helpers import Client, FakeClock
from tests.webhook_helpers import Receiver, running

NOON = "2026-11-23T12:00:00.000Z"
SECRET = "s3cret-for-signing"
NOT_FOUND = {"error": "Webhook not found"}


@pytest.fixture
def settings(settings: Settings) -> Settings:
    return replace(settings, webhooks=replace(settings.webhooks, allow_private=True))


@pytest.fixture
async def host(services: Services) -> dict[str, str]:
    return await host_headers(services)


@pytest.fixture
async def receiver_url(aiohttp_server: AiohttpServer, receiver: Receiver) -> str:
    server = await aiohttp_server(receiver.app)
    return str(server.make_url("/hook"))


@pytest.fixture
def receiver() -> Receiver:
    return Receiver()


async def call(
    client: Client, method: str, path: str, headers: dict[str, str], payload: Any = None, status: int = 200
) -> Any:
    response = await client.request(method, path, json=payload, headers=headers)
    assert response.status == status, await response.text()
    return await response.json()


async def create(client: Client, host: dict[str, str], url: str, **extra: Any) -> dict[str, Any]:
    payload = {"name": "Overlay", "url": url, "secret": SECRET, "events": ["game.added"], **extra}
    body: dict[str, Any] = await call(client, "POST", "/api/webhooks", host, payload, status=201)
    return body


def verify(headers: dict[str, str], body: str, secret: str = SECRET) -> bool:
    signed = f"{headers['X-Webhook-Timestamp']}.{body}".encode()
    expected = "sha256=" + hmac.new(secret.encode(), signed, hashlib.sha256).hexdigest()
    return hmac.compare_digest(headers["X-Webhook-Signature"], expected)


async def test_a_new_webhook_is_returned_listed_and_shown_without_its_secret(
    client: Client, host: dict[str, str], receiver_url: str
) -> None:
    created = await create(client, host, receiver_url, filter={"sessionId": 4})
    webhook = {
        "id": created["id"],
        "name": "Overlay",
        "url": receiver_url,
        "events": ["game.added"],
        "filter": {"sessionId": 4},
        "enabled": True,
        "created_at": NOON,
        "updated_at": None,
    }
    assert created == webhook
    assert await call(client, "GET", "/api/webhooks", host) == [webhook]
    response = await client.get(f"/api/webhooks/{created['id']}", headers=host)
    assert await response.json() == webhook
    assert SECRET not in await response.text()


ROUTES = [
    ("GET", "/api/webhooks"),
    ("POST", "/api/webhooks"),
    ("GET", "/api/webhooks/1"),
    ("PATCH", "/api/webhooks/1"),
    ("DELETE", "/api/webhooks/1"),
    ("POST", "/api/webhooks/test/1"),
    ("GET", "/api/webhooks/1/logs"),
]


@pytest.mark.parametrize(("method", "path"), ROUTES)
async def test_every_route_needs_a_host_token(client: Client, services: Services, method: str, path: str) -> None:
    member = await services.accounts.create_api_token(services.default_community, Role.MEMBER, "viewer")
    assert await call(client, method, path, {}, status=401) == {"error": "Access token required"}
    bad = {"Authorization": "Bearer not-a-token"}
    assert await call(client, method, path, bad, status=403) == {"error": "Invalid or expired token"}
    as_member = {"Authorization": f"Bearer {member.secret}"}
    assert await call(client, method, path, as_member, status=403) == {
        "error": "This needs a host token for this community"
    }


def valid(**changes: Any) -> dict[str, Any]:
    """A good webhook body, with some fields changed (None removes one)."""
    body = {"name": "x", "url": "https://example.com/h", "secret": SECRET, "events": ["*"], **changes}
    return {name: value for name, value in body.items() if value is not None}


@pytest.mark.parametrize(
    ("payload", "error"),
    [
        ({}, "Missing required fields: name, url, secret, events"),
        (valid(secret=None, events=[]), "Missing required fields: secret, events"),
        (valid(name=5), "name must be a string"),
        (valid(events="game.added"), "events must be an array of event types"),
        (valid(events=[1]), "events must be an array of event types"),
        (valid(filter=[]), "filter must be an object"),
        (valid(enabled="yes"), "enabled must be true or false"),
        (valid(url="mailto:me@example.com"), "Invalid URL format"),
        (valid(secret="short"), "Webhook secret must be 8 to 256 characters"),
        (valid(events=["Game Added"]), "'Game Added' is not an event type"),
        (valid(name=" "), "Webhook name must be 1 to 100 characters"),
        (valid(filter={"a": [1]}), "A filter maps up to 10 names to strings, numbers, booleans or null"),
    ],
)
async def test_a_bad_webhook_is_refused_with_the_reason(
    client: Client, host: dict[str, str], payload: dict[str, Any], error: str
) -> None:
    assert await call(client, "POST", "/api/webhooks", host, payload, status=400) == {"error": error}
    assert await call(client, "GET", "/api/webhooks", host) == []


async def test_a_body_that_is_not_json_is_refused(client: Client, host: dict[str, str]) -> None:
    response = await client.post("/api/webhooks", data="{name", headers={**host, "Content-Type": "application/json"})
    assert (response.status, await response.json()) == (400, {"error": "The request body is not valid JSON"})


# Loopback, private and link-local targets written every way the sender's URL parser and
# resolver would read them: inet_aton's shorthand, decimal, hex and octal forms, escapes,
# trailing dots, full-width letters (IDNA maps them), IPv4 mapped into IPv6.
SNEAKY_PRIVATE_HOSTS = [
    "192.168.1.5",
    "127.1",
    "2130706433",
    "0x7f000001",
    "0177.0.0.1",
    "0x7f.1",
    "127.000.000.001",
    "0",
    "%31%32%37.0.0.1",
    "127.0.0.1.",
    "LOCALHOST.",
    "api.localhost",
    "\uff4c\uff4f\uff43\uff41\uff4c\uff48\uff4f\uff53\uff54",
    "[::1]",
    "[::ffff:127.0.0.1]",
    "[fe80::1]",
    "169.254.169.254",
    "10.0.0.1",
]


@pytest.fixture
async def strict_client(
    settings: Settings, clock: FakeClock, aiohttp_client: AiohttpClient
) -> AsyncIterator[tuple[Client, dict[str, str]]]:
    """The app with ``[webhooks] allow_private = false``, and a host's headers."""
    strict = replace(settings, webhooks=replace(settings.webhooks, allow_private=False))
    async with open_services(strict, clock=clock) as services:
        client = await aiohttp_client(create_app(services, strict.api.max_body_bytes))
        yield client, await host_headers(services)
        await client.close()


@pytest.mark.parametrize("target", SNEAKY_PRIVATE_HOSTS)
async def test_private_targets_are_refused_when_the_settings_do_not_allow_them(
    strict_client: tuple[Client, dict[str, str]], target: str
) -> None:
    client, host = strict_client
    payload = {"name": "x", "url": f"http://{target}:8080/hook", "secret": SECRET, "events": ["*"]}
    assert await call(client, "POST", "/api/webhooks", host, payload, status=400) == {
        "error": "Webhook URLs may not point to private, loopback or link-local addresses"
    }


@pytest.mark.parametrize("target", ["93.184.216.34", "hooks.example.com", "[2606:4700::1111]"])
async def test_public_targets_are_accepted_when_the_settings_do_not_allow_private_ones(
    strict_client: tuple[Client, dict[str, str]], target: str
) -> None:
    client, host = strict_client
    payload = {"name": "x", "url": f"https://{target}/hook", "secret": SECRET, "events": ["*"]}
    created = await call(client, "POST", "/api/webhooks", host, payload, status=201)
    assert created["url"] == f"https://{target}/hook"


async def test_patch_changes_only_the_given_fields(
    client: Client, host: dict[str, str], receiver_url: str, clock: FakeClock
) -> None:
    created = await create(client, host, receiver_url)
    clock.advance(timedelta(minutes=5))
    changes = {"name": "Scoreboard", "events": ["vote.received", "game.added"], "enabled": False, "filter": {}}
    body = await call(client, "PATCH", f"/api/webhooks/{created['id']}", host, changes)
    assert body == {
        **created,
        "name": "Scoreboard",
        "events": ["vote.received", "game.added"],
        "enabled": False,
        "updated_at": "2026-11-23T12:05:00.000Z",
    }
    assert await call(client, "GET", f"/api/webhooks/{created['id']}", host) == body


async def test_patch_needs_something_to_change_and_checks_it(
    client: Client, host: dict[str, str], receiver_url: str
) -> None:
    created = await create(client, host, receiver_url)
    path = f"/api/webhooks/{created['id']}"
    assert await call(client, "PATCH", path, host, {}, status=400) == {"error": "No fields to update"}
    assert await call(client, "PATCH", path, host, {"url": "nope"}, status=400) == {"error": "Invalid URL format"}
    assert await call(client, "GET", path, host) == created


@pytest.mark.parametrize(
    ("method", "path"),
    [
        ("GET", "/api/webhooks/999"),
        ("PATCH", "/api/webhooks/999"),
        ("DELETE", "/api/webhooks/999"),
        ("POST", "/api/webhooks/test/999"),
        ("GET", "/api/webhooks/999/logs"),
        ("GET", "/api/webhooks/abc"),
        ("POST", "/api/webhooks/test/abc"),
    ],
)
async def test_an_unknown_webhook_is_not_found(client: Client, host: dict[str, str], method: str, path: str) -> None:
    assert await call(client, method, path, host, {"name": "x"}, status=404) == NOT_FOUND


async def test_deleting_a_webhook_removes_it(client: Client, host: dict[str, str], receiver_url: str) -> None:
    created = await create(client, host, receiver_url)
    path = f"/api/webhooks/{created['id']}"
    body = await call(client, "DELETE", path, host)
    assert body == {"message": "Webhook deleted successfully", "webhookId": created["id"]}
    assert await call(client, "GET", path, host, status=404) == NOT_FOUND
    assert await call(client, "GET", "/api/webhooks", host) == []


async def test_webhooks_belong_to_their_community(
    client: Client, services: Services, host: dict[str, str], receiver_url: str
) -> None:
    created = await create(client, host, receiver_url)
    other = await services.communities.ensure(Platform.TWITCH, "77", "Other channel")
    other_host = await host_headers(services, other)
    assert await call(client, "GET", f"/c/{other.slug}/api/webhooks", other_host) == []
    path = f"/c/{other.slug}/api/webhooks/{created['id']}"
    assert await call(client, "GET", path, other_host, status=404) == NOT_FOUND
    assert await call(client, "GET", "/api/webhooks", other_host, status=403) == {
        "error": "This needs a host token for this community"
    }


def attempt_without_dynamic_values(attempt: dict[str, Any]) -> dict[str, Any]:
    request, response = attempt["request"], attempt["response"]
    assert response["headers"].pop("Date")
    assert response["headers"].pop("Server").startswith("Python")
    return {
        **attempt,
        "duration_ms": "<ms>",
        "event_id": "<id>",
        "request": {
            **request,
            "headers": {**request["headers"], "X-Webhook-Event-Id": "<id>", "X-Webhook-Signature": "<sig>"},
            "body": json.loads(request["body"]) | {"id": "<id>"},
        },
    }


async def test_a_test_delivery_is_signed_sent_at_once_and_logged(
    client: Client, host: dict[str, str], receiver: Receiver, receiver_url: str, clock: FakeClock
) -> None:
    created = await create(client, host, receiver_url)
    body = await call(client, "POST", f"/api/webhooks/test/{created['id']}", host)
    [delivery] = receiver.received
    assert verify(delivery.headers, delivery.body)
    assert delivery.headers["X-Webhook-Event"] == "webhook.test"
    attempt = {
        "id": body["attempt"]["id"],
        "event_id": "<id>",
        "event_type": "webhook.test",
        "attempt": 1,
        "outcome": "ok",
        "status_code": 200,
        "duration_ms": "<ms>",
        "error": None,
        "sent_at": NOON,
        "request": {
            "url": receiver_url,
            "headers": {
                "Content-Type": "application/json",
                "User-Agent": "tallybot-webhooks/1",
                "X-Webhook-Timestamp": str(int(clock.now.timestamp())),
                "X-Webhook-Event-Id": "<id>",
                "X-Webhook-Event": "webhook.test",
                "X-Webhook-Signature": "<sig>",
            },
            "body": {
                "id": "<id>",
                "type": "webhook.test",
                "timestamp": NOON,
                "data": {"webhookId": created["id"], "message": "This is a test delivery from tallybot"},
            },
        },
        "response": {
            "status": 200,
            "reason": "OK",
            "headers": {"Content-Type": "text/plain; charset=utf-8", "Content-Length": "6"},
            "body": "thanks",
        },
    }
    assert body["message"] == "Test webhook sent"
    assert body["attempt"]["event_id"] == delivery.event_id
    assert attempt_without_dynamic_values(body["attempt"]) == attempt
    [logged] = await call(client, "GET", f"/api/webhooks/{created['id']}/logs", host)
    assert attempt_without_dynamic_values(logged) == attempt


async def test_a_failing_test_delivery_is_reported_and_logged_as_an_error(
    client: Client, host: dict[str, str], aiohttp_server: AiohttpServer
) -> None:
    receiver = Receiver(statuses=(500,))
    server = await aiohttp_server(receiver.app)
    created = await create(client, host, str(server.make_url("/hook")))
    body = await call(client, "POST", f"/api/webhooks/test/{created['id']}", host)
    assert (body["attempt"]["outcome"], body["attempt"]["status_code"]) == ("error", 500)
    assert body["attempt"]["response"]["body"] == "down for maintenance"


async def test_logs_are_newest_first_and_limited(client: Client, host: dict[str, str], receiver_url: str) -> None:
    created = await create(client, host, receiver_url)
    for _ in range(3):
        await call(client, "POST", f"/api/webhooks/test/{created['id']}", host)
    path = f"/api/webhooks/{created['id']}/logs"
    ids = [attempt["id"] for attempt in await call(client, "GET", path, host)]
    assert len(ids) == 3
    assert ids == sorted(ids, reverse=True)
    assert [attempt["id"] for attempt in await call(client, "GET", f"{path}?limit=1", host)] == ids[:1]
    for limit in ("0", "201", "x"):
        assert await call(client, "GET", f"{path}?limit={limit}", host, status=400) == {
            "error": "limit must be a whole number from 1 to 200"
        }


async def test_a_game_added_through_the_api_reaches_a_webhook_signed(
    client: Client, services: Services, host: dict[str, str], receiver: Receiver, receiver_url: str
) -> None:
    await create(client, host, receiver_url)
    games = await seed_games(services)
    async with running(services):
        session = await call(client, "POST", "/api/sessions", host, {"notes": "Friday"}, status=201)
        await call(client, "POST", f"/api/sessions/{session['id']}/games", host, {"game_id": games.quiplash}, 201)
        [delivery] = await receiver.wait_for(1)
    assert verify(delivery.headers, delivery.body)
    assert delivery.headers["X-Webhook-Event"] == "game.added"
    payload = delivery.json
    assert (payload["type"], payload["data"]["sessionId"]) == ("game.added", session["id"])
    assert payload["data"]["game"]["title"] == "Quiplash Test"
