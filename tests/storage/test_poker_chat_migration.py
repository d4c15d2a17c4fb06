"""Migration V007 rebuilds the poker participants table: nothing already stored may be lost."""

import sqlite3
from pathlib import Path

import pytest

from tallybot.storage.connection import Connection
from tallybot.storage.migrations import available, migrate

V007 = 7


async def test_v007_keeps_every_participant_and_vote_and_lets_people_join_without_tokens(tmp_path: Path) -> None:
    conn = Connection.open(str(tmp_path / "old.db"))
    for migration in available()[: V007 - 1]:
        await conn.executescript(f"BEGIN;\n{migration.sql}\nPRAGMA user_version = {migration.version};\nCOMMIT;")
    await conn.executescript(
        "INSERT INTO communities (id, slug, platform, external_id, name) VALUES (1, 'home', 'local', 'home', 'Home');"
        "INSERT INTO poker_sessions (id, community_id, public_id, id_index, deck, created_at) "
        "VALUES (1, 1, 'agile-aardvark-100', 0, '[\"5\", \"8\"]', 't');"
        "INSERT INTO poker_participants (id, session_id, name, token_hash, is_owner, joined_at) "
        "VALUES (1, 1, 'Dale', 'hash-d', 1, 't'), (2, 1, 'Jesse', 'hash-j', 0, 't');"
        "INSERT INTO poker_prompts (id, session_id, number, text, created_at) VALUES (1, 1, 1, 'OIDC', 't');"
        "INSERT INTO poker_rounds (prompt_id, number, started_at) VALUES (1, 1, 't');"
        "INSERT INTO poker_votes VALUES (1, 1, 1, '5', 't'), (1, 1, 2, '8', 't');"
        "INSERT INTO persons (id, uuid, display_name, created_at) VALUES (1, 'u-1', 'ana', 't');"
    )

    applied = await migrate(conn)

    assert V007 in [migration.version for migration in applied]
    participants = await conn.execute_fetchall(
        "SELECT id, name, token_hash, person_id, is_owner FROM poker_participants ORDER BY id"
    )
    assert [tuple(row) for row in participants] == [(1, "Dale", "hash-d", None, 1), (2, "Jesse", "hash-j", None, 0)]
    votes = await conn.execute_fetchall("SELECT participant_id, card FROM poker_votes ORDER BY participant_id")
    assert [tuple(row) for row in votes] == [(1, "5"), (2, "8")]
    await conn.executescript(
        "INSERT INTO poker_participants (session_id, name, person_id, joined_at) VALUES (1, 'ana', 1, 't');"
        "DELETE FROM poker_participants WHERE id = 2;"
    )
    votes = await conn.execute_fetchall("SELECT participant_id FROM poker_votes ORDER BY participant_id")
    assert [row[0] for row in votes] == [1]
    assert [tuple(row) for row in await conn.execute_fetchall("PRAGMA foreign_key_check")] == []
    with pytest.raises(sqlite3.IntegrityError, match="CHECK constraint failed"):
        await conn.execute_fetchall("INSERT INTO poker_participants (session_id, name, joined_at) VALUES (1, 'x', 't')")
    await conn.close()
