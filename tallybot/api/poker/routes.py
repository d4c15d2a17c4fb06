"""The planning-poker API (spec: poker-api.md): sessions, prompts, hidden votes and long polls.

The spec defines no error body, so errors are ``{"error": message}`` (plus details such as
``valid_cards``) with real status codes: 400 for a request that cannot be read or breaks a
rule, 401 for a missing or foreign token or a non-owner, 404 for no open session or no
such prompt, 409 for a clash with the state. The participant token from ``create`` or
``join`` comes as ``Authorization: Bearer <token>``, as the spec's headers show.

The reference server's clients are served too: ``watch`` answers with a top-level
``votes`` list, a prompt may come as ``text``, and a vote at ``.../vote/submit``. Its web
client's owner opens the session and puts stories up but never votes, so an owner who does
not vote is not waited for once at least two others have all voted (``core/poker/rules.py``,
``awaited``).
"""

import functools
from collections.abc import Awaitable, Callable
from typing import Any

from aiohttp import web

from tallybot.api.keys import SERVICES
from tallybot.api.middlewares import PlainError, render_plain_error
from tallybot.api.openapi.operations import POKER, Content, SpecDoc
from tallybot.api.params import Params, bearer_token, client_address, community, read_body
from tallybot.api.poker.shapes import (
    Card,
    HistoryQuery,
    Joined,
    NewPrompt,
    NewPromptText,
    NewSession,
    Participant,
    PokerHistoryJson,
    PromptCreated,
    PromptJson,
    PromptPath,
    PromptViewJson,
    Seat,
    SessionPath,
    VoteJson,
    WaitQuery,
    WatchQuery,
    history_csv,
    history_json,
    view_json,
)
from tallybot.core.errors import DomainError, Malformed
from tallybot.core.poker import PokerService

PREFIX = "/session"
routes = web.RouteTableDef()
API = SpecDoc("Planning poker", PlainError, ids="poker")
# Every route with a session id counts unknown ids per address, and turns a guesser away.
_GUESSES = (404, 429)


def render_error(status: int, message: str, error: DomainError | None) -> web.Response:
    """``{"error": message, **details}`` with the status that matches the error."""
    return render_plain_error(status, message, error)


def _poker(request: web.Request) -> PokerService:
    return request.config_dict[SERVICES].poker


def _counting_guesses(
    handler: Callable[[web.Request], Awaitable[web.Response]],
) -> Callable[[web.Request], Awaitable[web.Response]]:
    """A handler for a route with a session id, where asking about unknown ids is rate limited per address."""

    @functools.wraps(handler)
    async def handle(request: web.Request) -> web.Response:
        with _poker(request).counting_guesses(client_address(request)):
            return await handler(request)

    return handle


async def _poll_params(request: web.Request) -> tuple[Params, dict[str, Any]]:
    """Long polls take their parameters from the query string, or from a JSON body when POSTed."""
    body, _ = await read_body(request)
    data = {**request.query, **body}
    return Params(data, True), data


def _id(params: Params, data: dict[str, Any], name: str) -> str | None:
    """An optional prompt id; clients that parsed ``"1"`` into a number may send it back as one."""
    value = data.get(name)
    if isinstance(value, int) and not isinstance(value, bool):
        return str(value)
    return params.optional_string(name, max_length=100)


def _card(params: Params, value: Any) -> str:
    if isinstance(value, int | float) and not isinstance(value, bool):
        return str(int(value)) if float(value).is_integer() else str(value)
    if value is not None and not isinstance(value, str):
        params.problems.setdefault("vote", []).append('must be a card such as "5"')
        return ""
    return params.string("vote", max_length=100)


def _deck(params: Params, value: Any) -> str | list[str] | None:
    if value is None or isinstance(value, str):
        return value
    if isinstance(value, list) and all(isinstance(card, str) for card in value):
        return value
    params.problems.setdefault("deck", []).append("must be fibonacci, tshirt or a list of cards")
    return None


