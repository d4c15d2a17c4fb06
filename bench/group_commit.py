"""How much group commit buys: concurrent writers through the one SQLite writer.

Runs the same number of small writes (one person insert each) twice on a fresh SQLite
file: once one after another, once all at the same time. Prints writes per second and
how many transactions each run took.

    .venv/bin/python bench/group_commit.py --writes 5000
"""

import argparse
import asyncio
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path

from tallybot.storage.db import SqliteDatabase
from tallybot.storage.transaction import SqliteTransaction

NOW = datetime(2026, 11, 23, tzinfo=UTC)


async def run(path: Path, writes: int, concurrent: bool) -> tuple[float, int]:
    """Do ``writes`` inserts; return the elapsed seconds and the number of committed batches."""
    db = SqliteDatabase(path, on_commit=lambda events: None)
    await db.open()

    async def add(n: int) -> None:
        async def work(tx: SqliteTransaction) -> None:
            await tx.people.add(f"uuid-{n}", f"person {n}", NOW)

        await db.write(work)

    started = time.perf_counter()
    if concurrent:
        await asyncio.gather(*(add(n) for n in range(writes)))
    else:
        for n in range(writes):
            await add(n)
    elapsed = time.perf_counter() - started
    batches = db.batches_committed
    await db.close()
    return elapsed, batches


async def main() -> None:
    """Print both runs' figures."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--writes", type=int, default=5000)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        for concurrent in (False, True):
            label = "concurrent" if concurrent else "sequential"
            elapsed, batches = await run(Path(folder) / f"{label}.db", args.writes, concurrent)
            print(
                f"{label:>10}: {args.writes} writes in {elapsed:.2f} s = {args.writes / elapsed:,.0f} writes/s "
                f"in {batches} transactions"
            )


if __name__ == "__main__":
    asyncio.run(main())
