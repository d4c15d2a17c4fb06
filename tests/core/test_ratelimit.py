"""The sliding-window rate limiter."""

import pytest

from tallybot.core.errors import RateLimited
from tallybot.core.ratelimit import RateLimiter
from tests.helpers import FakeMonotonic


def test_hits_beyond_the_limit_are_refused_until_the_window_passes() -> None:
    clock = FakeMonotonic()
    limiter = RateLimiter(3, 60, clock, "Slow down; try again in {seconds} s")
    for _ in range(3):
        limiter.hit("alice")
    clock.advance(20)
    with pytest.raises(RateLimited) as caught:
        limiter.hit("alice")
    assert str(caught.value) == "Slow down; try again in 40 s"
    assert caught.value.retry_after == 40
    limiter.hit("bob")
    clock.advance(40)
    limiter.hit("alice")


def test_a_refused_hit_counts_against_no_key() -> None:
    clock = FakeMonotonic()
    limiter = RateLimiter(1, 60, clock, "{seconds}")
    limiter.hit("address")
    with pytest.raises(RateLimited):
        limiter.hit("account", "address")
    limiter.hit("account")


def test_idle_keys_are_forgotten() -> None:
    clock = FakeMonotonic()
    limiter = RateLimiter(1, 10, clock, "{seconds}")
    for n in range(10_001):
        limiter.hit(n)
    clock.advance(11)
    limiter.hit("fresh")
    assert len(limiter._hits) == 1


def test_check_refuses_a_spent_key_without_counting_an_attempt() -> None:
    clock = FakeMonotonic()
    limiter = RateLimiter(2, 60, clock, "{seconds}")
    for _ in range(5):
        limiter.check("address")
    limiter.hit("address")
    limiter.check("address")
    limiter.hit("address")
    with pytest.raises(RateLimited):
        limiter.check("address")
    limiter.check("other")
