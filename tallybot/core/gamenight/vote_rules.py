"""The rules every vote goes through: which game it is for, and whether it is a repeat.

Matching: session games are ordered by ``played_at`` (then by row id); a game covers the
time from its own ``played_at`` up to (not including) the next game's, and the last game
covers everything after it. A vote before the first game matches nothing.

Dedupe: a voter gets one vote per second. A vote is refused when the same voter already
has a counted vote in the same session whose *timestamp* (the time the vote was cast, not
the time it arrived) lies less than one second before or after it. The voter is the
username compared after Unicode normalisation (``voter_key``): case, spaces around it,
compatibility forms and invisible characters do not make another voter. Votes
exactly one second apart both count. Comparing vote timestamps rather than arrival times
makes the rule independent of network delays and lets imported chat logs, live chat and
HTTP votes for the same message collapse into one vote.
"""

import bisect
from collections.abc import Iterable, Mapping, Sequence
from datetime import datetime, timedelta

from tallybot.core.gamenight.models import Ballot, TimelineEntry, VoteType

WINDOW = timedelta(seconds=1)
_WINDOW_US = 1_000_000


def parse_chat_vote(message: str) -> VoteType | None:
    """``thisgame++`` anywhere in a message is an up vote, ``thisgame--`` a down vote (whichever comes first)."""
    text = message.lower()
    up = text.find("thisgame++")
    down = text.find("thisgame--")
    if up < 0 and down < 0:
        return None
    if down < 0 or 0 <= up < down:
        return VoteType.UP
    return VoteType.DOWN


class Timeline:
    """A session's games in ``played_at`` order, for matching vote times to games."""

    def __init__(self, entries: Sequence[TimelineEntry]) -> None:
        self.entries = sorted(entries, key=lambda entry: (entry.played_at, entry.session_game_id))
        self._starts = [entry.played_at for entry in self.entries]

    def __bool__(self) -> bool:
        return bool(self.entries)

    def match(self, moment: datetime) -> TimelineEntry | None:
        """The game being played at ``moment``, or None if it is before the first game."""
        index = bisect.bisect_right(self._starts, moment) - 1
        return None if index < 0 else self.entries[index]


def nearest_gap(moment: datetime, times: Iterable[datetime]) -> timedelta | None:
    """The smallest distance from ``moment`` to any of ``times``."""
    gaps = [abs(moment - other) for other in times]
    return min(gaps) if gaps else None


def micros(moment: datetime) -> int:
    """Whole microseconds since 1970: exact, and much cheaper to compare than datetimes."""
    return round(moment.timestamp() * 1_000_000)


class VoteWindow:
    """The counted vote times of each voter, so that repeats within ``WINDOW`` are refused."""

    def __init__(self, counted: Mapping[str, Iterable[datetime]]) -> None:
        self._times = {username: sorted(micros(t) for t in times) for username, times in counted.items()}

    def _admit(self, username: str, at: int) -> bool:
        """Count the vote if no counted vote of the username is within ``WINDOW`` of it."""
        times = self._times.get(username)
        if times is None:
            self._times[username] = [at]
            return True
        if at >= times[-1]:
            # The usual case: chat arrives in time order, so only the latest vote can be near.
            if at - times[-1] < _WINDOW_US:
                return False
            times.append(at)
            return True
        index = bisect.bisect_left(times, at)
        if times[index] - at < _WINDOW_US or (index > 0 and at - times[index - 1] < _WINDOW_US):
            return False
        times.insert(index, at)
        return True

    def admit_in_time_order(self, ballots: Sequence[Ballot]) -> list[int]:
        """The indexes of the ballots that count, deciding each username's ballots in the order they were cast.

        The indexes come sorted by username and time, which is also the order that
        inserts them into the (session, username, timestamp) index most cheaply.
        """
        keyed = sorted((ballot.voter, micros(ballot.moment), i) for i, ballot in enumerate(ballots))
        return [i for username, at, i in keyed if self._admit(username, at)]
