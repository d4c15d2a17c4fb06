"""Game-night sessions and the games played in them, in SQLite.

Every statement is one round trip to the database thread (``execute_fetchall`` rather
than a cursor and its fetches): on the vote path, round trips are what costs.
"""

from collections.abc import Sequence
from datetime import datetime

from tallybot.core.gamenight import GameNight, GameStatus, SessionGame
from tallybot.storage.connection import Connection, Row
from tallybot.storage.convert import from_text, maybe_from_text, to_text


async def first_row(conn: Connection, query: str, params: Sequence[object]) -> Row | None:
    """The first row a statement returns, in one round trip to the database thread."""
    rows = await conn.execute_fetchall(query, params)
    return next(iter(rows), None)


_SELECT_SESSION = (
    "SELECT s.*, (SELECT COUNT(*) FROM session_games sg WHERE sg.session_id = s.id) AS games_played "
    "FROM gamenight_sessions s "
)

_SELECT_GAME = (
    "SELECT sg.*, g.pack_name, g.title, g.game_type, g.min_players, g.max_players, "
    "COALESCE(st.upvotes, 0) AS upvotes, COALESCE(st.downvotes, 0) AS downvotes "
    "FROM session_games sg "
    "JOIN gamenight_sessions s ON s.id = sg.session_id "
    "JOIN games g ON g.id = sg.game_id "
    "LEFT JOIN game_stats st ON st.community_id = s.community_id AND st.game_id = sg.game_id "
)


def _session(row: Row) -> GameNight:
    return GameNight(
        id=row["id"],
        community_id=row["community_id"],
        notes=row["notes"],
        is_active=bool(row["is_active"]),
        created_at=from_text(row["created_at"]),
        closed_at=maybe_from_text(row["closed_at"]),
        games_played=row["games_played"],
    )


def _session_game(row: Row) -> SessionGame:
    return SessionGame(
        id=row["id"],
        session_id=row["session_id"],
        game_id=row["game_id"],
        manually_added=bool(row["manually_added"]),
        status=GameStatus(row["status"]),
        room_code=row["room_code"],
        played_at=from_text(row["played_at"]),
        player_count=row["player_count"],
        player_count_check_status=row["player_count_check_status"],
        pack_name=row["pack_name"],
        title=row["title"],
        game_type=row["game_type"],
        min_players=row["min_players"],
        max_players=row["max_players"],
        upvotes=row["upvotes"],
        downvotes=row["downvotes"],
    )


