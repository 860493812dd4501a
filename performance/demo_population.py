"""The demo authority's population aged 0–17: three years up to the demo's year, between 52,000
and 54,000 children, growing a little each year (synthetic, plausible for a unitary authority).

Deterministic (``random.Random(f"demo-population:{size}:{today}")``) and idempotent: only years
not held are added, so a population BI changed in the demo is left alone.
"""

from __future__ import annotations

import datetime
import random

from simple_history.utils import bulk_create_with_history

from organisation.demo import HISTORY_REASON

from .models import Population

YEARS = 3
LOWEST, HIGHEST = 52_000, 54_000
SOURCE = "ONS mid-year estimate (synthetic demo figure)"


def seed_population(*, size: str, today: datetime.date) -> str:
    """Seed three years of 0–17 population up to ``today``'s year; returns a one-line summary."""
    rng = random.Random(f"demo-population:{size}:{today}")
    years = list(range(today.year - YEARS + 1, today.year + 1))
    # Drawn whatever is held, so the numbers never depend on what an earlier run left.
    start = rng.randint(LOWEST, LOWEST + 1_000)
    counts, count = {}, start
    for year in years:
        counts[year] = min(count, HIGHEST)
        count += rng.randint(150, 450)
    held = set(Population.objects.filter(year__in=years).values_list("year", flat=True))
    new = [Population(year=y, aged_0_to_17=counts[y], source=SOURCE) for y in years if y not in held]
    if new:
        bulk_create_with_history(new, Population, default_change_reason=HISTORY_REASON)
    return f"Population: {len(new)} year(s) added ({years[0]}–{years[-1]}), {len(held)} already held."
