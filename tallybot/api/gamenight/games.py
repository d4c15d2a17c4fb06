"""Game night's catalogue API: ``/api/games...``, ``POST /api/pick`` and ``GET /api/stats``.

Reads are public; every write (and the CSV export) needs a host bearer token for the
community, which the games service checks. A route that reads a body asks it first, so
that a non-host is refused before their body is read. Games come out as the original
project wrote them: booleans as 0/1 and times as ``2026-03-15T19:00:00.000Z``. Errors are
``{"error": message, **details}``.
"""

from enum import StrEnum
from typing import TypeVar

from aiohttp import web

from tallybot.api.gamenight.catalogue_shapes import (
    CsvImport,
    FavorBias,
    FavorSet,
    GameJson,
    GamePath,
    GameQuery,
    ImportJson,
    NewGame,
    PackJson,
    PackMetaJson,
    PackPath,
    PackToggle,
    PackToggled,
    PickJson,
    PickRequest,
    StatsJson,
    game_json,
    import_json,
    pack_json,
    pack_meta_json,
    pick_json,
    stats_json,
)
from tallybot.api.keys import SERVICES
from tallybot.api.middlewares import Message, PlainError, render_plain_error
from tallybot.api.openapi.operations import HOST, Content, SpecDoc
from tallybot.api.params import Params, asker_in, community, path_id, read_body
from tallybot.core.errors import Malformed, NotFound
from tallybot.core.gamenight import GAME_NOT_FOUND, Drawing, GameDetails, GameFilter, GameService, Length

PREFIX = "/api"
routes = web.RouteTableDef()
render_error = render_plain_error
API = SpecDoc("Game night: catalogue", PlainError, ids="games")

E = TypeVar("E", bound=StrEnum)
_FLAGS = ("has_audience", "family_friendly")
_CSV_TYPES = {"text/csv", "text/plain"}
# Ids are SQLite integers; a larger one cannot exist (and cannot even be asked for).
_MAX_ID = 2**63 - 1


def _games(request: web.Request) -> GameService:
    return request.config_dict[SERVICES].games


def _game_id(request: web.Request) -> int:
    return path_id(request, "id", GAME_NOT_FOUND)


def _choice(params: Params, name: str, kind: type[E]) -> E | None:
    value = params.optional_string(name, max_length=50)
    choices = [member.value for member in kind]
    if value is not None and value not in choices:
        params.problems.setdefault(name, []).append(f"must be {', '.join(choices[:-1])} or {choices[-1]}")
        return None
    return None if value is None else kind(value)


def _filters(params: Params, *, listing: bool) -> GameFilter:
    """The shared filters; ``enabled`` and ``pack`` only apply to listing (the picker takes enabled games)."""
    return GameFilter(
        enabled=params.optional_boolean("enabled") if listing else None,
        player_count=params.optional_integer("playerCount", minimum=1),
        drawing=_choice(params, "drawing", Drawing),
        length=_choice(params, "length", Length),
        family_friendly=params.optional_boolean("familyFriendly"),
        pack=params.optional_string("pack", max_length=200) if listing else None,
    )


async def _details(request: web.Request) -> GameDetails:
    data, from_text = await read_body(request)
    for name in _FLAGS:
        # Games are written with 0/1 flags, so a client may send a game back as it got it.
        if data.get(name) in (0, 1) and not isinstance(data[name], bool):
            data[name] = bool(data[name])
    params = Params(data, from_text)
    details = GameDetails(
        pack_name=params.string("pack_name", max_length=1000),
        title=params.string("title", max_length=1000),
        min_players=params.integer("min_players"),
        max_players=params.integer("max_players"),
        length_minutes=params.optional_integer("length_minutes"),
        has_audience=bool(params.optional_boolean("has_audience")),
        family_friendly=params.optional_boolean("family_friendly") is not False,
        game_type=params.optional_string("game_type", max_length=1000),
        secondary_type=params.optional_string("secondary_type", max_length=1000),
    )
    params.check()
    return details


@routes.get("/games")
@API({200: list[GameJson]}, errors=(400,), query=GameQuery)
async def list_games(request: web.Request) -> web.Response:
    """Games, filtered by the query string, by pack and title."""
    params = await Params.of(request)
    filters = _filters(params, listing=True)
    params.check()
    games = await _games(request).list_games(await community(request), filters)
    body: list[GameJson] = [game_json(game) for game in games]
    return web.json_response(body)


@routes.get("/games/packs")
@API({200: list[PackJson]})
async def list_packs(request: web.Request) -> web.Response:
    """Every pack, with its favour bias."""
    packs = await _games(request).packs(await community(request))
    body: list[PackJson] = [pack_json(pack) for pack in packs]
    return web.json_response(body)


@routes.get("/games/meta/packs")
@API({200: list[PackMetaJson]})
async def pack_meta(request: web.Request) -> web.Response:
    """Every pack with its game counts and plays."""
    packs = await _games(request).packs(await community(request))
    body: list[PackMetaJson] = [pack_meta_json(pack) for pack in packs]
    return web.json_response(body)


@routes.get("/games/export/csv")
@API({200: Content("text/csv")}, security=HOST)
async def export_csv(request: web.Request) -> web.Response:
    """Every game as a CSV download."""
    where, asker = await asker_in(request)
    text = await _games(request).export_csv(asker, where)
    disposition = 'attachment; filename="games.csv"'
    return web.Response(text=text, content_type="text/csv", headers={"Content-Disposition": disposition})


