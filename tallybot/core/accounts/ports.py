"""What the accounts services need from outside: credentials, chat links, platform tokens, mail."""

from collections.abc import Sequence
from datetime import datetime
from typing import Protocol

from tallybot.core.accounts.models import (
    ApiToken,
    AuthSession,
    ConfirmationCode,
    LinkCode,
    NamedPerson,
    StoredPlatformToken,
)
from tallybot.core.models import Platform, Provider, Role


class CredentialRepository(Protocol):
    """Sessions, confirmation codes and API tokens, all stored hashed."""

    async def add_session(self, person_id: int, token_hash: str, inserted: datetime, expires: datetime) -> AuthSession:
        """Insert a session."""

    async def session_by_token_hash(self, token_hash: str) -> AuthSession | None:
        """The session whose token hashes to this value."""

    async def end_session(self, session_id: int, at: datetime) -> AuthSession:
        """Expire a session now."""

    async def replace_code(self, person_id: int, code_hash: str, created_at: datetime, expires_at: datetime) -> None:
        """Make this the person's only live confirmation code."""

    async def live_code(self, person_id: int) -> ConfirmationCode | None:
        """The person's unused, unvoided confirmation code, if any."""

    async def count_failed_attempt(self, code_id: int) -> int:
        """Add one wrong guess to a code and return the new count."""

    async def retire_code(self, code_id: int, at: datetime) -> None:
        """Mark a code used up, so it can never be accepted again."""

    async def add_api_token(
        self,
        community_id: int,
        role: Role,
        name: str,
        token_hash: str,
        created_at: datetime,
        expires_at: datetime | None,
    ) -> ApiToken:
        """Insert an API token."""

    async def api_token_by_hash(self, token_hash: str) -> ApiToken | None:
        """The API token whose secret hashes to this value."""


class ChatRepository(Protocol):
    """What the chat features store: link codes, identity moves, names seen in chat, announcement channels."""

    async def add_link_code(self, person_id: int, code_hash: str, created_at: datetime, expires_at: datetime) -> None:
        """Make this the person's only live link code."""

    async def live_link_code(self, code_hash: str) -> LinkCode | None:
        """The unused link code whose code hashes to this value (it may have expired)."""

    async def count_failed_link(self, code_id: int) -> int:
        """Add one refused use to a link code and return the new count."""

    async def retire_link_code(self, code_id: int, at: datetime) -> None:
        """Mark a link code used up."""

    async def move_identities(self, from_person_id: int, to_person_id: int, providers: Sequence[Provider]) -> None:
        """Give the identities on ``providers`` of one person to another."""

    async def move_memberships(self, from_person_id: int, to_person_id: int) -> None:
        """Give one person's community memberships to another; where both have one, the host role wins."""

    async def people_named(self, provider: Provider, username: str, community_id: int) -> list[NamedPerson]:
        """The people whose identity on ``provider`` has this username (any case)."""

    async def set_announcement_channel(self, community_id: int, channel_id: str, at: datetime) -> None:
        """Send the community's announcements to this channel."""

    async def announcement_channel(self, community_id: int) -> str | None:
        """The channel the community's announcements go to, if one was chosen."""


class PlatformTokenRepository(Protocol):
    """The OAuth token pairs the chat adapters hold for platform accounts, stored sealed."""

    async def put(self, token: StoredPlatformToken) -> None:
        """Store an account's token pair, replacing the one stored before."""

    async def all(self, platform: Platform) -> list[StoredPlatformToken]:
        """Every stored token pair on a platform."""


class Mailer(Protocol):
    """Sends e-mail."""

    async def send(self, to: str, subject: str, body: str) -> None:
        """Deliver one plain-text message."""
