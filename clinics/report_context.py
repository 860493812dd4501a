"""The team manager's clinic highlight report context (Appendix 5; DESIGN section 8).

:func:`team_clinic_context` reads one team's data for one month and returns the report context
described in :mod:`clinics.report_kinds`: plain JSON, frozen as it is when the report is finalised.

What it keeps to, and why:

* **Never a made-up figure.** Every number is read from the data; where a part has nothing for the
  team and month, the section carries a ``missing`` block that says so in plain words.
* **Read aloud at the clinic.** The report is team level and is read by the people in the room, so
  it holds counts and themes only: no case references, no child's initials, no practitioner's
  name, and no per-practitioner grade totals or rankings (DESIGN sections 1 and 10). The only
  names are the owners of the clinic's own management actions. Families' words appear only where
  the family chose to share them, and then without who said them ("A parent or carer said: …").
* **Workforce rates are never per team** (issue 7): the indicators' ``lowest_scope`` decides, as
  on the basket pages; a team sees vacancy and agency counts and its supervision figure only.
* **About three sides of A4.** Every table of counts is a data table (``data: true``) the author
  may move to the appendix; the themes and the clinic's action log stay in the body.
* **A fixed number of queries** whatever the data holds: each block is one aggregate query
  (``values()`` + ``annotate``), so a large team costs what a small one does (about 25 in all).
"""

from __future__ import annotations

import datetime
from collections import defaultdict
from collections.abc import Iterable
from decimal import Decimal
from typing import Any

from django.db.models import Count, Q
from django.utils import timezone

from audits.models import (
    DONE_STATUSES,
    OPEN_STATUSES,
    Action,
    ActionReview,
    ActionStatus,
    Audit,
    AuditStatus,
    ChildOfConcern,
    DipSample,
    DipSampleItem,
    Grade,
    Progress,
)

# The dashboards' own alt-text wording, worked out without drawing. core.charts keeps it private;
# a public name there would serve both.
from core.charts import chart_alt_text
from feedback.models import Audience, Outcome, ParticipationTask, Questionnaire, Response, Sharing
from observations.models import Observation, ObservationPractitioner, ObservationType, ShareChoice
from organisation.models import Team
from performance.estimates import add_months, month_end
from performance.models import Basket, Benchmark, Comparator, Direction, Estimate, FigureOfRecord, Indicator
from performance.models import IndicatorType as IType
from performance.scopes import ScopeRef, team_key
from performance.selectors import indicators_active
from performance.selectors_baskets import LOW_N, chart_y_label, reading, shown_at, unit_of

from .models import ReportKind
from .permissions import place_label, scope_key_for
from .report_kinds import KINDS
from .selectors_meetings import actions_for_period
from .themes import ThemeRollup, period_themes

Block = dict[str, Any]
Section = dict[str, Any]
Number = int | float

# Trends and grade counts run over the 12 months to the period (DESIGN section 8: "6–12 months");
# themes, shared learning and families' views over the quarter to it, so a month with one audit
# still says something.
TREND_MONTHS = 12
QUARTER_MONTHS = 3
# Charts in the performance section (the brief allows up to 3). Each chart stays in the body (only
# its table of points can move to the appendix) and costs about 0.4 of a side: with the grades
# chart, two here keep the demo's team reports near three sides with the author's narrative.
MAX_PERFORMANCE_CHARTS = 2
# A chart needs a line, not a dot.
MIN_CHART_POINTS = 2
# Families' quotes: a few, short.
MAX_QUOTES = 5
QUOTE_CHARS = 200
QUOTE_CANDIDATES = 25
# Benchmarks are published a year or more behind the month (as on the basket pages).
BENCHMARK_MONTHS_BACK = 24
BENCHMARK_COLUMNS = (
    (Comparator.STATISTICAL_NEIGHBOURS, "Statistical neighbours"),
    (Comparator.ENGLAND, "England"),
)
# Baskets the performance section shows; the workforce basket has its own section.
PERFORMANCE_BASKETS = [b for b in Basket.values if b != Basket.WORKFORCE]
GRADE_ORDER = list(Grade.values)
GOOD_OR_BETTER = frozenset({Grade.OUTSTANDING, Grade.GOOD})
SAID_BY = {Audience.CHILD: "A child or young person said", Audience.PARENT: "A parent or carer said"}
SUMMARY_TEXT = "The author's summary."

