"""The shipped Jackbox catalogue: ``tallybot/data/jackbox_games.json``, read and checked."""

import json
from importlib import resources
from typing import Any

from tallybot.core.gamenight.game_models import GameDetails

CATALOGUE_FILE = "jackbox_games.json"
_FIELDS: dict[str, type | tuple[type, ...]] = {
    "pack_name": str,
    "title": str,
    "game_type": (str, type(None)),
    "secondary_type": (str, type(None)),
    "min_players": int,
    "max_players": int,
    "length_minutes": (int, type(None)),
    "has_audience": bool,
    "family_friendly": bool,
}


def parse_catalogue(entries: Any) -> list[GameDetails]:
    """The catalogue's games; ValueError names the first entry that is not a valid game."""
    if not isinstance(entries, list):
        raise ValueError("the catalogue must be a JSON list of games")
    games: list[GameDetails] = []
    for index, entry in enumerate(entries):
        if not isinstance(entry, dict) or set(entry) != set(_FIELDS):
            raise ValueError(f"catalogue entry {index}: needs exactly the fields {', '.join(_FIELDS)}")
        for name, kind in _FIELDS.items():
            value = entry[name]
            if not isinstance(value, kind) or (isinstance(value, bool) and kind is not bool):
                raise ValueError(f"catalogue entry {index}: {name} has the wrong type")
        game = GameDetails(**entry)
        problems = game.problems() + [f"repeats entry {games.index(other)}" for other in games if other.same_name(game)]
        if problems:
            raise ValueError(f"catalogue entry {index} ({game.title}): {'; '.join(problems)}")
        games.append(game)
    return games


def load_catalogue() -> list[GameDetails]:
    """Every game of the shipped catalogue."""
    text = resources.files("tallybot.data").joinpath(CATALOGUE_FILE).read_text(encoding="utf-8")
    return parse_catalogue(json.loads(text))
