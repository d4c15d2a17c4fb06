"""Sessions, confirmation codes and API tokens in SQLite: only hashes are stored."""

from datetime import datetime

from tallybot.core.accounts import ApiToken, AuthSession, ConfirmationCode
from tallybot.core.models import Role
from tallybot.storage.connection import Connection, Row
from tallybot.storage.convert import from_text, maybe_from_text, to_text

_SELECT_SESSION = (
    "SELECT s.id, p.uuid AS person_uuid, s.inserted, s.expires, s.updated "
    "FROM auth_sessions s JOIN persons p ON p.id = s.person_id "
)


def _session(row: Row) -> AuthSession:
    return AuthSession(
        id=row["id"],
        person_uuid=row["person_uuid"],
        inserted=from_text(row["inserted"]),
        expires=from_text(row["expires"]),
        updated=maybe_from_text(row["updated"]),
    )


def _api_token(row: Row) -> ApiToken:
    return ApiToken(
        id=row["id"],
        community_id=row["community_id"],
        role=Role(row["role"]),
        name=row["name"],
        created_at=from_text(row["created_at"]),
        expires_at=maybe_from_text(row["expires_at"]),
    )


class SqliteCredentialRepository:
    """Implements ``CredentialRepository``."""

    def __init__(self, conn: Connection) -> None:
        self._conn = conn

    async def _session_where(self, condition: str, param: object) -> AuthSession | None:
        async with self._conn.execute(_SELECT_SESSION + condition, (param,)) as cursor:
            row = await cursor.fetchone()
        return None if row is None else _session(row)

    async def add_session(self, person_id: int, token_hash: str, inserted: datetime, expires: datetime) -> AuthSession:
        """Insert a session."""
        query = "INSERT INTO auth_sessions (person_id, token_hash, inserted, expires) VALUES (?, ?, ?, ?) RETURNING id"
        async with self._conn.execute(query, (person_id, token_hash, to_text(inserted), to_text(expires))) as cursor:
            row = await cursor.fetchone()
        assert row is not None
        session = await self._session_where("WHERE s.id = ?", row["id"])
        assert session is not None
        return session

    async def session_by_token_hash(self, token_hash: str) -> AuthSession | None:
        """The session whose token hashes to this value."""
        return await self._session_where("WHERE s.token_hash = ?", token_hash)

    async def end_session(self, session_id: int, at: datetime) -> AuthSession:
        """Expire a session now."""
        query = "UPDATE auth_sessions SET expires = ?, updated = ? WHERE id = ?"
        await self._conn.execute(query, (to_text(at), to_text(at), session_id))
        session = await self._session_where("WHERE s.id = ?", session_id)
        assert session is not None
        return session

    async def replace_code(self, person_id: int, code_hash: str, created_at: datetime, expires_at: datetime) -> None:
        """Make this the person's only live confirmation code."""
        query = "UPDATE confirmation_codes SET retired_at = ? WHERE person_id = ? AND retired_at IS NULL"
        await self._conn.execute(query, (to_text(created_at), person_id))
        query = "INSERT INTO confirmation_codes (person_id, code_hash, created_at, expires_at) VALUES (?, ?, ?, ?)"
        await self._conn.execute(query, (person_id, code_hash, to_text(created_at), to_text(expires_at)))

    async def live_code(self, person_id: int) -> ConfirmationCode | None:
        """The person's unused confirmation code, if any (it may still be expired or spent)."""
        query = (
            "SELECT id, person_id, code_hash, expires_at, failed_attempts FROM confirmation_codes "
            "WHERE person_id = ? AND retired_at IS NULL ORDER BY id DESC LIMIT 1"
        )
        async with self._conn.execute(query, (person_id,)) as cursor:
            row = await cursor.fetchone()
        if row is None:
            return None
        return ConfirmationCode(
            row["id"], row["person_id"], row["code_hash"], from_text(row["expires_at"]), row["failed_attempts"]
        )

    async def count_failed_attempt(self, code_id: int) -> int:
        """Add one wrong guess to a code and return the new count."""
        query = (
            "UPDATE confirmation_codes SET failed_attempts = failed_attempts + 1 WHERE id = ? RETURNING failed_attempts"
        )
        async with self._conn.execute(query, (code_id,)) as cursor:
            row = await cursor.fetchone()
        return 0 if row is None else int(row["failed_attempts"])

    async def retire_code(self, code_id: int, at: datetime) -> None:
        """Mark a code used up, so it can never be accepted again."""
        query = "UPDATE confirmation_codes SET retired_at = ? WHERE id = ?"
        await self._conn.execute(query, (to_text(at), code_id))

    async def add_api_token(
        self,
        community_id: int,
        role: Role,
        name: str,
        token_hash: str,
        created_at: datetime,
        expires_at: datetime | None,
    ) -> ApiToken:
        """Insert an API token."""
        query = (
            "INSERT INTO api_tokens (community_id, role, name, token_hash, created_at, expires_at) "
            "VALUES (?, ?, ?, ?, ?, ?) RETURNING *"
        )
        expires_text = None if expires_at is None else to_text(expires_at)
        params = (community_id, role.value, name, token_hash, to_text(created_at), expires_text)
        async with self._conn.execute(query, params) as cursor:
            row = await cursor.fetchone()
        assert row is not None
        return _api_token(row)

    async def api_token_by_hash(self, token_hash: str) -> ApiToken | None:
        """The API token whose secret hashes to this value."""
        query = "SELECT * FROM api_tokens WHERE token_hash = ?"
        async with self._conn.execute(query, (token_hash,)) as cursor:
            row = await cursor.fetchone()
        return None if row is None else _api_token(row)
