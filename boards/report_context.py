"""Report contexts for the service-board (Appendix 6), assurance-board (Appendix 7) and
practice-week reports (DESIGN section 8; seed section 8).

Each builder takes ``(place, period)`` and returns the plain-JSON report context described in
``clinics.report_kinds`` (sections of blocks), so finalising can freeze exactly what was shown.

Rules every builder keeps:

* **Above team level, aggregate only.** Counts, rates and themes. No case reference, child's
  initials, child's or practitioner's name, no free text written about a case (audit answers,
  reviewing officers' alert summaries, quotes not approved by the QA team) and no figure for one
  practitioner. What is shown in words was written for this purpose: learning summaries, the
  titles of learning entries, practice-week findings and approved quotes, meeting actions
  (management actions with their owner).
* **Never a made-up figure.** Where an earlier part has nothing for the place and period, the
  section says so in a ``missing`` block.
* **A fixed number of queries whatever the data**: one aggregate query per block, grouped by
  team or month in the database, never a query per team, month or row.
"""

from __future__ import annotations

import datetime
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.db.models import Count, Max, Q
from django.utils import timezone

from audits import agreement
from audits.models import DONE_STATUSES, Action, Audit, AuditKind, AuditStatus, ChildOfConcern, Grade
from audits.models import ActionStatus as AuditActionStatus
from audits.services.monthly import months_before
from boards.models import LearningSummary
from clinics.models import OPEN_ACTION_STATUSES, HighlightReport, MeetingAction, MeetingKind, ReportKind
from clinics.permissions import place_label, scope_key_for
from clinics.report_context import chart_block, missing_block, paragraph_block, table_block
from clinics.report_kinds import KINDS
from clinics.themes import ThemeCount, ThemeRollup, period_themes
from core import clock
from core.charts import format_value
from feedback.models import WORKFORCE_SOURCES, VoiceEntry, VoiceSource
from feedback.services.alerts import AlertSummary, alert_summary_for_areas
from feedback.services.voices import voice_results
from observations.models import PracticeWeek
from observations.selectors_weeks import PracticeWeekSummary, practice_week_summary
from organisation.models import ServiceArea, Team
from performance.estimates import month_end
from performance.models import Basket, Comparator, FigureOfRecord, Indicator, IndicatorType, Signal
from performance.scopes import ScopeRef
from performance.selectors import indicators_active, population_by_year
from performance.selectors_baskets import (
    LOW_N,
    Reading,
    chart_y_label,
    latest_benchmarks,
    reading,
    shown_at,
    unit_of,
    values_by_month,
)

Block = dict[str, Any]
Section = dict[str, Any]

# The monthly programme (as on "Audit programme progress"): the monthly case-file audit and its
# early help counterpart. A cancelled audit is never due.
PROGRAMME_KINDS = (AuditKind.MONTHLY, AuditKind.EARLY_HELP)
GRADES: tuple[str, ...] = tuple(Grade.values)  # best first
GOOD_OR_BETTER = frozenset({Grade.OUTSTANDING, Grade.GOOD})
GRADE_COLUMNS = ("Outstanding", "Good", "Requires improvement", "Inadequate")
# Themes, voices and reviewing-officer alerts are read over the quarter to the period: one month
# of findings in a service is too few to show a theme.
THEME_MONTHS = 3
TREND_MONTHS = 12
SERVICE_BOARD_CHARTS = 3
ASSURANCE_BOARD_CHARTS = 4
LEARNING_SOURCES = (VoiceSource.PRACTICE_REVIEW, VoiceSource.COMPLAINT, VoiceSource.OFSTED_NOTIFICATION)
AREA_BASKETS = tuple(Basket.values)
AUTHORITY_BASKETS = tuple(b for b in Basket.values if b != Basket.WORKFORCE)


# --- small helpers -----------------------------------------------------------------------------------
def _header(kind: str, place: Team | ServiceArea | None, period: datetime.date) -> dict[str, Any]:
    return {
        "kind": kind,
        "title": KINDS[kind].title,
        "scope_key": scope_key_for(place),
        "scope_label": place_label(place),
        "period": f"{period:%Y-%m}",
        "period_label": f"{period:%B %Y}",
        "generated_on": clock.today().isoformat(),
    }


def _section(key: str, heading: str, blocks: list[Block], intro: str = "") -> Section:
    section: Section = {"key": key, "heading": heading, "blocks": blocks}
    if intro:
        section["intro"] = intro
    return section


def _list(items: Iterable[str]) -> Block:
    return {"type": "list", "items": list(items)}


def _day(day: datetime.date) -> str:
    return f"{day.day} {day:%b %Y}"


def _month(month: datetime.date) -> str:
    return f"{month:%b %Y}"


def _span(first: datetime.date, last: datetime.date) -> str:
    """ "August to October 2026", "December 2025 to February 2026"."""
    if first.year == last.year:
        return f"{first:%B} to {last:%B %Y}"
    return f"{first:%B %Y} to {last:%B %Y}"


