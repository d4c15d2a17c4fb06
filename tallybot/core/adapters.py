"""What the chat adapters report about themselves, for the dashboard and health pages."""

from dataclasses import dataclass
from datetime import datetime

from tallybot.core.ports import Clock


@dataclass(frozen=True)
class AdapterStatus:
    """One chat adapter's last reported state."""

    name: str
    connected: bool
    detail: str
    since: datetime


class AdapterStatusBoard:
    """The adapters' states, updated by the adapters and read by the dashboard.

    An adapter that is not configured never reports, so it does not appear here.
    """

    def __init__(self, clock: Clock) -> None:
        self._clock = clock
        self._statuses: dict[str, AdapterStatus] = {}

    def report(self, name: str, *, connected: bool, detail: str = "") -> None:
        """Record an adapter's state, e.g. ``report("discord", connected=True, detail="3 servers")``."""
        self._statuses[name] = AdapterStatus(name, connected, detail, self._clock())

    def statuses(self) -> list[AdapterStatus]:
        """Every adapter that has reported, by name."""
        return [self._statuses[name] for name in sorted(self._statuses)]
