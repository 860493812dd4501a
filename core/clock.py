"""Time as an input (STYLE.md 17): services take ``today=``/``now=`` and default to these.

Dates are Europe/London calendar dates (DESIGN section 11); tests move the clock with
time-machine rather than patching these functions.
"""

from __future__ import annotations

import datetime

from django.utils import timezone


def now() -> datetime.datetime:
    return timezone.now()


def today() -> datetime.date:
    """Today's date in Europe/London."""
    return timezone.localdate()


def london_date(moment: datetime.datetime) -> datetime.date:
    """The Europe/London calendar date of an aware datetime (23:30 UTC in summer is tomorrow)."""
    return timezone.localdate(moment)
