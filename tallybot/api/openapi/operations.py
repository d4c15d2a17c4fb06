"""What the OpenAPI document says about a route, declared on its handler.

Each spec module makes one ``SpecDoc`` (its tag and its error shape) and decorates every
handler with it, under the ``@routes...`` line::

    API = SpecDoc("Game night: catalogue", PlainError, ids="games")

    @routes.post("/games")
    @API({201: GameJson}, errors=(404,), request=NewGame, security=HOST)
    async def add_game(request: web.Request) -> web.Response: ...

The decorator stores an ``Operation`` on the handler; ``api/openapi/document.py`` walks the app's
router and reads it, so a route that is served but not decorated is missing from the
document, which a test catches. A route that only turns other methods or paths away
(the 405 and catch-all routes) is marked with ``fallback`` instead.
"""

import http
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any, TypeVar

from tallybot.api.openapi.schema import JsonSchema

H = TypeVar("H", bound=Callable[..., Any])

OPERATION = "__openapi_operation__"
FALLBACK = "__openapi_fallback__"

# Security schemes (see api/openapi/document.py): any one of an operation's list will do.
HOST = ("hostToken",)
SESSION = ("sessionToken",)
POKER = ("pokerToken",)
VIEWER = ("viewerToken",)

_JSON = ("application/json",)
_FORM = ("application/x-www-form-urlencoded",)
_AUTH_ERRORS = (401, 403)
# Any request can be unreadable: a NUL in its path or query, a broken body.
_READ_ERRORS = (400,)
# A body that is unreadable (400), too slow to arrive (408) or too large (413).
_BODY_ERRORS = (400, 408, 413)


@dataclass(frozen=True)
class Content:
    """A body that is not a declared JSON shape: its media type and schema."""

    media_type: str
    schema: JsonSchema = field(default_factory=lambda: {"type": "string"})


@dataclass(frozen=True)
class Operation:
    """One documented operation. ``responses`` maps a status to the shapes its body may take.

    A shape is a type hint (a TypedDict, ``list[...]``, ...), a ``Content``, or None for
    no body at all. ``error`` is the spec's error shape, which the routes under
    ``/c/{community}`` also answer, with status ``unknown_community``, for a community
    that does not exist.
    """

    summary: str
    description: str
    tags: tuple[str, ...]
    responses: Mapping[int, tuple[Any, ...]]
    request: Any = None
    request_media: tuple[str, ...] = ("application/json",)
    query: Any = None
    path: Any = None
    security: tuple[str, ...] = ()
    optional_auth: bool = False
    error: Any = None
    unknown_community: int = 404
    id_prefix: str = ""


class SpecDoc:
    """How one spec documents its routes: its tag, its error shape and where its errors go.

    ``ids`` starts the operation id of each of its handlers (``ids_handler``), so that the
    ids integrators generate clients from stay put when a module moves.

    ``kept`` lists the statuses the spec's errors keep; any other error is answered with
    200 and the error shape (coffee answers everything with 200, accounts all but a few).
    None keeps every status, as game night and poker do.
    """

    def __init__(self, tag: str, error: Any, *, ids: str, kept: Iterable[int] | None = None) -> None:
        self.tag = tag
        self.error = error
        self.ids = ids
        self.kept = None if kept is None else frozenset(kept)

    def _status(self, status: int) -> int:
        return status if self.kept is None or status in self.kept else 200

    def __call__(
        self,
        responses: Mapping[int, Any],
        *,
        errors: Iterable[int] = (),
        request: Any = None,
        form: bool = False,
        query: Any = None,
        path: Any = None,
        security: tuple[str, ...] = (),
        optional_auth: bool = False,
    ) -> Callable[[H], H]:
        """Document the decorated handler.

        ``responses`` maps each success status to its shape, or to a tuple of the shapes
        it may take. ``errors`` are the error statuses it can answer, beyond those implied: any
        request can be unreadable (400), a request body too slow (408) or too large (413), and a
        required token missing (401) or wrong (403).
        """
        statuses = {*errors, *_READ_ERRORS}
        if request is not None:
            statuses.update(_BODY_ERRORS)
        if security and not optional_auth:
            statuses.update(_AUTH_ERRORS)
        shapes = {status: shape if isinstance(shape, tuple) else (shape,) for status, shape in responses.items()}
        for status in sorted(statuses):
            mapped = self._status(status)
            if self.error not in shapes.get(mapped, ()):
                shapes[mapped] = (*shapes.get(mapped, ()), self.error)

        def document(handler: H) -> H:
            # Docstrings quote code as reStructuredText does; the docs page reads Markdown.
            text = (handler.__doc__ or "").strip().replace("``", "`")
            summary, _, description = text.partition("\n")
            operation = Operation(
                summary=summary.strip(),
                description=" ".join(description.split()),
                tags=(self.tag,),
                responses=dict(sorted(shapes.items())),
                request=request,
                request_media=(*_JSON, *_FORM) if form else _JSON,
                query=query,
                path=path,
                security=security,
                optional_auth=optional_auth,
                error=self.error,
                unknown_community=self._status(404),
                id_prefix=self.ids,
            )
            setattr(handler, OPERATION, operation)
            return handler

        return document


def fallback(reason: str) -> Callable[[H], H]:
    """Mark a handler that only turns requests away (``reason`` says which), so it needs no operation."""

    def mark(handler: H) -> H:
        setattr(handler, FALLBACK, reason)
        return handler

    return mark


def reason(status: int) -> str:
    """The standard phrase for a status, as a response's description."""
    return http.HTTPStatus(status).phrase
