"""The coffee scoreboard in SQLite: teams, groups, members, transactions and devices."""

from collections.abc import Sequence
from datetime import datetime

from tallybot.core.coffee import CoffeeTransaction, Group, GroupStanding, Member, Profile, Team
from tallybot.storage.connection import Connection, Row
from tallybot.storage.convert import from_text, maybe_from_text, to_text

# A person's username is their login on the first chat or code platform they are known by;
# e-mail addresses are never shown to other members.
_USERNAME = (
    "COALESCE((SELECT i.username FROM identities i WHERE i.person_id = p.id AND i.provider <> 'email' "
    "ORDER BY CASE i.provider WHEN 'github' THEN 0 WHEN 'discord' THEN 1 ELSE 2 END LIMIT 1), p.display_name)"
)
_PROFILE_COLUMNS = f"p.id AS person_id, {_USERNAME} AS username, p.display_name, p.avatar_url"
# The f-string queries below (noqa: S608) interpolate only these constants and runs of "?"
# placeholders, never a value from outside.


def _profile(row: Row) -> Profile:
    return Profile(row["person_id"], row["username"], row["display_name"], row["avatar_url"])


def _group(row: Row) -> Group:
    return Group(row["id"], row["community_id"], row["github_id"], row["name"], row["timezone"])


def _transaction(row: Row) -> CoffeeTransaction:
    return CoffeeTransaction(
        id=row["id"],
        group_id=row["group_id"],
        from_person_id=row["from_person_id"],
        to_person_id=row["to_person_id"],
        amount=row["amount"],
        note=row["note"],
        latitude=row["latitude"],
        longitude=row["longitude"],
        accuracy=row["accuracy"],
        location_date=maybe_from_text(row["location_date"]),
        created_by=row["created_by"],
        created_at=from_text(row["created_at"]),
    )


