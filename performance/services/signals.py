"""Signals (seed 6.1.4; DESIGN section 7): XmR limits from a fixed baseline on the monthly figures of
record and, marked separately, on the app's Annex A estimates, at authority or service level.

* A series is one indicator at one scope (the authority or a service area, never a team) of one
  kind: monthly values only (the period runs from the 1st to the last day of one month).
* Its baseline is fixed: the first time a series holds 15 consecutive months it takes the first
  15 to 24 of them; afterwards the limits move only when BI or the QA team recalculates them
  (:func:`baseline_set`), never because new data arrived.
* Detection runs at import time, through the hooks the figures and Annex A imports call, and
  again when a baseline is recalculated. It is idempotent: a signal exists once per series, rule
  and month (a unique constraint); a signal still to look at that the data no longer shows is
  withdrawn (history keeps it); a decided one is never touched.
* BI or the QA team confirms or dismisses each signal; the QA team can open an ad-hoc audit from
  a confirmed one, with sample criteria that follow from the indicator.
"""

from __future__ import annotations

import datetime
import random
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from decimal import Decimal
from itertools import dropwhile
from typing import Any

from django.db import transaction
from django.db.models import Count, Max, Min, Q, QuerySet
from django.utils import timezone
from simple_history.utils import bulk_create_with_history

from audits.agreement import months_between
from audits.models import ProgrammeAudit
from audits.services.programme import programme_create
from audits.services.sampling import SAMPLED_KEY
from core import hooks
from core.charts import Chart, format_value, line_chart
from core.sweeps import register_sweep
from organisation.models import CaseType, ServiceArea
from organisation.scope import Scope, scope_for

from .. import xmr
from ..estimates import ESTIMATES_COMPUTED_HOOK, add_months, month_end
from ..models import (
    AnnexAEvent,
    Baseline,
    Basket,
    Estimate,
    FigureOfRecord,
    Indicator,
    IndicatorType,
    SeriesKind,
    Signal,
)
from ..scopes import AUTHORITY, ScopeRef, visible_scopes
from ..selectors_baskets import chart_y_label, unit_of
from .figures import FIGURES_IMPORTED_HOOK

# An ad-hoc audit opened from a signal samples at most this many of the case files behind it.
AUDIT_SAMPLE_SIZE = 10
NOTE_MAX = 500

# The case types an ad-hoc audit samples, from the indicator's basket.
BASKET_CASE_TYPES: dict[str, tuple[str, ...]] = {
    Basket.FRONT_DOOR: (CaseType.CHILD_IN_NEED,),
    Basket.CHILD_PROTECTION: (CaseType.CHILD_PROTECTION,),
    Basket.CHILDREN_IN_CARE: (CaseType.CHILD_IN_CARE,),
    Basket.EARLY_HELP: (CaseType.EARLY_HELP,),
}
# The Annex A episodes behind an estimate's point: the lists it counts, and which date places an
# episode in a month ("start": its event date; "end": its end date; "open": open at some time in
# the period, for a month-end stock).
ESTIMATE_EPISODES: dict[str, tuple[tuple[int, ...], str]] = {
    "referrals": ((3,), "start"),
    "re_referral_rate": ((3,), "start"),
    "referrals_nfa_pct": ((3,), "start"),
    "assessments_completed": ((4,), "end"),
    "assessments_in_45_days_pct": ((4,), "end"),
    "s47_enquiries": ((5,), "start"),
    "s47_not_to_plan_pct": ((5,), "start"),
    "s47_to_icpc_pct": ((5,), "start"),
    "cp_plans_started": ((7,), "start"),
    "cp_plans_second_subsequent_pct": ((7,), "start"),
    "children_looked_after": ((8,), "open"),
    "step_down_after_assessment": ((4, 6), "end"),
    "step_down_at_plan_end": ((6, 7), "end"),
}

SeriesKey = tuple[int, str]  # (indicator id, scope key)
Point = tuple[datetime.date, Decimal]


