"""A small sliding-window rate limiter, keyed by whatever the caller chooses."""

import math
from collections import deque
from collections.abc import Callable, Hashable

from tallybot.core.errors import RateLimited

# Keys are pruned when they are hit again; past this many, all of them are swept.
_SWEEP_ABOVE = 10_000


class RateLimiter:
    """Allows ``limit`` hits per key in any ``window`` seconds.

    ``clock`` returns monotonic seconds; tests pass a fake one.
    """

    def __init__(self, limit: int, window: float, clock: Callable[[], float], message: str) -> None:
        self._limit = limit
        self._window = window
        self._clock = clock
        self._message = message
        self._hits: dict[Hashable, deque[float]] = {}

    def hit(self, *keys: Hashable) -> None:
        """Count one attempt against every key, or raise RateLimited if any is spent."""
        now = self.check(*keys)
        for key in keys:
            self._hits.setdefault(key, deque()).append(now)

    def check(self, *keys: Hashable) -> float:
        """Raise RateLimited if any key is spent, without counting an attempt; returns the time now.

        For limits on failures only: check before trying, ``hit`` after a failure.
        """
        now = self._clock()
        if len(self._hits) > _SWEEP_ABOVE:
            for stale in list(self._hits):
                self._prune(stale, now)
        for key in keys:
            hits = self._prune(key, now)
            if len(hits) >= self._limit:
                retry_after = math.ceil(hits[0] + self._window - now)
                raise RateLimited(self._message.format(seconds=retry_after), retry_after)
        return now

    def _prune(self, key: Hashable, now: float) -> deque[float]:
        hits = self._hits.get(key)
        if hits is None:
            return deque()
        while hits and hits[0] <= now - self._window:
            hits.popleft()
        if not hits:
            # Forget idle keys so that a stream of one-off addresses cannot grow memory.
            del self._hits[key]
        return hits
