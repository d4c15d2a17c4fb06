"""What overlays read over HTTP: the current state of a game night, a poker session or a coffee group.

An overlay fetches its state here when it opens and after each reconnect, then follows
``/api/events`` for changes (see docs/overlays.md). Every route needs overlay read
access: the community is public, or the URL carries a viewer token (``?token=...``); a
token that can write is refused in a URL. Errors are ``{"error": message}``.
"""

from typing import Annotated, NotRequired, TypedDict

from aiohttp import web

from tallybot.api.keys import SERVICES
from tallybot.api.middlewares import render_plain_error
from tallybot.api.openapi.operations import HOST, VIEWER, SpecDoc
from tallybot.api.openapi.schema import Meta
from tallybot.api.params import bearer_token, community, path_id
from tallybot.api.shapes import PlainError
from tallybot.core.gamenight import SessionGameJson, SessionJson
from tallybot.core.models import Community
from tallybot.core.overlays import CoffeeBoard, PokerBoard
from tallybot.core.poker import RoundResultJson, Voter, result_data

PREFIX = "/api"
routes = web.RouteTableDef()
render_error = render_plain_error

API = SpecDoc("Overlays", PlainError, ids="overlay_feed")
# Overlays read with a viewer token in the URL, or a token of the community in a header,
# or nothing at all when the community is public.
READERS = (*VIEWER, *HOST)


class OverlayQuery(TypedDict):
    """How an overlay proves it may read."""

    token: NotRequired[Annotated[str, Meta(description="A viewer token of the community (never one that can write)")]]


class PokerPath(TypedDict):
    """Which poker session."""

    session_id: Annotated[str, Meta(description="The session's friendly id", examples=["brave-otter-417"])]


class CoffeePath(TypedDict):
    """Which coffee group."""

    group_id: int


class GameNightOverlayJson(TypedDict):
    """The active game night and its game on screen (the one playing, else the one added last); null when none."""

    session: SessionJson | None
    game: SessionGameJson | None


class VoterJson(TypedDict):
    """A participant in the newest prompt's round: whether they voted, and their card once it is revealed."""

    participant_id: str
    voted: bool
    vote: NotRequired[str | None]


class PokerPromptJson(TypedDict):
    """A poker session's newest prompt, as its audience sees it."""

    prompt_id: str
    prompt: str
    round: int
    revealed: bool
    voters: list[VoterJson]
    result: RoundResultJson | None


class PokerOverlayJson(TypedDict):
    """A poker session: who is in it and its newest prompt. Cards appear only once a round is revealed."""

    session_id: str
    closed: bool
    participants: list[str]
    prompt: PokerPromptJson | None


class StandingJson(TypedDict):
    """A place on the leaderboard; a balance is coffees bought for others minus coffees received."""

    rank: int
    user_id: int
    username: str
    display_name: str
    balance: int


class CoffeeOverlayJson(TypedDict):
    """A coffee group's leaderboard: its active members, the most generous first."""

    group_id: int
    group_name: str
    leaderboard: list[StandingJson]


async def readable_community(request: web.Request) -> Community:
    """The request's community, once the asker may read its overlays (else Unauthorized or Forbidden)."""
    where = await community(request)
    overlays = request.config_dict[SERVICES].overlays
    await overlays.authorize(where, request.query.get("token"), bearer_token(request))
    return where


def _voter(voter: Voter, revealed: bool) -> VoterJson:
    shown: VoterJson = {"participant_id": voter.name, "voted": voter.voted}
    if revealed:
        shown["vote"] = voter.card
    return shown


def poker_json(board: PokerBoard) -> PokerOverlayJson:
    """A poker board as overlays read it."""
    view = board.view
    prompt: PokerPromptJson | None = None
    if view is not None:
        prompt = {
            "prompt_id": view.prompt.public_id,
            "prompt": view.prompt.text,
            "round": view.round,
            "revealed": view.revealed,
            "voters": [_voter(voter, view.revealed) for voter in view.voters],
            "result": None if view.result is None else result_data(view.result),
        }
    return {
        "session_id": board.session.public_id,
        "closed": not board.session.is_open,
        "participants": list(board.participants),
        "prompt": prompt,
    }


def coffee_json(board: CoffeeBoard) -> CoffeeOverlayJson:
    """A coffee leaderboard as overlays read it."""
    return {
        "group_id": board.group.id,
        "group_name": board.group.name,
        "leaderboard": [
            {
                "rank": standing.rank,
                "user_id": standing.member.profile.person_id,
                "username": standing.member.profile.username,
                "display_name": standing.member.profile.display_name,
                "balance": standing.member.balance,
            }
            for standing in board.standings
        ],
    }


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
