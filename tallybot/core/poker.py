"""Planning poker: sessions, prompts, hidden votes, reveals, revotes and long polls.

The durable state lives in the database. Long polls wait in this process on a
``ChangeBoard`` keyed by the session id, which every write to the session pokes once it
has committed; the waiters then re-read the database to decide whether they are done.
"""

import secrets
from collections.abc import Awaitable, Callable, Mapping, Sequence
from datetime import datetime
from typing import Any, TypeVar

from tallybot.core import crypto
from tallybot.core.errors import Conflict, DomainError, NotFound, Unauthorized, Unavailable
from tallybot.core.events import new_event
from tallybot.core.longpoll import ChangeBoard
from tallybot.core.models import Community
from tallybot.core.poker_models import (
    CastVote,
    Participant,
    PokerSession,
    Prompt,
    PromptView,
    Round,
    Seat,
    SessionHistory,
    Vote,
)
from tallybot.core.poker_rules import (
    ID_SPACE,
    MAX_NAME_LENGTH,
    MAX_PROMPT_LENGTH,
    build_history,
    build_view,
    choose_deck,
    friendly_id,
    match_card,
    result_data,
    round_result,
    user_text,
    wait_seconds,
)
from tallybot.core.ports import Clock, Database, Transaction

T = TypeVar("T")


