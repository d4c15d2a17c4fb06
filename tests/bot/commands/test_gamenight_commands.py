"""Game-night chat commands through the command layer, on real SQLite with the shipped catalogue."""

from datetime import timedelta

import pytest

from tallybot.bot.commands.layer import ChatCommands
from tallybot.bot.commands.types import Reply
from tallybot.core.errors import Forbidden, Invalid, NotFound
from tallybot.core.gamenight import GameDetails, GameStatus
from tallybot.core.services import Services
from tallybot.settings import ChatSettings
from tests.chat_helpers import ChatDriver, chat_layer
from tests.gamenight_helpers import drain
from tests.helpers import FakeClock, FakeMonotonic, host_of

HINT = "Vote with thisgame++ or thisgame--."


@pytest.fixture
def chat(services: Services, monotonic: FakeMonotonic) -> ChatCommands:
    # Enough commands per cooldown for a test to run a night quickly; cooldowns are tested in test_layer.
    return chat_layer(services, monotonic, ChatSettings(commands_per_cooldown=100))


@pytest.fixture
def driver(services: Services, chat: ChatCommands) -> ChatDriver:
    return ChatDriver(services, chat)


async def public(reply: Reply | None) -> str | None:
    assert reply is not None
    return reply.public


async def test_a_host_starts_a_night_and_only_one_runs_at_a_time(driver: ChatDriver) -> None:
    assert await public(await driver.host("!night start pizza night")) == (
        f"Game night #1 has started! A host adds each game with !night add <title>. {HINT}"
    )
    with pytest.raises(Invalid) as twice:
        await driver.host("!night start")
    assert str(twice.value) == "An active session already exists. Please close it before creating a new one."


async def test_a_member_is_refused_every_host_command_with_a_clear_reply(driver: ChatDriver) -> None:
    for command in ("night start", "night add Drawful", "night room ABCD", "night status played", "night close"):
        with pytest.raises(Forbidden) as refused:
            await driver.say(f"!{command}")
        assert str(refused.value) == f"Only a host can use !{' '.join(command.split()[:2])}"


async def test_a_game_is_added_by_its_title_in_any_case(services: Services, driver: ChatDriver) -> None:
    await driver.host("!night start")
    events = services.bus.subscribe()
    assert await public(await driver.host("!night add word spud")) == (
        "Added Word Spud (Jackbox Party Pack 1) to game night #1."
    )
    assert await public(await driver.host("!night add Quiplash 3 (Jackbox Party Pack 7) abcd")) == (
        "Added Quiplash 3 (Jackbox Party Pack 7) to game night #1 with room code ABCD."
    )
    added = [event.data["game"] for event in await drain(events) if event.type == "game.added"]
    assert [(game["title"], game["room_code"], game["manually_added"]) for game in added] == [
        ("Word Spud", None, 1),
        ("Quiplash 3", "ABCD", 1),
    ]


async def test_an_ambiguous_title_lists_the_games_it_could_be(driver: ChatDriver) -> None:
    await driver.host("!night start")
    with pytest.raises(Invalid) as ambiguous:
        await driver.host("!night add tee k.o.")
    assert str(ambiguous.value) == (
        "'tee k.o.' could be Tee K.O. (Jackbox Party Pack 3), Tee K.O. (The Jackbox Party Starter): say which one"
    )
    with pytest.raises(Invalid) as partial:
        await driver.host("!night add fibbage")
    assert str(partial.value) == "'fibbage' could be Fibbage XL, Fibbage 2, Fibbage 3, Fibbage 4: say which one"


async def test_an_unknown_title_suggests_close_matches(driver: ChatDriver) -> None:
    await driver.host("!night start")
    with pytest.raises(NotFound) as unknown:
        await driver.host("!night add Quiplosh 2")
    assert str(unknown.value) == (
        "No game is called 'Quiplosh 2'. Did you mean Quiplash 2, Quiplash 3 (Jackbox Party Pack 7), "
        "Quiplash 3 (The Jackbox Party Starter), Quiplash XL?"
    )
    with pytest.raises(NotFound) as hopeless:
        await driver.host("!night add zzzz zzzz")
    assert str(hopeless.value) == "No game is called 'zzzz zzzz'."


async def test_adding_a_game_needs_a_running_night_and_a_title(driver: ChatDriver) -> None:
    with pytest.raises(Invalid) as no_night:
        await driver.host("!night add Drawful")
    assert str(no_night.value) == "No game night is running right now"
    await driver.host("!night start")
    with pytest.raises(Invalid) as no_title:
        await driver.host("!night add")
    assert str(no_title.value) == "Usage: !night add <title> [room code]"


