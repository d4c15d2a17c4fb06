"""An async face on a plain ``sqlite3`` connection, used on the event loop's own thread.

Why not a thread per connection (aiosqlite)? Every statement would then cost a round
trip between threads, and on a 2-core machine that is about 250 µs: a vote of five
statements would spend over a millisecond just waiting for wake-ups. SQLite statements
on a WAL database with ``synchronous = NORMAL`` take a few microseconds and never fsync
on commit, so running them directly is both faster and simpler. The one slow operation,
the WAL checkpoint that does fsync, runs off the loop in ``checkpoint.py``.

The method names and shapes match aiosqlite's (``await conn.execute(...)``,
``async with conn.execute(...) as cursor``), so repositories read like ordinary async code
and could move to a threaded driver without changes.
"""

import sqlite3
from collections.abc import Generator, Iterable, Mapping, Sequence
from types import TracebackType
from typing import Any

Row = sqlite3.Row
Params = Sequence[Any] | Mapping[str, Any]


class Cursor:
    """The result of one statement."""

    def __init__(self, cursor: sqlite3.Cursor) -> None:
        self._cursor = cursor

    @property
    def rowcount(self) -> int:
        """Rows changed by an INSERT, UPDATE or DELETE."""
        return self._cursor.rowcount

    @property
    def lastrowid(self) -> int | None:
        """The rowid of the last inserted row."""
        return self._cursor.lastrowid

    async def fetchone(self) -> Row | None:
        """The next row, or None."""
        row: Row | None = self._cursor.fetchone()
        return row

    async def fetchall(self) -> list[Row]:
        """Every remaining row."""
        return self._cursor.fetchall()

    async def close(self) -> None:
        """Release the statement."""
        self._cursor.close()


class _Statement:
    """What ``execute`` returns: awaitable, and usable as ``async with``."""

    __slots__ = ("_conn", "_cursor", "_params", "_sql")

    def __init__(self, conn: sqlite3.Connection, sql: str, params: Params) -> None:
        self._conn = conn
        self._sql = sql
        self._params = params
        self._cursor: Cursor | None = None

    def _run(self) -> Cursor:
        self._cursor = Cursor(self._conn.execute(self._sql, self._params))
        return self._cursor

    def __await__(self) -> Generator[Any, None, Cursor]:
        return self._result().__await__()

    async def _result(self) -> Cursor:
        return self._run()

    async def __aenter__(self) -> Cursor:
        return self._run()

    async def __aexit__(
        self, kind: type[BaseException] | None, error: BaseException | None, trace: TracebackType | None
    ) -> None:
        if self._cursor is not None:
            await self._cursor.close()


class Connection:
    """A ``sqlite3`` connection with aiosqlite-shaped async methods."""

    def __init__(self, conn: sqlite3.Connection) -> None:
        conn.row_factory = sqlite3.Row
        self._conn = conn

    @classmethod
    def open(cls, target: str, *, uri: bool = False) -> "Connection":
        """Connect in autocommit mode (transactions are explicit) with foreign keys on."""
        conn = sqlite3.connect(target, isolation_level=None, uri=uri, check_same_thread=False)
        conn.execute("PRAGMA foreign_keys = ON")
        conn.execute("PRAGMA busy_timeout = 5000")
        return cls(conn)

    def execute(self, sql: str, params: Params = ()) -> _Statement:
        """Run one statement."""
        return _Statement(self._conn, sql, params)

    async def execute_fetchall(self, sql: str, params: Params = ()) -> list[Row]:
        """Run one statement and return all its rows."""
        return self._conn.execute(sql, params).fetchall()

    async def executemany(self, sql: str, rows: Iterable[Params]) -> Cursor:
        """Run one statement for each parameter set (one prepared statement, many rows)."""
        return Cursor(self._conn.executemany(sql, rows))

    async def executescript(self, script: str) -> None:
        """Run several statements; used by migrations."""
        self._conn.executescript(script)

    @property
    def total_changes(self) -> int:
        """Rows changed since the connection opened; the difference counts one statement's changes."""
        return self._conn.total_changes

    @property
    def in_transaction(self) -> bool:
        """True between BEGIN and COMMIT/ROLLBACK."""
        return self._conn.in_transaction

    async def close(self) -> None:
        """Close the connection."""
        self._conn.close()
