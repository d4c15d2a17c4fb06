"""The games catalogue in SQLite: shared and custom games, with per-community stats and pack settings.

A missing ``game_stats`` or ``pack_settings`` row means the defaults (enabled, no favour
bias, no plays, no votes), so the shipped catalogue costs nothing per community until a
community changes something.
"""

from collections.abc import Sequence
from datetime import datetime

from tallybot.core.gamenight import Game, GameDetails
from tallybot.storage.connection import Connection, Row
from tallybot.storage.convert import from_text, to_text

_SELECT = (
    "SELECT g.*, COALESCE(s.enabled, 1) AS enabled, COALESCE(s.favor_bias, 0) AS favor_bias, "
    "COALESCE(s.play_count, 0) AS play_count, COALESCE(s.upvotes, 0) AS upvotes, "
    "COALESCE(s.downvotes, 0) AS downvotes, COALESCE(p.favor_bias, 0) AS pack_favor_bias "
    "FROM games g "
    "LEFT JOIN game_stats s ON s.game_id = g.id AND s.community_id = :community "
    "LEFT JOIN pack_settings p ON p.pack_name = g.pack_name AND p.community_id = :community "
    "WHERE (g.community_id IS NULL OR g.community_id = :community) "
)


def _details_values(details: GameDetails) -> tuple[object, ...]:
    return (
        details.pack_name,
        details.title,
        details.min_players,
        details.max_players,
        details.length_minutes,
        int(details.has_audience),
        int(details.family_friendly),
        details.game_type,
        details.secondary_type,
    )


def _game(row: Row) -> Game:
    details = GameDetails(
        pack_name=row["pack_name"],
        title=row["title"],
        min_players=row["min_players"],
        max_players=row["max_players"],
        length_minutes=row["length_minutes"],
        has_audience=bool(row["has_audience"]),
        family_friendly=bool(row["family_friendly"]),
        game_type=row["game_type"],
        secondary_type=row["secondary_type"],
    )
    return Game(
        id=row["id"],
        community_id=row["community_id"],
        details=details,
        created_at=from_text(row["created_at"]),
        enabled=bool(row["enabled"]),
        favor_bias=row["favor_bias"],
        pack_favor_bias=row["pack_favor_bias"],
        play_count=row["play_count"],
        upvotes=row["upvotes"],
        downvotes=row["downvotes"],
    )


