"""What the game-night services need from outside: the catalogue, sessions, votes and Jackbox rooms."""

from collections.abc import AsyncGenerator, Mapping, Sequence
from datetime import datetime
from typing import Protocol

from tallybot.core.gamenight.game_models import Game, GameDetails
from tallybot.core.gamenight.models import (
    Ballot,
    ChatLogEntry,
    ChatMessage,
    GameNight,
    GameStatus,
    GameVotes,
    SessionGame,
    TimelineEntry,
    VoteFilter,
    VotePage,
    VoteType,
)


class GameRepository(Protocol):
    """The games catalogue, and each community's custom games and game and pack settings."""

    async def visible(self, community_id: int) -> list[Game]:
        """The catalogue plus the community's own games, as it sees them, ordered by pack and title."""

    async def get(self, community_id: int, game_id: int) -> Game | None:
        """One game the community can see."""

    async def add_catalogue(self, games: Sequence[GameDetails], created_at: datetime) -> int:
        """Insert the catalogue games that are not there yet; returns how many were new."""

    async def add(self, community_id: int, details: GameDetails, created_at: datetime) -> Game:
        """Insert a community's custom game."""

    async def update(self, community_id: int, game_id: int, details: GameDetails) -> Game:
        """Replace a custom game's details."""

    async def delete(self, game_id: int) -> None:
        """Remove a custom game (and every community's settings for it)."""

    async def is_played(self, game_id: int) -> bool:
        """True once a session or a live vote refers to the game."""

    async def set_enabled(self, community_id: int, game_ids: Sequence[int], enabled: bool) -> None:
        """Enable or disable games for one community."""

    async def set_favor(self, community_id: int, game_id: int, favor_bias: int) -> None:
        """Set a game's favour bias (-1, 0 or 1) for one community."""

    async def set_pack_favor(self, community_id: int, pack_name: str, favor_bias: int) -> None:
        """Set a pack's favour bias (-1, 0 or 1) for one community."""

    async def session_history(self, community_id: int, session_id: int) -> list[int] | None:
        """The ids of the games played in a session, oldest first; None if the community has no such session."""

    async def session_count(self, community_id: int) -> int:
        """How many game-night sessions the community has had."""


class GameNightRepository(Protocol):
    """Game-night sessions and the games played in them."""

    async def create(self, community_id: int, notes: str | None, created_at: datetime) -> GameNight:
        """Start a session (the caller has checked that none is active)."""

    async def get(self, community_id: int, session_id: int) -> GameNight | None:
        """The community's session with this id."""

    async def active(self, community_id: int) -> GameNight | None:
        """The community's active session, if any."""

    async def all(self, community_id: int) -> list[GameNight]:
        """Every session of the community, newest first."""

    async def close(self, session_id: int, notes: str | None, closed_at: datetime) -> None:
        """End a session: its playing game becomes played; ``notes`` replace the old ones if given."""

    async def delete(self, session_id: int) -> None:
        """Delete a session with its games, votes and chat logs."""

    async def add_game(
        self, session_id: int, game_id: int, manually_added: bool, room_code: str | None, played_at: datetime
    ) -> int:
        """Make a game the one playing (the playing one becomes played); returns the session_games id."""

    async def count_play(self, community_id: int, game_id: int) -> None:
        """Add one to the game's play count in the community."""

    async def games(self, community_id: int, session_id: int) -> list[SessionGame]:
        """The games of a session in the order they were played."""

    async def game(self, community_id: int, session_id: int, session_game_id: int) -> SessionGame | None:
        """One session game, by its session_games row id."""

    async def set_status(self, session_id: int, session_game_id: int, status: GameStatus) -> None:
        """Set a game's status; making one playing makes the session's other playing game played."""

    async def remove_game(self, session_game_id: int) -> None:
        """Take a game out of its session."""

    async def set_room_code(self, session_game_id: int, room_code: str) -> None:
        """Record the game's room code."""

    async def set_player_count(self, session_game_id: int, player_count: int, check_status: str) -> None:
        """Record how many played, and how the count check stands."""

    async def set_count_check(self, session_game_id: int, check_status: str) -> None:
        """Record how the player count check stands, keeping the count."""


class VoteRepository(Protocol):
    """Live votes, per-community vote counters and imported chat logs."""

    async def active_timeline(self, community_id: int) -> tuple[int, list[TimelineEntry]] | None:
        """The active session's id and its games; None without an active session."""

    async def timeline(self, session_id: int) -> list[TimelineEntry]:
        """A session's games in ``played_at`` order."""

    async def add_unless_near(
        self, session_id: int, entry: TimelineEntry, ballot: Ballot, after: datetime, before: datetime
    ) -> bool:
        """Store the vote unless its voter (``ballot.voter``) has one strictly between ``after`` and ``before``."""

    async def times_near(
        self, session_id: int, voters: Sequence[str], after: datetime, before: datetime
    ) -> dict[str, list[datetime]]:
        """The voters' vote times strictly between ``after`` and ``before``, keyed by voter key."""

    async def add_many(self, session_id: int, votes: Sequence[tuple[TimelineEntry, Ballot]]) -> None:
        """Store many votes at once."""

    async def add_to_tally(self, community_id: int, game_id: int, upvotes: int, downvotes: int) -> tuple[int, int]:
        """Add to a game's counters in the community; returns the new (upvotes, downvotes)."""

    async def add_to_tallies(
        self, community_id: int, deltas: Mapping[int, tuple[int, int]]
    ) -> dict[int, tuple[int, int]]:
        """``add_to_tally`` for many games at once; returns each game's new counters."""

    async def page(self, community_id: int, vote_filter: VoteFilter, page: int, limit: int) -> VotePage:
        """One page of the community's live votes matching the filter, newest first."""

    async def by_game(self, session_id: int) -> list[GameVotes]:
        """A session's live votes summed per game, best net score first."""

    async def known_hashes(self, session_id: int, hashes: Sequence[str]) -> set[str]:
        """Which of these message hashes the session's chat log already holds."""

    async def add_chat_logs(self, session_id: int, messages: Sequence[tuple[ChatMessage, VoteType | None]]) -> None:
        """Store chat messages with the vote each one reads as."""

    async def chat_logs(self, session_id: int) -> list[ChatLogEntry]:
        """A session's imported chat, oldest first."""


class RoomWatcher(Protocol):
    """Follows a Jackbox room's players (through ecast)."""

    def watch(self, room_code: str) -> AsyncGenerator[int, None]:
        """The player count, again after each change; ends when the room closes.

        Raises NotFound when there is no such room and Unavailable when it cannot be reached.
        """
