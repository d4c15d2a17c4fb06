"""The weighted random choice behind ``POST /api/pick``.

A game's weight is the product of three factors:

- its own favour bias: favoured (1) x3, neutral (0) x1, disfavoured (-1) x0.2, as in the
  original project;
- its pack's favour bias, with the same three factors;
- its popularity (upvotes minus downvotes): ``1 + popularity / 10``, kept within 0.5 and 2,
  so that each net vote moves the weight by a tenth and chat can at most double a game's
  chances or halve them.

So a favoured game in a favoured pack with a popularity of +10 weighs 3 x 3 x 2 = 18 times a
neutral game nobody voted on. Every weight stays above zero: a disfavoured game still comes
up now and then, it is only rare.
"""

import random
from collections.abc import Sequence

from tallybot.core.gamenight.game_models import Game

FAVOR_FACTORS = {1: 3.0, 0: 1.0, -1: 0.2}
POPULARITY_STEP = 10
MIN_POPULARITY_FACTOR = 0.5
MAX_POPULARITY_FACTOR = 2.0
# With a session, the picker skips this many of the games played last.
RECENT_GAMES = 2


def popularity_factor(popularity_score: int) -> float:
    """The weight factor for a game's popularity: 1 + score/10, clamped to [0.5, 2]."""
    factor = 1 + popularity_score / POPULARITY_STEP
    return min(MAX_POPULARITY_FACTOR, max(MIN_POPULARITY_FACTOR, factor))


def weight(game: Game) -> float:
    """How likely the game is to be picked, relative to the others in the pool."""
    return (
        FAVOR_FACTORS[game.favor_bias] * FAVOR_FACTORS[game.pack_favor_bias] * popularity_factor(game.popularity_score)
    )


def choose(pool: Sequence[Game], rng: random.Random) -> Game:
    """One game from a non-empty pool, drawn with probability proportional to its weight."""
    return rng.choices(pool, weights=[weight(game) for game in pool])[0]


def excluded_ids(played: Sequence[int], exclude_all: bool) -> set[int]:
    """The games a session rules out: the last two played, or every one with ``exclude_all``."""
    return set(played) if exclude_all else set(played[-RECENT_GAMES:])
