"""Formatting shared by the spec modules."""

from datetime import UTC, datetime


def iso_z(moment: datetime | None) -> str | None:
    """``2026-03-15T19:00:00.000Z``: UTC with milliseconds, as the game-night API writes times."""
    if moment is None:
        return None
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.") + f"{moment.microsecond // 1000:03d}Z"
