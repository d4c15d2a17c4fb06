"""The change board behind the long polls: every waiter woken, reads shared, nothing leaked."""

import asyncio
from collections.abc import Callable, Coroutine
from typing import Any

import pytest

from tallybot.core.errors import NotFound
from tallybot.core.poker.longpoll import ChangeBoard
from tests.helpers import until


class Counter:
    """A value that changes, and how many times it was read."""

    def __init__(self) -> None:
        self.value = 0
        self.reads = 0

    async def read(self) -> int:
        self.reads += 1
        await asyncio.sleep(0)
        return self.value


def positive(value: int) -> bool:
    return value > 0


async def wait_positive(board: ChangeBoard, read: Callable[[], Coroutine[Any, Any, int]], seconds: float) -> int | None:
    return await board.wait_for("s", "n", read, positive, seconds)


async def test_one_poke_releases_every_waiter() -> None:
    board = ChangeBoard()
    counter = Counter()
    waiters = [asyncio.create_task(wait_positive(board, counter.read, 5)) for _ in range(100)]
    await until(lambda: board.waiters == 100)
    counter.value = 1
    board.poke("s")
    assert await asyncio.gather(*waiters) == [1] * 100
    assert board.waiters == 0
    assert board.keys == 0


async def test_waiters_woken_together_share_one_read() -> None:
    board = ChangeBoard()
    counter = Counter()
    waiters = [asyncio.create_task(wait_positive(board, counter.read, 5)) for _ in range(50)]
    await until(lambda: board.waiters == 50)
    reads_before = counter.reads
    counter.value = 1
    board.poke("s")
    await asyncio.gather(*waiters)
    assert counter.reads - reads_before == 1


async def test_a_change_poked_during_a_read_is_not_lost() -> None:
    board = ChangeBoard()
    value = 0

    async def read_then_change() -> int:
        nonlocal value
        seen = value
        if value == 0:
            # The change commits after this read's snapshot was taken.
            value = 1
            board.poke("s")
        await asyncio.sleep(0)
        return seen

    assert await wait_positive(board, read_then_change, 5) == 1


async def test_a_wait_that_times_out_returns_none_and_forgets_the_key() -> None:
    board = ChangeBoard()
    counter = Counter()
    assert await wait_positive(board, counter.read, 0.01) is None
    assert await wait_positive(board, counter.read, 0) is None
    assert (board.waiters, board.keys) == (0, 0)


async def test_a_cancelled_waiter_leaves_nothing_behind_and_others_keep_waiting() -> None:
    board = ChangeBoard()
    counter = Counter()
    leaving = asyncio.create_task(wait_positive(board, counter.read, 5))
    staying = asyncio.create_task(wait_positive(board, counter.read, 5))
    await until(lambda: board.waiters == 2)
    leaving.cancel()
    with pytest.raises(asyncio.CancelledError):
        await leaving
    assert board.waiters == 1
    counter.value = 1
    board.poke("s")
    assert await staying == 1
    assert (board.waiters, board.keys) == (0, 0)


async def test_an_error_from_the_read_ends_every_wait() -> None:
    board = ChangeBoard()
    closed = False

    async def read() -> int:
        await asyncio.sleep(0)
        if closed:
            raise NotFound("closed")
        return 0

    waiters = [asyncio.create_task(wait_positive(board, read, 5)) for _ in range(10)]
    await until(lambda: board.waiters == 10)
    closed = True
    board.poke("s")
    results = await asyncio.gather(*waiters, return_exceptions=True)
    assert all(isinstance(result, NotFound) for result in results)
    assert (board.waiters, board.keys) == (0, 0)


async def test_a_poke_on_a_key_nobody_waits_on_keeps_nothing() -> None:
    board = ChangeBoard()
    board.poke("s")
    assert board.keys == 0


async def test_closing_the_board_ends_every_wait_now_and_each_later_one_at_once() -> None:
    board = ChangeBoard()
    counter = Counter()
    waiters = [asyncio.create_task(wait_positive(board, counter.read, 60)) for _ in range(10)]
    await until(lambda: board.waiters == 10)
    board.close()
    async with asyncio.timeout(5):
        assert await asyncio.gather(*waiters) == [None] * 10
        assert await wait_positive(board, counter.read, 60) is None
        counter.value = 1
        assert await wait_positive(board, counter.read, 60) == 1
    assert board.keys == 0
