"""App estimates computed from the merged Annex A events (DESIGN section 7).

They are labelled "app estimate" everywhere and shown beside BI's figures of record, which stay
the figures the council reports. Each is computed per calendar month for the authority, each
service area and each team, crediting an event to the team the workbook gives on its row (the
allocated team at the time of the event, as far as the data says so); an event whose team the
app does not know counts for the authority only.

The computations are pure functions over :class:`Event` tuples (bank holidays aside, which come
from the database through ``core.workdays``); :func:`estimates_recompute` loads the events, runs
them and replaces the Estimate rows, then calls the ``performance-estimates-computed`` hook so
signals are looked for on the new estimates. The rules, as the pages state them, are in RULES.
"""

from __future__ import annotations

import calendar
import datetime
from collections import Counter, defaultdict
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal
from typing import Any, NamedTuple

from django.db import transaction
from django.db.models import Max

from audits.agreement import months_between
from core import hooks
from core.workdays import working_days_between

from .models import AnnexAEvent, AnnexASnapshot, Estimate, FigureOfRecord, Indicator
from .scopes import AUTHORITY, ScopeRef, all_scopes

ESTIMATES_COMPUTED_HOOK = "performance-estimates-computed"
RE_REFERRAL_MONTHS = 12
ASSESSMENT_WORKING_DAYS = 45
# A section 47 enquiry "leads to" a child protection plan that starts on or after the enquiry
# began and within this many days of it.
S47_PLAN_WINDOW_DAYS = 90
# CIN census closure reason RC9: case closed after assessment, referred to early help.
STEP_DOWN_AFTER_ASSESSMENT_CODE = "RC9"
# Estimates go back at most this many months before the latest data.
MAX_MONTHS = 36
BATCH_SIZE = 2000

# The rule of each estimate, as the reconciliation page states it.
RULES: dict[str, str] = {
    "referrals": "Referrals (list 3) by the month of the referral date.",
    "re_referral_rate": (
        "Of the month's referrals, the percentage whose child had a previous referral on or after the same date "
        "12 calendar months before (29 February goes back to 28 February). Shown only for months at least 12 "
        "months after the earliest referral the app holds, since earlier months would undercount."
    ),
    "referrals_nfa_pct": (
        "Of the month's referrals, the percentage marked no further action (the NFA flag, or an outcome of NFA)."
    ),
    "assessments_completed": "Assessments (list 4) by the month they were authorised.",
    "assessments_in_45_days_pct": (
        "Of the assessments authorised in the month, the percentage authorised within 45 working days of the "
        "start (weekends and England and Wales bank holidays excluded; the start day is not counted)."
    ),
    "s47_enquiries": "Section 47 enquiries (list 5) by the month the enquiry started.",
    "s47_not_to_plan_pct": (
        "Of the children with a section 47 enquiry starting in the month, the percentage with no child "
        f"protection plan (list 7) starting on or after the enquiry and within {S47_PLAN_WINDOW_DAYS} days of "
        f"it. Shown only for months that ended at least {S47_PLAN_WINDOW_DAYS} days before the latest data."
    ),
    "s47_to_icpc_pct": (
        "Of the children with a section 47 enquiry starting in the month, the percentage whose enquiry has an "
        "initial child protection conference date (conference conversion). Shown for the same months as the "
        "percentage not leading to a plan."
    ),
    "cp_plans_started": "Child protection plans (list 7) by the month the plan started.",
    "cp_plans_second_subsequent_pct": (
        "Of the plans started in the month, the percentage for a child with an earlier plan: one the app holds, "
        "or a number of previous plans above 0 in the workbook."
    ),
    "children_looked_after": (
        "Children looked after (list 8) on the last day of the month: started on or before it and not ceased "
        "by it (a child who ceased on the last day is not counted). Each child once."
    ),
    "step_down_after_assessment": (
        "Children whose case closed after assessment with reason RC9 (referred to early help), by the month it "
        "closed (lists 4 and 6). Each child once a month."
    ),
    "step_down_at_plan_end": (
        "Children whose child in need or child protection plan ended with a step down to early help (a reason "
        "such as 'Step down to early help', 'EH' or 'SD'), by the month it ended (lists 6 and 7). Each child "
        "once a month."
    ),
}
ESTIMATE_KEYS = tuple(RULES)
PERCENTAGE_KEYS = frozenset(
    {
        "re_referral_rate",
        "referrals_nfa_pct",
        "assessments_in_45_days_pct",
        "s47_not_to_plan_pct",
        "s47_to_icpc_pct",
        "cp_plans_second_subsequent_pct",
    }
)
_NFA_OUTCOMES = frozenset({"NFA", "NOFURTHERACTION"})
_STEP_DOWN_EXACT = frozenset({"EH", "SD", "SDEH", "STEPDOWN"})