def _start_of(day: datetime.date) -> datetime.datetime:
    """The first moment of a Europe/London calendar day, for filtering datetimes by date."""
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time.min))


def _number(value: Decimal | float | int | None) -> float | None:
    return None if value is None else float(value)


def _plural(n: int, one: str, many: str | None = None) -> str:
    return f"{n} {one if n == 1 else (many or one + 's')}"


@dataclass(frozen=True)
class _Period:
    """The month reported on and the windows read around it."""

    month: datetime.date
    last_day: datetime.date
    end: datetime.datetime  # the first moment after the month (Europe/London)
    quarter_first: datetime.date  # first month of the THEME_MONTHS to the period
    year_first: datetime.date  # first month of the TREND_MONTHS to the period

    @classmethod
    def of(cls, period: datetime.date) -> _Period:
        month = period.replace(day=1)
        last_day = month_end(month)
        return cls(
            month=month,
            last_day=last_day,
            end=_start_of(last_day + datetime.timedelta(days=1)),
            quarter_first=months_before(month, THEME_MONTHS - 1),
            year_first=months_before(month, TREND_MONTHS - 1),
        )

    @property
    def quarter_label(self) -> str:
        return _span(self.quarter_first, self.month)

    @property
    def year_label(self) -> str:
        return _span(self.year_first, self.month)


# --- performance: baskets of indicators --------------------------------------------------------------
@dataclass
class _Performance:
    """Figures of record for one scope over the 13 months to the period (this month, last month and
    the same month last year, and the trend for charts) and the latest benchmarks: four queries at
    most, whatever the number of indicators or figures."""

    ref: ScopeRef
    period: datetime.date
    indicators: list[Indicator]
    figures: dict[tuple[int, str, datetime.date], tuple]
    benchmarks: dict[int, list]
    populations: dict[int, int]
    months: list[datetime.date]

    @classmethod
    def load(cls, ref: ScopeRef, period: datetime.date) -> _Performance:
        indicators = indicators_active()
        ids = [i.pk for i in indicators]
        first = months_before(period, TREND_MONTHS)
        last_day = month_end(period)
        figures = values_by_month(
            FigureOfRecord.objects.filter(
                indicator_id__in=ids, scope_key=ref.key, period_end__gte=first, period_end__lte=last_day
            )
            .order_by()
            .values_list("indicator_id", "scope_key", "period_start", "period_end", "value", "numerator", "denominator")
        )
        benchmarks = latest_benchmarks(ids, period, last_day)
        # Rates per 10,000 children are worked out at authority level only (there is no team or
        # service population): the population is read only there.
        populations = population_by_year() if ref.kind == "authority" else {}
        months = [months_before(period, n) for n in range(TREND_MONTHS, -1, -1)]
        return cls(ref, period, indicators, figures, benchmarks, populations, months)

    def read(self, indicator: Indicator, month: datetime.date) -> Reading | None:
        row = self.figures.get((indicator.pk, self.ref.key, month))
        if row is None:
            return None
        return reading(indicator, row[4], row[5], row[6], year=row[3].year, populations=self.populations)

    def shown(self, basket: str) -> list[Indicator]:
        return [
            i
            for i in self.indicators
            if basket in (i.baskets or ()) and i.type != IndicatorType.NARRATIVE and shown_at(i, self.ref)
        ]


def _target_text(indicator: Indicator) -> str | None:
    """Local targets only for timeliness and compliance measures; never for demand measures."""
    if not indicator.target_allowed or indicator.demand_measure or indicator.target is None:
        return None
    return format_value(indicator.target, unit_of(indicator))


def _basket_blocks(
    data: _Performance, baskets: Sequence[str], *, with_targets: bool, max_charts: int
) -> tuple[list[Block], list[str]]:
    """A table per basket with figures, then up to ``max_charts`` trend charts (one per basket, in
    basket order); and the labels of baskets with no figure at all."""
    period = data.period
    last_month, last_year = months_before(period, 1), months_before(period, 12)
    tables: list[Block] = []
    charts: list[Block] = []
    empty: list[str] = []
    columns = [
        ("Indicator", False),
        (_month(period), True),
        (_month(last_month), True),
        (_month(last_year), True),
        ("n", True),
        ("Statistical neighbours", True),
        ("England", True),
    ]
    if with_targets:
        columns.append(("Local target", True))
    for basket in baskets:
        rows: list[list[Any]] = []
        chart: Block | None = None
        for indicator in data.shown(basket):
            now, before, year_ago = (data.read(indicator, m) for m in (period, last_month, last_year))
            if now is None and before is None and year_ago is None:
                continue
            unit = unit_of(indicator)
            marks = {b.comparator: format_value(b.value, unit) for b in data.benchmarks.get(indicator.pk, [])}
            n_text = now.n_text if now else None
            if now is not None and now.low_n:
                n_text = f"{n_text} (n below {LOW_N}: read with care)"
            row: list[Any] = [
                indicator.name,
                now.text if now else None,
                before.text if before else None,
                year_ago.text if year_ago else None,
                n_text or None,
                marks.get(Comparator.STATISTICAL_NEIGHBOURS),
                marks.get(Comparator.ENGLAND),
            ]
            if with_targets:
                row.append(_target_text(indicator))
            rows.append(row)
            if chart is None and len(charts) < max_charts:
                chart = _trend_chart(data, indicator, with_target=with_targets)
        label = Basket(basket).label
        if not rows:
            empty.append(label)
            continue
        tables.append(table_block(f"{label}: {data.ref.label}", columns, rows))
        if chart is not None:
            charts.append(chart)
    return [*tables, *charts], empty


