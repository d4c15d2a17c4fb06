"""The games catalogue service: the shipped catalogue, filters, custom games, CSV, the picker and stats."""

import contextlib
import random
import re
import sqlite3
from collections import Counter
from collections.abc import AsyncIterator
from dataclasses import replace
from datetime import UTC, datetime
from pathlib import Path

import pytest

from tallybot.core.accounts import CommunityService
from tallybot.core.errors import Conflict, Forbidden, Invalid, NotFound
from tallybot.core.gamenight import Drawing, Game, GameDetails, GameFilter, GameService, Length, load_catalogue, picker
from tallybot.core.gamenight.catalogue import parse_catalogue
from tallybot.core.gamenight.game_models import length_of
from tallybot.core.gamenight.games_csv import format_csv, parse_csv
from tallybot.core.models import Community, Platform
from tallybot.storage.db import SqliteDatabase
from tests.helpers import FakeClock, host_of

NOW = datetime(2026, 11, 23, 12, 0, tzinfo=UTC)
QUIZ = GameDetails("Pack A", "Quiz", 1, 8, 10, game_type="Trivia")
DOODLE = GameDetails("Pack A", "Doodle", 3, 8, 20, game_type="Drawing")
EPIC = GameDetails("Pack B", "Epic", 4, 10, 40, has_audience=True, family_friendly=False, game_type="Writing")


@pytest.fixture
async def db(tmp_path: Path) -> AsyncIterator[SqliteDatabase]:
    database = SqliteDatabase(tmp_path / "games.db", on_commit=lambda events: None)
    await database.open()
    yield database
    await database.close()


@pytest.fixture
async def home(db: SqliteDatabase) -> Community:
    return await CommunityService(db).ensure_default("default")


@pytest.fixture
async def other(db: SqliteDatabase) -> Community:
    return await CommunityService(db).ensure(Platform.DISCORD, "123", "Other")


@pytest.fixture
def games(db: SqliteDatabase, clock: FakeClock) -> GameService:
    return GameService(db, clock, random.Random(1234))


def sql(db_path: Path, query: str, params: tuple[object, ...] = ()) -> int:
    """Write rows the sessions feature would write (sessions, games played in them)."""
    with contextlib.closing(sqlite3.connect(db_path)) as conn:
        cursor = conn.execute(query, params)
        conn.commit()
        return cursor.lastrowid or 0


def play_session(db_path: Path, community: Community, game_ids: list[int]) -> int:
    session_id = sql(
        db_path, "INSERT INTO gamenight_sessions (community_id, created_at) VALUES (?, ?)", (community.id, "2026")
    )
    for minute, game_id in enumerate(game_ids):
        played_at = f"2026-11-23T20:{minute:02d}:00+00:00"
        query = "INSERT INTO session_games (session_id, game_id, status, played_at) VALUES (?, ?, 'played', ?)"
        sql(db_path, query, (session_id, game_id, played_at))
    return session_id


def game(
    details: GameDetails, game_id: int = 1, *, favor_bias: int = 0, pack_favor_bias: int = 0, up: int = 0, down: int = 0
) -> Game:
    return Game(
        id=game_id,
        community_id=None,
        details=details,
        created_at=NOW,
        favor_bias=favor_bias,
        pack_favor_bias=pack_favor_bias,
        upvotes=up,
        downvotes=down,
    )


def add_play_and_votes(db_path: Path, community: Community, game_id: int, plays: int, up: int, down: int) -> None:
    query = "INSERT INTO game_stats (community_id, game_id, play_count, upvotes, downvotes) VALUES (?, ?, ?, ?, ?)"
    sql(db_path, query, (community.id, game_id, plays, up, down))


# The shipped catalogue


def test_the_shipped_catalogue_has_every_party_pack_with_five_games() -> None:
    packs = Counter(entry.pack_name for entry in load_catalogue())
    for number in range(1, 11):
        assert packs[f"Jackbox Party Pack {number}"] == 5
    assert packs["The Jackbox Naughty Pack"] == 3
    assert packs["The Jackbox Party Starter"] == 3
    assert sum(packs.values()) == 56


