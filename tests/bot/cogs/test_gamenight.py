"""Game night through the Discord adapter: votes in chat, host commands, autocomplete, announcements."""

from datetime import timedelta

import pytest

from tallybot.bot.commands.gamenight import VOTE_HINT
from tallybot.bot.discord_app import TallyBot
from tallybot.core.gamenight import GameFilter
from tallybot.core.models import Community
from tallybot.core.services import Services
from tests.bot.cogs.conftest import ANA, ANNOUNCEMENTS, BO, GENERAL
from tests.fakes.fake_discord import FakeDiscord
from tests.gamenight_helpers import host_headers
from tests.helpers import Client, FakeClock, host_of


async def test_thisgame_plus_plus_counts_for_the_game_playing_when_it_was_sent(
    fake: FakeDiscord, bot: TallyBot, services: Services, community: Community, clock: FakeClock
) -> None:
    night = await services.game_nights.start(host_of(community), community, None)
    await services.tonight.add_game(host_of(community), community, "Drawful Animate")
    clock.advance(timedelta(minutes=1))
    first = await fake.send_message(GENERAL, BO, "this one is great thisgame++")
    assert (await fake.wait_for_reaction(first)).emoji == "✅"
    clock.advance(timedelta(minutes=1))
    await services.tonight.add_game(host_of(community), community, "Fibbage 4")
    clock.advance(timedelta(minutes=1))
    second = await fake.send_message(GENERAL, BO, "THISGAME-- meh")
    assert (await fake.wait_for_reaction(second)).emoji == "✅"

    votes = await services.votes.session_votes(community, night.id)

    assert [(game.title, game.upvotes, game.downvotes) for game in votes] == [
        ("Drawful Animate", 1, 0),
        ("Fibbage 4", 0, 1),
    ]
    assert fake.sent == []


async def test_a_host_runs_the_night_with_slash_commands_and_anyone_asks_what_is_playing(
    fake: FakeDiscord, bot: TallyBot
) -> None:
    commands: list[tuple[str, dict[str, object]]] = [
        ("night start", {"notes": "Friday"}),
        ("night add", {"title": "quixort", "room_code": "abcd"}),
        ("night players", {"count": 6}),
    ]
    answers = [await fake.wait_for_sent(interaction_id=await fake.send_command(ANA, name, o)) for name, o in commands]
    asked = await fake.send_message(GENERAL, BO, "!playing")

    playing = await fake.wait_for_sent(channel_id=GENERAL)

    assert [(a.content, a.ephemeral) for a in answers] == [
        ("Game night #1 has started! A host adds each game with !night add <title>. " + VOTE_HINT, False),
        ("Added Quixort (Jackbox Party Pack 9) to game night #1 with room code ABCD.", False),
        ("Quixort (Jackbox Party Pack 9): 6 players.", False),
    ]
    assert (playing.reply_to, playing.content) == (
        asked,
        "Now playing: Quixort (Jackbox Party Pack 9), room code ABCD, 6 players. " + VOTE_HINT,
    )


async def test_night_add_suggests_titles_as_the_host_types(fake: FakeDiscord, bot: TallyBot) -> None:
    asked = await fake.send_autocomplete(ANA, "night add", {"title": "quipl"}, focused="title")

    callback = await fake.wait_for_callback(asked)

    assert callback.type == 8
    assert [choice["value"] for choice in callback.data["choices"]] == [
        "Quiplash 2",
        "Quiplash 3 (Jackbox Party Pack 7)",
        "Quiplash 3 (The Jackbox Party Starter)",
        "Quiplash XL",
    ]
    assert all(choice["name"] == choice["value"] for choice in callback.data["choices"])


async def test_a_game_added_through_the_api_is_announced_in_the_chosen_channel(
    fake: FakeDiscord, bot: TallyBot, services: Services, community: Community, client: Client
) -> None:
    chosen = await fake.send_command(ANA, "announce here", channel_id=ANNOUNCEMENTS)
    assert (await fake.wait_for_sent(interaction_id=chosen)).channel_id == ANNOUNCEMENTS
    night = await services.game_nights.start(host_of(community), community, None)
    [game] = [g for g in await services.games.list_games(community, GameFilter()) if g.details.title == "Quixort"]

    response = await client.post(
        f"/c/{community.slug}/api/sessions/{night.id}/games",
        json={"game_id": game.id, "room_code": "WXYZ"},
        headers=await host_headers(services, community),
    )

    assert response.status == 201
    announced = await fake.wait_for_sent(channel_id=ANNOUNCEMENTS)
    assert announced.content == f"🎮 Now playing: Quixort (Jackbox Party Pack 9), room code WXYZ. {VOTE_HINT}"
    assert announced.allowed_mentions == {"parse": []}


async def test_announcements_go_nowhere_until_a_host_picks_a_channel(
    fake: FakeDiscord, bot: TallyBot, services: Services, community: Community
) -> None:
    await services.game_nights.start(host_of(community), community, None)
    await services.tonight.add_game(host_of(community), community, "Quixort")
    closed = await fake.send_command(ANA, "night close")

    answer = await fake.wait_for_sent(interaction_id=closed)

    assert answer.content == "Game night #1 is over: 1 game played. Thanks for playing!"
    with pytest.raises(AssertionError):
        await fake.wait_for_sent(channel_id=ANNOUNCEMENTS, within=0.3)


async def test_a_room_code_option_reaches_the_core_as_a_room_code_not_as_part_of_the_title(
    fake: FakeDiscord, bot: TallyBot, services: Services, community: Community
) -> None:
    started = await fake.send_command(ANA, "night start")
    await fake.wait_for_sent(interaction_id=started)

    asked = await fake.send_command(ANA, "night add", {"title": "Quixort", "room_code": "ABCDEF"})

    answer = await fake.wait_for_sent(interaction_id=asked)
    assert (answer.kind, answer.content, answer.ephemeral) == (
        "response",
        "room_code must be exactly 4 alphanumeric characters (A-Z, 0-9)",
        True,
    )
    assert await services.game_nights.games(community, 1) == []
