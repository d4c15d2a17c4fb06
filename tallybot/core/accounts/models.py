"""Accounts values: sessions, codes and API tokens (stored hashed), chat link codes, platform tokens."""

from dataclasses import dataclass, field
from datetime import datetime

from tallybot.core.models import Person, Platform, Role


@dataclass(frozen=True)
class AuthSession:
    """An accounts session. Its bearer token is never stored, only its hash."""

    id: int
    person_uuid: str
    inserted: datetime
    expires: datetime
    updated: datetime | None

    def is_expired(self, now: datetime) -> bool:
        """True once the session may no longer be used."""
        return self.expires <= now


@dataclass(frozen=True)
class IssuedSession:
    """A session together with its token and person; the token is shown this once."""

    session: AuthSession
    token: str
    person: Person


@dataclass(frozen=True)
class ConfirmationCode:
    """The current e-mail confirmation code of a person (hashed)."""

    id: int
    person_id: int
    code_hash: str
    expires_at: datetime
    failed_attempts: int


@dataclass(frozen=True)
class ApiToken:
    """A bearer token for an integration or overlay, scoped to one community."""

    id: int
    community_id: int
    role: Role
    name: str
    created_at: datetime
    expires_at: datetime | None


@dataclass(frozen=True)
class IssuedApiToken:
    """A new API token and its secret, which is shown this once."""

    token: ApiToken
    secret: str


@dataclass(frozen=True)
class LinkCode:
    """A stored one-time link code (only its hash), bound to the chat person who asked for it."""

    id: int
    person_id: int
    expires_at: datetime
    failed_attempts: int


@dataclass(frozen=True)
class IssuedLinkCode:
    """A new link code; ``code`` is shown this once, in a private message."""

    code: str
    expires_at: datetime
    valid_minutes: int


@dataclass(frozen=True)
class NamedPerson:
    """A person whose identity on a platform carries a given name, and whether they belong to the community."""

    person_id: int
    in_community: bool


@dataclass(frozen=True)
class StoredPlatformToken:
    """A token pair as the database holds it: each token sealed (or marked plain)."""

    platform: Platform
    user_id: str
    sealed_access: str = field(repr=False)
    sealed_refresh: str = field(repr=False)
    updated_at: datetime


@dataclass(frozen=True)
class PlatformToken:
    """A usable token pair for one platform account; ``repr`` leaves the tokens out, so logs never show them."""

    platform: Platform
    user_id: str
    access_token: str = field(repr=False)
    refresh_token: str = field(repr=False)
    updated_at: datetime