class Event(NamedTuple):
    list_number: int
    child_id: str
    event_date: datetime.date
    end_date: datetime.date | None
    codes: dict[str, Any]
    team_id: int | None


@dataclass(frozen=True)
class Value:
    value: Decimal
    numerator: int | None = None
    denominator: int | None = None


Cells = dict[tuple[str, datetime.date], Value]  # (scope key, month) -> value
ScopesOf = Callable[[int | None], tuple[str, ...]]


# --- calendar -----------------------------------------------------------------------------------------
def month_start(day: datetime.date) -> datetime.date:
    return day.replace(day=1)


def month_end(day: datetime.date) -> datetime.date:
    return day.replace(day=calendar.monthrange(day.year, day.month)[1])


def add_months(day: datetime.date, months: int) -> datetime.date:
    """The same date ``months`` calendar months later (earlier when negative), clamped to the
    month's last day: 29 February 2024 less 12 months is 28 February 2023."""
    index = day.year * 12 + day.month - 1 + months
    year, month = divmod(index, 12)
    return datetime.date(year, month + 1, min(day.day, calendar.monthrange(year, month + 1)[1]))


def is_re_referral(previous: datetime.date | None, referral: datetime.date) -> bool:
    """A referral is a re-referral when the child's previous referral was on or after the same date
    12 calendar months before (DfE)."""
    return previous is not None and add_months(referral, -RE_REFERRAL_MONTHS) <= previous < referral


def within_45_working_days(started: datetime.date, authorised: datetime.date) -> bool:
    return working_days_between(started, authorised) <= ASSESSMENT_WORKING_DAYS


def _code(value: object) -> str:
    return "".join(ch for ch in str(value or "").upper() if ch.isalnum())


def is_step_down_at_plan_end(reason: object) -> bool:
    """Whether the reason a plan ended is a step down to early help ("Step down to early help",
    "EH", "SD"). The import keeps only this answer, not the reason's text."""
    code = _code(reason)
    return code in _STEP_DOWN_EXACT or "EARLYHELP" in code


def is_nfa_outcome(outcome: object) -> bool:
    """Whether a referral's outcome was no further action ("NFA", "No further action"). The
    import keeps only this answer, not the outcome's text."""
    return _code(outcome) in _NFA_OUTCOMES


def _percentage(hits: int, total: int) -> Decimal:
    return (Decimal(hits * 100) / Decimal(total)).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)


def _date(value: object) -> datetime.date | None:
    if isinstance(value, datetime.date):
        return value
    return datetime.date.fromisoformat(value) if isinstance(value, str) and value else None


# --- tallies --------------------------------------------------------------------------------------------
@dataclass
class _Tally:
    """Counts per (scope, month), and for a percentage the hits among them."""

    scopes_of: ScopesOf
    months: list[datetime.date]
    total: Counter[tuple[str, datetime.date]] = field(default_factory=Counter)
    hits: Counter[tuple[str, datetime.date]] = field(default_factory=Counter)
    seen: set[str] = field(default_factory=lambda: {AUTHORITY})

    def __post_init__(self) -> None:
        self._months = set(self.months)

    def add(self, day: datetime.date, team_id: int | None, hit: bool = False) -> None:
        month = month_start(day)
        if month not in self._months:
            return
        for scope in self.scopes_of(team_id):
            self.seen.add(scope)
            self.total[(scope, month)] += 1
            if hit:
                self.hits[(scope, month)] += 1

    def counts(self) -> Cells:
        """Every scope that had an event, every month: a month with none is 0."""
        return {
            (scope, month): Value(Decimal(self.total[(scope, month)])) for scope in self.seen for month in self.months
        }

    def percentages(self) -> Cells:
        """Only where there is a denominator."""
        return {
            key: Value(_percentage(self.hits[key], total), self.hits[key], total) for key, total in self.total.items()
        }


