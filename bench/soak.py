"""Soak: mixed traffic against the real server for ``--seconds`` (10 minutes by default).

Starts ``tallybot run`` as a subprocess on loopback (SQLite in a temporary directory), with
a fake GitHub OAuth provider, and runs at once, at steady rates:

- live votes (``POST /api/votes/live``);
- planning-poker long polls: participants wait for each prompt the owner creates, then vote;
- coffee transactions (``POST /1/transaction/create``) between signed-in members of a group;
- ``--subscribers`` WebSocket clients on ``/api/events``, each of which must get every vote event;
- webhook deliveries of every vote, coffee and poker-prompt event, which must each arrive
  exactly once, in outbox order.

The WebSocket clients and the webhook receiver run in helper processes of their own, so
that the 500 sockets do not slow the clients being timed, nor the receiver, whose speed
is the webhook's (one delivery at a time, to keep them in order).

It prints, per kind, the requests and errors with p50/p99 latency, and the server's VmRSS
at the start and end of the traffic (and in between), to show a leak. It exits 1 if there
was any error.

    .venv/bin/python bench/soak.py --seconds 600
"""

import argparse
import asyncio
import json
import multiprocessing
import os
import resource
import sqlite3
import sys
import tempfile
import time
from collections.abc import Awaitable, Callable
from datetime import UTC, datetime
from multiprocessing.connection import Connection
from pathlib import Path
from typing import Any

import aiohttp
from aiohttp import web

# Run as a script, this file's folder is on sys.path, not the checkout with the test fakes.
sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from tests.fake_oauth import FakeProvider, build_app
from tests.live_server import (
    Drinker,
    LiveServer,
    add_crew,
    add_webhook,
    bearer,
    coffee_group,
    create_token,
    free_port,
    start_game_night,
    write_config,
)

WATCHED = ("vote.received", "coffee.transaction", "poker.prompt")
TIMEOUT = aiohttp.ClientTimeout(total=None, sock_connect=30, sock_read=60)


class Stats:
    """Latencies (ms) and errors per kind of traffic."""

    def __init__(self) -> None:
        self.latencies: dict[str, list[float]] = {}
        self.errors: dict[str, list[str]] = {}

    def ok(self, kind: str, started: float) -> None:
        """A request that succeeded, timed from ``started`` (a perf_counter reading)."""
        self.latencies.setdefault(kind, []).append((time.perf_counter() - started) * 1000)

    def lag(self, kind: str, milliseconds: float) -> None:
        """A measured delay, such as an event's way from its commit to a client."""
        self.latencies.setdefault(kind, []).append(milliseconds)

    def error(self, kind: str, what: str) -> None:
        """Something that failed."""
        self.errors.setdefault(kind, []).append(what)
        self.latencies.setdefault(kind, [])

    def merge(self, latencies: dict[str, list[float]], errors: dict[str, list[str]]) -> None:
        """Add what a helper process measured."""
        for kind, values in latencies.items():
            self.latencies.setdefault(kind, []).extend(values)
        for kind, found in errors.items():
            self.errors.setdefault(kind, []).extend(found)

    def total_errors(self) -> int:
        """Every error of every kind."""
        return sum(len(found) for found in self.errors.values())

    def report(self) -> None:
        """Print one line per kind, then a few examples of each kind of error."""
        print(f"{'kind':<22}{'count':>9}{'errors':>8}{'p50 ms':>10}{'p99 ms':>10}{'max ms':>10}")
        for kind, values in self.latencies.items():
            ordered = sorted(values)
            cuts = [ordered[min(len(ordered) - 1, int(q * len(ordered)))] if ordered else 0.0 for q in (0.5, 0.99)]
            top = ordered[-1] if ordered else 0.0
            errors = len(self.errors.get(kind, []))
            print(f"{kind:<22}{len(values):>9}{errors:>8}{cuts[0]:>10.1f}{cuts[1]:>10.1f}{top:>10.1f}")
        for kind, found in self.errors.items():
            for what in sorted(set(found))[:5]:
                print(f"  {kind} error: {what[:200]}")


async def paced(rate: float, deadline: float, action: Callable[[int], Awaitable[None]]) -> None:
    """Call ``action(n)`` ``rate`` times a second until ``deadline``, on a fixed schedule."""
    interval = 1 / rate
    due = time.perf_counter()
    for n in range(sys.maxsize):
        if max(due, time.perf_counter()) >= deadline:
            return
        await action(n)
        due += interval
        await asyncio.sleep(max(0.0, due - time.perf_counter()))