class SqliteGameRepository:
    """Implements ``GameRepository``."""

    def __init__(self, conn: Connection) -> None:
        self._conn = conn

    async def visible(self, community_id: int) -> list[Game]:
        """The catalogue plus the community's own games, as it sees them, ordered by pack and title."""
        query = _SELECT + "ORDER BY g.pack_name, g.title, g.id"
        async with self._conn.execute(query, {"community": community_id}) as cursor:
            rows = await cursor.fetchall()
        return [_game(row) for row in rows]

    async def get(self, community_id: int, game_id: int) -> Game | None:
        """One game the community can see."""
        query = _SELECT + "AND g.id = :game"
        async with self._conn.execute(query, {"community": community_id, "game": game_id}) as cursor:
            row = await cursor.fetchone()
        return None if row is None else _game(row)

    async def add_catalogue(self, games: Sequence[GameDetails], created_at: datetime) -> int:
        """Insert the catalogue games that are not there yet; returns how many were new."""
        query = (
            "INSERT INTO games (community_id, pack_name, title, min_players, max_players, length_minutes, "
            "has_audience, family_friendly, game_type, secondary_type, created_at) "
            "VALUES (NULL, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) "
            "ON CONFLICT (pack_name, title) WHERE community_id IS NULL DO NOTHING"
        )
        before = self._conn.total_changes
        stamp = to_text(created_at)
        await self._conn.executemany(query, [(*_details_values(game), stamp) for game in games])
        return self._conn.total_changes - before

    async def add(self, community_id: int, details: GameDetails, created_at: datetime) -> Game:
        """Insert a community's custom game."""
        query = (
            "INSERT INTO games (community_id, pack_name, title, min_players, max_players, length_minutes, "
            "has_audience, family_friendly, game_type, secondary_type, created_at) "
            "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) "
            "RETURNING id"
        )
        params = (community_id, *_details_values(details), to_text(created_at))
        async with self._conn.execute(query, params) as cursor:
            row = await cursor.fetchone()
        assert row is not None
        return await self._must_get(community_id, row["id"])

    async def update(self, community_id: int, game_id: int, details: GameDetails) -> Game:
        """Replace a custom game's details."""
        query = (
            "UPDATE games SET pack_name = ?, title = ?, min_players = ?, max_players = ?, length_minutes = ?, "
            "has_audience = ?, family_friendly = ?, game_type = ?, secondary_type = ? "
            "WHERE id = ? AND community_id = ?"
        )
        await self._conn.execute(query, (*_details_values(details), game_id, community_id))
        return await self._must_get(community_id, game_id)

    async def delete(self, game_id: int) -> None:
        """Remove a custom game (and every community's settings for it)."""
        query = "DELETE FROM games WHERE id = ? AND community_id IS NOT NULL"
        await self._conn.execute(query, (game_id,))

    async def is_played(self, game_id: int) -> bool:
        """True once a session or a live vote refers to the game."""
        query = (
            "SELECT EXISTS (SELECT 1 FROM session_games WHERE game_id = :game) "
            "OR EXISTS (SELECT 1 FROM live_votes WHERE game_id = :game) AS played"
        )
        async with self._conn.execute(query, {"game": game_id}) as cursor:
            row = await cursor.fetchone()
        return row is not None and bool(row["played"])

    async def set_enabled(self, community_id: int, game_ids: Sequence[int], enabled: bool) -> None:
        """Enable or disable games for one community."""
        query = (
            "INSERT INTO game_stats (community_id, game_id, enabled) VALUES (?, ?, ?) "
            "ON CONFLICT (community_id, game_id) DO UPDATE SET enabled = excluded.enabled"
        )
        await self._conn.executemany(query, [(community_id, game_id, int(enabled)) for game_id in game_ids])

    async def set_favor(self, community_id: int, game_id: int, favor_bias: int) -> None:
        """Set a game's favour bias (-1, 0 or 1) for one community."""
        query = (
            "INSERT INTO game_stats (community_id, game_id, favor_bias) VALUES (?, ?, ?) "
            "ON CONFLICT (community_id, game_id) DO UPDATE SET favor_bias = excluded.favor_bias"
        )
        await self._conn.execute(query, (community_id, game_id, favor_bias))

    async def set_pack_favor(self, community_id: int, pack_name: str, favor_bias: int) -> None:
        """Set a pack's favour bias (-1, 0 or 1) for one community."""
        query = (
            "INSERT INTO pack_settings (community_id, pack_name, favor_bias) VALUES (?, ?, ?) "
            "ON CONFLICT (community_id, pack_name) DO UPDATE SET favor_bias = excluded.favor_bias"
        )
        await self._conn.execute(query, (community_id, pack_name, favor_bias))

    async def session_history(self, community_id: int, session_id: int) -> list[int] | None:
        """The ids of the games played in a session, oldest first; None if the community has no such session."""
        query = "SELECT 1 FROM gamenight_sessions WHERE id = ? AND community_id = ?"
        async with self._conn.execute(query, (session_id, community_id)) as cursor:
            if await cursor.fetchone() is None:
                return None
        query = "SELECT game_id FROM session_games WHERE session_id = ? ORDER BY played_at, id"
        async with self._conn.execute(query, (session_id,)) as cursor:
            rows = await cursor.fetchall()
        return [row["game_id"] for row in rows]

    async def session_count(self, community_id: int) -> int:
        """How many game-night sessions the community has had."""
        query = "SELECT COUNT(*) AS sessions FROM gamenight_sessions WHERE community_id = ?"
        async with self._conn.execute(query, (community_id,)) as cursor:
            row = await cursor.fetchone()
        return 0 if row is None else int(row["sessions"])

    async def _must_get(self, community_id: int, game_id: int) -> Game:
        game = await self.get(community_id, game_id)
        assert game is not None
        return game
