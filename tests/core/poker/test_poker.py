"""Planning poker in the core: decks, results, friendly ids, hidden votes, events and long polls."""

import asyncio
import re
from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from tallybot.core.errors import Conflict, Invalid, NotFound
from tallybot.core.models import Community, Event, Platform
from tallybot.core.poker import PokerLimits, PokerService, Voter, result_data
from tallybot.core.poker.models import Seat
from tallybot.core.poker.rules import FIBONACCI, ID_SPACE, TSHIRT, choose_deck, friendly_id, match_card, tally
from tallybot.core.ports import EventSubscription
from tallybot.core.ratelimit import RateLimiter
from tallybot.core.services import Services
from tallybot.storage.db import SqliteDatabase
from tallybot.storage.transaction import SqliteTransaction
from tests.helpers import FakeClock, FakeMonotonic, until

FRIENDLY = re.compile(r"^[a-z]+-[a-z]+-[1-9]\d\d$")


async def next_events(subscription: EventSubscription, count: int) -> list[Event]:
    events = []
    async with asyncio.timeout(5):
        async for event in subscription:
            events.append(event)
            if len(events) == count:
                break
    return events


@pytest.fixture
async def db(tmp_path: Path) -> AsyncIterator[SqliteDatabase]:
    database = SqliteDatabase(tmp_path / "poker.db", on_commit=lambda events: None)
    await database.open()
    yield database
    await database.close()


@pytest.fixture
async def home(db: SqliteDatabase) -> Community:
    async def work(tx: SqliteTransaction) -> Community:
        return await tx.communities.ensure(Platform.LOCAL, "home", "home", "Home")

    return await db.write(work)


def limits() -> PokerLimits:
    """Limits that the tests in this module never reach."""
    return PokerLimits(
        guesses=RateLimiter(30, 900, FakeMonotonic(), "{seconds}"),
        openings=RateLimiter(30, 3600, FakeMonotonic(), "{seconds}"),
    )


def test_friendly_ids_are_url_safe_and_number_at_least_a_million() -> None:
    assert ID_SPACE >= 1_000_000
    sample = range(0, ID_SPACE, 997)
    ids = {friendly_id(index) for index in sample}
    assert len(ids) == len(sample)
    assert all(FRIENDLY.match(session_id) for session_id in ids)
    assert friendly_id(0) == "agile-aardvark-100"
    assert friendly_id(ID_SPACE - 1) == "zippy-zebra-999"
    with pytest.raises(ValueError, match="outside"):
        friendly_id(ID_SPACE)


async def test_sessions_drawn_at_the_same_spot_get_the_next_free_ids(db: SqliteDatabase, home: Community) -> None:
    poker = PokerService(db, FakeClock(), limits(), draw=lambda space: 5)
    seats = [await poker.create_session(home, name) for name in ("Ann", "Bob", "Cy")]
    assert [seat.session_id for seat in seats] == [friendly_id(5), friendly_id(6), friendly_id(7)]


async def test_a_draw_at_the_end_of_the_id_space_wraps_to_the_start(db: SqliteDatabase, home: Community) -> None:
    poker = PokerService(db, FakeClock(), limits(), draw=lambda space: space - 1)
    first = await poker.create_session(home, "Ann")
    second = await poker.create_session(home, "Bob")
    assert (first.session_id, second.session_id) == (friendly_id(ID_SPACE - 1), friendly_id(0))


async def test_a_full_id_space_is_reported_without_searching_forever(db: SqliteDatabase, home: Community) -> None:
    async def fill_and_search(tx: SqliteTransaction) -> tuple[int | None, int | None]:
        for index in (0, 1, 2):
            await tx.poker.add_session(home.id, friendly_id(index), index, FIBONACCI, FakeClock()())
        return await tx.poker.free_id_index(1, 4), await tx.poker.free_id_index(1, 3)

    assert await db.write(fill_and_search) == (3, None)


