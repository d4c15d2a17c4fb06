"""How core values are written on the wire: the vocabulary of JSON shapes, and times.

JSON shapes are TypedDicts, so that mypy holds every builder to its shape and the OpenAPI
document (``api/openapi/``) describes the same shape. ``Meta`` adds JSON Schema keywords to
a field. The shapes that events carry live in the feature packages of core (events are
written here, in core); shapes only the HTTP API uses live in that spec's ``api`` package.
"""

from datetime import UTC, datetime
from typing import Annotated, Any, TypeVar, overload

T = TypeVar("T")


class Meta:
    """JSON Schema keywords for ``Annotated[X, Meta(...)]``, merged into X's schema."""

    def __init__(self, **keywords: Any) -> None:
        self.keywords = keywords


def open_shape(cls: T) -> T:
    """Mark a TypedDict whose real bodies may carry more keys (such as an error's details)."""
    setattr(cls, "__open_shape__", True)  # noqa: B010 - TypedDict classes take no class attributes
    return cls


Flag = Annotated[int, Meta(enum=[0, 1], description="1 for true, 0 for false, as the game-night API writes them")]
UtcMillis = Annotated[str, Meta(format="date-time", examples=["2026-03-15T19:00:00.000Z"])]


@overload
def utc_ms(moment: datetime) -> str: ...


@overload
def utc_ms(moment: None) -> None: ...


def utc_ms(moment: datetime | None) -> str | None:
    """``2026-03-15T19:00:00.000Z``: UTC with milliseconds, as every API and event writes times; None stays None."""
    if moment is None:
        return None
    moment = moment.astimezone(UTC)
    return moment.strftime("%Y-%m-%dT%H:%M:%S.") + f"{moment.microsecond // 1000:03d}Z"


def epoch_ms(moment: datetime) -> int:
    """Milliseconds since 1970, as JavaScript's ``Date.getTime()`` gives them."""
    return round(moment.timestamp() * 1000)
