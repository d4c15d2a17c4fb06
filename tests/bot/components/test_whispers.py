"""Whispers to the bot act in the channel where their sender last spoke, with the role they had there."""

from tests.bot.components.conftest import ALICE, BOT, MO, TwitchChat
from tests.fakes.fake_twitch import SentWhisper


async def test_a_whispered_command_is_answered_by_whisper(twitch: TwitchChat) -> None:
    await twitch.fake.send_whisper(ALICE, BOT, "!playing")

    answer = await twitch.whisper()

    assert answer == SentWhisper(BOT.id, ALICE.id, "No game night is running right now")
    assert twitch.lines() == []


async def test_a_whisper_counts_as_a_member_unless_its_sender_spoke_in_the_channel_as_a_host(
    twitch: TwitchChat,
) -> None:
    await twitch.fake.send_whisper(MO, BOT, "!night start")
    refused = await twitch.whisper()
    await twitch.ask(MO, "!playing", badges=["moderator"])
    await twitch.fake.send_whisper(MO, BOT, "!night start")
    started = await twitch.whisper()

    assert refused.message == "Only a host can use !night start"
    assert started.message.startswith("Game night #1 has started!")


async def test_the_bots_own_whispers_and_plain_whispers_get_no_answer(twitch: TwitchChat) -> None:
    await twitch.fake.send_whisper(BOT, BOT, "!playing")
    await twitch.fake.send_whisper(ALICE, BOT, "hi there")
    await twitch.fake.send_whisper(ALICE, BOT, "!playing")

    answer = await twitch.whisper()

    assert answer.message == "No game night is running right now"
    assert twitch.fake.whispers == [answer]
