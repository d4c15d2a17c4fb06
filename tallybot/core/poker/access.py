"""Who may act in a poker session, and the steps the poker service's units of work share.

An ``Asker`` is resolved here, in one place: a token from the HTTP API, or a person from
chat. Chat names no session or prompt; it means the newest open session of the community
that the person is in, and that session's newest prompt.
"""

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from tallybot.core import crypto
from tallybot.core.errors import Conflict, NotFound, Unauthorized, UnknownSession
from tallybot.core.events import new_event
from tallybot.core.models import Community, Person
from tallybot.core.poker.models import Asker, Participant, PokerSession, Prompt, PromptView, Seat
from tallybot.core.poker.rules import MAX_NAME_LENGTH, build_view, user_text
from tallybot.core.ports import Transaction


class Changes:
    """Records a unit of work's changes to sessions, and which sessions to poke once it commits."""

    def __init__(self) -> None:
        self.sessions: set[str] = set()

    async def record(
        self, tx: Transaction, session: PokerSession, kind: str, data: Mapping[str, Any], now: datetime
    ) -> None:
        """Count a change to the session and put its event in the outbox."""
        await tx.poker.bump_version(session.id)
        event = new_event(kind, session.community_id, {"session_id": session.public_id, **data}, now)
        await tx.outbox.append(event)
        self.sessions.add(session.public_id)


@dataclass(frozen=True)
class Newcomer:
    """Somebody about to take a seat: a name with a new token, or a person from chat (no token)."""

    name: str
    token: str | None
    token_hash: str | None
    person_id: int | None

    @classmethod
    def of(cls, participant: str | Person) -> "Newcomer":
        """Check the name, and make a token for whoever will not be known by their person."""
        if isinstance(participant, Person):
            name = user_text(participant.display_name, "participant_id", MAX_NAME_LENGTH)
            return cls(name, None, None, participant.id)
        token = crypto.new_token()
        return cls(user_text(participant, "participant_id", MAX_NAME_LENGTH), token, crypto.hash_token(token), None)


async def sit(
    tx: Transaction, changes: Changes, session: PokerSession, newcomer: Newcomer, *, owner: bool, now: datetime
) -> Seat:
    """Add the newcomer to the session; names are unique in a session, and so are people."""
    if newcomer.person_id is not None and await tx.poker.participant_by_person(session.id, newcomer.person_id):
        raise Conflict(f"You are already in session {session.public_id}")
    present = await tx.poker.participants(session.id)
    if any(person.name.casefold() == newcomer.name.casefold() for person in present):
        raise Conflict(f"{newcomer.name} is already in session {session.public_id}")
    await tx.poker.add_participant(session.id, newcomer.name, newcomer.token_hash, newcomer.person_id, owner, now)
    data: dict[str, Any] = {"participant_id": newcomer.name}
    if owner:
        await changes.record(tx, session, "poker.started", {**data, "deck": list(session.deck)}, now)
    else:
        await changes.record(tx, session, "poker.joined", data, now)
    names = (*(person.name for person in present), newcomer.name)
    return Seat(session.public_id, newcomer.token, session.deck, names)


async def open_session(tx: Transaction, community: Community, session_id: str) -> PokerSession:
    """The community's open session with this id, or NotFound."""
    session = await tx.poker.session(community.id, session_id)
    if session is None:
        raise UnknownSession(f"No open session with id {session_id}")
    if not session.is_open:
        raise NotFound(f"No open session with id {session_id}")
    return session


async def participant_of(tx: Transaction, session: PokerSession, asker: Asker) -> Participant:
    """Who the asker is in the session, by token or by person; Unauthorized if nobody."""
    if isinstance(asker, Person):
        participant = await tx.poker.participant_by_person(session.id, asker.id)
        if participant is None:
            raise Unauthorized(f"You are not in session {session.public_id}; join it first")
        return participant
    if asker is None:
        raise Unauthorized("This needs your participant token (Authorization: Bearer <token>)")
    participant = await tx.poker.participant_by_token(session.id, crypto.hash_token(asker))
    if participant is None:
        raise Unauthorized(f"That token is not valid for session {session.public_id}")
    return participant


async def locate(
    tx: Transaction, community: Community, session_id: str | None, asker: Asker
) -> tuple[PokerSession, Participant]:
    """The open session an action is about, and the asker's place in it.

    Without a ``session_id`` (chat), the newest open session of the community that the
    person is in.
    """
    if session_id is not None:
        session = await open_session(tx, community, session_id)
        return session, await participant_of(tx, session, asker)
    joined = await tx.poker.joined_session(community.id, asker.id) if isinstance(asker, Person) else None
    if joined is None:
        raise NotFound("You are not in an open poker session here: start one or join one first")
    return joined, await participant_of(tx, joined, asker)


async def locate_owner(
    tx: Transaction, community: Community, session_id: str | None, asker: Asker
) -> tuple[PokerSession, Participant]:
    """Like ``locate``, for what only the session's owner may do."""
    session, participant = await locate(tx, community, session_id, asker)
    if not participant.is_owner:
        raise Unauthorized(f"Only the owner of session {session.public_id} can do that")
    return session, participant


async def find_prompt(tx: Transaction, session: PokerSession, prompt_id: str | None) -> Prompt:
    """The session's prompt with this id, or its newest one when no id is given (chat)."""
    prompt = None
    if prompt_id is None:
        prompt = await tx.poker.latest_prompt(session.id)
        if prompt is None:
            raise NotFound(f"Session {session.public_id} has no story to estimate yet")
    elif prompt_id.isascii() and prompt_id.isdigit() and len(prompt_id) <= 9:
        prompt = await tx.poker.prompt(session.id, int(prompt_id))
    if prompt is None:
        raise NotFound(f"No prompt {prompt_id} in session {session.public_id}")
    return prompt


async def prompt_view(tx: Transaction, session: PokerSession, prompt: Prompt) -> PromptView:
    """The prompt as participants see it now."""
    # Read again: the session's version may have moved on in this unit of work.
    fresh = await tx.poker.session(session.community_id, session.public_id)
    assert fresh is not None
    participants = await tx.poker.participants(session.id)
    rounds = await tx.poker.rounds(prompt.id)
    return build_view(fresh, prompt, participants, rounds, await tx.poker.votes(prompt.id))