class _Once:
    """Counts each child once per month (the first event met decides the team)."""

    def __init__(self) -> None:
        self._seen: set[tuple[str, datetime.date]] = set()

    def first(self, child_id: str, day: datetime.date) -> bool:
        key = (child_id, month_start(day))
        if key in self._seen:
            return False
        self._seen.add(key)
        return True


# --- the estimates -------------------------------------------------------------------------------------
def _by_child(events: Iterable[Event]) -> dict[str, list[Event]]:
    grouped: dict[str, list[Event]] = defaultdict(list)
    for event in events:
        grouped[event.child_id].append(event)
    for group in grouped.values():
        group.sort(key=lambda e: e.event_date)
    return grouped


def referral_estimates(referrals: list[Event], *, months: list[datetime.date], scopes_of: ScopesOf) -> dict[str, Cells]:
    count, nfa, again = (_Tally(scopes_of, months) for _ in range(3))
    earliest = min((e.event_date for e in referrals), default=None)
    # Months whose 12-month look-back starts before the history held would undercount.
    eligible = {m for m in months if earliest is not None and add_months(m, -RE_REFERRAL_MONTHS) >= earliest}
    for group in _by_child(referrals).values():
        previous: datetime.date | None = None
        for event in group:
            count.add(event.event_date, event.team_id)
            nfa.add(event.event_date, event.team_id, event.codes.get("nfa") is True)
            if month_start(event.event_date) in eligible:
                again.add(event.event_date, event.team_id, is_re_referral(previous, event.event_date))
            previous = event.event_date
    return {
        "referrals": count.counts(),
        "referrals_nfa_pct": nfa.percentages(),
        "re_referral_rate": again.percentages(),
    }


def assessment_estimates(
    assessments: list[Event], *, months: list[datetime.date], scopes_of: ScopesOf
) -> dict[str, Cells]:
    completed, timely = _Tally(scopes_of, months), _Tally(scopes_of, months)
    for event in assessments:
        if event.end_date is None:
            continue
        completed.add(event.end_date, event.team_id)
        timely.add(event.end_date, event.team_id, within_45_working_days(event.event_date, event.end_date))
    return {"assessments_completed": completed.counts(), "assessments_in_45_days_pct": timely.percentages()}


def s47_estimates(
    enquiries: list[Event],
    plans: list[Event],
    *,
    months: list[datetime.date],
    as_of: datetime.date,
    scopes_of: ScopesOf,
) -> dict[str, Cells]:
    """Section 47 enquiries, and per child the share not leading to a plan and reaching conference."""
    count = _Tally(scopes_of, months)
    window = datetime.timedelta(days=S47_PLAN_WINDOW_DAYS)
    settled = [m for m in months if month_end(m) + window <= as_of]
    not_to_plan, to_icpc = _Tally(scopes_of, settled), _Tally(scopes_of, settled)
    plan_starts: dict[str, list[datetime.date]] = defaultdict(list)
    for plan in plans:
        plan_starts[plan.child_id].append(plan.event_date)
    for child, group in _by_child(enquiries).items():
        by_month: dict[datetime.date, list[Event]] = defaultdict(list)
        for event in group:
            count.add(event.event_date, event.team_id)
            by_month[month_start(event.event_date)].append(event)
        for month, in_month in by_month.items():
            led = any(e.event_date <= p <= e.event_date + window for e in in_month for p in plan_starts.get(child, ()))
            conference = any(_date(e.codes.get("icpc_date")) for e in in_month)
            first = in_month[0]
            not_to_plan.add(month, first.team_id, not led)
            to_icpc.add(month, first.team_id, conference)
    return {
        "s47_enquiries": count.counts(),
        "s47_not_to_plan_pct": not_to_plan.percentages(),
        "s47_to_icpc_pct": to_icpc.percentages(),
    }


def plan_estimates(plans: list[Event], *, months: list[datetime.date], scopes_of: ScopesOf) -> dict[str, Cells]:
    started, repeat = _Tally(scopes_of, months), _Tally(scopes_of, months)
    for group in _by_child(plans).values():
        for index, plan in enumerate(group):
            earlier = index > 0 or (plan.codes.get("previous_plans") or 0) > 0
            started.add(plan.event_date, plan.team_id)
            repeat.add(plan.event_date, plan.team_id, earlier)
    return {"cp_plans_started": started.counts(), "cp_plans_second_subsequent_pct": repeat.percentages()}


