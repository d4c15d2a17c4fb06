"""Typed values that cross the layers: services return these, adapters format them."""

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum
from typing import Any


class Role(StrEnum):
    """The neutral role model: Discord's manage-server or a Twitch mod badge make a host.

    ``viewer`` is only ever an API token's role: it reads overlays and changes nothing.
    """

    HOST = "host"
    MEMBER = "member"
    VIEWER = "viewer"


class Provider(StrEnum):
    """Where an identity comes from."""

    DISCORD = "discord"
    TWITCH = "twitch"
    GITHUB = "github"
    EMAIL = "email"
    # A user of ``tallybot console``, the terminal chat against a local core.
    CONSOLE = "console"


class Platform(StrEnum):
    """What kind of place a community is."""

    LOCAL = "local"
    DISCORD = "discord"
    TWITCH = "twitch"


@dataclass(frozen=True)
class Community:
    """One Discord server, one Twitch channel, or the local default community."""

    id: int
    slug: str
    platform: Platform
    external_id: str
    name: str


@dataclass(frozen=True)
class Person:
    """Somebody known to tallybot, through one or more identities."""

    id: int
    uuid: str
    display_name: str
    email_address: str | None
    email_confirmed: bool
    avatar_url: str | None = None


@dataclass(frozen=True)
class Identity:
    """A person's account on one provider."""

    person_id: int
    provider: Provider
    external_id: str
    username: str


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
class Principal:
    """Who is asking: the person (if any) and their role in each community."""

    label: str
    person: Person | None = None
    roles: Mapping[int, Role] = field(default_factory=dict)

    def role_in(self, community_id: int) -> Role | None:
        """The asker's role in a community, or None if they are not part of it."""
        return self.roles.get(community_id)

    def is_host_of(self, community_id: int) -> bool:
        """True if the asker may change the community's state as a host."""
        return self.roles.get(community_id) is Role.HOST


@dataclass(frozen=True)
class Event:
    """A state change, written to the outbox in the same transaction as the change."""

    id: str
    type: str
    community_id: int
    occurred_at: datetime
    data: Mapping[str, Any]
    sequence: int | None = None