def _trend_chart(data: _Performance, indicator: Indicator, *, with_target: bool) -> Block | None:
    """The 13 months of figures of record to the period, if there are at least two to draw."""
    points = []
    for month in data.months:
        found = data.read(indicator, month)
        points.append([f"{month:%Y-%m}", _number(found.value) if found else None])
    values = [(m, v) for m, v in points if v is not None]
    if len(values) < 2:
        return None
    unit = unit_of(indicator)
    target = _number(indicator.target) if with_target and _target_text(indicator) else None
    return chart_block(
        [("Figure of record", [(datetime.date.fromisoformat(f"{m}-01"), v) for m, v in points])],
        title=f"{indicator.name}, {data.ref.label}",
        y_label=chart_y_label(indicator),
        unit=unit,
        target=target,
    )


def _performance_section_blocks(
    data: _Performance, baskets: Sequence[str], *, with_targets: bool, max_charts: int, period_label: str
) -> list[Block]:
    blocks, empty = _basket_blocks(data, baskets, with_targets=with_targets, max_charts=max_charts)
    if not blocks:
        return [
            missing_block(
                f"No figures of record have been loaded for {data.ref.label} for {period_label}, the month "
                "before or the same month last year."
            )
        ]
    if empty:
        blocks.append(missing_block(f"No figures of record for {data.ref.label} in these baskets: {', '.join(empty)}."))
    return blocks


# --- themes, learning and voices -----------------------------------------------------------------------
def _theme_rows(items: list[ThemeCount]) -> list[list[Any]]:
    return [[t.label, t.source, t.count] for t in items]


def _theme_blocks(rollup: ThemeRollup, *, place: str, span: str) -> list[Block]:
    if not rollup.findings:
        return [missing_block(f"No graded audit findings for {place} in {span}: there are no themes to show.")]
    columns = [("Theme", False), ("Kind", False), ("Findings", True)]
    blocks = [
        paragraph_block(
            f"Themes from {_plural(rollup.findings, 'graded finding')} in {span}. "
            "A finding graded Good or Outstanding counts as a strength of its themes; one graded "
            "Requires improvement or Inadequate as an area to develop."
        )
    ]
    if rollup.strengths:
        blocks.append(table_block(f"Top strengths, {span}", columns, _theme_rows(rollup.strengths)))
    if rollup.to_develop:
        blocks.append(table_block(f"Top areas to develop, {span}", columns, _theme_rows(rollup.to_develop)))
    return blocks


def _learning_summaries(*, area: ServiceArea | None, period: _Period) -> list[LearningSummary]:
    """Learning summaries written in the month: for the area and for the whole service (a board),
    or every one (the assurance board). One query."""
    qs = LearningSummary.objects.filter(created_at__gte=_start_of(period.month), created_at__lt=period.end)
    if area is not None:
        qs = qs.filter(Q(service_area=area) | Q(service_area__isnull=True))
    return list(qs.select_related("service_area").order_by("period_to", "pk"))


def _summary_blocks(summaries: list[LearningSummary], *, period_label: str) -> list[Block]:
    if not summaries:
        return [missing_block(f"No learning summaries were written in {period_label}.")]
    blocks = [paragraph_block(f"Learning summaries written in {period_label}:")]
    for s in summaries:
        where = s.service_area.name if s.service_area else "the whole service"
        blocks.append(paragraph_block(f"{s.title} ({where}, {_span(s.period_from, s.period_to)}): {s.summary}"))
    return blocks


