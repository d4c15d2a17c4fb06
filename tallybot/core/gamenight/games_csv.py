"""Games as CSV text: the export format, and reading an import with row-numbered errors.

The header row names the columns (in any order); ``pack_name``, ``title``, ``min_players``
and ``max_players`` are required. Booleans are written as 1/0 and read from 1/0, true/false
or yes/no. An empty cell means "not given".
"""

import csv
import io
import re
from collections.abc import Iterable
from typing import Any

from tallybot.core.errors import Invalid
from tallybot.core.gamenight.game_models import GameDetails

COLUMNS = (
    "pack_name",
    "title",
    "min_players",
    "max_players",
    "length_minutes",
    "has_audience",
    "family_friendly",
    "game_type",
    "secondary_type",
)
REQUIRED_COLUMNS = COLUMNS[:4]
_TRUE = {"1", "true", "yes"}
_FALSE = {"0", "false", "no"}


def format_csv(games: Iterable[GameDetails]) -> str:
    """The games as CSV text with a header row."""
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(COLUMNS)
    for game in games:
        writer.writerow(
            [
                game.pack_name,
                game.title,
                game.min_players,
                game.max_players,
                "" if game.length_minutes is None else game.length_minutes,
                int(game.has_audience),
                int(game.family_friendly),
                game.game_type or "",
                game.secondary_type or "",
            ]
        )
    return out.getvalue()


def parse_csv(text: str) -> list[tuple[int, GameDetails]]:
    """Each data row as (row number, details); row 1 is the header.

    Raises Invalid listing every bad row (``details["errors"]``) if any row is bad, so that
    an import can write all rows or none.
    """
    reader = csv.reader(io.StringIO(text.removeprefix("\ufeff")), strict=True)
    try:
        header = next((row for row in reader if row), None)
        if header is None:
            raise Invalid("The CSV is empty: it needs a header row")
        columns = _columns(header)
        rows = [(reader.line_num, row) for row in reader if any(cell.strip() for cell in row)]
    except csv.Error as exc:
        raise Invalid(f"The CSV could not be read (line {reader.line_num}): {exc}") from None
    parsed: list[tuple[int, GameDetails]] = []
    errors: list[dict[str, Any]] = []
    for number, row in rows:
        problems, details = _row(columns, row)
        earlier = next((seen for seen, other in parsed if details and other.same_name(details)), None)
        if earlier is not None:
            problems.append(f"repeats the game of row {earlier}")
        if problems:
            errors.append({"row": number, "message": "; ".join(problems)})
        elif details is not None:
            parsed.append((number, details))
    if errors:
        count = f"{len(errors)} bad row{'s' if len(errors) > 1 else ''}"
        raise Invalid(f"The CSV has {count}; nothing was imported", details={"errors": errors})
    return parsed


def _columns(header: list[str]) -> list[str]:
    columns = [name.strip().lower() for name in header]
    unknown = [name for name in columns if name not in COLUMNS]
    if unknown:
        raise Invalid(f"Unknown CSV column {unknown[0]!r}; the columns are {', '.join(COLUMNS)}")
    if len(set(columns)) != len(columns):
        raise Invalid("The CSV header names a column twice")
    missing = [name for name in REQUIRED_COLUMNS if name not in columns]
    if missing:
        raise Invalid(f"The CSV header needs the columns {', '.join(REQUIRED_COLUMNS)}")
    return columns


def _row(columns: list[str], row: list[str]) -> tuple[list[str], GameDetails | None]:
    if len(row) != len(columns):
        return [f"has {len(row)} fields but the header has {len(columns)}"], None
    cells = {name: cell.strip() for name, cell in zip(columns, row, strict=True)}
    problems: list[str] = []

    def whole(name: str) -> int | None:
        text = cells.get(name, "")
        if not text:
            return None
        if not re.fullmatch(r"-?[0-9]{1,9}", text):
            problems.append(f"{name} must be a whole number")
            return None
        return int(text)

    def flag(name: str, default: bool) -> bool:
        text = cells.get(name, "").lower()
        if text in _TRUE or text in _FALSE:
            return text in _TRUE
        if text:
            problems.append(f"{name} must be 1, 0, true, false, yes or no")
        return default

    min_players, max_players = whole("min_players"), whole("max_players")
    for name in ("min_players", "max_players"):
        if not cells[name]:
            problems.append(f"{name} is required")
    length_minutes = whole("length_minutes")
    has_audience = flag("has_audience", False)
    family_friendly = flag("family_friendly", True)
    if min_players is None or max_players is None:
        return problems, None
    details = GameDetails(
        pack_name=cells["pack_name"],
        title=cells["title"],
        min_players=min_players,
        max_players=max_players,
        length_minutes=length_minutes,
        has_audience=has_audience,
        family_friendly=family_friendly,
        game_type=cells.get("game_type") or None,
        secondary_type=cells.get("secondary_type") or None,
    )
    return problems + details.problems(), details
