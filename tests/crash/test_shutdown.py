"""A graceful stop: SIGTERM lets every waiting client go at once, and the server exits cleanly.

The HTTP server waits for open requests before it exits, so a client that is still
waiting (a poker long poll of up to a minute, a WebSocket or SSE stream that never ends)
must be answered or closed first, or a restart waits for it.
"""

import asyncio
import time
from pathlib import Path

import aiohttp
from aiohttp import WSMsgType

from tests.live_server import LiveServer, free_port, write_config

STOP_SECONDS = 10


async def test_sigterm_answers_long_polls_closes_streams_and_exits_at_once(tmp_path: Path) -> None:
    port = free_port()
    server = LiveServer(write_config(tmp_path, port, "http://127.0.0.1:1"), port, tmp_path / "server.log")
    await server.start()
    base = server.base_url
    try:
        async with aiohttp.ClientSession() as http:
            async with http.post(f"{base}/session/create", json={"participant_id": "Dale"}) as response:
                session_id = (await response.json())["session_id"]
            poll = asyncio.create_task(http.get(f"{base}/session/{session_id}/prompt/wait?timeout=60"))
            socket = await http.ws_connect(f"{base.replace('http', 'ws', 1)}/api/events")
            stream = await http.get(f"{base}/api/events/stream")

            # Sent after the long poll, so answered after the server has taken the long poll in.
            async with http.get(f"{base}/healthz") as response:
                assert response.status == 200
            assert not poll.done()
            started = time.monotonic()
            status = await server.stop()
            stopped_after = time.monotonic() - started
            answered = await poll
            closing = await socket.receive()
            rest = await stream.content.read()
            answered.release()
            stream.release()
            await socket.close()
    finally:
        await server.stop()
    assert status == 0
    assert stopped_after < STOP_SECONDS
    assert answered.status == 204
    assert closing.type is WSMsgType.CLOSE
    assert b"retry: 3000" in rest
    assert "Traceback" not in server.log()