def _reviewing_blocks(summary: AlertSummary, *, place: str, period_label: str) -> list[Block]:
    """Reviewing officers' and conference chairs' alerts as counts only: never their summaries."""
    if not summary.total and not summary.open_at_month_end:
        return [
            paragraph_block(
                f"No good-practice alerts or practice concerns were recorded for {place} in {period_label}, "
                "and no practice concern was open at the end of the month."
            )
        ]
    blocks = [
        paragraph_block(
            f"In {period_label}, reviewing officers and conference chairs recorded "
            f"{_plural(summary.good_practice, 'good-practice alert')} and "
            f"{_plural(summary.practice_concerns, 'practice concern')} for {place}. "
            f"{_plural(summary.resolved_in_month, 'practice concern')} resolved in the month; "
            f"{summary.open_at_month_end} open at its end."
        )
    ]
    if summary.by_theme:
        blocks.append(
            table_block(
                f"Alerts by theme, {period_label}",
                [("Theme", False), ("Good-practice alerts", True), ("Practice concerns", True), ("Total", True)],
                [[t.theme, t.good_practice, t.practice_concerns, t.total] for t in summary.by_theme],
            )
        )
    if summary.by_stage:
        blocks.append(
            table_block(
                f"Practice concerns by dispute-resolution stage, {period_label}",
                [("Stage", False), ("Practice concerns", True)],
                [[s.stage or "No stage", s.concerns] for s in summary.by_stage],
            )
        )
    return blocks


# --- practice weeks ------------------------------------------------------------------------------------
def _week_label(week: PracticeWeek) -> str:
    return f"{week.title} ({_day(week.starts_on)} to {_day(week.ends_on)})"


def _week_activity_blocks(summary: PracticeWeekSummary) -> list[Block]:
    week = summary.week
    if not summary.activities:
        return [missing_block(f"No activities have been logged for {_week_label(week)}.")]
    columns = [("Service area", False), *((kind, True) for kind in summary.kinds), ("Total", True)]
    rows: list[list[Any]] = [[r.service_area, *r.counts, r.total] for r in summary.rows]
    rows.append(["All areas", *summary.kind_totals, summary.activities])
    return [
        paragraph_block(
            f"{_week_label(week)}: {_plural(summary.activities, 'activity', 'activities')} by "
            f"{_plural(summary.leaders, 'leader')}."
        ),
        table_block(f"Practice week activities by service area, {week.title}", columns, rows),
    ]


def _week_finding_blocks(summary: PracticeWeekSummary) -> list[Block]:
    """What leaders found, by service area only (never who found it or in which team), and quotes
    only in the wording the QA team approved."""
    strengths = [[f.service_area, text] for f in summary.findings for text in f.strengths]
    develop = [[f.service_area, text] for f in summary.findings for text in f.areas_to_develop]
    blocks: list[Block] = []
    columns = [("Service area", False), ("What was found", False)]
    if strengths:
        blocks.append(table_block(f"Strengths, {summary.week.title}", columns, strengths, data=False))
    if develop:
        blocks.append(table_block(f"Areas to develop, {summary.week.title}", columns, develop, data=False))
    if not blocks:
        blocks.append(missing_block(f"No findings have been recorded for {_week_label(summary.week)}."))
    if summary.quotes:
        blocks.append(paragraph_block("What people told us, in wording the QA team approved:"))
        blocks.append(_list(summary.quotes))
    return blocks


# --- teams of a service area ---------------------------------------------------------------------------
@dataclass
class _TeamFigures:
    name: str
    due: int = 0
    done: int = 0
    grades: tuple[int, int, int, int] = (0, 0, 0, 0)
    concerns: int = 0
    actions_overdue: int = 0
    report: str = "Not started"


def _team_figures(area: ServiceArea, period: _Period) -> list[_TeamFigures]:
    """One row per team of the area, by name. Five queries, whatever the number of teams or rows:
    the teams; audits due, done and graded; children of concern; overdue audit actions; the
    teams' clinic reports."""
    teams = list(Team.objects.filter(service_area=area).order_by("name", "pk").values_list("pk", "name"))
    rows = {pk: _TeamFigures(name=name) for pk, name in teams}
    ids = list(rows)

    # Audits due and done in the month (the monthly programme) and reported grades over the
    # quarter (every kind with a reported grade), grouped by the audit's frozen team.
    programme = Q(month=period.month, kind__in=PROGRAMME_KINDS) & ~Q(status=AuditStatus.CANCELLED)
    graded = Q(status__in=DONE_STATUSES)
    counts = {f"grade_{g}": Count("pk", filter=graded & Q(reported_grade=g)) for g in GRADES}
    audit_rows = (
        Audit.objects.filter(team_id__in=ids, month__gte=period.quarter_first, month__lte=period.month)
        .order_by()
        .values("team_id")
        .annotate(
            due=Count("pk", filter=programme),
            done=Count("pk", filter=programme & Q(status__in=DONE_STATUSES)),
            **counts,
        )
    )
    for r in audit_rows:
        row = rows[r["team_id"]]
        row.due, row.done = r["due"], r["done"]
        row.grades = tuple(r[f"grade_{g}"] for g in GRADES)  # type: ignore[assignment]

    for team_id, n in _concerns_open_by_team(period, area_id=area.pk):
        if team_id in rows:
            rows[team_id].concerns = n
    for team_id, n in _actions_overdue_by_team(period, area_id=area.pk):
        if team_id in rows:
            rows[team_id].actions_overdue = n

    reports = (
        HighlightReport.objects.filter(kind=ReportKind.TEAM_CLINIC, period=period.month, team_id__in=ids)
        .annotate(finalised_at=Max("versions__finalised_at"))
        .values_list("team_id", "status", "finalised_at")
    )
    for team_id, status, finalised_at in reports:
        if status == HighlightReport.Status.FINAL:
            rows[team_id].report = (
                f"Finalised {_day(timezone.localdate(finalised_at))}" if finalised_at else "Finalised"
            )
        else:
            rows[team_id].report = "Draft"
    return [rows[pk] for pk, _name in teams]


