"""The root aiohttp application: one sub-app per spec, plus health.

Each spec's routes are mounted twice: at the spec's own paths, which serve the default
community, and under ``/c/{community}``, which serve any other community.
"""

import time
from dataclasses import dataclass
from types import ModuleType

from aiohttp import web

from tallybot.api import accounts
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


def _spec_app(spec: SpecRoutes, base: str) -> web.Application:
    app = web.Application(middlewares=[error_middleware(spec.render_error)])
    for route in spec.routes:
        assert isinstance(route, web.RouteDef)
        app.router.add_route(route.method, base + route.path, route.handler)
    return app


def _mount(root: web.Application, spec: SpecRoutes) -> None:
    root.add_subapp(spec.prefix, _spec_app(spec, ""))
    root.add_subapp("/c", _spec_app(spec, "/{community}" + spec.prefix))


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
    for module in (accounts,):
        _mount(root, SpecRoutes.of(module))
    return root
