"""The game-night votes API (spec: gamenight-votes-api.md), plus the paginated vote list.

``POST /api/votes/live`` counts a vote for the game the active session was playing at the
vote's timestamp. A username gets one vote per second, judged on vote timestamps (see
``core/vote_rules.py``); a repeat gets 409 with ``timeSinceLastVote``.

``GET /api/votes`` lists live votes, newest first, filtered by ``session_id``,
``game_id``, ``username`` and ``vote_type``, a page at a time (``page`` from 1, ``limit``
up to 100, default 50): ``{"votes": [...], "pagination": {page, limit, total, totalPages}}``.
"""

from typing import Any

from aiohttp import web

from tallybot.api.keys import SERVICES
from tallybot.api.middlewares import render_plain_error
from tallybot.api.params import Params, community, read_body, require_host
from tallybot.core.errors import Malformed

PREFIX = "/api"
routes = web.RouteTableDef()
render_error = render_plain_error


def _text_or_none(data: dict[str, Any], name: str) -> str | None:
    value = data.get(name)
    if value is not None and not isinstance(value, str):
        raise Malformed(f"{name} must be a string")
    return value


@routes.post("/votes/live")
async def live_vote(request: web.Request) -> web.Response:
    """Count one up or down vote from a bot or integration."""
    where, _ = await require_host(request)
    data, _ = await read_body(request)
    username = _text_or_none(data, "username")
    vote = _text_or_none(data, "vote")
    timestamp = _text_or_none(data, "timestamp")
    recorded = await request.config_dict[SERVICES].votes.cast(where, username, vote, timestamp)
    return web.json_response(
        {
            "success": True,
            "message": "Vote recorded successfully",
            "session": {"id": recorded.session_id, "games_played": recorded.games_played},
            "game": recorded.game.as_data(),
            "vote": {"username": recorded.username, "type": recorded.vote_type.value, "timestamp": recorded.timestamp},
        }
    )


@routes.get("/votes")
async def list_votes(request: web.Request) -> web.Response:
    """A page of live votes, with the total that match."""
    params = await Params.of(request)
    session_id = params.optional_integer("session_id", minimum=1)
    game_id = params.optional_integer("game_id", minimum=1)
    username = params.optional_string("username", max_length=200)
    vote_type = params.optional_string("vote_type", max_length=10)
    page = params.optional_integer("page", minimum=1)
    limit = params.optional_integer("limit", minimum=1)
    params.check()
    found = await request.config_dict[SERVICES].votes.page(
        await community(request),
        session_id=session_id,
        game_id=game_id,
        username=username,
        vote_type=vote_type,
        page=page or 1,
        limit=limit or 50,
    )
    pagination = {"page": found.page, "limit": found.limit, "total": found.total, "totalPages": found.total_pages}
    return web.json_response({"votes": [vote.as_data() for vote in found.votes], "pagination": pagination})
