"""The fixed-window counter behind the public pages' rate limits: counted per key, refused over
the limit, fresh in the next window (moved by the clock, never by waiting)."""

from __future__ import annotations

import datetime

import pytest
from django.core.cache import cache

from core.ratelimit import rate_limit_hit

START = datetime.datetime(2026, 11, 3, 10, 0, 5, tzinfo=datetime.UTC)


@pytest.fixture(autouse=True)
def empty_cache(db):
    cache.clear()
    yield
    cache.clear()


def _tries(key: str, count: int, now: datetime.datetime, limit: int = 3, window: int = 600) -> list[bool]:
    return [rate_limit_hit(key=key, limit=limit, window_seconds=window, now=now) for _ in range(count)]


def test_tries_up_to_the_limit_pass_and_the_next_are_refused():
    assert _tries("a", 5, START) == [False, False, False, True, True]


def test_each_key_counts_on_its_own():
    assert _tries("address:1", 3, START) == [False, False, False]
    assert _tries("address:2", 1, START) == [False]
    assert _tries("address:1", 1, START) == [True]


def test_the_next_window_starts_again():
    assert _tries("a", 4, START)[-1] is True
    # Still the same 10-minute window a few minutes later.
    assert _tries("a", 1, START + datetime.timedelta(minutes=4)) == [True]
    next_window = START + datetime.timedelta(minutes=10)
    assert _tries("a", 4, next_window) == [False, False, False, True]


def test_windows_of_different_lengths_do_not_share_counts():
    assert _tries("a", 3, START, window=600) == [False, False, False]
    assert _tries("a", 1, START, window=3600) == [False]


def test_a_lost_counter_starts_again_rather_than_failing():
    assert _tries("a", 2, START) == [False, False]
    cache.clear()
    assert _tries("a", 3, START) == [False, False, False]


@pytest.mark.parametrize(("limit", "window"), [(0, 60), (5, 0)])
def test_nonsense_limits_are_refused(limit, window):
    with pytest.raises(ValueError, match="at least 1"):
        rate_limit_hit(key="a", limit=limit, window_seconds=window, now=START)