def event_lag_ms(timestamp: str) -> float:
    """Milliseconds from an event's ``...Z`` timestamp until now."""
    occurred = datetime.fromisoformat(timestamp.replace("Z", "+00:00"))
    return (datetime.now(UTC) - occurred).total_seconds() * 1000


class Traffic:
    """The soak's clients, sharing one HTTP session."""

    def __init__(self, http: aiohttp.ClientSession, base: str, token: str, stats: Stats) -> None:
        self.http = http
        self.base = base
        self.token = token
        self.stats = stats
        self.deadline = time.perf_counter()
        self.votes_acknowledged = 0

    async def call(self, kind: str, method: str, path: str, body: object, token: str | None, expect: int) -> object:
        """One request; a wrong status, a coffee error body or a failure counts as an error."""
        started = time.perf_counter()
        headers = {} if token is None else bearer(token)
        try:
            async with self.http.request(method, self.base + path, json=body, headers=headers) as response:
                reply = await response.json() if response.status != 204 else None
                if response.status != expect or (isinstance(reply, dict) and "error" in reply):
                    self.stats.error(kind, f"{response.status} {reply}")
                    return None
        except (aiohttp.ClientError, TimeoutError) as exc:
            self.stats.error(kind, f"{type(exc).__name__}: {exc}")
            return None
        self.stats.ok(kind, started)
        return reply

    async def voter(self, number: int, rate: float) -> None:
        """Vote ``rate`` times a second, each time under a new username."""

        async def vote(n: int) -> None:
            body = {"username": f"soak-{number}-{n}", "vote": "up" if n % 4 else "down", "timestamp": _now()}
            if await self.call("vote", "POST", "/api/votes/live", body, self.token, 200) is not None:
                self.votes_acknowledged += 1

        await paced(rate, self.deadline, vote)

    async def drinker(self, group_id: int, buyer: Drinker, other: Drinker, rate: float) -> None:
        """Record coffees with another member ``rate`` times a second, either way round."""

        async def buy(n: int) -> None:
            body = {"group_id": group_id, "user_id": other.user_id, "amount": n % 3 + 1 if n % 2 else -1}
            await self.call("coffee", "POST", "/1/transaction/create", body, buyer.token, 200)

        await paced(rate, self.deadline, buy)

    async def poker(self, participants: int, every: float) -> None:
        """An owner creates a prompt every ``every`` seconds; each participant long-polls for it and votes."""
        created = await self.call("poker create", "POST", "/session/create", {"participant_id": "owner"}, None, 201)
        if not isinstance(created, dict):
            return
        session, owner = created["session_id"], created["token"]
        created_at: dict[str, float] = {}
        seats = []
        for n in range(participants):
            joined = await self.call(
                "poker join", "POST", f"/session/{session}/join", {"participant_id": f"p{n}"}, None, 200
            )
            if isinstance(joined, dict):
                seats.append(joined["token"])

        async def prompt(n: int) -> None:
            sent = time.perf_counter()
            reply = await self.call(
                "poker prompt", "POST", f"/session/{session}/prompt/create", {"prompt": f"Story {n}"}, owner, 201
            )
            if isinstance(reply, dict):
                created_at[reply["prompt_id"]] = sent

        waiters = [asyncio.create_task(self._participant(session, seat, created_at)) for seat in seats]
        await paced(1 / every, self.deadline, prompt)
        await asyncio.gather(*waiters)

    async def _participant(self, session: str, seat: str, created_at: dict[str, float]) -> None:
        last: str | None = None
        while (left := self.deadline - time.perf_counter()) > 0:
            # Polls end by the deadline, so that the soak ends on time.
            query = f"?timeout={min(5.0, left):.2f}" + ("" if last is None else f"&last_prompt_id={last}")
            try:
                async with self.http.get(f"{self.base}/session/{session}/prompt/wait{query}") as response:
                    if response.status == 204:
                        continue
                    reply = await response.json()
            except (aiohttp.ClientError, TimeoutError) as exc:
                self.stats.error("poker long poll", f"{type(exc).__name__}: {exc}")
                await asyncio.sleep(1)
                continue
            if response.status != 200:
                self.stats.error("poker long poll", f"{response.status} {reply}")
                await asyncio.sleep(1)
                continue
            last = reply["prompt_id"]
            if last in created_at:
                self.stats.lag("poker release", (time.perf_counter() - created_at[last]) * 1000)
            await self.call("poker vote", "POST", f"/session/{session}/prompt/{last}/vote", {"vote": "5"}, seat, 200)


