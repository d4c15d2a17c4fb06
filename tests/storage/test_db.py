"""The SQLite database: WAL, migrations, group commit and per-unit rollback."""

import asyncio
import sqlite3
from collections.abc import AsyncIterator, Sequence
from datetime import UTC, datetime
from pathlib import Path

import aiosqlite
import pytest

from tallybot.core.errors import Conflict
from tallybot.core.events import new_event
from tallybot.core.models import Event, Platform
from tallybot.storage.connection import Connection
from tallybot.storage.db import SqliteDatabase
from tallybot.storage.migrations import available, current_version
from tallybot.storage.transaction import SqliteTransaction

NOW = datetime(2026, 11, 23, tzinfo=UTC)


class Published:
    """Collects what the database hands to the event bus after each commit."""

    def __init__(self) -> None:
        self.events: list[Event] = []

    def __call__(self, events: Sequence[Event]) -> None:
        self.events.extend(events)


@pytest.fixture
def published() -> Published:
    return Published()


@pytest.fixture
async def db(tmp_path: Path, published: Published) -> AsyncIterator[SqliteDatabase]:
    database = SqliteDatabase(tmp_path / "t.db", on_commit=published)
    await database.open()
    yield database
    await database.close()


async def community_id(db: SqliteDatabase) -> int:
    async def work(tx: SqliteTransaction) -> int:
        return (await tx.communities.ensure(Platform.LOCAL, "home", "home", "Home")).id

    return await db.write(work)


async def person_names(path: Path) -> list[str]:
    async with aiosqlite.connect(path) as conn:
        rows = await conn.execute_fetchall("SELECT display_name FROM persons ORDER BY display_name")
    return [row[0] for row in rows]


async def test_opening_applies_every_migration_in_wal_mode(db: SqliteDatabase, tmp_path: Path) -> None:
    conn = Connection.open(str(tmp_path / "t.db"))
    assert await current_version(conn) == len(available())
    [row] = await conn.execute_fetchall("PRAGMA journal_mode")
    await conn.close()
    assert row[0] == "wal"


async def test_reopening_an_migrated_database_applies_nothing_again(tmp_path: Path, published: Published) -> None:
    for _ in range(2):
        database = SqliteDatabase(tmp_path / "again.db", on_commit=published)
        await database.open()
        await community_id(database)
        await database.close()
    conn = Connection.open(str(tmp_path / "again.db"))
    assert await current_version(conn) == len(available())
    [row] = await conn.execute_fetchall("SELECT count(*) FROM communities")
    await conn.close()
    assert row[0] == 1


async def test_two_hundred_concurrent_writers_all_commit_in_few_batches(db: SqliteDatabase, tmp_path: Path) -> None:
    async def add(n: int) -> int:
        async def work(tx: SqliteTransaction) -> int:
            return (await tx.people.add(f"uuid-{n}", f"person {n:03d}", NOW)).id

        return await db.write(work)

    ids = await asyncio.gather(*(add(n) for n in range(200)))
    assert len(set(ids)) == 200
    assert await person_names(tmp_path / "t.db") == [f"person {n:03d}" for n in range(200)]
    # Group commit: 200 writers queued at once share a handful of transactions, not 200.
    assert db.batches_committed < 20


async def test_a_failing_writer_rolls_back_alone(db: SqliteDatabase, tmp_path: Path) -> None:
    async def add(n: int) -> str:
        async def work(tx: SqliteTransaction) -> str:
            await tx.people.add(f"uuid-{n}", f"person {n:03d}", NOW)
            if n == 7:
                raise Conflict("number seven changed its mind")
            return f"person {n:03d}"

        return await db.write(work)

    results = await asyncio.gather(*(add(n) for n in range(20)), return_exceptions=True)
    failures = [r for r in results if isinstance(r, BaseException)]
    assert [str(f) for f in failures] == ["number seven changed its mind"]
    assert await person_names(tmp_path / "t.db") == [f"person {n:03d}" for n in range(20) if n != 7]


async def test_events_are_published_only_for_units_that_committed(db: SqliteDatabase, published: Published) -> None:
    home = await community_id(db)

    async def emit(name: str, fail: bool) -> None:
        async def work(tx: SqliteTransaction) -> None:
            await tx.outbox.append(new_event("test.happened", home, {"name": name}, NOW))
            if fail:
                raise Conflict("no")

        await db.write(work)

    await asyncio.gather(emit("kept", False), emit("dropped", True), return_exceptions=True)
    assert [event.data["name"] for event in published.events] == ["kept"]
    assert published.events[0].sequence is not None

    async def stored(tx: SqliteTransaction) -> list[Event]:
        return await tx.outbox.after(0, 10)

    assert [event.data for event in await db.read(stored)] == [{"name": "kept"}]


async def test_a_cancelled_caller_does_not_block_other_writers(db: SqliteDatabase) -> None:
    gate = asyncio.Event()

    async def slow(tx: SqliteTransaction) -> None:
        await gate.wait()

    async def quick(tx: SqliteTransaction) -> str:
        await tx.people.add("uuid-q", "quick", NOW)
        return "done"

    blocked = asyncio.create_task(db.write(slow))
    await asyncio.sleep(0.01)
    waiting = asyncio.create_task(db.write(quick))
    blocked.cancel()
    gate.set()
    assert await waiting == "done"
    with pytest.raises(asyncio.CancelledError):
        await blocked


async def test_reads_run_on_a_read_only_connection(db: SqliteDatabase, tmp_path: Path) -> None:
    async def sneaky_write(tx: SqliteTransaction) -> None:
        await tx.people.add("uuid-r", "reader", NOW)

    with pytest.raises(sqlite3.OperationalError):
        await db.read(sneaky_write)
    assert await person_names(tmp_path / "t.db") == []


async def test_committed_pages_reach_the_database_file_while_it_is_open(tmp_path: Path, published: Published) -> None:
    database = SqliteDatabase(tmp_path / "wal.db", on_commit=published)
    await database.open()
    before = (tmp_path / "wal.db").stat().st_size
    await community_id(database)
    # The writer never checkpoints itself; the background checkpointer runs every second.
    for _ in range(30):
        await asyncio.sleep(0.1)
        if (tmp_path / "wal.db").stat().st_size > before:
            break
    after = (tmp_path / "wal.db").stat().st_size
    await database.close()
    assert after > before
