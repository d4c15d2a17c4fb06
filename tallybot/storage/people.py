"""People and identities in SQLite."""

from datetime import datetime

from tallybot.core.errors import Conflict
from tallybot.core.models import Identity, Person, Provider
from tallybot.storage.connection import Connection, Row
from tallybot.storage.convert import to_text

_SELECT_PERSON = (
    "SELECT p.id, p.uuid, p.display_name, p.avatar_url, p.email_confirmed_at, e.external_id AS email_address "
    "FROM persons p LEFT JOIN identities e ON e.person_id = p.id AND e.provider = 'email' "
)


def _person(row: Row) -> Person:
    return Person(
        id=row["id"],
        uuid=row["uuid"],
        display_name=row["display_name"],
        email_address=row["email_address"],
        email_confirmed=row["email_confirmed_at"] is not None,
        avatar_url=row["avatar_url"],
    )


class SqlitePersonRepository:
    """Implements ``PersonRepository``."""

    def __init__(self, conn: Connection) -> None:
        self._conn = conn

    async def _one(self, query: str, params: tuple[object, ...]) -> Person | None:
        async with self._conn.execute(query, params) as cursor:
            row = await cursor.fetchone()
        return None if row is None else _person(row)

    async def add(self, uuid: str, display_name: str, created_at: datetime) -> Person:
        """Insert a person."""
        query = "INSERT INTO persons (uuid, display_name, created_at) VALUES (?, ?, ?) RETURNING id"
        async with self._conn.execute(query, (uuid, display_name, to_text(created_at))) as cursor:
            row = await cursor.fetchone()
        assert row is not None
        return Person(row["id"], uuid, display_name, None, False)

    async def get(self, person_id: int) -> Person | None:
        """The person with this id."""
        query = _SELECT_PERSON + "WHERE p.id = ?"
        return await self._one(query, (person_id,))

    async def by_uuid(self, uuid: str) -> Person | None:
        """The person with this public uuid."""
        query = _SELECT_PERSON + "WHERE p.uuid = ?"
        return await self._one(query, (uuid,))

    async def by_identity(self, provider: Provider, external_id: str) -> Person | None:
        """The person who owns this identity."""
        query = _SELECT_PERSON + "JOIN identities i ON i.person_id = p.id WHERE i.provider = ? AND i.external_id = ?"
        return await self._one(query, (provider.value, external_id))

    async def add_identity(self, identity: Identity) -> None:
        """Attach an identity to a person; raises Conflict if another person owns it."""
        query = "SELECT person_id FROM identities WHERE provider = ? AND external_id = ?"
        async with self._conn.execute(query, (identity.provider.value, identity.external_id)) as cursor:
            row = await cursor.fetchone()
        if row is not None and row["person_id"] != identity.person_id:
            raise Conflict(f"That {identity.provider.value} account already belongs to someone else")
        query = (
            "INSERT INTO identities (person_id, provider, external_id, username) VALUES (?, ?, ?, ?) "
            "ON CONFLICT (provider, external_id) DO UPDATE SET username = excluded.username"
        )
        params = (identity.person_id, identity.provider.value, identity.external_id, identity.username)
        await self._conn.execute(query, params)

    async def identities_of(self, person_id: int) -> list[Identity]:
        """Every identity of a person."""
        query = "SELECT * FROM identities WHERE person_id = ? ORDER BY provider"
        async with self._conn.execute(query, (person_id,)) as cursor:
            rows = await cursor.fetchall()
        return [Identity(r["person_id"], Provider(r["provider"]), r["external_id"], r["username"]) for r in rows]

    async def set_password_hash(self, person_id: int, password_hash: str) -> None:
        """Store the person's scrypt password hash."""
        query = "UPDATE persons SET password_hash = ? WHERE id = ?"
        await self._conn.execute(query, (password_hash, person_id))

    async def password_hash(self, person_id: int) -> str | None:
        """The person's password hash, if they chose a password."""
        query = "SELECT password_hash FROM persons WHERE id = ?"
        async with self._conn.execute(query, (person_id,)) as cursor:
            row = await cursor.fetchone()
        return None if row is None else row["password_hash"]

    async def mark_email_confirmed(self, person_id: int, at: datetime) -> Person:
        """Record that the person proved they own their e-mail address."""
        query = "UPDATE persons SET email_confirmed_at = COALESCE(email_confirmed_at, ?) WHERE id = ?"
        await self._conn.execute(query, (to_text(at), person_id))
        person = await self.get(person_id)
        assert person is not None
        return person