class SqliteGameNightRepository:
    """Implements ``GameNightRepository``."""

    def __init__(self, conn: Connection) -> None:
        self._conn = conn

    async def _sessions(self, query: str, params: tuple[object, ...]) -> list[GameNight]:
        rows = await self._conn.execute_fetchall(query, params)
        return [_session(row) for row in rows]

    async def create(self, community_id: int, notes: str | None, created_at: datetime) -> GameNight:
        """Start a session (the caller has checked that none is active)."""
        query = "INSERT INTO gamenight_sessions (community_id, notes, created_at) VALUES (?, ?, ?) RETURNING id"
        row = await first_row(self._conn, query, (community_id, notes, to_text(created_at)))
        assert row is not None
        return GameNight(row["id"], community_id, notes, True, created_at, None, 0)

    async def get(self, community_id: int, session_id: int) -> GameNight | None:
        """The community's session with this id."""
        query = _SELECT_SESSION + "WHERE s.community_id = ? AND s.id = ?"
        found = await self._sessions(query, (community_id, session_id))
        return found[0] if found else None

    async def active(self, community_id: int) -> GameNight | None:
        """The community's active session, if any."""
        query = _SELECT_SESSION + "WHERE s.community_id = ? AND s.is_active = 1"
        found = await self._sessions(query, (community_id,))
        return found[0] if found else None

    async def all(self, community_id: int) -> list[GameNight]:
        """Every session of the community, newest first."""
        query = _SELECT_SESSION + "WHERE s.community_id = ? ORDER BY s.created_at DESC, s.id DESC"
        return await self._sessions(query, (community_id,))

    async def close(self, session_id: int, notes: str | None, closed_at: datetime) -> None:
        """End a session: its playing game becomes played; ``notes`` replace the old ones if given."""
        query = "UPDATE session_games SET status = 'played' WHERE session_id = ? AND status = 'playing'"
        await self._conn.execute(query, (session_id,))
        query = "UPDATE gamenight_sessions SET is_active = 0, closed_at = ?, notes = COALESCE(?, notes) WHERE id = ?"
        await self._conn.execute(query, (to_text(closed_at), notes, session_id))

    async def delete(self, session_id: int) -> None:
        """Delete a session; its games, votes and chat logs go with it (ON DELETE CASCADE)."""
        query = "DELETE FROM gamenight_sessions WHERE id = ?"
        await self._conn.execute(query, (session_id,))

    async def add_game(
        self, session_id: int, game_id: int, manually_added: bool, room_code: str | None, played_at: datetime
    ) -> int:
        """Make a game the one playing: the playing one becomes played, skipped ones stay skipped."""
        query = "UPDATE session_games SET status = 'played' WHERE session_id = ? AND status = 'playing'"
        await self._conn.execute(query, (session_id,))
        query = (
            "INSERT INTO session_games (session_id, game_id, manually_added, room_code, played_at) "
            "VALUES (?, ?, ?, ?, ?) RETURNING id"
        )
        params = (session_id, game_id, int(manually_added), room_code, to_text(played_at))
        row = await first_row(self._conn, query, params)
        assert row is not None
        return int(row["id"])

    async def count_play(self, community_id: int, game_id: int) -> None:
        """Add one to the game's play count in the community."""
        query = (
            "INSERT INTO game_stats (community_id, game_id, play_count) VALUES (?, ?, 1) "
            "ON CONFLICT (community_id, game_id) DO UPDATE SET play_count = play_count + 1"
        )
        await self._conn.execute(query, (community_id, game_id))

    async def games(self, community_id: int, session_id: int) -> list[SessionGame]:
        """The games of a session in the order they were played."""
        query = _SELECT_GAME + "WHERE s.community_id = ? AND sg.session_id = ? ORDER BY sg.played_at, sg.id"
        rows = await self._conn.execute_fetchall(query, (community_id, session_id))
        return [_session_game(row) for row in rows]

    async def game(self, community_id: int, session_id: int, session_game_id: int) -> SessionGame | None:
        """One session game, by its session_games row id."""
        query = _SELECT_GAME + "WHERE s.community_id = ? AND sg.session_id = ? AND sg.id = ?"
        row = await first_row(self._conn, query, (community_id, session_id, session_game_id))
        return None if row is None else _session_game(row)

    async def set_status(self, session_id: int, session_game_id: int, status: GameStatus) -> None:
        """Set a game's status; making one playing makes the session's other playing game played."""
        if status is GameStatus.PLAYING:
            query = "UPDATE session_games SET status = 'played' WHERE session_id = ? AND status = 'playing' AND id != ?"
            await self._conn.execute(query, (session_id, session_game_id))
        query = "UPDATE session_games SET status = ? WHERE id = ?"
        await self._conn.execute(query, (status.value, session_game_id))

    async def remove_game(self, session_game_id: int) -> None:
        """Take a game out of its session; its votes stay, no longer tied to the row."""
        query = "DELETE FROM session_games WHERE id = ?"
        await self._conn.execute(query, (session_game_id,))

    async def set_room_code(self, session_game_id: int, room_code: str) -> None:
        """Record the game's room code."""
        query = "UPDATE session_games SET room_code = ? WHERE id = ?"
        await self._conn.execute(query, (room_code, session_game_id))

    async def set_player_count(self, session_game_id: int, player_count: int, check_status: str) -> None:
        """Record how many played, and how the count check stands."""
        query = "UPDATE session_games SET player_count = ?, player_count_check_status = ? WHERE id = ?"
        await self._conn.execute(query, (player_count, check_status, session_game_id))

    async def set_count_check(self, session_game_id: int, check_status: str) -> None:
        """Record how the player count check stands, keeping the count."""
        query = "UPDATE session_games SET player_count_check_status = ? WHERE id = ?"
        await self._conn.execute(query, (check_status, session_game_id))
