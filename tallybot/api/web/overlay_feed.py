"""What overlays read over HTTP: the current state of a game night, a poker session or a coffee group.

An overlay fetches its state here when it opens and after each reconnect, then follows
``/api/events`` for changes (see docs/overlays.md). Every route needs overlay read
access: the community is public, or the URL carries a viewer token (``?token=...``); a
token that can write is refused in a URL. Errors are ``{"error": message}``.
"""

from aiohttp import web

from tallybot.api.keys import SERVICES
from tallybot.api.middlewares import PlainError, render_plain_error
from tallybot.api.openapi.operations import HOST, VIEWER, SpecDoc
from tallybot.api.params import bearer_token, community, path_id
from tallybot.api.web.shapes import (
    CoffeeOverlayJson,
    CoffeePath,
    GameNightOverlayJson,
    OverlayQuery,
    PokerOverlayJson,
    PokerPath,
    coffee_json,
    poker_json,
)
from tallybot.core.models import Community

PREFIX = "/api"
routes = web.RouteTableDef()
render_error = render_plain_error

API = SpecDoc("Overlays", PlainError, ids="overlay_feed")
# Overlays read with a viewer token in the URL, or a token of the community in a header,
# or nothing at all when the community is public.
READERS = (*VIEWER, *HOST)


async def readable_community(request: web.Request) -> Community:
    """The request's community, once the asker may read its overlays (else Unauthorized or Forbidden)."""
    where = await community(request)
    overlays = request.config_dict[SERVICES].overlays
    await overlays.authorize(where, request.query.get("token"), bearer_token(request))
    return where


@routes.get("/overlay/gamenight")
@API({200: GameNightOverlayJson}, query=OverlayQuery, security=READERS, optional_auth=True, errors=(401, 403))
async def game_night(request: web.Request) -> web.Response:
    """The game night on screen: the active session and its current game, with its votes."""
    board = await request.config_dict[SERVICES].overlays.game_night(await readable_community(request))
    body: GameNightOverlayJson = {
        "session": None if board.session is None else board.session.as_data(),
        "game": None if board.game is None else board.game.as_data(),
    }
    return web.json_response(body)


@routes.get("/overlay/poker/{session_id}")
@API(
    {200: PokerOverlayJson},
    query=OverlayQuery,
    path=PokerPath,
    security=READERS,
    optional_auth=True,
    errors=(401, 403, 404),
)
async def poker(request: web.Request) -> web.Response:
    """A poker session's newest prompt: who has voted until the reveal, then the cards and the result."""
    where = await readable_community(request)
    board = await request.config_dict[SERVICES].overlays.poker(where, request.match_info["session_id"])
    return web.json_response(poker_json(board))


@routes.get("/overlay/coffee/{group_id}")
@API(
    {200: CoffeeOverlayJson},
    query=OverlayQuery,
    path=CoffeePath,
    security=READERS,
    optional_auth=True,
    errors=(401, 403, 404),
)
async def coffee(request: web.Request) -> web.Response:
    """A coffee group's leaderboard."""
    where = await readable_community(request)
    group_id = path_id(request, "group_id", "No coffee group with that id in this community")
    board = await request.config_dict[SERVICES].overlays.coffee(where, group_id)
    return web.json_response(coffee_json(board))
