"""Fixtures for the game-night API tests: a host's headers and a few seeded games."""

import pytest

from tallybot.core.services import Services
from tests.gamenight_helpers import SeededGames, host_headers, seed_games


@pytest.fixture
async def host(services: Services) -> dict[str, str]:
    return await host_headers(services)


@pytest.fixture
async def games(services: Services) -> SeededGames:
    return await seed_games(services)
