"""The game-night sessions API (spec: gamenight-sessions-api.md).

Errors are ``{"error": message, ...details}`` with real status codes. In the session-game
routes, ``sessionGameId`` is the session_games row id, not the game id. The room monitor
routes (start/stop-player-check) live with the room monitor.
"""

import re
from typing import Any

from aiohttp import web

from tallybot.api.gamenight_export import export_json, export_text
from tallybot.api.keys import SERVICES
from tallybot.api.middlewares import render_plain_error
from tallybot.api.params import community, path_id, read_body, require_host
from tallybot.core.chat_import import ChatImportResult, messages_from_items
from tallybot.core.errors import Invalid, Malformed
from tallybot.core.gamenight import BAD_PLAYER_COUNT, BAD_ROOM_CODE, SESSION_GAME_NOT_FOUND, SESSION_NOT_FOUND
from tallybot.core.gamenight_models import epoch_ms, utc_ms

PREFIX = "/api"
routes = web.RouteTableDef()
render_error = render_plain_error

_GAME_ROUTE = "/sessions/{session_id}/games/{session_game_id}"


def _session_id(request: web.Request, name: str = "id") -> int:
    return path_id(request, name, SESSION_NOT_FOUND)


def _session_game_ids(request: web.Request) -> tuple[int, int]:
    return _session_id(request, "session_id"), path_id(request, "session_game_id", SESSION_GAME_NOT_FOUND)


def _optional_text(data: dict[str, Any], name: str) -> str | None:
    value = data.get(name)
    if value is not None and not isinstance(value, str):
        raise Malformed(f"{name} must be a string")
    return value


def _whole_number(value: Any) -> int | None:
    """A JSON whole number, or a numeric string as a form would send it, that fits a database integer."""
    if isinstance(value, str) and re.fullmatch(r"\s*-?\d{1,18}\s*", value):
        value = int(value)
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    if isinstance(value, bool) or not isinstance(value, int) or abs(value) >= 2**63:
        return None
    return value


@routes.get("/sessions")
async def list_sessions(request: web.Request) -> web.Response:
    """Every session of the community, newest first, with games_played."""
    sessions = await request.config_dict[SERVICES].game_nights.all(await community(request))
    return web.json_response([session.as_data() for session in sessions])


@routes.get("/sessions/active")
async def active_session(request: web.Request) -> web.Response:
    """The active session, or ``{"session": null, ...}``."""
    session = await request.config_dict[SERVICES].game_nights.active(await community(request))
    if session is None:
        return web.json_response({"session": None, "message": "No active session"})
    return web.json_response(session.as_data())


@routes.get("/sessions/{id}")
async def get_session(request: web.Request) -> web.Response:
    """One session."""
    session = await request.config_dict[SERVICES].game_nights.get(await community(request), _session_id(request))
    return web.json_response(session.as_data())


@routes.post("/sessions")
async def create_session(request: web.Request) -> web.Response:
    """Start a session (one active per community)."""
    where, _ = await require_host(request)
    data, _ = await read_body(request)
    session = await request.config_dict[SERVICES].game_nights.start(where, _optional_text(data, "notes"))
    return web.json_response(session.as_data(with_count=False), status=201)


@routes.post("/sessions/{id}/close")
async def close_session(request: web.Request) -> web.Response:
    """Close a session; playing games become played."""
    where, _ = await require_host(request)
    session_id = _session_id(request)
    data, _ = await read_body(request)
    closed = await request.config_dict[SERVICES].game_nights.close(where, session_id, _optional_text(data, "notes"))
    return web.json_response(closed.as_data())


@routes.delete("/sessions/{id}")
async def delete_session(request: web.Request) -> web.Response:
    """Delete a closed session, with its games and chat logs."""
    where, _ = await require_host(request)
    session_id = _session_id(request)
    await request.config_dict[SERVICES].game_nights.delete(where, session_id)
    return web.json_response({"message": "Session deleted successfully", "sessionId": session_id})


@routes.get("/sessions/{id}/games")
async def session_games(request: web.Request) -> web.Response:
    """The games of a session, in the order they were played."""
    games = await request.config_dict[SERVICES].game_nights.games(await community(request), _session_id(request))
    return web.json_response([game.as_data() for game in games])


@routes.get("/sessions/{id}/votes")
async def session_votes(request: web.Request) -> web.Response:
    """A session's live votes per game, best net score first."""
    session_id = _session_id(request)
    games = await request.config_dict[SERVICES].votes.session_votes(await community(request), session_id)
    return web.json_response({"session_id": session_id, "votes": [game.as_data() for game in games]})


