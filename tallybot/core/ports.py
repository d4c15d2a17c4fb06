"""The kernel's Protocols: the database, its transaction, the event bus, and the repositories every feature shares.

storage/ implements them; tests may use real databases or ``Fake*`` classes that satisfy the
same Protocols. Each feature's own repositories are in its package's ``ports.py``; the
``Transaction`` names them all, for type checking only, so that no feature is imported here."""

from __future__ import annotations

from collections.abc import AsyncIterator, Awaitable, Callable, Sequence
from datetime import datetime
from typing import TYPE_CHECKING, Protocol, TypeVar

from tallybot.core.models import Community, Event, Identity, Person, Platform, Provider, Role

if TYPE_CHECKING:
    from tallybot.core.accounts import ChatRepository, CredentialRepository, PlatformTokenRepository
    from tallybot.core.coffee import CoffeeRepository
    from tallybot.core.events import WebhookRepository
    from tallybot.core.gamenight import GameNightRepository, GameRepository, VoteRepository
    from tallybot.core.poker import PokerRepository

T = TypeVar("T")

Clock = Callable[[], datetime]


class CommunityRepository(Protocol):
    """Communities and the memberships (with roles) of people in them."""

    async def ensure(self, platform: Platform, external_id: str, slug: str, name: str) -> Community:
        """Return the community for (platform, external_id), creating it if needed."""

    async def by_slug(self, slug: str) -> Community | None:
        """The community with this URL name."""

    async def by_id(self, community_id: int) -> Community | None:
        """The community with this id."""

    async def set_role(self, community_id: int, person_id: int, role: Role) -> None:
        """Make the person a member of the community with this role."""

    async def roles_of(self, person_id: int) -> dict[int, Role]:
        """Every community the person belongs to, with their role there."""


class PersonRepository(Protocol):
    """People and their identities."""

    async def add(self, uuid: str, display_name: str, created_at: datetime) -> Person:
        """Insert a person."""

    async def get(self, person_id: int) -> Person | None:
        """The person with this id."""

    async def by_uuid(self, uuid: str) -> Person | None:
        """The person with this public uuid."""

    async def by_identity(self, provider: Provider, external_id: str) -> Person | None:
        """The person who owns this identity."""

    async def add_identity(self, identity: Identity) -> None:
        """Attach an identity to a person; raises Conflict if another person owns it."""

    async def identities_of(self, person_id: int) -> list[Identity]:
        """Every identity of a person."""

    async def set_password_hash(self, person_id: int, password_hash: str) -> None:
        """Store the person's scrypt password hash."""

    async def password_hash(self, person_id: int) -> str | None:
        """The person's password hash, if they chose a password."""

    async def mark_email_confirmed(self, person_id: int, at: datetime) -> Person:
        """Record that the person proved they own their e-mail address."""


class OutboxRepository(Protocol):
    """The durable record of every event, written with the change it describes."""

    async def append(self, event: Event) -> Event:
        """Store an event; returns it with its outbox sequence number."""

    async def after(self, sequence: int, limit: int) -> list[Event]:
        """Events with a sequence number above ``sequence``, oldest first."""


class Transaction(Protocol):
    """The repositories, bound to one database transaction."""

    @property
    def communities(self) -> CommunityRepository: ...

    @property
    def people(self) -> PersonRepository: ...

    @property
    def credentials(self) -> CredentialRepository: ...

    @property
    def outbox(self) -> OutboxRepository: ...

    @property
    def poker(self) -> PokerRepository: ...

    @property
    def webhooks(self) -> WebhookRepository: ...

    @property
    def game_nights(self) -> GameNightRepository: ...

    @property
    def votes(self) -> VoteRepository: ...

    @property
    def games(self) -> GameRepository: ...

    @property
    def coffee(self) -> CoffeeRepository: ...

    @property
    def platform_tokens(self) -> PlatformTokenRepository: ...

    @property
    def chat(self) -> ChatRepository: ...


class Database(Protocol):
    """Runs units of work. Writes are serialised (and group-committed); reads run beside them."""

    async def write(self, work: Callable[[Transaction], Awaitable[T]]) -> T:
        """Run ``work`` in a write transaction; it commits before this returns, or rolls back alone."""

    async def read(self, work: Callable[[Transaction], Awaitable[T]]) -> T:
        """Run ``work`` against a consistent read-only snapshot."""


class EventSubscription(Protocol):
    """A live feed of committed events."""

    def __aiter__(self) -> AsyncIterator[Event]: ...

    def close(self) -> None:
        """Stop receiving events."""


class EventBus(Protocol):
    """In-process fan-out of committed events (replaceable by a cross-process one later)."""

    def publish(self, events: Sequence[Event]) -> None:
        """Hand committed events to every subscriber without blocking."""

    def subscribe(self) -> EventSubscription:
        """Start receiving every event published from now on."""
