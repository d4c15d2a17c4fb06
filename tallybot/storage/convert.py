"""Conversions between core values and SQLite column values."""

from datetime import UTC, datetime


def to_text(moment: datetime) -> str:
    """``2026-03-15T20:30:00.000000+00:00``: a timezone-aware moment as fixed-width UTC text.

    Fixed width (always with microseconds), so that comparing the text compares the times:
    vote windows, timelines and expiries are range queries on it.
    """
    if moment.tzinfo is None:
        raise ValueError("naive datetimes are not stored")
    return moment.astimezone(UTC).isoformat(timespec="microseconds")


def from_text(text: str) -> datetime:
    """The inverse of ``to_text``."""
    return datetime.fromisoformat(text)


def maybe_from_text(text: str | None) -> datetime | None:
    """``from_text`` that lets NULL through."""
    return None if text is None else from_text(text)
