"""Migration V006: API tokens may be viewers, and the tokens made before it keep working."""

import sqlite3
from pathlib import Path

import pytest

from tallybot.core import crypto
from tallybot.storage.connection import Connection
from tallybot.storage.migrations import available, current_version, migrate

INSERT_TOKEN = (
    "INSERT INTO api_tokens (community_id, role, name, token_hash, created_at, expires_at) "
    "VALUES (1, ?, ?, ?, '2026-11-23T12:00:00+00:00', NULL)"
)


async def test_tokens_made_before_the_migration_survive_it_with_their_ids(tmp_path: Path) -> None:
    conn = Connection.open(str(tmp_path / "old.db"))
    for migration in available()[:5]:
        await conn.executescript(f"BEGIN;\n{migration.sql}\nPRAGMA user_version = {migration.version};\nCOMMIT;")
    await conn.execute("INSERT INTO communities (slug, platform, external_id, name) VALUES ('d', 'local', 'd', 'D')")
    await conn.execute(INSERT_TOKEN, ("host", "obs", crypto.hash_token("secret")))
    with pytest.raises(sqlite3.IntegrityError):
        await conn.execute(INSERT_TOKEN, ("viewer", "too early", crypto.hash_token("other")))

    assert [migration.version for migration in await migrate(conn)] == list(range(6, len(available()) + 1))
    assert await current_version(conn) == len(available())
    await conn.execute(INSERT_TOKEN, ("viewer", "overlay", crypto.hash_token("other")))
    rows = await conn.execute_fetchall("SELECT id, role, name, token_hash FROM api_tokens ORDER BY id")
    await conn.close()
    assert [tuple(row) for row in rows] == [
        (1, "host", "obs", crypto.hash_token("secret")),
        (2, "viewer", "overlay", crypto.hash_token("other")),
    ]
