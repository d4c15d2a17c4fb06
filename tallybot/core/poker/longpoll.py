"""Long polls: waiting in this process until something that lives in the database changes.

Writers ``poke`` a key after every committed change. Each waiter re-reads the durable state
and decides for itself whether it is done, so a poke releases *every* waiter, never just
one. Waiters woken by the same poke share a single read, which keeps thousands of them
from stampeding the database. Nothing is kept for a key that nobody is waiting on.
"""

import asyncio
import functools
from collections.abc import Callable, Coroutine, Hashable
from typing import Any, Generic, TypeVar

T = TypeVar("T")


class _SharedRead(Generic[T]):
    __slots__ = ("generation", "task")

    def __init__(self, generation: int, task: "asyncio.Task[T]") -> None:
        self.generation = generation
        self.task = task


class _Slot:
    """The waiters on one key. ``changed`` is replaced by every poke, so each poke sets a fresh event."""

    __slots__ = ("changed", "generation", "reads", "waiters")

    def __init__(self) -> None:
        self.changed = asyncio.Event()
        self.generation = 0
        self.waiters = 0
        self.reads: dict[Hashable, _SharedRead[Any]] = {}


class ChangeBoard:
    """Wakes everyone waiting on a key when it changes."""

    def __init__(self) -> None:
        self._slots: dict[Hashable, _Slot] = {}
        self._closed = False

    @property
    def waiters(self) -> int:
        """How many waits are in progress, on all keys."""
        return sum(slot.waiters for slot in self._slots.values())

    @property
    def keys(self) -> int:
        """How many keys are being waited on (no memory is held for the others)."""
        return len(self._slots)

    def poke(self, key: Hashable) -> None:
        """Say that ``key`` changed (call it after the change has committed)."""
        slot = self._slots.get(key)
        if slot is None:
            return
        slot.generation += 1
        slot.changed.set()
        slot.changed = asyncio.Event()

    def close(self) -> None:
        """End every wait now, and every later one at once, as if its time had run out.

        For a process that is stopping: its HTTP server waits for open requests before it
        exits, and a long poll would otherwise hold that up for as long as a minute.
        """
        self._closed = True
        for key in list(self._slots):
            self.poke(key)

    async def wait_for(
        self,
        key: Hashable,
        tag: Hashable,
        read: Callable[[], Coroutine[Any, Any, T]],
        ready: Callable[[T], bool],
        seconds: float,
    ) -> T | None:
        """Read until ``ready(state)`` holds and return that state; None once ``seconds`` pass or the board closes.

        Waiters on the same key whose reads have the same ``tag`` share each read, so
        ``read`` must depend on nothing but the key and the tag. Errors from ``read``
        (a session closing, say) end the wait.
        """
        loop = asyncio.get_running_loop()
        deadline = loop.time() + seconds
        slot = self._slots.get(key)
        if slot is None:
            slot = self._slots[key] = _Slot()
        slot.waiters += 1
        try:
            while True:
                # Taking the event before reading means a change that commits after the
                # read's snapshot has already set it: no wake-up can fall in between.
                changed = slot.changed
                state = await self._shared(slot, tag, read)
                if ready(state):
                    return state
                remaining = deadline - loop.time()
                if remaining <= 0 or self._closed:
                    return None
                try:
                    async with asyncio.timeout(remaining):
                        await changed.wait()
                except TimeoutError:
                    return None
        finally:
            slot.waiters -= 1
            if slot.waiters == 0 and self._slots.get(key) is slot:
                del self._slots[key]

    async def _shared(self, slot: _Slot, tag: Hashable, read: Callable[[], Coroutine[Any, Any, T]]) -> T:
        running: _SharedRead[T] | None = slot.reads.get(tag)
        # A read started in the current generation began after the latest poke, so it
        # sees every change poked so far; an older one may not.
        if running is None or running.generation != slot.generation:
            task = asyncio.create_task(read())
            running = _SharedRead(slot.generation, task)
            slot.reads[tag] = running
            task.add_done_callback(functools.partial(_forget, slot, tag, running))
        # Shielded, so a waiter that goes away does not cancel the read the others await.
        return await asyncio.shield(running.task)


def _forget(slot: _Slot, tag: Hashable, entry: _SharedRead[Any], task: "asyncio.Task[Any]") -> None:
    if slot.reads.get(tag) is entry:
        del slot.reads[tag]
    if not task.cancelled():
        # Mark the error as seen, in case every waiter left before the read finished.
        task.exception()