class SignalError(Exception):
    """A change the rules refuse; the message says why, for the person making it."""


# --- series --------------------------------------------------------------------------------------
def is_signal_scope(scope_key: str) -> bool:
    """Signals are kept at authority and service level only: a team's figures are too small."""
    return scope_key == AUTHORITY or scope_key.startswith("area:")


def _value_model(series: str) -> type[FigureOfRecord] | type[Estimate]:
    if series == SeriesKind.RECORD:
        return FigureOfRecord
    if series == SeriesKind.ESTIMATE:
        return Estimate
    raise SignalError("Choose figures of record or app estimates")


def _floor(indicator_type: str) -> Decimal | None:
    # Counts, percentages and rates cannot fall below zero; money can.
    return None if indicator_type == IndicatorType.MONEY else Decimal(0)


# --- series --------------------------------------------------------------------------------------
def series_points(
    *, series: str, indicator_ids: Iterable[int] | None = None, scope_keys: Iterable[str] | None = None
) -> dict[SeriesKey, list[Point]]:
    """Monthly values of each (indicator, scope) series at authority and service level, in month
    order. One query."""
    qs = _value_model(series).objects.filter(value__isnull=False, period_start__day=1)
    qs = qs.filter(Q(scope_key=AUTHORITY) | Q(scope_key__startswith="area:"))
    if indicator_ids is not None:
        qs = qs.filter(indicator_id__in=list(indicator_ids))
    if scope_keys is not None:
        qs = qs.filter(scope_key__in=list(scope_keys))
    found: dict[SeriesKey, list[Point]] = defaultdict(list)
    rows = qs.order_by("indicator_id", "scope_key", "period_start").values_list(
        "indicator_id", "scope_key", "period_start", "period_end", "value"
    )
    for indicator_id, scope_key, start, end, value in rows:
        if end == month_end(start):  # a quarter or a year is not a monthly point
            found[(indicator_id, scope_key)].append((start, value))
    return dict(found)


def default_baseline_window(points: list[Point]) -> list[Point] | None:
    """The first run of at least 15 consecutive months, up to 24 of them; None when there is none
    or when it is mostly zeros (rare events). Zeros before a series' first figure are not counted:
    they are months before the data began (an Annex A history starts with its first workbook)."""
    run: list[Point] = []
    for month, value in dropwhile(lambda point: point[1] == 0, points):
        if run and month != add_months(run[-1][0], 1):
            if len(run) >= xmr.MIN_BASELINE_POINTS:
                break
            run = []
        run.append((month, value))
        if len(run) == xmr.MAX_DEFAULT_BASELINE_POINTS:
            break
    if len(run) < xmr.MIN_BASELINE_POINTS or xmr.mostly_zero([v for _m, v in run]):
        return None
    return run


def _limits_fields(window: list[Point], indicator_type: str) -> dict[str, Any]:
    limits = xmr.xmr_limits([v for _m, v in window], floor=_floor(indicator_type))
    return {
        "first_month": window[0][0],
        "last_month": window[-1][0],
        "points": limits.points,
        "mean": limits.mean,
        "moving_range": limits.moving_range,
        "upper_limit": limits.upper,
        "lower_limit": limits.lower,
    }


def _signal_indicators(indicator_ids: Iterable[int] | None) -> dict[int, str]:
    """Active indicators with numbers (a narrative has none), as {id: type}."""
    qs = Indicator.objects.filter(active=True).exclude(type=IndicatorType.NARRATIVE)
    if indicator_ids is not None:
        qs = qs.filter(pk__in=list(indicator_ids))
    return dict(qs.order_by("pk").values_list("pk", "type"))


