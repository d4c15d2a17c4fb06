"""The ecast client against a fake ecast on loopback: room lookups and observer sockets."""

import asyncio
from collections.abc import AsyncIterator

import pytest

from tallybot.core.errors import NotFound, Unavailable
from tallybot.outbound.ecast import USER_AGENT, EcastClient, EcastRoom
from tests.fakes.fake_ecast import FakeEcast


@pytest.fixture
async def ecast() -> AsyncIterator[FakeEcast]:
    async with FakeEcast().running() as fake:
        yield fake


@pytest.fixture
async def client(ecast: FakeEcast) -> AsyncIterator[EcastClient]:
    opened = EcastClient(ecast.url, socket_scheme="ws", name="tallybot-test")
    yield opened
    await opened.close()


@pytest.mark.parametrize("wrap_body", [True, False])
async def test_a_room_lookup_reads_host_max_players_locked_and_app_tag_with_or_without_the_wrapper(
    wrap_body: bool,
) -> None:
    async with FakeEcast(wrap_body=wrap_body).running() as fake:
        fake.open_room("ABCD")
        client = EcastClient(fake.url, socket_scheme="ws")
        try:
            room = await client.room("ABCD")
        finally:
            await client.close()
    assert room == EcastRoom(code="ABCD", host=fake.host, max_players=8, locked=False, app_tag="quiplash3")
    assert fake.lookups == [{"code": "ABCD", "user_agent": USER_AGENT}]


async def test_a_room_ecast_does_not_know_is_not_found(client: EcastClient) -> None:
    with pytest.raises(NotFound, match="Room not found"):
        await client.room("ZZZZ")
    with pytest.raises(NotFound):
        await anext(client.watch("ZZZZ"))


async def test_an_unreachable_ecast_is_unavailable() -> None:
    client = EcastClient("http://127.0.0.1:1", socket_scheme="ws")
    try:
        with pytest.raises(Unavailable):
            await anext(client.watch("ABCD"))
    finally:
        await client.close()


async def test_watching_counts_the_players_here_and_follows_joins_and_leaves_until_the_room_closes(
    client: EcastClient, ecast: FakeEcast
) -> None:
    ecast.open_room("ABCD", players=("ANA", "BO"))
    counts = client.watch("ABCD")
    assert await anext(counts) == 2
    assert ecast.shard_queries == [{"role": "shard", "name": "tallybot-test", "format": "json"}]
    carla = await ecast.join("ABCD", "CARLA")
    assert await anext(counts) == 3
    await ecast.audience_joins("ABCD")
    await ecast.leave("ABCD", carla)
    assert await anext(counts) == 2
    await ecast.close_room("ABCD")
    with pytest.raises(StopAsyncIteration):
        await anext(counts)
    await ecast.wait_for_sockets(0)


async def test_cancelling_a_watch_closes_its_socket(client: EcastClient, ecast: FakeEcast) -> None:
    ecast.open_room("ABCD", players=("ANA",))
    first = asyncio.Event()

    async def follow() -> None:
        async for _ in client.watch("ABCD"):
            first.set()

    task = asyncio.create_task(follow())
    await asyncio.wait_for(first.wait(), 5)
    await ecast.wait_for_sockets(1)
    task.cancel()
    with pytest.raises(asyncio.CancelledError):
        await task
    await ecast.wait_for_sockets(0)