def test_the_shipped_catalogue_describes_games_accurately() -> None:
    by_title = {(entry.pack_name, entry.title): entry for entry in load_catalogue()}
    assert by_title["Jackbox Party Pack 7", "Quiplash 3"] == GameDetails(
        "Jackbox Party Pack 7", "Quiplash 3", 3, 8, 15, True, True, "Writing", None
    )
    assert by_title["Jackbox Party Pack 1", "Lie Swatter"].max_players == 100
    assert by_title["Jackbox Party Pack 6", "Push the Button"].min_players == 4
    assert not by_title["The Jackbox Naughty Pack", "Dirty Drawful"].family_friendly


@pytest.mark.parametrize(
    ("entries", "message"),
    [
        ({}, "the catalogue must be a JSON list of games"),
        ([{"title": "x"}], "catalogue entry 0: needs exactly the fields"),
        (
            [{**vars(QUIZ), "min_players": "1"}],
            "catalogue entry 0: min_players has the wrong type",
        ),
        ([{**vars(QUIZ), "has_audience": 1}], "catalogue entry 0: has_audience has the wrong type"),
        ([{**vars(QUIZ), "max_players": 0}], "catalogue entry 0 (Quiz): max_players must be at least min_players"),
        ([vars(QUIZ), {**vars(QUIZ), "title": "QUIZ"}], "catalogue entry 1 (QUIZ): repeats entry 0"),
    ],
)
def test_a_bad_catalogue_is_refused_naming_the_entry(entries: object, message: str) -> None:
    with pytest.raises(ValueError, match=r"^" + re.escape(message)):
        parse_catalogue(entries)


async def test_installing_the_catalogue_again_adds_nothing(games: GameService, home: Community) -> None:
    assert await games.install_catalogue(load_catalogue()) == 56
    assert await games.install_catalogue(load_catalogue()) == 0
    assert len(await games.list_games(home, GameFilter())) == 56


# Filters


@pytest.mark.parametrize(
    ("minutes", "bucket"),
    [(None, Length.SHORT), (15, Length.SHORT), (16, Length.MEDIUM), (25, Length.MEDIUM), (26, Length.LONG)],
)
def test_length_buckets_split_at_15_and_25_minutes(minutes: int | None, bucket: Length) -> None:
    assert length_of(minutes) is bucket


@pytest.mark.parametrize(
    ("filters", "titles"),
    [
        (GameFilter(), ["Quiz", "Doodle", "Epic"]),
        (GameFilter(player_count=3), ["Quiz", "Doodle"]),
        (GameFilter(player_count=10), ["Epic"]),
        (GameFilter(player_count=9), ["Epic"]),
        (GameFilter(drawing=Drawing.ONLY), ["Doodle"]),
        (GameFilter(drawing=Drawing.EXCLUDE), ["Quiz", "Epic"]),
        (GameFilter(length=Length.SHORT), ["Quiz"]),
        (GameFilter(length=Length.MEDIUM), ["Doodle"]),
        (GameFilter(length=Length.LONG), ["Epic"]),
        (GameFilter(family_friendly=False), ["Epic"]),
        (GameFilter(pack="Pack A"), ["Quiz", "Doodle"]),
        (GameFilter(enabled=False), ["Doodle"]),
        (GameFilter(enabled=True, player_count=4, drawing=Drawing.EXCLUDE), ["Quiz", "Epic"]),
    ],
)
def test_filters_keep_only_matching_games(filters: GameFilter, titles: list[str]) -> None:
    catalogue = [game(QUIZ), replace(game(DOODLE), enabled=False), game(EPIC)]
    assert [entry.details.title for entry in catalogue if filters.matches(entry)] == titles


# Custom games, toggles and favour


async def test_a_custom_game_is_added_and_seen_only_by_its_community(
    games: GameService, home: Community, other: Community
) -> None:
    added = await games.add_game(host_of(home), home, EPIC)
    assert added == Game(id=added.id, community_id=home.id, details=EPIC, created_at=NOW)
    assert await games.get_game(home, added.id) == added
    with pytest.raises(NotFound, match=r"^Game not found$"):
        await games.get_game(other, added.id)


async def test_a_game_name_is_unique_within_a_community_ignoring_case(games: GameService, home: Community) -> None:
    await games.add_game(host_of(home), home, EPIC)
    with pytest.raises(Conflict, match=r"^A game called 'EPIC' is already in the pack 'pack b'$"):
        await games.add_game(host_of(home), home, replace(EPIC, title="EPIC", pack_name="pack b"))