@transaction.atomic
def signals_detect_for(
    *,
    series: str,
    indicator_ids: Iterable[int] | None = None,
    scope_keys: Iterable[str] | None = None,
    actor: Any = None,
) -> int:
    """Find the signals of the named series (all when not named) against their baselines, giving a
    series its first baseline when it first holds 15 consecutive months. Returns how many signals
    were added. Safe to run again: it adds nothing the second time."""
    _value_model(series)
    keys = None if scope_keys is None else sorted({k for k in scope_keys if is_signal_scope(k)})
    types = _signal_indicators(indicator_ids)
    if keys == [] or not types:
        return 0
    points = series_points(series=series, indicator_ids=types, scope_keys=keys)
    baselines_qs = Baseline.objects.filter(series=series, indicator_id__in=list(types))
    if keys is not None:
        baselines_qs = baselines_qs.filter(scope_key__in=keys)
    baselines = {(b.indicator_id, b.scope_key): b for b in baselines_qs}
    first: list[Baseline] = []
    for key, pts in sorted(points.items()):
        window = None if key in baselines else default_baseline_window(pts)
        if window is not None:
            fields = _limits_fields(window, types[key[0]])
            first.append(Baseline(indicator_id=key[0], scope_key=key[1], series=series, set_by=None, **fields))
    if first:
        for baseline in bulk_create_with_history(first, Baseline, default_user=actor):
            baselines[(baseline.indicator_id, baseline.scope_key)] = baseline
    return _signals_sync(series=series, baselines=baselines, points=points, actor=actor)


def _signals_sync(
    *, series: str, baselines: dict[SeriesKey, Baseline], points: dict[SeriesKey, list[Point]], actor: Any
) -> int:
    """Make the stored signals of these series match what their points show against their limits."""
    if not baselines:
        return 0
    wanted: dict[tuple[int, str, str, datetime.date], tuple[Decimal, Baseline]] = {}
    for key, baseline in baselines.items():
        pts = [p for p in points.get(key, []) if p[0] >= baseline.first_month]
        values = [v for _m, v in pts]
        for found in xmr.find_signals(
            values, mean=baseline.mean, upper=baseline.upper_limit, lower=baseline.lower_limit
        ):
            month, value = pts[found.index]
            wanted[(key[0], key[1], found.rule, month)] = (value, baseline)
    existing = {
        (s.indicator_id, s.scope_key, s.rule, s.month): s
        for s in Signal.objects.filter(
            series=series,
            indicator_id__in={k[0] for k in baselines},
            scope_key__in={k[1] for k in baselines},
        )
        if (s.indicator_id, s.scope_key) in baselines
    }
    new = [
        Signal(indicator_id=k[0], scope_key=k[1], series=series, rule=k[2], month=k[3], value=v, baseline=b)
        for k, (v, b) in sorted(wanted.items())
        if k not in existing
    ]
    if new:
        bulk_create_with_history(new, Signal, default_user=actor)
    for key, signal in existing.items():
        if signal.status != Signal.Status.NEW:
            continue  # a decision stands, whatever the data does next
        if key not in wanted:
            signal._history_user = actor
            signal.delete()
        elif signal.value != wanted[key][0]:
            signal.value = wanted[key][0]
            signal._history_user = actor
            signal.save(update_fields=["value"])
    return len(new)


# --- baselines -----------------------------------------------------------------------------------
class BaselineError(SignalError):
    pass


def baseline_series_check(*, indicator: Indicator, scope_key: str, series: str) -> None:
    _value_model(series)
    if not is_signal_scope(scope_key):
        raise BaselineError("Signals are kept for the authority and service areas only.")
    if indicator.type == IndicatorType.NARRATIVE:
        raise BaselineError("A narrative measure has no figures to set limits from.")


