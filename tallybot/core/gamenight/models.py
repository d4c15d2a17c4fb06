"""Game-night values: sessions, the games played in them, votes, and their wire shapes.

The ``as_data`` methods give the JSON shapes that the HTTP API returns and that events
carry, so an overlay sees the same object from either.
"""

import unicodedata
from dataclasses import dataclass, field
from datetime import UTC, datetime
from enum import StrEnum

from tallybot.core.errors import Invalid
from tallybot.core.gamenight.shapes import (
    AddedGameJson,
    GameVotesJson,
    LiveVoteJson,
    NewSessionJson,
    SessionGameJson,
    SessionJson,
    TallyJson,
)
from tallybot.core.wire import utc_ms

BAD_TIMESTAMP = "Invalid timestamp format. Use ISO 8601 format (e.g., 2025-11-01T20:30:00Z)"


MAX_VOTER_NAME = 100


def voter_key(username: str) -> str:
    """The voter a name stands for, so that "Alice", "alice ", "ａｌｉｃｅ" and "alice" with a zero-width
    space are one voter to the 1-second rule: NFKC-normalised, case-folded, trimmed, and without
    format or control characters. The name itself is still shown as it was typed."""
    folded = unicodedata.normalize("NFKC", unicodedata.normalize("NFKC", username).casefold())
    return "".join(c for c in folded if unicodedata.category(c) not in ("Cc", "Cf")).strip()


class GameStatus(StrEnum):
    """Where a game stands in its session."""

    PLAYING = "playing"
    PLAYED = "played"
    SKIPPED = "skipped"


class VoteType(StrEnum):
    """An up or a down vote."""

    UP = "up"
    DOWN = "down"

    @property
    def chat_text(self) -> str:
        """How chat writes this vote."""
        return "thisgame++" if self is VoteType.UP else "thisgame--"


def parse_timestamp(text: str) -> datetime:
    """An ISO 8601 timestamp as an aware datetime; one without an offset is taken as UTC."""
    try:
        moment = datetime.fromisoformat(text.strip())
    except ValueError:
        raise Invalid(BAD_TIMESTAMP) from None
    return moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment.astimezone(UTC)


class ChatVoteOutcome(StrEnum):
    """What became of a chat message offered as a vote."""

    COUNTED = "counted"
    DUPLICATE = "duplicate"
    NO_GAME = "no_game"
    NO_SESSION = "no_session"
    NOT_A_VOTE = "not_a_vote"


@dataclass(frozen=True)
class GameNight:
    """One game night (a "session" in the API) of a community."""

    id: int
    community_id: int
    notes: str | None
    is_active: bool
    created_at: datetime
    closed_at: datetime | None
    games_played: int

    def as_new_data(self) -> NewSessionJson:
        """The session object of the API without ``games_played``, as the spec shows a new session."""
        return {
            "id": self.id,
            "notes": self.notes,
            "is_active": int(self.is_active),
            "created_at": utc_ms(self.created_at),
            "closed_at": None if self.closed_at is None else utc_ms(self.closed_at),
        }

    def as_data(self) -> SessionJson:
        """The session object of the API."""
        return {**self.as_new_data(), "games_played": self.games_played}


@dataclass(frozen=True)
class GameTally:
    """A game's vote counters in one community."""

    game_id: int
    title: str
    upvotes: int
    downvotes: int

    @property
    def popularity_score(self) -> int:
        """Up votes minus down votes."""
        return self.upvotes - self.downvotes

    def as_data(self) -> TallyJson:
        """The game object of a vote reply."""
        return {
            "id": self.game_id,
            "title": self.title,
            "upvotes": self.upvotes,
            "downvotes": self.downvotes,
            "popularity_score": self.popularity_score,
        }

    def totals(self) -> dict[str, int]:
        """The counters alone, as ``vote.received`` carries them."""
        return {"upvotes": self.upvotes, "downvotes": self.downvotes, "popularity_score": self.popularity_score}


