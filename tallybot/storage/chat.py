"""The chat features' tables in SQLite: link codes, identity moves, names, announcement channels."""

from collections.abc import Sequence
from datetime import datetime

from tallybot.core.accounts import LinkCode, NamedPerson
from tallybot.core.models import Provider
from tallybot.storage.connection import Connection
from tallybot.storage.convert import from_text, to_text


class SqliteChatRepository:
    """Implements ``ChatRepository``."""

    def __init__(self, conn: Connection) -> None:
        self._conn = conn

    async def add_link_code(self, person_id: int, code_hash: str, created_at: datetime, expires_at: datetime) -> None:
        """Make this the person's only live link code."""
        query = "UPDATE chat_link_codes SET retired_at = ? WHERE person_id = ? AND retired_at IS NULL"
        await self._conn.execute(query, (to_text(created_at), person_id))
        query = "INSERT INTO chat_link_codes (person_id, code_hash, created_at, expires_at) VALUES (?, ?, ?, ?)"
        await self._conn.execute(query, (person_id, code_hash, to_text(created_at), to_text(expires_at)))

    async def live_link_code(self, code_hash: str) -> LinkCode | None:
        """The unused link code whose code hashes to this value (it may have expired)."""
        query = (
            "SELECT id, person_id, expires_at, failed_attempts FROM chat_link_codes "
            "WHERE code_hash = ? AND retired_at IS NULL ORDER BY id DESC LIMIT 1"
        )
        async with self._conn.execute(query, (code_hash,)) as cursor:
            row = await cursor.fetchone()
        if row is None:
            return None
        return LinkCode(row["id"], row["person_id"], from_text(row["expires_at"]), row["failed_attempts"])

    async def count_failed_link(self, code_id: int) -> int:
        """Add one refused use to a link code and return the new count."""
        query = (
            "UPDATE chat_link_codes SET failed_attempts = failed_attempts + 1 WHERE id = ? RETURNING failed_attempts"
        )
        async with self._conn.execute(query, (code_id,)) as cursor:
            row = await cursor.fetchone()
        return 0 if row is None else int(row["failed_attempts"])

    async def retire_link_code(self, code_id: int, at: datetime) -> None:
        """Mark a link code used up."""
        query = "UPDATE chat_link_codes SET retired_at = ? WHERE id = ?"
        await self._conn.execute(query, (to_text(at), code_id))

    async def move_identities(self, from_person_id: int, to_person_id: int, providers: Sequence[Provider]) -> None:
        """Give the identities on ``providers`` of one person to another."""
        marks = ", ".join("?" for _ in providers)
        query = f"UPDATE identities SET person_id = ? WHERE person_id = ? AND provider IN ({marks})"  # noqa: S608 (marks only)
        await self._conn.execute(query, (to_person_id, from_person_id, *(provider.value for provider in providers)))

    async def move_memberships(self, from_person_id: int, to_person_id: int) -> None:
        """Give one person's community memberships to another; where both have one, the host role wins."""
        query = (
            "INSERT INTO memberships (community_id, person_id, role) "
            "SELECT community_id, ?, role FROM memberships WHERE person_id = ? "
            "ON CONFLICT (community_id, person_id) DO UPDATE SET "
            "role = CASE WHEN excluded.role = 'host' THEN 'host' ELSE memberships.role END"
        )
        await self._conn.execute(query, (to_person_id, from_person_id))
        query = "DELETE FROM memberships WHERE person_id = ?"
        await self._conn.execute(query, (from_person_id,))

    async def people_named(self, provider: Provider, username: str, community_id: int) -> list[NamedPerson]:
        """The people whose identity on ``provider`` has this username (any case)."""
        query = (
            "SELECT DISTINCT i.person_id, m.person_id IS NOT NULL AS in_community FROM identities i "
            "LEFT JOIN memberships m ON m.person_id = i.person_id AND m.community_id = ? "
            "WHERE i.provider = ? AND i.username = ? COLLATE NOCASE ORDER BY i.person_id"
        )
        async with self._conn.execute(query, (community_id, provider.value, username)) as cursor:
            rows = await cursor.fetchall()
        return [NamedPerson(row["person_id"], bool(row["in_community"])) for row in rows]

    async def set_announcement_channel(self, community_id: int, channel_id: str, at: datetime) -> None:
        """Send the community's announcements to this channel."""
        query = (
            "INSERT INTO announcement_channels (community_id, channel_id, updated_at) VALUES (?, ?, ?) "
            "ON CONFLICT (community_id) DO UPDATE SET "
            "channel_id = excluded.channel_id, updated_at = excluded.updated_at"
        )
        await self._conn.execute(query, (community_id, channel_id, to_text(at)))

    async def announcement_channel(self, community_id: int) -> str | None:
        """The channel the community's announcements go to, if one was chosen."""
        query = "SELECT channel_id FROM announcement_channels WHERE community_id = ?"
        async with self._conn.execute(query, (community_id,)) as cursor:
            row = await cursor.fetchone()
        return None if row is None else str(row["channel_id"])