def _now() -> str:
    return datetime.now(UTC).isoformat()


class Subscribers:
    """WebSocket clients of ``/api/events``; each counts the vote events it gets."""

    def __init__(self, http: aiohttp.ClientSession, url: str, count: int, stats: Stats) -> None:
        self.http = http
        self.url = url
        self.stats = stats
        self.counts = [0] * count
        self.sockets: list[aiohttp.ClientWebSocketResponse] = []
        self.connected = asyncio.Semaphore(0)
        self.stopping = False
        self.tasks = [asyncio.create_task(self._listen(n)) for n in range(count)]

    async def _listen(self, index: int) -> None:
        try:
            async with self.http.ws_connect(self.url) as ws:
                self.sockets.append(ws)
                self.connected.release()
                async for message in ws:
                    if message.type is not aiohttp.WSMsgType.TEXT:
                        continue
                    event = json.loads(message.data)
                    if event["type"] == "vote.received":
                        self.counts[index] += 1
                        # A sample of the clients measure the lag, so that measuring costs little.
                        if index % 20 == 0:
                            self.stats.lag("ws event lag", event_lag_ms(event["timestamp"]))
                if not self.stopping:
                    self.stats.error("ws event lag", f"closed by the server: {ws.close_code}")
        except (aiohttp.ClientError, TimeoutError) as exc:
            self.stats.error("ws event lag", f"{type(exc).__name__}: {exc}")
            self.connected.release()

    async def wait_connected(self) -> None:
        """Until every client has connected (or failed to)."""
        for _ in self.tasks:
            await self.connected.acquire()

    async def check(self, votes: int) -> str:
        """Every subscriber must get one event per acknowledged vote; then they all disconnect."""
        for _ in range(100):
            if min(self.counts, default=votes) >= votes:
                break
            await asyncio.sleep(0.1)
        short = [count for count in self.counts if count != votes]
        if short:
            self.stats.error("ws event lag", f"{len(short)} subscribers got {min(short)}..{max(short)} of {votes}")
        self.stopping = True
        for ws in self.sockets:
            await ws.close()
        await asyncio.gather(*self.tasks)
        return f"websockets: {len(self.counts)} subscribers, {len(short)} without every one of {votes} vote events"


async def _hold_subscribers(url: str, count: int, pipe: Connection) -> None:
    stats = Stats()
    loop = asyncio.get_running_loop()
    async with aiohttp.ClientSession(connector=aiohttp.TCPConnector(limit=0)) as http:
        subscribers = Subscribers(http, url, count, stats)
        await subscribers.wait_connected()
        pipe.send("connected")
        votes = await loop.run_in_executor(None, pipe.recv)
        summary = await subscribers.check(votes)
    pipe.send((summary, stats.latencies, stats.errors))


def hold_subscribers(url: str, count: int, pipe: Connection) -> None:
    """Child process: connect ``count`` clients, then check them against the vote count the pipe sends."""
    _raise_fd_limit()
    asyncio.run(_hold_subscribers(url, count, pipe))


async def _receive_webhooks(pipe: Connection) -> None:
    stats = Stats()
    ids: list[str] = []

    async def handle(request: web.Request) -> web.Response:
        body = await request.json()
        ids.append(body["id"])
        stats.lag("webhook lag", event_lag_ms(body["timestamp"]))
        return web.Response(text="ok")

    app = web.Application()
    app.router.add_post("/hook", handle)
    runner = web.AppRunner(app, access_log=None)
    await runner.setup()
    await web.TCPSite(runner, "127.0.0.1", 0).start()
    pipe.send(f"http://127.0.0.1:{runner.addresses[0][1]}/hook")
    loop = asyncio.get_running_loop()
    while await loop.run_in_executor(None, pipe.recv) == "ids":
        pipe.send(list(ids))
    await runner.cleanup()
    pipe.send((stats.latencies, stats.errors))


def receive_webhooks(pipe: Connection) -> None:
    """Child process: a webhook receiver that sends the event ids it got, in order, each time it is asked."""
    asyncio.run(_receive_webhooks(pipe))


