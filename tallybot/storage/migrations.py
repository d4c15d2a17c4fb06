"""Forward-only numbered migrations: ``migrations/V001__initial.sql`` and so on.

The applied version lives in ``PRAGMA user_version``. A migration runs in one
transaction with the version bump, so a failure leaves the previous version intact.
Never edit a migration once it has shipped; add the next number instead.
"""

import re
from dataclasses import dataclass
from importlib import resources

from tallybot.storage.connection import Connection

_NAME = re.compile(r"^V([0-9]{3})__(\w+)\.sql$", re.ASCII)


@dataclass(frozen=True)
class Migration:
    """One numbered SQL script."""

    version: int
    name: str
    sql: str


def available() -> list[Migration]:
    """Every migration shipped with the package, in order."""
    found = []
    for entry in resources.files("tallybot.storage").joinpath("migrations").iterdir():
        match = _NAME.match(entry.name)
        if match:
            found.append(Migration(int(match.group(1)), match.group(2), entry.read_text(encoding="utf-8")))
    found.sort(key=lambda migration: migration.version)
    versions = [migration.version for migration in found]
    if versions != list(range(1, len(found) + 1)):
        raise RuntimeError(f"migration numbers must run 1, 2, 3... without gaps; found {versions}")
    return found


async def current_version(conn: Connection) -> int:
    """The schema version recorded in the database file."""
    async with conn.execute("PRAGMA user_version") as cursor:
        row = await cursor.fetchone()
    return int(row[0]) if row else 0


async def migrate(conn: Connection) -> list[Migration]:
    """Apply every migration newer than the database; returns the ones applied."""
    version = await current_version(conn)
    shipped = available()
    if version > len(shipped):
        raise RuntimeError(f"the database is at schema version {version}, newer than this tallybot ({len(shipped)})")
    applied = []
    for migration in shipped[version:]:
        script = f"BEGIN IMMEDIATE;\n{migration.sql}\nPRAGMA user_version = {migration.version};\nCOMMIT;"
        try:
            await conn.executescript(script)
        except Exception:
            if conn.in_transaction:
                await conn.execute("ROLLBACK")
            raise
        applied.append(migration)
    return applied
