"""Baskets of indicators, never single numbers (seed 8; DESIGN section 7).

A basket page shows, for one scope (the authority, a service area or a team) and one month, every
active indicator of the basket: the month's figure of record with its n, the app estimate beside
it, the 24-month trend as a chart with its table, benchmarks, the target where one is allowed, the
brief, and a comparison of counts across the scope's teams (or the authority's service areas),
always in name order: a comparison, never a ranking.

Rules the page keeps:

* Percentages with n (the denominator) below 10 are greyed and say "read with care".
* Demand and threshold measures (contacts, referrals, section 47s, plans, children looked after,
  no further action) carry no target and no good/bad reading.
* Rates per 10,000 children are for the authority only (there is no team population); workforce
  rates are for service areas and the authority only (teams see vacancy and agency counts).

Reads are a fixed number of queries whatever the data holds: the basket's figures for the scope's
24 months and the comparison scopes' month in one query, estimates and benchmarks in one each.
"""

from __future__ import annotations

import datetime
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from decimal import Decimal

from django.db.models import Q
from django.http import Http404
from django.utils.html import format_html

from core.charts import Chart, format_value, line_chart
from organisation.scope import Scope

from .estimates import add_months, month_end
from .models import (
    Basket,
    Benchmark,
    Comparator,
    Direction,
    Estimate,
    FigureOfRecord,
    Indicator,
    IndicatorType,
    Source,
)
from .scopes import AUTHORITY, ScopeRef, all_scopes, visible_scopes
from .selectors import indicators_for_basket, is_rate_per_10000, population_by_year, rate_per_10000

TREND_MONTHS = 24
# Percentages resting on fewer than this many children (or events) are greyed: one child moves
# them a long way (DESIGN section 7).
LOW_N = 10
# Scope levels, narrowest first: an indicator is shown at its lowest_scope and above.
LEVEL = {"team": 0, "area": 1, "authority": 2}
BASKET_INTRO = {
    Basket.FRONT_DOOR: "Contacts, referrals and assessments: how need arrives and how thresholds are applied.",
    Basket.CHILD_PROTECTION: "Strategy discussions, section 47 enquiries, conferences and child protection plans.",
    Basket.CHILDREN_IN_CARE: "Children looked after, entry into care, proceedings and leaving care to family.",
    Basket.EARLY_HELP: "Early help re-referrals and the steps up to and down from social work.",
    Basket.WORKFORCE: "Turnover, vacancies, agency workers, sickness, supervision and what staff tell us.",
    Basket.TEAM: "The basics every team manager watches: visits, statutory reviews, supervision, assessments.",
}


# --- readings -----------------------------------------------------------------------------------------
@dataclass(frozen=True)
class Reading:
    """One value as shown: the figure, its n, and whether it is to be read with care."""

    value: Decimal | None
    numerator: Decimal | None
    denominator: Decimal | None
    text: str
    n_text: str = ""
    low_n: bool = False

    def __html__(self) -> str:
        """The figure as the page shows it (built here, not in an include: a basket page shows
        hundreds of readings). Greyed below 10, and said in words, not by colour alone."""
        n = format_html(' <span class="app-reading__n">({})</span>', self.n_text) if self.n_text else ""
        if self.low_n:
            note = format_html(' <span class="app-low-n__note">n below {}: read with care</span>', LOW_N)
            return format_html('<span class="app-reading app-low-n">{}{}{}</span>', self.text, n, note)
        return format_html('<span class="app-reading">{}{}</span>', self.text, n)

    # Templates turn values into text with str() before escaping.
    __str__ = __html__


def unit_of(indicator: Indicator) -> str:
    """The unit ``core.charts.format_value`` understands: "%", "£" or none."""
    if indicator.type == IndicatorType.PERCENTAGE:
        return "%"
    if indicator.type == IndicatorType.MONEY:
        return "£"
    return ""


