"""Working days: the one helper every time rule uses (DESIGN section 11).

A working day is Monday to Friday, except the England and Wales bank holidays held in the
``BankHoliday`` table (loaded from a framework file by ``load_framework``). Counting from a
date, the start day is not counted: an assessment started and authorised on the same day took
0 working days, one started on a Friday and authorised on the Monday took 1. Every rule (5
working days to respond, 1 working day to triage, 45 for an assessment) goes through these
functions so that two pages can never disagree about a due date.

Bank holidays are read once per process for each calendar year asked about, because due dates
are computed for every row of a list; the loader calls :func:`clear_cache` when it inserts
rows, and tests that add holidays call it too.
"""

from __future__ import annotations

import calendar
import datetime
import threading

from .models import BankHoliday

_SATURDAY = 5
_cache: dict[int, frozenset[datetime.date]] = {}
_lock = threading.Lock()


def clear_cache() -> None:
    """Forget the bank holidays read so far (after loading new ones, and between tests)."""
    with _lock:
        _cache.clear()


def _holidays_in(year: int) -> frozenset[datetime.date]:
    """The bank holidays of one calendar year: one query the first time a year is asked about."""
    cached = _cache.get(year)
    if cached is None:
        cached = frozenset(BankHoliday.objects.filter(date__year=year).values_list("date", flat=True))
        with _lock:
            _cache[year] = cached
    return cached


def _check_date(value: object, name: str) -> datetime.date:
    # A datetime is a date too; refusing it catches a UTC timestamp used where a London
    # calendar date was meant, which would put some due dates a day out.
    if isinstance(value, datetime.datetime) or not isinstance(value, datetime.date):
        raise TypeError(f"{name} must be a datetime.date (a Europe/London calendar date), not {type(value).__name__}")
    return value


def is_working_day(day: datetime.date) -> bool:
    """Whether ``day`` is Monday to Friday and not an England and Wales bank holiday."""
    _check_date(day, "day")
    return day.weekday() < _SATURDAY and day not in _holidays_in(day.year)


def add_working_days(start: datetime.date, n: int) -> datetime.date:
    """The date ``n`` working days after ``start`` (before it when ``n`` is negative).

    The start day is not counted, so ``n=0`` returns ``start`` itself, whatever day it is, and
    "respond within 5 working days" of a Friday is the following Friday.
    """
    _check_date(start, "start")
    step = 1 if n >= 0 else -1
    day = start
    remaining = abs(n)
    while remaining:
        day += datetime.timedelta(days=step)
        if is_working_day(day):
            remaining -= 1
    return day


def _weekdays_after(start: datetime.date, end: datetime.date) -> int:
    """Mondays to Fridays in (start, end], by arithmetic so long spans cost nothing."""
    days = (end - start).days
    full_weeks, extra = divmod(days, 7)
    count = full_weeks * 5
    weekday = start.weekday()
    for offset in range(1, extra + 1):
        if (weekday + offset) % 7 < _SATURDAY:
            count += 1
    return count


def working_days_between(start: datetime.date, end: datetime.date) -> int:
    """The number of working days after ``start`` up to and including ``end``; 0 if ``end <= start``.

    This is how long something took: started and finished the same day is 0, started on a
    Friday and finished on the Monday is 1.
    """
    _check_date(start, "start")
    _check_date(end, "end")
    if end <= start:
        return 0
    holidays = 0
    for year in range(start.year, end.year + 1):
        holidays += sum(1 for day in _holidays_in(year) if start < day <= end and day.weekday() < _SATURDAY)
    return _weekdays_after(start, end) - holidays


def last_working_day_of_month(year: int, month: int) -> datetime.date:
    """The last working day of a calendar month: a month-end deadline that falls on a weekend
    or a bank holiday moves back to the working day before it, never into the next month."""
    day = datetime.date(year, month, calendar.monthrange(year, month)[1])
    while not is_working_day(day):
        day -= datetime.timedelta(days=1)
    return day