async def test_thisgame_votes_land_on_the_game_playing_when_they_were_sent(
    services: Services, driver: ChatDriver, clock: FakeClock
) -> None:
    await driver.host("!night start")
    await driver.host("!night add Drawful")
    clock.advance(timedelta(minutes=1))
    assert await driver.say("thisgame++ love it", user="ann") == Reply(reaction="✅")
    late_vote = driver.message("ugh thisgame--", user="ben")
    clock.advance(timedelta(minutes=1))
    await driver.host("!night add Earwax")
    clock.advance(timedelta(seconds=5))
    assert await driver.say("THISGAME++", user="ann") == Reply(reaction="✅")
    # Sent while Drawful was playing, it counts for Drawful even though it arrives later.
    assert await driver.chat.on_message(late_vote) == Reply(reaction="✅")
    # Within a second of ann's last vote: not counted, and no reply at all.
    assert await driver.say("thisgame--", user="ann") is None
    assert await public(await driver.say("!votes")) == ("Tonight's votes: Earwax +1 -0 (net 1) | Drawful +1 -1 (net 0)")


async def test_votes_without_a_running_night_are_ignored(driver: ChatDriver) -> None:
    assert await driver.say("thisgame++") is None


async def test_playing_room_status_and_players_follow_the_current_game(driver: ChatDriver) -> None:
    await driver.host("!night start")
    assert await public(await driver.say("!playing")) == "Game night #1 is on, but no game has been added yet."
    with pytest.raises(Invalid) as nothing_yet:
        await driver.host("!night room ABCD")
    assert str(nothing_yet.value) == "No game has been added to tonight's game night yet"
    await driver.host("!night add Earwax")
    assert await public(await driver.say("!playing")) == f"Now playing: Earwax (Jackbox Party Pack 2). {HINT}"
    assert await public(await driver.host("!night room wxyz")) == "Room code for Earwax (Jackbox Party Pack 2): WXYZ"
    assert await public(await driver.host("!night players 1")) == "Earwax (Jackbox Party Pack 2): 1 player."
    assert await public(await driver.host("!night players 6")) == "Earwax (Jackbox Party Pack 2): 6 players."
    assert await public(await driver.say("!playing")) == (
        f"Now playing: Earwax (Jackbox Party Pack 2), room code WXYZ, 6 players. {HINT}"
    )
    assert await public(await driver.host("!night status Played")) == "Earwax (Jackbox Party Pack 2) is now played."
    assert await public(await driver.say("!playing")) == (
        "Nothing is playing; the last game was Earwax (Jackbox Party Pack 2), room code WXYZ, 6 players, played."
    )


async def test_bad_arguments_get_the_usage_or_the_rule_they_break(driver: ChatDriver) -> None:
    await driver.host("!night start")
    await driver.host("!night add Earwax")
    cases = {
        "!night players many": "Usage: !night players <n>",
        "!night players -1": "Usage: !night players <n>",
        "!night status paused": "Invalid status. Must be playing, played, or skipped",
        "!night status": "Usage: !night status <playing|played|skipped>",
        "!night room ABCDE": "room_code must be exactly 4 alphanumeric characters (A-Z, 0-9)",
        "!pick": "Usage: !pick <players>",
        "!pick 0": "The number of players must be from 1 to 10000",
    }
    for text, expected in cases.items():
        with pytest.raises(Invalid) as bad:
            await driver.host(text)
        assert str(bad.value) == expected, text


async def test_a_host_closes_the_night(services: Services, driver: ChatDriver) -> None:
    await driver.host("!night start")
    await driver.host("!night add Earwax")
    assert await public(await driver.host("!night close great fun")) == (
        "Game night #1 is over: 1 game played. Thanks for playing!"
    )
    closed = await services.game_nights.get(services.default_community, 1)
    assert (closed.is_active, closed.notes) == (False, "great fun")
    [game] = await services.game_nights.games(services.default_community, 1)
    assert game.status is GameStatus.PLAYED
    with pytest.raises(Invalid) as gone:
        await driver.say("!playing")
    assert str(gone.value) == "No game night is running right now"


async def test_votes_before_any_vote_says_so(driver: ChatDriver) -> None:
    await driver.host("!night start")
    assert await public(await driver.say("!votes")) == f"No votes yet tonight. {HINT}"


async def test_pick_suggests_an_enabled_game_for_that_many_players(services: Services, driver: ChatDriver) -> None:
    details = GameDetails("Stadium Pack", "Crowd Game", 9000, 9999)
    await services.games.add_game(host_of(services.default_community), services.default_community, details)
    assert await public(await driver.say("!pick 9500")) == (
        "How about Crowd Game (Stadium Pack)? It takes 9000-9999 players (picked from 1 games)."
    )
    with pytest.raises(NotFound) as none:
        await driver.say("!pick 10000")
    assert str(none.value) == "No enabled games match the given filters"


async def test_titles_for_an_autocomplete_put_the_ones_starting_with_the_text_first(services: Services) -> None:
    titles = await services.tonight.titles(services.default_community, "tee")
    assert titles == [
        "Tee K.O. (Jackbox Party Pack 3)",
        "Tee K.O. (The Jackbox Party Starter)",
        "Tee K.O. 2",
        "Bracketeering",
    ]
    assert await services.tonight.titles(services.default_community, "drawful", limit=2) == [
        "Drawful",
        "Drawful Animate",
    ]
    assert (await services.tonight.titles(services.default_community, "spud")) == ["Word Spud"]