def chart_y_label(indicator: Indicator) -> str:
    """The label beside a chart's axis: short, since it is written sideways."""
    if _per_10000(indicator):
        return "Per 10,000 children"
    return {"%": "Per cent", "£": "Pounds"}.get(unit_of(indicator), (indicator.unit or "Value").capitalize())


def _per_10000(indicator: Indicator) -> bool:
    return is_rate_per_10000(type=indicator.type, unit=indicator.unit)


def reading(
    indicator: Indicator,
    value: Decimal | None,
    numerator: Decimal | None,
    denominator: Decimal | None,
    *,
    year: int | None = None,
    populations: Mapping[int, int] | None = None,
) -> Reading:
    """A value as people read it. A percentage without a value is worked out from its n; a rate
    per 10,000 without one from its count and ``year``'s population in ``populations``."""
    if value is None and indicator.type == IndicatorType.PERCENTAGE and numerator is not None and denominator:
        value = (numerator * 100 / denominator).quantize(Decimal("0.1"))
    if value is None and _per_10000(indicator) and numerator is not None and year is not None:
        value = rate_per_10000(numerator, year, populations=populations or {})
    n_text = ""
    low_n = False
    if indicator.type == IndicatorType.PERCENTAGE:
        if denominator is not None:
            n_text = (
                f"{format_value(numerator)} of {format_value(denominator)}"
                if numerator is not None
                else f"n = {format_value(denominator)}"
            )
            low_n = denominator < LOW_N
        else:
            n_text = "n not given"
    elif numerator is not None and denominator is not None:
        n_text = f"{format_value(numerator)} / {format_value(denominator)}"
    elif _per_10000(indicator) and numerator is not None:
        n_text = f"n = {format_value(numerator)}"
    return Reading(
        value=value,
        numerator=numerator,
        denominator=denominator,
        text=format_value(value, unit_of(indicator)),
        n_text=n_text,
        low_n=low_n,
    )


# --- the page ---------------------------------------------------------------------------------------------
@dataclass(frozen=True)
class TrendRow:
    month: datetime.date
    record: Reading | None
    estimate: Reading | None


@dataclass(frozen=True)
class ComparisonRow:
    ref: ScopeRef
    reading: Reading | None
    is_this_scope: bool


@dataclass(frozen=True)
class BenchmarkReading:
    comparator: str
    label: str
    period_start: datetime.date
    period_end: datetime.date
    text: str


@dataclass
class IndicatorPanel:
    indicator: Indicator
    # Empty when the indicator is shown at this scope; else why not (rates, workforce rates).
    not_shown: str = ""
    current: Reading | None = None
    estimate: Reading | None = None
    benchmarks: list[BenchmarkReading] = field(default_factory=list)
    target_text: str = ""
    # True / False only for target-allowed measures with a target and a direction.
    target_met: bool | None = None
    population_note: str = ""
    chart: Chart | None = None
    trend: list[TrendRow] = field(default_factory=list)
    has_estimates: bool = False
    comparison_label: str = ""
    comparison: list[ComparisonRow] = field(default_factory=list)

    @property
    def is_narrative(self) -> bool:
        return self.indicator.type == IndicatorType.NARRATIVE

    @property
    def sources_text(self) -> str:
        labels = [Source(value).label if value in Source.values else value for value in self.indicator.sources or ()]
        owner = f" (supplied by {self.indicator.owner})" if self.indicator.owner else ""
        return ", ".join(labels) + owner

    @property
    def unit_label(self) -> str:
        """The unit in words where the type does not already say it ("%" and "£" show on figures)."""
        unit = self.indicator.unit
        if (
            self.indicator.type in {IndicatorType.PERCENTAGE, IndicatorType.MONEY}
            or unit in self.indicator.get_type_display()
        ):
            return ""
        return unit


@dataclass(frozen=True)
class BasketFrame:
    """What the page is about before any figure is read: the basket, the scope, the months."""

    basket: str
    scopes: dict[str, ScopeRef]
    visible: dict[str, ScopeRef]
    ref: ScopeRef
    indicators: list[Indicator]
    # Months with figures for this scope, newest first.
    months: list[datetime.date]

    @property
    def label(self) -> str:
        return Basket(self.basket).label


