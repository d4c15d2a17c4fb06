"""Game-night catalogue values: games, the filters a host or the picker applies, and summaries.

A game is either part of the shipped catalogue (``community_id`` is None, shared by every
community) or a community's own custom game. What differs between communities (enabled,
favour bias, play count, votes) travels with the game as the asking community sees it.
"""

from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum

# The game type that the ``drawing`` filter looks for, as the original project did.
DRAWING_TYPE = "Drawing"
# Upper bounds (minutes) of the ``short`` and ``medium`` length buckets.
SHORT_MAX_MINUTES = 15
MEDIUM_MAX_MINUTES = 25
FAVOR_BIASES = (-1, 0, 1)
MAX_NAME_LENGTH = 100
# Generous bounds (Jackbox audiences reach 10,000) that keep numbers sane and storable.
MAX_PLAYERS = 10_000
MAX_LENGTH_MINUTES = 24 * 60


class Drawing(StrEnum):
    """Keep only drawing games, or leave them out."""

    ONLY = "only"
    EXCLUDE = "exclude"


class Length(StrEnum):
    """Length buckets: short is at most 15 minutes (or unknown), medium 16-25, long over 25."""

    SHORT = "short"
    MEDIUM = "medium"
    LONG = "long"


@dataclass(frozen=True)
class GameDetails:
    """What describes a game, as the catalogue ships it or a host enters it."""

    pack_name: str
    title: str
    min_players: int
    max_players: int
    length_minutes: int | None = None
    has_audience: bool = False
    family_friendly: bool = True
    game_type: str | None = None
    secondary_type: str | None = None

    def problems(self) -> list[str]:
        """Every rule the details break, worded for the person who entered them."""
        found: list[str] = []
        for name, value in (("pack_name", self.pack_name), ("title", self.title)):
            if not value.strip():
                found.append(f"{name} is required")
            elif len(value) > MAX_NAME_LENGTH:
                found.append(f"{name} must be at most {MAX_NAME_LENGTH} characters")
        for name, text in (("game_type", self.game_type), ("secondary_type", self.secondary_type)):
            if text is not None and len(text) > MAX_NAME_LENGTH:
                found.append(f"{name} must be at most {MAX_NAME_LENGTH} characters")
        if self.min_players < 1:
            found.append("min_players must be at least 1")
        if self.max_players < self.min_players:
            found.append("max_players must be at least min_players")
        if self.max_players > MAX_PLAYERS:
            found.append(f"max_players must be at most {MAX_PLAYERS}")
        if self.length_minutes is not None and not 1 <= self.length_minutes <= MAX_LENGTH_MINUTES:
            found.append(f"length_minutes must be from 1 to {MAX_LENGTH_MINUTES}")
        return found

    def same_name(self, other: "GameDetails") -> bool:
        """True if both name the same game: same pack and title, ignoring case and spacing."""
        return _key(self.pack_name, self.title) == _key(other.pack_name, other.title)


def _key(pack_name: str, title: str) -> tuple[str, str]:
    return pack_name.strip().casefold(), title.strip().casefold()


@dataclass(frozen=True)
class Game:
    """A game as one community sees it: its details plus that community's settings and counters."""

    id: int
    community_id: int | None
    details: GameDetails
    created_at: datetime
    enabled: bool = True
    favor_bias: int = 0
    pack_favor_bias: int = 0
    play_count: int = 0
    upvotes: int = 0
    downvotes: int = 0

    @property
    def popularity_score(self) -> int:
        """Upvotes minus downvotes."""
        return self.upvotes - self.downvotes

    @property
    def is_custom(self) -> bool:
        """True for a community's own game, False for the shared catalogue."""
        return self.community_id is not None


@dataclass(frozen=True)
class GameFilter:
    """The filters of ``GET /api/games`` and the picker; None means "any"."""

    enabled: bool | None = None
    player_count: int | None = None
    drawing: Drawing | None = None
    length: Length | None = None
    family_friendly: bool | None = None
    pack: str | None = None

    def matches(self, game: Game) -> bool:
        """True if the game passes every filter that is set."""
        details = game.details
        if self.enabled is not None and game.enabled != self.enabled:
            return False
        if self.player_count is not None and not details.min_players <= self.player_count <= details.max_players:
            return False
        if self.drawing is not None and (details.game_type == DRAWING_TYPE) != (self.drawing is Drawing.ONLY):
            return False
        if self.length is not None and length_of(details.length_minutes) is not self.length:
            return False
        if self.family_friendly is not None and details.family_friendly != self.family_friendly:
            return False
        return self.pack is None or details.pack_name == self.pack


def length_of(minutes: int | None) -> Length:
    """The bucket of a game length; an unknown length counts as short, as in the original project."""
    if minutes is None or minutes <= SHORT_MAX_MINUTES:
        return Length.SHORT
    return Length.MEDIUM if minutes <= MEDIUM_MAX_MINUTES else Length.LONG


@dataclass(frozen=True)
class Pack:
    """A pack as one community sees it, with counts over its games."""

    name: str
    favor_bias: int
    game_count: int
    enabled_count: int
    play_count: int


@dataclass(frozen=True)
class Pick:
    """The picker's answer: the game, how many games it was drawn from, and how many are enabled."""

    game: Game
    pool_size: int
    total_enabled: int


@dataclass(frozen=True)
class CatalogueStats:
    """Totals over a community's games and sessions, with its best and most played games."""

    total_games: int
    enabled_games: int
    total_packs: int
    total_sessions: int
    total_plays: int
    total_votes: int
    top_rated: tuple[Game, ...]
    most_played: tuple[Game, ...]


@dataclass(frozen=True)
class ImportReport:
    """What a CSV import did: new custom games, custom games updated, catalogue rows left alone."""

    imported: int
    updated: int
    skipped: int
