"""What chat needs from accounts and communities: link codes, personal tokens, mentions, the announcement channel.

A link code, sent by direct message, proves that its holder controls a chat identity,
nothing more. Redeeming it (``start_session_with_code``) therefore never opens a session
on an account whose e-mail address belongs to someone else, unless the request also
carries a live session of that very account; then the chat identity moves onto it.
"""

import re
import secrets
import uuid
from dataclasses import dataclass
from datetime import timedelta

from tallybot.core import crypto
from tallybot.core.accounts.models import IssuedLinkCode, IssuedSession
from tallybot.core.accounts.service import AccountLimits, AccountService, normalise_email
from tallybot.core.errors import Conflict, DomainError, Forbidden, Invalid, NotFound, Unauthorized
from tallybot.core.models import Community, Identity, Person, Principal, Provider, Role
from tallybot.core.ports import Clock, Database, Transaction

# No 0/O, 1/I/L: a code read off a screen is typed right. 31**8 is about 8.5e11 codes.
LINK_CODE_ALPHABET = "ABCDEFGHJKMNPQRSTUVWXYZ23456789"
LINK_CODE_LENGTH = 8
_LINK_CODE = re.compile(f"[{LINK_CODE_ALPHABET}]{{{LINK_CODE_LENGTH}}}")


@dataclass(frozen=True)
class LinkPolicy:
    """How long a link code lives and how many refused uses void it."""

    code_ttl: timedelta = timedelta(minutes=15)
    max_attempts: int = 5


def new_link_code() -> str:
    """A random link code, shown as ``ABCD-EFGH``."""
    raw = "".join(secrets.choice(LINK_CODE_ALPHABET) for _ in range(LINK_CODE_LENGTH))
    return f"{raw[:4]}-{raw[4:]}"


def link_code_key(code: str) -> str | None:
    """The canonical form of a link code as typed (any case, dashes and spaces ignored), or None."""
    compact = re.sub(r"[\s-]", "", code).upper()
    return compact if _LINK_CODE.fullmatch(compact) else None


