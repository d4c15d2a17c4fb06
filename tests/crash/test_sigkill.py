"""Crash safety: SIGKILL the real server under load, start it again, and lose nothing acknowledged.

Many clients post live votes and coffee transactions to a ``tallybot run`` process while a
webhook receiver on loopback takes every vote and transaction event, more slowly than they
are made, so that deliveries queue up. Partway through, the server gets SIGKILL; then it
is started again on the same database. Afterwards:

- every vote and transaction that was answered with success is in the database;
- coffee balances still add up to zero, and each one agrees with the transaction ledger;
  the game's vote counters agree with the votes;
- the deliveries still pending at the kill reach the receiver after the restart, in outbox
  order. Only the one delivery that may have been in flight at the kill can arrive twice.
"""

import asyncio
import contextlib
import itertools
import sqlite3
from collections.abc import Iterator, Mapping
from datetime import UTC, datetime
from pathlib import Path

import aiohttp
from pytest_aiohttp import AiohttpServer

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
from tests.webhook_helpers import Receiver

VOTE_CLIENTS = 12
KILL_AFTER_VOTES = 400
KILL_AFTER_TRANSACTIONS = 60
WATCHED = ("vote.received", "coffee.transaction")


class Load:
    """Clients that vote and record coffees until the server goes away, remembering what succeeded."""

    def __init__(self, http: aiohttp.ClientSession, base: str, token: str, group_id: int) -> None:
        self._http = http
        self._base = base
        self._token = token
        self._group_id = group_id
        self.votes: set[str] = set()
        self.transactions: set[str] = set()
        self.refusals: list[str] = []
        self.killed = False
        self.enough = asyncio.Event()

    def _tally(self) -> None:
        if len(self.votes) >= KILL_AFTER_VOTES and len(self.transactions) >= KILL_AFTER_TRANSACTIONS:
            self.enough.set()

    async def _post(self, path: str, body: Mapping[str, object], token: str) -> tuple[int, dict[str, object]] | None:
        """The answer, or None once the server is gone (a connection error after the kill)."""
        try:
            async with self._http.post(self._base + path, json=body, headers=bearer(token)) as response:
                return response.status, await response.json()
        except aiohttp.ClientError:
            if self.killed:
                return None
            raise

    async def voter(self, number: int) -> None:
        """Post votes, each under a new username, until the server is gone."""
        for sent in itertools.count():
            username = f"viewer-{number}-{sent}"
            vote = {"username": username, "vote": "up" if sent % 3 else "down", "timestamp": _now()}
            answer = await self._post("/api/votes/live", vote, self._token)
            if answer is None:
                return
            status, body = answer
            if status == 200 and body.get("success") is True:
                self.votes.add(username)
                self._tally()
            else:
                self.refusals.append(f"vote {status} {body}")

    async def drinker(self, buyer: Drinker, other: Drinker) -> None:
        """Record coffees with another member, either way round, until the server is gone."""
        for sent in itertools.count():
            note = f"{buyer.login}-{sent}"
            amount = sent % 3 + 1 if sent % 2 else -(sent % 3 + 1)
            body = {"group_id": self._group_id, "user_id": other.user_id, "amount": amount, "note": note}
            answer = await self._post("/1/transaction/create", body, buyer.token)
            if answer is None:
                return
            status, reply = answer
            if status == 200 and "error" not in reply:
                self.transactions.add(note)
                self._tally()
            else:
                self.refusals.append(f"transaction {status} {reply}")


def _now() -> str:
    return datetime.now(UTC).isoformat()


@contextlib.contextmanager
def read_only(database: Path) -> Iterator[sqlite3.Connection]:
    """The database file opened read-only, as an auditor would."""
    conn = sqlite3.connect(f"{database.resolve().as_uri()}?mode=ro", uri=True)
    try:
        yield conn
    finally:
        conn.close()


def watched_events(database: Path, webhook_id: int) -> list[str]:
    """The ids of the events the webhook must receive, in outbox order."""
    query = (
        "SELECT o.event_id FROM outbox o JOIN webhooks w ON w.id = ? "
        "WHERE o.sequence > w.after_sequence AND o.type IN (?, ?) ORDER BY o.sequence"
    )
    with read_only(database) as conn:
        return [row[0] for row in conn.execute(query, (webhook_id, *WATCHED))]