@dataclass
class BasketPage:
    frame: BasketFrame
    month: datetime.date | None
    panels: list[IndicatorPanel]

    @property
    def intro(self) -> str:
        return BASKET_INTRO[Basket(self.frame.basket)]


def baskets_overview() -> list[tuple[str, str, str, int]]:
    """(basket, label, intro, number of active indicators) for the basket list: one query."""
    counts = dict.fromkeys(Basket.values, 0)
    for baskets in Indicator.objects.filter(active=True).order_by().values_list("baskets", flat=True):
        for basket in baskets or ():
            if basket in counts:
                counts[basket] += 1
    return [(basket, Basket(basket).label, BASKET_INTRO[basket], counts[basket]) for basket in Basket.values]


def default_scope_keys(scope: Scope, visible: dict[str, ScopeRef]) -> list[str]:
    """The places the person answers for, narrowest first: their teams, their service areas (a
    team manager's team's area too), then the authority."""
    teams = [ref for ref in visible.values() if ref.kind == "team" and ref.team_id in scope.managed_team_ids]
    area_ids = set(scope.area_ids) | {ref.service_area_id for ref in teams}
    areas = [ref for ref in visible.values() if ref.kind == "area" and ref.service_area_id in area_ids]
    return [*(ref.key for ref in teams), *(ref.key for ref in areas), AUTHORITY]


def shown_at(indicator: Indicator, ref: ScopeRef) -> bool:
    return LEVEL[ref.kind] >= LEVEL.get(indicator.lowest_scope, 0)


def _not_shown_reason(indicator: Indicator, ref: ScopeRef) -> str:
    if _per_10000(indicator):
        return (
            "Rates per 10,000 children are shown for the whole authority only: there is no team or service population."
        )
    if indicator.lowest_scope == "area":
        return "Shown for service areas and the whole authority only: a team is too small for this rate."
    return "Not shown at this level."


def comparison_scopes(ref: ScopeRef, scopes: dict[str, ScopeRef]) -> tuple[str, list[ScopeRef]]:
    """The scopes a page compares, in name order: the authority's service areas, an area's teams,
    or a team's fellow teams in its service area (seed 7: "compared with other teams in the
    same service area")."""
    if ref.kind == AUTHORITY:
        return "Service areas", [r for r in scopes.values() if r.kind == "area"]
    area_id = ref.service_area_id
    area = next((r for r in scopes.values() if r.kind == "area" and r.service_area_id == area_id), None)
    teams = [r for r in scopes.values() if r.kind == "team" and r.service_area_id == area_id]
    return (f"Teams in {area.label}" if area else "Teams"), teams


def months_with_data(indicator_ids: Iterable[int], scope_key: str) -> list[datetime.date]:
    """Months (by the period's end) with a figure of record or an estimate, newest first (two
    queries; the distinct end dates come from the index, and are cut to months here)."""
    months: set[datetime.date] = set()
    for model in (FigureOfRecord, Estimate):
        ends = (
            model.objects.filter(indicator_id__in=list(indicator_ids), scope_key=scope_key)
            .order_by()
            .values_list("period_end", flat=True)
            .distinct()
        )
        months.update(end.replace(day=1) for end in ends)
    return sorted(months, reverse=True)


Row = tuple[int, str, datetime.date, datetime.date, Decimal | None, Decimal | None, Decimal | None]
_COLUMNS = ("indicator_id", "scope_key", "period_start", "period_end", "value", "numerator", "denominator")


def values_by_month(rows: Iterable[Row]) -> dict[tuple[int, str, datetime.date], Row]:
    """Values keyed by (indicator, scope, month of the period's end). Where two periods end in
    the same month (a month and a quarter), the shorter one is the month's figure."""
    found: dict[tuple[int, str, datetime.date], Row] = {}
    for row in rows:
        key = (row[0], row[1], row[3].replace(day=1))
        if key not in found or row[2] > found[key][2]:
            found[key] = row
    return found