def _concerns_open_by_team(period: _Period, *, area_id: int | None) -> list[tuple[int, int]]:
    """Children of concern on the register at the end of the month, by the audit's team. One query."""
    qs = ChildOfConcern.objects.filter(started_at__lt=period.end).filter(
        Q(status=ChildOfConcern.Status.OPEN) | Q(ended_at__gte=period.end)
    )
    if area_id is not None:
        qs = qs.filter(audit__service_area_id=area_id)
    return list(qs.order_by().values("audit__team_id").annotate(n=Count("pk")).values_list("audit__team_id", "n"))


def _actions_overdue_by_team(period: _Period, *, area_id: int | None) -> list[tuple[int, int]]:
    """Audit actions due by the end of the month and not done by then, by the audit's team. One query."""
    qs = Action.objects.filter(due_on__lte=period.last_day).filter(
        Q(status=AuditActionStatus.OPEN) | Q(status=AuditActionStatus.DONE, completed_on__gt=period.last_day)
    )
    if area_id is not None:
        qs = qs.filter(audit__service_area_id=area_id)
    return list(qs.order_by().values("audit__team_id").annotate(n=Count("pk")).values_list("audit__team_id", "n"))


def _teams_blocks(rows: list[_TeamFigures], period: _Period, area: ServiceArea) -> list[Block]:
    if not rows:
        return [missing_block(f"{area.name} has no teams.")]
    columns = [
        ("Team", False),
        ("Audits due", True),
        ("Audits done", True),
        *((label, True) for label in GRADE_COLUMNS),
        ("Children of concern open", True),
        ("Audit actions overdue", True),
        ("Clinic report", False),
    ]
    table_rows: list[list[Any]] = [
        [r.name, r.due, r.done, *r.grades, r.concerns, r.actions_overdue, r.report] for r in rows
    ]
    table_rows.append(
        [
            "All teams",
            sum(r.due for r in rows),
            sum(r.done for r in rows),
            *(sum(r.grades[i] for r in rows) for i in range(len(GRADES))),
            sum(r.concerns for r in rows),
            sum(r.actions_overdue for r in rows),
            None,
        ]
    )
    finalised = sum(1 for r in rows if r.report.startswith("Finalised"))
    return [
        paragraph_block(
            f"Audits due and done are the monthly programme's for {period.month:%B %Y}; grades are reported "
            f"grades (after moderation) of audits completed for {period.quarter_label}; children of concern "
            "and overdue audit actions are as at the end of the month. "
            f"{finalised} of {_plural(len(rows), 'team')} finalised their clinic report for the month."
        ),
        table_block(
            f"Teams in {area.name}, {period.month:%B %Y} (grades: {period.quarter_label})", columns, table_rows
        ),
    ]


def _meeting_actions_overdue(period: _Period, area: ServiceArea) -> list[MeetingAction]:
    """The area's board's and its teams' clinics' actions due by the end of the month and still open
    then. One query."""
    return list(
        MeetingAction.objects.filter(
            Q(kind=MeetingKind.BOARD, service_area=area) | Q(kind=MeetingKind.CLINIC, team__service_area=area),
            due_on__lte=period.last_day,
        )
        .filter(Q(status__in=OPEN_ACTION_STATUSES) | Q(closed_on__gt=period.last_day))
        .select_related("owner", "team")
        .order_by("due_on", "pk")
    )