# (indicator id, month) -> (value, numerator, denominator, period_start)
Values = dict[tuple[int, datetime.date], tuple[Decimal | None, Decimal | None, Decimal | None, datetime.date]]


# --- small helpers (the block builders are public: the board reports may build with them too) ------
def _label(month: datetime.date) -> str:
    return f"{month:%B %Y}"


def _key(month: datetime.date) -> str:
    return f"{month:%Y-%m}"


def _judged_on(period: datetime.date) -> datetime.date:
    """The day "overdue" is judged on: the month's last day, or today for the month in progress
    (the rule of the clinic's action log, ``selectors_meetings.actions_for_period``)."""
    return min(month_end(period), timezone.localdate())


def _span(first: datetime.date, last: datetime.date) -> str:
    """ "August to October 2026", "November 2025 to October 2026" (as the board reports say it)."""
    if first == last:
        return _label(last)
    if first.year == last.year:
        return f"{first:%B} to {last:%B %Y}"
    return f"{_label(first)} to {_label(last)}"


def _start_of(day: datetime.date) -> datetime.datetime:
    """Midnight at the start of ``day`` in Europe/London (the current time zone), for datetimes."""
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time.min))


def _number(value: Decimal | int | float | None) -> Number | None:
    """A figure as plain JSON: an int where it is whole, else a float."""
    if value is None:
        return None
    number = float(value)
    return int(number) if number.is_integer() else round(number, 2)


def table_block(caption: str, columns: list[tuple[str, bool]], rows: list[list[Any]], *, data: bool = True) -> Block:
    """A table block; ``columns`` are (label, numeric). ``data`` marks a data table the author may
    move to the appendix (the length rules count it there)."""
    return {
        "type": "table",
        "caption": caption,
        "columns": [{"label": label, "numeric": numeric} for label, numeric in columns],
        "rows": rows,
        "data": data,
    }


def missing_block(text: str) -> Block:
    """An earlier part has nothing for this place and period: said plainly, never a made-up figure."""
    return {"type": "missing", "text": text}


def paragraph_block(text: str) -> Block:
    """One paragraph of plain text."""
    return {"type": "paragraph", "text": text}


def _counts(rows: Iterable[dict[str, Any]], key: str) -> dict[Any, int]:
    return {row[key]: row["n"] for row in rows}


# --- the context ----------------------------------------------------------------------------------
def team_clinic_context(team: Team, period: datetime.date) -> dict[str, Any]:
    """The team manager's clinic report for ``team`` and the month ``period`` (any day of it).

    Sections, in order: performance, quality, learning, voice, workforce, actions, summary (the
    narrative boxes of ``team-clinic`` attach after their keys). Plain JSON only."""
    period = period.replace(day=1)
    ref = ScopeRef(
        key=team_key(team.code), kind="team", label=team.name, service_area_id=team.service_area_id, team_id=team.pk
    )
    indicators = [i for i in indicators_active() if shown_at(i, ref) and i.type != IType.NARRATIVE]
    values, estimates, benchmarks = _performance_data(indicators, ref, period)
    return {
        "kind": ReportKind.TEAM_CLINIC.value,
        "title": KINDS[ReportKind.TEAM_CLINIC].title,
        "scope_key": scope_key_for(team),
        "scope_label": place_label(team),
        "period": _key(period),
        "period_label": _label(period),
        "generated_on": timezone.localdate().isoformat(),
        "sections": [
            _performance_section(team, period, indicators, values, estimates, benchmarks),
            _quality_section(team, period),
            _learning_section(team, period),
            _voice_section(team, period),
            _workforce_section(team, period, indicators, values, benchmarks),
            _actions_section(team, period),
            {"key": "summary", "heading": "Summary", "blocks": [paragraph_block(SUMMARY_TEXT)]},
        ],
    }


# --- performance ----------------------------------------------------------------------------------
def _values(model: type[FigureOfRecord] | type[Estimate], ids: list[int], key: str, period: datetime.date) -> Values:
    """The team's values over the trend window and the same month last year, keyed by the month the
    period ends in. Where a month and a quarter end in the same month the shorter one is the
    month's figure (the basket pages' rule). One query."""
    found: Values = {}
    rows = (
        model.objects.filter(
            indicator_id__in=ids,
            scope_key=key,
            period_end__gte=add_months(period, -TREND_MONTHS),
            period_end__lte=month_end(period),
        )
        .order_by()
        .values_list("indicator_id", "period_start", "period_end", "value", "numerator", "denominator")
    )
    for indicator_id, start, end, value, numerator, denominator in rows:
        month_key = (indicator_id, end.replace(day=1))
        if month_key not in found or start > found[month_key][3]:
            found[month_key] = (value, numerator, denominator, start)
    return found


