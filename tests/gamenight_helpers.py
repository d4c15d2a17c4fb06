"""Helpers for the game-night tests: seeding games, host tokens, collecting events, peeking at rows."""

from dataclasses import dataclass
from pathlib import Path
from typing import Any

import aiosqlite

from tallybot.core.gamenight import GameDetails
from tallybot.core.models import Community, Event, Role
from tallybot.core.ports import EventSubscription
from tallybot.core.services import Services
from tests.helpers import Client


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
    ids = [(await services.games.add_game(where, details)).id for details in specs]
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


async def call(
    client: Client, method: str, path: str, headers: dict[str, str], payload: Any = None, status: int = 200
) -> Any:
    response = await client.request(method, path, json=payload, headers=headers)
    assert response.status == status, await response.text()
    return await response.json()
