"""Migration V009: identities admit console users, and every identity made before it survives."""

import sqlite3
from pathlib import Path

import pytest

from tallybot.storage.connection import Connection
from tallybot.storage.migrations import available, current_version, migrate

VERSION = 9
INSERT_IDENTITY = "INSERT INTO identities (person_id, provider, external_id, username) VALUES (1, ?, ?, ?)"


async def test_identities_survive_the_rebuild_and_console_users_fit_after_it(tmp_path: Path) -> None:
    conn = Connection.open(str(tmp_path / "old.db"))
    [chat_accounts] = [migration for migration in available() if migration.name == "chat_accounts"]
    assert chat_accounts.version == VERSION
    for migration in available()[: VERSION - 1]:
        await conn.executescript(f"BEGIN;\n{migration.sql}\nPRAGMA user_version = {migration.version};\nCOMMIT;")
    query = "INSERT INTO persons (uuid, display_name, created_at) VALUES ('u1', 'Ryan', '2026-11-23T12:00:00+00:00')"
    await conn.execute(query)
    await conn.execute(INSERT_IDENTITY, ("discord", "42", "ryan"))
    await conn.execute(INSERT_IDENTITY, ("email", "ryan@example.com", "ryan@example.com"))
    with pytest.raises(sqlite3.IntegrityError):
        await conn.execute(INSERT_IDENTITY, ("console", "ryan", "ryan"))

    assert [migration.version for migration in await migrate(conn)] == list(range(VERSION, len(available()) + 1))
    assert await current_version(conn) == len(available())
    await conn.execute(INSERT_IDENTITY, ("console", "ryan", "Ryan"))
    rows = await conn.execute_fetchall("SELECT * FROM identities ORDER BY provider")
    indexes = await conn.execute_fetchall(
        "SELECT name FROM sqlite_master WHERE tbl_name = 'identities' AND type = 'index'"
    )
    await conn.execute("DELETE FROM persons WHERE id = 1")
    left = await conn.execute_fetchall("SELECT count(*) FROM identities")
    await conn.close()
    assert [tuple(row) for row in rows] == [
        (1, "console", "ryan", "Ryan"),
        (1, "discord", "42", "ryan"),
        (1, "email", "ryan@example.com", "ryan@example.com"),
    ]
    assert {row["name"] for row in indexes} >= {"identities_person", "identities_username"}
    # The rebuilt table still goes with its person.
    assert left[0][0] == 0
