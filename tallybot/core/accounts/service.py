"""Accounts: sign-up, e-mail confirmation codes, sessions, API tokens, and who is asking.

Failures that depend on whether an e-mail address is known all read the same, so the
answers cannot be used to find out who has an account.
"""

import logging
import re
import uuid
from dataclasses import dataclass
from datetime import datetime, timedelta

from tallybot.core import crypto
from tallybot.core.accounts.models import ApiToken, AuthSession, IssuedApiToken, IssuedSession
from tallybot.core.accounts.ports import Mailer
from tallybot.core.errors import Conflict, Invalid, Unauthorized, Unavailable
from tallybot.core.models import Community, Identity, Person, Principal, Provider, Role
from tallybot.core.ports import Clock, Database, Transaction
from tallybot.core.ratelimit import RateLimiter

log = logging.getLogger(__name__)

_EMAIL = re.compile(r"^[^@\s]{1,64}@[^@\s]+\.[^@\s]{2,}$")
# Verifying against this keeps an unknown address as slow as a known one.
_DUMMY_HASH = "scrypt$16384$8$1$AAAAAAAAAAAAAAAAAAAAAA==$AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA="


@dataclass(frozen=True)
class AccountPolicy:
    """The tunable limits of the accounts feature."""

    session_ttl: timedelta = timedelta(days=30)
    code_ttl: timedelta = timedelta(days=3)
    max_code_attempts: int = 5
    min_password_length: int = 8


@dataclass(frozen=True)
class AccountLimits:
    """Rate limiters for the routes an attacker would hammer."""

    per_address: RateLimiter
    per_account: RateLimiter


def normalise_email(email_address: str) -> str:
    """Lower-cased and trimmed, or Invalid if it does not look like an address."""
    email = email_address.strip().lower()
    if len(email) > 254 or not _EMAIL.match(email):
        raise Invalid(f"{email_address!r} is not a valid e-mail address", {"email_address": ["not a valid address"]})
    return email


