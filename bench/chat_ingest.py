"""Chat votes through the core: 100,000 ``thisgame++`` / ``thisgame--`` messages.

Builds a real SQLite file with two games in an active session, then hands every message
to the core's chat-vote methods, the ones the chat adapters call, in two ways:

- ``batched``: ``VoteService.chat_messages`` with ``--chunk`` messages per call, all calls
  in flight at once, as adapters flushing what they received;
- ``one by one``: ``VoteService.chat_message`` once per message, all in flight at once.

Either way the core writes them in a few units of work and still applies the
one-vote-per-second rule. Prints messages and votes per second, and checks the counted
totals against an independent count.

    .venv/bin/python bench/chat_ingest.py --messages 100000 --chunk 500
"""

import argparse
import asyncio
import random
import tempfile
import time
from collections import Counter
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from pathlib import Path

from tallybot.bot.__main__ import open_services
from tallybot.core.gamenight import ChatVoteOutcome, GameDetails
from tallybot.core.models import Principal
from tallybot.settings import parse_settings

START = datetime(2026, 11, 23, 20, 0, tzinfo=UTC)
HALF_TIME = START + timedelta(minutes=30)


def chat(messages: int, users: int, seed: int) -> list[tuple[str, str, datetime]]:
    """Messages in time order over an hour; about one in ten repeats its sender within a second."""
    rng = random.Random(seed)
    step = 3600 / messages
    out: list[tuple[str, str, datetime]] = []
    for n in range(messages):
        moment = START + timedelta(seconds=n * step)
        username = out[-1][0] if out and rng.random() < 0.1 else f"viewer{rng.randrange(users)}"
        out.append((username, rng.choice(("thisgame++", "thisgame--")), moment))
    return out


def expected_totals(messages: list[tuple[str, str, datetime]]) -> Counter[tuple[str, str]]:
    """The one-second rule counted the plain way: each user's last counted vote, in time order."""
    last: dict[str, datetime] = {}
    totals: Counter[tuple[str, str]] = Counter()
    for username, text, moment in messages:
        if username in last and moment - last[username] < timedelta(seconds=1):
            continue
        last[username] = moment
        game = "first" if moment < HALF_TIME else "second"
        totals[game, "up" if text.endswith("++") else "down"] += 1
    return totals


async def run(folder: Path, messages: int, users: int, chunk: int | None) -> None:
    """Seed a session, push the chat through the core (in chunks, or one by one), and print the figures."""
    base = parse_settings({}, {})
    settings = replace(base, storage=replace(base.storage, path=str(folder / "bench.db")))
    now = [START]
    async with open_services(settings, clock=lambda: now[0]) as services:
        community = services.default_community
        # The benchmark sets up its night as the operator would, a host of the community.
        host = Principal.host(community, "bench")
        first = await services.games.add_game(host, community, GameDetails("Bench Pack", "First Game", 1, 8))
        second = await services.games.add_game(host, community, GameDetails("Bench Pack", "Second Game", 1, 8))
        session = await services.game_nights.start(host, community, "benchmark")
        await services.game_nights.add_game(host, community, session.id, first.id, False, None)
        now[0] = HALF_TIME
        await services.game_nights.add_game(host, community, session.id, second.id, False, None)

        log = chat(messages, users, seed=7)
        started = time.perf_counter()
        if chunk is None:
            outcomes = await asyncio.gather(*(services.votes.chat_message(community, *m) for m in log))
        else:
            calls = (services.votes.chat_messages(community, log[n : n + chunk]) for n in range(0, len(log), chunk))
            outcomes = [outcome for part in await asyncio.gather(*calls) for outcome in part]
        elapsed = time.perf_counter() - started

        counted = Counter(outcomes)
        want = expected_totals(log)
        got = {}
        for name, game in (("first", first), ("second", second)):
            stats = await services.games.get_game(community, game.id)
            got[name, "up"], got[name, "down"] = stats.upvotes, stats.downvotes
        stored = (await services.votes.page(community, session_id=session.id, limit=1)).total
        exact = got == dict(want) and stored == counted[ChatVoteOutcome.COUNTED] == sum(want.values())
        how = "one by one" if chunk is None else f"batched, {chunk:,} per call"
        print(f"{how}: {messages:,} chat messages from {users:,} users in {elapsed:.2f} s")
        print(f"  {messages / elapsed:,.0f} messages/s, {counted[ChatVoteOutcome.COUNTED] / elapsed:,.0f} votes/s")
        print(
            f"  counted {counted[ChatVoteOutcome.COUNTED]:,}, refused as repeats within 1 s "
            f"{counted[ChatVoteOutcome.DUPLICATE]:,}, stored {stored:,}"
        )
        print(f"  totals {dict(sorted(got.items()))}")
        print(f"  totals exact: {'yes' if exact else 'NO, expected ' + str(dict(sorted(want.items())))}")


def main() -> None:
    """Parse the arguments and run once on a temporary database."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--messages", type=int, default=100_000)
    parser.add_argument("--users", type=int, default=5_000)
    parser.add_argument("--chunk", type=int, default=500, help="messages per chat_messages call")
    args = parser.parse_args()
    for chunk in (args.chunk, None):
        with tempfile.TemporaryDirectory() as folder:
            asyncio.run(run(Path(folder), args.messages, args.users, chunk))


if __name__ == "__main__":
    main()