def _performance_data(
    indicators: list[Indicator], ref: ScopeRef, period: datetime.date
) -> tuple[Values, Values, dict[int, dict[str, Decimal]]]:
    """Figures of record, app estimates and the latest benchmark per comparator: three queries."""
    ids = [i.pk for i in indicators]
    values = _values(FigureOfRecord, ids, ref.key, period)
    estimates = _values(Estimate, ids, ref.key, period)
    benchmarks: dict[int, dict[str, Decimal]] = defaultdict(dict)
    rows = (
        Benchmark.objects.filter(
            indicator_id__in=ids,
            comparator__in=[c for c, _label in BENCHMARK_COLUMNS],
            period_start__lte=month_end(period),
            period_end__gte=add_months(period, -BENCHMARK_MONTHS_BACK),
        )
        .order_by("period_end", "period_start")
        .values_list("indicator_id", "comparator", "value")
    )
    for indicator_id, comparator, value in rows:
        benchmarks[indicator_id][comparator] = value  # the latest wins
    return values, estimates, benchmarks


def _name_with_unit(indicator: Indicator) -> str:
    """The measure's name with its unit where the name does not already say it: the table's
    cells are bare numbers."""
    unit = unit_of(indicator) or indicator.unit
    if not unit or (unit not in {"%", "£"} and unit.lower() in indicator.name.lower()):
        return indicator.name
    # "Vacancies, posts (FTE)" rather than brackets inside brackets.
    return f"{indicator.name}, {unit}" if "(" in unit else f"{indicator.name} ({unit})"


def _value_at(indicator: Indicator, values: Values, month: datetime.date) -> tuple[Number | None, Number | None]:
    """(value, n) for a month: a percentage without a value is worked out from its n, as on the
    basket pages; n is the denominator of a percentage."""
    row = values.get((indicator.pk, month))
    if row is None:
        return None, None
    value, numerator, denominator, _start = row
    shown = reading(indicator, value, numerator, denominator)
    n = denominator if indicator.type == IType.PERCENTAGE else None
    return _number(shown.value), _number(n)


def _reads_good_or_bad(indicator: Indicator) -> bool:
    """Demand and threshold measures carry no good/bad reading (DESIGN section 7)."""
    return not indicator.demand_measure and bool(indicator.direction)


def _has_target(indicator: Indicator) -> bool:
    return indicator.target_allowed and not indicator.demand_measure and indicator.target is not None


def _indicator_table(
    caption: str,
    indicators: list[Indicator],
    values: Values,
    benchmarks: dict[int, dict[str, Decimal]],
    period: datetime.date,
) -> tuple[Block, list[str]]:
    """The table of this month, last month, the same month last year, n, benchmarks and which way
    is better (only where the catalogue allows a reading); and the measures whose n is below 10."""
    last_month, last_year = add_months(period, -1), add_months(period, -12)
    rows: list[list[Any]] = []
    low_n: list[str] = []
    for indicator in indicators:
        now, n = _value_at(indicator, values, period)
        before, _n = _value_at(indicator, values, last_month)
        year_ago, _n = _value_at(indicator, values, last_year)
        if n is not None and n < LOW_N:
            low_n.append(indicator.name)
        marks = benchmarks.get(indicator.pk, {})
        better = Direction(indicator.direction).label if _reads_good_or_bad(indicator) else None
        rows.append(
            [
                _name_with_unit(indicator),
                now,
                before,
                year_ago,
                n,
                *(_number(marks.get(comparator)) for comparator, _label in BENCHMARK_COLUMNS),
                better,
            ]
        )
    columns = [
        ("Measure", False),
        (_label(period), True),
        (_label(last_month), True),
        (_label(last_year), True),
        ("n", True),
        *((label, True) for _c, label in BENCHMARK_COLUMNS),
        ("Which is better", False),
    ]
    return table_block(caption, columns, rows), low_n


def _window(period: datetime.date) -> list[datetime.date]:
    return [add_months(period, -n) for n in range(TREND_MONTHS - 1, -1, -1)]