@transaction.atomic
def baseline_set(
    *,
    indicator: Indicator,
    scope_key: str,
    series: str,
    first_month: datetime.date,
    last_month: datetime.date,
    actor: Any,
) -> Baseline:
    """Set (or recalculate) a series' limits from the consecutive months ``first_month`` to
    ``last_month``, then check its signals again: those still to look at that the new limits no
    longer show are withdrawn; decided ones are kept."""
    baseline_series_check(indicator=indicator, scope_key=scope_key, series=series)
    first_month, last_month = first_month.replace(day=1), last_month.replace(day=1)
    if last_month < first_month:
        raise BaselineError("The last month must be the same as or after the first month.")
    pts = series_points(series=series, indicator_ids=[indicator.pk], scope_keys=[scope_key]).get(
        (indicator.pk, scope_key), []
    )
    by_month = {m: v for m, v in pts if first_month <= m <= last_month}
    months = months_between(first_month, last_month)
    missing = [m for m in months if m not in by_month]
    if len(by_month) < xmr.MIN_BASELINE_POINTS:
        raise BaselineError(
            f"A baseline needs at least {xmr.MIN_BASELINE_POINTS} monthly figures; {first_month:%B %Y} to "
            f"{last_month:%B %Y} holds {len(by_month)}."
        )
    if missing:
        named = ", ".join(f"{m:%B %Y}" for m in missing[:6]) + (" and more" if len(missing) > 6 else "")
        raise BaselineError(f"A baseline needs consecutive months, and there is no figure for {named}.")
    if xmr.mostly_zero(list(by_month.values())):
        raise BaselineError(
            "More than half of these months are zero: limits from them would signal noise, as an XmR chart does "
            "not suit rare events."
        )
    fields = _limits_fields([(m, by_month[m]) for m in months], indicator.type)
    baseline = (
        Baseline.objects.select_for_update().filter(indicator=indicator, scope_key=scope_key, series=series).first()
    )
    if baseline is None:
        baseline = Baseline(indicator=indicator, scope_key=scope_key, series=series, set_by=actor, **fields)
        baseline._history_user = actor
        baseline.save()
    elif any(getattr(baseline, name) != value for name, value in fields.items()) or baseline.set_by_id is None:
        for name, value in fields.items():
            setattr(baseline, name, value)
        baseline.set_by = actor
        baseline._history_user = actor
        baseline.save()
    else:
        return baseline  # the same months give the same limits: nothing to record
    _signals_sync(
        series=series,
        baselines={(indicator.pk, scope_key): baseline},
        points={(indicator.pk, scope_key): pts},
        actor=actor,
    )
    return baseline


# --- decisions -----------------------------------------------------------------------------------
def _decide(*, signal: Signal, status: str, note: str, actor: Any, now: datetime.datetime | None) -> Signal:
    locked = Signal.objects.select_for_update(of=("self",)).select_related("decided_by").get(pk=signal.pk)
    if locked.status != Signal.Status.NEW:
        who = f" by {locked.decided_by.full_name}" if locked.decided_by else ""
        raise SignalError(f"This signal has already been {locked.get_status_display().lower()}{who}.")
    note = note.strip()
    if len(note) > NOTE_MAX:
        raise SignalError(f"The note must be {NOTE_MAX} characters or fewer")
    locked.status = status
    locked.note = note
    locked.decided_by = actor
    locked.decided_at = now or timezone.now()
    locked._history_user = actor
    locked.save(update_fields=["status", "note", "decided_by", "decided_at"])
    return locked


@transaction.atomic
def signal_confirm(*, signal: Signal, actor: Any, note: str = "", now: datetime.datetime | None = None) -> Signal:
    """BI or the QA team agree the change is worth understanding (an ad-hoc audit may follow)."""
    return _decide(signal=signal, status=Signal.Status.CONFIRMED, note=note, actor=actor, now=now)


@transaction.atomic
def signal_dismiss(*, signal: Signal, actor: Any, note: str, now: datetime.datetime | None = None) -> Signal:
    """BI or the QA team explain why the signal needs no further look (a known cause, a data fix)."""
    if not note.strip():
        raise SignalError("Say why the signal is dismissed")
    return _decide(signal=signal, status=Signal.Status.DISMISSED, note=note, actor=actor, now=now)


