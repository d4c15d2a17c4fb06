"""Reading requests: bodies, typed parameters, the bearer token and the community.

Parameters are collected with ``Params`` so that every problem is reported at once, as
the coffee spec asks, and each one raises ``Malformed`` with a per-field breakdown.
"""

import asyncio
import contextlib
import json
import math
import re
from collections.abc import Callable, Mapping
from typing import Any, TypeVar, cast

from aiohttp import web

from tallybot.api.keys import READ_TIMEOUT, SERVICES
from tallybot.core.errors import Forbidden, Malformed, NotFound, Unauthorized
from tallybot.core.models import Community, Principal

T = TypeVar("T")

_FORM_TYPES = {"application/x-www-form-urlencoded", "multipart/form-data"}
# No request of any spec nests deeper than a few levels.
MAX_JSON_DEPTH = 32
_WHOLE_TEXT = re.compile(r"-?[0-9]{1,18}")


async def receive_body(request: web.Request) -> None:
    """Take in the whole request body before the handler runs, within the read timeout.

    aiohttp keeps what was read, so the handler never waits on a slow client. A body that
    takes too long is HTTP 408, one that is too large 413, and one that cannot be decoded
    (a broken form, multipart or compressed body) Malformed.
    """
    if not request.body_exists:
        return
    try:
        async with asyncio.timeout(request.config_dict[READ_TIMEOUT]):
            if request.content_type in _FORM_TYPES:
                await request.post()
            else:
                await request.read()
    except TimeoutError:
        raise web.HTTPRequestTimeout() from None
    except (ValueError, web.RequestPayloadError):
        raise Malformed("The request body could not be read") from None


def _depth(data: Any) -> int:
    """How deeply JSON containers nest in ``data``, counted without recursion."""
    deepest = 0
    pending: list[tuple[Any, int]] = [(data, 1)] if isinstance(data, dict | list) else []
    while pending:
        value, depth = pending.pop()
        deepest = max(deepest, depth)
        children = value.values() if isinstance(value, dict) else value
        pending.extend((child, depth + 1) for child in children if isinstance(child, dict | list))
    return deepest


async def read_body(request: web.Request) -> tuple[dict[str, Any], bool]:
    """The request's parameters and whether they came as text (form or query) rather than JSON.

    GET and HEAD read the query string. Other methods read a JSON object or a form; an
    empty body counts as no parameters.
    """
    if request.method in ("GET", "HEAD"):
        return dict(request.query), True
    if request.content_type in _FORM_TYPES:
        form = await request.post()
        return {key: value for key, value in form.items() if isinstance(value, str)}, True
    raw = await request.read()
    if not raw.strip():
        return {}, False
    too_deep = Malformed(f"The request body nests more than {MAX_JSON_DEPTH} levels deep")
    try:
        data = json.loads(raw)
    except ValueError:
        raise Malformed("The request body is not valid JSON") from None
    except RecursionError:
        # The decoder gives up past Python's recursion limit, far beyond ours.
        raise too_deep from None
    if _depth(data) > MAX_JSON_DEPTH:
        raise too_deep
    if not isinstance(data, dict):
        raise Malformed("The request body must be a JSON object")
    return data, False


def optional_field(data: Mapping[str, Any], name: str, kind: type[T], wording: str) -> T | None:
    """``data[name]`` when it is a ``kind``, None when it is missing or null, else Malformed("{name} {wording}")."""
    value = data.get(name)
    if value is None:
        return None
    # bool is an int to isinstance: a flag is never a number here, nor a number a flag.
    if not isinstance(value, kind) or (isinstance(value, bool) and kind is not bool):
        raise Malformed(f"{name} {wording}")
    return value


def optional_text(data: Mapping[str, Any], name: str) -> str | None:
    """An optional string field of a JSON body; anything but a string or null is Malformed."""
    return optional_field(data, name, str, "must be a string")


def whole_number(value: Any) -> int | None:
    """A JSON whole number, or a numeric string as a form would send it, that fits a database integer."""
    if isinstance(value, str) and re.fullmatch(r"\s*-?\d{1,18}\s*", value):
        value = int(value)
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    if isinstance(value, bool) or not isinstance(value, int) or abs(value) >= 2**63:
        return None
    return value


