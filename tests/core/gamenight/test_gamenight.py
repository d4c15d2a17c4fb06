"""Game-night rules in the core: vote matching, the one-second rule, chat votes and chat logs."""

import asyncio
from datetime import UTC, datetime, timedelta

import pytest

from tallybot.core.errors import Invalid
from tallybot.core.gamenight import Ballot, ChatVoteOutcome, TimelineEntry, VoteType, read_chat_log, voter_key
from tallybot.core.gamenight.vote_rules import Timeline, VoteWindow, parse_chat_vote
from tallybot.core.services import Services
from tests.gamenight_helpers import SeededGames, drain, seed_games
from tests.helpers import FakeClock, host_of

NOON = datetime(2026, 11, 23, 12, 0, tzinfo=UTC)


def at(seconds: float) -> datetime:
    return NOON + timedelta(seconds=seconds)


@pytest.mark.parametrize(
    ("message", "expected"),
    [
        ("thisgame++", VoteType.UP),
        ("THISGAME--", VoteType.DOWN),
        ("lol thisgame++ so good", VoteType.UP),
        ("thisgame-- no wait thisgame++", VoteType.DOWN),
        ("this game++", None),
        ("", None),
    ],
)
def test_chat_votes_are_read_from_thisgame_plus_plus_and_minus_minus(message: str, expected: VoteType | None) -> None:
    assert parse_chat_vote(message) is expected


def test_a_timeline_gives_each_game_the_time_until_the_next_one() -> None:
    first = TimelineEntry(1, 10, "First", at(0))
    replaced = TimelineEntry(2, 20, "Replaced at once", at(600))
    second = TimelineEntry(3, 30, "Second", at(600))
    timeline = Timeline([second, first, replaced])
    assert timeline.match(at(-0.001)) is None
    assert timeline.match(at(0)) is first
    assert timeline.match(at(599.999)) is first
    assert timeline.match(at(600)) is second
    assert timeline.match(at(86_400)) is second
    assert not Timeline([])


def test_a_username_gets_one_vote_per_second_of_vote_time() -> None:
    window = VoteWindow({"stored": [at(10)]})
    ballots = [
        Ballot("stored", VoteType.UP, at(9.001)),
        Ballot("stored", VoteType.UP, at(10.999)),
        Ballot("stored", VoteType.UP, at(11)),
        Ballot("stored", VoteType.UP, at(11.5)),
        Ballot("stored", VoteType.UP, at(9)),
        Ballot("new", VoteType.UP, at(10)),
        Ballot("new", VoteType.DOWN, at(10)),
        Ballot("new", VoteType.UP, at(10.999_999)),
        Ballot("new", VoteType.UP, at(8.5)),
    ]
    assert window.admit_in_time_order(ballots) == [8, 5, 4, 2]
    assert window.admit_in_time_order([Ballot("stored", VoteType.DOWN, at(8.5))]) == []


def test_a_json_chat_log_may_be_an_array_or_hold_chat_data() -> None:
    items = '[{"username": "a", "message": "thisgame++", "timestamp": "2026-11-23T12:00:00Z"}]'
    wrapped = '{"chatData": ' + items + "}"
    for text in (items, wrapped):
        [message] = read_chat_log(text)
        assert (message.username, message.message, message.timestamp) == ("a", "thisgame++", NOON)
        assert message.raw_timestamp == "2026-11-23T12:00:00Z"


def test_a_chat_log_skips_incomplete_messages_and_reads_epoch_milliseconds() -> None:
    text = (
        '[{"username": "a", "message": "hi", "timestamp": 1795435200000},'
        ' {"username": "b", "message": "hi"}, {"username": "", "message": "hi", "timestamp": "2026-11-23"},'
        ' {"username": "c", "message": "hi", "timestamp": "soon"}, "thisgame++"]'
    )
    [message] = read_chat_log(text)
    assert (message.timestamp, message.raw_timestamp) == (NOON, "1795435200000")


def test_a_csv_chat_log_needs_a_header_and_reports_progress() -> None:
    lines = ["username,message,timestamp"] + [f"user{n},thisgame++,{at(n).isoformat()}" for n in range(2500)]
    seen: list[tuple[int, int]] = []
    messages = read_chat_log("\n".join(lines), lambda done, total: seen.append((done, total)))
    assert len(messages) == 2500
    assert len({message.message_hash for message in messages}) == 2500
    assert seen == [(1000, 2500), (2000, 2500), (2500, 2500)]
    with pytest.raises(Invalid, match="header row"):
        read_chat_log("name,text\nx,y")
    with pytest.raises(Invalid, match="chatData must be an array"):
        read_chat_log('{"messages": []}')
    with pytest.raises(Invalid, match="not valid JSON"):
        read_chat_log("[{")


@pytest.fixture
async def games(services: Services) -> SeededGames:
    return await seed_games(services)


