"""XmR limits and the two signal rules (NHS England "Making Data Count"), against series worked out
by hand in each test."""

from __future__ import annotations

from decimal import Decimal

import pytest

from performance.xmr import (
    BEYOND_LIMITS,
    RUN_OF_7,
    PointSignal,
    TooFewPoints,
    find_signals,
    mostly_zero,
    points_beyond_limits,
    runs_of_seven,
    xmr_limits,
)

# 15 monthly points.
BASELINE = [10, 12, 11, 13, 12, 10, 11, 12, 11, 10, 12, 10, 11, 10, 10]
# By hand: the sum is 165, so the mean is 165 / 15 = 11.
# Moving ranges: 2, 1, 2, 1, 2, 1, 1, 1, 1, 2, 2, 1, 1, 0 — 14 of them, summing to 18, so the
# average moving range is 18 / 14 = 1.285714…
# 2.66 × 18 / 14 = 47.88 / 14 = 3.42, so the limits are 11 ± 3.42: 14.42 and 7.58.
MEAN, UPPER, LOWER = Decimal("11"), Decimal("14.42"), Decimal("7.58")


def test_limits_of_a_worked_baseline():
    limits = xmr_limits(BASELINE)
    assert limits.mean == Decimal("11.0000")
    assert limits.moving_range == Decimal("1.2857")
    assert limits.upper == Decimal("14.4200")
    assert limits.lower == Decimal("7.5800")
    assert limits.points == 15


def test_decimal_percentages_keep_their_precision():
    # 15 points alternating 50.5 and 51.5, ending on 50.5: 8 × 50.5 + 7 × 51.5 = 404 + 360.5 = 764.5,
    # mean 764.5 / 15 = 50.9666…; every moving range is 1, so the limits are the mean ± 2.66.
    limits = xmr_limits(["50.5", "51.5"] * 7 + ["50.5"])
    assert limits.mean == Decimal("50.9667")
    assert limits.moving_range == Decimal("1.0000")
    assert limits.upper == Decimal("53.6267")
    assert limits.lower == Decimal("48.3067")


def test_a_lower_limit_below_zero_is_clipped_for_counts_but_not_for_money():
    # 0, 5, 0, 5 … 0: 7 fives over 15 points, mean 35 / 15 = 2.3333; every moving range is 5, so the
    # lower limit is 2.3333 − 13.3 = −10.9667.
    values = [0, 5] * 7 + [0]
    assert xmr_limits(values).lower == Decimal("0.0000")
    assert xmr_limits(values, floor=None).lower == Decimal("-10.9667")
    assert xmr_limits(values).upper == Decimal("15.6333")


def test_fewer_than_15_points_make_no_baseline():
    with pytest.raises(TooFewPoints):
        xmr_limits(BASELINE[:14])


def test_a_point_beyond_the_upper_limit():
    assert points_beyond_limits([11, 14.42, 14.43, 12], upper=UPPER, lower=LOWER) == [2]


def test_a_point_beyond_the_lower_limit():
    assert points_beyond_limits([11, 7.58, 7.57, 12], upper=UPPER, lower=LOWER) == [2]


def test_a_run_of_7_above_the_mean_signals_at_its_7th_point_only():
    series = [10, 12, 12, 13, 12, 11.5, 12, 12, 13, 12]
    # Above the mean from index 1: the 7th point of the run is index 7; indexes 8 and 9 continue
    # the same run and do not signal again.
    assert runs_of_seven(series, mean=MEAN) == [7]


def test_a_run_of_7_below_the_mean():
    assert runs_of_seven([12, 10, 10, 9, 10, 10.5, 10, 10], mean=MEAN) == [7]


def test_a_point_on_the_mean_breaks_a_run():
    six_above = [12] * 6
    assert runs_of_seven([*six_above, 11, *six_above], mean=MEAN) == []
    # A 7th point after the break starts counting again from the point after the mean.
    assert runs_of_seven([*six_above, 11, *six_above, 12], mean=MEAN) == [13]


def test_crossing_the_mean_starts_a_new_run():
    assert runs_of_seven([12] * 6 + [10] * 7, mean=MEAN) == [12]


def test_a_second_run_after_a_break_signals_again():
    assert runs_of_seven([12] * 7 + [10] + [12] * 7, mean=MEAN) == [6, 14]


def test_find_signals_gives_both_rules_in_point_order():
    series = [12, 12, 12, 12, 12, 12, 15, 10, 5]
    # Index 6 is the 7th point above the mean and also beyond the upper limit; index 8 is below the
    # lower limit.
    assert find_signals(series, mean=MEAN, upper=UPPER, lower=LOWER) == [
        PointSignal(6, BEYOND_LIMITS),
        PointSignal(6, RUN_OF_7),
        PointSignal(8, BEYOND_LIMITS),
    ]


def test_the_baseline_itself_shows_no_signal():
    assert find_signals(BASELINE, mean=MEAN, upper=UPPER, lower=LOWER) == []


def test_mostly_zero_means_more_than_half_the_points():
    assert mostly_zero([0, 0, 1])
    assert not mostly_zero([0, 1, 0, 1])
    assert not mostly_zero(BASELINE)
