"""Planning poker for people from chat: no tokens, and no session or prompt ids to name.

The service runs on a real SQLite file (the ``services`` fixture). A chat player is the
person behind a chat identity; the HTTP API's token holders play in the same sessions.
"""

import asyncio

import pytest

from tallybot.core.errors import Conflict, NotFound, Unauthorized
from tallybot.core.models import Community, Person, Platform, Provider, Role
from tallybot.core.poker import Voter
from tallybot.core.services import Services
from tests.core.poker.test_poker import next_events
from tests.helpers import until


@pytest.fixture
async def guild(services: Services) -> Community:
    return await services.communities.ensure(Platform.DISCORD, "4242", "Estimators")


async def chatter(services: Services, community: Community, name: str) -> Person:
    return await services.accounts.chat_person(community, Provider.DISCORD, f"id-{name}", name, Role.MEMBER)


async def test_a_person_from_chat_starts_a_session_without_a_token(services: Services, guild: Community) -> None:
    ana = await chatter(services, guild, "ana")
    subscription = services.bus.subscribe()
    seat = await services.poker.create_session(guild, ana, "tshirt")
    (event,) = await next_events(subscription, 1)
    subscription.close()
    assert (seat.token, seat.deck, seat.participants) == (None, ("XS", "S", "M", "L", "XL", "XXL", "?", "☕️"), ("ana",))
    assert (event.type, event.community_id) == ("poker.started", guild.id)
    assert event.data == {"session_id": seat.session_id, "participant_id": "ana", "deck": list(seat.deck)}


async def test_joining_without_an_id_takes_the_communitys_newest_open_session(
    services: Services, guild: Community
) -> None:
    ana, bo, cy = [await chatter(services, guild, name) for name in ("ana", "bo", "cy")]
    older = await services.poker.create_session(guild, ana)
    newer = await services.poker.create_session(guild, bo)
    joined = await services.poker.join(guild, None, cy)
    assert (joined.session_id, joined.token, joined.participants) == (newer.session_id, None, ("bo", "cy"))
    await services.poker.close(guild, None, bo)
    again = await services.poker.join(guild, None, cy)
    assert (again.session_id, again.participants) == (older.session_id, ("ana", "cy"))
    with pytest.raises(Conflict, match=f"You are already in session {older.session_id}"):
        await services.poker.join(guild, older.session_id, ana)


async def test_joining_with_no_open_session_in_the_community_is_not_found(services: Services, guild: Community) -> None:
    await services.poker.create_session(services.default_community, "Dale")
    with pytest.raises(NotFound, match="There is no open poker session here to join"):
        await services.poker.join(guild, None, await chatter(services, guild, "ana"))


async def test_a_person_acts_in_the_newest_open_session_they_joined(services: Services, guild: Community) -> None:
    ana, bo = await chatter(services, guild, "ana"), await chatter(services, guild, "bo")
    first = await services.poker.create_session(guild, ana)
    await services.poker.join(guild, first.session_id, bo)
    second = await services.poker.create_session(guild, bo)
    opened = await services.poker.create_prompt(guild, None, bo, "Login page")
    assert (opened.session_id, opened.prompt.text) == (second.session_id, "Login page")
    assert await services.poker.close(guild, None, bo) == second.session_id
    with pytest.raises(Unauthorized, match=f"Only the owner of session {first.session_id} can do that"):
        await services.poker.create_prompt(guild, None, bo, "Sign-up page")


async def test_a_person_in_no_open_session_is_told_to_start_or_join_one(services: Services, guild: Community) -> None:
    ana = await chatter(services, guild, "ana")
    with pytest.raises(NotFound, match="You are not in an open poker session here: start one or join one first"):
        await services.poker.vote(guild, None, None, ana, "5")
    seat = await services.poker.create_session(guild, await chatter(services, guild, "bo"))
    with pytest.raises(Unauthorized, match=f"You are not in session {seat.session_id}; join it first"):
        await services.poker.vote(guild, seat.session_id, None, ana, "5")


async def test_a_session_without_a_story_says_so(services: Services, guild: Community) -> None:
    ana = await chatter(services, guild, "ana")
    seat = await services.poker.create_session(guild, ana)
    with pytest.raises(NotFound, match=f"Session {seat.session_id} has no story to estimate yet"):
        await services.poker.vote(guild, None, None, ana, "5")


async def test_only_the_owner_prompts_reveals_revotes_and_closes(services: Services, guild: Community) -> None:
    ana, bo = await chatter(services, guild, "ana"), await chatter(services, guild, "bo")
    seat = await services.poker.create_session(guild, ana)
    await services.poker.join(guild, None, bo)
    refusal = f"Only the owner of session {seat.session_id} can do that"
    with pytest.raises(Unauthorized, match=refusal):
        await services.poker.create_prompt(guild, None, bo, "OIDC")
    await services.poker.create_prompt(guild, None, ana, "OIDC")
    for attempt in (
        services.poker.reveal(guild, None, None, bo),
        services.poker.revote(guild, None, None, bo),
        services.poker.close(guild, None, bo),
    ):
        with pytest.raises(Unauthorized, match=refusal):
            await attempt


