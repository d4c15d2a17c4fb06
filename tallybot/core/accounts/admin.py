"""Game-night admin login: trade an admin key for a host API token that lives 24 hours.

An admin key is either one of the ``[api] admin_keys`` of bot.toml, or a live bearer token
that is a host of the community (an API token from ``tallybot token create --role host``,
or an accounts session of a host). Every attempt counts against the client address, and
every failed one against the community, so that guessing from many addresses is slow too.
"""

import hashlib
import hmac
from collections.abc import Sequence
from datetime import timedelta

from tallybot.core.accounts.models import IssuedApiToken
from tallybot.core.accounts.service import AccountLimits, AccountService
from tallybot.core.errors import Unauthorized
from tallybot.core.models import Community, Principal, Role
from tallybot.core.ports import Clock

LOGIN_TOKEN_TTL = timedelta(hours=24)
ISSUED_NAME = "admin login"
INVALID_KEY = "Invalid admin key"


def _digest(key: str) -> bytes:
    return hashlib.sha256(key.encode()).digest()


class AdminAuthService:
    """Checks admin keys and issues short-lived host tokens."""

    def __init__(
        self,
        accounts: AccountService,
        admin_keys: Sequence[str],
        limits: AccountLimits,
        clock: Clock,
        token_ttl: timedelta = LOGIN_TOKEN_TTL,
    ) -> None:
        self._accounts = accounts
        # Only digests are kept, so every comparison has the same length and takes the same time.
        self._key_digests = [_digest(key) for key in admin_keys]
        self._limits = limits
        self._clock = clock
        self._token_ttl = token_ttl

    async def login(self, community: Community, key: str, client: str) -> IssuedApiToken:
        """A new host token for the community, if ``key`` is an admin key; else Unauthorized."""
        self._limits.per_account.check(("admin-login", community.id))
        self._limits.per_address.hit(("admin-login", client))
        if not await self._is_host_key(community, key):
            self._limits.per_account.hit(("admin-login", community.id))
            raise Unauthorized(INVALID_KEY)
        expires_at = self._clock() + self._token_ttl
        return await self._accounts.create_api_token(community, Role.HOST, ISSUED_NAME, expires_at=expires_at)

    def verify(self, asker: Principal, community: Community) -> None:
        """That the asker's bearer token is a live host token for the community; else NotHost."""
        asker.check_host_of(community.id)

    async def _is_host_key(self, community: Community, key: str) -> bool:
        if self._is_admin_key(key):
            return True
        try:
            asker = await self._accounts.authenticate(key)
        except Unauthorized:
            return False
        return asker.is_host_of(community.id)

    def _is_admin_key(self, key: str) -> bool:
        candidate = _digest(key)
        matched = False
        # No early exit: how long this takes must not tell which key came close.
        for digest in self._key_digests:
            matched |= hmac.compare_digest(candidate, digest)
        return matched