def test_the_default_deck_is_the_specs_fibonacci_deck() -> None:
    assert choose_deck(None) == ("0", "1", "2", "3", "5", "8", "13", "20", "40", "100", "?", "☕️")
    assert choose_deck(" TShirt ") == TSHIRT
    assert choose_deck([" 1 ", "2", "many"]) == ("1", "2", "many")


@pytest.mark.parametrize(
    ("deck", "message"),
    [
        ("poker", "Unknown deck 'poker': choose fibonacci, tshirt or a list of cards"),
        (["1"], "A deck needs 2 to 40 cards"),
        ([str(n) for n in range(41)], "A deck needs 2 to 40 cards"),
        (["1", " "], "Each card needs 1 to 16 characters"),
        (["1", "x" * 17], "Each card needs 1 to 16 characters"),
        (["M", "m"], "A deck cannot hold the same card twice"),
    ],
)
def test_bad_decks_are_refused(deck: str | list[str], message: str) -> None:
    with pytest.raises(Invalid) as caught:
        choose_deck(deck)
    assert str(caught.value) == message


def test_votes_match_cards_without_the_emoji_selector_or_case() -> None:
    assert match_card(FIBONACCI, "☕") == "☕️"
    assert match_card(TSHIRT, " xl ") == "XL"
    with pytest.raises(Invalid) as caught:
        match_card(TSHIRT, "7")
    assert str(caught.value) == "'7' is not a card in this session's deck. Valid cards: XS, S, M, L, XL, XXL, ?, ☕️"
    assert caught.value.details == {"valid_cards": list(TSHIRT)}


def test_a_split_vote_names_the_voters_furthest_from_the_median_card() -> None:
    result = tally(1, [("Ann", "5"), ("Bob", "5"), ("Cy", "13"), ("Di", "?"), ("Ed", "5")], FIBONACCI)
    assert result_data(result) == {
        "round": 1,
        "votes": [
            {"participant_id": "Ann", "vote": "5"},
            {"participant_id": "Bob", "vote": "5"},
            {"participant_id": "Cy", "vote": "13"},
            {"participant_id": "Di", "vote": "?"},
            {"participant_id": "Ed", "vote": "5"},
        ],
        "min": 5,
        "max": 13,
        "median": 5,
        "mean": 7,
        "consensus": False,
        "outliers": ["Cy"],
    }


def test_equal_estimates_are_a_consensus_even_beside_a_coffee_card() -> None:
    result = tally(2, [("Ann", "3"), ("Bob", "☕️"), ("Cy", "3")], FIBONACCI)
    assert (result.consensus, result.outliers, result.median, result.mean) == (True, (), 3.0, 3.0)


def test_the_mean_is_shown_to_two_decimals() -> None:
    result = tally(1, [("Ann", "1"), ("Bob", "2"), ("Cy", "2")], FIBONACCI)
    assert (result_data(result)["mean"], result_data(result)["median"]) == (1.67, 2)


def test_a_round_without_estimates_has_no_statistics_and_no_consensus() -> None:
    result = tally(1, [("Ann", "?"), ("Bob", "☕️")], FIBONACCI)
    assert (result.minimum, result.maximum, result.median, result.mean) == (None, None, None, None)
    assert (result.consensus, result.outliers) == (False, ())


def test_tshirt_sizes_agree_and_disagree_without_numbers() -> None:
    assert tally(1, [("Ann", "M"), ("Bob", "M")], TSHIRT).consensus is True
    split = tally(1, [("Ann", "M"), ("Bob", "M"), ("Cy", "XXL")], TSHIRT)
    assert (split.consensus, split.outliers, split.median) == (False, ("Cy",), None)


