"""Finding a game by the title a host typed: any case, a unique part of it, or "Title (Pack)".

Some titles exist in more than one pack, so a game's *label* is its title alone when
that is unique and ``Title (Pack)`` otherwise; labels are what chat suggests and lists.
"""

import difflib
import re
from collections import Counter
from collections.abc import Sequence

from tallybot.core.errors import Invalid, NotFound
from tallybot.core.gamenight.game_models import Game

# Listing more than this many games in one chat line helps nobody.
MAX_LISTED = 5
_ROOM_CODE = re.compile(r"[A-Za-z0-9]{4}")


def _norm(text: str) -> str:
    return " ".join(text.casefold().split())


def labels(games: Sequence[Game]) -> dict[int, str]:
    """Each game's label, by game id."""
    counts = Counter(_norm(game.details.title) for game in games)
    return {
        game.id: game.details.title
        if counts[_norm(game.details.title)] == 1
        else f"{game.details.title} ({game.details.pack_name})"
        for game in games
    }


def _listing(names: Sequence[str]) -> str:
    shown = ", ".join(names[:MAX_LISTED])
    return shown + (f" and {len(names) - MAX_LISTED} more" if len(names) > MAX_LISTED else "")


def find(games: Sequence[Game], text: str) -> Game:
    """The one game ``text`` names: by its label or title (any case), else by a part only it has.

    NotFound lists close matches; Invalid lists the games the text could mean.
    """
    wanted = _norm(text)
    named = labels(games)
    exact = [game for game in games if wanted in (_norm(named[game.id]), _norm(game.details.title))]
    partial = exact or [game for game in games if wanted and wanted in _norm(named[game.id])]
    if len(partial) == 1:
        return partial[0]
    if partial:
        raise Invalid(f"{text.strip()!r} could be {_listing([named[game.id] for game in partial])}: say which one")
    by_title: dict[str, list[str]] = {}
    for game in games:
        by_title.setdefault(_norm(game.details.title), []).append(named[game.id])
    close = difflib.get_close_matches(wanted, list(by_title), n=MAX_LISTED, cutoff=0.6)
    hint = f" Did you mean {_listing([name for title in close for name in by_title[title]])}?" if close else ""
    raise NotFound(f"No game is called {text.strip()!r}.{hint}")


def find_with_room_code(games: Sequence[Game], text: str) -> tuple[Game, str | None]:
    """The game ``text`` names, and a room code if the text ends with one.

    The whole text is tried as a title first, so a title that ends with a four-letter
    word (Word Spud) is not mistaken for a title and a room code.
    """
    words = text.split()
    try:
        return find(games, text), None
    except (NotFound, Invalid) as whole_text:
        if len(words) < 2 or not _ROOM_CODE.fullmatch(words[-1]):
            raise
        try:
            return find(games, " ".join(words[:-1])), words[-1].upper()
        except (NotFound, Invalid):
            raise whole_text from None


def suggest(games: Sequence[Game], typed: str, limit: int) -> list[str]:
    """Up to ``limit`` labels containing what was typed, those starting with it first."""
    wanted = _norm(typed)
    names = sorted(labels(games).values(), key=str.casefold)
    starting = [name for name in names if _norm(name).startswith(wanted)]
    containing = [name for name in names if wanted in _norm(name) and name not in starting]
    return (starting + containing)[:limit]
