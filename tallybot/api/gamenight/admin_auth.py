"""Game-night admin auth: ``POST /api/auth/login`` and ``POST /api/auth/verify``.

Login trades an admin key for a host bearer token that expires after 24 hours; verify
checks a bearer token. Errors are the game-night ``{"error": message}`` format.
"""

from aiohttp import web

from tallybot.api.gamenight.shapes import AdminLogin, LoggedIn, Verified
from tallybot.api.keys import SERVICES
from tallybot.api.middlewares import PlainError, render_plain_error
from tallybot.api.openapi.operations import HOST, SpecDoc
from tallybot.api.params import Params, asker_in, client_address, community
from tallybot.core.errors import Malformed

PREFIX = "/api"
routes = web.RouteTableDef()
render_error = render_plain_error
API = SpecDoc("Game night: admin auth", PlainError, ids="admin_auth")


@routes.post("/auth/login")
@API({200: LoggedIn}, errors=(401, 429), request=AdminLogin)
async def login(request: web.Request) -> web.Response:
    """A new 24-hour host token for an admin key."""
    params = await Params.of(request)
    key = params.optional_string("key", max_length=1000)
    params.check()
    if not key:
        raise Malformed("Admin key is required")
    where = await community(request)
    issued = await request.config_dict[SERVICES].admin_auth.login(where, key, client_address(request))
    body: LoggedIn = {"token": issued.secret, "message": "Authentication successful", "expiresIn": "24h"}
    return web.json_response(body)


@routes.post("/auth/verify")
@API({200: Verified}, security=HOST)
async def verify(request: web.Request) -> web.Response:
    """Whether the bearer token is a live host token for this community."""
    where, asker = await asker_in(request)
    request.config_dict[SERVICES].admin_auth.verify(asker, where)
    body: Verified = {"valid": True, "role": "host", "community": where.slug}
    return web.json_response(body)
