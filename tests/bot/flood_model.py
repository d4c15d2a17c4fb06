"""The model both adapters' flood tests check against: the chat rules worked out by hand.

One vote per user per second; ``PER_COOLDOWN`` answers per user per ``COOLDOWN``, then one
"slow down" notice per cooldown. A counted vote gets a ✅ only while the user's budget lasts.
"""

from collections import deque
from dataclasses import dataclass, field

USERS = 500
ROUNDS = 20
# Steps under a second make repeats that the one-vote-per-second rule refuses.
STEPS = (0.5, 0.25, 1.0, 0.75, 0.5, 2.0, 0.25, 0.25, 1.5, 0.5)
COOLDOWN = 4.0
PER_COOLDOWN = 3
SWITCH_ROUND = 10
DOWN = ("thisgame--", "meh thisgame--", "ThisGame-- no")
COMMANDS = ("!playing", "!votes", "!help")


def admit(spent: dict[str, deque[float]], key: str, now: float, limit: int, window: float) -> bool:
    """A sliding-window limiter, as plain as it can be written: True if the hit is allowed."""
    hits = spent.setdefault(key, deque())
    while hits and hits[0] <= now - window:
        hits.popleft()
    if len(hits) >= limit:
        return False
    hits.append(now)
    return True


@dataclass
class ChatRules:
    """What each user's messages should come to."""

    votes: dict[str, list[int]] = field(default_factory=lambda: {"Quixort": [0, 0], "Fibbage 4": [0, 0]})
    reactions_due: int = 0
    replies: int = 0
    notices: dict[str, list[float]] = field(default_factory=dict)
    last_vote: dict[str, float] = field(default_factory=dict)
    hits: dict[str, deque[float]] = field(default_factory=dict)
    notified: dict[str, deque[float]] = field(default_factory=dict)

    def vote(self, user: str, now: float, game: str, up: bool) -> None:
        """A ``thisgame++`` or ``thisgame--``: counted unless within a second of the user's last."""
        last = self.last_vote.get(user)
        if last is not None and now - last < 1.0:
            return
        self.last_vote[user] = now
        self.votes[game][0 if up else 1] += 1
        if admit(self.hits, user, now, PER_COOLDOWN, COOLDOWN):
            self.reactions_due += 1

    def command(self, user: str, now: float) -> None:
        """A command: answered while the budget lasts, then one notice per cooldown."""
        if admit(self.hits, user, now, PER_COOLDOWN, COOLDOWN):
            self.replies += 1
        elif admit(self.notified, user, now, 1, COOLDOWN):
            self.notices.setdefault(user, []).append(now)

    @property
    def notice_count(self) -> int:
        """How many notices the bot should have sent in all."""
        return sum(len(times) for times in self.notices.values())
