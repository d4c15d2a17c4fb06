"""The coffee scoreboard in Twitch chat: @mentions name people, balances and the board follow."""

from tests.bot.components.conftest import ALICE, BOB, MO, TwitchChat


async def test_coffee_for_a_mentioned_chatter_moves_both_balances(twitch: TwitchChat) -> None:
    recorded = await twitch.ask(ALICE, "!coffee @bob 3 thanks for the stream")
    mine = await twitch.ask(ALICE, "!balance")
    bobs = await twitch.ask(BOB, "!balance")
    asked_about = await twitch.ask(MO, "!balance @Alice")

    assert recorded == "You bought Bob 3 coffees. Your balance: +3"
    assert (mine, bobs, asked_about) == (
        "Your coffee balance: +3",
        "Your coffee balance: -3",
        "Alice's coffee balance: +3",
    )


async def test_the_board_ranks_the_most_generous_first(twitch: TwitchChat) -> None:
    await twitch.ask(ALICE, "!coffee @bob")
    await twitch.ask(MO, "!coffee @Alice 2")

    board = await twitch.ask(BOB, "!board")

    assert board == "Coffee board for Streamer: 1. Mo +2 | 2. Alice -1 | 3. Bob -1"


async def test_coffee_for_someone_never_seen_is_refused_clearly(twitch: TwitchChat) -> None:
    refused = await twitch.ask(ALICE, "!coffee @nobody 2")

    assert refused == "I don't know anyone called @nobody yet: they need to say something in chat first"
