"""OAuth tokens the chat adapters keep for platform accounts, such as the Twitch bot's user token.

Our own secrets (sessions, API tokens, codes) are stored hashed, because we only ever compare
them. These tokens are different: the adapter must present them to the platform again, so they
cannot be hashed. When a key is configured they are sealed with Fernet (AES-128-CBC with an
HMAC-SHA256), so a copy of the database, or a backup of it, does not hand out the bot's account;
the key lives in the environment (``TALLYBOT_TWITCH_TOKEN_KEY``), apart from the database file.
Without a key they are stored as they are, and the adapter warns about it. Either way they are
never logged: ``PlatformToken`` leaves them out of its ``repr``.
"""

import base64
import hashlib
import logging

from cryptography.fernet import Fernet, InvalidToken

from tallybot.core.accounts.models import PlatformToken, StoredPlatformToken
from tallybot.core.errors import Unavailable
from tallybot.core.models import Platform
from tallybot.core.ports import Clock, Database, Transaction

log = logging.getLogger(__name__)

_SEALED = "sealed:"
_PLAIN = "plain:"


class TokenSealer:
    """Seals token text for storage and opens it again; with an empty key it only marks it plain."""

    def __init__(self, key: str) -> None:
        # Any long random string will do as the key: its SHA-256 is the 32 bytes Fernet wants.
        digest = hashlib.sha256(key.encode()).digest()
        self._fernet = Fernet(base64.urlsafe_b64encode(digest)) if key else None

    @property
    def seals(self) -> bool:
        """True if tokens are encrypted before they are stored."""
        return self._fernet is not None

    def seal(self, token: str) -> str:
        """The text to store for a token."""
        if self._fernet is None:
            return _PLAIN + token
        return _SEALED + self._fernet.encrypt(token.encode()).decode()

    def open(self, stored: str) -> str:
        """The token behind stored text; Unavailable if it was sealed with a key we do not have."""
        if stored.startswith(_PLAIN):
            return stored.removeprefix(_PLAIN)
        if self._fernet is None:
            raise Unavailable("The stored tokens are encrypted, and no token key is configured")
        try:
            return self._fernet.decrypt(stored.removeprefix(_SEALED).encode()).decode()
        except InvalidToken:
            raise Unavailable("The stored tokens were encrypted with a different token key") from None


class PlatformTokenService:
    """Stores and loads the token pairs of platform accounts, one pair per account."""

    def __init__(self, db: Database, clock: Clock, sealer: TokenSealer) -> None:
        self._db = db
        self._clock = clock
        self._sealer = sealer

    @property
    def encrypted(self) -> bool:
        """True if tokens are encrypted at rest."""
        return self._sealer.seals

    async def save(self, platform: Platform, user_id: str, access_token: str, refresh_token: str) -> PlatformToken:
        """Keep an account's newest token pair, replacing the one stored before."""
        token = PlatformToken(platform, user_id, access_token, refresh_token, self._clock())
        stored = StoredPlatformToken(
            platform, user_id, self._sealer.seal(access_token), self._sealer.seal(refresh_token), token.updated_at
        )

        async def work(tx: Transaction) -> None:
            await tx.platform_tokens.put(stored)

        await self._db.write(work)
        return token

    async def load(self, platform: Platform) -> list[PlatformToken]:
        """Every account's token pair on a platform that can be opened; the others are logged and left out."""

        async def work(tx: Transaction) -> list[StoredPlatformToken]:
            return await tx.platform_tokens.all(platform)

        usable = []
        for stored in await self._db.read(work):
            try:
                access, refresh = self._sealer.open(stored.sealed_access), self._sealer.open(stored.sealed_refresh)
            except Unavailable as error:
                log.warning("cannot use the stored %s token of user %s: %s", platform.value, stored.user_id, error)
                continue
            usable.append(PlatformToken(platform, stored.user_id, access, refresh, stored.updated_at))
        return usable