@routes.post("/create")
@API({201: Seat}, errors=(429, 503), request=NewSession)
async def create_session(request: web.Request) -> web.Response:
    """Open a session; the creator owns it. Each address may open ``[api] poker_sessions_per_hour``."""
    data, from_text = await read_body(request)
    params = Params(data, from_text)
    name = params.string("participant_id", max_length=1000)
    deck = _deck(params, data.get("deck"))
    params.check()
    where, poker = await community(request), _poker(request)
    poker.count_opening(client_address(request))
    seat = await poker.create_session(where, name, deck)
    # Only chat seats come without a token; one asked for over HTTP always has one.
    assert seat.token is not None
    body: Seat = {"session_id": seat.session_id, "token": seat.token}
    return web.json_response(body, status=201)


@routes.post("/{session_id}/join")
@API({200: Joined}, errors=(*_GUESSES, 409), request=Participant, path=SessionPath)
@_counting_guesses
async def join(request: web.Request) -> web.Response:
    """Join an open session."""
    params = await Params.of(request)
    name = params.string("participant_id", max_length=1000)
    params.check()
    seat = await _poker(request).join(await community(request), request.match_info["session_id"], name)
    # Only chat seats come without a token; one asked for over HTTP always has one.
    assert seat.token is not None
    body: Joined = {"token": seat.token}
    return web.json_response(body)


@routes.get("/{session_id}/prompt/wait")
@routes.post("/{session_id}/prompt/wait")
@API({200: PromptJson, 204: None}, errors=(400, *_GUESSES), request=WaitQuery, query=WaitQuery, path=SessionPath)
@_counting_guesses
async def wait_for_prompt(request: web.Request) -> web.Response:
    """Long poll for a prompt newer than ``last_prompt_id``; 204 when the timeout passes."""
    params, data = await _poll_params(request)
    last = _id(params, data, "last_prompt_id")
    timeout = params.optional_number("timeout")
    params.check()
    where = await community(request)
    prompt = await _poker(request).wait_for_prompt(where, request.match_info["session_id"], last, timeout)
    if prompt is None:
        return web.Response(status=204)
    body: PromptJson = {"prompt_id": prompt.public_id, "prompt": prompt.text}
    return web.json_response(body)


@routes.post("/{session_id}/prompt/create")
@API({201: PromptCreated}, errors=_GUESSES, request=(NewPrompt, NewPromptText), path=SessionPath, security=POKER)
@_counting_guesses
async def create_prompt(request: web.Request) -> web.Response:
    """Put a new story to the session (owner only).

    The story comes as ``prompt`` (the spec) or as ``text`` (the reference server); a body
    with both is refused with 400. The owner need not vote on it (see `vote`).
    """
    data, from_text = await read_body(request)
    if data.get("prompt") is not None and data.get("text") is not None:
        raise Malformed("Send the story as prompt or as text, not both", {"text": ["prompt or text, not both"]})
    params = Params(data, from_text)
    # The spec names the story prompt; the reference server names it text.
    text = params.string("text" if data.get("text") is not None else "prompt", max_length=10_000)
    params.check()
    where = await community(request)
    view = await _poker(request).create_prompt(where, request.match_info["session_id"], bearer_token(request), text)
    body: PromptCreated = {"prompt_id": view.prompt.public_id}
    return web.json_response(body, status=201)


# The spec's vote route and the reference server's alias are documented alike.
_VOTING = API({200: VoteJson}, errors=(*_GUESSES, 409), request=Card, path=PromptPath, security=POKER)


@routes.post("/{session_id}/prompt/{prompt_id}/vote")
@_VOTING
@_counting_guesses
async def vote(request: web.Request) -> web.Response:
    """Play a card; voting again replaces it until the prompt is revealed.

    The vote that completes the round reveals it. A round waits for every participant but
    an owner who has not voted in it while at least two others are in the session: their
    cards alone then reveal it. An owner who votes before then is waited for like everyone
    else; an owner with one other participant, or alone, always is, and so is an owner who
    started the session from chat.
    """
    data, from_text = await read_body(request)
    params = Params(data, from_text)
    card = _card(params, data.get("vote"))
    named = _id(params, data, "prompt_id")
    params.check()
    prompt_id = request.match_info["prompt_id"]
    if named is not None and named != prompt_id:
        raise Malformed("prompt_id in the body does not match the prompt in the path", {"prompt_id": ["mismatch"]})
    where = await community(request)
    cast = await _poker(request).vote(where, request.match_info["session_id"], prompt_id, bearer_token(request), card)
    body: VoteJson = {"prompt_id": cast.prompt_id, "round": cast.round, "vote": cast.card, "revealed": cast.revealed}
    return web.json_response(body)