@dataclass(frozen=True)
class SessionGame:
    """A game played in a session (``id`` is the session_games row), joined with the game."""

    id: int
    session_id: int
    game_id: int
    manually_added: bool
    status: GameStatus
    room_code: str | None
    played_at: datetime
    player_count: int | None
    player_count_check_status: str | None
    pack_name: str
    title: str
    game_type: str | None
    min_players: int
    max_players: int
    upvotes: int
    downvotes: int

    def as_added_data(self) -> AddedGameJson:
        """The shape the spec gives for a game just added to a session (and ``game.added``)."""
        return {
            "id": self.id,
            "session_id": self.session_id,
            "game_id": self.game_id,
            "manually_added": int(self.manually_added),
            "status": self.status.value,
            "room_code": self.room_code,
            "played_at": utc_ms(self.played_at),
            "pack_name": self.pack_name,
            "title": self.title,
            "game_type": self.game_type,
            "min_players": self.min_players,
            "max_players": self.max_players,
        }

    def as_data(self) -> SessionGameJson:
        """The full shape: the added shape plus the player count and the community's votes."""
        return {
            **self.as_added_data(),
            "player_count": self.player_count,
            "popularity_score": self.upvotes - self.downvotes,
            "upvotes": self.upvotes,
            "downvotes": self.downvotes,
        }


@dataclass(frozen=True)
class TimelineEntry:
    """A session game as vote matching sees it."""

    session_game_id: int
    game_id: int
    title: str
    played_at: datetime


@dataclass(frozen=True)
class Ballot:
    """One vote to be counted: who (as typed, and the voter that name stands for), which way, and when."""

    username: str
    vote_type: VoteType
    moment: datetime
    voter: str = field(init=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "voter", voter_key(self.username))


@dataclass(frozen=True)
class RecordedVote:
    """A live vote that was counted, with the game's counters after it."""

    session_id: int
    games_played: int
    game: GameTally
    username: str
    vote_type: VoteType
    timestamp: str


@dataclass(frozen=True)
class LiveVote:
    """A stored live vote, joined with its game."""

    id: int
    session_id: int
    session_game_id: int | None
    game_id: int
    title: str
    pack_name: str
    username: str
    vote_type: VoteType
    timestamp: datetime

    def as_data(self) -> LiveVoteJson:
        """The vote object of ``GET /api/votes``."""
        return {
            "id": self.id,
            "session_id": self.session_id,
            "session_game_id": self.session_game_id,
            "game_id": self.game_id,
            "title": self.title,
            "pack_name": self.pack_name,
            "username": self.username,
            "vote_type": self.vote_type.value,
            "timestamp": utc_ms(self.timestamp),
        }


@dataclass(frozen=True)
class VoteFilter:
    """Which live votes to list."""

    session_id: int | None = None
    game_id: int | None = None
    username: str | None = None
    vote_type: VoteType | None = None


@dataclass(frozen=True)
class VotePage:
    """One page of live votes and how many match in all."""

    votes: list[LiveVote]
    page: int
    limit: int
    total: int

    @property
    def total_pages(self) -> int:
        """How many pages of ``limit`` votes the matches fill."""
        return -(-self.total // self.limit)


@dataclass(frozen=True)
class GameVotes:
    """How one game fared in one session's live votes."""

    game_id: int
    title: str
    pack_name: str
    upvotes: int
    downvotes: int

    def as_data(self) -> GameVotesJson:
        """The entry of ``GET /api/sessions/{id}/votes``."""
        return {
            "game_id": self.game_id,
            "title": self.title,
            "pack_name": self.pack_name,
            "upvotes": self.upvotes,
            "downvotes": self.downvotes,
            "net_score": self.upvotes - self.downvotes,
            "total_votes": self.upvotes + self.downvotes,
        }


@dataclass(frozen=True)
class ChatLogEntry:
    """An imported chat message."""

    username: str
    message: str
    timestamp: datetime
    vote: VoteType | None


@dataclass(frozen=True)
class SessionExport:
    """Everything an export of a session contains."""

    session: GameNight
    games: list[SessionGame]
    chat_logs: list[ChatLogEntry]


@dataclass(frozen=True)
class ChatMessage:
    """A chat message to import; ``message_hash`` is the SHA-256 of ``username:message:timestamp``."""

    username: str
    message: str
    timestamp: datetime
    raw_timestamp: str
    message_hash: str
