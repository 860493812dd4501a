"""Synthetic figures of record and benchmarks for the demo (issue 7 item 7).

24 months, ending last month, of plausible monthly values for every numeric indicator in the
catalogue: at authority level, for each service area and team where the indicator's lowest scope
allows (counts split over the teams of the areas that do the work: the front door's, the child
protection teams', the children in care teams'...). Team values add up to their area's and the
areas' to the authority's; percentages carry their numerator and denominator. Trends are gentle
and the noise is a count's; two series at authority level move on purpose so the signals page has
something to show: referrals rise and stay up for the last 8 months (a run of 7 on one side) and
assessments within 45 working days drop sharply two months ago (a point beyond the limits).
Benchmarks (statistical neighbours and England, per financial quarter) for the percentages and
rates that national data covers.

Everything goes through the same validated import as BI's CSV files (``figures_import``): the demo
passes the checks a real file must pass, history rows name the demo's BI officer, and values held
already are found and left alone. Deterministic (``random.Random(f"demo-figures:{size}:{today}")``
over indicators, areas and teams in code order) and idempotent: a second run changes nothing.
"""

from __future__ import annotations

import datetime
import io
import math
import random
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass

from django.db import transaction

from core.csvio import write_csv
from core.models import ImportBatch
from organisation.demo import DEMO_EMAIL, HISTORY_REASON
from organisation.models import Role, ServiceArea, Team, User

from .models import Comparator, Indicator, IndicatorType, Population
from .scopes import AUTHORITY
from .services.figures import BENCHMARK_COLUMNS, FIGURE_COLUMNS, FiguresCheck, FiguresRefused, figures_import

MONTHS = 24
# Counts grow with the authority; percentages and rates do not.
SIZE_FACTOR = {"tiny": 0.5, "demo": 1.0, "large": 2.5}
DEFAULT_POPULATION = 53_000


@dataclass(frozen=True)
class Profile:
    """An indicator's shape at authority level, at size "demo".

    ``level`` is a monthly count (flow), a month-end count (stock), a percentage, a rate or an
    amount; ``n`` is a percentage's monthly denominator; ``trend`` a change per month (relative
    for counts, in points for percentages)."""

    level: float
    n: float = 0.0
    trend: float = 0.0
    # A rate per 10,000 worked out from this count indicator and the population.
    rate_of: str = ""


PROFILES: dict[str, Profile] = {
    "contacts": Profile(900, trend=0.002),
    "referrals": Profile(300, trend=0.001),
    "re_referral_rate": Profile(21, n=300, trend=-0.05),
    "referrals_nfa_pct": Profile(8, n=300),
    "assessments_completed": Profile(280, trend=0.001),
    "assessments_in_45_days_pct": Profile(86, n=280, trend=0.05),
    "assessments_rate": Profile(0, rate_of="assessments_completed"),
    "assessments_nfa_pct": Profile(34, n=280),
    "strategy_discussions": Profile(110),
    "strategy_three_partners_pct": Profile(78, n=110, trend=0.1),
    "s47_enquiries": Profile(90, trend=-0.002),
    "s47_rate": Profile(0, rate_of="s47_enquiries"),
    "s47_not_to_plan_pct": Profile(58, n=90),
    "s47_to_icpc_pct": Profile(44, n=90),
    "cp_plans_started": Profile(35, trend=-0.003),
    "cp_plan_rate": Profile(0, rate_of="cp_plans_started"),
    "cp_plans_second_subsequent_pct": Profile(22, n=35),
    "workbooks_opened_pct": Profile(88, n=160, trend=0.1),
    "consent_recorded_pct": Profile(80, n=30, trend=0.1),
    "children_looked_after": Profile(420, trend=-0.001),
    "cla_rate": Profile(0, rate_of="children_looked_after"),
    "care_entry_abuse_neglect_rate": Profile(1.6, trend=-0.004),
    "pre_proceedings_to_court_pct": Profile(40, n=12),
    "care_order_applications": Profile(8, trend=-0.004),
    "proceedings_care_plan_approved_pct": Profile(86, n=8),
    "left_care_to_family": Profile(6),
    "placement_cost_avoidance": Profile(120_000, trend=0.01),
    "sw_changes_3_plus_pct": Profile(17, n=420, trend=-0.05),
    "eh_re_referral_rate": Profile(14, n=150),
    "step_up_to_social_work": Profile(20),
    "step_down_after_assessment": Profile(45),
    "step_down_at_plan_end": Profile(15),
    "practitioner_turnover_pct": Profile(1.4, n=180),
    "vacancies": Profile(14, trend=-0.005),
    "agency_workers": Profile(18, trend=-0.008),
    "sickness_days_per_fte": Profile(0.9),
    "learning_development_satisfied_pct": Profile(72, n=120, trend=0.1),
    "visits_in_timescale_pct": Profile(88, n=600, trend=0.05),
    "statutory_reviews_in_timescale_pct": Profile(92, n=120),
    "supervision_in_timescale_pct": Profile(84, n=200, trend=0.05),
}
# Local indicators added in the app get a profile by their type.
DEFAULT_PROFILES = {
    IndicatorType.FLOW: Profile(50),
    IndicatorType.STOCK: Profile(100),
    IndicatorType.PERCENTAGE: Profile(75, n=100),
    IndicatorType.RATE: Profile(40),
    IndicatorType.MONEY: Profile(50_000),
}
# Months (counted back from last month) moved on purpose, so the signals page has signals:
# referrals up 18% for the last 8 months; assessments in 45 days 22 points down two months ago.
SHIFTS: dict[str, tuple[range, float]] = {
    "referrals": (range(MONTHS - 8, MONTHS), 0.18),
    "assessments_in_45_days_pct": (range(MONTHS - 2, MONTHS - 1), -22.0),
}
# The service areas that do each basket's work; counts are split over their teams. A basket not
# named here (workforce, team basics) is every area's. An authority without these areas (the
# tiny demo) gives the work to its Family Safeguarding teams, or else to every area.
BASKET_AREAS = {
    "front_door": ("front-door",),
    "child_protection": ("family-safeguarding", "disabilities"),
    "children_in_care": ("children-in-care", "disabilities"),
    "early_help": ("early-help",),
}
FALLBACK_AREA = "family-safeguarding"
NATIONAL_SOURCES = frozenset({"annex_a", "cin_census", "ssda903"})
COMMON_NOISE = {IndicatorType.STOCK: 0.015, IndicatorType.PERCENTAGE: 1.2}
FIGURES_FILE = "demo-figures-of-record.csv"
BENCHMARKS_FILE = "demo-benchmarks.csv"


