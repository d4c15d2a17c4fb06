"""The typed values of planning poker: what storage returns and what the service hands out."""

from dataclasses import dataclass
from datetime import datetime
from typing import TypedDict

from tallybot.core.models import Person

# Who is acting in a session: a participant token (the HTTP API), the person behind a chat
# identity (chat has no tokens), or None when nobody said.
Asker = str | Person | None


@dataclass(frozen=True)
class PokerSession:
    """One estimation meeting. ``public_id`` is the friendly id in URLs; ``version`` counts its changes.

    ``chat_channel_id`` is the chat channel a session started from chat was started in.
    """

    id: int
    community_id: int
    public_id: str
    deck: tuple[str, ...]
    created_at: datetime
    closed_at: datetime | None
    version: int
    chat_channel_id: str | None = None

    @property
    def is_open(self) -> bool:
        """True until the owner closes the session."""
        return self.closed_at is None


@dataclass(frozen=True)
class Participant:
    """Somebody in a session: a token holder, or (``person_id``) a person who joined from chat.

    A token is stored only as a hash, so it is not here.
    """

    id: int
    session_id: int
    name: str
    is_owner: bool
    joined_at: datetime
    person_id: int | None = None


@dataclass(frozen=True)
class Prompt:
    """A story to estimate. ``number`` counts the session's prompts from 1 and is its public id."""

    id: int
    session_id: int
    number: int
    text: str
    created_at: datetime

    @property
    def public_id(self) -> str:
        """The prompt id clients see and send back."""
        return str(self.number)


@dataclass(frozen=True)
class Round:
    """One round of voting on a prompt; a revote starts the next one."""

    prompt_id: int
    number: int
    started_at: datetime
    revealed_at: datetime | None

    @property
    def revealed(self) -> bool:
        """True once the round's cards may be shown."""
        return self.revealed_at is not None


@dataclass(frozen=True)
class Vote:
    """A participant's card in one round."""

    prompt_id: int
    round: int
    participant_id: int
    card: str
    voted_at: datetime


@dataclass(frozen=True)
class Seat:
    """A place in a session: its token, shown this once (None for a person from chat), the deck and who is in."""

    session_id: str
    token: str | None
    deck: tuple[str, ...]
    participants: tuple[str, ...]


@dataclass(frozen=True)
class RoundResult:
    """A revealed round: every card, and statistics over the numeric ones.

    ``outliers`` names the voters whose cards lie furthest from the median card when the
    team does not agree.
    """

    round: int
    votes: tuple[tuple[str, str], ...]
    minimum: float | None
    maximum: float | None
    median: float | None
    mean: float | None
    consensus: bool
    outliers: tuple[str, ...]


@dataclass(frozen=True)
class Voter:
    """A participant as ``watch`` shows them. ``card`` stays None until the round is revealed."""

    name: str
    voted: bool
    card: str | None


@dataclass(frozen=True)
class PromptView:
    """Everything ``watch`` shows about a prompt's current round, and its earlier rounds."""

    session_id: str
    deck: tuple[str, ...]
    prompt: Prompt
    round: int
    revealed: bool
    version: int
    voters: tuple[Voter, ...]
    result: RoundResult | None
    earlier_rounds: tuple[RoundResult, ...]


@dataclass(frozen=True)
class CastVote:
    """The answer to a vote: the card as the deck spells it, and whether it completed the round.

    ``voted`` of the ``voters`` participants the round waits for (``rules.awaited``) have a
    card in it now; chat shows that progress, never the cards.
    """

    prompt_id: str
    round: int
    card: str
    revealed: bool
    participant: str
    voted: int
    voters: int
    deck: tuple[str, ...]


@dataclass(frozen=True)
class PromptRecord:
    """A prompt in the history: every revealed round; the last one is its final result."""

    prompt: Prompt
    rounds: tuple[RoundResult, ...]

    @property
    def result(self) -> RoundResult | None:
        """The final result, or None if no round was revealed."""
        return self.rounds[-1] if self.rounds else None


@dataclass(frozen=True)
class SessionHistory:
    """A session's prompts with their results, for ``history``."""

    session_id: str
    deck: tuple[str, ...]
    closed: bool
    prompts: tuple[PromptRecord, ...]


class CardJson(TypedDict):
    """One participant's card in a revealed round."""

    participant_id: str
    vote: str


class RoundResultJson(TypedDict):
    """A revealed planning-poker round: every card, statistics over the numeric ones, and whether
    the team agrees. The statistics are null when no card is a number."""

    round: int
    votes: list[CardJson]
    min: int | float | None
    max: int | float | None
    median: int | float | None
    mean: int | float | None
    consensus: bool
    outliers: list[str]
