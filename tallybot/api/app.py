"""The root aiohttp application: each spec's routes with that spec's error format, plus health.

Each spec's routes are mounted twice: at the spec's own paths, which serve the default
community, and under ``/c/{community}``, which serve any other community.
"""

import functools
import time
from collections.abc import Sequence
from dataclasses import dataclass
from types import ModuleType
from typing import Any, Literal, TypedDict

from aiohttp import web
from aiohttp.typedefs import Handler

from tallybot.api import browser
from tallybot.api.accounts import routes as accounts
from tallybot.api.coffee import routes as coffee
from tallybot.api.events import routes as events
from tallybot.api.events import webhooks
from tallybot.api.gamenight import admin_auth, games, room_monitor
from tallybot.api.gamenight import sessions as gamenight_sessions
from tallybot.api.gamenight import votes as gamenight_votes
from tallybot.api.keys import READ_TIMEOUT, SERVICES
from tallybot.api.middlewares import ErrorRenderer, PlainError, error_middleware, render_plain_error, server_logger
from tallybot.api.openapi.operations import SpecDoc, fallback
from tallybot.api.params import check_url, receive_body
from tallybot.api.poker import routes as poker
from tallybot.api.web import dashboard, docs, overlay_feed, overlays
from tallybot.core.services import Services

STARTED_AT = web.AppKey("started_at", float)
HEALTH = SpecDoc("Health", PlainError, ids="app")


@dataclass(frozen=True)
class SpecRoutes:
    """What a spec module contributes: its path prefix, its routes and its error format."""

    prefix: str
    routes: web.RouteTableDef
    render_error: ErrorRenderer

    @classmethod
    def of(cls, module: ModuleType) -> "SpecRoutes":
        """Read ``PREFIX``, ``routes`` and ``render_error`` from a spec module."""
        return cls(module.PREFIX, module.routes, module.render_error)


def _with_errors(handler: Handler, render: ErrorRenderer) -> Handler:
    middleware = error_middleware(render)

    async def receive_then_handle(request: web.Request) -> web.StreamResponse:
        # Inside the spec's error rendering, so that a slow, large or broken request fails in its format.
        check_url(request)
        await receive_body(request)
        return await handler(request)

    # wraps() carries the handler's OpenAPI operation over to the route.
    @functools.wraps(handler)
    async def handle(request: web.Request) -> web.StreamResponse:
        return await middleware(request, receive_then_handle)

    return handle


def _method_not_allowed(allowed: set[str]) -> Handler:
    @fallback("405 in the spec's error format, for a method the path does not serve")
    async def handle(request: web.Request) -> web.StreamResponse:
        raise web.HTTPMethodNotAllowed(request.method, sorted(allowed))

    return handle


def _mount(root: web.Application, spec: SpecRoutes) -> None:
    """Add a spec's routes at its prefix and under ``/c/{community}``, rendering errors in its format.

    Several specs share the ``/api`` prefix, and a sub-app claims every path under its
    prefix, so the routes go on the root router, each handler wrapped with its spec's
    error rendering.
    """
    methods: dict[str, set[str]] = {}
    for route in spec.routes:
        assert isinstance(route, web.RouteDef)
        methods.setdefault(route.path, set()).add(route.method)
    for base in (spec.prefix, "/c/{community}" + spec.prefix):
        for route in spec.routes:
            assert isinstance(route, web.RouteDef)
            root.router.add_route(route.method, base + route.path, _with_errors(route.handler, spec.render_error))
        # A known path asked with another method gets the spec's 405, not the root's.
        for path, allowed in methods.items():
            root.router.add_route("*", base + path, _with_errors(_method_not_allowed(allowed), spec.render_error))


class Health(TypedDict):
    """The process is up."""

    status: Literal["ok"]
    uptime_seconds: float


@HEALTH({200: Health})
async def healthz(request: web.Request) -> web.Response:
    """Liveness: the process is up and serving."""
    uptime = time.monotonic() - request.app[STARTED_AT]
    body: Health = {"status": "ok", "uptime_seconds": round(uptime, 1)}
    return web.json_response(body)


def runner_options(read_timeout_seconds: float) -> dict[str, Any]:
    """How the server treats slow and vanished clients: options for ``web.AppRunner`` or a test server.

    aiohttp arms its keep-alive timer when a connection opens and after every answer, and
    then closes the connection unless a whole request head has arrived: so request headers
    get ``read_timeout_seconds``, and ``receive_body`` gives bodies as long again. After
    refusing a body (408, 413), aiohttp reads on for the "lingering time" so that the
    client sees the answer before the connection closes; that is bounded the same way. A
    handler whose client has gone is cancelled instead of working on for nobody. A request
    aiohttp cannot parse is logged in one line, without a traceback (``ClientMistakes``).
    """
    return {
        "keepalive_timeout": read_timeout_seconds,
        "lingering_time": read_timeout_seconds,
        "handler_cancellation": True,
        "logger": server_logger(),
    }


def create_app(
    services: Services, max_body_bytes: int, read_timeout_seconds: float = 30.0, cors_origins: Sequence[str] = ()
) -> web.Application:
    """Build the whole HTTP API around the given services.

    Bodies over ``max_body_bytes`` are refused with 413, and bodies that take longer than
    ``read_timeout_seconds`` to arrive with 408 (the default is bot.toml's). Pages on the
    ``cors_origins`` may call the API from a browser (``"*"``: pages on any origin).
    """
    cors = browser.CorsPolicy(cors_origins)
    root = web.Application(
        client_max_size=max_body_bytes,
        middlewares=[browser.merge_slashes, cors.preflight, error_middleware(render_plain_error)],
    )
    root.on_response_prepare.append(cors.add_headers)
    root.on_response_prepare.append(browser.harden)
    root[SERVICES] = services
    root[READ_TIMEOUT] = read_timeout_seconds
    root[STARTED_AT] = time.monotonic()
    root.router.add_get("/healthz", healthz)
    root.router.add_get("/health", healthz)
    modules = (
        accounts,
        admin_auth,
        games,
        events,
        gamenight_sessions,
        gamenight_votes,
        room_monitor,
        poker,
        coffee,
        webhooks,
        overlay_feed,
        overlays,
        dashboard,
    )
    for module in modules:
        _mount(root, SpecRoutes.of(module))
    docs.add_routes(root)
    return root
