"""Talking HTTP/1.1 over a bare socket, to play the slow or broken clients a real client library will not."""

import asyncio
import contextlib
import json
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True)
class Answer:
    """Everything the server sent before it closed the connection."""

    raw: bytes

    @property
    def status(self) -> int | None:
        """The status code, or None if the server closed without answering."""
        if not self.raw:
            return None
        return int(self.raw.split(b" ", 2)[1])

    @property
    def headers(self) -> dict[str, str]:
        """The response headers, names in lower case."""
        head = self.raw.partition(b"\r\n\r\n")[0].decode("latin-1").split("\r\n")[1:]
        return {name.strip().lower(): value.strip() for name, _, value in (line.partition(":") for line in head)}

    def json(self) -> Any:
        """The body, parsed as JSON."""
        return json.loads(self.raw.partition(b"\r\n\r\n")[2])


async def exchange(port: int, pieces: Sequence[bytes], *, pause: float, wait: float = 15.0) -> Answer:
    """Send ``pieces`` with ``pause`` seconds between them until the server answers or closes.

    Returns all the server sent until it closed the connection. Waiting longer than
    ``wait`` seconds for that close fails the test.
    """
    reader, writer = await asyncio.open_connection("127.0.0.1", port)
    received = asyncio.create_task(reader.read())
    try:
        async with asyncio.timeout(wait):
            for piece in pieces:
                if received.done():
                    break
                try:
                    writer.write(piece)
                    await writer.drain()
                except ConnectionError:
                    break
                await asyncio.wait([received], timeout=pause)
            return Answer(await received)
    finally:
        received.cancel()
        writer.close()
        # The server may already have reset the connection.
        with contextlib.suppress(ConnectionError):
            await writer.wait_closed()


def request_head(method: str, path: str, **headers: str) -> bytes:
    """A request line and headers (``Content_Type`` becomes ``Content-Type``), with the blank line after them."""
    lines = [
        f"{method} {path} HTTP/1.1",
        "Host: 127.0.0.1",
        *(f"{k.replace('_', '-')}: {v}" for k, v in headers.items()),
    ]
    return ("\r\n".join(lines) + "\r\n\r\n").encode()