async def start_night(services: Services, games: SeededGames, clock: FakeClock) -> int:
    """An active session playing Quiplash from 12:00 and Trivia from 12:30."""
    community = services.default_community
    session = await services.game_nights.start(host_of(community), community, None)
    await services.game_nights.add_game(host_of(community), community, session.id, games.quiplash, False, None)
    clock.advance(timedelta(minutes=30))
    await services.game_nights.add_game(host_of(community), community, session.id, games.trivia, False, None)
    return session.id


async def test_concurrent_chat_votes_are_counted_in_batches_with_the_one_second_rule(
    services: Services, games: SeededGames, clock: FakeClock
) -> None:
    community = services.default_community
    session_id = await start_night(services, games, clock)
    events = services.bus.subscribe()
    messages = [
        ("a", "thisgame++", at(60)),
        ("a", "thisgame--", at(60.5)),
        ("b", "thisgame--", at(61)),
        ("a", "thisgame++ again", at(1801)),
        ("c", "hello", at(62)),
        ("d", "thisgame++", at(-5)),
    ]
    outcomes = await asyncio.gather(*(services.votes.chat_message(community, *m) for m in messages))
    assert outcomes == [
        ChatVoteOutcome.COUNTED,
        ChatVoteOutcome.DUPLICATE,
        ChatVoteOutcome.COUNTED,
        ChatVoteOutcome.COUNTED,
        ChatVoteOutcome.NOT_A_VOTE,
        ChatVoteOutcome.NO_GAME,
    ]
    received = await drain(events)
    assert {(e.type, e.data["sessionId"]) for e in received} == {("vote.received", session_id)}
    assert sorted((e.data["game"]["id"], e.data["count"], e.data["totals"]) for e in received) == [
        (games.quiplash, 2, {"upvotes": 1, "downvotes": 1, "popularity_score": 0}),
        (games.trivia, 1, {"upvotes": 1, "downvotes": 0, "popularity_score": 1}),
    ]
    page = await services.votes.page(community, session_id=session_id)
    assert page.total == 3
    again = await services.votes.chat_message(community, "b", "thisgame++", at(61.2))
    assert again is ChatVoteOutcome.DUPLICATE


async def test_chat_votes_of_one_voter_spelled_two_ways_count_once_within_a_second(
    services: Services, games: SeededGames, clock: FakeClock
) -> None:
    community = services.default_community
    await start_night(services, games, clock)
    lines = [("Alice", "thisgame++", at(60)), ("alice\u200b", "thisgame--", at(60.3)), ("ALICE", "thisgame++", at(61))]
    outcomes = await services.votes.chat_messages(community, lines)
    assert outcomes == [ChatVoteOutcome.COUNTED, ChatVoteOutcome.DUPLICATE, ChatVoteOutcome.COUNTED]


def test_a_voter_key_folds_case_width_spaces_and_invisible_characters() -> None:
    keys = {voter_key(name) for name in ("alice", "Alice", " alice ", "\uff41lice", "al\u200bice", "alice\x00")}
    assert keys == {"alice"}
    assert voter_key("Ælfred") == voter_key("æLFRED") != voter_key("alfred")


async def test_a_chat_vote_without_an_active_session_is_not_counted(services: Services) -> None:
    outcome = await services.votes.chat_message(services.default_community, "a", "thisgame++", NOON)
    assert outcome is ChatVoteOutcome.NO_SESSION


async def test_a_chat_vote_repeating_an_api_vote_is_a_duplicate(
    services: Services, games: SeededGames, clock: FakeClock
) -> None:
    community = services.default_community
    await start_night(services, games, clock)
    recorded = await services.votes.cast(host_of(community), community, "viewer", "up", "2026-11-23T12:10:00Z")
    assert recorded.game.upvotes == 1
    outcome = await services.votes.chat_message(community, "viewer", "thisgame++", at(600.4))
    assert outcome is ChatVoteOutcome.DUPLICATE


async def test_an_imported_log_is_stored_once_and_its_votes_counted_once(
    services: Services, games: SeededGames, clock: FakeClock
) -> None:
    community = services.default_community
    session_id = await start_night(services, games, clock)
    log = read_chat_log(
        "username,message,timestamp\n"
        "a,thisgame++,2026-11-23T12:01:00Z\n"
        "b,thisgame--,2026-11-23T12:31:00Z\n"
        "c,just chatting,2026-11-23T12:32:00Z\n"
    )
    first = await services.game_nights.import_chat(host_of(community), community, session_id, log)
    assert (first.messages_imported, first.duplicates_skipped, first.votes_processed) == (3, 0, 2)
    assert {game_id: (t.upvotes, t.downvotes) for game_id, t in first.votes_by_game.items()} == {
        games.quiplash: (1, 0),
        games.trivia: (0, 1),
    }
    second = await services.game_nights.import_chat(host_of(community), community, session_id, log)
    assert (second.messages_imported, second.duplicates_skipped, second.votes_processed) == (0, 3, 0)
    export = await services.game_nights.export(host_of(community), community, session_id)
    assert [(entry.username, entry.vote) for entry in export.chat_logs] == [
        ("a", VoteType.UP),
        ("b", VoteType.DOWN),
        ("c", None),
    ]
