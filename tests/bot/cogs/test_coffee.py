"""The coffee scoreboard on Discord: record coffees by ping, by name or by slash command, then balances."""

from tallybot.bot.discord_app import TallyBot
from tests.bot.cogs.conftest import BO, CY, GENERAL
from tests.fakes.fake_discord import FakeDiscord


async def test_a_coffee_by_ping_shows_up_in_both_balances(fake: FakeDiscord, bot: TallyBot) -> None:
    asked = await fake.send_message(GENERAL, BO, f"!coffee {CY.mention} 3 for the sprint review")
    recorded = await fake.wait_for_sent(channel_id=GENERAL)

    mine = await fake.send_command(BO, "balance")
    theirs = await fake.send_command(BO, "balance", {"user": CY})

    assert (recorded.reply_to, recorded.content) == (asked, "You bought cy 3 coffees. Your balance: +3")
    assert (await fake.wait_for_sent(interaction_id=mine)).content == "Your coffee balance: +3"
    assert (await fake.wait_for_sent(interaction_id=theirs)).content == "cy's coffee balance: -3"


async def test_a_slash_coffee_and_an_at_name_coffee_add_up_on_the_board(fake: FakeDiscord, bot: TallyBot) -> None:
    slash = await fake.send_command(CY, "coffee", {"user": BO, "count": 2})
    assert (await fake.wait_for_sent(interaction_id=slash)).content == "You bought bo 2 coffees. Your balance: +2"
    await fake.send_message(GENERAL, BO, "!coffee @CY")
    assert (await fake.wait_for_sent(channel_id=GENERAL)).content == "You bought cy 1 coffee. Your balance: -1"

    board = await fake.send_command(BO, "board")

    answer = await fake.wait_for_sent(interaction_id=board)
    assert (answer.content, answer.ephemeral) == ("Coffee board for Tally Test Server: 1. cy +1 | 2. bo -1", False)


async def test_a_typed_count_records_that_many_coffees_and_a_note_is_only_a_note(
    fake: FakeDiscord, bot: TallyBot
) -> None:
    counted = await fake.send_command(CY, "coffee", {"user": BO, "count": 7, "note": "2.5 lattes"})
    noted = await fake.send_command(CY, "coffee", {"user": BO, "note": "3 flat whites"})

    answers = [await fake.wait_for_sent(interaction_id=asked) for asked in (counted, noted)]

    assert [(a.kind, a.content, a.ephemeral) for a in answers] == [
        ("response", "You bought bo 7 coffees. Your balance: +7", False),
        ("response", "You bought bo 1 coffee. Your balance: +8", False),
    ]
