"""The JSON and query shapes of the web pages: overlay feeds, page and asset queries."""

from typing import Annotated, NotRequired, TypedDict

from tallybot.core.gamenight import SessionGameJson, SessionJson
from tallybot.core.overlays import CoffeeBoard, PokerBoard
from tallybot.core.poker import RoundResultJson, Voter, result_data
from tallybot.core.wire import Meta


class OverlayQuery(TypedDict):
    """How an overlay proves it may read."""

    token: NotRequired[Annotated[str, Meta(description="A viewer token of the community (never one that can write)")]]


class PokerPath(TypedDict):
    """Which poker session."""

    session_id: Annotated[str, Meta(description="The session's friendly id", examples=["brave-otter-417"])]


class CoffeePath(TypedDict):
    """Which coffee group."""

    group_id: int


class GameNightOverlayJson(TypedDict):
    """The active game night and its game on screen (the one playing, else the one added last); null when none."""

    session: SessionJson | None
    game: SessionGameJson | None


class VoterJson(TypedDict):
    """A participant in the newest prompt's round: whether they voted, and their card once it is revealed."""

    participant_id: str
    voted: bool
    vote: NotRequired[str | None]


class PokerPromptJson(TypedDict):
    """A poker session's newest prompt, as its audience sees it."""

    prompt_id: str
    prompt: str
    round: int
    revealed: bool
    voters: list[VoterJson]
    result: RoundResultJson | None


class PokerOverlayJson(TypedDict):
    """A poker session: who is in it and its newest prompt. Cards appear only once a round is revealed."""

    session_id: str
    closed: bool
    participants: list[str]
    prompt: PokerPromptJson | None


class StandingJson(TypedDict):
    """A place on the leaderboard; a balance is coffees bought for others minus coffees received."""

    rank: int
    user_id: int
    username: str
    display_name: str
    balance: int


class CoffeeOverlayJson(TypedDict):
    """A coffee group's leaderboard: its active members, the most generous first."""

    group_id: int
    group_name: str
    leaderboard: list[StandingJson]


def _voter(voter: Voter, revealed: bool) -> VoterJson:
    shown: VoterJson = {"participant_id": voter.name, "voted": voter.voted}
    if revealed:
        shown["vote"] = voter.card
    return shown


def poker_json(board: PokerBoard) -> PokerOverlayJson:
    """A poker board as overlays read it."""
    view = board.view
    prompt: PokerPromptJson | None = None
    if view is not None:
        prompt = {
            "prompt_id": view.prompt.public_id,
            "prompt": view.prompt.text,
            "round": view.round,
            "revealed": view.revealed,
            "voters": [_voter(voter, view.revealed) for voter in view.voters],
            "result": None if view.result is None else result_data(view.result),
        }
    return {
        "session_id": board.session.public_id,
        "closed": not board.session.is_open,
        "participants": list(board.participants),
        "prompt": prompt,
    }


def coffee_json(board: CoffeeBoard) -> CoffeeOverlayJson:
    """A coffee leaderboard as overlays read it."""
    return {
        "group_id": board.group.id,
        "group_name": board.group.name,
        "leaderboard": [
            {
                "rank": standing.rank,
                "user_id": standing.member.profile.person_id,
                "username": standing.member.profile.username,
                "display_name": standing.member.profile.display_name,
                "balance": standing.member.balance,
            }
            for standing in board.standings
        ],
    }