ChartSeries = list[tuple[str, list[tuple[datetime.date, Number | None]]]]


def chart_block(series: ChartSeries, *, title: str, y_label: str, unit: str, target: Number | None) -> Block:
    """A chart block: the renderer draws it with ``core.charts.line_chart`` (the dashboards' helper)
    from these very values. Its alternative text is the helper's own wording, worked out without
    drawing (a drawing costs about a quarter of a second and the renderer makes it anyway)."""
    frozen = tuple((label, tuple((m, None if v is None else float(v)) for m, v in points)) for label, points in series)
    days = sorted({m for _label, points in series for m, _v in points})
    alt = chart_alt_text(
        frozen, days, title=title, target=None if target is None else float(target), limits=None, unit=unit
    )
    return {
        "type": "chart",
        "title": title,
        "unit": unit,
        "y_label": y_label,
        "series": [{"label": label, "points": [[_key(m), v] for m, v in points]} for label, points in series],
        "target": target,
        "alt": alt,
    }


def _chart(team: Team, indicator: Indicator, values: Values, estimates: Values, period: datetime.date) -> Block:
    """A trend chart over the 12 months to the period, as the basket pages draw it (the same labels
    and units; the target only where the measure may have one)."""
    months = _window(period)
    record = [(m, _value_at(indicator, values, m)[0]) for m in months]
    estimate = [(m, _value_at(indicator, estimates, m)[0]) for m in months]
    series: ChartSeries = [("Figure of record", record)]
    if any(v is not None for _m, v in estimate):
        series.append(("App estimate", estimate))
    return chart_block(
        series,
        title=f"{indicator.name}, {team.name}",
        y_label=chart_y_label(indicator),
        unit=unit_of(indicator),
        target=_number(indicator.target) if _has_target(indicator) else None,
    )


def _chart_order(indicator: Indicator) -> tuple[int, int, str]:
    """Key measures first: those with a target (timeliness and compliance), then the rest."""
    return (0 if indicator.target_allowed else 1, indicator.position, indicator.code)


def _performance_section(
    team: Team,
    period: datetime.date,
    indicators: list[Indicator],
    values: Values,
    estimates: Values,
    benchmarks: dict[int, dict[str, Decimal]],
) -> Section:
    months = {m for _i, m in values}
    blocks: list[Block] = []
    if period not in months:
        blocks.append(missing_block(f"No figures of record for this team for {_label(period)} have been loaded."))
    with_figures = {i for i, _m in values}
    shown = [i for i in indicators if Basket.WORKFORCE not in i.baskets and i.pk in with_figures]
    charted = {
        i.pk
        for i in sorted(shown, key=_chart_order)
        if sum(_value_at(i, values, m)[0] is not None for m in _window(period)) >= MIN_CHART_POINTS
    }
    chart_ids = [i.pk for i in sorted(shown, key=_chart_order) if i.pk in charted][:MAX_PERFORMANCE_CHARTS]
    low_n: list[str] = []
    placed: set[int] = set()
    for basket in PERFORMANCE_BASKETS:
        in_basket = [i for i in shown if basket in i.baskets and i.pk not in placed]
        if not in_basket:
            continue
        placed.update(i.pk for i in in_basket)
        caption = f"{Basket(basket).label}: {team.name}, figures of record"
        table, low = _indicator_table(caption, in_basket, values, benchmarks, period)
        blocks.append(table)
        low_n.extend(low)
        blocks.extend(_chart(team, i, values, estimates, period) for i in in_basket if i.pk in chart_ids)
    if low_n:
        blocks.append(
            paragraph_block(f"Read with care: fewer than {LOW_N} children are behind this month's {', '.join(low_n)}.")
        )
    if not shown and period in months:
        # Only workforce figures were loaded: they are in their own section.
        blocks.append(paragraph_block("The team's figures this month are workforce figures: see Workforce."))
    return {
        "key": "performance",
        "heading": "Performance",
        "intro": (
            "The team's baskets of measures: this month against last month and the same month last year, "
            "with the benchmark where one is published. Benchmarks are for whole authorities."
        ),
        "blocks": blocks,
    }