class AccountService:
    """Sign-up, confirmation codes and sessions, over the shared database."""

    def __init__(
        self,
        db: Database,
        mailer: Mailer,
        clock: Clock,
        policy: AccountPolicy,
        limits: AccountLimits,
    ) -> None:
        self._db = db
        self._mailer = mailer
        self._clock = clock
        self._policy = policy
        self._limits = limits

    async def sign_up(
        self,
        community: Community,
        email_address: str,
        display_name: str,
        agreed_with_tos: bool,
        password: str | None,
        client: str,
    ) -> Person:
        """Create a person (a member of ``community``) and mail them a confirmation code."""
        email = normalise_email(email_address)
        name = display_name.strip()
        if not name or len(name) > 100:
            raise Invalid(
                "Please give a display name of 1 to 100 characters", {"display_name": ["1 to 100 characters"]}
            )
        if not agreed_with_tos:
            raise Invalid("You need to agree to the terms of service to sign up", {"agreed_with_TOS": ["must be true"]})
        if password is not None and len(password) < self._policy.min_password_length:
            minimum = self._policy.min_password_length
            raise Invalid(f"Passwords need at least {minimum} characters", {"password": [f"at least {minimum}"]})
        self._limits.per_address.hit(("sign-up", client))
        password_hash = await crypto.hash_secret(password) if password is not None else None
        code = crypto.new_code()
        code_hash = await crypto.hash_secret(code)
        now = self._clock()

        async def work(tx: Transaction) -> Person:
            if await tx.people.by_identity(Provider.EMAIL, email) is not None:
                raise Conflict(f"{email} has already signed up. Ask for a confirmation code to sign in.")
            person = await tx.people.add(str(uuid.uuid4()), name, now)
            await tx.people.add_identity(Identity(person.id, Provider.EMAIL, email, email))
            if password_hash is not None:
                await tx.people.set_password_hash(person.id, password_hash)
            await tx.communities.set_role(community.id, person.id, Role.MEMBER)
            await tx.credentials.replace_code(person.id, code_hash, now, now + self._policy.code_ttl)
            added = await tx.people.get(person.id)
            assert added is not None
            return added

        person = await self._db.write(work)
        await self._mail_code(email, name, code)
        return person

    async def send_confirmation_code(self, email_address: str, client: str) -> str:
        """Mail a fresh code to a known address; an unknown one gets the same answer and no mail."""
        email = normalise_email(email_address)
        self._limits.per_address.hit(("send-code", client))
        self._limits.per_account.hit(("send-code", email))
        code = crypto.new_code()
        code_hash = await crypto.hash_secret(code)
        now = self._clock()

        async def work(tx: Transaction) -> Person | None:
            person = await tx.people.by_identity(Provider.EMAIL, email)
            if person is not None:
                await tx.credentials.replace_code(person.id, code_hash, now, now + self._policy.code_ttl)
            return person

        person = await self._db.write(work)
        if person is not None:
            await self._mail_code(email, person.display_name, code)
        return email

    async def confirm_email(self, email_address: str, code: str, client: str) -> Person:
        """Use up a confirmation code to prove the person owns the address."""
        return await self._redeem_code(email_address, code, client)

    async def start_session_with_code(self, email_address: str, code: str, client: str) -> IssuedSession:
        """Use up a confirmation code to sign in (confirming the address on the way)."""
        person = await self._redeem_code(email_address, code, client)
        return await self._open_session(person)

    async def start_session(self, email_address: str, password: str, client: str) -> IssuedSession:
        """Sign in with an e-mail address and password."""
        email = normalise_email(email_address)
        self._limits.per_address.hit(("start-session", client))
        self._limits.per_account.hit(("start-session", email))

        async def work(tx: Transaction) -> tuple[Person | None, str | None]:
            person = await tx.people.by_identity(Provider.EMAIL, email)
            return person, await tx.people.password_hash(person.id) if person else None

        person, password_hash = await self._db.read(work)
        matches = await crypto.verify_secret(password, password_hash or _DUMMY_HASH)
        if person is None or password_hash is None or not matches:
            raise Unauthorized("Could not start a session: wrong e-mail address or password")
        return await self._open_session(person)

    async def verify_session(self, token: str) -> tuple[AuthSession, Person]:
        """The live session for a token, with its person."""
        token_hash = crypto.hash_token(token)

        async def work(tx: Transaction) -> tuple[AuthSession, Person] | None:
            session = await tx.credentials.session_by_token_hash(token_hash)
            if session is None or session.is_expired(self._clock()):
                return None
            person = await tx.people.by_uuid(session.person_uuid)
            return (session, person) if person is not None else None

        found = await self._db.read(work)
        if found is None:
            raise Unauthorized("Could not verify session")
        return found

    async def end_session(self, token: str) -> AuthSession:
        """Expire a session at once."""
        token_hash = crypto.hash_token(token)
        now = self._clock()

        async def work(tx: Transaction) -> AuthSession:
            session = await tx.credentials.session_by_token_hash(token_hash)
            if session is None or session.is_expired(now):
                raise Unauthorized("Could not end session: it is unknown or has already ended")
            return await tx.credentials.end_session(session.id, now)

        return await self._db.write(work)

    async def create_api_token(
        self, community: Community, role: Role, name: str, expires_at: datetime | None = None
    ) -> IssuedApiToken:
        """Make a bearer token for an integration or overlay; its secret is returned once."""
        secret = crypto.new_token()
        token_hash = crypto.hash_token(secret)
        now = self._clock()

        async def work(tx: Transaction) -> ApiToken:
            return await tx.credentials.add_api_token(community.id, role, name, token_hash, now, expires_at)

        return IssuedApiToken(await self._db.write(work), secret)

    async def authenticate(self, token: str) -> Principal:
        """Who a bearer token belongs to: an API token, or an accounts session."""
        token_hash = crypto.hash_token(token)
        now = self._clock()

        async def work(tx: Transaction) -> Principal | None:
            api_token = await tx.credentials.api_token_by_hash(token_hash)
            if api_token is not None:
                if api_token.expires_at is not None and api_token.expires_at <= now:
                    return None
                return Principal(label=f"token:{api_token.name}", roles={api_token.community_id: api_token.role})
            session = await tx.credentials.session_by_token_hash(token_hash)
            if session is None or session.is_expired(now):
                return None
            person = await tx.people.by_uuid(session.person_uuid)
            if person is None:
                return None
            return Principal(
                label=f"person:{person.uuid}", person=person, roles=await tx.communities.roles_of(person.id)
            )

        principal = await self._db.read(work)
        if principal is None:
            raise Unauthorized("Invalid or expired token")
        return principal

    async def chat_person(
        self, community: Community, provider: Provider, external_id: str, username: str, role: Role
    ) -> Person:
        """The person behind a chat identity, created on first sight.

        The chat username and the person's role in the community follow what the
        platform says now, so a moderator who loses the badge stops being a host.
        """
        now = self._clock()

        async def work(tx: Transaction) -> Person:
            person = await tx.people.by_identity(provider, external_id)
            if person is None:
                person = await tx.people.add(str(uuid.uuid4()), username, now)
            await tx.people.add_identity(Identity(person.id, provider, external_id, username))
            await tx.communities.set_role(community.id, person.id, role)
            return person

        return await self._db.write(work)

    def count_sign_in(self, method: str, client: str) -> None:
        """Count a sign-in by another ``method`` (such as an OAuth code) against the client's address.

        Raises RateLimited once the address has spent its attempts, like the other sign-ins.
        """
        self._limits.per_address.hit((method, client))

    async def open_session_for(self, person: Person) -> IssuedSession:
        """A new expiring session for a person identified some other way, e.g. by an OAuth provider."""
        return await self._open_session(person)

    async def _redeem_code(self, email_address: str, code: str, client: str) -> Person:
        email = normalise_email(email_address)
        self._limits.per_address.hit(("code", client))
        self._limits.per_account.hit(("code", email))
        failure = Unauthorized(f"Sorry, {code} doesn't match the confirmation code for email {email} !")
        if not re.fullmatch(r"[0-9]{4}", code):
            raise failure

        async def load(tx: Transaction) -> tuple[Person | None, str | None, int | None]:
            person = await tx.people.by_identity(Provider.EMAIL, email)
            live = await tx.credentials.live_code(person.id) if person else None
            usable = live is not None and live.expires_at > self._clock()
            if live is None or not usable or live.failed_attempts >= self._policy.max_code_attempts:
                return person, None, None
            return person, live.code_hash, live.id

        person, code_hash, code_id = await self._db.read(load)
        matches = await crypto.verify_secret(code, code_hash or _DUMMY_HASH)
        if person is None or code_id is None:
            raise failure
        now = self._clock()

        async def settle(tx: Transaction) -> Person | None:
            live = await tx.credentials.live_code(person.id)
            if live is None or live.id != code_id or live.failed_attempts >= self._policy.max_code_attempts:
                return None
            if not matches:
                await tx.credentials.count_failed_attempt(code_id)
                return None
            await tx.credentials.retire_code(code_id, now)
            return await tx.people.mark_email_confirmed(person.id, now)

        # The check-and-use is one write, so two requests cannot both redeem the code.
        confirmed = await self._db.write(settle)
        if confirmed is None:
            raise failure
        return confirmed

    async def _open_session(self, person: Person) -> IssuedSession:
        token = crypto.new_token()
        now = self._clock()

        async def work(tx: Transaction) -> AuthSession:
            return await tx.credentials.add_session(
                person.id, crypto.hash_token(token), now, now + self._policy.session_ttl
            )

        return IssuedSession(await self._db.write(work), token, person)

    async def _mail_code(self, email: str, display_name: str, code: str) -> None:
        body = (
            f"Hello {display_name},\n\n"
            f"Your tallybot confirmation code is {code}.\n"
            f"It works once, within {self._policy.code_ttl.days} days.\n\n"
            "If you did not ask for it, you can ignore this message.\n"
        )
        try:
            await self._mailer.send(email, "Your tallybot confirmation code", body)
        except OSError as exc:
            log.warning("confirmation mail could not be sent: %s", type(exc).__name__)
            raise Unavailable("We could not send the e-mail just now. Please ask for a new code in a minute.") from exc
