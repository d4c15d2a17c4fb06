"""The one hierarchy of domain errors.

Every adapter maps these in a single place (the Discord error-handler cog, Twitch's
``event_command_error``, ``api/middlewares.py``). ``str()`` of each error is written for
the person who caused it, so it is always safe to show.
"""

from collections.abc import Mapping, Sequence
from typing import Any


class DomainError(Exception):
    """Base class: a failure whose message a user may see.

    ``details`` carries extra JSON-safe facts that a spec puts beside the message, such as
    the game-night API's ``activeSessionId`` or ``timeSinceLastVote``.
    """

    def __init__(self, message: str, details: Mapping[str, Any] | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.details: dict[str, Any] = dict(details or {})

    def __str__(self) -> str:
        return self.message


class NotFound(DomainError):
    """The thing asked for does not exist (or is not visible to the asker)."""


class UnknownSession(NotFound):
    """No planning-poker session with the id was ever opened in the community: a typo, or someone
    guessing ids (which the poker service counts). A closed session is a plain NotFound: its
    participants' long polls end on it."""


class Conflict(DomainError):
    """The request clashes with the current state, e.g. a duplicate or a closed session."""


class Invalid(DomainError):
    """The request is well formed but breaks a rule.

    ``fields`` maps a parameter name to the problems found with it, so that an API that
    reports per-parameter errors (the coffee spec) can list all of them at once.
    """

    def __init__(
        self,
        message: str,
        fields: Mapping[str, Sequence[str]] | None = None,
        details: Mapping[str, Any] | None = None,
    ) -> None:
        super().__init__(message, details)
        self.fields: dict[str, list[str]] = {name: list(problems) for name, problems in (fields or {}).items()}


class Malformed(Invalid):
    """The request itself cannot be read: bad JSON, a missing field, a wrong type."""


class Unauthorized(DomainError):
    """The asker is not identified: no credentials, or credentials that are not valid."""


class Forbidden(DomainError):
    """The asker is known but may not do this."""


class NotHost(Forbidden):
    """Only a host of the community may do this, and the asker is not one.

    Game-night writes, webhooks and the choice of a chat announcement channel raise it.
    Each adapter words it for its callers in its one error-mapping place (HTTP asks for a
    host token, chat names the command), so the default message is for anywhere else.
    """

    def __init__(
        self, message: str = "Only a host of this community can do that", details: Mapping[str, Any] | None = None
    ) -> None:
        super().__init__(message, details)


class RateLimited(DomainError):
    """Too many attempts; ``retry_after`` says how many seconds to wait."""

    def __init__(self, message: str, retry_after: float, details: Mapping[str, Any] | None = None) -> None:
        super().__init__(message, details)
        self.retry_after = retry_after


class Unavailable(DomainError):
    """Something the request depends on (mail, a webhook target, a game server) is down."""