class PokerService:
    """Planning-poker sessions over the shared database.

    ``draw`` picks where the search for a free session id starts; it is random so that
    ids cannot be predicted, and any free id is found without retrying.
    """

    def __init__(self, db: Database, clock: Clock, draw: Callable[[int], int] = secrets.randbelow) -> None:
        self._db = db
        self._clock = clock
        self._draw = draw
        self._board = ChangeBoard()

    @property
    def waiting(self) -> int:
        """How many long polls are waiting right now."""
        return self._board.waiters

    async def create_session(
        self, community: Community, participant_name: str, deck: str | Sequence[str] | None = None
    ) -> Seat:
        """Open a session owned by its creator, who gets the first token."""
        name = user_text(participant_name, "participant_id", MAX_NAME_LENGTH)
        cards = choose_deck(deck)
        token = crypto.new_token()
        start = self._draw(ID_SPACE)
        now = self._clock()

        async def work(tx: Transaction) -> str:
            index = await tx.poker.free_id_index(start, ID_SPACE)
            if index is None:
                raise Unavailable("Every session id is in use, so no new session can be opened")
            session = await tx.poker.add_session(community.id, friendly_id(index), index, cards, now)
            await tx.poker.add_participant(session.id, name, crypto.hash_token(token), True, now)
            await _changed(tx, session, "poker.started", {"participant_id": name, "deck": list(cards)}, now)
            return session.public_id

        return Seat(await self._db.write(work), token)

    async def join(self, community: Community, session_id: str, participant_name: str) -> Seat:
        """Add a participant to an open session; their token is returned this once."""
        name = user_text(participant_name, "participant_id", MAX_NAME_LENGTH)
        token = crypto.new_token()
        now = self._clock()

        async def work(tx: Transaction) -> None:
            session = await _open(tx, community, session_id)
            if any(person.name.casefold() == name.casefold() for person in await tx.poker.participants(session.id)):
                raise Conflict(f"{name} is already in session {session_id}")
            await tx.poker.add_participant(session.id, name, crypto.hash_token(token), False, now)
            await _changed(tx, session, "poker.joined", {"participant_id": name}, now)

        await self._write(session_id, work)
        return Seat(session_id, token)

    async def wait_for_prompt(
        self, community: Community, session_id: str, last_prompt_id: str | None, max_wait: float | None
    ) -> Prompt | None:
        """The session's current prompt once it is not ``last_prompt_id``; None if the wait times out."""
        seconds = wait_seconds(max_wait)

        async def latest(tx: Transaction) -> Prompt | None:
            return await tx.poker.latest_prompt((await _open(tx, community, session_id)).id)

        async def read() -> Prompt | None:
            return await self._db.read(latest)

        def ready(prompt: Prompt | None) -> bool:
            return prompt is not None and prompt.public_id != last_prompt_id

        return await self._board.wait_for(session_id, ("prompt", community.id), read, ready, seconds)

    async def create_prompt(self, community: Community, session_id: str, token: str | None, text: str) -> Prompt:
        """Put a new story to the session (owner only); it releases every waiting participant."""
        story = user_text(text, "prompt", MAX_PROMPT_LENGTH)
        now = self._clock()

        async def work(tx: Transaction) -> Prompt:
            session = await _open(tx, community, session_id)
            await _owner(tx, session, token)
            prompt = await tx.poker.add_prompt(session.id, story, now)
            await _changed(tx, session, "poker.prompt", {"prompt_id": prompt.public_id, "prompt": story}, now)
            return prompt

        return await self._write(session_id, work)

    async def vote(
        self, community: Community, session_id: str, prompt_id: str, token: str | None, card: str
    ) -> CastVote:
        """Play or replace a card in the prompt's current round; the last missing vote reveals it."""
        now = self._clock()

        async def work(tx: Transaction) -> CastVote:
            session = await _open(tx, community, session_id)
            voter = await _seat(tx, session, token)
            prompt = await _prompt(tx, session, prompt_id)
            chosen = match_card(session.deck, card)
            current = (await tx.poker.rounds(prompt.id))[-1]
            if current.revealed:
                raise Conflict(f"Prompt {prompt.public_id} has already been revealed; votes are closed")
            await tx.poker.set_vote(Vote(prompt.id, current.number, voter.id, chosen, now))
            voted = {"prompt_id": prompt.public_id, "round": current.number, "participant_id": voter.name}
            await _changed(tx, session, "poker.voted", voted, now)
            participants = await tx.poker.participants(session.id)
            cards = {vote.participant_id for vote in await tx.poker.votes(prompt.id) if vote.round == current.number}
            everyone = all(person.id in cards for person in participants)
            if everyone:
                await _reveal(tx, session, prompt, current, participants, now)
            return CastVote(prompt.public_id, current.number, chosen, everyone)

        return await self._write(session_id, work)

    async def reveal(self, community: Community, session_id: str, prompt_id: str, token: str | None) -> PromptView:
        """Show the current round's cards before everyone has voted (owner only)."""
        now = self._clock()

        async def work(tx: Transaction) -> PromptView:
            session = await _open(tx, community, session_id)
            await _owner(tx, session, token)
            prompt = await _prompt(tx, session, prompt_id)
            current = (await tx.poker.rounds(prompt.id))[-1]
            if current.revealed:
                raise Conflict(f"Prompt {prompt.public_id} has already been revealed")
            await _reveal(tx, session, prompt, current, await tx.poker.participants(session.id), now)
            return await _view(tx, community, session_id, prompt_id)

        return await self._write(session_id, work)

    async def revote(self, community: Community, session_id: str, prompt_id: str, token: str | None) -> PromptView:
        """Start a new round on a revealed prompt (owner only); earlier rounds keep their results."""
        now = self._clock()

        async def work(tx: Transaction) -> PromptView:
            session = await _open(tx, community, session_id)
            await _owner(tx, session, token)
            prompt = await _prompt(tx, session, prompt_id)
            current = (await tx.poker.rounds(prompt.id))[-1]
            if not current.revealed:
                raise Conflict(f"Prompt {prompt.public_id} is still being voted on; reveal it before a revote")
            await tx.poker.start_round(prompt.id, current.number + 1, now)
            data = {"prompt_id": prompt.public_id, "round": current.number + 1}
            await _changed(tx, session, "poker.revote", data, now)
            return await _view(tx, community, session_id, prompt_id)

        return await self._write(session_id, work)

    async def watch(
        self,
        community: Community,
        session_id: str,
        prompt_id: str,
        token: str | None,
        since_version: int | None,
        max_wait: float | None,
    ) -> PromptView | None:
        """The prompt as participants see it; with ``since_version``, once the session has changed since then."""
        seconds = wait_seconds(max_wait)

        async def first(tx: Transaction) -> PromptView:
            await _seat(tx, await _open(tx, community, session_id), token)
            return await _view(tx, community, session_id, prompt_id)

        def ready(view: PromptView) -> bool:
            return since_version is None or view.version > since_version

        view = await self._db.read(first)
        if ready(view):
            return view

        async def read() -> PromptView:
            return await self._db.read(lambda tx: _view(tx, community, session_id, prompt_id))

        return await self._board.wait_for(session_id, ("watch", community.id, prompt_id), read, ready, seconds)

    async def close(self, community: Community, session_id: str, token: str | None) -> None:
        """Close the session (owner only); every long poll on it ends with NotFound."""
        now = self._clock()

        async def work(tx: Transaction) -> None:
            session = await _open(tx, community, session_id)
            await _owner(tx, session, token)
            await tx.poker.close_session(session.id, now)
            await _changed(tx, session, "poker.closed", {}, now)

        await self._write(session_id, work)

    async def history(self, community: Community, session_id: str, token: str | None) -> SessionHistory:
        """Every prompt of a session, open or closed, with its revealed results (participants only)."""

        async def work(tx: Transaction) -> SessionHistory:
            session = await tx.poker.session(community.id, session_id)
            if session is None:
                raise NotFound(f"No session with id {session_id}")
            await _seat(tx, session, token)
            return build_history(
                session,
                await tx.poker.prompts(session.id),
                await tx.poker.participants(session.id),
                await tx.poker.rounds_in_session(session.id),
                await tx.poker.votes_in_session(session.id),
            )

        return await self._db.read(work)

    async def _write(self, session_id: str, work: Callable[[Transaction], Awaitable[T]]) -> T:
        changed = True
        try:
            return await self._db.write(work)
        except DomainError:
            changed = False  # the unit of work was rolled back: nothing to tell the waiters
            raise
        finally:
            # Also after a cancellation, which may come once the change has committed.
            if changed:
                self._board.poke(session_id)


