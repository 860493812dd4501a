"""Signals for the demo (issue 7 item 6), after the figures of record and the Annex A estimates.

Every authority and service-area series with 15 consecutive months has its baseline (the first 15
to 24 months, taken when the figures came in). The demo's BI officer then does what BI would do
once the referrals rise that the figures show: sets that series' baseline to the 15 months before
the rise, so the rise stands out. Of the signals found, the QA officer confirms the latest on
referrals (or the first to hand) and opens an ad-hoc audit from it; BI confirms one app-estimate
signal and dismisses another with a reason; the rest stay to look at.

Deterministic (``random.Random(f"demo-signals:{size}:{today}")`` over signals in a fixed order)
and idempotent: decisions are made only while no signal has one, and setting the same baseline
again records nothing.
"""

from __future__ import annotations

import datetime
import random

from django.db import transaction
from django.db.models import Count
from django.utils import timezone

from organisation.demo import DEMO_EMAIL
from organisation.models import Role, User

from . import xmr
from .estimates import add_months
from .models import Baseline, Indicator, SeriesKind, Signal
from .scopes import AUTHORITY, all_scopes
from .services.signals import (
    baseline_set,
    series_points,
    signal_confirm,
    signal_dismiss,
    signal_open_audit,
    signals_detect_for,
)

SHIFTED = "referrals"  # the series the demo's figures move on purpose
DISMISS_NOTES = (
    "A recording change in the case management system that month; the figure is not comparable.",
    "Explained by the merged front door rota that month; already discussed at the clinic.",
)


def _at(day: datetime.date, hour: int) -> datetime.datetime:
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time(hour, 0)))


def _rebaseline_before_the_rise(*, bi: User) -> bool:
    """BI's own baseline for the shifted series: the 15 months before its last 9."""
    indicator = Indicator.objects.filter(code=SHIFTED).first()
    if indicator is None:
        return False
    points = series_points(series=SeriesKind.RECORD, indicator_ids=[indicator.pk], scope_keys=[AUTHORITY]).get(
        (indicator.pk, AUTHORITY), []
    )
    if len(points) < xmr.MIN_BASELINE_POINTS + 9:
        return False
    last = points[-10][0]
    baseline_set(
        indicator=indicator,
        scope_key=AUTHORITY,
        series=SeriesKind.RECORD,
        first_month=add_months(last, -(xmr.MIN_BASELINE_POINTS - 1)),
        last_month=last,
        actor=bi,
    )
    return True


def _decide(*, rng: random.Random, qa: User, bi: User, today: datetime.date) -> bool:
    """Confirm one record signal (with an audit), confirm and dismiss one estimate signal each."""
    if Signal.objects.exclude(status=Signal.Status.NEW).exists():
        return False
    ordered = list(
        Signal.objects.select_related("indicator").order_by("-month", "indicator__position", "scope_key", "rule")
    )
    records = [s for s in ordered if s.series == SeriesKind.RECORD]
    estimates = [s for s in ordered if s.series == SeriesKind.ESTIMATE]
    first = next((s for s in records if s.indicator.code == SHIFTED and s.scope_key == AUTHORITY), None)
    first = first or (records or estimates or [None])[0]
    if first is None:
        return False
    scopes = all_scopes()
    signal_confirm(signal=first, actor=qa, note="The rise shows in the front door's clinic too.", now=_at(today, 10))
    signal_open_audit(signal=first, scope_label=scopes[first.scope_key].label, actor=qa, today=today)
    # Two of the ten latest others: what BI would look at first.
    others = [s for s in (estimates or records) if s.pk != first.pk][:10]
    picked = rng.sample(others, min(2, len(others)))
    if picked:
        signal_confirm(signal=picked[0], actor=bi, now=_at(today, 11))
    if len(picked) > 1:
        signal_dismiss(signal=picked[1], actor=bi, note=rng.choice(DISMISS_NOTES), now=_at(today, 12))
    return True


def seed_signals(*, size: str, today: datetime.date) -> str:
    """Seed the demo's baselines and signal decisions; returns a one-line summary."""
    qa = User.objects.filter(email=DEMO_EMAIL[Role.QA_OFFICER]).first()
    bi = User.objects.filter(email=DEMO_EMAIL[Role.BI_OFFICER]).first()
    if qa is None or bi is None:
        return "Signals: skipped (no demo QA officer or BI officer)."
    rng = random.Random(f"demo-signals:{size}:{today}")
    with transaction.atomic():
        for kind in SeriesKind.values:
            signals_detect_for(series=kind, actor=bi)
        _rebaseline_before_the_rise(bi=bi)
        _decide(rng=rng, qa=qa, bi=bi, today=today)
    statuses = dict(Signal.objects.order_by().values_list("status").annotate(n=Count("pk")))
    baselines = Baseline.objects.count()
    audits = Signal.objects.filter(programme_audit__isnull=False).count()
    return (
        f"Signals: {baselines} baselines ({Baseline.objects.filter(set_by__isnull=False).count()} set by BI); "
        f"{sum(statuses.values())} signals ({statuses.get(Signal.Status.NEW, 0)} to look at, "
        f"{statuses.get(Signal.Status.CONFIRMED, 0)} confirmed, {statuses.get(Signal.Status.DISMISSED, 0)} "
        f"dismissed); {audits} ad-hoc audit opened from a signal."
    )