# --- the ad-hoc audit a confirmed signal opens ------------------------------------------------------
@dataclass(frozen=True)
class SignalPeriod:
    start: datetime.date  # the 1st of the first month
    end: datetime.date  # the last day of the signal's month

    @property
    def label(self) -> str:
        if self.start.replace(day=1) == self.end.replace(day=1):
            return f"{self.end:%B %Y}"
        return f"{self.start:%B %Y} to {self.end:%B %Y}"


def signal_period(signal: Signal) -> SignalPeriod:
    """The months behind a signal: its month, or for a run the 7 points of the run. One query for a run."""
    if signal.rule != Signal.Rule.RUN_OF_7:
        return SignalPeriod(signal.month, month_end(signal.month))
    months = list(
        _value_model(signal.series)
        .objects.filter(
            indicator_id=signal.indicator_id,
            scope_key=signal.scope_key,
            value__isnull=False,
            period_start__day=1,
            period_start__lte=signal.month,
        )
        .order_by("-period_start")
        .values_list("period_start", "period_end")[: xmr.RUN_LENGTH * 2]
    )
    monthly = [start for start, end in months if end == month_end(start)][: xmr.RUN_LENGTH]
    return SignalPeriod(min(monthly, default=signal.month), month_end(signal.month))


def _area_id(scope_key: str) -> int | None:
    if not scope_key.startswith("area:"):
        return None
    return ServiceArea.objects.filter(code=scope_key.split(":", 1)[1]).values_list("pk", flat=True).first()


def signal_audit_criteria(signal: Signal, period: SignalPeriod) -> dict[str, Any]:
    """Sample criteria that follow from the indicator: the case types of its baskets, the case
    files opened in the period, and the service area when the signal is a service's."""
    types = [t for basket in signal.indicator.baskets for t in BASKET_CASE_TYPES.get(basket, ())]
    criteria: dict[str, Any] = {"opened_from": period.start.isoformat(), "opened_to": period.end.isoformat()}
    if types:
        criteria["case_types"] = sorted(set(types))
    area_id = _area_id(signal.scope_key)
    if area_id is not None:
        criteria["service_area_ids"] = [area_id]
    return criteria


def signal_episode_case_ids(signal: Signal, period: SignalPeriod, *, scope: Scope) -> list[int]:
    """For an estimate: the case files (in the QA person's scope) of the Annex A episodes behind the
    points, in case-reference order. Episodes with no case file are left out (the QA team adds
    them from the unmatched list)."""
    key = signal.indicator.estimate_key or signal.indicator.code
    if signal.series != SeriesKind.ESTIMATE or key not in ESTIMATE_EPISODES:
        return []
    lists, when = ESTIMATE_EPISODES[key]
    events = AnnexAEvent.objects.filter(list_number__in=lists, case_file__isnull=False)
    if when == "start":
        events = events.filter(event_date__range=(period.start, period.end))
    elif when == "end":
        events = events.filter(end_date__range=(period.start, period.end))
    else:
        events = events.filter(event_date__lte=period.end).filter(
            Q(end_date__isnull=True) | Q(end_date__gte=period.start)
        )
    area_id = _area_id(signal.scope_key)
    if area_id is not None:
        events = events.filter(team__service_area_id=area_id)
    return list(
        scope.case_files()
        .filter(pk__in=events.values("case_file_id"))
        .order_by("case_reference")
        .values_list("pk", flat=True)
    )


def signal_audit_title(signal: Signal, scope_label: str, period: SignalPeriod) -> str:
    return f"{signal.indicator.name}: {scope_label}, {period.label}"[:200]