class SqliteCoffeeRepository:
    """Implements ``CoffeeRepository``."""

    def __init__(self, conn: Connection) -> None:
        self._conn = conn

    async def _all(self, query: str, params: Sequence[object]) -> list[Row]:
        async with self._conn.execute(query, params) as cursor:
            return list(await cursor.fetchall())

    async def _one(self, query: str, params: Sequence[object]) -> Row | None:
        async with self._conn.execute(query, params) as cursor:
            return await cursor.fetchone()

    async def set_profile(self, person_id: int, display_name: str, avatar_url: str | None) -> None:
        """Refresh a person's name and picture from their sign-in provider."""
        query = "UPDATE persons SET display_name = ?, avatar_url = ? WHERE id = ?"
        await self._conn.execute(query, (display_name, avatar_url, person_id))

    async def sync_team(self, github_id: int, name: str, org: str, person_ids: Sequence[int], at: datetime) -> None:
        """Record a GitHub team and make ``person_ids`` its only members."""
        query = (
            "INSERT INTO coffee_teams (github_id, name, org, synced_at) VALUES (?, ?, ?, ?) "
            "ON CONFLICT (github_id) DO UPDATE SET name = excluded.name, org = excluded.org, "
            "synced_at = excluded.synced_at"
        )
        await self._conn.execute(query, (github_id, name, org, to_text(at)))
        query = "DELETE FROM coffee_team_members WHERE github_id = ?"
        await self._conn.execute(query, (github_id,))
        query = "INSERT OR IGNORE INTO coffee_team_members (github_id, person_id) VALUES (?, ?)"
        await self._conn.executemany(query, [(github_id, person_id) for person_id in person_ids])

    async def leave_teams_except(self, person_id: int, github_ids: Sequence[int]) -> None:
        """Take a person out of every GitHub team not in ``github_ids``."""
        if not github_ids:
            query = "DELETE FROM coffee_team_members WHERE person_id = ?"
            await self._conn.execute(query, (person_id,))
            return
        marks = ", ".join("?" * len(github_ids))
        query = f"DELETE FROM coffee_team_members WHERE person_id = ? AND github_id NOT IN ({marks})"  # noqa: S608
        await self._conn.execute(query, (person_id, *github_ids))

    async def teams_of(self, person_id: int) -> list[Team]:
        """The GitHub teams a person belongs to, with their member counts."""
        query = (
            "SELECT t.github_id, t.name, t.org, "
            "(SELECT count(*) FROM coffee_team_members c WHERE c.github_id = t.github_id) AS members "
            "FROM coffee_teams t JOIN coffee_team_members m ON m.github_id = t.github_id "
            "WHERE m.person_id = ? ORDER BY t.org, t.name"
        )
        rows = await self._all(query, (person_id,))
        return [Team(row["github_id"], row["name"], row["org"], row["members"]) for row in rows]

    async def communities_of(self, person_id: int, platforms: Sequence[str]) -> list[Team]:
        """The communities on ``platforms`` a person is a known member of, keyed by slug."""
        marks = ", ".join("?" * len(platforms))
        query = (
            "SELECT c.slug, c.name, c.platform, "  # noqa: S608
            "(SELECT count(*) FROM memberships a WHERE a.community_id = c.id) AS members "
            "FROM communities c JOIN memberships m ON m.community_id = c.id "
            f"WHERE m.person_id = ? AND c.platform IN ({marks}) ORDER BY c.platform, c.name"
        )
        rows = await self._all(query, (person_id, *platforms))
        return [Team(row["slug"], row["name"], row["platform"], row["members"]) for row in rows]

    async def team_member_ids(self, github_id: int) -> list[int]:
        """The people in a GitHub team."""
        query = "SELECT person_id FROM coffee_team_members WHERE github_id = ? ORDER BY person_id"
        return [row["person_id"] for row in await self._all(query, (github_id,))]

    async def community_member_ids(self, community_id: int) -> list[int]:
        """The known members of a community."""
        query = "SELECT person_id FROM memberships WHERE community_id = ? ORDER BY person_id"
        return [row["person_id"] for row in await self._all(query, (community_id,))]

    async def add_group(
        self, community_id: int, github_id: int | None, name: str, timezone: str, created_by: int, at: datetime
    ) -> Group:
        """Insert a group (without members)."""
        query = (
            "INSERT INTO coffee_groups (community_id, github_id, name, timezone, created_by, created_at) "
            "VALUES (?, ?, ?, ?, ?, ?) RETURNING *"
        )
        row = await self._one(query, (community_id, github_id, name, timezone, created_by, to_text(at)))
        assert row is not None
        return _group(row)

    async def group(self, group_id: int) -> Group | None:
        """The group with this id."""
        row = await self._one("SELECT * FROM coffee_groups WHERE id = ?", (group_id,))
        return None if row is None else _group(row)

    async def groups_in(self, community_id: int, limit: int) -> list[Group]:
        """Up to ``limit`` groups of a community, by name."""
        query = "SELECT * FROM coffee_groups WHERE community_id = ? ORDER BY name COLLATE NOCASE, id LIMIT ?"
        return [_group(row) for row in await self._all(query, (community_id, limit))]

    async def group_from(self, community_id: int, github_id: int | None) -> Group | None:
        """The group already made from a GitHub team, or from a community's members."""
        if github_id is not None:
            row = await self._one("SELECT * FROM coffee_groups WHERE github_id = ?", (github_id,))
        else:
            query = "SELECT * FROM coffee_groups WHERE community_id = ? AND github_id IS NULL"
            row = await self._one(query, (community_id,))
        return None if row is None else _group(row)

    async def rename_group(self, group_id: int, name: str, timezone: str) -> Group:
        """Change a group's name and timezone."""
        query = "UPDATE coffee_groups SET name = ?, timezone = ? WHERE id = ? RETURNING *"
        row = await self._one(query, (name, timezone, group_id))
        assert row is not None
        return _group(row)

    async def groups_of(self, person_id: int, community_id: int | None) -> list[GroupStanding]:
        """Every group a person is a member of (optionally in one community), with balances."""
        query = (
            "SELECT g.*, m.balance, "
            "(SELECT min(balance) FROM coffee_members a WHERE a.group_id = g.id) AS min_balance, "
            "(SELECT max(balance) FROM coffee_members a WHERE a.group_id = g.id) AS max_balance "
            "FROM coffee_groups g JOIN coffee_members m ON m.group_id = g.id "
            "WHERE m.person_id = ? AND (? IS NULL OR g.community_id = ?) ORDER BY g.name COLLATE NOCASE, g.id"
        )
        rows = await self._all(query, (person_id, community_id, community_id))
        return [GroupStanding(_group(r), r["balance"], r["min_balance"], r["max_balance"]) for r in rows]

    async def members(self, group_id: int) -> list[Member]:
        """Every member of a group, active or not, by display name."""
        query = (
            f"SELECT {_PROFILE_COLUMNS}, m.balance, m.active FROM coffee_members m "  # noqa: S608
            "JOIN persons p ON p.id = m.person_id WHERE m.group_id = ? ORDER BY p.display_name COLLATE NOCASE, p.id"
        )
        rows = await self._all(query, (group_id,))
        return [Member(_profile(row), row["balance"], bool(row["active"])) for row in rows]

    async def join(self, group_id: int, person_id: int, at: datetime) -> None:
        """Add a member with balance 0, or reactivate one who left (keeping their balance)."""
        query = (
            "INSERT INTO coffee_members (group_id, person_id, joined_at) VALUES (?, ?, ?) "
            "ON CONFLICT (group_id, person_id) DO UPDATE SET active = 1"
        )
        await self._conn.execute(query, (group_id, person_id, to_text(at)))

    async def deactivate(self, group_id: int, person_id: int) -> None:
        """Mark a member as gone; their row, balance and history stay."""
        query = "UPDATE coffee_members SET active = 0 WHERE group_id = ? AND person_id = ?"
        await self._conn.execute(query, (group_id, person_id))

    async def transfer(self, group_id: int, buyer_id: int, receiver_id: int, amount: int) -> None:
        """Raise the buyer's balance and lower the receiver's by ``amount``, in one statement."""
        query = (
            "UPDATE coffee_members SET balance = balance + CASE person_id WHEN ? THEN ? ELSE ? END "
            "WHERE group_id = ? AND person_id IN (?, ?)"
        )
        await self._conn.execute(query, (buyer_id, amount, -amount, group_id, buyer_id, receiver_id))

    async def add_transaction(
        self,
        group_id: int,
        from_person_id: int,
        to_person_id: int,
        amount: int,
        note: str | None,
        location: tuple[float | None, float | None, float | None, datetime | None],
        created_by: int,
        created_at: datetime,
    ) -> CoffeeTransaction:
        """Insert a transaction; ``location`` is (latitude, longitude, accuracy, location date)."""
        latitude, longitude, accuracy, location_date = location
        query = (
            "INSERT INTO coffee_transactions (group_id, from_person_id, to_person_id, amount, note, latitude, "
            "longitude, accuracy, location_date, created_by, created_at) "
            "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING *"
        )
        located = None if location_date is None else to_text(location_date)
        params = (group_id, from_person_id, to_person_id, amount, note, latitude, longitude, accuracy, located)
        row = await self._one(query, (*params, created_by, to_text(created_at)))
        assert row is not None
        return _transaction(row)

    async def transactions(
        self, group_id: int, before_id: int | None, after_id: int | None, limit: int, oldest_first: bool
    ) -> list[CoffeeTransaction]:
        """A group's transactions with ids strictly between ``after_id`` and ``before_id``."""
        order = "ASC" if oldest_first else "DESC"
        query = (
            "SELECT * FROM coffee_transactions WHERE group_id = ? "  # noqa: S608
            f"AND (? IS NULL OR id < ?) AND (? IS NULL OR id > ?) ORDER BY id {order} LIMIT ?"
        )
        rows = await self._all(query, (group_id, before_id, before_id, after_id, after_id, limit))
        return [_transaction(row) for row in rows]

    async def transaction(self, transaction_id: int) -> CoffeeTransaction | None:
        """The transaction with this id, in whichever group it is."""
        row = await self._one("SELECT * FROM coffee_transactions WHERE id = ?", (transaction_id,))
        return None if row is None else _transaction(row)

    async def profile(self, person_id: int) -> Profile | None:
        """A person's public profile."""
        query = f"SELECT {_PROFILE_COLUMNS} FROM persons p WHERE p.id = ?"  # noqa: S608
        row = await self._one(query, (person_id,))
        return None if row is None else _profile(row)

    async def shares_group(self, person_id: int, other_id: int) -> bool:
        """True if both people are (or were) members of one group."""
        query = (
            "SELECT 1 FROM coffee_members a JOIN coffee_members b ON a.group_id = b.group_id "
            "WHERE a.person_id = ? AND b.person_id = ? LIMIT 1"
        )
        return await self._one(query, (person_id, other_id)) is not None

    async def register_device(self, uuid: str, person_id: int, token: str, token_type: str, at: datetime) -> None:
        """Store a device's push token, replacing whatever was registered for that uuid."""
        query = (
            "INSERT INTO coffee_devices (uuid, person_id, token, token_type, registered_at) VALUES (?, ?, ?, ?, ?) "
            "ON CONFLICT (uuid) DO UPDATE SET person_id = excluded.person_id, token = excluded.token, "
            "token_type = excluded.token_type, registered_at = excluded.registered_at"
        )
        await self._conn.execute(query, (uuid, person_id, token, token_type, to_text(at)))