def basket_frame(*, scope: Scope, basket: str, scope_key: str | None) -> BasketFrame:
    """The basket and scope asked for. An unknown basket, or a scope the person may not read,
    answers 404 (never 403, which would confirm it exists)."""
    if basket not in Basket.values:
        raise Http404("No such basket")
    scopes = all_scopes()
    visible = visible_scopes(scope, scopes)
    indicators = indicators_for_basket(basket)
    ids = [indicator.pk for indicator in indicators]
    if scope_key:
        key = scope_key
        if key not in visible:
            raise Http404("No such scope")
        months = months_with_data(ids, key)
    else:
        # Unasked, the narrowest place the person answers for that has figures in this basket (a
        # family safeguarding team has no front-door figures: its service or the authority does).
        for key in default_scope_keys(scope, visible):
            months = months_with_data(ids, key)
            if months:
                break
    return BasketFrame(
        basket=basket, scopes=scopes, visible=visible, ref=visible[key], indicators=indicators, months=months
    )


def basket_page(*, frame: BasketFrame, month: datetime.date | None) -> BasketPage:
    """Every indicator's panel for the frame's scope and ``month`` (None: the latest with data)."""
    ref = frame.ref
    ids = [indicator.pk for indicator in frame.indicators]
    chosen = month if month is not None else (frame.months[0] if frame.months else None)
    page = BasketPage(frame=frame, month=chosen, panels=[IndicatorPanel(indicator=i) for i in frame.indicators])
    if chosen is None:
        for panel in page.panels:
            panel.not_shown = "" if shown_at(panel.indicator, ref) else _not_shown_reason(panel.indicator, ref)
        return page
    first = add_months(chosen, -(TREND_MONTHS - 1))
    last_day = month_end(chosen)
    comparison_label, compared = comparison_scopes(ref, frame.scopes)
    figures = values_by_month(
        FigureOfRecord.objects.filter(indicator_id__in=ids)
        .filter(
            Q(scope_key=ref.key, period_end__gte=first, period_end__lte=last_day)
            | Q(scope_key__in=[r.key for r in compared], period_end__gte=chosen, period_end__lte=last_day)
        )
        .order_by()
        .values_list(*_COLUMNS)
    )
    estimates = values_by_month(
        Estimate.objects.filter(
            indicator_id__in=ids, scope_key=ref.key, period_end__gte=first, period_end__lte=last_day
        )
        .order_by()
        .values_list(*_COLUMNS)
    )
    benchmarks = latest_benchmarks(ids, chosen, last_day)
    populations = population_by_year() if ref.kind == AUTHORITY and any(_per_10000(i) for i in frame.indicators) else {}
    window = [add_months(first, n) for n in range(TREND_MONTHS)]
    for panel in page.panels:
        _fill_panel(
            panel,
            ref=ref,
            chosen=chosen,
            window=window,
            figures=figures,
            estimates=estimates,
            benchmarks=benchmarks.get(panel.indicator.pk, []),
            populations=populations,
            comparison_label=comparison_label,
            compared=compared,
        )
    return page


def latest_benchmarks(ids: list[int], month: datetime.date, last_day: datetime.date) -> dict[int, list[Benchmark]]:
    """Per indicator, the latest benchmark of each comparator whose period covers the month or
    ended in the two years before it (benchmarks are published a year or more behind)."""
    latest: dict[tuple[int, str], Benchmark] = {}
    rows = Benchmark.objects.filter(
        indicator_id__in=ids, period_start__lte=last_day, period_end__gte=add_months(month, -24)
    ).order_by("period_end", "period_start")
    for row in rows:
        latest[(row.indicator_id, row.comparator)] = row
    order = list(Comparator.values)
    by_indicator: dict[int, list[Benchmark]] = {}
    for row in sorted(latest.values(), key=lambda b: order.index(b.comparator)):
        by_indicator.setdefault(row.indicator_id, []).append(row)
    return by_indicator