async def test_a_vote_stays_hidden_until_everyone_has_voted(services: Services) -> None:
    poker, home = services.poker, services.default_community
    dale = await poker.create_session(home, "Dale")
    jesse = await poker.join(home, dale.session_id, "Jesse")
    opened = await poker.create_prompt(home, dale.session_id, dale.token, "OIDC")
    first = await poker.vote(home, dale.session_id, opened.prompt.public_id, dale.token, "8")
    view = await poker.watch(home, dale.session_id, "1", jesse.token, None, None)
    assert view is not None
    assert (first.revealed, view.revealed, view.result) == (False, False, None)
    assert view.voters == (Voter("Dale", True, None), Voter("Jesse", False, None))
    last = await poker.vote(home, dale.session_id, "1", jesse.token, "8")
    view = await poker.watch(home, dale.session_id, "1", dale.token, None, None)
    assert view is not None
    assert (last.revealed, view.revealed) == (True, True)
    assert view.voters == (Voter("Dale", True, "8"), Voter("Jesse", True, "8"))


async def team_of_three(services: Services) -> tuple[Seat, Seat, Seat]:
    """A session owned by Dale, with Jesse and Kim in it, estimating "OIDC"."""
    poker, home = services.poker, services.default_community
    dale = await poker.create_session(home, "Dale")
    jesse = await poker.join(home, dale.session_id, "Jesse")
    kim = await poker.join(home, dale.session_id, "Kim")
    await poker.create_prompt(home, dale.session_id, dale.token, "OIDC")
    return dale, jesse, kim


async def test_an_owner_who_does_not_vote_is_not_waited_for_beside_two_others(services: Services) -> None:
    poker, home = services.poker, services.default_community
    dale, jesse, kim = await team_of_three(services)
    first = await poker.vote(home, dale.session_id, "1", jesse.token, "5")
    last = await poker.vote(home, dale.session_id, "1", kim.token, "8")
    assert [(cast.voted, cast.voters, cast.revealed) for cast in (first, last)] == [(1, 2, False), (2, 2, True)]
    # Round by round: the owner's card in round 1 does not make them a voter in round 2.
    await poker.revote(home, dale.session_id, "1", dale.token)
    await poker.vote(home, dale.session_id, "1", jesse.token, "5")
    again = await poker.vote(home, dale.session_id, "1", kim.token, "5")
    assert (again.round, again.voted, again.voters, again.revealed) == (2, 2, 2, True)


async def test_an_owner_who_votes_first_is_waited_for_like_everyone(services: Services) -> None:
    poker, home = services.poker, services.default_community
    dale, jesse, kim = await team_of_three(services)
    casts = [await poker.vote(home, dale.session_id, "1", token, "3") for token in (dale.token, jesse.token, kim.token)]
    assert [(cast.voted, cast.voters, cast.revealed) for cast in casts] == [(1, 3, False), (2, 3, False), (3, 3, True)]


async def test_events_say_who_voted_but_never_the_card_before_the_reveal(services: Services) -> None:
    poker, home = services.poker, services.default_community
    dale = await poker.create_session(home, "Dale")
    subscription = services.bus.subscribe()
    jesse = await poker.join(home, dale.session_id, "Jesse")
    await poker.create_prompt(home, dale.session_id, dale.token, "OIDC")
    # Dale opened the session and has not voted: Jesse's card, the only one awaited, reveals the round.
    await poker.vote(home, dale.session_id, "1", jesse.token, "13")
    await poker.close(home, dale.session_id, dale.token)
    events = await next_events(subscription, 5)
    subscription.close()
    sid = dale.session_id
    assert [(event.type, event.community_id) for event in events] == [
        ("poker.joined", home.id),
        ("poker.prompt", home.id),
        ("poker.voted", home.id),
        ("poker.revealed", home.id),
        ("poker.closed", home.id),
    ]
    assert [event.data for event in events[:3]] == [
        {"session_id": sid, "participant_id": "Jesse"},
        {"session_id": sid, "prompt_id": "1", "prompt": "OIDC"},
        {"session_id": sid, "prompt_id": "1", "round": 1, "participant_id": "Jesse"},
    ]
    assert events[3].data["result"]["votes"] == [{"participant_id": "Jesse", "vote": "13"}]
    assert events[4].data == {"session_id": sid}


