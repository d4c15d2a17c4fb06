"""Planning poker: sessions, participants, prompts and rounds, hidden cards, reveals and long polls.

Other packages import these names from here, never from the modules inside.
"""

from tallybot.core.poker.models import (
    CardJson,
    Participant,
    PokerSession,
    Prompt,
    PromptView,
    Round,
    RoundResult,
    RoundResultJson,
    SessionHistory,
    Vote,
    Voter,
)
from tallybot.core.poker.ports import PokerRepository
from tallybot.core.poker.rules import (
    DEFAULT_WAIT_SECONDS,
    MAX_WAIT_SECONDS,
    build_view,
    figure,
    result_data,
    round_result,
)
from tallybot.core.poker.service import PokerLimits, PokerService

__all__ = [
    "DEFAULT_WAIT_SECONDS",
    "MAX_WAIT_SECONDS",
    "CardJson",
    "Participant",
    "PokerLimits",
    "PokerRepository",
    "PokerService",
    "PokerSession",
    "Prompt",
    "PromptView",
    "Round",
    "RoundResult",
    "RoundResultJson",
    "SessionHistory",
    "Vote",
    "Voter",
    "build_view",
    "figure",
    "result_data",
    "round_result",
]
