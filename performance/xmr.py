"""XmR charts (NHS England, "Making Data Count"): process limits from a fixed baseline, and the two
rules that make a point a signal. Pure functions over numbers in month order; no database.

* The limits come from a baseline of at least 15 consecutive monthly points: the mean of the
  points, the average moving range (the mean of |x_i − x_{i−1}|), and the process limits
  mean ± 2.66 × average moving range. A lower limit below zero is clipped to zero for measures
  that cannot be negative (counts, percentages, rates).
* A baseline that is mostly zeros (rare events) gets no limits: an XmR chart does not suit them.
* A point beyond either limit is a signal (``BEYOND_LIMITS``).
* A run of 7 consecutive points on one side of the mean is a signal at its 7th point
  (``RUN_OF_7``); a point exactly on the mean breaks a run, and the 8th, 9th… points of the same
  run are not signals again.

A signal says that something changed and is worth understanding; it is never a judgement that
the service got better or worse.
"""

from __future__ import annotations

import decimal
from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal
from itertools import pairwise

MIN_BASELINE_POINTS = 15
# A default baseline holds the first 15 to 24 months of a series.
MAX_DEFAULT_BASELINE_POINTS = 24
RUN_LENGTH = 7
LIMIT_SCALING = Decimal("2.66")
# Baseline columns keep four decimal places.
PLACES = Decimal("0.0001")

BEYOND_LIMITS = "beyond_limits"
RUN_OF_7 = "run_of_7"

Number = Decimal | int | float | str


class TooFewPoints(ValueError):
    """A baseline needs at least MIN_BASELINE_POINTS points."""


@dataclass(frozen=True)
class XmrLimits:
    mean: Decimal
    moving_range: Decimal
    upper: Decimal
    lower: Decimal
    points: int


@dataclass(frozen=True)
class PointSignal:
    index: int
    rule: str


def _decimal(value: Number) -> Decimal:
    # str() first: Decimal(0.1) would carry the binary float's noise into the limits.
    return value if isinstance(value, Decimal) else Decimal(str(value))


def _round(value: Decimal) -> Decimal:
    return value.quantize(PLACES, rounding=decimal.ROUND_HALF_UP)


def xmr_limits(values: Sequence[Number], *, floor: Decimal | None = Decimal(0)) -> XmrLimits:
    """The XmR limits of a baseline series (``floor`` clips the lower limit; None for money)."""
    if len(values) < MIN_BASELINE_POINTS:
        raise TooFewPoints(f"A baseline needs at least {MIN_BASELINE_POINTS} points; there are {len(values)}.")
    xs = [_decimal(v) for v in values]
    mean = sum(xs, Decimal(0)) / len(xs)
    ranges = [abs(b - a) for a, b in pairwise(xs)]
    moving_range = sum(ranges, Decimal(0)) / len(ranges)
    upper = mean + LIMIT_SCALING * moving_range
    lower = mean - LIMIT_SCALING * moving_range
    if floor is not None and lower < floor:
        lower = floor
    return XmrLimits(
        mean=_round(mean), moving_range=_round(moving_range), upper=_round(upper), lower=_round(lower), points=len(xs)
    )


def mostly_zero(values: Sequence[Number]) -> bool:
    """More than half the points are zero: rare events, which an XmR chart does not suit (Making
    Data Count points to other charts for them), so no limits are set from such a baseline."""
    return sum(1 for v in values if _decimal(v) == 0) * 2 > len(values)


def points_beyond_limits(values: Sequence[Number], *, upper: Number, lower: Number) -> list[int]:
    """Indexes of the points above the upper or below the lower limit (a point on a limit is inside)."""
    top, bottom = _decimal(upper), _decimal(lower)
    return [i for i, v in enumerate(values) if not bottom <= _decimal(v) <= top]


def runs_of_seven(values: Sequence[Number], *, mean: Number) -> list[int]:
    """Indexes of the 7th point of each run of 7 or more consecutive points on one side of the mean."""
    centre = _decimal(mean)
    found: list[int] = []
    side, length = 0, 0
    for i, value in enumerate(values):
        here = _decimal(value)
        current = (here > centre) - (here < centre)  # 1 above, -1 below, 0 on the mean
        if current == 0:
            side, length = 0, 0
            continue
        length = length + 1 if current == side else 1
        side = current
        if length == RUN_LENGTH:
            found.append(i)
    return found


def find_signals(values: Sequence[Number], *, mean: Number, upper: Number, lower: Number) -> list[PointSignal]:
    """Every signal in a series against fixed limits, in point order (beyond limits first on a tie)."""
    signals = [PointSignal(i, BEYOND_LIMITS) for i in points_beyond_limits(values, upper=upper, lower=lower)]
    signals += [PointSignal(i, RUN_OF_7) for i in runs_of_seven(values, mean=mean)]
    return sorted(signals, key=lambda s: (s.index, s.rule != BEYOND_LIMITS))
