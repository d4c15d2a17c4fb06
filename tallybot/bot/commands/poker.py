"""Planning-poker chat commands: start or join a session, put stories up, vote in secret, reveal.

Chat has no participant tokens: each player is the person behind their chat identity,
and a command means the newest open session of the community that they are in, and its
newest story (``core/poker/access.py`` decides). A vote is answered privately; the
channel only hears that someone voted and how many have. The last missing vote (or the
owner's ``reveal``) reveals the round, and the ``poker.revealed`` event brings the result
to the channel the session was started in.
"""

import re
from dataclasses import dataclass

from tallybot.bot.commands.mentions import asker
from tallybot.bot.commands.types import Command, CommandText, Invocation, NoArguments, Reply, no_arguments

_DECK_SEPARATOR = re.compile(r"\s*,\s*")

# A deck's name, or its cards; None for the default deck.
Deck = str | tuple[str, ...] | None


@dataclass(frozen=True)
class PokerStart:
    """The deck to play with."""

    deck: Deck


@dataclass(frozen=True)
class PokerJoin:
    """The session to join; None for the community's newest."""

    session_id: str | None


@dataclass(frozen=True)
class PokerPrompt:
    """The story to estimate."""

    story: str


@dataclass(frozen=True)
class PokerVote:
    """The card voted."""

    card: str


def deck_of(text: str | None) -> Deck:
    """A deck as typed: its name, or its cards separated by commas (or spaces); None (the default) if empty."""
    if not text:
        return None
    cards = _DECK_SEPARATOR.split(text) if "," in text else text.split()
    return cards[0] if len(cards) == 1 else tuple(cards)


def _cards(deck: tuple[str, ...]) -> str:
    return " ".join(deck)


def _poker_start(text: CommandText) -> PokerStart:
    return PokerStart(deck_of(text.text))


def _poker_join(text: CommandText) -> PokerJoin:
    return PokerJoin(text.optional())


def _poker_prompt(text: CommandText) -> PokerPrompt:
    return PokerPrompt(text.required())


def _poker_vote(text: CommandText) -> PokerVote:
    return PokerVote(text.required())


async def _start(invocation: Invocation, arguments: PokerStart) -> Reply:
    person = await asker(invocation)
    message = invocation.message
    seat = await invocation.services.poker.create_session(message.community, person, arguments.deck, message.channel_id)
    return Reply(
        public=f"{seat.participants[0]} started planning poker {seat.session_id} with the cards "
        f"{_cards(seat.deck)}. Join with {invocation.prefix}poker join"
    )


async def _join(invocation: Invocation, arguments: PokerJoin) -> Reply:
    person = await asker(invocation)
    seat = await invocation.services.poker.join(invocation.message.community, arguments.session_id, person)
    return Reply(public=f"{seat.participants[-1]} joined {seat.session_id}. Players: {', '.join(seat.participants)}")


async def _prompt(invocation: Invocation, arguments: PokerPrompt) -> Reply:
    person = await asker(invocation)
    view = await invocation.services.poker.create_prompt(invocation.message.community, None, person, arguments.story)
    return Reply(
        public=f"Estimating: {view.prompt.text} | Vote with {invocation.prefix}vote <card>: {_cards(view.deck)}",
        choices=view.deck,
        choice_command=VOTE.name,
    )


async def _vote(invocation: Invocation, arguments: PokerVote) -> Reply:
    person = await asker(invocation)
    cast = await invocation.services.poker.vote(invocation.message.community, None, None, person, arguments.card)
    progress = f"{cast.participant} has voted ({cast.voted}/{cast.voters})"
    if cast.revealed:
        return Reply(public=f"{progress}. Everyone has voted: the cards are up!", private=f"You voted {cast.card}.")
    return Reply(
        public=progress,
        private=f"You voted {cast.card} (hidden until the reveal).",
        choices=cast.deck,
        choice_command=VOTE.name,
    )


async def _reveal(invocation: Invocation, _: NoArguments) -> Reply:
    person = await asker(invocation)
    await invocation.services.poker.reveal(invocation.message.community, None, None, person)
    # The result is announced in the session's channel, as every reveal is: saying it here too would repeat it.
    return Reply()


async def _revote(invocation: Invocation, _: NoArguments) -> Reply:
    person = await asker(invocation)
    view = await invocation.services.poker.revote(invocation.message.community, None, None, person)
    return Reply(
        public=f"Round {view.round} for “{view.prompt.text}”: vote again with {invocation.prefix}vote <card>: "
        f"{_cards(view.deck)}",
        choices=view.deck,
        choice_command=VOTE.name,
    )


async def _close(invocation: Invocation, _: NoArguments) -> Reply:
    person = await asker(invocation)
    session_id = await invocation.services.poker.close(invocation.message.community, None, person)
    return Reply(public=f"Planning poker {session_id} is closed. Thanks for estimating!")


START = Command(
    "poker start",
    "poker start [fibonacci|tshirt|card,card,...]",
    "start a planning poker session",
    _poker_start,
    _start,
)
JOIN = Command("poker join", "poker join [session id]", "join the planning poker session", _poker_join, _join)
PROMPT = Command("prompt", "prompt <story>", "put a story up for estimation (session owner)", _poker_prompt, _prompt)
VOTE = Command(
    "vote",
    "vote <card>",
    "vote on the story; only you see your card",
    _poker_vote,
    _vote,
    private=True,
    choice=PokerVote,
)
REVEAL = Command("reveal", "reveal", "show every vote now (session owner)", no_arguments, _reveal)
REVOTE = Command("revote", "revote", "vote on the same story again (session owner)", no_arguments, _revote)
CLOSE = Command("poker close", "poker close", "close your planning poker session (session owner)", no_arguments, _close)

COMMANDS = (START, JOIN, PROMPT, VOTE, REVEAL, REVOTE, CLOSE)
