"""Game night in Twitch chat: hosts by badge, votes on the game that was playing, replies in the channel."""

from datetime import timedelta

import pytest

from tallybot.core.gamenight import GameVotes
from tests.bot.components.conftest import ALICE, BOB, BOT, MO, STREAMER, TwitchChat
from tests.fakes.fake_twitch import FakeUser, SentChatMessage
from tests.helpers import FakeClock

VOTE_HINT = "Vote with thisgame++ or thisgame--."


async def _votes_of_the_night(twitch: TwitchChat) -> list[GameVotes]:
    community = await twitch.community()
    night = await twitch.services.game_nights.active(community)
    assert night is not None
    return await twitch.services.votes.session_votes(community, night.id)


async def _night_with(twitch: TwitchChat, game: str) -> None:
    await twitch.ask(STREAMER, "!night start")
    await twitch.ask(STREAMER, f"!night add {game}")
    await twitch.announcement()


async def test_thisgame_plus_plus_counts_for_the_game_playing_when_it_was_said(
    twitch: TwitchChat, clock: FakeClock
) -> None:
    started = await twitch.ask(STREAMER, "!night start")
    first = await twitch.ask(STREAMER, "!night add Quixort")
    first_announced = await twitch.announcement()
    clock.advance(timedelta(minutes=1))
    alice_first = await twitch.say(ALICE, "this is great thisgame++")
    alice_first_ack = await twitch.reply(alice_first)
    clock.advance(timedelta(minutes=10))
    second = await twitch.ask(MO, "!night add Fibbage 4 ABCD", badges=["moderator"])
    await twitch.announcement()
    clock.advance(timedelta(minutes=1))
    await twitch.reply(await twitch.say(ALICE, "thisgame--"))
    await twitch.reply(await twitch.say(BOB, "THISGAME++ love it"))

    assert started.startswith("Game night #1 has started!")
    assert (first, second) == (
        "Added Quixort (Jackbox Party Pack 9) to game night #1.",
        "Added Fibbage 4 (Jackbox Party Pack 9) to game night #1 with room code ABCD.",
    )
    assert first_announced == f"🎮 Now playing: Quixort (Jackbox Party Pack 9). {VOTE_HINT}"
    assert alice_first_ack == SentChatMessage(
        broadcaster_id=STREAMER.id,
        sender_id=BOT.id,
        message="✅",
        reply_parent_message_id=alice_first,
        message_id=alice_first_ack.message_id,
        auth_user_id=BOT.id,
    )
    assert [(game.title, game.upvotes, game.downvotes) for game in await _votes_of_the_night(twitch)] == [
        ("Quixort", 1, 0),
        ("Fibbage 4", 1, 1),
    ]


async def test_a_second_vote_within_a_second_is_not_counted_and_not_answered(
    twitch: TwitchChat, clock: FakeClock
) -> None:
    await _night_with(twitch, "Quixort")
    clock.advance(timedelta(seconds=5))
    await twitch.reply(await twitch.say(ALICE, "thisgame++"))
    clock.advance(timedelta(milliseconds=500))
    await twitch.say(ALICE, "thisgame++ again")
    await twitch.settle()
    clock.advance(timedelta(milliseconds=600))
    third = await twitch.say(ALICE, "thisgame++ and again")
    third_ack = await twitch.reply(third)

    assert third_ack.message == "✅"
    assert twitch.lines().count("✅") == 2
    assert [(game.upvotes, game.downvotes) for game in await _votes_of_the_night(twitch)] == [(2, 0)]


@pytest.mark.parametrize("badges", [["subscriber", "vip"], []])
async def test_a_member_without_a_badge_is_refused_a_host_command_with_a_clear_reply(
    twitch: TwitchChat, badges: list[str]
) -> None:
    refused = await twitch.ask(ALICE, "!night start", badges=badges)

    assert refused == "Only a host can use !night start"
    assert await twitch.services.game_nights.active(await twitch.community()) is None


@pytest.mark.parametrize(("chatter", "badges"), [(MO, ["moderator"]), (MO, ["lead_moderator"]), (STREAMER, [])])
async def test_the_broadcaster_and_moderators_are_hosts(
    twitch: TwitchChat, chatter: FakeUser, badges: list[str]
) -> None:
    started = await twitch.ask(chatter, "!night start", badges=badges)

    assert started.startswith("Game night #1 has started!")


async def test_anyone_may_ask_what_is_playing_and_for_tonights_votes(twitch: TwitchChat, clock: FakeClock) -> None:
    await _night_with(twitch, "Quixort WXYZ")
    clock.advance(timedelta(seconds=30))
    await twitch.reply(await twitch.say(BOB, "thisgame++"))

    playing = await twitch.ask(ALICE, "!playing")
    votes = await twitch.ask(ALICE, "!votes")

    assert playing == f"Now playing: Quixort (Jackbox Party Pack 9), room code WXYZ. {VOTE_HINT}"
    assert votes == "Tonight's votes: Quixort +1 -0 (net 1)"


async def test_a_domain_error_is_answered_with_its_own_words(twitch: TwitchChat) -> None:
    answer = await twitch.ask(ALICE, "!playing")

    assert answer == "No game night is running right now"


async def test_plain_chat_and_commands_of_other_bots_are_not_answered(twitch: TwitchChat) -> None:
    await twitch.say(ALICE, "hello everyone, no command here")
    await twitch.say(ALICE, "!dance")
    answer = await twitch.ask(ALICE, "!playing")

    assert twitch.lines() == [answer]


async def test_help_lists_the_commands_the_asker_may_use(twitch: TwitchChat) -> None:
    member_help = await twitch.ask(ALICE, "!help")
    host_help = await twitch.ask(MO, "!help", badges=["moderator"])

    assert member_help.startswith("Commands: ")
    assert "!playing" in member_help
    assert "!night start" not in member_help
    assert "!night start" in host_help


async def test_a_command_said_as_a_reply_to_the_bot_still_counts(twitch: TwitchChat) -> None:
    await twitch.ask(ALICE, "!playing")
    parent = twitch.fake.chat_messages[-1]

    # Twitch starts a reply with the parent's name; people type it in any case, as login or display name.
    asked = await twitch.fake.send_chat(STREAMER, ALICE, f"@{BOT.login} !help", reply_to=parent.message_id)
    answer = await twitch.reply()

    assert answer.reply_parent_message_id == asked
    assert answer.message.startswith("Commands: ")