@routes.post("/{session_id}/prompt/{prompt_id}/vote/submit")
@_VOTING
async def vote_submit(request: web.Request) -> web.StreamResponse:
    """Play a card: the same as `vote`, at the path the reference server takes votes on.

    A round waits for every participant but an owner who has not voted in it while at least
    two others are in the session (see `vote`).
    """
    return await vote(request)


@routes.get("/{session_id}/prompt/{prompt_id}/watch")
@routes.post("/{session_id}/prompt/{prompt_id}/watch")
@API(
    {200: PromptViewJson, 204: None},
    errors=(400, *_GUESSES),
    request=WatchQuery,
    query=WatchQuery,
    path=PromptPath,
    security=POKER,
)
@_counting_guesses
async def watch(request: web.Request) -> web.Response:
    """The prompt, who has voted and, once revealed, the cards; ``since_version`` makes it a long poll.

    ``participants`` says who has voted. ``votes`` lists `{participant_id, vote}` for every
    card once the round is revealed, and is an empty list before (never a card, never
    null), which the reference web client shows as an empty table. The round is revealed by
    the vote that completes it (an owner who has not voted is not waited for while at least
    two others are in the session; see `vote`) or by the owner's `reveal`.
    """
    params, _ = await _poll_params(request)
    since = params.optional_integer("since_version", minimum=0)
    timeout = params.optional_number("timeout")
    params.check()
    view = await _poker(request).watch(
        await community(request),
        request.match_info["session_id"],
        request.match_info["prompt_id"],
        bearer_token(request),
        since,
        timeout,
    )
    if view is None:
        return web.Response(status=204)
    return web.json_response(view_json(view))


@routes.post("/{session_id}/prompt/{prompt_id}/reveal")
@API({200: PromptViewJson}, errors=(*_GUESSES, 409), path=PromptPath, security=POKER)
@_counting_guesses
async def reveal(request: web.Request) -> web.Response:
    """Show the cards before everyone has voted (owner only)."""
    match = request.match_info
    view = await _poker(request).reveal(
        await community(request), match["session_id"], match["prompt_id"], bearer_token(request)
    )
    return web.json_response(view_json(view))


@routes.post("/{session_id}/prompt/{prompt_id}/revote")
@API({200: PromptViewJson}, errors=(*_GUESSES, 409), path=PromptPath, security=POKER)
@_counting_guesses
async def revote(request: web.Request) -> web.Response:
    """Clear the cards for a new round (owner only); earlier rounds keep their results."""
    match = request.match_info
    view = await _poker(request).revote(
        await community(request), match["session_id"], match["prompt_id"], bearer_token(request)
    )
    return web.json_response(view_json(view))


@routes.post("/{session_id}/close")
@API({204: None}, errors=_GUESSES, path=SessionPath, security=POKER)
@_counting_guesses
async def close(request: web.Request) -> web.Response:
    """Close the session (owner only); waiting long polls get 404."""
    await _poker(request).close(await community(request), request.match_info["session_id"], bearer_token(request))
    return web.Response(status=204)


@routes.get("/{session_id}/history")
@API(
    {200: (PokerHistoryJson, Content("text/csv"))},
    errors=(400, *_GUESSES),
    query=HistoryQuery,
    path=SessionPath,
    security=POKER,
)
@_counting_guesses
async def history(request: web.Request) -> web.Response:
    """Every prompt with its final result, as JSON or (``?format=csv``) CSV."""
    wanted = request.query.get("format", "json")
    if wanted not in ("json", "csv"):
        raise Malformed("format must be json or csv", {"format": ["json or csv"]})
    session_id = request.match_info["session_id"]
    found = await _poker(request).history(await community(request), session_id, bearer_token(request))
    if wanted == "json":
        body: PokerHistoryJson = history_json(found)
        return web.json_response(body)
    return web.Response(
        text=history_csv(found),
        content_type="text/csv",
        charset="utf-8",
        headers={"Content-Disposition": f'attachment; filename="poker-{found.session_id}.csv"'},
    )
