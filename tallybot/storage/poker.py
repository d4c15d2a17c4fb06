"""Planning poker in SQLite: sessions, participants, prompts, rounds and votes."""

import json
from collections.abc import Sequence
from datetime import datetime

from tallybot.core.poker import Participant, PokerSession, Prompt, Round, Vote
from tallybot.storage.connection import Connection, Row
from tallybot.storage.convert import from_text, maybe_from_text, to_text


def _session(row: Row) -> PokerSession:
    return PokerSession(
        id=row["id"],
        community_id=row["community_id"],
        public_id=row["public_id"],
        deck=tuple(json.loads(row["deck"])),
        created_at=from_text(row["created_at"]),
        closed_at=maybe_from_text(row["closed_at"]),
        version=row["version"],
        chat_channel_id=row["chat_channel_id"],
    )


def _participant(row: Row) -> Participant:
    return Participant(
        row["id"], row["session_id"], row["name"], bool(row["is_owner"]), from_text(row["joined_at"]), row["person_id"]
    )


def _prompt(row: Row) -> Prompt:
    return Prompt(row["id"], row["session_id"], row["number"], row["text"], from_text(row["created_at"]))


def _round(row: Row) -> Round:
    return Round(row["prompt_id"], row["number"], from_text(row["started_at"]), maybe_from_text(row["revealed_at"]))


def _vote(row: Row) -> Vote:
    return Vote(row["prompt_id"], row["round"], row["participant_id"], row["card"], from_text(row["voted_at"]))


