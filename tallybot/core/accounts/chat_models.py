"""Values of the chat features in the core: link codes and where announcements go."""

from dataclasses import dataclass
from datetime import datetime

from tallybot.core.models import Community


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
class AnnouncementTarget:
    """A community and the channel its announcements go to (None: the adapter's default, if it has one)."""

    community: Community
    channel_id: str | None