@transaction.atomic
def signal_open_audit(
    *, signal: Signal, scope_label: str, actor: Any, today: datetime.date | None = None
) -> ProgrammeAudit:
    """Open an ad-hoc audit from a confirmed signal and keep the link on the signal.

    For an estimate the sample is the case files of the episodes behind the points (at most
    AUDIT_SAMPLE_SIZE, drawn with a seed from the signal when there are more); otherwise the QA
    team draws the sample from the criteria on the audit's page, as for any ad-hoc audit."""
    day = today or timezone.localdate()
    locked = Signal.objects.select_for_update(of=("self",)).select_related("indicator").get(pk=signal.pk)
    if locked.status != Signal.Status.CONFIRMED:
        raise SignalError("Confirm the signal before opening an ad-hoc audit from it.")
    if locked.programme_audit_id is not None:
        raise SignalError("An ad-hoc audit has already been opened from this signal.")
    period = signal_period(locked)
    criteria = signal_audit_criteria(locked, period)
    episodes = signal_episode_case_ids(locked, period, scope=scope_for(actor, today=day))
    sample = episodes
    if len(episodes) > AUDIT_SAMPLE_SIZE:
        sample = sorted(random.Random(f"signal:{locked.pk}").sample(episodes, AUDIT_SAMPLE_SIZE))
    detail = (
        f"{locked.get_rule_display()} in the {locked.get_series_display().lower()} for {locked.indicator.name} "
        f"({scope_label}), {period.label}."
    )
    if locked.series == SeriesKind.ESTIMATE:
        detail += f" The sample is {len(sample)} of the {len(episodes)} case files behind the points."
    if sample:
        criteria[SAMPLED_KEY] = sample
    programme = programme_create(
        kind=ProgrammeAudit.Kind.AD_HOC,
        title=signal_audit_title(locked, scope_label, period),
        reason=ProgrammeAudit.Reason.SIGNAL,
        reason_detail=detail,
        criteria=criteria,
        sample_size=len(sample) or AUDIT_SAMPLE_SIZE,
        actor=actor,
    )
    if sample:
        # The sample is already chosen, as for an ad-hoc audit opened from the child page.
        programme.status = ProgrammeAudit.Status.SAMPLED
        programme._history_user = actor
        programme.save(update_fields=["status"])
    locked.programme_audit = programme
    locked._history_user = actor
    locked.save(update_fields=["programme_audit"])
    return programme


# --- reads -----------------------------------------------------------------------------------------
def signal_scopes(scope: Scope, scopes: dict[str, ScopeRef] | None = None) -> dict[str, ScopeRef]:
    """The authority and service-area scopes this person may read signals of."""
    return {k: ref for k, ref in visible_scopes(scope, scopes).items() if is_signal_scope(k)}


def signals_visible(scope: Scope, scopes: dict[str, ScopeRef] | None = None) -> QuerySet[Signal]:
    return Signal.objects.filter(scope_key__in=list(signal_scopes(scope, scopes))).select_related(
        "indicator", "baseline", "decided_by", "programme_audit"
    )


@dataclass(frozen=True)
class SeriesHeld:
    indicator_id: int
    scope_key: str
    series: str
    months: int
    first_month: datetime.date
    last_month: datetime.date


def series_held() -> list[SeriesHeld]:
    """Every authority and service-area series with monthly figures, for the baselines page: one
    aggregate query per kind of figures."""
    held = []
    for kind in SeriesKind.values:
        rows = (
            _value_model(kind)
            .objects.filter(value__isnull=False, period_start__day=1)
            .filter(Q(scope_key=AUTHORITY) | Q(scope_key__startswith="area:"))
            .values("indicator_id", "scope_key")
            .annotate(months=Count("pk"), first=Min("period_start"), last=Max("period_start"))
            .order_by("indicator_id", "scope_key")
        )
        held += [SeriesHeld(r["indicator_id"], r["scope_key"], kind, r["months"], r["first"], r["last"]) for r in rows]
    return held


@dataclass(frozen=True)
class SeriesRow:
    month: datetime.date
    value: Decimal
    text: str
    in_baseline: bool
    rules: tuple[str, ...]  # the signals at this month, as words


