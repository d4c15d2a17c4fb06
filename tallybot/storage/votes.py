"""Live votes, per-community vote counters and imported chat logs, in SQLite.

Bulk paths use ``executemany`` and ``json_each`` so that a batch of any size costs a
fixed number of statements.
"""

import json
from collections.abc import Mapping, Sequence
from datetime import datetime

from tallybot.core.gamenight import (
    Ballot,
    ChatLogEntry,
    ChatMessage,
    GameVotes,
    LiveVote,
    TimelineEntry,
    VoteFilter,
    VotePage,
    VoteType,
)
from tallybot.storage.connection import Connection, Row
from tallybot.storage.convert import from_text, to_text
from tallybot.storage.gamenight import first_row

_TIMELINE = (
    "SELECT sg.id AS session_game_id, sg.game_id, g.title, sg.played_at "
    "FROM session_games sg JOIN games g ON g.id = sg.game_id "
)

_TALLY = (
    "INSERT INTO game_stats (community_id, game_id, upvotes, downvotes) VALUES (?, ?, ?, ?) "
    "ON CONFLICT (community_id, game_id) DO UPDATE "
    "SET upvotes = upvotes + excluded.upvotes, downvotes = downvotes + excluded.downvotes"
)


# Each filter is (value, value): a NULL value matches every vote.
_MATCHING_VOTES = (
    "FROM live_votes lv JOIN gamenight_sessions s ON s.id = lv.session_id JOIN games g ON g.id = lv.game_id "
    "WHERE s.community_id = ? AND (? IS NULL OR lv.session_id = ?) AND (? IS NULL OR lv.game_id = ?) "
    "AND (? IS NULL OR lv.username = ?) AND (? IS NULL OR lv.vote_type = ?) "
)


def _entry(row: Row) -> TimelineEntry:
    return TimelineEntry(row["session_game_id"], row["game_id"], row["title"], from_text(row["played_at"]))


def _live_vote(row: Row) -> LiveVote:
    return LiveVote(
        id=row["id"],
        session_id=row["session_id"],
        session_game_id=row["session_game_id"],
        game_id=row["game_id"],
        title=row["title"],
        pack_name=row["pack_name"],
        username=row["username"],
        vote_type=VoteType(row["vote_type"]),
        timestamp=from_text(row["timestamp"]),
    )


