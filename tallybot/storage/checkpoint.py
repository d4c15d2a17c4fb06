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
    """Moves committed WAL pages into the database file every ``interval`` seconds."""

    def __init__(self, path: Path, interval: float = 1.0) -> None:
        self._path = path
        self._interval = interval

    async def run(self) -> None:
        """Checkpoint until cancelled, then once more so a clean stop leaves a small WAL."""
        async with aiosqlite.connect(self._path) as conn:
            await conn.execute("PRAGMA busy_timeout = 5000")
            try:
                while True:
                    await asyncio.sleep(self._interval)
                    await self._checkpoint(conn, "PASSIVE")
            finally:
                await asyncio.shield(self._checkpoint(conn, "TRUNCATE"))

    async def _checkpoint(self, conn: aiosqlite.Connection, mode: str) -> None:
        try:
            await conn.execute(f"PRAGMA wal_checkpoint({mode})")
        except aiosqlite.Error as exc:
            # A busy database only delays the checkpoint; the next round catches up.
            log.warning("WAL checkpoint (%s) did not run: %s", mode, exc)