async def test_chat_and_token_players_share_a_round_and_the_last_vote_reveals_it(
    services: Services, guild: Community
) -> None:
    poker = services.poker
    ana, bo = await chatter(services, guild, "ana"), await chatter(services, guild, "bo")
    seat = await poker.create_session(guild, ana)
    dale = await poker.join(guild, seat.session_id, "Dale")
    await poker.join(guild, None, bo)
    await poker.create_prompt(guild, None, ana, "OIDC")
    subscription = services.bus.subscribe()
    first = await poker.vote(guild, None, None, ana, "5")
    assert (first.participant, first.card, first.voted, first.voters, first.revealed) == ("ana", "5", 1, 3, False)
    assert dale.token is not None
    await poker.vote(guild, seat.session_id, "1", dale.token, "13")
    last = await poker.vote(guild, None, None, bo, "5")
    assert (last.participant, last.voted, last.voters, last.revealed) == ("bo", 3, 3, True)
    events = await next_events(subscription, 4)
    subscription.close()
    assert [event.type for event in events] == ["poker.voted", "poker.voted", "poker.voted", "poker.revealed"]
    assert events[3].data == {
        "session_id": seat.session_id,
        "prompt_id": "1",
        "prompt": "OIDC",
        "result": {
            "round": 1,
            "votes": [
                {"participant_id": "ana", "vote": "5"},
                {"participant_id": "Dale", "vote": "13"},
                {"participant_id": "bo", "vote": "5"},
            ],
            "min": 5,
            "max": 13,
            "median": 5,
            "mean": 7.67,
            "consensus": False,
            "outliers": ["Dale"],
        },
    }
    view = await poker.watch(guild, seat.session_id, "1", ana, None, None)
    assert view is not None
    assert view.voters == (Voter("ana", True, "5"), Voter("Dale", True, "13"), Voter("bo", True, "5"))


async def test_the_owner_reveals_and_revotes_from_chat(services: Services, guild: Community) -> None:
    poker = services.poker
    ana, bo = await chatter(services, guild, "ana"), await chatter(services, guild, "bo")
    await poker.create_session(guild, ana)
    await poker.join(guild, None, bo)
    await poker.create_prompt(guild, None, ana, "OIDC")
    await poker.vote(guild, None, None, bo, "8")
    revealed = await poker.reveal(guild, None, None, ana)
    assert revealed.result is not None
    assert (revealed.revealed, revealed.result.votes, revealed.result.consensus) == (True, (("bo", "8"),), True)
    again = await poker.revote(guild, None, None, ana)
    assert (again.round, again.revealed, again.voters) == (
        2,
        False,
        (Voter("ana", False, None), Voter("bo", False, None)),
    )


async def test_a_prompt_from_chat_releases_the_http_players_waiting_for_it(
    services: Services, guild: Community
) -> None:
    ana = await chatter(services, guild, "ana")
    seat = await services.poker.create_session(guild, ana)
    waiter = asyncio.create_task(services.poker.wait_for_prompt(guild, seat.session_id, None, 10))
    await until(lambda: services.poker.waiting == 1)
    await services.poker.create_prompt(guild, None, ana, "OIDC")
    prompt = await waiter
    assert prompt is not None
    assert (prompt.public_id, prompt.text) == ("1", "OIDC")


async def test_a_chat_name_taken_by_a_token_player_is_refused(services: Services, guild: Community) -> None:
    seat = await services.poker.create_session(guild, "Ana")
    with pytest.raises(Conflict, match=f"ana is already in session {seat.session_id}"):
        await services.poker.join(guild, None, await chatter(services, guild, "ana"))


async def test_an_owner_from_chat_is_waited_for_even_beside_two_players(services: Services, guild: Community) -> None:
    poker = services.poker
    ana, bo, cy = [await chatter(services, guild, name) for name in ("ana", "bo", "cy")]
    await poker.create_session(guild, ana)
    for player in (bo, cy):
        await poker.join(guild, None, player)
    await poker.create_prompt(guild, None, ana, "OIDC")
    casts = [await poker.vote(guild, None, None, player, "5") for player in (bo, cy, ana)]
    assert [(cast.voted, cast.voters, cast.revealed) for cast in casts] == [(1, 3, False), (2, 3, False), (3, 3, True)]


async def test_chat_players_reveal_a_session_whose_owner_joined_over_http_without_the_owner(
    services: Services, guild: Community
) -> None:
    poker = services.poker
    seat = await poker.create_session(guild, "Dale")
    bo, cy = await chatter(services, guild, "bo"), await chatter(services, guild, "cy")
    for player in (bo, cy):
        await poker.join(guild, seat.session_id, player)
    await poker.create_prompt(guild, seat.session_id, seat.token, "OIDC")
    casts = [await poker.vote(guild, None, None, player, "5") for player in (bo, cy)]
    assert [(cast.voted, cast.voters, cast.revealed) for cast in casts] == [(1, 2, False), (2, 2, True)]
