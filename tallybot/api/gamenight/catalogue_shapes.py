"""The JSON of game night's catalogue: games, packs, stats and picks, as the original project wrote them.

Booleans come out as 0/1 and times as ``2026-03-15T19:00:00.000Z``.
"""

from typing import Annotated, NotRequired, TypedDict

from tallybot.api.gamenight.shapes import RowId
from tallybot.core.gamenight import (
    CatalogueStats,
    Drawing,
    Game,
    ImportReport,
    Length,
    Pack,
    Pick,
)
from tallybot.core.wire import Flag, Meta, UtcMillis, utc_ms

Choice = Annotated[str, Meta(enum=[*Drawing])]
Bucket = Annotated[str, Meta(enum=[*Length])]
Bias = Annotated[int, Meta(enum=[-1, 0, 1])]


class GameJson(TypedDict):
    """A game of the catalogue, or one of the community's own."""

    id: int
    pack_name: str
    title: str
    min_players: int
    max_players: int
    length_minutes: int | None
    has_audience: Flag
    family_friendly: Flag
    game_type: str | None
    secondary_type: str | None
    play_count: int
    popularity_score: int
    upvotes: int
    downvotes: int
    enabled: Flag
    favor_bias: int
    created_at: UtcMillis | None


class PackJson(TypedDict):
    """A pack and its favour bias."""

    name: str
    favor_bias: int


class PackMetaJson(TypedDict):
    """A pack with its game counts and plays."""

    name: str
    favor_bias: int
    total_count: int
    enabled_count: int
    total_plays: int


class StatsJson(TypedDict):
    """Totals, the top-rated games and the most-played games."""

    totalGames: int
    enabledGames: int
    totalPacks: int
    totalSessions: int
    totalPlays: int
    totalVotes: int
    topRatedGames: list[GameJson]
    mostPlayedGames: list[GameJson]


class PickJson(TypedDict):
    """The picked game, how many games it was drawn from, and how many are enabled."""

    game: GameJson
    poolSize: int
    totalEnabled: int


class ImportJson(TypedDict):
    """What a CSV import did."""

    message: str
    imported: int
    updated: int
    skipped: int


class PackToggled(TypedDict):
    """How many games a pack toggle changed."""

    message: str
    gamesAffected: int


class FavorSet(TypedDict):
    """The favour bias now in force."""

    message: str
    favor_bias: int


def game_json(game: Game) -> GameJson:
    """A game as the original project's API wrote it."""
    details = game.details
    return {
        "id": game.id,
        "pack_name": details.pack_name,
        "title": details.title,
        "min_players": details.min_players,
        "max_players": details.max_players,
        "length_minutes": details.length_minutes,
        "has_audience": int(details.has_audience),
        "family_friendly": int(details.family_friendly),
        "game_type": details.game_type,
        "secondary_type": details.secondary_type,
        "play_count": game.play_count,
        "popularity_score": game.popularity_score,
        "upvotes": game.upvotes,
        "downvotes": game.downvotes,
        "enabled": int(game.enabled),
        "favor_bias": game.favor_bias,
        "created_at": utc_ms(game.created_at),
    }


def pack_json(pack: Pack) -> PackJson:
    """A pack's name and favour bias."""
    return {"name": pack.name, "favor_bias": pack.favor_bias}


def pack_meta_json(pack: Pack) -> PackMetaJson:
    """A pack with its counts."""
    return {
        "name": pack.name,
        "favor_bias": pack.favor_bias,
        "total_count": pack.game_count,
        "enabled_count": pack.enabled_count,
        "total_plays": pack.play_count,
    }


def stats_json(stats: CatalogueStats) -> StatsJson:
    """The catalogue's totals and its best and most played games."""
    return {
        "totalGames": stats.total_games,
        "enabledGames": stats.enabled_games,
        "totalPacks": stats.total_packs,
        "totalSessions": stats.total_sessions,
        "totalPlays": stats.total_plays,
        "totalVotes": stats.total_votes,
        "topRatedGames": [game_json(game) for game in stats.top_rated],
        "mostPlayedGames": [game_json(game) for game in stats.most_played],
    }


def pick_json(chosen: Pick) -> PickJson:
    """The picker's answer."""
    return {"game": game_json(chosen.game), "poolSize": chosen.pool_size, "totalEnabled": chosen.total_enabled}


def import_json(report: ImportReport) -> ImportJson:
    """What an import did."""
    return {
        "message": "Import complete",
        "imported": report.imported,
        "updated": report.updated,
        "skipped": report.skipped,
    }


class GamePath(TypedDict):
    """A game's id."""

    id: RowId


class PackPath(TypedDict):
    """A pack's name."""

    name: str


class NewGame(TypedDict):
    """A custom game. The flags may be sent as booleans or as 0/1, the way games come out."""

    pack_name: str
    title: str
    min_players: int
    max_players: int
    length_minutes: NotRequired[int | None]
    has_audience: NotRequired[bool | Annotated[int, Meta(enum=[0, 1])] | None]
    family_friendly: NotRequired[bool | Annotated[int, Meta(enum=[0, 1])] | None]
    game_type: NotRequired[str | None]
    secondary_type: NotRequired[str | None]


class CsvImport(TypedDict):
    """A CSV document with a header row, sent inside JSON."""

    csvData: str


class PackToggle(TypedDict):
    """Enable or disable every game of the pack."""

    enabled: bool


class FavorBias(TypedDict):
    """-1 picks less often, 0 as usual, 1 more often."""

    favor_bias: Bias


class GameQuery(TypedDict, total=False):
    """Filters of the game list; each one narrows it."""

    enabled: bool
    playerCount: Annotated[int, Meta(minimum=1)]
    drawing: Choice
    length: Bucket
    familyFriendly: bool
    pack: str


class PickRequest(TypedDict, total=False):
    """What the picked game must fit; ``excludePlayed`` leaves out games of the session ``sessionId``."""

    playerCount: Annotated[int, Meta(minimum=1)]
    drawing: Choice
    length: Bucket
    familyFriendly: bool
    sessionId: Annotated[int, Meta(minimum=1)]
    excludePlayed: bool
