"""The planning-poker API (spec: poker-api.md): sessions, prompts, hidden votes and long polls.

The spec defines no error body, so errors are ``{"error": message}`` (plus details such as
``valid_cards``) with real status codes: 400 for a request that cannot be read or breaks a
rule, 401 for a missing or foreign token or a non-owner, 404 for no open session or no
such prompt, 409 for a clash with the state. The participant token from ``create`` or
``join`` comes as ``Authorization: Bearer <token>``, as the spec's headers show.
"""

import csv
import io
from typing import Any

from aiohttp import web

from tallybot.api.keys import SERVICES
from tallybot.api.middlewares import render_plain_error
from tallybot.api.params import Params, bearer_token, community, read_body
from tallybot.core.errors import DomainError, Malformed
from tallybot.core.poker import PokerService
from tallybot.core.poker_models import PromptView, SessionHistory, Voter
from tallybot.core.poker_rules import figure, result_data

PREFIX = "/session"
routes = web.RouteTableDef()

_CSV_COLUMNS = ("prompt_id", "prompt", "rounds", "votes", "min", "max", "median", "mean", "consensus", "outliers")


def render_error(status: int, message: str, error: DomainError | None) -> web.Response:
    """``{"error": message, **details}`` with the status that matches the error."""
    return render_plain_error(status, message, error)


def _poker(request: web.Request) -> PokerService:
    return request.config_dict[SERVICES].poker


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


def _voter(voter: Voter, revealed: bool) -> dict[str, Any]:
    shown: dict[str, Any] = {"participant_id": voter.name, "voted": voter.voted}
    if revealed:
        shown["vote"] = voter.card
    return shown


def _view(view: PromptView) -> dict[str, Any]:
    return {
        "session_id": view.session_id,
        "prompt_id": view.prompt.public_id,
        "prompt": view.prompt.text,
        "deck": list(view.deck),
        "round": view.round,
        "revealed": view.revealed,
        "version": view.version,
        "participants": [_voter(voter, view.revealed) for voter in view.voters],
        "result": None if view.result is None else result_data(view.result),
        "earlier_rounds": [result_data(result) for result in view.earlier_rounds],
    }


def _history(history: SessionHistory) -> dict[str, Any]:
    prompts = [
        {
            "prompt_id": record.prompt.public_id,
            "prompt": record.prompt.text,
            "result": None if record.result is None else result_data(record.result),
            "rounds": [result_data(result) for result in record.rounds],
        }
        for record in history.prompts
    ]
    return {"session_id": history.session_id, "deck": list(history.deck), "closed": history.closed, "prompts": prompts}


def _cell(text: str) -> str:
    # Spreadsheets run cells that start like a formula; a leading quote keeps them text.
    return "'" + text if text[:1] in ("=", "+", "-", "@") else text


def _history_csv(history: SessionHistory) -> str:
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(_CSV_COLUMNS)
    for record in history.prompts:
        row: list[Any] = [record.prompt.public_id, _cell(record.prompt.text), len(record.rounds)]
        result = record.result
        if result is None:
            row += [""] * (len(_CSV_COLUMNS) - len(row))
        else:
            votes = "; ".join(f"{name}: {card}" for name, card in result.votes)
            numbers = [figure(value) for value in (result.minimum, result.maximum, result.median, result.mean)]
            row += [_cell(votes), *("" if n is None else n for n in numbers), str(result.consensus).lower()]
            row.append(_cell("; ".join(result.outliers)))
        writer.writerow(row)
    return out.getvalue()


@routes.post("/create")
async def create_session(request: web.Request) -> web.Response:
    """Open a session; the creator owns it."""
    data, from_text = await read_body(request)
    params = Params(data, from_text)
    name = params.string("participant_id", max_length=1000)
    deck = _deck(params, data.get("deck"))
    params.check()
    seat = await _poker(request).create_session(await community(request), name, deck)
    return web.json_response({"session_id": seat.session_id, "token": seat.token}, status=201)


@routes.post("/{session_id}/join")
async def join(request: web.Request) -> web.Response:
    """Join an open session."""
    params = await Params.of(request)
    name = params.string("participant_id", max_length=1000)
    params.check()
    seat = await _poker(request).join(await community(request), request.match_info["session_id"], name)
    return web.json_response({"token": seat.token})


@routes.get("/{session_id}/prompt/wait")
@routes.post("/{session_id}/prompt/wait")
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
    return web.json_response({"prompt_id": prompt.public_id, "prompt": prompt.text})


@routes.post("/{session_id}/prompt/create")
async def create_prompt(request: web.Request) -> web.Response:
    """Put a new story to the session (owner only)."""
    params = await Params.of(request)
    text = params.string("prompt", max_length=10_000)
    params.check()
    where = await community(request)
    prompt = await _poker(request).create_prompt(where, request.match_info["session_id"], bearer_token(request), text)
    return web.json_response({"prompt_id": prompt.public_id}, status=201)


@routes.post("/{session_id}/prompt/{prompt_id}/vote")
async def vote(request: web.Request) -> web.Response:
    """Play a card; voting again replaces it until the prompt is revealed."""
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
    return web.json_response(
        {"prompt_id": cast.prompt_id, "round": cast.round, "vote": cast.card, "revealed": cast.revealed}
    )


@routes.get("/{session_id}/prompt/{prompt_id}/watch")
@routes.post("/{session_id}/prompt/{prompt_id}/watch")
async def watch(request: web.Request) -> web.Response:
    """The prompt, who has voted and, once revealed, the cards; ``since_version`` makes it a long poll."""
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
    return web.json_response(_view(view))


@routes.post("/{session_id}/prompt/{prompt_id}/reveal")
async def reveal(request: web.Request) -> web.Response:
    """Show the cards before everyone has voted (owner only)."""
    match = request.match_info
    view = await _poker(request).reveal(
        await community(request), match["session_id"], match["prompt_id"], bearer_token(request)
    )
    return web.json_response(_view(view))


@routes.post("/{session_id}/prompt/{prompt_id}/revote")
async def revote(request: web.Request) -> web.Response:
    """Clear the cards for a new round (owner only); earlier rounds keep their results."""
    match = request.match_info
    view = await _poker(request).revote(
        await community(request), match["session_id"], match["prompt_id"], bearer_token(request)
    )
    return web.json_response(_view(view))


@routes.post("/{session_id}/close")
async def close(request: web.Request) -> web.Response:
    """Close the session (owner only); waiting long polls get 404."""
    await _poker(request).close(await community(request), request.match_info["session_id"], bearer_token(request))
    return web.Response(status=204)


@routes.get("/{session_id}/history")
async def history(request: web.Request) -> web.Response:
    """Every prompt with its final result, as JSON or (``?format=csv``) CSV."""
    wanted = request.query.get("format", "json")
    if wanted not in ("json", "csv"):
        raise Malformed("format must be json or csv", {"format": ["json or csv"]})
    session_id = request.match_info["session_id"]
    found = await _poker(request).history(await community(request), session_id, bearer_token(request))
    if wanted == "json":
        return web.json_response(_history(found))
    return web.Response(
        text=_history_csv(found),
        content_type="text/csv",
        charset="utf-8",
        headers={"Content-Disposition": f'attachment; filename="poker-{found.session_id}.csv"'},
    )