@routes.post("/sessions/{id}/games")
async def add_game(request: web.Request) -> web.Response:
    """Start playing a game in the session."""
    where, _ = await require_host(request)
    session_id = _session_id(request)
    data, _ = await read_body(request)
    if data.get("game_id") in (None, "", 0):
        raise Malformed("game_id is required")
    game_id = _whole_number(data["game_id"])
    if game_id is None:
        raise Malformed("game_id must be a whole number")
    manually_added = data.get("manually_added")
    if manually_added not in (True, False, None, "true", "false"):
        raise Malformed("manually_added must be true or false")
    manual = manually_added in (True, "true")
    room_code = _optional_text(data, "room_code")
    services = request.config_dict[SERVICES]
    added = await services.game_nights.add_game(where, session_id, game_id, manual, room_code)
    return web.json_response(added.as_added_data(), status=201)


def _import_body(result: ChatImportResult) -> dict[str, Any]:
    votes_by_game = {
        str(game_id): {"title": tally.title, "upvotes": tally.upvotes, "downvotes": tally.downvotes}
        for game_id, tally in result.votes_by_game.items()
    }
    timeline = [
        {"title": entry.title, "played_at": utc_ms(entry.played_at), "played_at_ms": epoch_ms(entry.played_at)}
        for entry in result.timeline
    ]
    matches = [
        {
            "username": match.message.username,
            "vote": match.vote_type.chat_text,
            "timestamp": match.message.raw_timestamp,
            "timestamp_ms": epoch_ms(match.message.timestamp),
            "matched_game": match.game.title,
            "game_played_at": utc_ms(match.game.played_at),
        }
        for match in result.matches
    ]
    return {
        "message": "Chat log imported and processed successfully",
        "messagesImported": result.messages_imported,
        "duplicatesSkipped": result.duplicates_skipped,
        "votesProcessed": result.votes_processed,
        "votesByGame": votes_by_game,
        "debug": {"sessionGamesTimeline": timeline, "voteMatches": matches},
    }


@routes.post("/sessions/{id}/chat-import")
async def chat_import(request: web.Request) -> web.Response:
    """Import a chat log; its ``thisgame++`` / ``thisgame--`` messages count as votes."""
    where, _ = await require_host(request)
    session_id = _session_id(request)
    data, _ = await read_body(request)
    items = data.get("chatData")
    if not isinstance(items, list):
        raise Malformed("chatData must be an array")
    messages = messages_from_items(items)
    result = await request.config_dict[SERVICES].game_nights.import_chat(where, session_id, messages)
    return web.json_response(_import_body(result))


@routes.get("/sessions/{id}/export")
async def export_session(request: web.Request) -> web.Response:
    """Download a session as JSON or as text (the default)."""
    where, _ = await require_host(request)
    session_id = _session_id(request)
    kind = request.query.get("format", "txt").lower()
    if kind not in ("json", "txt"):
        raise Malformed('format must be "json" or "txt"')
    export = await request.config_dict[SERVICES].game_nights.export(where, session_id)
    disposition = {"Content-Disposition": f'attachment; filename="session-{session_id}.{kind}"'}
    if kind == "json":
        return web.json_response(export_json(export), headers=disposition)
    return web.Response(text=export_text(export), content_type="text/plain", headers=disposition)


@routes.patch(_GAME_ROUTE + "/status")
async def set_status(request: web.Request) -> web.Response:
    """Set a session game's status."""
    where, _ = await require_host(request)
    session_id, session_game_id = _session_game_ids(request)
    data, _ = await read_body(request)
    status = data.get("status")
    services = request.config_dict[SERVICES]
    text = status if isinstance(status, str) else None
    new = await services.game_nights.set_status(where, session_id, session_game_id, text)
    return web.json_response({"message": "Status updated successfully", "status": new.value})


@routes.delete(_GAME_ROUTE)
async def remove_game(request: web.Request) -> web.Response:
    """Take a game out of a session."""
    where, _ = await require_host(request)
    session_id, session_game_id = _session_game_ids(request)
    await request.config_dict[SERVICES].game_nights.remove_game(where, session_id, session_game_id)
    return web.json_response({"message": "Game removed from session successfully"})


@routes.patch(_GAME_ROUTE + "/room-code")
async def set_room_code(request: web.Request) -> web.Response:
    """Record a session game's room code."""
    where, _ = await require_host(request)
    session_id, session_game_id = _session_game_ids(request)
    data, _ = await read_body(request)
    code = data.get("room_code")
    if code is not None and not isinstance(code, str):
        raise Invalid(BAD_ROOM_CODE)
    services = request.config_dict[SERVICES]
    game = await services.game_nights.set_room_code(where, session_id, session_game_id, code)
    return web.json_response(game.as_data())


@routes.patch(_GAME_ROUTE + "/player-count")
async def set_player_count(request: web.Request) -> web.Response:
    """Record how many played a session game."""
    where, _ = await require_host(request)
    session_id, session_game_id = _session_game_ids(request)
    data, _ = await read_body(request)
    raw = data.get("player_count")
    count = None if raw is None or raw == "" else _whole_number(raw)
    if raw not in (None, "") and count is None:
        raise Invalid(BAD_PLAYER_COUNT)
    services = request.config_dict[SERVICES]
    recorded = await services.game_nights.set_player_count(where, session_id, session_game_id, count)
    return web.json_response({"message": "Player count updated successfully", "player_count": recorded})