class Child:
    """A helper process, spoken to over a pipe.

    The WebSocket clients and the webhook receiver each get their own, so that neither
    slows the other or the clients whose latencies are measured: the receiver answers
    each delivery before the next is sent, so its speed is the webhook's speed.
    """

    def __init__(self, target: Callable[..., None], *args: object) -> None:
        context = multiprocessing.get_context("spawn")
        self.pipe, theirs = context.Pipe()
        self.process = context.Process(target=target, args=(*args, theirs), daemon=True)
        self.process.start()

    async def receive(self) -> Any:
        """The next thing the child sends."""
        return await asyncio.get_running_loop().run_in_executor(None, self.pipe.recv)

    async def ask(self, message: object) -> Any:
        """Send a message and wait for the answer."""
        self.pipe.send(message)
        return await self.receive()

    def join(self) -> None:
        """Wait for the child to exit."""
        self.process.join(timeout=30)


def _read_only(database: Path) -> sqlite3.Connection:
    return sqlite3.connect(f"{database.resolve().as_uri()}?mode=ro", uri=True)


def watched_events(database: Path, webhook_id: int) -> list[str]:
    """The ids of the events the webhook must deliver, in outbox order."""
    query = (
        "SELECT o.event_id FROM outbox o JOIN webhooks w ON w.id = ? "
        "WHERE o.sequence > w.after_sequence AND o.type IN (?, ?, ?) ORDER BY o.sequence"
    )
    conn = _read_only(database)
    try:
        return [row[0] for row in conn.execute(query, (webhook_id, *WATCHED))]
    finally:
        conn.close()


def round_trips(database: Path, webhook_id: int) -> list[float]:
    """How long the receiver took to answer, as the server timed it, for the newest attempts it keeps."""
    query = "SELECT duration_ms FROM webhook_attempts WHERE webhook_id = ? ORDER BY id DESC"
    conn = _read_only(database)
    try:
        return [float(row[0]) for row in conn.execute(query, (webhook_id,))]
    finally:
        conn.close()


async def check_webhooks(database: Path, webhook_id: int, receiver: Child, stats: Stats, drain: float) -> str:
    """Wait for the backlog to drain, then compare what arrived with the outbox."""
    started = time.perf_counter()
    while True:
        expected = watched_events(database, webhook_id)
        ids: list[str] = await receiver.ask("ids")
        if set(expected) <= set(ids) or time.perf_counter() - started >= drain:
            break
        await asyncio.sleep(0.5)
    drained = time.perf_counter() - started
    stats.merge(*await receiver.ask("stop"))
    stats.latencies["webhook round trip"] = round_trips(database, webhook_id)
    missing = len(set(expected) - set(ids))
    duplicates = len(ids) - len(set(ids))
    in_order = list(dict.fromkeys(ids)) == expected
    for count, what in ((missing, "missing"), (duplicates, "duplicates")):
        if count:
            stats.error("webhook lag", f"{count} {what}")
    if not missing and not in_order:
        stats.error("webhook lag", "out of outbox order")
    return (
        f"webhooks: {len(expected)} events, {len(set(ids))} delivered, {missing} missing, {duplicates} duplicates, "
        f"{'in' if in_order else 'NOT in'} outbox order; the backlog drained {drained:.1f} s after the traffic"
    )


async def sample_memory(server: LiveServer, every: float, samples: list[int]) -> None:
    """Append the server's VmRSS to ``samples`` every ``every`` seconds, until cancelled."""
    while True:
        await asyncio.sleep(every)
        samples.append(server.rss_kib())


