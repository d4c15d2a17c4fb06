"""The JSON shapes that core values take, in the HTTP API and in events alike.

They are TypedDicts, so that mypy holds every ``as_data`` to its shape and the OpenAPI
document (``api/openapi.py``) describes the same shape. Booleans that the game-night API
writes as 0/1 stay ``int``; their schema says which values they take.
"""

from typing import Annotated, Any, TypedDict, TypeVar

T = TypeVar("T")


class Meta:
    """JSON Schema keywords for ``Annotated[X, Meta(...)]``, merged into X's schema."""

    def __init__(self, **keywords: Any) -> None:
        self.keywords = keywords


def open_shape(cls: T) -> T:
    """Mark a TypedDict whose real bodies may carry more keys (such as an error's details)."""
    setattr(cls, "__open_shape__", True)  # noqa: B010 - TypedDict classes take no class attributes
    return cls


Flag = Annotated[int, Meta(enum=[0, 1], description="1 for true, 0 for false, as the game-night API writes them")]
UtcMillis = Annotated[str, Meta(format="date-time", examples=["2026-03-15T19:00:00.000Z"])]
GameStatusText = Annotated[str, Meta(enum=["playing", "played", "skipped"])]
VoteTypeText = Annotated[str, Meta(enum=["up", "down"])]


class NewSessionJson(TypedDict):
    """A game-night session, as it is when just created."""

    id: int
    notes: str | None
    is_active: Flag
    created_at: UtcMillis
    closed_at: UtcMillis | None


class SessionJson(NewSessionJson):
    """A game-night session with the count of games played in it."""

    games_played: int


class TallyJson(TypedDict):
    """A game's vote counters, as a live vote's reply gives them."""

    id: int
    title: str
    upvotes: int
    downvotes: int
    popularity_score: int


class AddedGameJson(TypedDict):
    """A game just added to a session (``id`` is the session_games row, not the game)."""

    id: int
    session_id: int
    game_id: int
    manually_added: Flag
    status: GameStatusText
    room_code: str | None
    played_at: UtcMillis
    pack_name: str
    title: str
    game_type: str | None
    min_players: int
    max_players: int


class SessionGameJson(AddedGameJson):
    """A game of a session, with its player count and the community's votes on it."""

    player_count: int | None
    popularity_score: int
    upvotes: int
    downvotes: int


class LiveVoteJson(TypedDict):
    """A stored live vote, as ``GET /api/votes`` lists it."""

    id: int
    session_id: int
    session_game_id: int | None
    game_id: int
    title: str
    pack_name: str
    username: str
    vote_type: VoteTypeText
    timestamp: UtcMillis


class GameVotesJson(TypedDict):
    """How one game fared in one session's live votes."""

    game_id: int
    title: str
    pack_name: str
    upvotes: int
    downvotes: int
    net_score: int
    total_votes: int


class CardJson(TypedDict):
    """One participant's card in a revealed round."""

    participant_id: str
    vote: str


class RoundResultJson(TypedDict):
    """A revealed planning-poker round: every card, statistics over the numeric ones, and whether
    the team agrees. The statistics are null when no card is a number."""

    round: int
    votes: list[CardJson]
    min: int | float | None
    max: int | float | None
    median: int | float | None
    mean: int | float | None
    consensus: bool
    outliers: list[str]
