"""Planning poker: sessions, prompts, hidden votes, reveals, revotes and long polls.

The durable state lives in the database. Long polls wait in this process on a
``ChangeBoard`` keyed by the session id, which every write to the session pokes once it
has committed; the waiters then re-read the database to decide whether they are done.

The HTTP API names sessions and prompts and proves who is asking with a token; chat
proves it with the person behind the chat identity and may leave the session and prompt
out (see ``access.py``).
"""

import contextlib
import secrets
from collections.abc import Awaitable, Callable, Iterator, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import TypeVar

from tallybot.core.errors import Conflict, DomainError, NotFound, Unavailable, UnknownSession
from tallybot.core.models import Community, Person
from tallybot.core.poker.access import (
    Changes,
    Newcomer,
    find_prompt,
    locate,
    locate_owner,
    open_session,
    participant_of,
    prompt_view,
    sit,
)
from tallybot.core.poker.longpoll import ChangeBoard
from tallybot.core.poker.models import (
    Asker,
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
from tallybot.core.poker.rules import (
    ID_SPACE,
    MAX_PROMPT_LENGTH,
    awaited,
    build_history,
    choose_deck,
    friendly_id,
    match_card,
    result_data,
    round_result,
    user_text,
    wait_seconds,
)
from tallybot.core.ports import Clock, Database, Transaction
from tallybot.core.ratelimit import RateLimiter

T = TypeVar("T")


@dataclass(frozen=True)
class PokerLimits:
    """Per-address limits of the HTTP API, which anyone may call without signing in.

    ``guesses`` counts unknown session ids asked about, and ``openings`` sessions opened.
    """

    guesses: RateLimiter
    openings: RateLimiter


class PokerService:
    """Planning-poker sessions over the shared database.

    ``draw`` picks where the search for a free session id starts; it is random so that
    ids cannot be predicted, and any free id is found without retrying.
    """

    def __init__(
        self, db: Database, clock: Clock, limits: PokerLimits, draw: Callable[[int], int] = secrets.randbelow
    ) -> None:
        self._db = db
        self._clock = clock
        self._limits = limits
        self._draw = draw
        self._board = ChangeBoard()

    @contextlib.contextmanager
    def counting_guesses(self, client: str) -> Iterator[None]:
        """Count each unknown session id asked about inside against the client's address.

        Raises RateLimited, before anything is tried, once the address has asked about too
        many sessions that do not exist, so that open session ids cannot be found by guessing.
        Closed sessions and unknown prompts do not count: honest clients meet those.
        """
        key = ("poker-session", client)
        self._limits.guesses.check(key)
        try:
            yield
        except UnknownSession:
            self._limits.guesses.hit(key)
            raise

    def count_opening(self, client: str) -> None:
        """Count a session about to be opened over HTTP against the client's address.

        Raises RateLimited once the address has opened too many, so that nobody can fill
        the database with sessions. Chat has cooldowns of its own and is not counted.
        """
        self._limits.openings.hit(("poker-open", client))

    @property
    def waiting(self) -> int:
        """How many long polls are waiting right now."""
        return self._board.waiters

    def release_waiters(self) -> None:
        """Answer every long poll now with nothing new, and later ones at once: the process is stopping."""
        self._board.close()

    async def create_session(
        self,
        community: Community,
        participant: str | Person,
        deck: str | Sequence[str] | None = None,
        chat_channel_id: str | None = None,
    ) -> Seat:
        """Open a session owned by its creator: a name, which gets the first token, or a person from chat.

        A session started in chat keeps its ``chat_channel_id``: its reveals are announced there.
        """
        newcomer = Newcomer.of(participant)
        cards = choose_deck(deck)
        start = self._draw(ID_SPACE)
        now = self._clock()

        async def work(tx: Transaction, changes: Changes) -> Seat:
            index = await tx.poker.free_id_index(start, ID_SPACE)
            if index is None:
                raise Unavailable("Every session id is in use, so no new session can be opened")
            session = await tx.poker.add_session(community.id, friendly_id(index), index, cards, now, chat_channel_id)
            return await sit(tx, changes, session, newcomer, owner=True, now=now)

        return await self._write(None, work)

    async def join(self, community: Community, session_id: str | None, participant: str | Person) -> Seat:
        """Add a participant to an open session: a name, whose token is returned this once, or a person.

        With no ``session_id`` (chat), the community's newest open session.
        """
        newcomer = Newcomer.of(participant)
        now = self._clock()

        async def work(tx: Transaction, changes: Changes) -> Seat:
            if session_id is not None:
                session = await open_session(tx, community, session_id)
            else:
                newest = await tx.poker.open_sessions(community.id, 1)
                if not newest:
                    raise NotFound("There is no open poker session here to join")
                session = newest[0]
            return await sit(tx, changes, session, newcomer, owner=False, now=now)

        return await self._write(session_id, work)

    async def wait_for_prompt(
        self, community: Community, session_id: str, last_prompt_id: str | None, max_wait: float | None
    ) -> Prompt | None:
        """The session's current prompt once it is not ``last_prompt_id``; None if the wait times out."""
        seconds = wait_seconds(max_wait)

        async def latest(tx: Transaction) -> Prompt | None:
            return await tx.poker.latest_prompt((await open_session(tx, community, session_id)).id)

        async def read() -> Prompt | None:
            return await self._db.read(latest)

        def ready(prompt: Prompt | None) -> bool:
            return prompt is not None and prompt.public_id != last_prompt_id

        return await self._board.wait_for(session_id, ("prompt", community.id), read, ready, seconds)

    async def create_prompt(self, community: Community, session_id: str | None, asker: Asker, text: str) -> PromptView:
        """Put a new story to the session (owner only); it releases every waiting participant."""
        story = user_text(text, "prompt", MAX_PROMPT_LENGTH)
        now = self._clock()

        async def work(tx: Transaction, changes: Changes) -> PromptView:
            session, _ = await locate_owner(tx, community, session_id, asker)
            prompt = await tx.poker.add_prompt(session.id, story, now)
            await changes.record(tx, session, "poker.prompt", {"prompt_id": prompt.public_id, "prompt": story}, now)
            return await prompt_view(tx, session, prompt)

        return await self._write(session_id, work)

    async def vote(
        self, community: Community, session_id: str | None, prompt_id: str | None, asker: Asker, card: str
    ) -> CastVote:
        """Play or replace a card in the prompt's current round; the last vote it waits for reveals it.

        Whose votes a round waits for is ``rules.awaited``: everyone's, but an owner who opened
        the session over HTTP and does not vote is passed over once at least two others have all voted.
        """
        now = self._clock()

        async def work(tx: Transaction, changes: Changes) -> CastVote:
            session, voter = await locate(tx, community, session_id, asker)
            prompt = await find_prompt(tx, session, prompt_id)
            chosen = match_card(session.deck, card)
            current = (await tx.poker.rounds(prompt.id))[-1]
            if current.revealed:
                raise Conflict(f"Prompt {prompt.public_id} has already been revealed; votes are closed")
            await tx.poker.set_vote(Vote(prompt.id, current.number, voter.id, chosen, now))
            voted = {"prompt_id": prompt.public_id, "round": current.number, "participant_id": voter.name}
            await changes.record(tx, session, "poker.voted", voted, now)
            participants = await tx.poker.participants(session.id)
            cards = {vote.participant_id for vote in await tx.poker.votes(prompt.id) if vote.round == current.number}
            waited = awaited(participants, cards)
            count = sum(person.id in cards for person in waited)
            everyone = count == len(waited)
            if everyone:
                await _reveal(tx, changes, session, prompt, current, participants, now)
            return CastVote(
                prompt.public_id, current.number, chosen, everyone, voter.name, count, len(waited), session.deck
            )

        return await self._write(session_id, work)

    async def reveal(
        self, community: Community, session_id: str | None, prompt_id: str | None, asker: Asker
    ) -> PromptView:
        """Show the current round's cards before everyone has voted (owner only)."""
        now = self._clock()

        async def work(tx: Transaction, changes: Changes) -> PromptView:
            session, _ = await locate_owner(tx, community, session_id, asker)
            prompt = await find_prompt(tx, session, prompt_id)
            current = (await tx.poker.rounds(prompt.id))[-1]
            if current.revealed:
                raise Conflict(f"Prompt {prompt.public_id} has already been revealed")
            await _reveal(tx, changes, session, prompt, current, await tx.poker.participants(session.id), now)
            return await prompt_view(tx, session, prompt)

        return await self._write(session_id, work)

    async def revote(
        self, community: Community, session_id: str | None, prompt_id: str | None, asker: Asker
    ) -> PromptView:
        """Start a new round on a revealed prompt (owner only); earlier rounds keep their results."""
        now = self._clock()

        async def work(tx: Transaction, changes: Changes) -> PromptView:
            session, _ = await locate_owner(tx, community, session_id, asker)
            prompt = await find_prompt(tx, session, prompt_id)
            current = (await tx.poker.rounds(prompt.id))[-1]
            if not current.revealed:
                raise Conflict(f"Prompt {prompt.public_id} is still being voted on; reveal it before a revote")
            await tx.poker.start_round(prompt.id, current.number + 1, now)
            data = {"prompt_id": prompt.public_id, "round": current.number + 1}
            await changes.record(tx, session, "poker.revote", data, now)
            return await prompt_view(tx, session, prompt)

        return await self._write(session_id, work)

    async def watch(
        self,
        community: Community,
        session_id: str,
        prompt_id: str,
        asker: Asker,
        since_version: int | None,
        max_wait: float | None,
    ) -> PromptView | None:
        """The prompt as participants see it; with ``since_version``, once the session has changed since then."""
        seconds = wait_seconds(max_wait)

        async def current(tx: Transaction) -> PromptView:
            session = await open_session(tx, community, session_id)
            return await prompt_view(tx, session, await find_prompt(tx, session, prompt_id))

        async def first(tx: Transaction) -> PromptView:
            await locate(tx, community, session_id, asker)
            return await current(tx)

        def ready(view: PromptView) -> bool:
            return since_version is None or view.version > since_version

        view = await self._db.read(first)
        if ready(view):
            return view

        async def read() -> PromptView:
            return await self._db.read(current)

        return await self._board.wait_for(session_id, ("watch", community.id, prompt_id), read, ready, seconds)

    async def close(self, community: Community, session_id: str | None, asker: Asker) -> str:
        """Close the session (owner only) and return its id; every long poll on it ends with NotFound."""
        now = self._clock()

        async def work(tx: Transaction, changes: Changes) -> str:
            session, _ = await locate_owner(tx, community, session_id, asker)
            await tx.poker.close_session(session.id, now)
            await changes.record(tx, session, "poker.closed", {}, now)
            return session.public_id

        return await self._write(session_id, work)

    async def history(self, community: Community, session_id: str, asker: Asker) -> SessionHistory:
        """Every prompt of a session, open or closed, with its revealed results (participants only)."""

        async def work(tx: Transaction) -> SessionHistory:
            session = await tx.poker.session(community.id, session_id)
            if session is None:
                raise UnknownSession(f"No session with id {session_id}")
            await participant_of(tx, session, asker)
            return build_history(
                session,
                await tx.poker.prompts(session.id),
                await tx.poker.participants(session.id),
                await tx.poker.rounds_in_session(session.id),
                await tx.poker.votes_in_session(session.id),
            )

        return await self._db.read(work)

    async def _write(self, session_id: str | None, work: Callable[[Transaction, Changes], Awaitable[T]]) -> T:
        changes = Changes()
        if session_id is not None:
            changes.sessions.add(session_id)
        try:
            return await self._db.write(lambda tx: work(tx, changes))
        except DomainError:
            changes.sessions.clear()  # the unit of work was rolled back: nothing to tell the waiters
            raise
        finally:
            # Also after a cancellation, which may come once the change has committed. The
            # session named by the caller is poked then; one found from chat once recorded.
            for changed in changes.sessions:
                self._board.poke(changed)


async def _reveal(
    tx: Transaction,
    changes: Changes,
    session: PokerSession,
    prompt: Prompt,
    current: Round,
    participants: Sequence[Participant],
    now: datetime,
) -> None:
    """The reveal rule's effect: the round's cards are shown, and the event carries the whole result
    (for the chat announcement). Who may reveal, and when, is decided by ``vote`` and ``reveal``."""
    await tx.poker.reveal_round(prompt.id, current.number, now)
    result = round_result(session, current, participants, await tx.poker.votes(prompt.id))
    data = {"prompt_id": prompt.public_id, "prompt": prompt.text, "result": result_data(result)}
    await changes.record(tx, session, "poker.revealed", data, now)
