"""Coffee-scoreboard chat commands: record coffees you bought someone, see balances and the board.

Chat uses the community's own coffee group, which chat users join on first use
(``core/coffee/chat.py``). A balance counts coffees bought minus coffees received, so
the most generous lead the board.
"""

import re
from dataclasses import dataclass

from tallybot.bot.commands.mentions import asker, resolve_mention
from tallybot.bot.commands.types import Command, CommandText, Invocation, Mention, NoArguments, Reply, no_arguments
from tallybot.core.coffee import DEFAULT_AMOUNT, NOT_YOURSELF
from tallybot.core.errors import Invalid

# A word meant as the number of coffees: whole ("3") or not ("2.5", refused as such).
_NUMBER = re.compile(r"[+-]?[0-9]+(?:[.,][0-9]+)?")
# Chat names the receiver with a mention, so the core's "user_id can't be yourself" is said so.
_YOURSELF = "You can't buy yourself coffee: mention who you bought it for"


@dataclass(frozen=True)
class Coffee:
    """Coffees bought for someone: how many (None for the core's default), and what for."""

    receiver: Mention
    amount: int | None
    note: str | None


@dataclass(frozen=True)
class Balance:
    """Whose balance: None for the asker's own."""

    whose: Mention | None


def signed(balance: int) -> str:
    """A balance as chat shows it: ``+3``, ``0``, ``-2``."""
    return f"{balance:+d}" if balance else "0"


def _coffee_of(text: CommandText) -> Coffee:
    """``@user [n] [note]``: the number of coffees if the word after the mention is one, then the note."""
    words = text.text.split()
    if not words:
        raise text.wrong()
    receiver, rest = words[0], words[1:]
    if rest and _NUMBER.fullmatch(rest[0]):
        if not re.fullmatch(r"[+-]?[0-9]+", rest[0]):
            raise Invalid("The number of coffees must be a whole number, like 3")
        return Coffee(receiver, int(rest[0]), " ".join(rest[1:]) or None)
    return Coffee(receiver, None, " ".join(rest) or None)


def _balance_of(text: CommandText) -> Balance:
    return Balance(text.optional())


def _in_chat_words(refused: Invalid) -> Invalid:
    """A refusal of the core, worded for chat where chat says it differently."""
    if refused.fields.get("user_id") == [NOT_YOURSELF]:
        return Invalid(_YOURSELF, refused.fields)
    return refused


async def _coffee(invocation: Invocation, arguments: Coffee) -> Reply:
    buyer = await asker(invocation)
    receiver = await resolve_mention(invocation, arguments.receiver)
    try:
        recorded = await invocation.services.coffee.chat_coffee(
            invocation.message.community, buyer.id, receiver.id, arguments.amount, arguments.note
        )
    except Invalid as refused:
        raise _in_chat_words(refused) from None
    return Reply(public=f"{recorded.summary}. Your balance: {signed(recorded.balance)}")


async def _balance(invocation: Invocation, arguments: Balance) -> Reply:
    viewer = await asker(invocation)
    target = None if arguments.whose is None else await resolve_mention(invocation, arguments.whose)
    standing = await invocation.services.coffee.chat_balance(
        invocation.message.community, viewer.id, None if target is None else target.id
    )
    if standing.profile.person_id == viewer.id:
        return Reply(public=f"Your coffee balance: {signed(standing.balance)}")
    return Reply(public=f"{standing.profile.display_name}'s coffee balance: {signed(standing.balance)}")


async def _board(invocation: Invocation, _: NoArguments) -> Reply:
    viewer = await asker(invocation)
    board = await invocation.services.coffee.chat_board(invocation.message.community, viewer.id)
    lines = [
        f"{rank}. {member.profile.display_name} {signed(member.balance)}"
        for rank, member in enumerate(board.leaders, start=1)
    ]
    more = f" | and {board.more} more" if board.more else ""
    return Reply(public=f"Coffee board for {board.group.name}: {' | '.join(lines)}{more}")


COFFEE = Command(
    "coffee",
    "coffee @user [n] [note]",
    f"record that you bought @user n coffees ({DEFAULT_AMOUNT} by default)",
    _coffee_of,
    _coffee,
)
BALANCE = Command("balance", "balance [@user]", "your coffee balance, or @user's", _balance_of, _balance)
BOARD = Command("board", "board", "the coffee leaderboard: who bought the most", no_arguments, _board)

COMMANDS = (COFFEE, BALANCE, BOARD)