def _fill_panel(
    panel: IndicatorPanel,
    *,
    ref: ScopeRef,
    chosen: datetime.date,
    window: list[datetime.date],
    figures: dict[tuple[int, str, datetime.date], Row],
    estimates: dict[tuple[int, str, datetime.date], Row],
    benchmarks: list[Benchmark],
    populations: dict[int, int],
    comparison_label: str,
    compared: list[ScopeRef],
) -> None:
    indicator = panel.indicator
    if not shown_at(indicator, ref):
        panel.not_shown = _not_shown_reason(indicator, ref)
        return
    unit = unit_of(indicator)
    per_10000 = _per_10000(indicator)

    def read(row: Row | None) -> Reading | None:
        if row is None:
            return None
        return reading(indicator, row[4], row[5], row[6], year=row[3].year, populations=populations)

    panel.current = read(figures.get((indicator.pk, ref.key, chosen)))
    panel.estimate = read(estimates.get((indicator.pk, ref.key, chosen)))
    if per_10000 and panel.current is not None and panel.current.value is None and chosen.year not in populations:
        panel.population_note = f"No population for {chosen.year}: the rate cannot be worked out."
    panel.benchmarks = [
        BenchmarkReading(
            comparator=b.comparator,
            label=b.get_comparator_display(),
            period_start=b.period_start,
            period_end=b.period_end,
            text=format_value(b.value, unit),
        )
        for b in benchmarks
    ]
    # Targets and their met / not met wording only for timeliness and compliance measures;
    # demand and threshold measures never carry one (the model refuses it too).
    if indicator.target_allowed and not indicator.demand_measure and indicator.target is not None:
        direction = Direction(indicator.direction).label.lower() if indicator.direction else ""
        panel.target_text = format_value(indicator.target, unit) + (f" ({direction})" if direction else "")
        value = panel.current.value if panel.current else None
        if value is not None and indicator.direction:
            higher = indicator.direction == Direction.HIGHER
            panel.target_met = value >= indicator.target if higher else value <= indicator.target
    if panel.is_narrative:
        return
    panel.trend = [
        TrendRow(
            month=month,
            record=read(figures.get((indicator.pk, ref.key, month))),
            estimate=read(estimates.get((indicator.pk, ref.key, month))),
        )
        for month in window
    ]
    panel.trend = [row for row in panel.trend if row.record is not None or row.estimate is not None]
    panel.has_estimates = any(row.estimate is not None for row in panel.trend)
    panel.chart = _trend_chart(panel, ref=ref, unit=unit)
    if compared and all(shown_at(indicator, r) for r in compared):
        rows = [
            ComparisonRow(
                ref=r, reading=read(figures.get((indicator.pk, r.key, chosen))), is_this_scope=r.key == ref.key
            )
            for r in compared
        ]
        # A table of "no figure" tells nobody anything.
        if any(row.reading is not None for row in rows):
            panel.comparison_label = comparison_label
            panel.comparison = rows


def _trend_chart(panel: IndicatorPanel, *, ref: ScopeRef, unit: str) -> Chart | None:
    """The figures of record over 24 months, the app estimates beside them, and the target line
    where the measure may have one; None when there is nothing to draw."""
    record = [(row.month, row.record.value if row.record else None) for row in panel.trend]
    estimate = [(row.month, row.estimate.value if row.estimate else None) for row in panel.trend]
    if all(value is None for _month, value in [*record, *estimate]):
        return None
    series = [("Figure of record", record)]
    if any(value is not None for _month, value in estimate):
        series.append(("App estimate", estimate))
    indicator = panel.indicator
    return line_chart(
        series,
        title=f"{indicator.name}, {ref.label}",
        y_label=chart_y_label(indicator),
        target=indicator.target if panel.target_text else None,
        unit=unit,
    )