async def test_invalid_details_are_refused_listing_every_problem(games: GameService, home: Community) -> None:
    bad = GameDetails(" ", "x" * 101, 0, -1, 0)
    message = (
        "pack_name is required; title must be at most 100 characters; min_players must be at least 1; "
        "max_players must be at least min_players; length_minutes must be from 1 to 1440"
    )
    with pytest.raises(Invalid) as caught:
        await games.add_game(host_of(home), home, bad)
    assert str(caught.value) == message


async def test_catalogue_games_cannot_be_edited_or_deleted(games: GameService, home: Community) -> None:
    await games.install_catalogue([QUIZ])
    [quiz] = await games.list_games(home, GameFilter())
    message = "^Games from the shipped catalogue cannot be edited or deleted; disable the game instead$"
    with pytest.raises(Forbidden, match=message):
        await games.update_game(host_of(home), home, quiz.id, EPIC)
    with pytest.raises(Forbidden, match=message):
        await games.delete_game(host_of(home), home, quiz.id)


async def test_a_played_custom_game_cannot_be_deleted(games: GameService, home: Community, tmp_path: Path) -> None:
    added = await games.add_game(host_of(home), home, EPIC)
    play_session(tmp_path / "games.db", home, [added.id])
    with pytest.raises(Conflict, match="played in a session"):
        await games.delete_game(host_of(home), home, added.id)
    assert await games.get_game(home, added.id) == added


async def test_an_update_may_keep_the_name_but_not_take_another_games(games: GameService, home: Community) -> None:
    epic = await games.add_game(host_of(home), home, EPIC)
    await games.add_game(host_of(home), home, QUIZ)
    updated = await games.update_game(host_of(home), home, epic.id, replace(EPIC, max_players=12))
    assert updated.details.max_players == 12
    with pytest.raises(Conflict):
        await games.update_game(host_of(home), home, epic.id, replace(EPIC, title="quiz", pack_name="Pack A"))


async def test_toggles_and_favour_stay_within_one_community(
    games: GameService, home: Community, other: Community
) -> None:
    await games.install_catalogue([QUIZ, DOODLE, EPIC])
    doodle, quiz, epic = await games.list_games(home, GameFilter())
    toggled = await games.toggle_game(host_of(home), home, quiz.id)
    assert not toggled.enabled
    assert await games.set_pack_enabled(host_of(other), other, "Pack A", False) == 2
    await games.set_game_favor(host_of(home), home, epic.id, 1)
    await games.set_pack_favor(host_of(other), other, "Pack B", -1)
    seen_home = {entry.details.title: entry for entry in await games.list_games(home, GameFilter())}
    seen_other = {entry.details.title: entry for entry in await games.list_games(other, GameFilter())}
    assert [seen_home[t].enabled for t in ("Quiz", "Doodle", "Epic")] == [False, True, True]
    assert [seen_other[t].enabled for t in ("Quiz", "Doodle", "Epic")] == [False, False, True]
    assert (seen_home["Epic"].favor_bias, seen_home["Epic"].pack_favor_bias) == (1, 0)
    assert (seen_other["Epic"].favor_bias, seen_other["Epic"].pack_favor_bias) == (0, -1)
    assert doodle.enabled


async def test_favour_must_be_minus_one_zero_or_one(games: GameService, home: Community) -> None:
    await games.install_catalogue([QUIZ])
    [quiz] = await games.list_games(home, GameFilter())
    with pytest.raises(Invalid, match=r"^favor_bias must be -1, 0 or 1$"):
        await games.set_game_favor(host_of(home), home, quiz.id, 2)
    with pytest.raises(NotFound, match=r"^Pack not found$"):
        await games.set_pack_favor(host_of(home), home, "Nope", 1)


# CSV


def test_csv_export_and_import_round_trip() -> None:
    text = format_csv([QUIZ, EPIC])
    assert text == (
        "pack_name,title,min_players,max_players,length_minutes,has_audience,family_friendly,game_type,secondary_type\r\n"
        "Pack A,Quiz,1,8,10,0,1,Trivia,\r\n"
        "Pack B,Epic,4,10,40,1,0,Writing,\r\n"
    )
    assert parse_csv(text) == [(2, QUIZ), (3, EPIC)]


def test_a_csv_may_order_columns_freely_and_omit_optional_ones() -> None:
    text = "\ufefftitle,Pack_Name,max_players,min_players,has_audience\nQuiz,Pack A,8,1,yes\n\n"
    assert parse_csv(text) == [(2, GameDetails("Pack A", "Quiz", 1, 8, None, has_audience=True))]