async def soak(args: argparse.Namespace) -> int:
    """Run the soak; returns the number of errors."""
    stats = Stats()
    provider = FakeProvider()
    logins = add_crew(provider, args.drinkers)
    runner = web.AppRunner(build_app(provider), access_log=None)
    await runner.setup()
    await web.TCPSite(runner, "127.0.0.1", 0).start()
    receiver = Child(receive_webhooks)
    hook_url = await receiver.receive()
    with tempfile.TemporaryDirectory() as folder:
        directory = Path(folder)
        port = free_port()
        config = write_config(directory, port, f"http://127.0.0.1:{runner.addresses[0][1]}")
        server = LiveServer(config, port, directory / "server.log")
        token = await create_token(config)
        took = await server.start()
        print(f"server pid {server.pid} on {server.base_url}, up in {took:.1f} s; {os.cpu_count()} CPUs", flush=True)
        try:
            async with aiohttp.ClientSession(connector=aiohttp.TCPConnector(limit=0), timeout=TIMEOUT) as http:
                base = server.base_url
                await start_game_night(http, base, token)
                webhook_id = await add_webhook(http, base, token, hook_url, "soak secret", WATCHED)
                group_id, drinkers = await coffee_group(http, base, provider, logins)
                summary = await drive(server, args, Traffic(http, base, token, stats), group_id, drinkers)
            summary.append(await check_webhooks(directory / "tallybot.db", webhook_id, receiver, stats, args.drain))
        finally:
            status = await server.stop()
            await runner.cleanup()
            receiver.join()
        if status != 0:
            stats.error("server", f"exit status {status}")
        if status != 0 or "Traceback" in server.log():
            stats.error("server", "a traceback in the server log")
            print("server log, without its access lines:")
            print("\n".join(line for line in server.log().splitlines() if "aiohttp.access" not in line)[-6000:])
    stats.report()
    for line in summary:
        print(line)
    print(f"total errors: {stats.total_errors()}")
    return stats.total_errors()


async def drive(
    server: LiveServer, args: argparse.Namespace, traffic: Traffic, group_id: int, drinkers: list[Drinker]
) -> list[str]:
    """Connect the subscribers, run the traffic until the deadline, and check them; returns summary lines."""
    subscribers = Child(hold_subscribers, server.base_url.replace("http", "ws", 1) + "/api/events", args.subscribers)
    await subscribers.receive()
    memory = [server.rss_kib()]
    cpu = server.cpu_seconds()
    started = time.perf_counter()
    traffic.deadline = started + args.seconds
    sampler = asyncio.create_task(sample_memory(server, max(args.seconds / 10, 1.0), memory))
    clients = [traffic.voter(n, args.vote_rate / args.voters) for n in range(args.voters)]
    pairs = zip(drinkers, drinkers[1:] + drinkers[:1], strict=True)
    clients += [traffic.drinker(group_id, a, b, args.coffee_rate / len(drinkers)) for a, b in pairs]
    clients.append(traffic.poker(args.pollers, args.prompt_every))
    await asyncio.gather(*clients)
    sampler.cancel()
    memory.append(server.rss_kib())
    elapsed = time.perf_counter() - started
    busy = (server.cpu_seconds() - cpu) / elapsed
    checked, latencies, errors = await subscribers.ask(traffic.votes_acknowledged)
    subscribers.join()
    traffic.stats.merge(latencies, errors)
    return [
        f"traffic: {elapsed:.1f} s; {args.voters} voters at {args.vote_rate:g}/s, {len(drinkers)} coffee drinkers"
        f" at {args.coffee_rate:g}/s, {args.pollers} poker long-pollers (a prompt every {args.prompt_every:g} s)",
        f"server CPU: {busy:.0%} of one core during the traffic; load average {os.getloadavg()[0]:.1f}",
        checked,
        f"server memory: VmRSS {memory[0] / 1024:.1f} MiB at the start, {memory[-1] / 1024:.1f} MiB at the end "
        f"({(memory[-1] - memory[0]) / 1024:+.1f} MiB); samples: {' '.join(f'{m / 1024:.1f}' for m in memory)}",
    ]


def _raise_fd_limit() -> None:
    _, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    resource.setrlimit(resource.RLIMIT_NOFILE, (hard, hard))


def main() -> int:
    """Parse the arguments, run the soak, and exit 1 on any error."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=float, default=600.0, help="how long the traffic runs")
    parser.add_argument("--subscribers", type=int, default=500, help="WebSocket clients of /api/events")
    parser.add_argument("--voters", type=int, default=4)
    parser.add_argument("--vote-rate", type=float, default=10.0, help="votes per second, all voters together")
    parser.add_argument("--drinkers", type=int, default=6)
    parser.add_argument("--coffee-rate", type=float, default=5.0, help="transactions per second, all together")
    parser.add_argument("--pollers", type=int, default=30, help="poker participants long-polling for prompts")
    parser.add_argument("--prompt-every", type=float, default=3.0, help="seconds between poker prompts")
    parser.add_argument("--drain", type=float, default=30.0, help="seconds the webhooks may take to catch up")
    args = parser.parse_args()
    _raise_fd_limit()
    return 1 if asyncio.run(soak(args)) else 0


if __name__ == "__main__":
    sys.exit(main())