# --- workforce --------------------------------------------------------------------------------------
def _workforce_section(
    team: Team,
    period: datetime.date,
    indicators: list[Indicator],
    values: Values,
    benchmarks: dict[int, dict[str, Decimal]],
) -> Section:
    """Vacancies, agency staff and supervision: the workforce measures shown at team level. Rates
    (turnover, sickness) are for service areas only, so they never appear here."""
    with_figures = {i for i, _m in values}
    shown = [i for i in indicators if Basket.WORKFORCE in i.baskets and i.pk in with_figures]
    blocks: list[Block]
    if shown:
        table, low_n = _indicator_table(f"Workforce: {team.name}", shown, values, benchmarks, period)
        blocks = [table]
        if not any((i.pk, period) in values for i in shown):
            blocks.insert(
                0, missing_block(f"No workforce figures for this team for {_label(period)} have been loaded.")
            )
        if low_n:
            blocks.append(
                paragraph_block(f"Read with care: fewer than {LOW_N} behind this month's {', '.join(low_n)}.")
            )
    else:
        blocks = [missing_block(f"No workforce figures for this team for {_label(period)} have been loaded.")]
    blocks.append(
        paragraph_block("Turnover and sickness rates are shown for service areas only: a team is too small for a rate.")
    )
    return {"key": "workforce", "heading": "Workforce", "blocks": blocks}


# --- quality of practice ---------------------------------------------------------------------------
def _quality_section(team: Team, period: datetime.date) -> Section:
    first, last = add_months(period, -(TREND_MONTHS - 1)), month_end(period)
    start, end = _start_of(period), _start_of(last + datetime.timedelta(days=1))
    blocks: list[Block] = []

    # Audits due and done for the month: one query.
    statuses = _counts(
        Audit.objects.filter(team=team, month=period).order_by().values("status").annotate(n=Count("pk")), "status"
    )
    completed = sum(statuses.get(s, 0) for s in DONE_STATUSES)
    outstanding = sum(statuses.get(s, 0) for s in OPEN_STATUSES)
    cancelled = statuses.get(AuditStatus.CANCELLED, 0)
    if completed + outstanding + cancelled:
        blocks.append(
            table_block(
                f"Audits of {team.name} for {_label(period)}",
                [("Audits", False), ("Number", True)],
                [
                    ["Allocated (not cancelled)", completed + outstanding],
                    ["Completed", completed],
                    ["Outstanding", outstanding],
                    ["Cancelled", cancelled],
                ],
            )
        )
    else:
        blocks.append(missing_block(f"No audits of this team were allocated for {_label(period)}."))

    # Grades after moderation (the reported grade), per month: one query.
    graded = (
        Audit.objects.filter(team=team, month__gte=first, month__lte=period, status__in=DONE_STATUSES)
        .exclude(reported_grade="")
        .order_by()
        .values("month", "reported_grade")
        .annotate(
            n=Count("pk"),
            moderated=Count("pk", filter=Q(moderated=True)),
            changed=Count("pk", filter=Q(moderation_changed_grade=True)),
        )
    )
    per_month: dict[datetime.date, dict[str, int]] = defaultdict(lambda: dict.fromkeys(GRADE_ORDER, 0))
    moderated = changed = 0
    for row in graded:
        per_month[row["month"]][row["reported_grade"]] += row["n"]
        moderated += row["moderated"]
        changed += row["changed"]
    if per_month:
        months = [add_months(first, n) for n in range(TREND_MONTHS)]
        rows = []
        share: list[tuple[datetime.date, Number | None]] = []
        for month in months:
            counts = per_month.get(month, dict.fromkeys(GRADE_ORDER, 0))
            total = sum(counts.values())
            rows.append([_label(month), *(counts[g] for g in GRADE_ORDER), total])
            good = sum(counts[g] for g in GOOD_OR_BETTER)
            share.append((month, _number(round(good * 100 / total, 1)) if total else None))
        blocks.append(
            table_block(
                f"Audit grades after moderation, {team.name}, {_span(first, period)}",
                [("Month", False), *((Grade(g).label, True) for g in GRADE_ORDER), ("Total", True)],
                rows,
            )
        )
        total_graded = sum(sum(c.values()) for c in per_month.values())
        blocks.append(
            paragraph_block(
                f"{total_graded} audits graded in the 12 months; {moderated} moderated, "
                f"{changed} with the grade changed by moderation. Grades are the reported grade: the moderated "
                "grade where there is one."
            )
        )
        blocks.append(
            chart_block(
                [("Good or better", share)],
                title=f"Audits graded Good or better, {team.name}",
                y_label="Per cent",
                unit="%",
                target=None,
            )
        )
    else:
        blocks.append(missing_block(f"No audits of this team were graded in {_span(first, period)}."))

    # Children of concern at the end of the month and opened in it: one query.
    concerns = ChildOfConcern.objects.filter(audit__team=team).aggregate(
        open_at_end=Count("pk", filter=Q(started_at__lt=end) & (Q(ended_at__isnull=True) | Q(ended_at__gte=end))),
        opened=Count("pk", filter=Q(started_at__gte=start, started_at__lt=end)),
    )
    # 6-week reviews of actions due and done in the month, and overdue at its end: one query.
    judged_on = _judged_on(period)
    not_done_by_end = ~Q(status=ActionReview.Status.DONE) | Q(
        completed_at__gte=_start_of(judged_on + datetime.timedelta(days=1))
    )
    reviews = (
        ActionReview.objects.filter(episode__audit__team=team)
        .exclude(status=ActionReview.Status.CANCELLED)
        .aggregate(
            due=Count("pk", filter=Q(due_on__gte=period, due_on__lte=last)),
            done=Count("pk", filter=Q(status=ActionReview.Status.DONE, completed_at__gte=start, completed_at__lt=end)),
            overdue=Count("pk", filter=Q(due_on__lt=judged_on) & not_done_by_end),
        )
    )
    blocks.append(
        table_block(
            f"Children of concern and 6-week reviews of actions, {team.name}, {_label(period)}",
            [("Children of concern", False), ("Number", True)],
            [
                [f"On the register at the end of {_label(period)}", concerns["open_at_end"]],
                ["Placed on the register in the month", concerns["opened"]],
                ["6-week reviews due in the month", reviews["due"]],
                ["6-week reviews done in the month", reviews["done"]],
                ["6-week reviews overdue at the end of the month", reviews["overdue"]],
            ],
        )
    )

    # Audit actions due, done and overdue: one query. Overdue: open past the due date at the end
    # of the month (or done only after it); "not done" and "no longer relevant" are closed.
    actions = (
        Action.objects.filter(audit__team=team)
        .exclude(audit__status=AuditStatus.CANCELLED)
        .aggregate(
            due=Count("pk", filter=Q(due_on__gte=period, due_on__lte=last)),
            done=Count("pk", filter=Q(status=ActionStatus.DONE, completed_on__gte=period, completed_on__lte=last)),
            overdue=Count(
                "pk",
                filter=Q(due_on__lt=judged_on)
                & (Q(status=ActionStatus.OPEN) | Q(status=ActionStatus.DONE, completed_on__gt=judged_on)),
            ),
        )
    )
    blocks.append(
        table_block(
            f"Audit actions, {team.name}, {_label(period)}",
            [("Audit actions", False), ("Number", True)],
            [
                ["Due in the month", actions["due"]],
                ["Done in the month", actions["done"]],
                ["Overdue at the end of the month", actions["overdue"]],
            ],
        )
    )
    return {
        "key": "quality",
        "heading": "Quality of practice",
        "intro": "Audits, grades after moderation, children of concern and audit actions: counts for the team.",
        "blocks": blocks,
    }


