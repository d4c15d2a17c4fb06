"""A coffee group's timezone: an IANA name, or a fixed offset from UTC.

The spec's ``timezone`` is a name such as ``America/Los_Angeles``. The original app sends
``timezone_offset`` instead: seconds east of UTC, as ``new Date().getTimezoneOffset() * -60``
gives them (``7200`` two hours east, ``-25200`` seven hours west). An offset cannot say when
summer time starts, so it becomes a zone with that one fixed offset, named

- ``UTC`` for 0;
- ``Etc/GMT-N`` for a whole number of hours from 12 west to 14 east: IANA's own fixed-offset
  names, which any tz library reads, with the sign inverted as POSIX writes it
  (``Etc/GMT-2`` is two hours *east* of UTC);
- ``UTC+05:30`` (hours and minutes, east positive) for any other offset, which IANA has no
  fixed-offset name for.

These names are group timezones like any other, so ``timezone`` takes them back. When a
request gives both ``timezone`` and ``timezone_offset``, the name wins: it knows the summer
time that an offset cannot. Both are still checked, so that a bad one is never ignored.
"""

import re
from datetime import timedelta, timezone, tzinfo
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

MAX_TIMEZONE_OFFSET = 14 * 3600
_MINUTE = 60
_HOUR = 3600
# IANA names fixed offsets from Etc/GMT+12 (twelve hours west) to Etc/GMT-14 (fourteen east).
_ETC_HOURS = range(-12, 15)
_FIXED = re.compile(r"UTC([+-])([0-9]{2}):([0-5][0-9])")
UNKNOWN_TIMEZONE = "is not a known timezone name, such as America/Los_Angeles"


def offset_timezone(seconds: int) -> str:
    """The name of the fixed-offset zone ``seconds`` east of UTC (a whole number of minutes, at most 14 hours)."""
    if seconds == 0:
        return "UTC"
    hours, rest = divmod(seconds, _HOUR)
    if rest == 0 and hours in _ETC_HOURS:
        return f"Etc/GMT{-hours:+d}"
    hours, minutes = divmod(abs(seconds) // _MINUTE, 60)
    return f"UTC{'+' if seconds > 0 else '-'}{hours:02d}:{minutes:02d}"


def group_zone(name: str) -> tzinfo:
    """The zone a group's timezone names, to write its dates in; ValueError if it names none."""
    fixed = _FIXED.fullmatch(name)
    if fixed is not None:
        sign, hours, minutes = fixed.groups()
        seconds = int(hours) * _HOUR + int(minutes) * _MINUTE
        if seconds > MAX_TIMEZONE_OFFSET:
            raise ValueError(f"{name} is more than 14 hours from UTC")
        return timezone(timedelta(seconds=seconds if sign == "+" else -seconds), name)
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError) as exc:
        raise ValueError(f"there is no timezone {name!r}") from exc


def timezone_problems(name: str | None, offset: int | None) -> dict[str, list[str]]:
    """Rule breaches in a requested ``timezone`` name and ``timezone_offset`` (seconds east of UTC)."""
    problems: dict[str, list[str]] = {}
    if name is not None:
        try:
            group_zone(name)
        except ValueError:
            problems["timezone"] = [UNKNOWN_TIMEZONE]
    limit = MAX_TIMEZONE_OFFSET
    if offset is not None:
        if not -limit <= offset <= limit:
            problems["timezone_offset"] = [f"must be from -{limit} to {limit} seconds (14 hours from UTC)"]
        elif offset % _MINUTE:
            problems["timezone_offset"] = ["must be a whole number of minutes (a multiple of 60 seconds)"]
    return problems


def requested_timezone(name: str | None, offset: int | None) -> str | None:
    """The timezone a request asks for: ``timezone`` if given, else the zone of ``timezone_offset``, else None."""
    if name is not None:
        return name
    return None if offset is None else offset_timezone(offset)
