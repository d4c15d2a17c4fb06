"""The JSON of the game-night sessions API beyond the core's own shapes: replies and the chat import report."""

from typing import Annotated, TypedDict

from tallybot.core.gamenight import ChatImportResult, GameStatusText, GameVotesJson
from tallybot.core.wire import Meta, UtcMillis, epoch_ms, utc_ms


class NoActiveSession(TypedDict):
    """What ``GET /api/sessions/active`` answers when no session is active."""

    session: None
    message: str


class SessionDeleted(TypedDict):
    """A session was deleted."""

    message: str
    sessionId: int


class SessionVotes(TypedDict):
    """A session's live votes per game, best net score first."""

    session_id: int
    votes: list[GameVotesJson]


class StatusSet(TypedDict):
    """A session game's new status."""

    message: str
    status: GameStatusText


class PlayerCountSet(TypedDict):
    """A session game's recorded player count."""

    message: str
    player_count: int | None


class ImportedTally(TypedDict):
    """A game's counters after a chat import."""

    title: str
    upvotes: int
    downvotes: int


class TimelineJson(TypedDict):
    """A game of the session, in the order votes are matched against."""

    title: str
    played_at: UtcMillis
    played_at_ms: int


class VoteMatchJson(TypedDict):
    """A vote from the chat log and the game it went to."""

    username: str
    vote: Annotated[str, Meta(enum=["thisgame++", "thisgame--"])]
    timestamp: str
    timestamp_ms: int
    matched_game: str
    game_played_at: UtcMillis


class ImportDebug(TypedDict):
    """How the votes of a chat import were matched to games."""

    sessionGamesTimeline: list[TimelineJson]
    voteMatches: list[VoteMatchJson]


class ChatImportJson(TypedDict):
    """What a chat import did; ``votesByGame`` is keyed by game id."""

    message: str
    messagesImported: int
    duplicatesSkipped: int
    votesProcessed: int
    votesByGame: dict[str, ImportedTally]
    debug: ImportDebug


def import_json(result: ChatImportResult) -> ChatImportJson:
    """The chat import report."""
    votes_by_game: dict[str, ImportedTally] = {
        str(game_id): {"title": tally.title, "upvotes": tally.upvotes, "downvotes": tally.downvotes}
        for game_id, tally in result.votes_by_game.items()
    }
    timeline: list[TimelineJson] = [
        {"title": entry.title, "played_at": utc_ms(entry.played_at), "played_at_ms": epoch_ms(entry.played_at)}
        for entry in result.timeline
    ]
    matches: list[VoteMatchJson] = [
        {
            "username": match.message.username,
            "vote": match.vote_type.chat_text,
            "timestamp": match.message.raw_timestamp,
            "timestamp_ms": epoch_ms(match.message.timestamp),
            "matched_game": match.game.title,
            "game_played_at": utc_ms(match.game.played_at),
        }
        for match in result.matches
    ]
    return {
        "message": "Chat log imported and processed successfully",
        "messagesImported": result.messages_imported,
        "duplicatesSkipped": result.duplicates_skipped,
        "votesProcessed": result.votes_processed,
        "votesByGame": votes_by_game,
        "debug": {"sessionGamesTimeline": timeline, "voteMatches": matches},
    }
