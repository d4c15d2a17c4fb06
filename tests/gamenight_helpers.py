"""Helpers for the game-night tests: seeding games, host tokens, collecting events, rows, who may write."""

from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import aiosqlite
import pytest

from tallybot.core.errors import NotHost
from tallybot.core.gamenight import GameDetails
from tallybot.core.models import Community, Event, Principal, Role
from tallybot.core.ports import EventSubscription
from tallybot.core.services import Services
from tests.helpers import Client, host_of, member_of


@dataclass(frozen=True)
class SeededGames:
    """Ids of the games ``seed_games`` added."""

    quiplash: int
    trivia: int
    drawful: int


async def seed_games(services: Services, community: Community | None = None) -> SeededGames:
    """Add three games to a community (the default one) through the games service."""
    where = community or services.default_community
    specs = (
        GameDetails("Test Pack 7", "Quiplash Test", 3, 8, game_type="Writing"),
        GameDetails("Test Pack 6", "Trivia Test", 1, 8, game_type="Trivia"),
        GameDetails("Test Pack 6", "Drawful Test", 3, 8, game_type=None),
    )
    ids = [(await services.games.add_game(host_of(where), where, details)).id for details in specs]
    return SeededGames(*ids)


async def host_headers(services: Services, community: Community | None = None) -> dict[str, str]:
    """An Authorization header with a new host token for a community (the default one)."""
    issued = await services.accounts.create_api_token(community or services.default_community, Role.HOST, "test")
    return {"Authorization": f"Bearer {issued.secret}"}


async def drain(subscription: EventSubscription) -> list[Event]:
    """Every event the subscription has received so far (it is closed afterwards)."""
    subscription.close()
    return [event async for event in subscription]


async def rows(database: str, query: str, *params: Any) -> list[dict[str, Any]]:
    """Rows read straight from the SQLite file, to check what the API stored."""
    async with aiosqlite.connect(Path(database)) as conn:
        conn.row_factory = aiosqlite.Row
        async with conn.execute(query, params) as cursor:
            return [dict(row) for row in await cursor.fetchall()]


async def every_row(database: str) -> dict[str, list[str]]:
    """Every row of every table of the SQLite file, to show that a refused call wrote nothing."""
    tables = await rows(database, "SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name")
    # The names come from SQLite's own catalogue, not from any input.
    return {
        table["name"]: sorted(repr(row) for row in await rows(database, f'SELECT * FROM "{table["name"]}"'))  # noqa: S608
        for table in tables
    }


# A caller of a service, built for the community the call acts on.
Who = Callable[[Community], Principal]


async def refused_and_nothing_written(
    database: str, call: Callable[[Who], Awaitable[object]], elsewhere: Community
) -> None:
    """A member, and a host of another community (``elsewhere``), are refused with NotHost; nothing is written."""
    before = await every_row(database)
    for who in (member_of, lambda _: host_of(elsewhere)):
        with pytest.raises(NotHost) as refused:
            await call(who)
        assert str(refused.value) == "Only a host of this community can do that"
    assert await every_row(database) == before


async def written_by_a_host(database: str, call: Callable[[Who], Awaitable[object]]) -> None:
    """A host's call goes through and writes."""
    before = await every_row(database)
    await call(host_of)
    assert await every_row(database) != before


async def call(
    client: Client, method: str, path: str, headers: dict[str, str], payload: Any = None, status: int = 200
) -> Any:
    response = await client.request(method, path, json=payload, headers=headers)
    assert response.status == status, await response.text()
    return await response.json()
