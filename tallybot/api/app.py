"""The root aiohttp application: each spec's routes with that spec's error format, plus health.

Each spec's routes are mounted twice: at the spec's own paths, which serve the default
community, and under ``/c/{community}``, which serve any other community.
"""

import time
from dataclasses import dataclass
from types import ModuleType

from aiohttp import web
from aiohttp.typedefs import Handler

from tallybot.api import (
    accounts,
    admin_auth,
    coffee,
    events,
    gamenight_sessions,
    gamenight_votes,
    games,
    poker,
    room_monitor,
    webhooks,
)
from tallybot.api.keys import SERVICES
from tallybot.api.middlewares import ErrorRenderer, error_middleware, render_plain_error
from tallybot.core.services import Services

STARTED_AT = web.AppKey("started_at", float)


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

    async def handle(request: web.Request) -> web.StreamResponse:
        return await middleware(request, handler)

    return handle


def _method_not_allowed(allowed: set[str]) -> Handler:
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


async def healthz(request: web.Request) -> web.Response:
    """Liveness: the process is up and serving."""
    uptime = time.monotonic() - request.app[STARTED_AT]
    return web.json_response({"status": "ok", "uptime_seconds": round(uptime, 1)})


def create_app(services: Services, max_body_bytes: int) -> web.Application:
    """Build the whole HTTP API around the given services."""
    root = web.Application(client_max_size=max_body_bytes, middlewares=[error_middleware(render_plain_error)])
    root[SERVICES] = services
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
    )
    for module in modules:
        _mount(root, SpecRoutes.of(module))
    return root
