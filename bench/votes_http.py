"""Live votes over HTTP: ``POST /api/votes/live`` against a bare aiohttp handler.

Each target runs in its own server process on loopback (web.AppRunner + TCPSite):

- ``tallybot``: the real app on a real SQLite file, with an active session and a game;
- ``bare``: one aiohttp handler that parses the same JSON body and answers 200.

This process then drives each for ``--seconds`` with ``--clients`` concurrent keep-alive
clients, every vote under a new username (so none is refused as a repeat). It prints the
requests per second and p50/p99 latency of both, their ratio, and how many votes that
tallybot acknowledged with 200 are missing from its database afterwards (must be 0).

    .venv/bin/python bench/votes_http.py --seconds 10 --clients 64
"""

import argparse
import asyncio
import multiprocessing
import sqlite3
import statistics
import tempfile
import time
from dataclasses import replace
from datetime import UTC, datetime
from multiprocessing.connection import Connection
from pathlib import Path

import aiohttp
from aiohttp import web

from tallybot.api.app import create_app
from tallybot.bot.__main__ import open_services
from tallybot.core.gamenight import GameDetails
from tallybot.core.models import Principal, Role
from tallybot.settings import parse_settings


async def _serve(app: web.Application, pipe: Connection, token: str) -> None:
    runner = web.AppRunner(app, access_log=None)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    port = runner.addresses[0][1]
    pipe.send((port, token))
    await asyncio.get_running_loop().run_in_executor(None, pipe.recv)
    await runner.cleanup()


async def _tallybot(db_path: str, pipe: Connection) -> None:
    base = parse_settings({}, {})
    settings = replace(base, storage=replace(base.storage, path=db_path))
    async with open_services(settings) as services:
        community = services.default_community
        # The benchmark sets up its night as the operator would, a host of the community.
        host = Principal.host(community, "bench")
        game = await services.games.add_game(host, community, GameDetails("Bench Pack", "Bench Game", 1, 8))
        session = await services.game_nights.start(host, community, "benchmark")
        await services.game_nights.add_game(host, community, session.id, game.id, False, None)
        token = (await services.accounts.create_api_token(community, Role.HOST, "bench")).secret
        await _serve(create_app(services, settings.api.max_body_bytes), pipe, token)


async def _bare_vote(request: web.Request) -> web.Response:
    body = await request.json()
    if not isinstance(body, dict):
        raise web.HTTPBadRequest()
    return web.json_response({"success": True})


async def _bare(pipe: Connection) -> None:
    app = web.Application()
    app.router.add_post("/api/votes/live", _bare_vote)
    await _serve(app, pipe, "unused")


def serve(kind: str, db_path: str, pipe: Connection) -> None:
    """Server process: run one target until the parent says stop."""
    asyncio.run(_tallybot(db_path, pipe) if kind == "tallybot" else _bare(pipe))


async def load(port: int, token: str, seconds: float, clients: int) -> tuple[list[float], set[str], int]:
    """Drive the server; returns each request's latency, the acknowledged usernames, and failures."""
    url = f"http://127.0.0.1:{port}/api/votes/live"
    headers = {"Authorization": f"Bearer {token}"}
    latencies: list[float] = []
    acknowledged: set[str] = set()
    failures = 0
    deadline = time.perf_counter() + seconds

    async def client(session: aiohttp.ClientSession, number: int) -> None:
        nonlocal failures
        sent = 0
        while time.perf_counter() < deadline:
            username = f"viewer-{number}-{sent}"
            sent += 1
            vote = {
                "username": username,
                "vote": "up" if sent % 3 else "down",
                "timestamp": datetime.now(UTC).isoformat(),
            }
            started = time.perf_counter()
            async with session.post(url, json=vote, headers=headers) as response:
                await response.read()
                if response.status == 200:
                    acknowledged.add(username)
                else:
                    failures += 1
            latencies.append(time.perf_counter() - started)

    connector = aiohttp.TCPConnector(limit=clients)
    async with aiohttp.ClientSession(connector=connector) as session:
        await asyncio.gather(*(client(session, n) for n in range(clients)))
    return latencies, acknowledged, failures


def measure(kind: str, db_path: str, seconds: float, clients: int) -> tuple[float, list[float], set[str], int]:
    """Start a target's server process, load it, stop it; returns rps, latencies, acknowledged, failures."""
    context = multiprocessing.get_context("spawn")
    parent, child = context.Pipe()
    process = context.Process(target=serve, args=(kind, db_path, child))
    process.start()
    port, token = parent.recv()
    started = time.perf_counter()
    latencies, acknowledged, failures = asyncio.run(load(port, token, seconds, clients))
    elapsed = time.perf_counter() - started
    parent.send("stop")
    process.join(timeout=30)
    return len(latencies) / elapsed, latencies, acknowledged, failures


def report(kind: str, rps: float, latencies: list[float], failures: int) -> None:
    """One line of figures for a target."""
    cuts = statistics.quantiles(latencies, n=100)
    print(
        f"{kind:>8}: {len(latencies):>7,} requests  {rps:>8,.0f} req/s  "
        f"p50 {cuts[49] * 1000:6.2f} ms  p99 {cuts[98] * 1000:6.2f} ms  non-200: {failures}"
    )


def main() -> None:
    """Measure both targets and print the comparison."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=float, default=10.0)
    parser.add_argument("--clients", type=int, default=64)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        db_path = str(Path(folder) / "votes.db")
        bare_rps, bare_latencies, _, bare_failures = measure("bare", db_path, args.seconds, args.clients)
        rps, latencies, acknowledged, failures = measure("tallybot", db_path, args.seconds, args.clients)
        with sqlite3.connect(db_path) as conn:
            stored = {row[0] for row in conn.execute("SELECT username FROM live_votes")}
    print(f"{args.clients} keep-alive clients over loopback, {args.seconds:g} s each")
    report("bare", bare_rps, bare_latencies, bare_failures)
    report("tallybot", rps, latencies, failures)
    print(f"tallybot / bare: {rps / bare_rps:.2f} of the requests per second")
    print(f"acknowledged votes missing from the database: {len(acknowledged - stored)} (of {len(acknowledged):,})")


if __name__ == "__main__":
    main()