def looked_after_estimates(
    episodes: list[Event], *, months: list[datetime.date], scopes_of: ScopesOf
) -> dict[str, Cells]:
    """Children looked after at each month end (a stock): each child once."""
    stock = _Tally(scopes_of, months)
    ordered = sorted(episodes, key=lambda e: (e.event_date, e.child_id))
    for month in months:
        last = month_end(month)
        counted: set[str] = set()
        for episode in ordered:
            if episode.event_date > last:
                break
            if (episode.end_date is None or episode.end_date > last) and episode.child_id not in counted:
                counted.add(episode.child_id)
                stock.add(last, episode.team_id)
    return {"children_looked_after": stock.counts()}


def step_down_estimates(
    assessments: list[Event],
    cin: list[Event],
    plans: list[Event],
    *,
    months: list[datetime.date],
    scopes_of: ScopesOf,
) -> dict[str, Cells]:
    after_assessment, at_plan_end = _Tally(scopes_of, months), _Tally(scopes_of, months)
    once = _Once()
    closures = [(e, _date(e.codes.get("closure_date")) or e.end_date) for e in assessments]
    closures += [(e, e.end_date) for e in cin]
    for event, closed in sorted(closures, key=lambda pair: (pair[1] or datetime.date.min, pair[0].child_id)):
        step_down = _code(event.codes.get("closure_reason")) == STEP_DOWN_AFTER_ASSESSMENT_CODE
        if closed and step_down and once.first(event.child_id, closed):
            after_assessment.add(closed, event.team_id)
    once = _Once()
    for event in sorted((*cin, *plans), key=lambda e: (e.end_date or datetime.date.min, e.child_id)):
        step_down = event.codes.get("step_down") is True
        if event.end_date and step_down and once.first(event.child_id, event.end_date):
            at_plan_end.add(event.end_date, event.team_id)
    return {"step_down_after_assessment": after_assessment.counts(), "step_down_at_plan_end": at_plan_end.counts()}


def estimate_months(events: Iterable[Event], *, as_of: datetime.date) -> list[datetime.date]:
    """The months estimated: from the first month of the flow lists (contacts to section 47s;
    plans and episodes in care may have started years before) to the month of the latest data,
    at most MAX_MONTHS."""
    last = month_start(as_of)
    first = min((e.event_date for e in events if e.list_number <= 5), default=None)
    if first is None:
        return []
    return months_between(max(month_start(first), add_months(last, -(MAX_MONTHS - 1))), last)


def compute_estimates(events: list[Event], *, as_of: datetime.date, scopes_of: ScopesOf) -> dict[str, Cells]:
    """Every estimate, keyed as RULES, from the merged events and the date of the latest data."""
    months = estimate_months(events, as_of=as_of)
    lists: dict[int, list[Event]] = defaultdict(list)
    for event in events:
        if event.event_date <= as_of:
            lists[event.list_number].append(event)
    found: dict[str, Cells] = {}
    found |= referral_estimates(lists[3], months=months, scopes_of=scopes_of)
    found |= assessment_estimates(lists[4], months=months, scopes_of=scopes_of)
    found |= s47_estimates(lists[5], lists[7], months=months, as_of=as_of, scopes_of=scopes_of)
    found |= plan_estimates(lists[7], months=months, scopes_of=scopes_of)
    found |= looked_after_estimates(lists[8], months=months, scopes_of=scopes_of)
    found |= step_down_estimates(lists[4], lists[6], lists[7], months=months, scopes_of=scopes_of)
    return found


# --- writing Estimate rows ------------------------------------------------------------------------------
@dataclass
class EstimateRun:
    rows: int = 0
    indicator_ids: list[int] = field(default_factory=list)
    scope_keys: list[str] = field(default_factory=list)


def estimated_indicators() -> dict[str, Indicator]:
    """The catalogue's indicators an estimate is computed for, by estimate key, in catalogue order."""
    return {
        i.estimate_key: i
        for i in Indicator.objects.filter(estimate_key__in=ESTIMATE_KEYS, active=True).order_by("position", "code")
    }


def _scopes_of(refs: dict[str, ScopeRef]) -> ScopesOf:
    """Authority, then the team's service area and the team, for an event's team."""
    areas = {ref.service_area_id: key for key, ref in refs.items() if ref.kind == "area"}
    by_team = {
        ref.team_id: tuple(k for k in (areas.get(ref.service_area_id), key) if k)
        for key, ref in refs.items()
        if ref.kind == "team"
    }
    plain = (AUTHORITY,)
    with_team = {team_id: (AUTHORITY, *keys) for team_id, keys in by_team.items()}
    return lambda team_id: with_team.get(team_id, plain) if team_id is not None else plain


