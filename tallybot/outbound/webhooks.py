"""The ``WebhookSender`` port over aiohttp: POST with a timeout, no redirects, public targets only.

Unless private targets are allowed, every address a host name resolves to is checked when
the connection is made, so a name that points at 127.0.0.1 or 169.254.169.254 (or is made
to later) is refused too, not only an address written in the URL.
"""

import errno
import ipaddress
import socket
import time
from urllib.parse import urlsplit

import aiohttp
from aiohttp.abc import AbstractResolver, ResolveResult
from aiohttp.resolver import DefaultResolver

from tallybot.core.events import DeliveryOutcome, WebhookRequest, WebhookResponse, is_public_address

MAX_RESPONSE_CHARS = 4000
_REFUSED = "refused: the target is a private, loopback or link-local address"


class PublicOnlyResolver(AbstractResolver):
    """Resolves host names, and refuses any that resolve to a non-public address."""

    def __init__(self) -> None:
        self._inner = DefaultResolver()

    async def resolve(
        self, host: str, port: int = 0, family: socket.AddressFamily = socket.AF_INET
    ) -> list[ResolveResult]:
        """The addresses of ``host``; OSError if one of them is not public."""
        results = await self._inner.resolve(host, port, family)
        if not all(is_public_address(ipaddress.ip_address(result["host"])) for result in results):
            raise OSError(errno.EACCES, _REFUSED)
        return results

    async def close(self) -> None:
        """Release the underlying resolver."""
        await self._inner.close()


def _is_private_literal(url: str) -> bool:
    # aiohttp connects to an address written in the URL without asking the resolver.
    try:
        return not is_public_address(ipaddress.ip_address(urlsplit(url).hostname or ""))
    except ValueError:
        return False


class AiohttpWebhookSender:
    """Sends webhook requests through one shared ClientSession, made on first use."""

    def __init__(self, timeout_seconds: float, allow_private: bool) -> None:
        self._timeout = aiohttp.ClientTimeout(total=timeout_seconds)
        self._allow_private = allow_private
        self._session: aiohttp.ClientSession | None = None
        self._resolver: PublicOnlyResolver | None = None

    def _client(self) -> aiohttp.ClientSession:
        if self._session is None:
            if self._allow_private:
                connector = aiohttp.TCPConnector()
            else:
                self._resolver = PublicOnlyResolver()
                connector = aiohttp.TCPConnector(resolver=self._resolver)
            self._session = aiohttp.ClientSession(connector=connector, timeout=self._timeout)
        return self._session

    async def send(self, request: WebhookRequest) -> WebhookResponse:
        """POST the request; a refused, failed or timed-out request comes back as a failure, not an exception."""
        started = time.perf_counter()

        def elapsed() -> int:
            return round((time.perf_counter() - started) * 1000)

        if not self._allow_private and _is_private_literal(request.url):
            return WebhookResponse(None, "", {}, "", elapsed(), DeliveryOutcome.ERROR, _REFUSED)
        try:
            async with self._client().post(
                request.url, data=request.body.encode(), headers=dict(request.headers), allow_redirects=False
            ) as response:
                body = await _read_some(response, MAX_RESPONSE_CHARS)
                return WebhookResponse(
                    status=response.status,
                    reason=response.reason or "",
                    headers=dict(response.headers),
                    body=body,
                    duration_ms=elapsed(),
                )
        except TimeoutError:
            return WebhookResponse(None, "", {}, "", elapsed(), DeliveryOutcome.TIMEOUT, "no answer in time")
        except (aiohttp.ClientError, OSError) as exc:
            error = f"{type(exc).__name__}: {exc}"[:500]
            return WebhookResponse(None, "", {}, "", elapsed(), DeliveryOutcome.ERROR, error)

    async def close(self) -> None:
        """Close the session and its connections."""
        if self._session is not None:
            await self._session.close()
            self._session = None
        if self._resolver is not None:
            await self._resolver.close()
            self._resolver = None


async def _read_some(response: aiohttp.ClientResponse, limit: int) -> str:
    data = b""
    while len(data) < limit:
        chunk = await response.content.read(limit - len(data))
        if not chunk:
            break
        data += chunk
    return data.decode("utf-8", errors="replace")