async def wait_for_deliveries(database: Path, webhook_id: int, receiver: Receiver) -> list[str]:
    """Wait until the receiver has acknowledged every watched event; returns those events."""
    while True:
        expected = watched_events(database, webhook_id)
        if set(expected) <= set(receiver.acknowledged()):
            return expected
        await asyncio.sleep(0.1)


def first_occurrences(ids: list[str]) -> list[str]:
    return list(dict.fromkeys(ids))


async def test_acknowledged_writes_survive_a_sigkill_and_pending_webhooks_are_delivered_after_restart(
    tmp_path: Path, aiohttp_server: AiohttpServer
) -> None:
    provider = FakeProvider()
    logins = add_crew(provider, 6)
    provider_url = str((await aiohttp_server(build_app(provider))).make_url("")).rstrip("/")
    # Slower than the load, so that deliveries are still queued when the server dies.
    receiver = Receiver(delay=0.003)
    hook_url = str((await aiohttp_server(receiver.app)).make_url("/hook"))
    port = free_port()
    config = write_config(tmp_path, port, provider_url)
    database = tmp_path / "tallybot.db"
    token = await create_token(config)
    server = LiveServer(config, port, tmp_path / "server.log")
    await server.start()
    try:
        async with aiohttp.ClientSession() as http:
            await start_game_night(http, server.base_url, token)
            webhook_id = await add_webhook(http, server.base_url, token, hook_url, "crash test secret", WATCHED)
            group_id, drinkers = await coffee_group(http, server.base_url, provider, logins)
            load = Load(http, server.base_url, token, group_id)
            clients = [asyncio.create_task(load.voter(n)) for n in range(VOTE_CLIENTS)]
            pairs = zip(drinkers, drinkers[1:] + drinkers[:1], strict=True)
            clients += [asyncio.create_task(load.drinker(buyer, other)) for buyer, other in pairs]
            async with asyncio.timeout(60):
                await load.enough.wait()
            load.killed = True
            await server.kill()
            delivered_before_kill = set(receiver.acknowledged())
            await asyncio.gather(*clients)
        await server.start()
        async with asyncio.timeout(60):
            expected = await wait_for_deliveries(database, webhook_id, receiver)
    finally:
        await server.stop()

    assert load.refusals == []
    with read_only(database) as conn:
        stored_votes = {row[0] for row in conn.execute("SELECT username FROM live_votes")}
        stored_notes = {row[0] for row in conn.execute("SELECT note FROM coffee_transactions")}
        balances = dict(conn.execute("SELECT person_id, balance FROM coffee_members WHERE group_id = ?", (group_id,)))
        ledger = dict.fromkeys(balances, 0)
        for buyer_id, receiver_id, amount in conn.execute(
            "SELECT from_person_id, to_person_id, amount FROM coffee_transactions WHERE group_id = ?", (group_id,)
        ):
            ledger[buyer_id] += amount
            ledger[receiver_id] -= amount
        tallies = list(
            conn.execute("SELECT upvotes, downvotes FROM game_stats WHERE upvotes + downvotes > 0 ORDER BY game_id")
        )
        query = (
            "SELECT sum(vote_type = 'up'), sum(vote_type = 'down') FROM live_votes GROUP BY game_id ORDER BY game_id"
        )
        counted = list(conn.execute(query))
    assert load.votes - stored_votes == set()
    assert load.transactions - stored_notes == set()
    assert len(load.votes) >= KILL_AFTER_VOTES
    assert len(load.transactions) >= KILL_AFTER_TRANSACTIONS
    assert sum(balances.values()) == 0
    assert balances == ledger
    assert tallies == counted

    pending_at_kill = [event_id for event_id in expected if event_id not in delivered_before_kill]
    assert pending_at_kill, "no delivery was pending at the kill, so the restart proved nothing"
    acknowledged = receiver.acknowledged()
    assert first_occurrences(acknowledged) == expected
    assert len(acknowledged) - len(expected) <= 1
    assert "Traceback" not in server.log()
