"""Live votes: one at a time from the HTTP API, in batches from chat, and listings.

A vote through the API comes from a bot or integration acting for the community, so it
takes the caller and is a host's only (NotHost); chat votes are open to every member.

Both paths apply the rules of ``vote_rules`` (interval matching, one vote per username
per second, compared on vote timestamps) and update the community's counters in the same
unit of work that stores the votes.

Chat votes are batched: messages from every ``chat_message(s)`` call that arrives while a
batch is being written join the next batch, so a busy chat costs a handful of statements
per batch instead of several per message. A batch announces one ``vote.received`` per game it
touched (with ``count``, the number of votes it stands for) rather than one per vote.
"""

import asyncio
import functools
from collections import deque
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from tallybot.core.errors import Conflict, Invalid, NotFound
from tallybot.core.events import new_event
from tallybot.core.gamenight.models import (
    MAX_VOTER_NAME,
    Ballot,
    ChatVoteOutcome,
    GameTally,
    GameVotes,
    RecordedVote,
    TimelineEntry,
    VoteFilter,
    VotePage,
    VoteType,
    parse_timestamp,
)
from tallybot.core.gamenight.vote_rules import WINDOW, Timeline, VoteWindow, nearest_gap, parse_chat_vote
from tallybot.core.models import Community, Principal
from tallybot.core.ports import Clock, Database, Transaction
from tallybot.core.wire import utc_ms

MISSING_FIELDS = "Missing required fields: username, vote, timestamp"
NO_ACTIVE_SESSION = "No active session found"
NO_GAMES_YET = "No games have been played in the active session yet"
NO_MATCH = "Vote timestamp does not match any game in the active session"
DUPLICATE_VOTE = "Duplicate vote detected (within 1 second of previous vote)"
MAX_PAGE_SIZE = 100
MAX_PAGE = 1_000_000


def parse_vote_type(text: str, name: str = "vote") -> VoteType:
    """``up`` or ``down``, else Invalid."""
    try:
        return VoteType(text)
    except ValueError:
        raise Invalid(f'{name} must be either "up" or "down"') from None


def _vote_data(ballot: Ballot, timestamp: str) -> dict[str, Any]:
    return {"username": ballot.username, "type": ballot.vote_type.value, "timestamp": timestamp}


async def count_ballots(
    tx: Transaction, community_id: int, session_id: int, timeline: Timeline, ballots: Sequence[Ballot], now: datetime
) -> list[tuple[ChatVoteOutcome, TimelineEntry | None]]:
    """Match, dedupe, store and tally many ballots with a fixed number of statements.

    Returns each ballot's outcome and the game it was matched to.
    """
    entries = [timeline.match(ballot.moment) for ballot in ballots]
    matched = [i for i, entry in enumerate(entries) if entry is not None]
    results: list[tuple[ChatVoteOutcome, TimelineEntry | None]] = [(ChatVoteOutcome.NO_GAME, None)] * len(ballots)
    if not matched:
        return results
    for i in matched:
        results[i] = (ChatVoteOutcome.DUPLICATE, entries[i])
    moments = [ballots[i].moment for i in matched]
    voters = sorted({ballots[i].voter for i in matched})
    stored = await tx.votes.times_near(session_id, voters, min(moments) - WINDOW, max(moments) + WINDOW)
    admitted = [matched[j] for j in VoteWindow(stored).admit_in_time_order([ballots[i] for i in matched])]
    if not admitted:
        return results
    counted: list[tuple[TimelineEntry, Ballot]] = []
    deltas: dict[int, tuple[int, int]] = {}
    latest: dict[int, tuple[TimelineEntry, Ballot]] = {}
    for i in admitted:
        entry, ballot = entries[i], ballots[i]
        assert entry is not None
        results[i] = (ChatVoteOutcome.COUNTED, entry)
        counted.append((entry, ballot))
        up, down = deltas.get(entry.game_id, (0, 0))
        is_up = ballot.vote_type is VoteType.UP
        deltas[entry.game_id] = (up + is_up, down + (not is_up))
        last = latest.get(entry.game_id)
        if last is None or ballot.moment >= last[1].moment:
            latest[entry.game_id] = (entry, ballot)
    await tx.votes.add_many(session_id, counted)
    counters = await tx.votes.add_to_tallies(community_id, deltas)
    for game_id, (entry, ballot) in latest.items():
        tally = GameTally(game_id, entry.title, *counters[game_id])
        data = {
            "sessionId": session_id,
            "game": tally.as_data(),
            "vote": _vote_data(ballot, utc_ms(ballot.moment)),
            "totals": tally.totals(),
            "count": sum(deltas[game_id]),
        }
        await tx.outbox.append(new_event("vote.received", community_id, data, now))
    return results


