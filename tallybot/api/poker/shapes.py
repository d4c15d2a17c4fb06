"""The planning-poker API's shapes: replies, the prompt view, the history, and request bodies."""

import csv
import io
from typing import Annotated, Any, NotRequired, TypedDict

from tallybot.core.poker import (
    DEFAULT_WAIT_SECONDS,
    MAX_WAIT_SECONDS,
    CardJson,
    PromptView,
    RoundResultJson,
    SessionHistory,
    Voter,
    figure,
    result_data,
)
from tallybot.core.wire import Meta

_CSV_COLUMNS = ("prompt_id", "prompt", "rounds", "votes", "min", "max", "median", "mean", "consensus", "outliers")
# Clients that parsed a prompt id such as "1" into a number may send it back as one.
PromptId = str | int


class Seat(TypedDict):
    """A new session's id and the creator's (owner's) token."""

    session_id: str
    token: str


class Joined(TypedDict):
    """The participant's token, for the Authorization header."""

    token: str


class PromptJson(TypedDict):
    """A prompt to estimate."""

    prompt_id: str
    prompt: str


class PromptCreated(TypedDict):
    """The new prompt's id."""

    prompt_id: str


class VoteJson(TypedDict):
    """The card played, in which round, and whether the prompt is now revealed."""

    prompt_id: str
    round: int
    vote: str
    revealed: bool


class ParticipantJson(TypedDict):
    """A participant: whether they voted, and their card once the round is revealed."""

    participant_id: str
    voted: bool
    vote: NotRequired[str | None]


class PromptViewJson(TypedDict):
    """A prompt as participants see it; ``version`` grows with every change, for ``since_version``.

    ``participants`` says who has voted; ``votes`` lists the cards, as the reference server's
    clients read them, and stays empty until the round is revealed.
    """

    session_id: str
    prompt_id: str
    prompt: str
    deck: list[str]
    round: int
    revealed: bool
    version: int
    participants: list[ParticipantJson]
    votes: Annotated[
        list[CardJson],
        Meta(
            description="Every card of the current round once it is revealed, voters in joining order; an empty "
            "list before the reveal, when `participants` says who has voted (the reference web client shows this "
            "list as its table, and an empty one as a table with no rows)."
        ),
    ]
    result: RoundResultJson | None
    earlier_rounds: list[RoundResultJson]


class PromptRecordJson(TypedDict):
    """A prompt with its final result and every revealed round."""

    prompt_id: str
    prompt: str
    result: RoundResultJson | None
    rounds: list[RoundResultJson]


class PokerHistoryJson(TypedDict):
    """Every prompt of a session."""

    session_id: str
    deck: list[str]
    closed: bool
    prompts: list[PromptRecordJson]


class NewSession(TypedDict):
    """Who opens the session, and the deck: fibonacci (the default), tshirt or a list of cards."""

    participant_id: str
    deck: NotRequired[str | list[str] | None]


class Participant(TypedDict):
    """Who joins."""

    participant_id: str


# A long poll waits 30 s unless asked, and never more than 60 s (core/poker/rules.py).
WaitSeconds = Annotated[
    float,
    Meta(minimum=0, maximum=MAX_WAIT_SECONDS, description=f"Seconds to wait; {DEFAULT_WAIT_SECONDS:g} unless given."),
]


class WaitQuery(TypedDict, total=False):
    """Wait for a prompt newer than ``last_prompt_id``, for up to ``timeout`` seconds."""

    last_prompt_id: PromptId
    timeout: WaitSeconds


class NewPrompt(TypedDict):
    """The story to estimate, named ``prompt`` as the spec names it (``NewPromptText`` names it ``text``)."""

    prompt: str


class NewPromptText(TypedDict):
    """The story to estimate, named ``text`` as the reference server names it; a body with both ``prompt``
    and ``text`` is refused with 400."""

    text: str


class Card(TypedDict):
    """A card of the session's deck; ``prompt_id``, if sent, must match the path."""

    vote: str | float
    prompt_id: NotRequired[PromptId | None]


class WatchQuery(TypedDict, total=False):
    """With ``since_version``, wait up to ``timeout`` seconds for a change after that version."""

    since_version: Annotated[int, Meta(minimum=0)]
    timeout: WaitSeconds


class HistoryQuery(TypedDict, total=False):
    """JSON unless ``csv`` is asked for."""

    format: Annotated[str, Meta(enum=["json", "csv"])]


class SessionPath(TypedDict):
    """A session's id."""

    session_id: str


class PromptPath(TypedDict):
    """A session's id and one of its prompts."""

    session_id: str
    prompt_id: str


def _voter(voter: Voter, revealed: bool) -> ParticipantJson:
    shown: ParticipantJson = {"participant_id": voter.name, "voted": voter.voted}
    if revealed:
        shown["vote"] = voter.card
    return shown


def view_json(view: PromptView) -> PromptViewJson:
    """A prompt as participants see it: who voted and, once revealed, the cards."""
    revealed = None if view.result is None else result_data(view.result)
    return {
        "session_id": view.session_id,
        "prompt_id": view.prompt.public_id,
        "prompt": view.prompt.text,
        "deck": list(view.deck),
        "round": view.round,
        "revealed": view.revealed,
        "version": view.version,
        "participants": [_voter(voter, view.revealed) for voter in view.voters],
        "votes": [] if revealed is None else revealed["votes"],
        "result": revealed,
        "earlier_rounds": [result_data(result) for result in view.earlier_rounds],
    }


def history_json(history: SessionHistory) -> PokerHistoryJson:
    """Every prompt of a session with its final result and its rounds."""
    prompts: list[PromptRecordJson] = [
        {
            "prompt_id": record.prompt.public_id,
            "prompt": record.prompt.text,
            "result": None if record.result is None else result_data(record.result),
            "rounds": [result_data(result) for result in record.rounds],
        }
        for record in history.prompts
    ]
    return {"session_id": history.session_id, "deck": list(history.deck), "closed": history.closed, "prompts": prompts}


def _cell(text: str) -> str:
    # Spreadsheets run cells that start like a formula; a leading quote keeps them text.
    return "'" + text if text[:1] in ("=", "+", "-", "@") else text


def history_csv(history: SessionHistory) -> str:
    """The history as a spreadsheet, one row per prompt."""
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(_CSV_COLUMNS)
    for record in history.prompts:
        row: list[Any] = [record.prompt.public_id, _cell(record.prompt.text), len(record.rounds)]
        result = record.result
        if result is None:
            row += [""] * (len(_CSV_COLUMNS) - len(row))
        else:
            votes = "; ".join(f"{name}: {card}" for name, card in result.votes)
            numbers = [figure(value) for value in (result.minimum, result.maximum, result.median, result.mean)]
            row += [_cell(votes), *("" if n is None else n for n in numbers), str(result.consensus).lower()]
            row.append(_cell("; ".join(result.outliers)))
        writer.writerow(row)
    return out.getvalue()