def load_events() -> list[Event]:
    rows = AnnexAEvent.objects.order_by().values_list(
        "list_number", "child_id", "event_date", "end_date", "codes", "team_id"
    )
    return [Event(n, child, day, end, codes or {}, team) for n, child, day, end, codes, team in rows.iterator(5000)]


def latest_data_date() -> datetime.date | None:
    return AnnexASnapshot.objects.aggregate(latest=Max("extracted_on"))["latest"]


@transaction.atomic
def estimates_recompute(*, actor: Any = None, as_of: datetime.date | None = None) -> EstimateRun:
    """Recompute every estimate from the merged events and replace the Estimate rows of the
    estimated indicators (every month and scope: the history may have changed anywhere), then
    tell the signals part. Indicators missing from the catalogue are skipped."""
    indicators = estimated_indicators()
    as_of = as_of or latest_data_date()
    if not indicators or as_of is None:
        return EstimateRun()
    refs = all_scopes()
    results = compute_estimates(load_events(), as_of=as_of, scopes_of=_scopes_of(refs))
    rows: list[Estimate] = []
    for key, indicator in indicators.items():
        for (scope_key, month), value in sorted(results.get(key, {}).items()):
            ref = refs.get(scope_key)
            rows.append(
                Estimate(
                    indicator=indicator,
                    period_start=month,
                    period_end=month_end(month),
                    scope_key=scope_key,
                    service_area_id=ref.service_area_id if ref and ref.kind == "area" else None,
                    team_id=ref.team_id if ref else None,
                    value=value.value,
                    numerator=value.numerator,
                    denominator=value.denominator,
                )
            )
    Estimate.objects.filter(indicator__in=list(indicators.values())).delete()
    Estimate.objects.bulk_create(rows, batch_size=BATCH_SIZE)
    run = EstimateRun(
        rows=len(rows),
        indicator_ids=sorted(i.pk for i in indicators.values()),
        scope_keys=sorted({row.scope_key for row in rows}),
    )
    if rows:
        hooks.call(ESTIMATES_COMPUTED_HOOK, indicator_ids=run.indicator_ids, scope_keys=run.scope_keys, actor=actor)
    return run


# --- the reconciliation ---------------------------------------------------------------------------------
@dataclass(frozen=True)
class ReconciliationRow:
    month: datetime.date
    estimate: Estimate | None
    figure: FigureOfRecord | None

    @property
    def difference(self) -> Decimal | None:
        """App estimate less the figure of record, when both exist."""
        if self.estimate is None or self.figure is None or self.estimate.value is None or self.figure.value is None:
            return None
        return self.estimate.value - self.figure.value


@dataclass
class ReconciliationIndicator:
    indicator: Indicator
    rule: str
    rows: list[ReconciliationRow]

    @property
    def is_percentage(self) -> bool:
        return self.indicator.estimate_key in PERCENTAGE_KEYS


def reconciliation(
    *, scope_key: str, first_month: datetime.date, last_month: datetime.date
) -> list[ReconciliationIndicator]:
    """Each estimated indicator, month by month for one scope: the app estimate, BI's monthly
    figure of record and the difference. Three queries, whatever the data."""
    indicators = estimated_indicators()
    months = months_between(first_month, last_month)
    ids = [i.pk for i in indicators.values()]
    window = {"scope_key": scope_key, "indicator_id__in": ids, "period_start__range": (first_month, last_month)}
    estimates = {(e.indicator_id, e.period_start): e for e in Estimate.objects.filter(**window)}
    figures = {
        (f.indicator_id, f.period_start): f
        for f in FigureOfRecord.objects.filter(**window)
        if f.period_end == month_end(f.period_start)
    }
    return [
        ReconciliationIndicator(
            indicator=indicator,
            rule=RULES[key],
            rows=[
                ReconciliationRow(month, estimates.get((indicator.pk, month)), figures.get((indicator.pk, month)))
                for month in months
            ],
        )
        for key, indicator in indicators.items()
    ]


def latest_estimate_month() -> datetime.date | None:
    return Estimate.objects.filter(indicator__estimate_key__in=ESTIMATE_KEYS).aggregate(m=Max("period_start"))["m"]