def test_every_bad_csv_row_is_reported_with_its_row_number() -> None:
    text = (
        "pack_name,title,min_players,max_players,has_audience\n"
        "Pack A,Quiz,1,8,0\n"
        "Pack A,,two,8,maybe\n"
        "Pack A,QUIZ,1,8,0\n"
        "Pack A,Short row\n"
        "Pack A,Few,5,2,1\n"
        "Pack A,Huge,1_0,1000000000000,1\n"
    )
    with pytest.raises(Invalid) as caught:
        parse_csv(text)
    assert str(caught.value) == "The CSV has 5 bad rows; nothing was imported"
    assert caught.value.details == {
        "errors": [
            {
                "row": 3,
                "message": "min_players must be a whole number; has_audience must be 1, 0, true, false, yes or no",
            },
            {"row": 4, "message": "repeats the game of row 2"},
            {"row": 5, "message": "has 2 fields but the header has 5"},
            {"row": 6, "message": "max_players must be at least min_players"},
            {"row": 7, "message": "min_players must be a whole number; max_players must be a whole number"},
        ]
    }


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("", "The CSV is empty: it needs a header row"),
        ("pack_name,title,players\n", "Unknown CSV column 'players'; the columns are pack_name, title, min_players, "),
        ("pack_name,title,title,min_players,max_players\n", "The CSV header names a column twice"),
        ("pack_name,title\n", "The CSV header needs the columns pack_name, title, min_players, max_players"),
        ('pack_name,title,min_players,max_players\n"Pack,x,1,2\n', "The CSV could not be read"),
    ],
)
def test_a_csv_without_a_usable_header_is_refused(text: str, message: str) -> None:
    with pytest.raises(Invalid) as caught:
        parse_csv(text)
    assert str(caught.value).startswith(message)


async def test_an_import_adds_new_games_updates_custom_ones_and_skips_the_rest(
    games: GameService, home: Community
) -> None:
    await games.install_catalogue([QUIZ])
    epic = await games.add_game(host_of(home), home, EPIC)
    text = format_csv([QUIZ, replace(QUIZ, title="Quiz", min_players=2), replace(EPIC, max_players=9), DOODLE])
    with pytest.raises(Invalid):
        await games.import_csv(host_of(home), home, text)
    report = await games.import_csv(
        host_of(home), home, format_csv([replace(QUIZ, min_players=2), replace(EPIC, max_players=9), DOODLE])
    )
    assert (report.imported, report.updated, report.skipped) == (1, 1, 1)
    assert (await games.get_game(home, epic.id)).details.max_players == 9
    titles = [entry.details.title for entry in await games.list_games(home, GameFilter())]
    assert titles == ["Doodle", "Quiz", "Epic"]


async def test_a_bad_import_writes_nothing(games: GameService, home: Community) -> None:
    text = format_csv([DOODLE]) + "Pack B,Broken,9,1,,0,1,,\r\n"
    with pytest.raises(Invalid, match=r"^The CSV has 1 bad row; nothing was imported$"):
        await games.import_csv(host_of(home), home, text)
    assert await games.list_games(home, GameFilter()) == []


# The picker


def test_weights_multiply_game_favour_pack_favour_and_popularity() -> None:
    assert picker.weight(game(QUIZ)) == 1.0
    assert picker.weight(game(QUIZ, favor_bias=1, pack_favor_bias=1, up=10)) == 18.0
    assert picker.weight(game(QUIZ, favor_bias=-1, pack_favor_bias=-1, down=30)) == pytest.approx(0.02)
    assert picker.weight(game(QUIZ, up=3, down=1)) == pytest.approx(1.2)


def draw_shares(pool: list[Game], draws: int) -> list[float]:
    rng = random.Random(42)
    counts = Counter(picker.choose(pool, rng).id for _ in range(draws))
    return [counts[entry.id] / draws for entry in pool]


def test_favour_bias_sets_the_odds_three_to_one_to_a_fifth() -> None:
    pool = [game(QUIZ, 1, favor_bias=1), game(DOODLE, 2), game(EPIC, 3, favor_bias=-1)]
    shares = draw_shares(pool, 30_000)
    assert shares == pytest.approx([3 / 4.2, 1 / 4.2, 0.2 / 4.2], abs=0.01)


