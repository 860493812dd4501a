"""Fixed-window rate limits in the shared cache, for public pages that must not be guessed at.

A window is ``int(now.timestamp()) // window_seconds``: the counter's key names the window, so it
resets by itself when the window ends, and tests move the clock (``core.clock.now``) rather than
wait. The cache is shared by every web process (Redis in production; the database cache in the
demo), so a limit holds across processes.
"""

from __future__ import annotations

import datetime
import hashlib

from django.core.cache import cache

KEY_PREFIX = "ratelimit"


def _cache_key(key: str, window_seconds: int, now: datetime.datetime) -> str:
    window = int(now.timestamp()) // window_seconds
    # Hashed: keys may carry client addresses, and cache backends limit key characters and length.
    digest = hashlib.sha256(key.encode()).hexdigest()
    return f"{KEY_PREFIX}:{window_seconds}:{window}:{digest}"


def rate_limit_hit(*, key: str, limit: int, window_seconds: int, now: datetime.datetime) -> bool:
    """Count one try for ``key`` in the current window; True when it is over ``limit``.

    Every try counts, refused ones included, so a client hammering the page stays refused until
    the window ends.
    """
    if limit < 1 or window_seconds < 1:
        raise ValueError("limit and window_seconds must be at least 1")
    cache_key = _cache_key(key, window_seconds, now)
    # add() only sets a missing key; incr() is atomic on Redis. The entry outlives its window a
    # little so a clock at the window's edge never counts from a fresh key twice.
    cache.add(cache_key, 0, timeout=window_seconds * 2)
    try:
        count = cache.incr(cache_key)
    except ValueError:
        # Evicted between add() and incr(): start this window again.
        cache.set(cache_key, 1, timeout=window_seconds * 2)
        count = 1
    return count > limit
