"""The game-night webhooks API: manage a community's webhooks, test them, read their logs.

Every route needs a host token, which the webhook service checks; a route that reads a
body or query asks it first, so that a non-host is refused before their input is read.
The secret goes in and never comes out. Errors use the game-night format,
``{"error": message}`` with real status codes.
"""

import re
from typing import Any

from aiohttp import web

from tallybot.api.events.shapes import (
    AttemptJson,
    LogQuery,
    NewWebhook,
    TestSent,
    WebhookDeleted,
    WebhookJson,
    WebhookPath,
    WebhookUpdate,
    attempt_data,
    webhook_data,
)
from tallybot.api.keys import SERVICES
from tallybot.api.middlewares import PlainError, render_plain_error
from tallybot.api.openapi.operations import HOST, SpecDoc
from tallybot.api.params import asker_in, optional_field, optional_text, path_id, read_body
from tallybot.core.errors import Malformed
from tallybot.core.events import WebhookChanges

PREFIX = "/api"
routes = web.RouteTableDef()
render_error = render_plain_error
API = SpecDoc("Webhooks", PlainError, ids="webhooks")


_ID = re.compile(r"[0-9]{1,18}")
_REQUIRED = ("name", "url", "secret", "events")


def _webhook_id(request: web.Request) -> int:
    return path_id(request, "id", "Webhook not found")


def _filter(data: dict[str, Any]) -> dict[str, Any] | None:
    return optional_field(data, "filter", dict, "must be an object")


def _enabled(data: dict[str, Any]) -> bool | None:
    return optional_field(data, "enabled", bool, "must be true or false")


def _events(data: dict[str, Any]) -> tuple[str, ...] | None:
    wording = "must be an array of event types"
    value = optional_field(data, "events", list, wording)
    if value is not None and not all(isinstance(item, str) for item in value):
        raise Malformed(f"events {wording}")
    return None if value is None else tuple(value)


@routes.get("/webhooks")
@API({200: list[WebhookJson]}, security=HOST)
async def list_webhooks(request: web.Request) -> web.Response:
    """Every webhook of the community, oldest first."""
    where, asker = await asker_in(request)
    webhooks = await request.config_dict[SERVICES].webhooks.list_all(asker, where)
    body: list[WebhookJson] = [webhook_data(webhook) for webhook in webhooks]
    return web.json_response(body)


@routes.post("/webhooks")
@API({201: WebhookJson}, request=NewWebhook, security=HOST)
async def create_webhook(request: web.Request) -> web.Response:
    """Subscribe a URL to event types: ``{name, url, secret, events, filter?, enabled?}``."""
    where, asker = await asker_in(request)
    asker.check_host_of(where.id)
    data, _ = await read_body(request)
    missing = [name for name in _REQUIRED if data.get(name) in (None, "", [])]
    if missing:
        raise Malformed(f"Missing required fields: {', '.join(missing)}")
    name, url, secret = optional_text(data, "name"), optional_text(data, "url"), optional_text(data, "secret")
    events, wanted, enabled = _events(data), _filter(data), _enabled(data)
    assert name is not None
    assert url is not None
    assert secret is not None
    assert events is not None
    webhooks = request.config_dict[SERVICES].webhooks
    created = await webhooks.create(
        asker, where, name, url, secret, events, wanted, True if enabled is None else enabled
    )
    return web.json_response(webhook_data(created), status=201)


@routes.get("/webhooks/{id}")
@API({200: WebhookJson}, errors=(404,), path=WebhookPath, security=HOST)
async def get_webhook(request: web.Request) -> web.Response:
    """One webhook."""
    where, asker = await asker_in(request)
    webhook = await request.config_dict[SERVICES].webhooks.get(asker, where, _webhook_id(request))
    return web.json_response(webhook_data(webhook))


@routes.patch("/webhooks/{id}")
@API({200: WebhookJson}, errors=(404,), request=WebhookUpdate, path=WebhookPath, security=HOST)
async def update_webhook(request: web.Request) -> web.Response:
    """Change any of name, url, secret, events, filter and enabled."""
    where, asker = await asker_in(request)
    asker.check_host_of(where.id)
    webhook_id = _webhook_id(request)
    data, _ = await read_body(request)
    changes = WebhookChanges(
        name=optional_text(data, "name"),
        url=optional_text(data, "url"),
        secret=optional_text(data, "secret"),
        events=_events(data),
        data_filter=_filter(data),
        enabled=_enabled(data),
    )
    webhook = await request.config_dict[SERVICES].webhooks.update(asker, where, webhook_id, changes)
    return web.json_response(webhook_data(webhook))


@routes.delete("/webhooks/{id}")
@API({200: WebhookDeleted}, errors=(404,), path=WebhookPath, security=HOST)
async def delete_webhook(request: web.Request) -> web.Response:
    """Remove a webhook with its pending deliveries and its log."""
    where, asker = await asker_in(request)
    webhook_id = _webhook_id(request)
    await request.config_dict[SERVICES].webhooks.delete(asker, where, webhook_id)
    body: WebhookDeleted = {"message": "Webhook deleted successfully", "webhookId": webhook_id}
    return web.json_response(body)


@routes.post("/webhooks/test/{id}")
@API({200: TestSent}, errors=(404,), path=WebhookPath, security=HOST)
async def test_webhook(request: web.Request) -> web.Response:
    """Send a ``webhook.test`` event now and report how it went."""
    where, asker = await asker_in(request)
    attempt = await request.config_dict[SERVICES].webhooks.test(asker, where, _webhook_id(request))
    body: TestSent = {"message": "Test webhook sent", "attempt": attempt_data(attempt)}
    return web.json_response(body)


@routes.get("/webhooks/{id}/logs")
@API({200: list[AttemptJson]}, errors=(400, 404), query=LogQuery, path=WebhookPath, security=HOST)
async def webhook_logs(request: web.Request) -> web.Response:
    """The newest delivery attempts, newest first (``limit``: 1 to 200, default 50)."""
    where, asker = await asker_in(request)
    asker.check_host_of(where.id)
    webhook_id = _webhook_id(request)
    limit_text = request.query.get("limit", "50")
    if not _ID.fullmatch(limit_text) or not 1 <= int(limit_text) <= 200:
        raise Malformed("limit must be a whole number from 1 to 200")
    attempts = await request.config_dict[SERVICES].webhooks.logs(asker, where, webhook_id, int(limit_text))
    body: list[AttemptJson] = [attempt_data(attempt) for attempt in attempts]
    return web.json_response(body)