# --- dip samples, observations and learning -------------------------------------------------------
def _themes(team: Team, first: datetime.date, period: datetime.date) -> ThemeRollup:
    """The period's themes for the team (the roll-up the learning page and the boards use)."""
    return period_themes(first=first, last=period, team_id=team.pk)


def _learning_section(team: Team, period: datetime.date) -> Section:
    first = add_months(period, -(QUARTER_MONTHS - 1))
    start, end = _start_of(period), _start_of(month_end(period) + datetime.timedelta(days=1))
    blocks: list[Block] = []

    # Dip samples by the team's managers this month: the round's theme and the samples (one query),
    # the results (one query).
    samples = list(
        DipSample.objects.filter(round__month=period, team=team)
        .order_by()
        .values("status", "round__theme")
        .annotate(n=Count("pk"))
    )
    if samples:
        by_status = defaultdict(int)
        for row in samples:
            by_status[row["status"]] += row["n"]
        total = sum(by_status.values())
        results = _counts(
            DipSampleItem.objects.filter(sample__round__month=period, sample__team=team)
            .exclude(sample__status=DipSample.Status.OBSERVATION)
            .order_by()
            .values("result")
            .annotate(n=Count("pk")),
            "result",
        )
        blocks.append(
            paragraph_block(
                f"Dip samples for {_label(period)} on the theme “{samples[0]['round__theme']}”: "
                f"{by_status[DipSample.Status.DONE]} of {total} done by the team's managers"
                + (
                    f", {by_status[DipSample.Status.OBSERVATION]} replaced by a practice observation."
                    if by_status[DipSample.Status.OBSERVATION]
                    else "."
                )
            )
        )
        blocks.append(
            table_block(
                f"Dip-sample results, {team.name}, {_label(period)}",
                [("Result", False), ("Files", True)],
                [
                    *([label, results.get(value, 0)] for value, label in DipSampleItem.Result.choices),
                    ["Not yet looked at", results.get("", 0)],
                ],
            )
        )
    else:
        blocks.append(missing_block(f"No dip samples by this team's managers for {_label(period)}."))

    # Observations completed in the month, by type: one query.
    by_type = _counts(
        Observation.objects.filter(
            team=team, status=Observation.Status.COMPLETED, completed_at__gte=start, completed_at__lt=end
        )
        .order_by()
        .values("type")
        .annotate(n=Count("pk")),
        "type",
    )
    if by_type:
        blocks.append(
            table_block(
                f"Practice observations completed, {team.name}, {_label(period)}",
                [("Type", False), ("Number", True)],
                [[label, by_type[value]] for value, label in ObservationType.choices if value in by_type],
            )
        )
    else:
        blocks.append(missing_block(f"No practice observations of this team were completed in {_label(period)}."))

    # Learning practitioners chose to share (never who, never the record itself): one query.
    shared = list(
        ObservationPractitioner.objects.filter(
            team=team,
            share_choice=ShareChoice.SHARED,
            observation__status=Observation.Status.COMPLETED,
            observation__observed_on__gte=first,
            observation__observed_on__lte=month_end(period),
        )
        .exclude(shared_learning="")
        .order_by("observation__observed_on", "pk")
        .values_list("observation__type", "shared_learning")
    )
    if shared:
        types = dict(ObservationType.choices)
        blocks.append(paragraph_block(f"Learning practitioners chose to share with the team, {_span(first, period)}:"))
        blocks.append({"type": "list", "items": [f"{types.get(t, t)}: {text.strip()}" for t, text in shared]})
    else:
        blocks.append(
            missing_block(f"No learning from observations was shared with the team in {_span(first, period)}.")
        )

    # The period's themes: top strengths and areas to develop (a fixed number of queries).
    rollup = _themes(team, first, period)
    if rollup.findings:
        for caption, items in (("Strengths", rollup.strengths), ("Areas to develop", rollup.to_develop)):
            if items:
                blocks.append(
                    table_block(
                        f"{caption}: themes, {team.name}, {_span(first, period)}",
                        [("Theme", False), ("Tagged as", False), ("Findings", True)],
                        [[t.label, t.source, t.count] for t in items],
                        data=False,
                    )
                )
    else:
        blocks.append(
            missing_block(f"No graded audit findings for this team in {_span(first, period)}, so no themes yet.")
        )
    return {
        "key": "learning",
        "heading": "Dip samples, observations and learning",
        "intro": "Only the learning practitioners chose to share appears here.",
        "blocks": blocks,
    }


