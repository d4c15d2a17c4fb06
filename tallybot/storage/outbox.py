"""The event outbox in SQLite."""

import json

from tallybot.core.models import Event
from tallybot.storage.connection import Connection, Row
from tallybot.storage.convert import from_text, to_text


def event_from_row(row: Row) -> Event:
    """The event an outbox row holds (also when the row is joined into another query)."""
    return Event(
        id=row["event_id"],
        type=row["type"],
        community_id=row["community_id"],
        occurred_at=from_text(row["occurred_at"]),
        data=json.loads(row["data"]),
        sequence=row["sequence"],
    )


class SqliteOutboxRepository:
    """Implements ``OutboxRepository``; ``published`` collects what to fan out after the commit."""

    def __init__(self, conn: Connection, published: list[Event]) -> None:
        self._conn = conn
        self._published = published

    async def append(self, event: Event) -> Event:
        """Store an event; returns it with its outbox sequence number."""
        query = (
            "INSERT INTO outbox (event_id, type, community_id, occurred_at, data) VALUES (?, ?, ?, ?, ?) "
            "RETURNING sequence"
        )
        params = (event.id, event.type, event.community_id, to_text(event.occurred_at), json.dumps(event.data))
        async with self._conn.execute(query, params) as cursor:
            row = await cursor.fetchone()
        assert row is not None
        stored = Event(event.id, event.type, event.community_id, event.occurred_at, event.data, row["sequence"])
        self._published.append(stored)
        return stored

    async def after(self, sequence: int, limit: int) -> list[Event]:
        """Events with a sequence number above ``sequence``, oldest first."""
        query = "SELECT * FROM outbox WHERE sequence > ? ORDER BY sequence LIMIT ?"
        async with self._conn.execute(query, (sequence, limit)) as cursor:
            rows = await cursor.fetchall()
        return [event_from_row(row) for row in rows]