def _escalation_blocks(
    rows: list[_TeamFigures], actions: list[MeetingAction], signals: list[Signal], period: _Period, area: ServiceArea
) -> list[Block]:
    blocks: list[Block] = []
    concern_rows = [[r.name, r.concerns, r.actions_overdue] for r in rows if r.concerns or r.actions_overdue]
    if concern_rows:
        blocks.append(
            table_block(
                f"Children of concern and overdue audit actions at the end of {period.month:%B %Y}",
                [("Team", False), ("Children of concern open", True), ("Audit actions overdue", True)],
                concern_rows,
            )
        )
    else:
        blocks.append(
            paragraph_block(
                f"No child of concern was open and no audit action was overdue in {area.name} at the end of "
                f"{period.month:%B %Y}."
            )
        )
    if actions:
        blocks.append(
            table_block(
                f"Meeting actions overdue at the end of {period.month:%B %Y}",
                [("Action", False), ("Meeting", False), ("Owner", False), ("Due", False), ("Status now", False)],
                [
                    [
                        a.what,
                        f"Clinic, {a.team.name}" if a.team_id else "Board",
                        a.owner.full_name,
                        _day(a.due_on),
                        a.get_status_display(),
                    ]
                    for a in actions
                ],
                data=False,
            )
        )
    else:
        blocks.append(
            paragraph_block("No action of the board or the teams' clinics was overdue at the end of the month.")
        )
    if signals:
        blocks.append(
            table_block(
                f"Performance signals confirmed for {period.month:%B %Y}",
                [("Indicator", False), ("Month", False), ("What was seen", False), ("Series", False)],
                [[s.indicator.name, _month(s.month), s.get_rule_display(), s.get_series_display()] for s in signals],
                data=False,
            )
        )
    else:
        blocks.append(paragraph_block(f"No performance signal was confirmed for {area.name} for {period.month:%B %Y}."))
    return blocks


# --- the builders --------------------------------------------------------------------------------------
def service_board_context(area: ServiceArea, period: datetime.date) -> dict[str, Any]:
    """Appendix 6: the service manager's or head of service's highlight report for the practice and
    performance board. Consolidates the area's teams (counts per team, never the team managers'
    free text), the area's baskets, themes, escalations and the reviewing-officer summary.
    A fixed number of queries, whatever the data (15 and those of ``period_themes``)."""
    p = _Period.of(period)
    label = f"{p.month:%B %Y}"
    teams = _team_figures(area, p)
    ref = ScopeRef(key=scope_key_for(area), kind="area", label=area.name, service_area_id=area.pk)
    performance = _Performance.load(ref, p.month)
    rollup = period_themes(first=p.quarter_first, last=p.month, service_area_id=area.pk)
    summaries = _learning_summaries(area=area, period=p)
    actions = _meeting_actions_overdue(p, area)
    signals = list(
        Signal.objects.filter(scope_key=ref.key, status=Signal.Status.CONFIRMED, month=p.month)
        .select_related("indicator")
        .order_by("indicator__position", "month", "pk")
    )
    reviewing = alert_summary_for_areas(area_ids=[area.pk], month=p.month)

    due, done = sum(t.due for t in teams), sum(t.done for t in teams)
    graded = sum(sum(t.grades) for t in teams)
    good = sum(t.grades[0] + t.grades[1] for t in teams)
    summary = (
        f"{area.name}, {label}: {_plural(len(teams), 'team')}; {done} of {_plural(due, 'audit')} due in the month "
        f"done; {good} of {_plural(graded, 'audit')} graded for {p.quarter_label} Good or better; "
        f"{_plural(sum(t.concerns for t in teams), 'child', 'children')} of concern open and "
        f"{_plural(sum(t.actions_overdue for t in teams), 'audit action')} and "
        f"{_plural(len(actions), 'meeting action')} overdue at the end of the month."
    )
    return {
        **_header(ReportKind.SERVICE_BOARD, area, p.month),
        "sections": [
            _section("teams", "The teams", _teams_blocks(teams, p, area)),
            _section(
                "performance",
                "Performance",
                _performance_section_blocks(
                    performance, AREA_BASKETS, with_targets=False, max_charts=SERVICE_BOARD_CHARTS, period_label=label
                ),
                intro="Baskets of indicators, never single numbers: figures of record with their benchmarks.",
            ),
            _section(
                "themes",
                "Themes and learning",
                [
                    *_theme_blocks(rollup, place=area.name, span=p.quarter_label),
                    *_summary_blocks(summaries, period_label=label),
                ],
            ),
            _section("escalations", "Escalations", _escalation_blocks(teams, actions, signals, p, area)),
            _section(
                "reviewing",
                "Reviewing officers and conference chairs",
                _reviewing_blocks(reviewing, place=area.name, period_label=label),
            ),
            _section("summary", "Summary", [paragraph_block(summary)]),
        ],
    }


