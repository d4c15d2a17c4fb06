"""Planning-poker long polls at scale: many waiters on one session, released by one prompt.

Starts the real app (aiohttp AppRunner + TCPSite on 127.0.0.1, SQLite in a temporary
directory) in a child process, holds N concurrent ``GET /session/{id}/prompt/wait`` long
polls on one session over loopback, creates a prompt, and prints:

- how many waiters were released (it must be all of them);
- the p50/p99 time from sending the create to each waiter's complete response, as the
  clients see it, and from the create's arrival to each response leaving, as the server sees it;
- the server's memory per waiter: the growth of its VmRSS while it holds the waiters,
  divided by N. The server runs in its own process so its memory is not mixed with the clients'.

    .venv/bin/python bench/poker_longpoll.py --waiters 5000
"""

import argparse
import asyncio
import json
import os
import resource
import statistics
import sys
import tempfile
import time
from dataclasses import replace
from pathlib import Path

import aiohttp
from aiohttp import web
from aiohttp.typedefs import Handler

from tallybot.api.app import create_app
from tallybot.api.middlewares import AccessLogger
from tallybot.bot.__main__ import open_services
from tallybot.settings import parse_settings

ROOT = Path(__file__).resolve().parent.parent
PROMPT = "Add OpenID Connect to the Application's Authorization flow"


def raise_fd_limit() -> int:
    """Let this process (and its child) open as many sockets as the hard limit allows."""
    _, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    resource.setrlimit(resource.RLIMIT_NOFILE, (hard, hard))
    return hard


def rss_kib(pid: int) -> int:
    """A process's resident set size, from /proc."""
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1])
    raise RuntimeError(f"no VmRSS for process {pid}")


def percentile(values: list[float], fraction: float) -> float:
    """The nearest-rank percentile."""
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, max(0, round(fraction * len(ordered)) - 1))]


def spread(milliseconds: list[float]) -> str:
    """p50, p99 and max of some times."""
    p50, p99 = percentile(milliseconds, 0.5), percentile(milliseconds, 0.99)
    return f"p50 {p50:.1f} ms, p99 {p99:.1f} ms, max {max(milliseconds):.1f} ms"


class Timings:
    """Server-side instrumentation: when the create arrived and when each released waiter's answer left."""

    def __init__(self) -> None:
        self.created_at: float | None = None
        self.answers: list[float] = []

    @web.middleware
    async def mark_create(self, request: web.Request, handler: Handler) -> web.StreamResponse:
        if request.path.endswith("/prompt/create"):
            self.created_at = time.perf_counter()
        return await handler(request)

    async def mark_answer(self, request: web.Request, response: web.StreamResponse) -> None:
        if request.path.endswith("/prompt/wait") and response.status == 200:
            self.answers.append(time.perf_counter())

    def since_create(self) -> list[float]:
        assert self.created_at is not None
        return [round((at - self.created_at) * 1000, 3) for at in self.answers]


async def serve(directory: Path) -> None:
    """The child: run the app, print its port, then answer commands on stdin until it closes."""
    base = parse_settings({}, {})
    settings = replace(
        base,
        storage=replace(base.storage, path=str(directory / "tallybot.db")),
        email=replace(base.email, outbox_path=str(directory / "outbox.txt")),
    )
    loop = asyncio.get_running_loop()
    timings = Timings()
    async with open_services(settings) as services:
        app = create_app(services, settings.api.max_body_bytes)
        app.middlewares.append(timings.mark_create)
        app.on_response_prepare.append(timings.mark_answer)
        runner = web.AppRunner(app, access_log_class=AccessLogger)
        await runner.setup()
        await web.TCPSite(runner, "127.0.0.1", 0, backlog=8192).start()
        print("port", runner.addresses[0][1], flush=True)
        try:
            while line := await loop.run_in_executor(None, sys.stdin.readline):
                if line.strip() == "waiting":
                    print("waiting", services.poker.waiting, flush=True)
                elif line.strip() == "timings":
                    print("timings", json.dumps(timings.since_create()), flush=True)
        finally:
            await runner.cleanup()


class Server:
    """The child process, driven over its stdin and stdout."""

    def __init__(self, process: asyncio.subprocess.Process) -> None:
        self.process = process

    async def ask(self, command: str) -> str:
        assert self.process.stdin is not None
        assert self.process.stdout is not None
        self.process.stdin.write(command.encode() + b"\n")
        await self.process.stdin.drain()
        word, _, answer = (await self.process.stdout.readline()).decode().partition(" ")
        assert word == command, word
        return answer

    async def stop(self) -> None:
        assert self.process.stdin is not None
        self.process.stdin.close()
        await self.process.wait()