@dataclass(frozen=True)
class SeriesPanel:
    """One series for a page: its limits, its signals, the chart and the table beside it."""

    indicator: Indicator
    scope: ScopeRef
    series: str
    baseline: Baseline | None
    signals: tuple[Signal, ...]
    rows: tuple[SeriesRow, ...]
    chart: Chart

    @property
    def series_label(self) -> str:
        return "App estimate" if self.series == SeriesKind.ESTIMATE else "Figures of record"

    @property
    def limits(self) -> dict[str, str]:
        """The baseline's figures as people read them."""
        if self.baseline is None:
            return {}
        unit = unit_of(self.indicator)
        return {
            "mean": format_value(self.baseline.mean, unit),
            "upper": format_value(self.baseline.upper_limit, unit),
            "lower": format_value(self.baseline.lower_limit, unit),
            "moving_range": format_value(self.baseline.moving_range, unit),
        }

    @property
    def anchor(self) -> str:
        return f"series-{self.indicator.code}-{self.scope.key.replace(':', '-')}-{self.series}"


def series_panels(
    groups: list[tuple[Indicator, ScopeRef, str, Baseline | None, list[Signal]]],
) -> list[SeriesPanel]:
    """Panels for (indicator, scope, series, baseline, signals) groups: one query per kind of figures."""
    points: dict[tuple[str, int, str], list[Point]] = {}
    for kind in sorted({g[2] for g in groups}):
        wanted = [g for g in groups if g[2] == kind]
        found = series_points(
            series=kind, indicator_ids={g[0].pk for g in wanted}, scope_keys={g[1].key for g in wanted}
        )
        points.update({(kind, *key): pts for key, pts in found.items()})
    panels = []
    for indicator, ref, kind, baseline, signals in groups:
        pts = points.get((kind, indicator.pk, ref.key), [])
        rules: dict[datetime.date, list[str]] = defaultdict(list)
        for signal in signals:
            rules[signal.month].append(signal.get_rule_display())
        rows = tuple(
            SeriesRow(
                month=m,
                value=v,
                text=format_value(v, unit_of(indicator)),
                in_baseline=baseline is not None and baseline.first_month <= m <= baseline.last_month,
                rules=tuple(rules.get(m, ())),
            )
            for m, v in pts
        )
        label = "App estimate" if kind == SeriesKind.ESTIMATE else "Figure of record"
        limits = None if baseline is None else (baseline.lower_limit, baseline.mean, baseline.upper_limit)
        chart = line_chart(
            [(label, pts)],
            title=f"{indicator.name}, {ref.label} ({label.lower()})",
            y_label=chart_y_label(indicator),
            limits=limits,
            unit=unit_of(indicator),
            marked=[s.month for s in signals],
        )
        panels.append(SeriesPanel(indicator, ref, kind, baseline, tuple(signals), rows, chart))
    return panels


# --- start-up ------------------------------------------------------------------------------------
def _on_figures_imported(
    *, indicator_ids: Iterable[int] | None = None, scope_keys: Iterable[str] | None = None, **kwargs: Any
) -> int:
    return signals_detect_for(
        series=SeriesKind.RECORD, indicator_ids=indicator_ids, scope_keys=scope_keys, actor=kwargs.get("actor")
    )


def _on_estimates_computed(
    *, indicator_ids: Iterable[int] | None = None, scope_keys: Iterable[str] | None = None, **kwargs: Any
) -> int:
    return signals_detect_for(
        series=SeriesKind.ESTIMATE, indicator_ids=indicator_ids, scope_keys=scope_keys, actor=kwargs.get("actor")
    )


def signals_sweep(*, today: datetime.date, now: datetime.datetime) -> int:
    """Daily repair: detect on every series, in case an import's detection was missed."""
    return sum(signals_detect_for(series=kind) for kind in SeriesKind.values)


def register() -> None:
    """Hooks, loaders, jobs and sweeps of this part."""
    hooks.register(FIGURES_IMPORTED_HOOK, _on_figures_imported)
    hooks.register(ESTIMATES_COMPUTED_HOOK, _on_estimates_computed)
    register_sweep("performance-signals", "daily", signals_sweep)
