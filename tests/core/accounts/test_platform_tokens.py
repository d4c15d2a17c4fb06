"""Platform tokens: sealed with the configured key, opened again, and never shown in logs or reprs."""

import sqlite3
from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from tallybot.core.accounts import PlatformTokenService, TokenSealer
from tallybot.core.errors import Unavailable
from tallybot.core.models import Platform
from tallybot.storage.db import SqliteDatabase
from tests.helpers import FakeClock

KEY = "k" * 32
ACCESS = "access-token-0123456789"
REFRESH = "refresh-token-9876543210"


@pytest.fixture
async def db(tmp_path: Path) -> AsyncIterator[SqliteDatabase]:
    database = SqliteDatabase(tmp_path / "tokens.db", on_commit=lambda events: None)
    await database.open()
    yield database
    await database.close()


def _stored_columns(path: Path) -> list[tuple[str, str, str, str]]:
    with sqlite3.connect(path) as conn:
        query = "SELECT platform, user_id, access_token, refresh_token FROM platform_tokens ORDER BY user_id"
        return list(conn.execute(query))


def test_a_sealed_token_opens_with_the_same_key_only() -> None:
    sealed = TokenSealer(KEY).seal(ACCESS)

    assert sealed.startswith("sealed:")
    assert ACCESS not in sealed
    assert TokenSealer(KEY).open(sealed) == ACCESS
    with pytest.raises(Unavailable, match="encrypted with a different token key"):
        TokenSealer("x" * 32).open(sealed)
    with pytest.raises(Unavailable, match="no token key is configured"):
        TokenSealer("").open(sealed)


def test_without_a_key_tokens_are_marked_plain_and_open_with_or_without_one() -> None:
    stored = TokenSealer("").seal(ACCESS)

    assert stored == f"plain:{ACCESS}"
    assert TokenSealer("").open(stored) == ACCESS
    assert TokenSealer(KEY).open(stored) == ACCESS


async def test_saved_tokens_are_stored_sealed_and_load_back(db: SqliteDatabase, tmp_path: Path) -> None:
    tokens = PlatformTokenService(db, FakeClock(), TokenSealer(KEY))

    await tokens.save(Platform.TWITCH, "900", "old-access", "old-refresh")
    await tokens.save(Platform.TWITCH, "900", ACCESS, REFRESH)
    await tokens.save(Platform.DISCORD, "1", "other-access", "other-refresh")
    loaded = await tokens.load(Platform.TWITCH)

    assert [(token.user_id, token.access_token, token.refresh_token) for token in loaded] == [("900", ACCESS, REFRESH)]
    columns = _stored_columns(tmp_path / "tokens.db")
    assert [(platform, user) for platform, user, _, _ in columns] == [("discord", "1"), ("twitch", "900")]
    assert all(access.startswith("sealed:") and refresh.startswith("sealed:") for _, _, access, refresh in columns)
    assert ACCESS not in str(columns)
    assert REFRESH not in str(columns)


async def test_a_token_the_key_cannot_open_is_left_out_and_logged_without_its_text(
    db: SqliteDatabase, caplog: pytest.LogCaptureFixture
) -> None:
    await PlatformTokenService(db, FakeClock(), TokenSealer(KEY)).save(Platform.TWITCH, "900", ACCESS, REFRESH)
    other_key = PlatformTokenService(db, FakeClock(), TokenSealer("y" * 32))

    loaded = await other_key.load(Platform.TWITCH)

    assert loaded == []
    assert caplog.messages == [
        "cannot use the stored twitch token of user 900: The stored tokens were encrypted with a different token key"
    ]


async def test_a_loaded_tokens_repr_leaves_the_secrets_out(db: SqliteDatabase) -> None:
    tokens = PlatformTokenService(db, FakeClock(), TokenSealer(""))
    await tokens.save(Platform.TWITCH, "900", ACCESS, REFRESH)

    [token] = await tokens.load(Platform.TWITCH)

    assert ACCESS not in repr(token)
    assert REFRESH not in repr(token)
    assert "user_id='900'" in repr(token)
