"""Tonight's ``add_game``: a title that may end with a room code, or a title and a room code given apart."""

import pytest

from tallybot.core.errors import Invalid, NotFound
from tallybot.core.models import Community
from tallybot.core.services import Services
from tests.helpers import host_of

BAD_ROOM_CODE = "room_code must be exactly 4 alphanumeric characters (A-Z, 0-9)"


@pytest.fixture
async def community(services: Services) -> Community:
    community = services.default_community
    await services.game_nights.start(host_of(community), community, None)
    return community


async def test_a_title_ending_with_a_room_code_is_split_when_no_code_is_given_apart(
    services: Services, community: Community
) -> None:
    added = await services.tonight.add_game(host_of(community), community, "Quixort abcd")
    whole = await services.tonight.add_game(host_of(community), community, "Word Spud")
    assert [(game.title, game.room_code) for game in (added, whole)] == [("Quixort", "ABCD"), ("Word Spud", None)]


async def test_a_room_code_given_apart_is_taken_in_any_case(services: Services, community: Community) -> None:
    added = await services.tonight.add_game(host_of(community), community, "Quixort", " wxyz ")
    assert (added.title, added.room_code) == ("Quixort", "WXYZ")


@pytest.mark.parametrize("title", ["Quixort", "no game has this title"])
async def test_a_room_code_given_apart_is_checked_as_one_before_the_title(
    services: Services, community: Community, title: str
) -> None:
    with pytest.raises(Invalid) as bad:
        await services.tonight.add_game(host_of(community), community, title, "ABCDEF")
    assert str(bad.value) == BAD_ROOM_CODE
    assert await services.game_nights.games(community, 1) == []


async def test_with_a_room_code_given_apart_the_title_is_only_a_title(services: Services, community: Community) -> None:
    with pytest.raises(NotFound) as unknown:
        await services.tonight.add_game(host_of(community), community, "Quixort WXYZ", "ABCD")
    assert str(unknown.value) == "No game is called 'Quixort WXYZ'. Did you mean Quixort?"
