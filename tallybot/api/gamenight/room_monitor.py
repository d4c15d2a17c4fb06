"""The room monitor routes of the game-night sessions API (spec: gamenight-sessions-api.md).

``sessionGameId`` is the session_games row id, not the game id. Errors are
``{"error": message}``, as in the rest of that spec.
"""

from aiohttp import web

from tallybot.api.gamenight.shapes import MonitorStatus, SessionGamePath
from tallybot.api.keys import SERVICES
from tallybot.api.middlewares import PlainError, render_plain_error
from tallybot.api.openapi.operations import HOST, SpecDoc
from tallybot.api.params import asker_in, path_id
from tallybot.core.gamenight import SESSION_GAME_NOT_FOUND

PREFIX = "/api"
routes = web.RouteTableDef()
render_error = render_plain_error
API = SpecDoc("Game night: sessions", PlainError, ids="room_monitor")


_GAME_ROUTE = "/sessions/{session_id}/games/{session_game_id}"


def _session_game_ids(request: web.Request) -> tuple[int, int]:
    """The session and session game ids from the path; anything that cannot be one is not found."""
    return (
        path_id(request, "session_id", SESSION_GAME_NOT_FOUND),
        path_id(request, "session_game_id", SESSION_GAME_NOT_FOUND),
    )


@routes.post(_GAME_ROUTE + "/start-player-check")
@API({200: MonitorStatus}, errors=(400, 404), path=SessionGamePath, security=HOST)
async def start_player_check(request: web.Request) -> web.Response:
    """Start watching the game's Jackbox room for its player count."""
    where, asker = await asker_in(request)
    session_id, session_game_id = _session_game_ids(request)
    status = await request.config_dict[SERVICES].room_monitor.start(asker, where, session_id, session_game_id)
    body: MonitorStatus = {"message": "Room monitor started", "status": status}
    return web.json_response(body)


@routes.post(_GAME_ROUTE + "/stop-player-check")
@API({200: MonitorStatus}, errors=(404,), path=SessionGamePath, security=HOST)
async def stop_player_check(request: web.Request) -> web.Response:
    """Stop watching the game's room."""
    where, asker = await asker_in(request)
    session_id, session_game_id = _session_game_ids(request)
    status = await request.config_dict[SERVICES].room_monitor.stop(asker, where, session_id, session_game_id)
    body: MonitorStatus = {"message": "Room monitor and player count check stopped", "status": status}
    return web.json_response(body)
