"""Error mapping and access logging for the HTTP API.

Each spec's sub-app installs ``error_middleware`` with its own renderer, so a domain
error leaves in that spec's error format. Nothing reaches a client as a traceback. Errors
keep core's wording, except NotHost, which an HTTP caller is told in terms of the token
they sent.
"""

import logging
from collections.abc import Callable
from typing import TypedDict

from aiohttp import web
from aiohttp.abc import AbstractAccessLogger
from aiohttp.http_exceptions import HttpProcessingError
from aiohttp.typedefs import Handler, Middleware

from tallybot.core.errors import (
    Conflict,
    DomainError,
    Forbidden,
    Invalid,
    NotFound,
    NotHost,
    RateLimited,
    Unauthorized,
    Unavailable,
)
from tallybot.core.wire import open_shape

log = logging.getLogger(__name__)

ErrorRenderer = Callable[[int, str, DomainError | None], web.Response]

_STATUS: tuple[tuple[type[DomainError], int], ...] = (
    (NotFound, 404),
    (Conflict, 409),
    (Invalid, 400),
    (Unauthorized, 401),
    (Forbidden, 403),
    (RateLimited, 429),
    (Unavailable, 503),
)

NOT_HOST = "This needs a host token for this community"

_HTTP_MESSAGES = {
    404: "Not found",
    405: "Method not allowed",
    408: "The request body did not arrive in time",
    413: "The request body is too large",
    415: "Unsupported media type",
}


def status_for(error: DomainError) -> int:
    """The HTTP status that naturally matches a domain error."""
    for kind, status in _STATUS:
        if isinstance(error, kind):
            return status
    return 400


def message_for(error: DomainError) -> str:
    """What an HTTP client reads for a domain error."""
    return NOT_HOST if isinstance(error, NotHost) else str(error)


def error_middleware(render: ErrorRenderer) -> Middleware:
    """A middleware that renders every failure with ``render``."""

    @web.middleware
    async def middleware(request: web.Request, handler: Handler) -> web.StreamResponse:
        try:
            return await handler(request)
        except DomainError as error:
            response = render(status_for(error), message_for(error), error)
            if isinstance(error, RateLimited):
                response.headers["Retry-After"] = str(int(error.retry_after))
            return response
        except web.HTTPException as exc:
            if exc.status < 400:
                raise
            response = render(exc.status, _HTTP_MESSAGES.get(exc.status, exc.reason), None)
            if exc.status == 405 and "Allow" in exc.headers:
                response.headers["Allow"] = exc.headers["Allow"]
            if exc.status in (408, 413):
                # The rest of the body may still be on its way: the connection serves no more requests.
                response.force_close()
            return response
        except Exception:
            log.exception("unhandled error in %s %s", request.method, request.path)
            return render(500, "Internal server error", None)

    return middleware


@open_shape
class PlainError(TypedDict):
    """An error in the game-night format, with real status codes. Some errors add details beside
    ``error``, such as ``activeSessionId``, ``timeSinceLastVote`` or ``valid_cards``."""

    error: str


class Message(TypedDict):
    """A plain confirmation."""

    message: str


def render_plain_error(status: int, message: str, error: DomainError | None) -> web.Response:
    """``{"error": message, **details}``: the game-night format, also used outside any spec."""
    details = {} if error is None else error.details
    return web.json_response({"error": message, **details}, status=status)


class AccessLogger(AbstractAccessLogger):
    """Logs method, path, status and time; never headers or the query string, which may hold secrets."""

    def log(self, request: web.BaseRequest, response: web.StreamResponse, time: float) -> None:
        """Write one access line."""
        self.logger.info(
            "%s %s %s %d %.1fms",
            request.remote,
            request.method,
            request.rel_url.path,
            response.status,
            time * 1000,
        )


class ClientMistakes(logging.Filter):
    """Turns aiohttp's tracebacks for requests it cannot parse into a DEBUG line without a traceback.

    A broken chunked body, an unknown or corrupt ``Content-Encoding``, a bad header line: the
    client's mistake, answered with 400 by aiohttp itself, which would otherwise log each one
    as an error with a traceback of its own parser. The access log has its line already.
    """

    def filter(self, record: logging.LogRecord) -> bool:
        """Rewrite the record if it is about a client's malformed request, which then passes only at DEBUG."""
        error = record.exc_info[1] if record.exc_info else None
        cause = _client_mistake(error)
        if cause is not None:
            said, reason = record.getMessage(), " ".join(str(cause).split())
            record.msg, record.args = "%s: %s", (said, reason)
            record.exc_info = None
            record.exc_text = None
            record.levelno, record.levelname = logging.DEBUG, "DEBUG"
            return logging.getLogger(record.name).isEnabledFor(logging.DEBUG)
        return True


def _client_mistake(error: BaseException | None) -> BaseException | None:
    """The parser error behind ``error``, if a malformed request is what it is about."""
    while error is not None:
        if isinstance(error, HttpProcessingError):
            return error
        error = error.__cause__ or error.__context__
    return None


def server_logger() -> logging.Logger:
    """The logger for aiohttp's server (``aiohttp.server``), with ``ClientMistakes`` on it once."""
    logger = logging.getLogger("aiohttp.server")
    if not any(isinstance(known, ClientMistakes) for known in logger.filters):
        logger.addFilter(ClientMistakes())
    return logger