def test_pack_favour_and_popularity_shift_the_odds() -> None:
    pool = [game(QUIZ, 1, pack_favor_bias=1), game(DOODLE, 2, up=12), game(EPIC, 3, down=10)]
    shares = draw_shares(pool, 30_000)
    assert shares == pytest.approx([3 / 5.5, 2 / 5.5, 0.5 / 5.5], abs=0.01)


async def test_the_service_picks_favoured_games_more_often(games: GameService, home: Community) -> None:
    await games.install_catalogue([QUIZ, DOODLE])
    quiz, doodle = [(await games.list_games(home, GameFilter(drawing=d)))[0] for d in (Drawing.EXCLUDE, Drawing.ONLY)]
    await games.set_game_favor(host_of(home), home, quiz.id, 1)
    picks = Counter([(await games.pick(home, GameFilter(), None, False)).game.id for _ in range(800)])
    assert picks[quiz.id] / 800 == pytest.approx(0.75, abs=0.05)
    assert picks[doodle.id] > 0


async def test_the_picker_takes_only_enabled_games_that_fit(games: GameService, home: Community) -> None:
    await games.install_catalogue([QUIZ, DOODLE, EPIC])
    epic = (await games.list_games(home, GameFilter(pack="Pack B")))[0]
    doodle = (await games.list_games(home, GameFilter(drawing=Drawing.ONLY)))[0]
    await games.toggle_game(host_of(home), home, doodle.id)
    chosen = await games.pick(home, GameFilter(player_count=9), None, False)
    assert (chosen.game.id, chosen.pool_size, chosen.total_enabled) == (epic.id, 1, 2)
    with pytest.raises(NotFound, match=r"^No enabled games match the given filters$"):
        await games.pick(home, GameFilter(drawing=Drawing.ONLY), None, False)


async def test_with_a_session_the_last_two_games_played_are_skipped(
    games: GameService, home: Community, tmp_path: Path
) -> None:
    await games.install_catalogue([QUIZ, DOODLE, EPIC])
    doodle, quiz, epic = await games.list_games(home, GameFilter())
    session = play_session(tmp_path / "games.db", home, [quiz.id, doodle.id, epic.id])
    picks = {(await games.pick(home, GameFilter(), session, False)).game.id for _ in range(20)}
    assert picks == {quiz.id}
    chosen = await games.pick(home, GameFilter(), session, False)
    assert (chosen.pool_size, chosen.total_enabled) == (1, 3)
    with pytest.raises(NotFound, match=r"^Every enabled game that matches the given filters was played already"):
        await games.pick(home, GameFilter(), session, True)
    with pytest.raises(NotFound, match=r"among the last 2 games of this session$"):
        await games.pick(home, GameFilter(pack="Pack B"), session, False)


async def test_a_session_of_another_community_is_not_found(
    games: GameService, home: Community, other: Community, tmp_path: Path
) -> None:
    await games.install_catalogue([QUIZ])
    session = play_session(tmp_path / "games.db", other, [])
    with pytest.raises(NotFound, match=r"^Session not found$"):
        await games.pick(home, GameFilter(), session, False)
    assert (await games.pick(other, GameFilter(), session, False)).pool_size == 1


# Stats


async def test_stats_total_the_community_and_rank_its_games(
    games: GameService, home: Community, other: Community, tmp_path: Path
) -> None:
    await games.install_catalogue([QUIZ, DOODLE, EPIC])
    quiz, doodle, epic = [(await games.list_games(home, GameFilter(length=n)))[0] for n in Length]
    add_play_and_votes(tmp_path / "games.db", home, quiz.id, plays=2, up=1, down=3)
    add_play_and_votes(tmp_path / "games.db", home, epic.id, plays=5, up=4, down=0)
    add_play_and_votes(tmp_path / "games.db", other, doodle.id, plays=9, up=9, down=0)
    await games.toggle_game(host_of(home), home, doodle.id)
    play_session(tmp_path / "games.db", home, [])
    stats = await games.stats(home)
    assert (stats.total_games, stats.enabled_games, stats.total_packs, stats.total_sessions) == (3, 2, 2, 1)
    assert (stats.total_plays, stats.total_votes) == (7, 8)
    assert [entry.details.title for entry in stats.top_rated] == ["Epic", "Quiz"]
    assert [entry.details.title for entry in stats.most_played] == ["Epic", "Quiz"]
    assert stats.top_rated[1].popularity_score == -2
