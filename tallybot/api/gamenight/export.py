"""Session exports: the JSON document and the plain-text report of one game night."""

from typing import Annotated, TypedDict

from tallybot.core.gamenight import GameStatusText, SessionExport
from tallybot.core.wire import Meta, UtcMillis, utc_ms

ChatVote = Annotated[str, Meta(enum=["thisgame++", "thisgame--"])]


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