class SqliteVoteRepository:
    """Implements ``VoteRepository``."""

    def __init__(self, conn: Connection) -> None:
        self._conn = conn

    async def active_timeline(self, community_id: int) -> tuple[int, list[TimelineEntry]] | None:
        """The active session's id and its games, in one query; None without an active session."""
        query = (
            "SELECT s.id AS session_id, sg.id AS session_game_id, sg.game_id, g.title, sg.played_at "
            "FROM gamenight_sessions s "
            "LEFT JOIN session_games sg ON sg.session_id = s.id "
            "LEFT JOIN games g ON g.id = sg.game_id "
            "WHERE s.community_id = ? AND s.is_active = 1 ORDER BY sg.played_at, sg.id"
        )
        rows = await self._conn.execute_fetchall(query, (community_id,))
        found = list(rows)
        if not found:
            return None
        return found[0]["session_id"], [_entry(row) for row in found if row["session_game_id"] is not None]

    async def timeline(self, session_id: int) -> list[TimelineEntry]:
        """A session's games in ``played_at`` order."""
        query = _TIMELINE + "WHERE sg.session_id = ? ORDER BY sg.played_at, sg.id"
        rows = await self._conn.execute_fetchall(query, (session_id,))
        return [_entry(row) for row in rows]

    async def add_unless_near(
        self, session_id: int, entry: TimelineEntry, ballot: Ballot, after: datetime, before: datetime
    ) -> bool:
        """Store the vote unless its voter has one timestamped strictly between ``after`` and ``before``."""
        query = (
            "INSERT INTO live_votes (session_id, session_game_id, game_id, username, voter_key, vote_type, timestamp) "
            "SELECT ?, ?, ?, ?, ?, ?, ? WHERE NOT EXISTS (SELECT 1 FROM live_votes "
            "WHERE session_id = ? AND voter_key = ? AND timestamp > ? AND timestamp < ?) RETURNING id"
        )
        params = (
            session_id,
            entry.session_game_id,
            entry.game_id,
            ballot.username,
            ballot.voter,
            ballot.vote_type.value,
            to_text(ballot.moment),
            session_id,
            ballot.voter,
            to_text(after),
            to_text(before),
        )
        return bool(await self._conn.execute_fetchall(query, params))

    async def times_near(
        self, session_id: int, voters: Sequence[str], after: datetime, before: datetime
    ) -> dict[str, list[datetime]]:
        """The voters' vote times strictly between ``after`` and ``before``, by voter key."""
        query = (
            "SELECT voter_key, timestamp FROM live_votes WHERE session_id = ? "
            "AND voter_key IN (SELECT value FROM json_each(?)) AND timestamp > ? AND timestamp < ?"
        )
        params = (session_id, json.dumps(list(voters)), to_text(after), to_text(before))
        rows = await self._conn.execute_fetchall(query, params)
        times: dict[str, list[datetime]] = {}
        for row in rows:
            times.setdefault(row["voter_key"], []).append(from_text(row["timestamp"]))
        return times

    async def add_many(self, session_id: int, votes: Sequence[tuple[TimelineEntry, Ballot]]) -> None:
        """Store many votes with one statement."""
        query = (
            "INSERT INTO live_votes (session_id, session_game_id, game_id, username, voter_key, vote_type, timestamp) "
            "VALUES (?, ?, ?, ?, ?, ?, ?)"
        )
        rows = (
            (
                session_id,
                entry.session_game_id,
                entry.game_id,
                b.username,
                b.voter,
                b.vote_type.value,
                to_text(b.moment),
            )
            for entry, b in votes
        )
        await self._conn.executemany(query, rows)

    async def add_to_tally(self, community_id: int, game_id: int, upvotes: int, downvotes: int) -> tuple[int, int]:
        """Add to a game's counters in the community; returns the new (upvotes, downvotes)."""
        query = _TALLY + " RETURNING upvotes, downvotes"
        row = await first_row(self._conn, query, (community_id, game_id, upvotes, downvotes))
        assert row is not None
        return row["upvotes"], row["downvotes"]

    async def add_to_tallies(
        self, community_id: int, deltas: Mapping[int, tuple[int, int]]
    ) -> dict[int, tuple[int, int]]:
        """``add_to_tally`` for many games at once; returns each game's new counters."""
        rows = [(community_id, game_id, up, down) for game_id, (up, down) in deltas.items()]
        await self._conn.executemany(_TALLY, rows)
        query = (
            "SELECT game_id, upvotes, downvotes FROM game_stats "
            "WHERE community_id = ? AND game_id IN (SELECT value FROM json_each(?))"
        )
        found = await self._conn.execute_fetchall(query, (community_id, json.dumps(list(deltas))))
        return {row["game_id"]: (row["upvotes"], row["downvotes"]) for row in found}

    async def page(self, community_id: int, vote_filter: VoteFilter, page: int, limit: int) -> VotePage:
        """One page of the community's live votes matching the filter, newest first."""
        vote_type = None if vote_filter.vote_type is None else vote_filter.vote_type.value
        matches: list[object] = [community_id]
        for value in (vote_filter.session_id, vote_filter.game_id, vote_filter.username, vote_type):
            matches += [value, value]
        query = "SELECT COUNT(*) AS total " + _MATCHING_VOTES
        row = await first_row(self._conn, query, matches)
        total = 0 if row is None else int(row["total"])
        query = (
            "SELECT lv.*, g.title, g.pack_name "
            + _MATCHING_VOTES
            + "ORDER BY lv.timestamp DESC, lv.id DESC LIMIT ? OFFSET ?"
        )
        rows = await self._conn.execute_fetchall(query, [*matches, limit, (page - 1) * limit])
        return VotePage([_live_vote(row) for row in rows], page, limit, total)

    async def by_game(self, session_id: int) -> list[GameVotes]:
        """A session's live votes summed per game, best net score first."""
        query = (
            "SELECT lv.game_id, g.title, g.pack_name, "
            "SUM(lv.vote_type = 'up') AS upvotes, SUM(lv.vote_type = 'down') AS downvotes "
            "FROM live_votes lv JOIN games g ON g.id = lv.game_id WHERE lv.session_id = ? GROUP BY lv.game_id "
            "ORDER BY upvotes - downvotes DESC, upvotes + downvotes DESC, lv.game_id"
        )
        rows = await self._conn.execute_fetchall(query, (session_id,))
        return [GameVotes(r["game_id"], r["title"], r["pack_name"], r["upvotes"], r["downvotes"]) for r in rows]

    async def known_hashes(self, session_id: int, hashes: Sequence[str]) -> set[str]:
        """Which of these message hashes the session's chat log already holds."""
        query = (
            "SELECT message_hash FROM chat_logs WHERE session_id = ? "
            "AND message_hash IN (SELECT value FROM json_each(?))"
        )
        rows = await self._conn.execute_fetchall(query, (session_id, json.dumps(list(hashes))))
        return {row["message_hash"] for row in rows}

    async def add_chat_logs(self, session_id: int, messages: Sequence[tuple[ChatMessage, VoteType | None]]) -> None:
        """Store chat messages (with the vote each one reads as) with one statement."""
        query = (
            "INSERT INTO chat_logs (session_id, chatter_name, message, timestamp, parsed_vote, message_hash) "
            "VALUES (?, ?, ?, ?, ?, ?)"
        )
        rows = (
            (session_id, m.username, m.message, to_text(m.timestamp), None if v is None else v.value, m.message_hash)
            for m, v in messages
        )
        await self._conn.executemany(query, rows)

    async def chat_logs(self, session_id: int) -> list[ChatLogEntry]:
        """A session's imported chat, oldest first."""
        query = "SELECT * FROM chat_logs WHERE session_id = ? ORDER BY timestamp, id"
        rows = await self._conn.execute_fetchall(query, (session_id,))
        return [
            ChatLogEntry(
                row["chatter_name"],
                row["message"],
                from_text(row["timestamp"]),
                None if row["parsed_vote"] is None else VoteType(row["parsed_vote"]),
            )
            for row in rows
        ]
