"""The JSON shapes of game-night values, in events and in the HTTP API alike.

Booleans that the game-night API writes as 0/1 stay ``int`` (``Flag``); their schema says
which values they take. Shapes that only the HTTP API returns are in ``api/gamenight``.
"""

from typing import Annotated, TypedDict

from tallybot.core.wire import Flag, Meta, UtcMillis

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