async def drive(server: Server, port: int, waiters: int, wait_seconds: int) -> None:
    """Hold the waiters, create one prompt, and print the figures."""
    base = f"http://127.0.0.1:{port}"
    timeout = aiohttp.ClientTimeout(total=None, sock_connect=30, sock_read=wait_seconds + 30)
    async with aiohttp.ClientSession(connector=aiohttp.TCPConnector(limit=0), timeout=timeout) as http:
        async with http.post(f"{base}/session/create", json={"participant_id": "Dale"}) as response:
            created = await response.json()
        session_id, token = created["session_id"], created["token"]
        wait_url = f"{base}/session/{session_id}/prompt/wait?timeout={wait_seconds}"
        # Warm every code path the waiters use, so the baseline holds no one-off allocations.
        async with http.get(f"{base}/session/{session_id}/prompt/wait?timeout=0") as response:
            assert response.status == 204
        baseline = rss_kib(server.process.pid)
        answered: list[tuple[int, bytes, float]] = []

        async def wait() -> None:
            try:
                async with http.get(wait_url) as response:
                    body = await response.read()
                    answered.append((response.status, body, time.perf_counter()))
            except (aiohttp.ClientError, TimeoutError) as exc:
                answered.append((-1, type(exc).__name__.encode(), time.perf_counter()))

        started = time.perf_counter()
        tasks = [asyncio.create_task(wait()) for _ in range(waiters)]
        # Poll the server until it holds every waiter (or one was answered already: an error).
        for _ in range(1200):
            held = int(await server.ask("waiting"))
            if held >= waiters or answered:
                break
            await asyncio.sleep(0.05)
        holding_after = time.perf_counter() - started
        held_rss = rss_kib(server.process.pid)

        create_sent = time.perf_counter()
        async with http.post(
            f"{base}/session/{session_id}/prompt/create",
            json={"prompt": PROMPT},
            headers={"Authorization": f"Bearer {token}"},
        ) as response:
            assert response.status == 201, await response.text()
            prompt_id = (await response.json())["prompt_id"]
        create_took = time.perf_counter() - create_sent
        await asyncio.gather(*tasks)
    server_side = json.loads(await server.ask("timings"))

    expected = {"prompt_id": prompt_id, "prompt": PROMPT}
    released = sum(1 for status, body, _ in answered if status == 200 and json.loads(body) == expected)
    client_side = [(at - create_sent) * 1000 for status, _, at in answered if status == 200]
    failures = sorted({f"{status} {body[:80]!r}" for status, body, _ in answered if status != 200})
    print(f"waiters held:            {held} of {waiters} (all connected and waiting after {holding_after:.2f} s)")
    print(f"released by one prompt:  {released} of {waiters}" + (f"  failures: {failures}" if failures else ""))
    print(f"the create request:      {create_took * 1000:.1f} ms")
    if client_side:
        mean = statistics.fmean(client_side)
        print(f"create -> response:      {spread(client_side)}, mean {mean:.1f} ms (clients)")
        print(f"create -> response out:  {spread(server_side)} (server)")
    growth = held_rss - baseline
    print(
        f"server memory:           VmRSS {baseline / 1024:.1f} MiB idle, {held_rss / 1024:.1f} MiB holding; "
        f"{growth / waiters:.1f} KiB per waiter"
    )


async def main() -> None:
    """Start the server child, drive it, and stop it."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--waiters", type=int, default=5000)
    parser.add_argument("--wait-seconds", type=int, default=60, help="the long polls' timeout (at most 60)")
    parser.add_argument("--serve", type=Path, help=argparse.SUPPRESS)
    args = parser.parse_args()
    limit = raise_fd_limit()
    if args.serve is not None:
        await serve(args.serve)
        return
    if args.waiters + 100 > limit:
        parser.error(f"{args.waiters} waiters need about {args.waiters + 100} file descriptors; the limit is {limit}")
    with tempfile.TemporaryDirectory() as directory:
        process = await asyncio.create_subprocess_exec(
            sys.executable,
            __file__,
            "--serve",
            directory,
            stdin=asyncio.subprocess.PIPE,
            stdout=asyncio.subprocess.PIPE,
            limit=1 << 24,
            env={**os.environ, "PYTHONPATH": str(ROOT)},
        )
        server = Server(process)
        try:
            assert process.stdout is not None
            word, port = (await asyncio.wait_for(process.stdout.readline(), 30)).decode().split()
            assert word == "port"
            print(f"server pid {process.pid} on 127.0.0.1:{port}; fd limit {limit}; {os.cpu_count()} CPUs")
            await drive(server, int(port), args.waiters, args.wait_seconds)
        finally:
            await server.stop()


if __name__ == "__main__":
    asyncio.run(main())