class ChatService:
    """Chat identities and accounts, and the channel each community's announcements go to."""

    def __init__(
        self, db: Database, accounts: AccountService, clock: Clock, policy: LinkPolicy, limits: AccountLimits
    ) -> None:
        self._db = db
        self._accounts = accounts
        self._clock = clock
        self._policy = policy
        self._limits = limits

    async def issue_link_code(
        self, community: Community, provider: Provider, external_id: str, username: str, role: Role
    ) -> IssuedLinkCode:
        """A one-time code for the chat user to link their chat identity to an account; older codes stop working."""
        person = await self._accounts.chat_person(community, provider, external_id, username, role)
        code = new_link_code()
        key = link_code_key(code)
        assert key is not None
        now = self._clock()
        expires_at = now + self._policy.code_ttl

        async def work(tx: Transaction) -> None:
            await tx.chat.add_link_code(person.id, crypto.hash_token(key), now, expires_at)

        await self._db.write(work)
        return IssuedLinkCode(code, expires_at, self._minutes)

    async def personal_session(
        self, community: Community, provider: Provider, external_id: str, username: str, role: Role
    ) -> IssuedSession:
        """A new session (an API bearer token) for the person behind a chat identity, with their chat role."""
        person = await self._accounts.chat_person(community, provider, external_id, username, role)
        return await self._accounts.open_session_for(person)

    async def start_session_with_code(
        self, email_address: str, code: str, session_token: str | None, client: str
    ) -> IssuedSession:
        """Sign in with a mailed 4-digit code, or with a link code from chat.

        With a link code and an address that belongs to nobody, the address becomes the
        chat person's (unconfirmed). With an address of another account, ``session_token``
        must be a live session of that account: the chat identity then joins it.
        """
        key = link_code_key(code)
        if key is None:
            return await self._accounts.start_session_with_code(email_address, code, client)
        email = normalise_email(email_address)
        self._limits.per_address.hit(("code", client))
        self._limits.per_account.hit(("code", email))
        failure = Unauthorized(
            f"Sorry, {code} is not a valid link code. Codes work once, within "
            f"{self._minutes} minutes: ask the bot in chat for a new one."
        )
        account = None if session_token is None else (await self._accounts.verify_session(session_token))[1]
        now = self._clock()

        async def work(tx: Transaction) -> Person | DomainError:
            link = await tx.chat.live_link_code(crypto.hash_token(key))
            if link is None or link.expires_at <= now or link.failed_attempts >= self._policy.max_attempts:
                return failure
            outcome = await _link(tx, link.person_id, email, account)
            if isinstance(outcome, DomainError):
                await tx.chat.count_failed_link(link.id)
            else:
                await tx.chat.retire_link_code(link.id, now)
            return outcome

        # The check and the use are one write, so a code cannot be redeemed twice.
        outcome = await self._db.write(work)
        if isinstance(outcome, DomainError):
            raise outcome
        return await self._accounts.open_session_for(outcome)

    async def mentioned_person(
        self, community: Community, provider: Provider, external_id: str, username: str
    ) -> Person:
        """The person behind a chat user someone mentioned, created on first sight.

        Unlike ``AccountService.chat_person`` this never changes a role: only what the
        platform says about a message's own author counts.
        """
        now = self._clock()

        async def work(tx: Transaction) -> Person:
            person = await tx.people.by_identity(provider, external_id)
            if person is None:
                person = await tx.people.add(str(uuid.uuid4()), username, now)
            await tx.people.add_identity(Identity(person.id, provider, external_id, username))
            if community.id not in await tx.communities.roles_of(person.id):
                await tx.communities.set_role(community.id, person.id, Role.MEMBER)
            return person

        return await self._db.write(work)

    async def person_named(self, community: Community, provider: Provider, username: str) -> Person:
        """The person known on ``provider`` by this chat name (any case), preferring the community's members."""
        name = username.strip().removeprefix("@")

        async def work(tx: Transaction) -> Person | None:
            named = await tx.chat.people_named(provider, name, community.id)
            candidates = [entry for entry in named if entry.in_community] or named
            if len(candidates) > 1:
                raise Invalid(f"More than one person is called @{name}: mention them so that chat can tell them apart")
            return await tx.people.get(candidates[0].person_id) if candidates else None

        person = await self._db.read(work)
        if person is None:
            raise NotFound(f"I don't know anyone called @{name} yet: they need to say something in chat first")
        return person

    async def set_announcement_channel(self, asker: Principal, community: Community, channel_id: str) -> None:
        """Send the community's announcements to this channel from now on (a host's choice: else NotHost)."""
        asker.check_host_of(community.id)
        now = self._clock()

        async def work(tx: Transaction) -> None:
            await tx.chat.set_announcement_channel(community.id, channel_id, now)

        await self._db.write(work)

    @property
    def _minutes(self) -> int:
        return int(self._policy.code_ttl.total_seconds() // 60)


async def _link(tx: Transaction, chat_person_id: int, email: str, account: Person | None) -> Person | DomainError:
    """Join a chat person and an e-mail address; a DomainError says why not (and the code counts a refusal)."""
    chat_person = await tx.people.get(chat_person_id)
    assert chat_person is not None  # codes are deleted with their person
    owner = await tx.people.by_identity(Provider.EMAIL, email)
    if owner is None:
        if chat_person.email_address is not None:
            return Conflict(f"This chat account is already linked to {chat_person.email_address}: use that address")
        await tx.people.add_identity(Identity(chat_person.id, Provider.EMAIL, email, email))
        linked = await tx.people.get(chat_person.id)
        assert linked is not None
        return linked
    if owner.id == chat_person.id:
        return owner
    if account is None:
        return Forbidden(
            f"{email} belongs to another account. To link this chat account to it, send a session of that "
            "account with the request (Authorization: Bearer <session_uuid>)"
        )
    if account.id != owner.id:
        return Forbidden(f"The session you sent is not one of {email}")
    identities = await tx.people.identities_of(chat_person.id)
    chat_providers = [identity.provider for identity in identities if identity.provider is not Provider.EMAIL]
    await tx.chat.move_identities(chat_person.id, owner.id, chat_providers)
    await tx.chat.move_memberships(chat_person.id, owner.id)
    return owner
