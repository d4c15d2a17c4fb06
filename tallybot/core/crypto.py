"""Secrets: generating tokens and codes, and hashing them for storage.

Tokens are long and random, so a plain SHA-256 is enough to make a stolen database
useless. Passwords and 4-digit codes are guessable, so they get a salted scrypt.
"""

import asyncio
import base64
import hashlib
import hmac
import secrets

_SCRYPT_N = 2**14
_SCRYPT_R = 8
_SCRYPT_P = 1


def new_token() -> str:
    """32 random bytes, URL-safe: an API token or a session token."""
    return secrets.token_urlsafe(32)


def new_code() -> str:
    """A 4-digit confirmation code."""
    return f"{secrets.randbelow(10_000):04d}"


def hash_token(token: str) -> str:
    """The hex SHA-256 of a token, which is all that is stored."""
    return hashlib.sha256(token.encode()).hexdigest()


def _scrypt(secret: str, salt: bytes, n: int, r: int, p: int) -> bytes:
    return hashlib.scrypt(secret.encode(), salt=salt, n=n, r=r, p=p, maxmem=64 * 1024 * 1024, dklen=32)


def _encode(salt: bytes, digest: bytes) -> str:
    salt_text = base64.b64encode(salt).decode()
    digest_text = base64.b64encode(digest).decode()
    return f"scrypt${_SCRYPT_N}${_SCRYPT_R}${_SCRYPT_P}${salt_text}${digest_text}"


async def hash_secret(secret: str) -> str:
    """Salted scrypt of a password or code, as ``scrypt$n$r$p$salt$digest``.

    scrypt is deliberately slow, so it runs in a thread to keep the event loop free.
    """
    salt = secrets.token_bytes(16)
    digest = await asyncio.to_thread(_scrypt, secret, salt, _SCRYPT_N, _SCRYPT_R, _SCRYPT_P)
    return _encode(salt, digest)


async def verify_secret(secret: str, encoded: str) -> bool:
    """True if ``secret`` hashes to ``encoded`` (constant-time comparison)."""
    try:
        scheme, n, r, p, salt_text, digest_text = encoded.split("$")
        salt = base64.b64decode(salt_text)
        expected = base64.b64decode(digest_text)
    except ValueError:
        return False
    if scheme != "scrypt":
        return False
    digest = await asyncio.to_thread(_scrypt, secret, salt, int(n), int(r), int(p))
    return hmac.compare_digest(digest, expected)
