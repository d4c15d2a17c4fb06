"""Communities and memberships in SQLite."""

from tallybot.core.models import Community, Platform, Role
from tallybot.storage.connection import Connection, Row


def _community(row: Row) -> Community:
    return Community(row["id"], row["slug"], Platform(row["platform"]), row["external_id"], row["name"])


class SqliteCommunityRepository:
    """Implements ``CommunityRepository``."""

    def __init__(self, conn: Connection) -> None:
        self._conn = conn

    async def ensure(self, platform: Platform, external_id: str, slug: str, name: str) -> Community:
        """Return the community for (platform, external_id), creating it if needed."""
        query = "SELECT * FROM communities WHERE platform = ? AND external_id = ?"
        async with self._conn.execute(query, (platform.value, external_id)) as cursor:
            row = await cursor.fetchone()
        if row is not None:
            return _community(row)
        query = "INSERT INTO communities (slug, platform, external_id, name) VALUES (?, ?, ?, ?) RETURNING *"
        async with self._conn.execute(query, (slug, platform.value, external_id, name)) as cursor:
            row = await cursor.fetchone()
        assert row is not None
        return _community(row)

    async def by_slug(self, slug: str) -> Community | None:
        """The community with this URL name."""
        query = "SELECT * FROM communities WHERE slug = ?"
        async with self._conn.execute(query, (slug,)) as cursor:
            row = await cursor.fetchone()
        return None if row is None else _community(row)

    async def by_id(self, community_id: int) -> Community | None:
        """The community with this id."""
        query = "SELECT * FROM communities WHERE id = ?"
        async with self._conn.execute(query, (community_id,)) as cursor:
            row = await cursor.fetchone()
        return None if row is None else _community(row)

    async def set_role(self, community_id: int, person_id: int, role: Role) -> None:
        """Make the person a member of the community with this role."""
        query = (
            "INSERT INTO memberships (community_id, person_id, role) VALUES (?, ?, ?) "
            "ON CONFLICT (community_id, person_id) DO UPDATE SET role = excluded.role"
        )
        await self._conn.execute(query, (community_id, person_id, role.value))

    async def roles_of(self, person_id: int) -> dict[int, Role]:
        """Every community the person belongs to, with their role there."""
        query = "SELECT community_id, role FROM memberships WHERE person_id = ?"
        async with self._conn.execute(query, (person_id,)) as cursor:
            rows = await cursor.fetchall()
        return {row["community_id"]: Role(row["role"]) for row in rows}
