"""Typed values that cross the layers: services return these, adapters format them."""

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum
from typing import Any

from tallybot.core.errors import NotHost


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

    def check_host_of(self, community_id: int) -> None:
        """Raise NotHost unless the asker is a host of the community (the rule of every game-night write)."""
        if not self.is_host_of(community_id):
            raise NotHost()

    @classmethod
    def host(cls, community: Community, label: str) -> "Principal":
        """A caller who is a host of this one community and of nothing else.

        For callers that act as a host by their nature rather than by a token: the
        operator's command line (``tallybot import-chat``), and core code that has already
        applied a rule of its own (a coffee group's callbacks are that group's webhooks).
        """
        return cls(label=label, roles={community.id: Role.HOST})


@dataclass(frozen=True)
class Event:
    """A state change, written to the outbox in the same transaction as the change."""

    id: str
    type: str
    community_id: int
    occurred_at: datetime
    data: Mapping[str, Any]
    sequence: int | None = None
