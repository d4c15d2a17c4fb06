"""The game-night sessions API (spec: gamenight-sessions-api.md).

Errors are ``{"error": message, ...details}`` with real status codes. In the session-game
routes, ``sessionGameId`` is the session_games row id, not the game id. The room monitor
routes (start/stop-player-check) live with the room monitor.
"""

from typing import Annotated, TypedDict

from aiohttp import web

from tallybot.api.gamenight.shapes import (
    AddGame,
    ChatImport,
    ChatImportJson,
    ExportJson,
    NewPlayerCount,
    NewRoomCode,
    NewStatus,
    NoActiveSession,
    PlayerCountSet,
    SessionDeleted,
    SessionGamePath,
    SessionPath,
    SessionVotes,
    StatusSet,
    export_json,
    export_text,
    import_json,
)
from tallybot.api.keys import SERVICES
from tallybot.api.middlewares import Message, PlainError, render_plain_error
from tallybot.api.openapi.operations import HOST, Content, SpecDoc
from tallybot.api.params import asker_in, community, optional_text, path_id, read_body, whole_number
from tallybot.core.errors import Invalid, Malformed
from tallybot.core.gamenight import (
    BAD_PLAYER_COUNT,
    BAD_ROOM_CODE,
    SESSION_GAME_NOT_FOUND,
    SESSION_NOT_FOUND,
    AddedGameJson,
    NewSessionJson,
    SessionGameJson,
    SessionJson,
    messages_from_items,
)
from tallybot.core.wire import Meta

PREFIX = "/api"
routes = web.RouteTableDef()
render_error = render_plain_error
API = SpecDoc("Game night: sessions", PlainError, ids="gamenight_sessions")

_GAME_ROUTE = "/sessions/{session_id}/games/{session_game_id}"


class SessionNotes(TypedDict, total=False):
    """Notes on the session, such as "Friday game night"."""

    notes: str | None


class ExportQuery(TypedDict, total=False):
    """The download's format (text unless asked)."""

    format: Annotated[str, Meta(enum=["json", "txt"])]


def _session_id(request: web.Request, name: str = "id") -> int:
    return path_id(request, name, SESSION_NOT_FOUND)


def _session_game_ids(request: web.Request) -> tuple[int, int]:
    return _session_id(request, "session_id"), path_id(request, "session_game_id", SESSION_GAME_NOT_FOUND)


@routes.get("/sessions")
@API({200: list[SessionJson]})
async def list_sessions(request: web.Request) -> web.Response:
    """Every session of the community, newest first, with games_played."""
    sessions = await request.config_dict[SERVICES].game_nights.all(await community(request))
    body: list[SessionJson] = [session.as_data() for session in sessions]
    return web.json_response(body)


@routes.get("/sessions/active")
@API({200: (SessionJson, NoActiveSession)})
async def active_session(request: web.Request) -> web.Response:
    """The active session, or ``{"session": null, ...}``."""
    session = await request.config_dict[SERVICES].game_nights.active(await community(request))
    if session is None:
        none: NoActiveSession = {"session": None, "message": "No active session"}
        return web.json_response(none)
    return web.json_response(session.as_data())


@routes.get("/sessions/{id}")
@API({200: SessionJson}, errors=(404,), path=SessionPath)
async def get_session(request: web.Request) -> web.Response:
    """One session."""
    session = await request.config_dict[SERVICES].game_nights.get(await community(request), _session_id(request))
    return web.json_response(session.as_data())


@routes.post("/sessions")
@API({201: NewSessionJson}, request=SessionNotes, security=HOST)
async def create_session(request: web.Request) -> web.Response:
    """Start a session (one active per community)."""
    where, asker = await asker_in(request)
    asker.check_host_of(where.id)
    data, _ = await read_body(request)
    session = await request.config_dict[SERVICES].game_nights.start(asker, where, optional_text(data, "notes"))
    return web.json_response(session.as_new_data(), status=201)


@routes.post("/sessions/{id}/close")
@API({200: SessionJson}, errors=(404,), request=SessionNotes, path=SessionPath, security=HOST)
async def close_session(request: web.Request) -> web.Response:
    """Close a session; playing games become played."""
    where, asker = await asker_in(request)
    asker.check_host_of(where.id)
    session_id = _session_id(request)
    data, _ = await read_body(request)
    notes = optional_text(data, "notes")
    closed = await request.config_dict[SERVICES].game_nights.close(asker, where, session_id, notes)
    return web.json_response(closed.as_data())


@routes.delete("/sessions/{id}")
@API({200: SessionDeleted}, errors=(400, 404), path=SessionPath, security=HOST)
async def delete_session(request: web.Request) -> web.Response:
    """Delete a closed session, with its games and chat logs."""
    where, asker = await asker_in(request)
    session_id = _session_id(request)
    await request.config_dict[SERVICES].game_nights.delete(asker, where, session_id)
    body: SessionDeleted = {"message": "Session deleted successfully", "sessionId": session_id}
    return web.json_response(body)


@routes.get("/sessions/{id}/games")
@API({200: list[SessionGameJson]}, errors=(404,), path=SessionPath)
async def session_games(request: web.Request) -> web.Response:
    """The games of a session, in the order they were played."""
    games = await request.config_dict[SERVICES].game_nights.games(await community(request), _session_id(request))
    body: list[SessionGameJson] = [game.as_data() for game in games]
    return web.json_response(body)


@routes.get("/sessions/{id}/votes")
@API({200: SessionVotes}, errors=(404,), path=SessionPath)
async def session_votes(request: web.Request) -> web.Response:
    """A session's live votes per game, best net score first."""
    session_id = _session_id(request)
    games = await request.config_dict[SERVICES].votes.session_votes(await community(request), session_id)
    body: SessionVotes = {"session_id": session_id, "votes": [game.as_data() for game in games]}
    return web.json_response(body)