# A chat message offered as a vote: who wrote it, what they wrote, and when.
ChatLine = tuple[str, str, datetime]


@dataclass
class _Pending:
    community_id: int
    ballots: list[Ballot]
    future: "asyncio.Future[list[ChatVoteOutcome]]"


class VoteService:
    """Counts live votes from the API and from chat, and lists them."""

    def __init__(self, db: Database, clock: Clock, *, max_batch: int = 20_000) -> None:
        self._db = db
        self._clock = clock
        self._max_batch = max_batch
        self._pending: deque[_Pending] = deque()
        self._drainer: asyncio.Task[None] | None = None

    async def cast(
        self, asker: Principal, community: Community, username: str | None, vote: str | None, timestamp: str | None
    ) -> RecordedVote:
        """Count one vote for the game the community's active session was playing at ``timestamp``."""
        asker.check_host_of(community.id)
        if not username or not vote or not timestamp:
            raise Invalid(MISSING_FIELDS)
        if len(username) > MAX_VOTER_NAME:
            raise Invalid(f"username must be at most {MAX_VOTER_NAME} characters")
        ballot = Ballot(username, parse_vote_type(vote), parse_timestamp(timestamp))
        if not ballot.voter:
            raise Invalid("username must hold a visible character")
        now = self._clock()

        async def work(tx: Transaction) -> RecordedVote:
            active = await tx.votes.active_timeline(community.id)
            if active is None:
                raise NotFound(NO_ACTIVE_SESSION)
            session_id, entries = active
            if not entries:
                raise NotFound(NO_GAMES_YET)
            entry = Timeline(entries).match(ballot.moment)
            if entry is None:
                games = [{"title": e.title, "played_at": utc_ms(e.played_at)} for e in entries]
                raise NotFound(NO_MATCH, {"debug": {"voteTimestamp": timestamp, "sessionGames": games}})
            after, before = ballot.moment - WINDOW, ballot.moment + WINDOW
            if not await tx.votes.add_unless_near(session_id, entry, ballot, after, before):
                near = await tx.votes.times_near(session_id, [ballot.voter], after, before)
                gap = nearest_gap(ballot.moment, near.get(ballot.voter, []))
                since = 0.0 if gap is None else round(gap.total_seconds(), 3)
                details = {"message": "Please wait at least 1 second between votes", "timeSinceLastVote": since}
                raise Conflict(DUPLICATE_VOTE, details)
            is_up = ballot.vote_type is VoteType.UP
            counters = await tx.votes.add_to_tally(community.id, entry.game_id, int(is_up), int(not is_up))
            tally = GameTally(entry.game_id, entry.title, *counters)
            data = {
                "sessionId": session_id,
                "game": tally.as_data(),
                "vote": _vote_data(ballot, timestamp),
                "totals": tally.totals(),
            }
            await tx.outbox.append(new_event("vote.received", community.id, data, now))
            return RecordedVote(session_id, len(entries), tally, username, ballot.vote_type, timestamp)

        return await self._db.write(work)

    async def chat_message(
        self, community: Community, username: str, message: str, timestamp: datetime
    ) -> ChatVoteOutcome:
        """Count one chat message as a vote if it is one (``thisgame++`` / ``thisgame--``)."""
        [outcome] = await self.chat_messages(community, [(username, message, timestamp)])
        return outcome

    async def chat_messages(self, community: Community, lines: Sequence[ChatLine]) -> list[ChatVoteOutcome]:
        """Count chat messages ``(username, text, time)`` as votes for the active session's games.

        Messages from calls that arrive while a batch is being written are written together
        in the next one; the answers come once their batch has committed.
        """
        outcomes = [ChatVoteOutcome.NOT_A_VOTE] * len(lines)
        where: list[int] = []
        ballots: list[Ballot] = []
        for i, (username, message, timestamp) in enumerate(lines):
            vote_type = parse_chat_vote(message)
            ballot = None if vote_type is None else Ballot(username[:MAX_VOTER_NAME], vote_type, timestamp)
            if ballot is not None and ballot.voter:
                where.append(i)
                ballots.append(ballot)
        if not ballots:
            return outcomes
        future: asyncio.Future[list[ChatVoteOutcome]] = asyncio.get_running_loop().create_future()
        self._pending.append(_Pending(community.id, ballots, future))
        if self._drainer is None:
            self._drainer = asyncio.create_task(self._drain(), name="chat-votes")
        for i, outcome in zip(where, await future, strict=True):
            outcomes[i] = outcome
        return outcomes

    async def _drain(self) -> None:
        try:
            while self._pending:
                batch = [self._pending.popleft()]
                size = len(batch[0].ballots)
                while self._pending and size + len(self._pending[0].ballots) <= self._max_batch:
                    batch.append(self._pending.popleft())
                    size += len(batch[-1].ballots)
                try:
                    outcomes = await self._db.write(functools.partial(self._count_chat, batch=batch))
                except Exception as exc:
                    for item in batch:
                        if not item.future.done():
                            item.future.set_exception(exc)
                else:
                    for item, outcome in zip(batch, outcomes, strict=True):
                        if not item.future.done():
                            item.future.set_result(outcome)
        finally:
            self._drainer = None

    async def _count_chat(self, tx: Transaction, *, batch: Sequence[_Pending]) -> list[list[ChatVoteOutcome]]:
        now = self._clock()
        outcomes = [[ChatVoteOutcome.NO_SESSION] * len(item.ballots) for item in batch]
        by_community: dict[int, list[int]] = {}
        for k, item in enumerate(batch):
            by_community.setdefault(item.community_id, []).append(k)
        for community_id, items in by_community.items():
            active = await tx.votes.active_timeline(community_id)
            if active is None:
                continue
            session_id, entries = active
            ballots = [ballot for k in items for ballot in batch[k].ballots]
            counted = iter(await count_ballots(tx, community_id, session_id, Timeline(entries), ballots, now))
            for k in items:
                outcomes[k] = [next(counted)[0] for _ in batch[k].ballots]
        return outcomes

    async def page(
        self,
        community: Community,
        *,
        session_id: int | None = None,
        game_id: int | None = None,
        username: str | None = None,
        vote_type: str | None = None,
        page: int = 1,
        limit: int = 50,
    ) -> VotePage:
        """A page of the community's live votes, newest first, with the total that match."""
        kind = None if vote_type is None else parse_vote_type(vote_type, "vote_type")
        if not 1 <= page <= MAX_PAGE:
            raise Invalid(f"page must be between 1 and {MAX_PAGE}")
        if not 1 <= limit <= MAX_PAGE_SIZE:
            raise Invalid(f"limit must be between 1 and {MAX_PAGE_SIZE}")
        vote_filter = VoteFilter(session_id, game_id, username, kind)

        async def work(tx: Transaction) -> VotePage:
            return await tx.votes.page(community.id, vote_filter, page, limit)

        return await self._db.read(work)

    async def session_votes(self, community: Community, session_id: int) -> list[GameVotes]:
        """A session's live votes per game, best net score first."""

        async def work(tx: Transaction) -> list[GameVotes] | None:
            if await tx.game_nights.get(community.id, session_id) is None:
                return None
            return await tx.votes.by_game(session_id)

        found = await self._db.read(work)
        if found is None:
            raise NotFound("Session not found")
        return found