def _months(today: datetime.date) -> list[tuple[datetime.date, datetime.date]]:
    """The 24 calendar months ending last month, as (first day, last day)."""
    first = today.replace(day=1)
    months = []
    for back in range(MONTHS, 0, -1):
        index = first.year * 12 + first.month - 1 - back
        start = datetime.date(index // 12, index % 12 + 1, 1)
        end = (start + datetime.timedelta(days=32)).replace(day=1) - datetime.timedelta(days=1)
        months.append((start, end))
    return months


def _count(rng: random.Random, mean: float) -> int:
    """A count with a count's noise (about Poisson)."""
    return max(0, round(rng.gauss(mean, math.sqrt(max(mean, 1.0)))))


@dataclass
class _Place:
    code: str
    area_code: str
    weight: float


class _Series:
    """One indicator's values per scope code ("authority", area code, team code) and month."""

    def __init__(self) -> None:
        self.values: dict[str, list[float | None]] = {}
        self.numerators: dict[str, list[int | None]] = {}
        self.denominators: dict[str, list[int | None]] = {}


def _areas_for(indicator: Indicator, areas: Sequence[str]) -> list[str]:
    wanted = next((BASKET_AREAS[b] for b in indicator.baskets if b in BASKET_AREAS), None)
    if wanted is None:
        return list(areas)
    present = [code for code in wanted if code in areas]
    return present or ([FALLBACK_AREA] if FALLBACK_AREA in areas else list(areas))


def _factors(rng: random.Random, indicator: Indicator, profile: Profile, size: str) -> list[float]:
    """The authority's month-by-month level: trend, common noise and any deliberate shift."""
    noise = COMMON_NOISE.get(indicator.type, 0.04)
    months, shift = SHIFTS.get(indicator.code, (range(0), 0.0))
    factors = []
    for month in range(MONTHS):
        if indicator.type == IndicatorType.PERCENTAGE:
            level = profile.level + profile.trend * month + rng.gauss(0, noise)
            level = min(98.0, max(0.5, level + (shift if month in months else 0.0)))
        else:
            level = profile.level * (1 + profile.trend) ** month * (1 + rng.gauss(0, noise))
            level *= (1 + shift) if month in months else 1.0
            if indicator.type in (IndicatorType.FLOW, IndicatorType.STOCK):
                level *= SIZE_FACTOR[size]
        factors.append(level)
    return factors


def _generate(
    rng: random.Random,
    indicator: Indicator,
    *,
    size: str,
    places: list[_Place],
    areas: list[str],
    counts: dict[str, _Series],
    populations: dict[int, int],
    months: list[tuple[datetime.date, datetime.date]],
) -> _Series:
    profile = PROFILES.get(indicator.code) or DEFAULT_PROFILES[indicator.type]
    if profile.rate_of and profile.rate_of not in counts:
        profile = DEFAULT_PROFILES[indicator.type]  # the count it comes from is not in the catalogue
    series = _Series()
    levels = _factors(rng, indicator, profile, size)
    if profile.rate_of and profile.rate_of in counts:
        # A rate per 10,000 children: the authority's count over the population of the year.
        base = counts[profile.rate_of].values[AUTHORITY]
        series.numerators[AUTHORITY] = [None if v is None else int(v) for v in base]
        series.denominators[AUTHORITY] = [populations.get(m.year, DEFAULT_POPULATION) for m, _ in months]
        series.values[AUTHORITY] = [
            None if n is None else round(n * 10_000 / d, 2)
            for n, d in zip(series.numerators[AUTHORITY], series.denominators[AUTHORITY], strict=True)
        ]
        return series
    if indicator.type == IndicatorType.RATE and indicator.lowest_scope != AUTHORITY and areas:
        # A workforce rate (sickness days per FTE): each area its own, the authority their mean.
        for code in areas:
            series.values[code] = [round(level * (1 + rng.gauss(0, 0.12)), 2) for level in levels]
        series.values[AUTHORITY] = [
            round(sum(series.values[code][i] for code in areas) / len(areas), 2) for i in range(MONTHS)
        ]
        return series
    if indicator.type in (IndicatorType.RATE, IndicatorType.MONEY) or indicator.lowest_scope == AUTHORITY:
        # Rates and amounts for the whole authority (money is Finance's figure for the authority).
        places_used: list[_Place] = []
    elif indicator.lowest_scope == "area":
        places_used = [_Place(code, code, 1.0) for code in areas]
    else:
        places_used = [place for place in places if place.area_code in areas]
    if not places_used:
        if indicator.type == IndicatorType.MONEY:
            series.values[AUTHORITY] = [round(level, -2) for level in levels]
        elif indicator.type in (IndicatorType.FLOW, IndicatorType.STOCK):
            series.values[AUTHORITY] = [round(level) for level in levels]
        else:
            series.values[AUTHORITY] = [round(level, 2) for level in levels]
        return series
    total_weight = sum(place.weight for place in places_used)
    by_area: dict[str, list[_Place]] = defaultdict(list)
    for place in places_used:
        by_area[place.area_code].append(place)
    percentage = indicator.type == IndicatorType.PERCENTAGE
    n_scale = SIZE_FACTOR[size] if percentage else 1.0
    for place in places_used:
        share = place.weight / total_weight
        if percentage:
            dens = [_count(rng, profile.n * n_scale * share) for _ in range(MONTHS)]
            nums = [
                min(d, _count(rng, d * max(0.0, min(100.0, rng.gauss(p, 3.0))) / 100))
                for d, p in zip(dens, levels, strict=True)
            ]
            series.numerators[place.code] = nums
            series.denominators[place.code] = dens
        else:
            series.values[place.code] = [_count(rng, level * share) for level in levels]
    # Areas and the authority add up their teams (an area-level indicator's places are areas).
    groups = {} if indicator.lowest_scope == "area" else {area: [p.code for p in by_area[area]] for area in by_area}
    groups[AUTHORITY] = [place.code for place in places_used]
    for scope, members in groups.items():
        if percentage:
            series.numerators[scope] = [sum(series.numerators[m][i] for m in members) for i in range(MONTHS)]
            series.denominators[scope] = [sum(series.denominators[m][i] for m in members) for i in range(MONTHS)]
        else:
            series.values[scope] = [sum(series.values[m][i] for m in members) for i in range(MONTHS)]
    if percentage:
        for scope, dens in series.denominators.items():
            nums = series.numerators[scope]
            series.values[scope] = [round(100 * n / d, 1) if d else None for n, d in zip(nums, dens, strict=True)]
    return series


def _figure_rows(
    indicator: Indicator, series: _Series, months: list[tuple[datetime.date, datetime.date]]
) -> list[list[object]]:
    rows: list[list[object]] = []
    for scope, values in series.values.items():
        nums = series.numerators.get(scope)
        dens = series.denominators.get(scope)
        for i, (start, end) in enumerate(months):
            if values[i] is None:
                continue  # a percentage of nothing: no figure that month
            rows.append(
                [
                    indicator.code,
                    start.isoformat(),
                    end.isoformat(),
                    scope,
                    values[i],
                    "" if nums is None else nums[i],
                    "" if dens is None else dens[i],
                ]
            )
    return rows


def _benchmark_rows(
    rng: random.Random, indicator: Indicator, series: _Series, months: list[tuple[datetime.date, datetime.date]]
) -> list[list[object]]:
    """Statistical neighbours and England per financial quarter (April–June, ...) in the window."""
    authority = series.values.get(AUTHORITY)
    if not authority or indicator.type not in (IndicatorType.PERCENTAGE, IndicatorType.RATE):
        return []
    if not NATIONAL_SOURCES.intersection(indicator.sources):
        return []
    factors = {Comparator.STATISTICAL_NEIGHBOURS: rng.uniform(0.9, 1.1), Comparator.ENGLAND: rng.uniform(0.85, 1.15)}
    rows: list[list[object]] = []
    for first in range(len(months)):
        start = months[first][0]
        if start.month not in (1, 4, 7, 10) or first + 3 > len(months):
            continue
        quarter = [v for v in authority[first : first + 3] if v is not None]
        if not quarter:
            continue
        mean = sum(quarter) / len(quarter)
        for comparator, factor in factors.items():
            value = mean * factor * (1 + rng.gauss(0, 0.02))
            if indicator.type == IndicatorType.PERCENTAGE:
                value = min(99.0, value)
            rows.append(
                [indicator.code, start.isoformat(), months[first + 2][1].isoformat(), comparator, round(value, 1)]
            )
    return rows


def _csv(header: Sequence[str], rows: list[list[object]]) -> str:
    out = io.StringIO()
    write_csv(out, header, rows)
    return out.getvalue()


def _import(text: str, *, file_name: str, actor: User | None, today: datetime.date) -> FiguresCheck:
    """Import through the validated writer, recorded as an upload by the demo's BI officer when
    anything changes. A file the checks refuse is a bug in this generator: it fails loudly."""
    batch = None
    if actor is not None:
        kind = ImportBatch.Kind.INDICATORS if file_name == FIGURES_FILE else ImportBatch.Kind.BENCHMARKS
        batch = ImportBatch.objects.create(
            kind=kind, file_name=file_name, content="", status=ImportBatch.Status.IMPORTED, uploaded_by=actor
        )
    try:
        check = figures_import(text=text, actor=actor, today=today, batch=batch, reason=HISTORY_REASON)
    except FiguresRefused as refused:
        raise ValueError(f"The demo's own {file_name} does not check out: {refused.check.problems[:5]}") from None
    if batch is not None and not (check.new or check.replaced):
        batch.delete()  # nothing changed: no upload to show
    elif batch is not None:
        batch.summary = {**check.summary(), "imported": True}
        batch.save(update_fields=["summary"])
    return check


def seed_figures(*, size: str, today: datetime.date) -> str:
    """Seed 24 months of figures of record and quarterly benchmarks; returns a one-line summary."""
    indicators = [
        i
        for i in Indicator.objects.filter(active=True).order_by("position", "code")
        if i.type != IndicatorType.NARRATIVE
    ]
    if not indicators:
        return "Figures of record: skipped (no indicator catalogue; run load_framework first)."
    rng = random.Random(f"demo-figures:{size}:{today}")
    months = _months(today)
    areas = list(ServiceArea.objects.order_by("code").values_list("code", flat=True))
    places = [
        _Place(code, area, rng.uniform(0.7, 1.3))
        for code, area in Team.objects.order_by("code").values_list("code", "service_area__code")
    ]
    populations = dict(Population.objects.order_by("year").values_list("year", "aged_0_to_17"))
    actor = User.objects.filter(email=DEMO_EMAIL[Role.BI_OFFICER]).first()
    counts: dict[str, _Series] = {}
    figure_rows: list[list[object]] = []
    benchmark_rows: list[list[object]] = []
    # Counts first, so the rates per 10,000 can be worked out from them.
    ordered = sorted(indicators, key=lambda i: (bool((PROFILES.get(i.code) or Profile(0)).rate_of), i.position, i.code))
    for indicator in ordered:
        series = _generate(
            rng,
            indicator,
            size=size,
            places=places,
            areas=_areas_for(indicator, areas),
            counts=counts,
            populations=populations,
            months=months,
        )
        counts[indicator.code] = series
        figure_rows += _figure_rows(indicator, series, months)
        benchmark_rows += _benchmark_rows(rng, indicator, series, months)
    with transaction.atomic():
        figures = _import(_csv(FIGURE_COLUMNS, figure_rows), file_name=FIGURES_FILE, actor=actor, today=today)
        benchmarks = _import(
            _csv(BENCHMARK_COLUMNS, benchmark_rows), file_name=BENCHMARKS_FILE, actor=actor, today=today
        )
    return (
        f"Figures of record: {figures.new} added, {figures.unchanged} already held "
        f"({len(indicators)} indicators, {months[0][0]:%B %Y}–{months[-1][0]:%B %Y}); "
        f"benchmarks: {benchmarks.new} added, {benchmarks.unchanged} already held."
    )