def _grade_trend_blocks(p: _Period) -> tuple[list[Block], tuple[int, int]]:
    """Reported grades of completed audits by month over the 12 months, and the share Good or better.
    One query. Returns the blocks and (Good or better, graded) over the year."""
    counts: dict[datetime.date, Counter[str]] = {m: Counter() for m in agreement.months_between(p.year_first, p.month)}
    rows = (
        Audit.objects.filter(
            status__in=DONE_STATUSES, month__gte=p.year_first, month__lte=p.month, reported_grade__in=GRADES
        )
        .order_by()
        .values("month", "reported_grade")
        .annotate(n=Count("pk"))
        .values_list("month", "reported_grade", "n")
    )
    for month, grade, n in rows:
        counts[month][grade] += n
    total_all = sum(sum(c.values()) for c in counts.values())
    good_all = sum(c[g] for c in counts.values() for g in GOOD_OR_BETTER)
    if not total_all:
        return [missing_block(f"No audits were completed with a reported grade in {p.year_label}.")], (0, 0)
    table_rows: list[list[Any]] = []
    points: list[list[Any]] = []
    for month, c in counts.items():
        total = sum(c.values())
        good = sum(c[g] for g in GOOD_OR_BETTER)
        share = round(good * 100 / total, 1) if total else None
        table_rows.append([_month(month), *(c[g] for g in GRADES), total, None if share is None else f"{share:g}%"])
        points.append([f"{month:%Y-%m}", share])
    table_rows.append(["All months", *(sum(c[g] for c in counts.values()) for g in GRADES), total_all, None])
    chart = chart_block(
        [("Good or better", [(datetime.date.fromisoformat(f"{m}-01"), v) for m, v in points])],
        title="Audits graded Good or better, whole service",
        y_label="Per cent",
        unit="%",
        target=None,
    )
    table = table_block(
        f"Reported grades of completed audits by month, {p.year_label}",
        [("Month", False), *((g, True) for g in GRADE_COLUMNS), ("Total", True), ("Good or better", True)],
        table_rows,
    )
    return [table, chart], (good_all, total_all)


def _agreement_blocks(p: _Period) -> tuple[list[Block], agreement.Figures]:
    """Moderation agreement over the 12 months for the whole service (as on the agreement page).
    One query."""
    rows = agreement.moderated_rows(first=p.year_first, last=p.month, area_ids=None)
    figures = agreement.statistics(rows, first=p.year_first, last=p.month).overall
    if not figures.count:
        return [missing_block(f"No audits were moderated in {p.year_label}.")], figures

    def percent(value: float | None) -> str | None:
        return None if value is None else f"{round(value * 100)}%"

    blocks: list[Block] = [
        table_block(
            f"Agreement between auditors and moderators on the overall grade, {p.year_label}",
            [
                ("Moderated audits", True),
                ("Exact agreement", True),
                ("Within one grade", True),
                ("Weighted kappa", True),
            ],
            [
                [
                    figures.count,
                    percent(figures.exact),
                    percent(figures.within_one),
                    None if figures.kappa is None else round(figures.kappa, 2),
                ]
            ],
        )
    ]
    if figures.read_with_care:
        blocks.append(
            paragraph_block(
                f"Fewer than {agreement.READ_WITH_CARE_BELOW} audits were moderated: read these figures with care."
            )
        )
    return blocks, figures


def _workforce_voice_blocks(entries: list[VoiceEntry], p: _Period) -> list[Block]:
    """The workforce's voices as anonymised themes only; survey results only when at least
    ``SURVEY_MIN_RESPONDENTS`` answered (read through ``voice_results``, as every page does)."""
    workforce = [e for e in entries if e.source in WORKFORCE_SOURCES]
    if not workforce:
        return [
            missing_block(
                f"No staff surveys, focus groups, exit or stay interviews were recorded for {p.quarter_label}."
            )
        ]
    sources = Counter(e.get_source_display() for e in workforce)
    themes = Counter(t.name for e in workforce for t in e.themes.all())
    blocks: list[Block] = [
        paragraph_block(
            f"The workforce's voices, {p.quarter_label}: "
            + "; ".join(f"{label}: {n}" for label, n in sorted(sources.items()))
            + "."
        ),
        table_block(
            f"Themes from the workforce, {p.quarter_label}",
            [("Theme", False), ("Entries", True)],
            [[name, n] for name, n in sorted(themes.items(), key=lambda kv: (-kv[1], kv[0]))],
        ),
    ]
    for entry in workforce:
        if entry.source != VoiceSource.STAFF_SURVEY:
            continue
        results = voice_results(entry)
        if results:
            blocks.append(
                table_block(
                    f"Staff survey of {_day(entry.happened_on)}: {entry.respondents} answered",
                    [("Statement", False), ("Agreeing", True)],
                    [[r["statement"], f"{r['percent_agree']}%"] for r in results],
                )
            )
        elif entry.results_suppressed:
            blocks.append(
                paragraph_block(
                    f"The staff survey of {_day(entry.happened_on)} had fewer than 10 respondents: "
                    "its results are withheld."
                )
            )
    return blocks


def _learning_voice_blocks(entries: list[VoiceEntry], p: _Period) -> list[Block]:
    learning = [e for e in entries if e.source in LEARNING_SOURCES]
    if not learning:
        return [
            missing_block(
                f"No learning from practice reviews, complaints or Ofsted notifications was recorded for "
                f"{p.quarter_label}."
            )
        ]
    return [
        table_block(
            f"Learning from practice reviews, complaints and Ofsted notifications, {p.quarter_label}",
            [("Date", False), ("Source", False), ("Title", False)],
            [[_day(e.happened_on), e.get_source_display(), e.title] for e in learning],
            data=False,
        )
    ]


