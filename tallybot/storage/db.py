"""The SQLite database: one writer connection with group commit, and a pool of readers.

Every write is a unit of work queued for the single writer task. The writer takes
whatever is queued, runs each unit inside its own SAVEPOINT of one ``BEGIN IMMEDIATE``
transaction, and commits once. A unit that raises is rolled back to its savepoint alone;
the others still commit. Callers are answered only after the COMMIT, so an acknowledged
write is durable, and many concurrent writes cost one fsync instead of one each.
"""

import asyncio
import contextlib
import logging
from collections.abc import Awaitable, Callable, Sequence
from pathlib import Path
from typing import Any, TypeVar

from tallybot.core.models import Event
from tallybot.storage.checkpoint import WalCheckpointer
from tallybot.storage.connection import Connection
from tallybot.storage.migrations import migrate
from tallybot.storage.transaction import SqliteTransaction

log = logging.getLogger(__name__)

T = TypeVar("T")
Work = Callable[[SqliteTransaction], Awaitable[Any]]


class _Job:
    __slots__ = ("future", "work")

    def __init__(self, work: Work, future: "asyncio.Future[Any]") -> None:
        self.work = work
        self.future = future


class SqliteDatabase:
    """Implements the core's ``Database`` port on a SQLite file in WAL mode."""

    def __init__(
        self,
        path: Path,
        on_commit: Callable[[Sequence[Event]], None],
        *,
        readers: int = 2,
        max_batch: int = 512,
    ) -> None:
        self._path = path
        self._on_commit = on_commit
        self._reader_count = readers
        self._max_batch = max_batch
        self._writer: Connection | None = None
        self._readers: asyncio.Queue[Connection] = asyncio.Queue()
        self._all_readers: list[Connection] = []
        self._queue: asyncio.Queue[_Job] = asyncio.Queue()
        self._writer_task: asyncio.Task[None] | None = None
        self._checkpoint_task: asyncio.Task[None] | None = None
        self._checkpointer = WalCheckpointer(self._path)
        self.batches_committed = 0

    async def open(self) -> None:
        """Connect, switch to WAL, apply migrations, and start the writer and checkpoint tasks."""
        self._path.parent.mkdir(parents=True, exist_ok=True)
        writer = Connection.open(str(self._path))
        self._writer = writer
        await writer.execute("PRAGMA journal_mode = WAL")
        # In WAL mode, NORMAL is durable against a process crash (SIGKILL); only a power
        # loss can take back the last commits, and a commit needs no fsync at all.
        await writer.execute("PRAGMA synchronous = NORMAL")
        # Checkpoints fsync, so they run on a thread (WalCheckpointer), not in a commit.
        await writer.execute("PRAGMA wal_autocheckpoint = 0")
        await migrate(writer)
        for _ in range(self._reader_count):
            reader = Connection.open(f"{self._path.resolve().as_uri()}?mode=ro", uri=True)
            await reader.execute("PRAGMA query_only = ON")
            self._all_readers.append(reader)
            self._readers.put_nowait(reader)
        self._writer_task = asyncio.create_task(self._write_loop(), name="sqlite-writer")
        await self._checkpointer.open()
        self._checkpoint_task = asyncio.create_task(self._checkpointer.run(), name="sqlite-checkpoint")

    async def close(self) -> None:
        """Finish queued writes, checkpoint, then close every connection."""
        if self._writer_task is not None:
            await self._queue.join()
            self._writer_task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._writer_task
            self._writer_task = None
        if self._checkpoint_task is not None:
            self._checkpoint_task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._checkpoint_task
            self._checkpoint_task = None
            await self._checkpointer.close()
        for reader in self._all_readers:
            await reader.close()
        self._all_readers.clear()
        if self._writer is not None:
            await self._writer.close()
            self._writer = None

    async def write(self, work: Callable[[SqliteTransaction], Awaitable[T]]) -> T:
        """Queue a unit of work for the writer and wait until its batch has committed."""
        if self._writer_task is None:
            raise RuntimeError("the database is not open")
        future: asyncio.Future[T] = asyncio.get_running_loop().create_future()
        self._queue.put_nowait(_Job(work, future))
        return await future

    async def read(self, work: Callable[[SqliteTransaction], Awaitable[T]]) -> T:
        """Run ``work`` on a reader inside one snapshot (a deferred read transaction)."""
        reader = await self._readers.get()
        try:
            await reader.execute("BEGIN")
            try:
                return await work(SqliteTransaction(reader))
            finally:
                await reader.execute("COMMIT")
        finally:
            self._readers.put_nowait(reader)

    async def _write_loop(self) -> None:
        while True:
            batch = [await self._queue.get()]
            while len(batch) < self._max_batch and not self._queue.empty():
                batch.append(self._queue.get_nowait())
            try:
                await self._commit_batch(batch)
            except Exception as exc:
                log.exception("a write batch failed to commit")
                for job in batch:
                    if not job.future.done():
                        job.future.set_exception(exc)
            finally:
                for _ in batch:
                    self._queue.task_done()

    async def _commit_batch(self, batch: list[_Job]) -> None:
        conn = self._writer
        assert conn is not None
        results: list[tuple[_Job, BaseException | None, Any]] = []
        events: list[Event] = []
        await conn.execute("BEGIN IMMEDIATE")
        try:
            for job in batch:
                if job.future.done():
                    continue
                tx = SqliteTransaction(conn)
                await conn.execute("SAVEPOINT unit")
                try:
                    result = await job.work(tx)
                except Exception as exc:
                    await conn.execute("ROLLBACK TO unit")
                    await conn.execute("RELEASE unit")
                    results.append((job, exc, None))
                else:
                    await conn.execute("RELEASE unit")
                    results.append((job, None, result))
                    events.extend(tx.events)
            await conn.execute("COMMIT")
        except BaseException:
            if conn.in_transaction:
                await conn.execute("ROLLBACK")
            raise
        self.batches_committed += 1
        for job, error, result in results:
            if job.future.done():
                continue
            if error is not None:
                job.future.set_exception(error)
            else:
                job.future.set_result(result)
        if events:
            self._on_commit(events)
