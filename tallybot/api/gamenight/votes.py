"""The game-night votes API (spec: gamenight-votes-api.md), plus the paginated vote list.

``POST /api/votes/live`` counts a vote for the game the active session was playing at the
vote's timestamp. A username gets one vote per second, judged on vote timestamps (see
``core/gamenight/vote_rules.py``); a repeat gets 409 with ``timeSinceLastVote``. It needs a host
token for the community, which the vote service checks; the route asks it before reading
the body, so that a non-host is refused first.

``GET /api/votes`` lists live votes, newest first, filtered by ``session_id``,
``game_id``, ``username`` and ``vote_type``, a page at a time (``page`` from 1, ``limit``
up to 100, default 50): ``{"votes": [...], "pagination": {page, limit, total, totalPages}}``.
"""

from typing import Annotated, TypedDict

from aiohttp import web

from tallybot.api.gamenight.shapes import LiveVote, Pagination, VotePageJson, VoteRecorded
from tallybot.api.keys import SERVICES
from tallybot.api.middlewares import PlainError, render_plain_error
from tallybot.api.openapi.operations import HOST, SpecDoc
from tallybot.api.params import Params, asker_in, community, optional_text, read_body
from tallybot.core.gamenight import VoteTypeText
from tallybot.core.wire import Meta

PREFIX = "/api"
routes = web.RouteTableDef()
render_error = render_plain_error
API = SpecDoc("Game night: votes", PlainError, ids="gamenight_votes")


class VoteQuery(TypedDict, total=False):
    """Filters and paging of the vote list."""

    session_id: Annotated[int, Meta(minimum=1)]
    game_id: Annotated[int, Meta(minimum=1)]
    username: str
    vote_type: VoteTypeText
    page: Annotated[int, Meta(minimum=1)]
    limit: Annotated[int, Meta(minimum=1, maximum=100)]


@routes.post("/votes/live")
@API({200: VoteRecorded}, errors=(404, 409), request=LiveVote, security=HOST)
async def live_vote(request: web.Request) -> web.Response:
    """Count one up or down vote from a bot or integration."""
    where, asker = await asker_in(request)
    asker.check_host_of(where.id)
    data, _ = await read_body(request)
    username = optional_text(data, "username")
    vote = optional_text(data, "vote")
    timestamp = optional_text(data, "timestamp")
    recorded = await request.config_dict[SERVICES].votes.cast(asker, where, username, vote, timestamp)
    body: VoteRecorded = {
        "success": True,
        "message": "Vote recorded successfully",
        "session": {"id": recorded.session_id, "games_played": recorded.games_played},
        "game": recorded.game.as_data(),
        "vote": {"username": recorded.username, "type": recorded.vote_type.value, "timestamp": recorded.timestamp},
    }
    return web.json_response(body)


@routes.get("/votes")
@API({200: VotePageJson}, errors=(400,), query=VoteQuery)
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
    pagination: Pagination = {
        "page": found.page,
        "limit": found.limit,
        "total": found.total,
        "totalPages": found.total_pages,
    }
    body: VotePageJson = {"votes": [vote.as_data() for vote in found.votes], "pagination": pagination}
    return web.json_response(body)