class SqlitePokerRepository:
    """Implements ``PokerRepository``."""

    def __init__(self, conn: Connection) -> None:
        self._conn = conn

    async def _rows(self, query: str, params: tuple[object, ...]) -> list[Row]:
        async with self._conn.execute(query, params) as cursor:
            return list(await cursor.fetchall())

    async def _row(self, query: str, params: tuple[object, ...]) -> Row | None:
        async with self._conn.execute(query, params) as cursor:
            return await cursor.fetchone()

    async def free_id_index(self, start: int, space: int) -> int | None:
        """The first unused session id index at or after ``start``, wrapping to 0; None when all are used."""
        for origin in (start, 0):
            candidate = await self._first_gap(origin)
            if candidate < space:
                return candidate
        return None

    async def _first_gap(self, origin: int) -> int:
        query = "SELECT 1 FROM poker_sessions WHERE id_index = ?"
        if await self._row(query, (origin,)) is None:
            return origin
        # Walks the run of used indexes that starts at origin, in index order, to its end.
        query = (
            "SELECT s.id_index + 1 AS free FROM poker_sessions s WHERE s.id_index >= ? "
            "AND NOT EXISTS (SELECT 1 FROM poker_sessions t WHERE t.id_index = s.id_index + 1) "
            "ORDER BY s.id_index LIMIT 1"
        )
        row = await self._row(query, (origin,))
        assert row is not None
        return int(row["free"])

    async def add_session(
        self,
        community_id: int,
        public_id: str,
        id_index: int,
        deck: Sequence[str],
        created_at: datetime,
        chat_channel_id: str | None = None,
    ) -> PokerSession:
        """Insert an open session."""
        query = (
            "INSERT INTO poker_sessions (community_id, public_id, id_index, deck, created_at, chat_channel_id) "
            "VALUES (?, ?, ?, ?, ?, ?) RETURNING *"
        )
        params = (community_id, public_id, id_index, json.dumps(list(deck)), to_text(created_at), chat_channel_id)
        row = await self._row(query, params)
        assert row is not None
        return _session(row)

    async def session(self, community_id: int, public_id: str) -> PokerSession | None:
        """The community's session with this friendly id, open or closed."""
        query = "SELECT * FROM poker_sessions WHERE community_id = ? AND public_id = ?"
        row = await self._row(query, (community_id, public_id))
        return None if row is None else _session(row)

    async def open_sessions(self, community_id: int, limit: int) -> list[PokerSession]:
        """Up to ``limit`` open sessions of a community, newest first."""
        query = (
            "SELECT * FROM poker_sessions WHERE community_id = ? AND closed_at IS NULL "
            "ORDER BY created_at DESC, id DESC LIMIT ?"
        )
        return [_session(row) for row in await self._rows(query, (community_id, limit))]

    async def joined_session(self, community_id: int, person_id: int) -> PokerSession | None:
        """The community's open session that the person joined most recently."""
        query = (
            "SELECT s.* FROM poker_sessions s JOIN poker_participants p ON p.session_id = s.id "
            "WHERE s.community_id = ? AND s.closed_at IS NULL AND p.person_id = ? ORDER BY p.id DESC LIMIT 1"
        )
        row = await self._row(query, (community_id, person_id))
        return None if row is None else _session(row)

    async def close_session(self, session_id: int, at: datetime) -> None:
        """Mark the session closed."""
        query = "UPDATE poker_sessions SET closed_at = ? WHERE id = ?"
        await self._conn.execute(query, (to_text(at), session_id))

    async def bump_version(self, session_id: int) -> int:
        """Count a change to the session; returns the new version."""
        query = "UPDATE poker_sessions SET version = version + 1 WHERE id = ? RETURNING version"
        row = await self._row(query, (session_id,))
        assert row is not None
        return int(row["version"])

    async def add_participant(
        self,
        session_id: int,
        name: str,
        token_hash: str | None,
        person_id: int | None,
        is_owner: bool,
        joined_at: datetime,
    ) -> Participant:
        """Insert a participant, known by a token's hash or (from chat) by their person."""
        query = (
            "INSERT INTO poker_participants (session_id, name, token_hash, person_id, is_owner, joined_at) "
            "VALUES (?, ?, ?, ?, ?, ?) RETURNING *"
        )
        params = (session_id, name, token_hash, person_id, int(is_owner), to_text(joined_at))
        row = await self._row(query, params)
        assert row is not None
        return _participant(row)

    async def participant_by_token(self, session_id: int, token_hash: str) -> Participant | None:
        """The session's participant whose token hashes to this value."""
        query = "SELECT * FROM poker_participants WHERE session_id = ? AND token_hash = ?"
        row = await self._row(query, (session_id, token_hash))
        return None if row is None else _participant(row)

    async def participant_by_person(self, session_id: int, person_id: int) -> Participant | None:
        """The session's participant who joined from chat as this person."""
        query = "SELECT * FROM poker_participants WHERE session_id = ? AND person_id = ?"
        row = await self._row(query, (session_id, person_id))
        return None if row is None else _participant(row)

    async def participants(self, session_id: int) -> list[Participant]:
        """The session's participants in the order they joined."""
        query = "SELECT * FROM poker_participants WHERE session_id = ? ORDER BY id"
        return [_participant(row) for row in await self._rows(query, (session_id,))]

    async def add_prompt(self, session_id: int, text: str, created_at: datetime) -> Prompt:
        """Insert the session's next prompt, with its first round."""
        query = (
            "INSERT INTO poker_prompts (session_id, number, text, created_at) "
            "SELECT ?, COALESCE(MAX(number), 0) + 1, ?, ? FROM poker_prompts WHERE session_id = ? RETURNING *"
        )
        row = await self._row(query, (session_id, text, to_text(created_at), session_id))
        assert row is not None
        prompt = _prompt(row)
        await self.start_round(prompt.id, 1, created_at)
        return prompt

    async def prompt(self, session_id: int, number: int) -> Prompt | None:
        """The session's prompt with this number."""
        query = "SELECT * FROM poker_prompts WHERE session_id = ? AND number = ?"
        row = await self._row(query, (session_id, number))
        return None if row is None else _prompt(row)

    async def latest_prompt(self, session_id: int) -> Prompt | None:
        """The session's newest prompt."""
        query = "SELECT * FROM poker_prompts WHERE session_id = ? ORDER BY number DESC LIMIT 1"
        row = await self._row(query, (session_id,))
        return None if row is None else _prompt(row)

    async def prompts(self, session_id: int) -> list[Prompt]:
        """The session's prompts, oldest first."""
        query = "SELECT * FROM poker_prompts WHERE session_id = ? ORDER BY number"
        return [_prompt(row) for row in await self._rows(query, (session_id,))]

    async def start_round(self, prompt_id: int, number: int, started_at: datetime) -> None:
        """Open a round of voting on a prompt."""
        query = "INSERT INTO poker_rounds (prompt_id, number, started_at) VALUES (?, ?, ?)"
        await self._conn.execute(query, (prompt_id, number, to_text(started_at)))

    async def reveal_round(self, prompt_id: int, number: int, at: datetime) -> None:
        """Mark a round revealed."""
        query = "UPDATE poker_rounds SET revealed_at = ? WHERE prompt_id = ? AND number = ?"
        await self._conn.execute(query, (to_text(at), prompt_id, number))

    async def rounds(self, prompt_id: int) -> list[Round]:
        """A prompt's rounds, oldest first."""
        query = "SELECT * FROM poker_rounds WHERE prompt_id = ? ORDER BY number"
        return [_round(row) for row in await self._rows(query, (prompt_id,))]

    async def rounds_in_session(self, session_id: int) -> list[Round]:
        """Every round of every prompt in the session, by prompt and then round."""
        query = (
            "SELECT r.* FROM poker_rounds r JOIN poker_prompts p ON p.id = r.prompt_id "
            "WHERE p.session_id = ? ORDER BY p.number, r.number"
        )
        return [_round(row) for row in await self._rows(query, (session_id,))]

    async def set_vote(self, vote: Vote) -> None:
        """Record a participant's card for a round, replacing their earlier card in it."""
        query = (
            "INSERT INTO poker_votes (prompt_id, round, participant_id, card, voted_at) VALUES (?, ?, ?, ?, ?) "
            "ON CONFLICT (prompt_id, round, participant_id) DO UPDATE SET card = excluded.card, "
            "voted_at = excluded.voted_at"
        )
        params = (vote.prompt_id, vote.round, vote.participant_id, vote.card, to_text(vote.voted_at))
        await self._conn.execute(query, params)

    async def votes(self, prompt_id: int) -> list[Vote]:
        """Every card played on a prompt, in every round."""
        query = "SELECT * FROM poker_votes WHERE prompt_id = ? ORDER BY round, participant_id"
        return [_vote(row) for row in await self._rows(query, (prompt_id,))]

    async def votes_in_session(self, session_id: int) -> list[Vote]:
        """Every card played in the session."""
        query = (
            "SELECT v.* FROM poker_votes v JOIN poker_prompts p ON p.id = v.prompt_id "
            "WHERE p.session_id = ? ORDER BY p.number, v.round, v.participant_id"
        )
        return [_vote(row) for row in await self._rows(query, (session_id,))]
