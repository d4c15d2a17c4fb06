"""Planning poker in Twitch chat: cards go by whisper, and the last vote brings the reveal to the channel."""

from tests.bot.components.conftest import ALICE, BOB, BOT, STREAMER, TwitchChat
from tests.fakes.fake_twitch import SentWhisper


async def test_a_full_round_keeps_cards_private_until_the_last_vote_reveals_them(twitch: TwitchChat) -> None:
    started = await twitch.ask(STREAMER, "!poker start")
    session_id = started.split()[4]
    joined = [await twitch.ask(ALICE, "!poker join"), await twitch.ask(BOB, "!poker join")]
    prompted = await twitch.ask(STREAMER, "!prompt Login page")
    progress = [
        await twitch.ask(STREAMER, "!vote 5"),
        await twitch.ask(ALICE, "!vote 8"),
    ]
    before_reveal = twitch.lines()
    last = await twitch.ask(BOB, "!vote 5")
    revealed = await twitch.announcement()
    whispers = [await twitch.whisper() for _ in range(3)]

    assert started == (
        f"Streamer started planning poker {session_id} with the cards 0 1 2 3 5 8 13 20 40 100 ? ☕️. "
        "Join with !poker join"
    )
    assert joined == [
        f"Alice joined {session_id}. Players: Streamer, Alice",
        f"Bob joined {session_id}. Players: Streamer, Alice, Bob",
    ]
    assert prompted == "Estimating: Login page | Vote with !vote <card>: 0 1 2 3 5 8 13 20 40 100 ? ☕️"
    assert progress == ["Streamer has voted (1/3)", "Alice has voted (2/3)"]
    assert last == "Bob has voted (3/3). Everyone has voted: the cards are up!"
    # Everything the channel heard before the reveal: no card.
    assert before_reveal == [started, *joined, prompted, *progress]
    assert revealed == (
        "🃏 Cards are up for “Login page”: Streamer 5, Alice 8, Bob 5. Median 5. "
        "No consensus; furthest from the median: Alice."
    )
    assert whispers == [
        SentWhisper(BOT.id, STREAMER.id, "You voted 5 (hidden until the reveal)."),
        SentWhisper(BOT.id, ALICE.id, "You voted 8 (hidden until the reveal)."),
        SentWhisper(BOT.id, BOB.id, "You voted 5."),
    ]


async def test_the_owner_reveals_early_and_everyone_agreeing_is_a_consensus(twitch: TwitchChat) -> None:
    session_id = (await twitch.ask(STREAMER, "!poker start")).split()[4]
    await twitch.ask(ALICE, "!poker join")
    await twitch.ask(BOB, "!poker join")
    await twitch.ask(STREAMER, "!prompt Search box")
    await twitch.ask(STREAMER, "!vote 3")
    await twitch.ask(ALICE, "!vote 3")

    refused = await twitch.ask(ALICE, "!reveal")
    before = twitch.lines()
    await twitch.say(STREAMER, "!reveal")
    announced = await twitch.announcement()
    await twitch.settle()

    assert refused == f"Only the owner of session {session_id} can do that"
    assert announced == "🃏 Cards are up for “Search box”: Streamer 3, Alice 3. Median 3. Consensus!"
    # The result is said once: the announcement is the owner's answer too.
    assert twitch.lines() == [*before, announced]


async def test_cards_whispered_to_the_bot_never_reach_the_channel(twitch: TwitchChat) -> None:
    said = [
        await twitch.ask(STREAMER, "!poker start"),
        await twitch.ask(ALICE, "!poker join"),
        await twitch.ask(BOB, "!poker join"),
        await twitch.ask(STREAMER, "!prompt Export to CSV"),
    ]
    answers = []
    for voter in (STREAMER, ALICE, BOB):
        await twitch.fake.send_whisper(voter, BOT, "!vote 8")
        answers.append(await twitch.whisper())
    revealed = await twitch.announcement()

    assert answers == [
        SentWhisper(BOT.id, STREAMER.id, "You voted 8 (hidden until the reveal)."),
        SentWhisper(BOT.id, ALICE.id, "You voted 8 (hidden until the reveal)."),
        SentWhisper(BOT.id, BOB.id, "You voted 8."),
    ]
    assert revealed == "🃏 Cards are up for “Export to CSV”: Streamer 8, Alice 8, Bob 8. Median 8. Consensus!"
    # Neither the voters nor the bot said a card in the channel before the reveal.
    assert twitch.lines() == [*said, revealed]