# --- voice of children and families -----------------------------------------------------------------
def _quote(text: str) -> str:
    text = " ".join(text.split())
    if len(text) <= QUOTE_CHARS:
        return text
    return text[:QUOTE_CHARS].rsplit(" ", 1)[0].rstrip(",;:.") + "…"


def _voice_section(team: Team, period: datetime.date) -> Section:
    first = add_months(period, -(QUARTER_MONTHS - 1))
    span = _span(first, period)
    tasks = ParticipationTask.objects.filter(
        audit__team=team, audit__month__gte=first, audit__month__lte=period
    ).exclude(audit__status=AuditStatus.CANCELLED)
    # Outcomes: one query.
    outcomes = _counts(tasks.order_by().values("outcome").annotate(n=Count("pk")), "outcome")
    if not outcomes:
        return {
            "key": "voice",
            "heading": "Voice of children and families",
            "blocks": [missing_block(f"No questionnaires were sought for this team's audits in {span}.")],
        }
    blocks: list[Block] = [
        table_block(
            f"Questionnaire outcomes for audits of {team.name}, {span}",
            [("Outcome", False), ("Audits", True)],
            [
                *([label, outcomes.get(value, 0)] for value, label in Outcome.choices),
                ["Not yet recorded", outcomes.get("", 0)],
            ],
        )
    ]
    # Responses by who answered and their view of progress: one query. Counts include every
    # submitted response; words appear only where the family chose to share them.
    responses = Response.objects.filter(task__in=tasks.values("pk"), status=Response.Status.SUBMITTED)
    views: dict[tuple[str, str], int] = {
        (row["questionnaire__audience"], row["view_of_progress"]): row["n"]
        for row in responses.order_by().values("questionnaire__audience", "view_of_progress").annotate(n=Count("pk"))
    }
    if views:
        audiences = list(Audience.values)
        rows = [
            [label, *(views.get((a, value), 0) for a in audiences), sum(views.get((a, value), 0) for a in audiences)]
            for value, label in reversed(Progress.choices)
        ]
        rows.append(
            [
                "Not given",
                *(views.get((a, ""), 0) for a in audiences),
                sum(views.get((a, ""), 0) for a in audiences),
            ]
        )
        rows.append(
            [
                "Responses",
                *(sum(n for (a, _v), n in views.items() if a == audience) for audience in audiences),
                sum(views.values()),
            ]
        )
        blocks.append(
            table_block(
                f"The family's view of progress, {team.name}, {span}",
                [("Things are", False), ("Child or young person", True), ("Parent or carer", True), ("Total", True)],
                rows,
            )
        )
    else:
        blocks.append(missing_block(f"No questionnaire answers were received for this team's audits in {span}."))

    # Quotes, only where the family chose to share (named or not), never saying who: two queries.
    candidates = list(
        responses.filter(sharing__in=[Sharing.NAMED, Sharing.ANONYMOUS])
        .order_by("-submitted_at", "-pk")
        .values_list("questionnaire_id", "questionnaire__audience", "answers")[:QUOTE_CANDIDATES]
    )
    open_codes = {
        pk: [q["code"] for q in questions or [] if q.get("kind") == "open"]
        for pk, questions in Questionnaire.objects.filter(pk__in={c[0] for c in candidates}).values_list(
            "pk", "questions"
        )
    }
    quotes = []
    for questionnaire_id, audience, answers in candidates:
        text = next(
            (str(answers[c]) for c in open_codes.get(questionnaire_id, []) if str(answers.get(c) or "").strip()), ""
        )
        if text:
            quotes.append(f"{SAID_BY.get(audience, 'A family member said')}: “{_quote(text)}”")
        if len(quotes) == MAX_QUOTES:
            break
    if quotes:
        blocks.append({"type": "list", "items": quotes})
    elif views:
        blocks.append(paragraph_block("No family chose to share their words with the team this time."))
    return {
        "key": "voice",
        "heading": "Voice of children and families",
        "intro": f"Questionnaires for the team's audits of {span}. Quotes only where the family chose to share them.",
        "blocks": blocks,
    }


