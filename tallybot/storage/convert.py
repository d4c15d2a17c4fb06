"""Conversions between core values and SQLite column values."""

from datetime import UTC, datetime


def to_text(moment: datetime) -> str:
    """A timezone-aware datetime as ISO 8601 text in UTC, which sorts correctly."""
    if moment.tzinfo is None:
        raise ValueError("naive datetimes are not stored")
    return moment.astimezone(UTC).isoformat()


def from_text(text: str) -> datetime:
    """The inverse of ``to_text``."""
    return datetime.fromisoformat(text)


def maybe_from_text(text: str | None) -> datetime | None:
    """``from_text`` that lets NULL through."""
    return None if text is None else from_text(text)
