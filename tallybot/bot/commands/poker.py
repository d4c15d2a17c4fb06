"""Planning-poker chat commands: start or join a session, put stories up, vote in secret, reveal.

Chat has no participant tokens: each player is the person behind their chat identity,
and a command means the newest open session of the community that they are in, and its
newest story (``core/poker_access.py`` decides). A vote is answered privately; the
channel only hears that someone voted and how many have. The last missing vote (or the
owner's ``reveal``) reveals the round, and the ``poker.revealed`` event brings the result
to the channel the session was started in.
"""

import re

from tallybot.bot.commands.mentions import asker
from tallybot.bot.commands.types import Command, Invocation, Reply
from tallybot.core.errors import Invalid

_DECK_SEPARATOR = re.compile(r"\s*,\s*")


def _required(invocation: Invocation, usage: str) -> str:
    if not invocation.args:
        raise Invalid(f"Usage: {invocation.prefix}{usage}")
    return invocation.args


def _deck(args: str) -> str | list[str] | None:
    """A deck's name, or its cards separated by commas (or spaces); None for the default deck."""
    if not args:
        return None
    cards = _DECK_SEPARATOR.split(args) if "," in args else args.split()
    return cards[0] if len(cards) == 1 else cards


def _cards(deck: tuple[str, ...]) -> str:
    return " ".join(deck)


async def _start(invocation: Invocation) -> Reply:
    person = await asker(invocation)
    message = invocation.message
    seat = await invocation.services.poker.create_session(
        message.community, person, _deck(invocation.args), message.channel_id
    )
    return Reply(
        public=f"{seat.participants[0]} started planning poker {seat.session_id} with the cards "
        f"{_cards(seat.deck)}. Join with {invocation.prefix}poker join"
    )


async def _join(invocation: Invocation) -> Reply:
    person = await asker(invocation)
    seat = await invocation.services.poker.join(invocation.message.community, invocation.args or None, person)
    return Reply(public=f"{seat.participants[-1]} joined {seat.session_id}. Players: {', '.join(seat.participants)}")


async def _prompt(invocation: Invocation) -> Reply:
    story = _required(invocation, PROMPT.usage)
    person = await asker(invocation)
    view = await invocation.services.poker.create_prompt(invocation.message.community, None, person, story)
    return Reply(
        public=f"Estimating: {view.prompt.text} | Vote with {invocation.prefix}vote <card>: {_cards(view.deck)}",
        choices=view.deck,
        choice_command=VOTE.name,
    )


async def _vote(invocation: Invocation) -> Reply:
    card = _required(invocation, VOTE.usage)
    person = await asker(invocation)
    cast = await invocation.services.poker.vote(invocation.message.community, None, None, person, card)
    progress = f"{cast.participant} has voted ({cast.voted}/{cast.voters})"
    if cast.revealed:
        return Reply(public=f"{progress}. Everyone has voted: the cards are up!", private=f"You voted {cast.card}.")
    return Reply(
        public=progress,
        private=f"You voted {cast.card} (hidden until the reveal).",
        choices=cast.deck,
        choice_command=VOTE.name,
    )


async def _reveal(invocation: Invocation) -> Reply:
    person = await asker(invocation)
    await invocation.services.poker.reveal(invocation.message.community, None, None, person)
    # The result is announced in the session's channel, as every reveal is: saying it here too would repeat it.
    return Reply()


async def _revote(invocation: Invocation) -> Reply:
    person = await asker(invocation)
    view = await invocation.services.poker.revote(invocation.message.community, None, None, person)
    return Reply(
        public=f"Round {view.round} for “{view.prompt.text}”: vote again with {invocation.prefix}vote <card>: "
        f"{_cards(view.deck)}",
        choices=view.deck,
        choice_command=VOTE.name,
    )


async def _close(invocation: Invocation) -> Reply:
    person = await asker(invocation)
    session_id = await invocation.services.poker.close(invocation.message.community, None, person)
    return Reply(public=f"Planning poker {session_id} is closed. Thanks for estimating!")


START = Command("poker start", "poker start [fibonacci|tshirt|card,card,...]", "start a planning poker session", _start)
JOIN = Command("poker join", "poker join [session id]", "join the planning poker session", _join)
PROMPT = Command("prompt", "prompt <story>", "put a story up for estimation (session owner)", _prompt)
VOTE = Command("vote", "vote <card>", "vote on the story; only you see your card", _vote, private=True)
REVEAL = Command("reveal", "reveal", "show every vote now (session owner)", _reveal)
REVOTE = Command("revote", "revote", "vote on the same story again (session owner)", _revote)
CLOSE = Command("poker close", "poker close", "close your planning poker session (session owner)", _close)

COMMANDS = (START, JOIN, PROMPT, VOTE, REVEAL, REVOTE, CLOSE)