async def _changed(tx: Transaction, session: PokerSession, kind: str, data: Mapping[str, Any], now: datetime) -> None:
    await tx.poker.bump_version(session.id)
    await tx.outbox.append(new_event(kind, session.community_id, {"session_id": session.public_id, **data}, now))


async def _open(tx: Transaction, community: Community, session_id: str) -> PokerSession:
    session = await tx.poker.session(community.id, session_id)
    if session is None or not session.is_open:
        raise NotFound(f"No open session with id {session_id}")
    return session


async def _seat(tx: Transaction, session: PokerSession, token: str | None) -> Participant:
    if token is None:
        raise Unauthorized("This needs your participant token (Authorization: Bearer <token>)")
    participant = await tx.poker.participant_by_token(session.id, crypto.hash_token(token))
    if participant is None:
        raise Unauthorized(f"That token is not valid for session {session.public_id}")
    return participant


async def _owner(tx: Transaction, session: PokerSession, token: str | None) -> Participant:
    participant = await _seat(tx, session, token)
    if not participant.is_owner:
        raise Unauthorized(f"Only the owner of session {session.public_id} can do that")
    return participant


async def _prompt(tx: Transaction, session: PokerSession, prompt_id: str) -> Prompt:
    prompt = None
    if prompt_id.isascii() and prompt_id.isdigit() and len(prompt_id) <= 9:
        prompt = await tx.poker.prompt(session.id, int(prompt_id))
    if prompt is None:
        raise NotFound(f"No prompt {prompt_id} in session {session.public_id}")
    return prompt


async def _view(tx: Transaction, community: Community, session_id: str, prompt_id: str) -> PromptView:
    session = await _open(tx, community, session_id)
    prompt = await _prompt(tx, session, prompt_id)
    participants = await tx.poker.participants(session.id)
    rounds = await tx.poker.rounds(prompt.id)
    return build_view(session, prompt, participants, rounds, await tx.poker.votes(prompt.id))


async def _reveal(
    tx: Transaction,
    session: PokerSession,
    prompt: Prompt,
    current: Round,
    participants: Sequence[Participant],
    now: datetime,
) -> None:
    await tx.poker.reveal_round(prompt.id, current.number, now)
    result = round_result(session, current, participants, await tx.poker.votes(prompt.id))
    data = {"prompt_id": prompt.public_id, "prompt": prompt.text, "result": result_data(result)}
    await _changed(tx, session, "poker.revealed", data, now)
