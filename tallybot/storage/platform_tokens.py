"""Platform accounts' OAuth token pairs in SQLite, sealed by the core before they get here."""

from tallybot.core.accounts import StoredPlatformToken
from tallybot.core.models import Platform
from tallybot.storage.connection import Connection, Row
from tallybot.storage.convert import from_text, to_text


def _token(row: Row) -> StoredPlatformToken:
    return StoredPlatformToken(
        platform=Platform(row["platform"]),
        user_id=row["user_id"],
        sealed_access=row["access_token"],
        sealed_refresh=row["refresh_token"],
        updated_at=from_text(row["updated_at"]),
    )


class SqlitePlatformTokenRepository:
    """Implements ``PlatformTokenRepository``."""

    def __init__(self, conn: Connection) -> None:
        self._conn = conn

    async def put(self, token: StoredPlatformToken) -> None:
        """Store an account's token pair, replacing the one stored before."""
        query = (
            "INSERT INTO platform_tokens (platform, user_id, access_token, refresh_token, updated_at) "
            "VALUES (?, ?, ?, ?, ?) ON CONFLICT (platform, user_id) DO UPDATE SET "
            "access_token = excluded.access_token, refresh_token = excluded.refresh_token, "
            "updated_at = excluded.updated_at"
        )
        params = (
            token.platform.value,
            token.user_id,
            token.sealed_access,
            token.sealed_refresh,
            to_text(token.updated_at),
        )
        await self._conn.execute(query, params)

    async def all(self, platform: Platform) -> list[StoredPlatformToken]:
        """Every stored token pair on a platform."""
        query = "SELECT * FROM platform_tokens WHERE platform = ? ORDER BY user_id"
        async with self._conn.execute(query, (platform.value,)) as cursor:
            rows = await cursor.fetchall()
        return [_token(row) for row in rows]
