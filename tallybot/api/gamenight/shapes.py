"""The JSON of the game-night sessions API beyond the core's own shapes: replies and the chat import report."""

from typing import Annotated, Literal, NotRequired, TypedDict

from tallybot.core.gamenight import (
    ChatImportResult,
    GameStatusText,
    GameVotesJson,
    LiveVoteJson,
    SessionExport,
    TallyJson,
    VoteTypeText,
)
from tallybot.core.wire import Meta, UtcMillis, epoch_ms, utc_ms

RowId = Annotated[int, Meta(minimum=0, description="A row id; anything else is not found")]
WholeNumber = int | Annotated[str, Meta(pattern=r"^\s*-?[0-9]{1,18}\s*$")]
ChatVote = Annotated[str, Meta(enum=["thisgame++", "thisgame--"])]


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


class SessionPath(TypedDict):
    """A session's id."""

    id: RowId


class SessionGamePath(TypedDict):
    """A session's id and a session_games row id (not a game id)."""

    session_id: RowId
    session_game_id: RowId


class AddGame(TypedDict):
    """The game to play now; a room code starts the room monitor."""

    game_id: WholeNumber
    manually_added: NotRequired[bool | Literal["true", "false"] | None]
    room_code: NotRequired[str | None]


class ChatLine(TypedDict, total=False):
    """A chat message; the timestamp is ISO 8601 or milliseconds since 1970. Incomplete lines are skipped."""

    username: str
    message: str
    timestamp: str | float


class ChatImport(TypedDict):
    """A chat log whose ``thisgame++`` / ``thisgame--`` messages count as votes."""

    chatData: list[ChatLine]


class NewStatus(TypedDict):
    """The session game's new status."""

    status: GameStatusText


class NewRoomCode(TypedDict):
    """Four characters, A-Z and 0-9."""

    room_code: str | None


class NewPlayerCount(TypedDict):
    """How many played; empty or null clears it."""

    player_count: WholeNumber | None


class LiveVote(TypedDict):
    """A vote from chat: who, which way, and when (ISO 8601)."""

    username: str
    vote: VoteTypeText
    timestamp: str


class VoteSession(TypedDict):
    """The active session the vote went to."""

    id: int
    games_played: int


class VoteCast(TypedDict):
    """The vote as it was counted."""

    username: str
    type: VoteTypeText
    timestamp: str


class VoteRecorded(TypedDict):
    """A counted vote, with the game's counters after it."""

    success: Literal[True]
    message: str
    session: VoteSession
    game: TallyJson
    vote: VoteCast


class Pagination(TypedDict):
    """Where this page is among all the matches."""

    page: int
    limit: int
    total: int
    totalPages: int


class VotePageJson(TypedDict):
    """A page of live votes, newest first."""

    votes: list[LiveVoteJson]
    pagination: Pagination


class AdminLogin(TypedDict):
    """An admin key from bot.toml, or a host's live token."""

    key: NotRequired[str | None]


class LoggedIn(TypedDict):
    """A host bearer token that expires after 24 hours."""

    token: str
    message: str
    expiresIn: Literal["24h"]


class Verified(TypedDict):
    """The token is a live host token for this community."""

    valid: Literal[True]
    role: Literal["host"]
    community: str


class MonitorStatus(TypedDict):
    """What the room monitor is doing for the game now."""

    message: str
    status: str


class ExportedSession(TypedDict):
    """The session, with true/false flags."""

    id: int
    created_at: UtcMillis
    closed_at: UtcMillis | None
    is_active: bool
    notes: str | None
    games_played: int


class ExportedGame(TypedDict):
    """A game played in the session; ``players`` is the range such as ``3-8``."""

    title: str
    pack: str
    players: str
    type: str | None
    played_at: UtcMillis
    manually_added: bool
    status: GameStatusText


class ExportedChat(TypedDict):
    """An imported chat message, and the vote it counted as, if any."""

    username: str
    message: str
    timestamp: UtcMillis
    vote: ChatVote | None


class ExportJson(TypedDict):
    """A session as a JSON download: the session, its games and its imported chat."""

    session: ExportedSession
    games: list[ExportedGame]
    chat_logs: list[ExportedChat]


def export_json(export: SessionExport) -> ExportJson:
    """The JSON export: the session, its games and its imported chat."""
    session = export.session
    return {
        "session": {
            "id": session.id,
            "created_at": utc_ms(session.created_at),
            "closed_at": None if session.closed_at is None else utc_ms(session.closed_at),
            "is_active": session.is_active,
            "notes": session.notes,
            "games_played": session.games_played,
        },
        "games": [
            {
                "title": game.title,
                "pack": game.pack_name,
                "players": f"{game.min_players}-{game.max_players}",
                "type": game.game_type,
                "played_at": utc_ms(game.played_at),
                "manually_added": game.manually_added,
                "status": game.status.value,
            }
            for game in export.games
        ],
        "chat_logs": [
            {
                "username": entry.username,
                "message": entry.message,
                "timestamp": utc_ms(entry.timestamp),
                "vote": None if entry.vote is None else entry.vote.chat_text,
            }
            for entry in export.chat_logs
        ],
    }


def _heading(title: str) -> list[str]:
    return [title, "=" * len(title)]


def export_text(export: SessionExport) -> str:
    """The plain-text export: a header, the games in order, then the chat log."""
    session = export.session
    lines = _heading(f"GAME NIGHT SESSION {session.id}")
    lines.append(f"Created: {utc_ms(session.created_at)}")
    lines.append("Status: active" if session.closed_at is None else f"Closed: {utc_ms(session.closed_at)}")
    if session.notes:
        lines.append(f"Notes: {session.notes}")
    lines.append(f"Games played: {session.games_played}")
    lines += ["", *_heading("GAMES")]
    if not export.games:
        lines.append("(none)")
    for number, game in enumerate(export.games, start=1):
        details = [f"Players: {game.min_players}-{game.max_players}", f"Status: {game.status.value}"]
        if game.game_type:
            details.insert(1, f"Type: {game.game_type}")
        if game.manually_added:
            details.append("Manually added")
        lines.append(f"{number}. {game.title} ({game.pack_name})")
        lines.append("   " + " | ".join(details))
        lines.append(f"   Played at: {utc_ms(game.played_at)}")
    lines += ["", *_heading("CHAT LOG")]
    if not export.chat_logs:
        lines.append("(none)")
    for entry in export.chat_logs:
        vote = "" if entry.vote is None else f"  [vote: {entry.vote.value}]"
        lines.append(f"[{utc_ms(entry.timestamp)}] {entry.username}: {entry.message}{vote}")
    return "\n".join(lines) + "\n"
