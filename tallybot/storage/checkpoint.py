"""WAL checkpoints on a background thread.

The writer runs on the event loop with automatic checkpoints off (see ``connection.py``),
because a checkpoint copies pages into the database file and fsyncs it. This task does
that work through aiosqlite, whose connection lives on its own thread, so the event loop
never waits for the disk.
"""

import asyncio
import logging
from pathlib import Path

import aiosqlite

log = logging.getLogger(__name__)


class WalCheckpointer:
    """Moves committed WAL pages into the database file every ``interval`` seconds.

    The connection is opened and closed by awaited calls, never inside the cancellable
    loop, so no work is left on aiosqlite's thread when the event loop goes away.
    """

    def __init__(self, path: Path, interval: float = 1.0) -> None:
        self._path = path
        self._interval = interval
        self._conn: aiosqlite.Connection | None = None

    async def open(self) -> None:
        """Connect the checkpoint connection."""
        self._conn = await aiosqlite.connect(self._path)
        await self._conn.execute("PRAGMA busy_timeout = 5000")

    async def run(self) -> None:
        """Checkpoint until cancelled."""
        while True:
            await asyncio.sleep(self._interval)
            await self._checkpoint("PASSIVE")

    async def close(self) -> None:
        """Checkpoint once more, so that a clean stop leaves a small WAL, and disconnect."""
        if self._conn is None:
            return
        await self._checkpoint("TRUNCATE")
        await self._conn.close()
        self._conn = None

    async def _checkpoint(self, mode: str) -> None:
        assert self._conn is not None
        try:
            await self._conn.execute(f"PRAGMA wal_checkpoint({mode})")
        except aiosqlite.Error as exc:
            # A busy database only delays the checkpoint; the next round catches up.
            log.warning("WAL checkpoint (%s) did not run: %s", mode, exc)
