"""What browsers need from the app: CORS for the configured origins, hardened pages, merged slashes.

CORS is this module's own rather than aiohttp-cors's (0.8.1, the newest release, which
supports this aiohttp), because that library cannot serve this app: it refuses to add its
preflight route to a resource that has a ``"*"`` route (here every spec path has one for
its 405, and coffee's ``/1/{unknown}`` answers every method), it answers any ``OPTIONS``
itself, so a plain one would get its 403 rather than the spec's 405, it never sends
``Vary: Origin``, and it echoes the origin where ``"*"`` should allow any without
credentials. What CORS takes here is one middleware for preflights and one hook that puts
the origin headers on every answer, just before it goes out (so also on an event stream
that its handler starts itself, and on every error in its spec's format).
"""

import base64
import hashlib
import re
from collections.abc import Iterable, Mapping

from aiohttp import web
from aiohttp.typedefs import Handler
from yarl import URL

# A browser may send these with an API request: the bearer token, a JSON body, an event stream's resume point.
_ALLOW_HEADERS = "Authorization, Content-Type, Last-Event-ID"
_ALLOW_METHODS = "GET, HEAD, POST, PUT, PATCH, DELETE"
# What a page may read beyond the basic headers: when to retry, which methods a path takes, an export's file name.
_EXPOSE_HEADERS = "Retry-After, Allow, Content-Disposition"
# How long a browser may reuse a preflight's answer, in seconds.
_PREFLIGHT_MAX_AGE = "600"
_SLASHES = re.compile("//+")


class CorsPolicy:
    """Which other origins' pages may call the API: those listed get credentials too, ``"*"`` any other without."""

    def __init__(self, origins: Iterable[str]) -> None:
        listed = {origin.lower() for origin in origins}
        self._anyone = "*" in listed
        self._origins = frozenset(listed - {"*"})

    def _allowed(self, request: web.BaseRequest) -> dict[str, str]:
        """The headers that let the asking page read the answer; none for an origin that is not let in."""
        origin = request.headers.get("Origin")
        if origin is None:
            return {}
        if origin.lower() in self._origins:
            return {"Access-Control-Allow-Origin": origin, "Access-Control-Allow-Credentials": "true"}
        if self._anyone:
            return {"Access-Control-Allow-Origin": "*"}
        return {}

    @web.middleware
    async def preflight(self, request: web.Request, handler: Handler) -> web.StreamResponse:
        """Answer a preflight from an origin that is let in; anything else goes on to the routes as before."""
        is_preflight = request.method == "OPTIONS" and "Access-Control-Request-Method" in request.headers
        if not is_preflight or not self._allowed(request):
            return await handler(request)
        return web.Response(
            status=204,
            headers={
                "Access-Control-Allow-Methods": _ALLOW_METHODS,
                "Access-Control-Allow-Headers": _ALLOW_HEADERS,
                "Access-Control-Max-Age": _PREFLIGHT_MAX_AGE,
            },
        )

    async def add_headers(self, request: web.BaseRequest, response: web.StreamResponse) -> None:
        """On every answer while any origin is let in: the origin headers, and ``Vary: Origin`` for caches."""
        if not self._origins and not self._anyone:
            return
        vary = response.headers.get("Vary")
        if vary is None:
            response.headers["Vary"] = "Origin"
        elif "origin" not in vary.lower():
            response.headers["Vary"] = f"{vary}, Origin"
        allowed = self._allowed(request)
        if allowed:
            response.headers.update(allowed)
            response.headers["Access-Control-Expose-Headers"] = _EXPOSE_HEADERS


def page_policy(more: Mapping[str, str] | None = None) -> str:
    """A page's Content-Security-Policy: everything from the page's own origin only, plus what ``more`` adds.

    ``'self'`` also covers the pages' WebSocket and event stream back to the same host.
    """
    directives = {"default-src": "'self'", "object-src": "'none'", "base-uri": "'self'", "form-action": "'self'"}
    directives.update(more or {})
    return "; ".join(f"{name} {sources}" for name, sources in directives.items())


def inline_styles(page: str) -> str:
    """The sources that let exactly the page's inline ``<style>`` blocks apply: their SHA-256 digests."""
    blocks = re.findall(r"<style>(.*?)</style>", page, flags=re.DOTALL)
    digests = (base64.b64encode(hashlib.sha256(css.encode()).digest()).decode() for css in blocks)
    return " ".join(f"'sha256-{digest}'" for digest in digests)


_PAGE_POLICY = page_policy()


async def harden(request: web.BaseRequest, response: web.StreamResponse) -> None:
    """No answer is sniffed into another type; an HTML page loads only its own origin's files and leaks no URL.

    A page that needs more (the docs' data: icons, an error page's own style) sets its own
    policy first. No referrer goes out because overlay URLs carry viewer tokens.
    """
    response.headers.setdefault("X-Content-Type-Options", "nosniff")
    if response.content_type == "text/html":
        response.headers.setdefault("Content-Security-Policy", _PAGE_POLICY)
        response.headers.setdefault("Referrer-Policy", "no-referrer")


@web.middleware
async def merge_slashes(request: web.Request, handler: Handler) -> web.StreamResponse:
    """Serve ``/1//team/list`` as ``/1/team/list``, with the same method and body.

    aiohttp's ``normalize_path_middleware`` cannot: it answers with a redirect (which some
    clients do not follow for a POST, where the original server answered at once), and only
    when the path resolves nowhere, while coffee's ``/1/{unknown}`` catches every path under
    ``/1/``. Routing is done before any middleware runs, so the request with the merged path
    goes through the app's own entry point (``Application._handle``, which aiohttp's server
    calls) again, middlewares and all, as if it had come in so.
    """
    url = request.rel_url
    if "//" not in url.raw_path:
        return await handler(request)
    merged = URL.build(path=_SLASHES.sub("/", url.raw_path), query_string=url.raw_query_string, encoded=True)
    # The first pass has already answered an "Expect: 100-continue"; the client gets one such answer.
    headers = request.headers.copy()
    headers.popall("Expect", None)
    return await request.app._handle(request.clone(rel_url=merged, headers=headers))
