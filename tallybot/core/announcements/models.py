"""The typed values of announcements: what happened, for which community, and in which channel."""

from dataclasses import dataclass

from tallybot.core.gamenight import GameNight, SessionGame
from tallybot.core.models import Community
from tallybot.core.poker import PokerSession, Prompt, RoundResult


@dataclass(frozen=True)
class GameAdded:
    """A game started playing in a game night (added from chat or over HTTP)."""

    game: SessionGame


@dataclass(frozen=True)
class NightClosed:
    """A game night closed; ``night.games_played`` counts its games."""

    night: GameNight


@dataclass(frozen=True)
class PokerRevealed:
    """A poker round's cards are up: the story estimated and the round's result."""

    session: PokerSession
    prompt: Prompt
    result: RoundResult


News = GameAdded | NightClosed | PokerRevealed


@dataclass(frozen=True)
class Announcement:
    """News for a community's chat, in ``channel_id`` (None: the adapter's default channel, if it has one)."""

    community: Community
    channel_id: str | None
    what: News