@routes.post("/sessions/{id}/games")
@API({201: AddedGameJson}, errors=(404,), request=AddGame, path=SessionPath, security=HOST)
async def add_game(request: web.Request) -> web.Response:
    """Start playing a game in the session."""
    where, asker = await asker_in(request)
    asker.check_host_of(where.id)
    session_id = _session_id(request)
    data, _ = await read_body(request)
    if data.get("game_id") in (None, "", 0):
        raise Malformed("game_id is required")
    game_id = whole_number(data["game_id"])
    if game_id is None:
        raise Malformed("game_id must be a whole number")
    manually_added = data.get("manually_added")
    if manually_added not in (True, False, None, "true", "false"):
        raise Malformed("manually_added must be true or false")
    manual = manually_added in (True, "true")
    room_code = optional_text(data, "room_code")
    services = request.config_dict[SERVICES]
    added = await services.game_nights.add_game(asker, where, session_id, game_id, manual, room_code)
    body: AddedGameJson = added.as_added_data()
    return web.json_response(body, status=201)


@routes.post("/sessions/{id}/chat-import")
@API({200: ChatImportJson}, errors=(404,), request=ChatImport, path=SessionPath, security=HOST)
async def chat_import(request: web.Request) -> web.Response:
    """Import a chat log; its ``thisgame++`` / ``thisgame--`` messages count as votes."""
    where, asker = await asker_in(request)
    asker.check_host_of(where.id)
    session_id = _session_id(request)
    data, _ = await read_body(request)
    items = data.get("chatData")
    if not isinstance(items, list):
        raise Malformed("chatData must be an array")
    messages = messages_from_items(items)
    result = await request.config_dict[SERVICES].game_nights.import_chat(asker, where, session_id, messages)
    return web.json_response(import_json(result))


@routes.get("/sessions/{id}/export")
@API({200: (ExportJson, Content("text/plain"))}, errors=(400, 404), query=ExportQuery, path=SessionPath, security=HOST)
async def export_session(request: web.Request) -> web.Response:
    """Download a session as JSON or as text (the default)."""
    where, asker = await asker_in(request)
    asker.check_host_of(where.id)
    session_id = _session_id(request)
    kind = request.query.get("format", "txt").lower()
    if kind not in ("json", "txt"):
        raise Malformed('format must be "json" or "txt"')
    export = await request.config_dict[SERVICES].game_nights.export(asker, where, session_id)
    disposition = {"Content-Disposition": f'attachment; filename="session-{session_id}.{kind}"'}
    if kind == "json":
        return web.json_response(export_json(export), headers=disposition)
    return web.Response(text=export_text(export), content_type="text/plain", headers=disposition)


@routes.patch(_GAME_ROUTE + "/status")
@API({200: StatusSet}, errors=(404,), request=NewStatus, path=SessionGamePath, security=HOST)
async def set_status(request: web.Request) -> web.Response:
    """Set a session game's status."""
    where, asker = await asker_in(request)
    asker.check_host_of(where.id)
    session_id, session_game_id = _session_game_ids(request)
    data, _ = await read_body(request)
    status = data.get("status")
    services = request.config_dict[SERVICES]
    text = status if isinstance(status, str) else None
    new = await services.game_nights.set_status(asker, where, session_id, session_game_id, text)
    body: StatusSet = {"message": "Status updated successfully", "status": new.value}
    return web.json_response(body)


@routes.delete(_GAME_ROUTE)
@API({200: Message}, errors=(404,), path=SessionGamePath, security=HOST)
async def remove_game(request: web.Request) -> web.Response:
    """Take a game out of a session."""
    where, asker = await asker_in(request)
    session_id, session_game_id = _session_game_ids(request)
    await request.config_dict[SERVICES].game_nights.remove_game(asker, where, session_id, session_game_id)
    body: Message = {"message": "Game removed from session successfully"}
    return web.json_response(body)


@routes.patch(_GAME_ROUTE + "/room-code")
@API({200: SessionGameJson}, errors=(404,), request=NewRoomCode, path=SessionGamePath, security=HOST)
async def set_room_code(request: web.Request) -> web.Response:
    """Record a session game's room code."""
    where, asker = await asker_in(request)
    asker.check_host_of(where.id)
    session_id, session_game_id = _session_game_ids(request)
    data, _ = await read_body(request)
    code = data.get("room_code")
    if code is not None and not isinstance(code, str):
        raise Invalid(BAD_ROOM_CODE)
    services = request.config_dict[SERVICES]
    game = await services.game_nights.set_room_code(asker, where, session_id, session_game_id, code)
    return web.json_response(game.as_data())


@routes.patch(_GAME_ROUTE + "/player-count")
@API({200: PlayerCountSet}, errors=(404,), request=NewPlayerCount, path=SessionGamePath, security=HOST)
async def set_player_count(request: web.Request) -> web.Response:
    """Record how many played a session game."""
    where, asker = await asker_in(request)
    asker.check_host_of(where.id)
    session_id, session_game_id = _session_game_ids(request)
    data, _ = await read_body(request)
    raw = data.get("player_count")
    count = None if raw is None or raw == "" else whole_number(raw)
    if raw not in (None, "") and count is None:
        raise Invalid(BAD_PLAYER_COUNT)
    services = request.config_dict[SERVICES]
    recorded = await services.game_nights.set_player_count(asker, where, session_id, session_game_id, count)
    body: PlayerCountSet = {"message": "Player count updated successfully", "player_count": recorded}
    return web.json_response(body)