# --- the clinic's action log ----------------------------------------------------------------------------
def _action_rows(actions: list[Any]) -> list[list[Any]]:
    return [
        [
            action.what,
            action.owner.full_name,
            f"{action.due_on:%-d %B %Y}",
            "Overdue" if getattr(action, "overdue", False) else action.get_status_display(),
            action.notes or None,
        ]
        for action in actions
    ]


def _actions_section(team: Team, period: datetime.date) -> Section:
    found = actions_for_period(kind="clinic", team=team, period=period)
    columns = [("What", False), ("Owner", False), ("Due", False), ("Status", False), ("Notes", False)]
    if not found["carried"] and not found["new"]:
        return {
            "key": "actions",
            "heading": "Clinic actions",
            "blocks": [missing_block(f"No clinic actions for this team were open or raised in {_label(period)}.")],
        }
    blocks: list[Block] = []
    for key, caption, empty in (
        ("carried", "Actions carried forward from earlier clinics", "No actions were carried forward."),
        ("new", f"New actions from the clinic in {_label(period)}", "No new actions were raised this month."),
    ):
        if found[key]:
            blocks.append(table_block(caption, columns, _action_rows(found[key]), data=False))
        else:
            blocks.append(paragraph_block(empty))
    return {
        "key": "actions",
        "heading": "Clinic actions",
        "intro": "The clinic's action log: open actions carry forward until they are done.",
        "blocks": blocks,
    }
