"""What stream overlays and the dashboard show: read-only boards built from each feature's state."""

from collections.abc import Sequence
from dataclasses import dataclass

from tallybot.core.adapters import AdapterStatus
from tallybot.core.coffee import Group, Member
from tallybot.core.gamenight import GameNight, GameStatus, SessionGame
from tallybot.core.models import Community
from tallybot.core.poker import PokerSession, PromptView


@dataclass(frozen=True)
class GameNightBoard:
    """The community's active game night and the game on screen, if any."""

    session: GameNight | None
    game: SessionGame | None


@dataclass(frozen=True)
class PokerBoard:
    """A poker session as an audience sees it: who is in it, and its newest prompt.

    ``view`` comes from the same rules as ``watch``: until its round is revealed it says
    who has voted, never which card.
    """

    session: PokerSession
    participants: tuple[str, ...]
    view: PromptView | None


@dataclass(frozen=True)
class Standing:
    """A place on a coffee leaderboard; members with the same balance share a rank."""

    rank: int
    member: Member


@dataclass(frozen=True)
class CoffeeBoard:
    """A coffee group's leaderboard: its active members, the most generous first."""

    group: Group
    standings: tuple[Standing, ...]


@dataclass(frozen=True)
class Dashboard:
    """What is running in a community.

    ``details_shown`` is False when the asker may not read the community's overlays; then
    the poker sessions and coffee groups (whose ids open their overlays) are left out.
    """

    community: Community
    adapters: tuple[AdapterStatus, ...]
    game_night: GameNightBoard
    details_shown: bool
    poker_sessions: tuple[PokerSession, ...]
    coffee_groups: tuple[Group, ...]


def current_game(games: Sequence[SessionGame]) -> SessionGame | None:
    """The game on screen: the one playing, else the one added last."""
    playing = [game for game in games if game.status is GameStatus.PLAYING]
    if playing:
        return playing[-1]
    return games[-1] if games else None


def leaderboard(members: Sequence[Member]) -> tuple[Standing, ...]:
    """Active members by balance, highest first, ranked so that equal balances share a place."""
    ordered = sorted(
        (member for member in members if member.active),
        key=lambda member: (-member.balance, member.profile.display_name.casefold(), member.profile.person_id),
    )
    standings: list[Standing] = []
    for position, member in enumerate(ordered, start=1):
        tied = bool(standings) and standings[-1].member.balance == member.balance
        standings.append(Standing(standings[-1].rank if tied else position, member))
    return tuple(standings)