async def test_a_revote_keeps_the_earlier_rounds_results(services: Services) -> None:
    poker, home = services.poker, services.default_community
    dale = await poker.create_session(home, "Dale")
    jesse = await poker.join(home, dale.session_id, "Jesse")
    await poker.create_prompt(home, dale.session_id, dale.token, "OIDC")
    await poker.vote(home, dale.session_id, "1", dale.token, "3")
    await poker.vote(home, dale.session_id, "1", jesse.token, "13")
    view = await poker.revote(home, dale.session_id, "1", dale.token)
    assert (view.round, view.revealed, view.result) == (2, False, None)
    assert [result.votes for result in view.earlier_rounds] == [(("Dale", "3"), ("Jesse", "13"))]
    await poker.vote(home, dale.session_id, "1", dale.token, "8")
    await poker.vote(home, dale.session_id, "1", jesse.token, "8")
    history = await poker.history(home, dale.session_id, jesse.token)
    (record,) = history.prompts
    assert [result.consensus for result in record.rounds] == [False, True]
    assert record.result is not None
    assert record.result.median == 8.0


async def test_rules_of_voting_rounds(services: Services) -> None:
    poker, home = services.poker, services.default_community
    dale = await poker.create_session(home, "Dale")
    await poker.create_prompt(home, dale.session_id, dale.token, "OIDC")
    with pytest.raises(Conflict, match="still being voted on"):
        await poker.revote(home, dale.session_id, "1", dale.token)
    await poker.vote(home, dale.session_id, "1", dale.token, "5")
    with pytest.raises(Conflict, match="already been revealed; votes are closed"):
        await poker.vote(home, dale.session_id, "1", dale.token, "8")
    with pytest.raises(Conflict, match="already been revealed"):
        await poker.reveal(home, dale.session_id, "1", dale.token)


async def test_two_hundred_waiters_are_all_released_by_one_new_prompt(services: Services) -> None:
    poker, home = services.poker, services.default_community
    dale = await poker.create_session(home, "Dale")
    waiters = [asyncio.create_task(poker.wait_for_prompt(home, dale.session_id, None, 10)) for _ in range(200)]
    await until(lambda: poker.waiting == 200)
    await poker.create_prompt(home, dale.session_id, dale.token, "OIDC")
    prompts = await asyncio.gather(*waiters)
    assert {(prompt.public_id, prompt.text) for prompt in prompts if prompt is not None} == {("1", "OIDC")}
    assert len([prompt for prompt in prompts if prompt is not None]) == 200
    assert poker.waiting == 0


async def test_closing_ends_every_wait_with_not_found(services: Services) -> None:
    poker, home = services.poker, services.default_community
    dale = await poker.create_session(home, "Dale")
    await poker.create_prompt(home, dale.session_id, dale.token, "OIDC")
    prompt_waiter = asyncio.create_task(poker.wait_for_prompt(home, dale.session_id, "1", 10))
    watcher = asyncio.create_task(poker.watch(home, dale.session_id, "1", dale.token, 99, 10))
    await until(lambda: poker.waiting == 2)
    await poker.close(home, dale.session_id, dale.token)
    for waiter in (prompt_waiter, watcher):
        with pytest.raises(NotFound, match="No open session"):
            await waiter
    assert poker.waiting == 0


async def test_a_waiter_that_goes_away_is_forgotten(services: Services) -> None:
    poker, home = services.poker, services.default_community
    dale = await poker.create_session(home, "Dale")
    waiter = asyncio.create_task(poker.wait_for_prompt(home, dale.session_id, None, 10))
    await until(lambda: poker.waiting == 1)
    waiter.cancel()
    with pytest.raises(asyncio.CancelledError):
        await waiter
    assert poker.waiting == 0


async def test_wait_timeouts_outside_zero_to_sixty_seconds_are_refused(services: Services) -> None:
    poker, home = services.poker, services.default_community
    dale = await poker.create_session(home, "Dale")
    for seconds in (-1, 60.5):
        with pytest.raises(Invalid, match="timeout must be between 0 and 60 seconds"):
            await poker.wait_for_prompt(home, dale.session_id, None, seconds)
    assert await poker.wait_for_prompt(home, dale.session_id, None, 0) is None
