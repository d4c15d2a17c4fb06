"""Importing a chat log into a session: reading it, dropping repeats, and counting its votes.

Each message is identified by the SHA-256 of ``username:message:timestamp`` (the text as
the log gives it), so importing the same log twice stores and counts it once. Votes in the
log go through the same rules as live votes (``vote_rules``), so a vote already counted
live is not counted again from the log. The whole import is one unit of work with a fixed
number of statements, however long the log.
"""

import csv
import hashlib
import io
import json
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from tallybot.core.errors import Invalid, NotFound
from tallybot.core.gamenight.models import (
    Ballot,
    ChatMessage,
    ChatVoteOutcome,
    GameTally,
    TimelineEntry,
    VoteType,
    parse_timestamp,
)
from tallybot.core.gamenight.vote_rules import Timeline, parse_chat_vote
from tallybot.core.gamenight.votes import count_ballots
from tallybot.core.ports import Transaction

NO_GAMES = "No games played in this session to match votes against"
# How many vote matches an import reports for debugging; a long log would otherwise make
# the reply as large as the log.
MATCHES_SHOWN = 100
PROGRESS_EVERY = 1000

Progress = Callable[[int, int], None]


@dataclass(frozen=True)
class VoteMatch:
    """A counted vote from the log and the game it went to."""

    message: ChatMessage
    vote_type: VoteType
    game: TimelineEntry


@dataclass(frozen=True)
class ChatImportResult:
    """What an import did: messages stored, repeats skipped, and the votes it counted per game."""

    messages_imported: int
    duplicates_skipped: int
    votes_processed: int
    votes_by_game: dict[int, GameTally]
    timeline: list[TimelineEntry]
    matches: list[VoteMatch]


def message_hash(username: str, message: str, raw_timestamp: str) -> str:
    """The hex SHA-256 of ``username:message:timestamp``."""
    return hashlib.sha256(f"{username}:{message}:{raw_timestamp}".encode()).hexdigest()


def _timestamp(value: Any) -> tuple[datetime, str] | None:
    """An ISO 8601 string, or a number of milliseconds since 1970, with its text for hashing."""
    if isinstance(value, str):
        try:
            return parse_timestamp(value), value
        except Invalid:
            return None
    if isinstance(value, int | float) and not isinstance(value, bool):
        try:
            moment = datetime.fromtimestamp(value / 1000, UTC)
        except (OverflowError, OSError, ValueError):
            return None
        raw = str(int(value)) if float(value).is_integer() else repr(value)
        return moment, raw
    return None


def messages_from_items(items: Sequence[Any], progress: Progress | None = None) -> list[ChatMessage]:
    """The chat messages among ``{username, message, timestamp}`` items; incomplete items are skipped."""
    messages = []
    for done, item in enumerate(items, start=1):
        if progress is not None and done % PROGRESS_EVERY == 0:
            progress(done, len(items))
        if not isinstance(item, dict):
            continue
        username, message = item.get("username"), item.get("message")
        if not isinstance(username, str) or not username or not isinstance(message, str) or not message:
            continue
        stamped = _timestamp(item.get("timestamp"))
        if stamped is None:
            continue
        moment, raw = stamped
        messages.append(ChatMessage(username, message, moment, raw, message_hash(username, message, raw)))
    if progress is not None:
        progress(len(items), len(items))
    return messages


def read_chat_log(text: str, progress: Progress | None = None) -> list[ChatMessage]:
    """Messages from a JSON log (an array, or an object with ``chatData``) or a CSV log with a header row."""
    if text.lstrip()[:1] in ("[", "{"):
        try:
            data = json.loads(text)
        except ValueError:
            raise Invalid("The chat log is not valid JSON") from None
        if isinstance(data, dict):
            data = data.get("chatData")
        if not isinstance(data, list):
            raise Invalid("chatData must be an array")
        return messages_from_items(data, progress)
    rows = list(csv.DictReader(io.StringIO(text)))
    if rows and not {"username", "message", "timestamp"} <= set(rows[0]):
        raise Invalid("A CSV chat log needs a header row with username, message and timestamp")
    return messages_from_items(rows, progress)


async def import_chat(
    tx: Transaction, community_id: int, session_id: int, messages: Sequence[ChatMessage], now: datetime
) -> ChatImportResult:
    """Store a session's chat log and count its votes, in the caller's unit of work."""
    if await tx.game_nights.get(community_id, session_id) is None:
        raise NotFound("Session not found")
    entries = await tx.votes.timeline(session_id)
    if not entries:
        raise Invalid(NO_GAMES)
    seen = await tx.votes.known_hashes(session_id, [message.message_hash for message in messages])
    fresh: list[tuple[ChatMessage, VoteType | None]] = []
    for message in messages:
        if message.message_hash not in seen:
            seen.add(message.message_hash)
            fresh.append((message, parse_chat_vote(message.message)))
    await tx.votes.add_chat_logs(session_id, fresh)
    votes = [(message, vote) for message, vote in fresh if vote is not None]
    ballots = [Ballot(message.username, vote, message.timestamp) for message, vote in votes]
    counted = await count_ballots(tx, community_id, session_id, Timeline(entries), ballots, now)
    by_game: dict[int, GameTally] = {}
    matches: list[VoteMatch] = []
    for (message, vote), (outcome, entry) in zip(votes, counted, strict=True):
        if entry is None or outcome is not ChatVoteOutcome.COUNTED:
            continue
        tally = by_game.get(entry.game_id, GameTally(entry.game_id, entry.title, 0, 0))
        up = vote is VoteType.UP
        by_game[entry.game_id] = GameTally(entry.game_id, entry.title, tally.upvotes + up, tally.downvotes + (not up))
        if len(matches) < MATCHES_SHOWN:
            matches.append(VoteMatch(message, vote, entry))
    processed = sum(tally.upvotes + tally.downvotes for tally in by_game.values())
    return ChatImportResult(
        messages_imported=len(fresh),
        duplicates_skipped=len(messages) - len(fresh),
        votes_processed=processed,
        votes_by_game=by_game,
        timeline=entries,
        matches=matches,
    )