class Params:
    """Typed access to request parameters, collecting every problem before failing.

    The required getters return a placeholder when a value is missing or wrong, so that
    a handler can read every parameter and then call ``check()`` once.
    """

    def __init__(self, data: Mapping[str, Any], from_text: bool) -> None:
        self._data = data
        self._from_text = from_text
        self.problems: dict[str, list[str]] = {}

    @classmethod
    async def of(cls, request: web.Request) -> "Params":
        """Parameters from the request's body (or query string, for GET)."""
        data, from_text = await read_body(request)
        return cls(data, from_text)

    def _get(self, name: str, required: bool, parse: Callable[[Any], tuple[Any, str | None]]) -> Any:
        value = self._data.get(name)
        if value is None or (self._from_text and value == ""):
            if required:
                self.problems.setdefault(name, []).append("is required")
            return None
        parsed, problem = parse(value)
        if problem is not None:
            self.problems.setdefault(name, []).append(problem)
            return None
        return parsed

    def _text(self, max_length: int) -> Callable[[Any], tuple[Any, str | None]]:
        def parse(value: Any) -> tuple[Any, str | None]:
            if not isinstance(value, str):
                return None, "must be a string"
            if len(value) > max_length:
                return None, f"must be at most {max_length} characters"
            return value, None

        return parse

    def _whole(self, minimum: int | None) -> Callable[[Any], tuple[Any, str | None]]:
        def parse(value: Any) -> tuple[Any, str | None]:
            # ASCII digits only: int() also reads other scripts' digits ("١" is 1).
            if self._from_text and isinstance(value, str) and _WHOLE_TEXT.fullmatch(value.strip()):
                value = int(value)
            if isinstance(value, bool) or not isinstance(value, int):
                return None, "must be a whole number"
            if minimum is not None and value < minimum:
                return None, f"must be at least {minimum}"
            return value, None

        return parse

    def _real(self, value: Any) -> tuple[Any, str | None]:
        if self._from_text and isinstance(value, str):
            with contextlib.suppress(ValueError):
                value = float(value)
        if isinstance(value, bool) or not isinstance(value, int | float) or not math.isfinite(value):
            return None, "must be a number"
        return float(value), None

    def _truth(self, value: Any) -> tuple[Any, str | None]:
        if self._from_text and isinstance(value, str) and value.lower() in {"true", "false", "1", "0"}:
            return value.lower() in {"true", "1"}, None
        if not isinstance(value, bool):
            return None, "must be true or false"
        return value, None

    def string(self, name: str, *, max_length: int = 10_000) -> str:
        """A required string."""
        return cast(str, self._get(name, True, self._text(max_length)) or "")

    def optional_string(self, name: str, *, max_length: int = 10_000) -> str | None:
        """An optional string."""
        return cast(str | None, self._get(name, False, self._text(max_length)))

    def integer(self, name: str, *, minimum: int | None = None) -> int:
        """A required whole number (a numeric string too, when it came as text)."""
        return cast(int, self._get(name, True, self._whole(minimum)) or 0)

    def optional_integer(self, name: str, *, minimum: int | None = None) -> int | None:
        """An optional whole number."""
        return cast(int | None, self._get(name, False, self._whole(minimum)))

    def number(self, name: str) -> float:
        """A required number."""
        return cast(float, self._get(name, True, self._real) or 0.0)

    def optional_number(self, name: str) -> float | None:
        """An optional number."""
        return cast(float | None, self._get(name, False, self._real))

    def boolean(self, name: str) -> bool:
        """A required true/false (``true``/``false``/``1``/``0`` when it came as text)."""
        return cast(bool, self._get(name, True, self._truth) or False)

    def optional_boolean(self, name: str) -> bool | None:
        """An optional true/false."""
        return cast(bool | None, self._get(name, False, self._truth))

    def check(self) -> None:
        """Raise Malformed listing every problem found so far."""
        if self.problems:
            summary = "; ".join(f"{name} {' and '.join(problems)}" for name, problems in self.problems.items())
            raise Malformed(f"Invalid parameters: {summary}", self.problems)


_ROW_ID = re.compile(r"\d{1,18}")


def path_id(request: web.Request, name: str, not_found: str) -> int:
    """A row id from the path; anything that cannot be one is simply not found (``not_found``)."""
    text = request.match_info[name]
    if not _ROW_ID.fullmatch(text):
        raise NotFound(not_found)
    return int(text)


def bearer_token(request: web.Request) -> str | None:
    """The token from ``Authorization: Bearer ...``, if the header is there."""
    header = request.headers.get("Authorization", "")
    scheme, _, token = header.partition(" ")
    if scheme.lower() != "bearer" or not token.strip():
        return None
    return token.strip()


async def principal(request: web.Request) -> Principal:
    """Who is asking, from the bearer token.

    No token is Unauthorized ("Access token required"); a token that is unknown or
    expired is Forbidden ("Invalid or expired token"), as the game-night API documents.
    """
    token = bearer_token(request)
    if token is None:
        raise Unauthorized("Access token required")
    try:
        return await request.config_dict[SERVICES].accounts.authenticate(token)
    except Unauthorized as exc:
        raise Forbidden(str(exc)) from None


async def asker_in(request: web.Request) -> tuple[Community, Principal]:
    """The request's community and who is asking, as a write of core takes them.

    The community comes first (an unknown one is NotFound), then the token, as
    ``principal`` reads it. Whether the asker may act there is the service's to say.
    """
    return await community(request), await principal(request)


async def community(request: web.Request) -> Community:
    """The community a request is about: ``/c/{community}/...`` or the default one."""
    services = request.config_dict[SERVICES]
    slug = request.match_info.get("community")
    if slug is None:
        return services.default_community
    return await services.communities.by_slug(slug)


def client_address(request: web.Request) -> str:
    """The peer address, used to key rate limits."""
    return request.remote or "unknown"