@routes.post("/games/import/csv")
@API({200: ImportJson}, request=(CsvImport, Content("text/csv"), Content("text/plain")), security=HOST)
async def import_csv(request: web.Request) -> web.Response:
    """Import games from CSV, sent as text/csv or as JSON ``{"csvData": "..."}``; all rows or none."""
    where, asker = await asker_in(request)
    asker.check_host_of(where.id)
    if request.content_type in _CSV_TYPES:
        try:
            text: str | None = (await request.read()).decode("utf-8")
        except UnicodeDecodeError:
            raise Malformed("The CSV must be UTF-8 text") from None
    else:
        params = await Params.of(request)
        text = params.optional_string("csvData", max_length=10_000_000)
        params.check()
    if not text:
        raise Malformed("csvData is required")
    report = await _games(request).import_csv(asker, where, text)
    return web.json_response(import_json(report))


@routes.patch("/games/packs/{name}/toggle")
@API({200: PackToggled}, errors=(404,), request=PackToggle, path=PackPath, security=HOST)
async def toggle_pack(request: web.Request) -> web.Response:
    """Enable or disable every game of a pack: ``{"enabled": true|false}``."""
    where, asker = await asker_in(request)
    asker.check_host_of(where.id)
    params = await Params.of(request)
    enabled = params.boolean("enabled")
    params.check()
    count = await _games(request).set_pack_enabled(asker, where, request.match_info["name"], enabled)
    body: PackToggled = {"message": f"Pack {'enabled' if enabled else 'disabled'} successfully", "gamesAffected": count}
    return web.json_response(body)


@routes.patch("/games/packs/{name}/favor")
@API({200: FavorSet}, errors=(404,), request=FavorBias, path=PackPath, security=HOST)
async def favor_pack(request: web.Request) -> web.Response:
    """Set a pack's favour bias: ``{"favor_bias": -1|0|1}``."""
    where, asker = await asker_in(request)
    asker.check_host_of(where.id)
    params = await Params.of(request)
    favor_bias = params.integer("favor_bias")
    params.check()
    pack = await _games(request).set_pack_favor(asker, where, request.match_info["name"], favor_bias)
    body: FavorSet = {"message": "Pack favor bias updated successfully", "favor_bias": pack.favor_bias}
    return web.json_response(body)


@routes.get("/games/{id}")
@API({200: GameJson}, errors=(404,), path=GamePath)
async def get_game(request: web.Request) -> web.Response:
    """One game."""
    game = await _games(request).get_game(await community(request), _game_id(request))
    return web.json_response(game_json(game))


@routes.post("/games")
@API({201: GameJson}, errors=(409,), request=NewGame, security=HOST)
async def add_game(request: web.Request) -> web.Response:
    """Add a custom game."""
    where, asker = await asker_in(request)
    asker.check_host_of(where.id)
    game = await _games(request).add_game(asker, where, await _details(request))
    return web.json_response(game_json(game), status=201)


@routes.put("/games/{id}")
@API({200: GameJson}, errors=(404, 409), request=NewGame, path=GamePath, security=HOST)
async def update_game(request: web.Request) -> web.Response:
    """Replace a custom game's details."""
    where, asker = await asker_in(request)
    asker.check_host_of(where.id)
    game_id = _game_id(request)
    game = await _games(request).update_game(asker, where, game_id, await _details(request))
    return web.json_response(game_json(game))


@routes.delete("/games/{id}")
@API({200: Message}, errors=(404, 409), path=GamePath, security=HOST)
async def delete_game(request: web.Request) -> web.Response:
    """Delete a custom game that was never played."""
    where, asker = await asker_in(request)
    await _games(request).delete_game(asker, where, _game_id(request))
    body: Message = {"message": "Game deleted successfully"}
    return web.json_response(body)


@routes.patch("/games/{id}/toggle")
@API({200: GameJson}, errors=(404,), path=GamePath, security=HOST)
async def toggle_game(request: web.Request) -> web.Response:
    """Flip whether a game is enabled; returns the game."""
    where, asker = await asker_in(request)
    game = await _games(request).toggle_game(asker, where, _game_id(request))
    return web.json_response(game_json(game))


@routes.patch("/games/{id}/favor")
@API({200: FavorSet}, errors=(404,), request=FavorBias, path=GamePath, security=HOST)
async def favor_game(request: web.Request) -> web.Response:
    """Set a game's favour bias: ``{"favor_bias": -1|0|1}``."""
    where, asker = await asker_in(request)
    asker.check_host_of(where.id)
    game_id = _game_id(request)
    params = await Params.of(request)
    favor_bias = params.integer("favor_bias")
    params.check()
    game = await _games(request).set_game_favor(asker, where, game_id, favor_bias)
    body: FavorSet = {"message": "Favor bias updated successfully", "favor_bias": game.favor_bias}
    return web.json_response(body)


@routes.post("/pick")
@API({200: PickJson}, errors=(404,), request=PickRequest)
async def pick(request: web.Request) -> web.Response:
    """One enabled game that fits, chosen at random by weight."""
    params = await Params.of(request)
    filters = _filters(params, listing=False)
    session_id = params.optional_integer("sessionId", minimum=1)
    exclude_played = bool(params.optional_boolean("excludePlayed"))
    params.check()
    if session_id is not None and session_id > _MAX_ID:
        raise NotFound("Session not found")
    chosen = await _games(request).pick(await community(request), filters, session_id, exclude_played)
    return web.json_response(pick_json(chosen))


@routes.get("/stats")
@API({200: StatsJson})
async def stats(request: web.Request) -> web.Response:
    """Totals, the top-rated games and the most-played games."""
    return web.json_response(stats_json(await _games(request).stats(await community(request))))