def _latest_week_ended_by(last_day: datetime.date) -> PracticeWeek | None:
    return PracticeWeek.objects.filter(ends_on__lte=last_day).order_by("-ends_on", "-starts_on", "-pk").first()


def assurance_board_context(place: None, period: datetime.date) -> dict[str, Any]:
    """Appendix 7: the assistant director's report for the practice and performance assurance board.
    Whole-service indicators against statistical neighbours, England and local targets; the audit
    grade trend and moderation agreement; the latest practice week; workforce and learning.
    A fixed number of queries, whatever the data."""
    p = _Period.of(period)
    label = f"{p.month:%B %Y}"
    ref = ScopeRef(key=scope_key_for(None), kind="authority", label="the whole service")
    performance = _Performance.load(ref, p.month)
    grade_blocks, (good, graded) = _grade_trend_blocks(p)
    agreement_blocks, agreed = _agreement_blocks(p)
    week = _latest_week_ended_by(p.last_day)
    week_summary = practice_week_summary(week=week) if week is not None else None
    last_day = p.last_day
    entries = list(
        VoiceEntry.objects.filter(
            happened_on__range=(p.quarter_first, last_day), source__in=[*WORKFORCE_SOURCES, *LEARNING_SOURCES]
        )
        .prefetch_related("themes")
        .order_by("-happened_on", "-pk")
    )
    rollup = period_themes(first=p.quarter_first, last=p.month)
    summaries = _learning_summaries(area=None, period=p)
    reviewing = alert_summary_for_areas(area_ids=None, month=p.month)

    if week_summary is None:
        week_blocks = [missing_block(f"No practice week had ended by the end of {label}.")]
    else:
        week_blocks = [*_week_activity_blocks(week_summary), *_week_finding_blocks(week_summary)]

    parts = []
    if graded:
        parts.append(f"{good} of {_plural(graded, 'audit')} completed in {p.year_label} were graded Good or better")
    else:
        parts.append(f"no audit was completed with a reported grade in {p.year_label}")
    if agreed.count:
        parts.append(
            f"moderators agreed exactly with the auditor's overall grade in {agreed.direction.same} of "
            f"{_plural(agreed.count, 'moderated audit')}"
        )
    if week_summary is not None:
        parts.append(f"the latest practice week logged {_plural(week_summary.activities, 'activity', 'activities')}")
    summary = f"The whole service, {label}: " + "; ".join(parts) + "."

    return {
        **_header(ReportKind.ASSURANCE_BOARD, None, p.month),
        "sections": [
            _section(
                "performance",
                "Performance against similar areas",
                _performance_section_blocks(
                    performance,
                    AUTHORITY_BASKETS,
                    with_targets=True,
                    max_charts=ASSURANCE_BOARD_CHARTS,
                    period_label=label,
                ),
                intro=(
                    "Whole-service figures of record beside statistical neighbours and England, and local "
                    "targets for timeliness and compliance measures (never for demand measures)."
                ),
            ),
            _section("quality", "Quality of practice", [*grade_blocks, *agreement_blocks]),
            _section("practice_week", "Practice week", week_blocks),
            _section(
                "workforce",
                "Workforce",
                [
                    *_performance_section_blocks(
                        performance, (Basket.WORKFORCE,), with_targets=True, max_charts=0, period_label=label
                    ),
                    *_workforce_voice_blocks(entries, p),
                ],
            ),
            _section(
                "learning",
                "Learning",
                [
                    *_theme_blocks(rollup, place="the whole service", span=p.quarter_label),
                    *_summary_blocks(summaries, period_label=label),
                    *_learning_voice_blocks(entries, p),
                    *_reviewing_blocks(reviewing, place="the whole service", period_label=label),
                ],
            ),
            _section("summary", "Summary", [paragraph_block(summary)]),
        ],
    }


def practice_week_context(place: None, period: datetime.date) -> dict[str, Any]:
    """The practice-week summary for the assurance board: the week whose dates fall in the month
    (the latest if several). Aggregate only, through ``practice_week_summary``. Two queries."""
    p = _Period.of(period)
    week = (
        PracticeWeek.objects.filter(starts_on__lte=p.last_day, ends_on__gte=p.month)
        .order_by("-starts_on", "-pk")
        .first()
    )
    if week is None:
        text = f"No practice week took place in {p.month:%B %Y}."
        sections = [
            _section("activities", "Activities", [missing_block(text)]),
            _section("findings", "What we found", [missing_block(text)]),
        ]
    else:
        summary = practice_week_summary(week=week)
        intro = week.focus.strip()
        sections = [
            _section(
                "activities",
                "Activities",
                _week_activity_blocks(summary),
                intro=f"The week's focus: {intro}" if intro else "",
            ),
            _section("findings", "What we found", _week_finding_blocks(summary)),
        ]
    return {**_header(ReportKind.PRACTICE_WEEK, None, p.month), "sections": sections}
