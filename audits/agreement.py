"""Agreement statistics between auditors and moderators (reads only).

The pure functions take (auditor grade, moderator grade) pairs of grade codes and know nothing
of the database; the queries below gather the pairs, already scoped. Figures are about how
consistently the framework's grades are applied, for learning: they are shown at service and
authority level, and for one auditor only to that auditor and the QA team, never as a list or
ranking of people or teams (DESIGN sections 4 and 10).
"""

from __future__ import annotations

import datetime
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

from django.db.models import Q

from core.charts import line_chart
from organisation.models import ServiceArea
from organisation.scope import Scope

from .models import Grade, Moderation

# Best first: Outstanding(0) … Inadequate(3). The index is the grade's position on the scale.
GRADES: tuple[str, ...] = tuple(Grade.values)
GRADE_INDEX = {code: i for i, code in enumerate(GRADES)}
# Below this many moderated audits a figure is flagged "read with care" (service and authority)
# or not shown at all (one auditor's figures).
READ_WITH_CARE_BELOW = 10
AUDITOR_HIDDEN_BELOW = 10

Pair = tuple[str, str]


def _valid(pairs: Iterable[Pair]) -> list[tuple[int, int]]:
    """The pairs as grade indices; pairs missing a grade are left out."""
    return [(GRADE_INDEX[a], GRADE_INDEX[m]) for a, m in pairs if a in GRADE_INDEX and m in GRADE_INDEX]


def confusion_matrix(pairs: Iterable[Pair]) -> list[list[int]]:
    """4×4 counts: rows are the auditor's grade, columns the moderator's, best grade first."""
    matrix = [[0] * len(GRADES) for _ in GRADES]
    for a, m in _valid(pairs):
        matrix[a][m] += 1
    return matrix


def exact_agreement(pairs: Iterable[Pair]) -> float | None:
    """The share (0–1) of audits where the moderator gave the same overall grade; None if none."""
    valid = _valid(pairs)
    if not valid:
        return None
    return sum(1 for a, m in valid if a == m) / len(valid)


def within_one(pairs: Iterable[Pair]) -> float | None:
    """The share (0–1) of audits where the grades are the same or next to each other."""
    valid = _valid(pairs)
    if not valid:
        return None
    return sum(1 for a, m in valid if abs(a - m) <= 1) / len(valid)


def quadratic_weighted_kappa(pairs: Iterable[Pair]) -> float | None:
    """Cohen's kappa with quadratic weights across the four grades.

    w_ij = (i − j)² / (k − 1)², κ = 1 − Σ w·O / Σ w·E, where O is the observed share in each
    cell and E = (row share × column share) is what chance would give from the marginals.

    Convention when κ is not defined: None for no pairs, and None when the expected
    disagreement Σ w·E is 0 — which happens only when auditors and moderators all used one and
    the same grade ("not defined: only one grade used"). Perfect agreement using several grades
    is 1.0. Auditor and moderator each using a single but different grade gives 0.0.
    """
    matrix = confusion_matrix(pairs)
    n = sum(map(sum, matrix))
    if n == 0:
        return None
    k = len(GRADES)
    rows = [sum(row) for row in matrix]
    cols = [sum(matrix[i][j] for i in range(k)) for j in range(k)]
    # Whole numbers throughout, so 1.0 and 0.0 come out exactly: the common factor
    # 1 / ((k − 1)² n²) of both sums cancels.
    observed = sum((i - j) ** 2 * matrix[i][j] * n for i in range(k) for j in range(k))
    expected = sum((i - j) ** 2 * rows[i] * cols[j] for i in range(k) for j in range(k))
    if expected == 0:
        return None
    return 1 - observed / expected


@dataclass(frozen=True)
class Direction:
    """How the moderator's grade compares with the auditor's: higher means nearer Outstanding."""

    higher: int = 0
    same: int = 0
    lower: int = 0


def direction(pairs: Iterable[Pair]) -> Direction:
    higher = same = lower = 0
    for a, m in _valid(pairs):
        if m < a:
            higher += 1
        elif m == a:
            same += 1
        else:
            lower += 1
    return Direction(higher=higher, same=same, lower=lower)


@dataclass
class Figures:
    """Every figure for one set of pairs, as the pages show them."""

    count: int
    exact: float | None
    within_one: float | None
    kappa: float | None
    matrix: list[list[int]]
    direction: Direction

    @property
    def read_with_care(self) -> bool:
        return 0 < self.count < READ_WITH_CARE_BELOW

    @property
    def matrix_rows(self) -> list[tuple[str, list[int], int]]:
        """(auditor's grade label, counts by moderator's grade, row total) for the table."""
        return [(Grade(code).label, row, sum(row)) for code, row in zip(GRADES, self.matrix, strict=True)]

    @property
    def column_totals(self) -> list[int]:
        return [sum(row[j] for row in self.matrix) for j in range(len(GRADES))]


def figures(pairs: Sequence[Pair]) -> Figures:
    valid = [(a, m) for a, m in pairs if a in GRADE_INDEX and m in GRADE_INDEX]
    return Figures(
        count=len(valid),
        exact=exact_agreement(valid),
        within_one=within_one(valid),
        kappa=quadratic_weighted_kappa(valid),
        matrix=confusion_matrix(valid),
        direction=direction(valid),
    )


# --- periods ---------------------------------------------------------------------------------
def months_between(first: datetime.date, last: datetime.date) -> list[datetime.date]:
    """The first days of every month from ``first`` to ``last``, inclusive."""
    months = []
    month = first.replace(day=1)
    while month <= last:
        months.append(month)
        month = (month + datetime.timedelta(days=32)).replace(day=1)
    return months


def default_period(today: datetime.date) -> tuple[datetime.date, datetime.date]:
    """The twelve months up to and including this one."""
    last = today.replace(day=1)
    first = last
    for _ in range(11):
        first = (first - datetime.timedelta(days=1)).replace(day=1)
    return first, last


# --- queries ---------------------------------------------------------------------------------
def areas_for_agreement(scope: Scope) -> list[ServiceArea]:
    """Service areas whose statistics this person sees, by name: every area for whole-authority
    roles, their own areas for SMs and HoSs, the areas of the teams they manage for TMs."""
    if scope.whole_authority:
        return list(ServiceArea.objects.order_by("name", "pk"))
    q = Q(pk__in=scope.area_ids) | Q(teams__pk__in=scope.managed_team_ids)
    return list(ServiceArea.objects.filter(q).distinct().order_by("name", "pk"))


@dataclass(frozen=True)
class Row:
    """One moderated audit, reduced to what the statistics need."""

    month: datetime.date
    service_area_id: int
    auditor_grade: str
    moderator_grade: str

    @property
    def pair(self) -> Pair:
        return (self.auditor_grade, self.moderator_grade)


def moderated_rows(
    *,
    first: datetime.date,
    last: datetime.date,
    area_ids: Iterable[int] | None = None,
    auditor_id: int | None = None,
) -> list[Row]:
    """Done moderations of audits whose month is in [first, last] (months), in one query.

    ``area_ids`` None means the whole authority. Restricted audits count too: only totals leave
    this function, never a case.
    """
    qs = Moderation.objects.filter(
        status=Moderation.Status.DONE,
        audit__month__gte=first.replace(day=1),
        audit__month__lte=last.replace(day=1),
    )
    if area_ids is not None:
        qs = qs.filter(audit__service_area_id__in=list(area_ids))
    if auditor_id is not None:
        qs = qs.filter(audit__auditor_id=auditor_id)
    rows = []
    for month, area_id, auditor_grade, agrees, moderator_grade in qs.order_by().values_list(
        "audit__month", "audit__service_area_id", "audit__overall_grade", "overall_agrees", "overall_grade"
    ):
        rows.append(
            Row(
                month=month,
                service_area_id=area_id,
                auditor_grade=auditor_grade,
                # The same rule as Moderation.moderated_grade, without loading the audit.
                moderator_grade=auditor_grade if agrees else moderator_grade,
            )
        )
    return rows


@dataclass
class MonthFigures:
    month: datetime.date
    figures: Figures


@dataclass
class Statistics:
    overall: Figures
    months: list[MonthFigures] = field(default_factory=list)


def statistics(rows: Sequence[Row], *, first: datetime.date, last: datetime.date) -> Statistics:
    by_month: dict[datetime.date, list[Pair]] = {m: [] for m in months_between(first, last)}
    for row in rows:
        by_month.setdefault(row.month.replace(day=1), []).append(row.pair)
    return Statistics(
        overall=figures([row.pair for row in rows]),
        months=[MonthFigures(month=m, figures=figures(by_month[m])) for m in sorted(by_month)],
    )


# --- the trend chart -------------------------------------------------------------------------
def _percent(value: float | None) -> str:
    return "no figure" if value is None else f"{round(value * 100)}%"


def trend_alt_text(stats: Statistics, *, level: str) -> str:
    with_data = [m for m in stats.months if m.figures.count]
    if not with_data:
        return f"Chart of agreement by month for {level}: no moderated audits in this period."
    first, last = with_data[0], with_data[-1]
    return (
        f"Line chart of agreement by month for {level}, {stats.months[0].month:%B %Y} to "
        f"{stats.months[-1].month:%B %Y}. Exact agreement on the overall grade was "
        f"{_percent(first.figures.exact)} in {first.month:%B %Y} and {_percent(last.figures.exact)} in "
        f"{last.month:%B %Y}; agreement within one grade was {_percent(first.figures.within_one)} and "
        f"{_percent(last.figures.within_one)}. The table that follows gives every month's figures."
    )


def trend_chart_data_uri(stats: Statistics) -> str:
    """The monthly trend of exact and within-one agreement (per cent) as an SVG data URI for an
    <img>, drawn by the one chart helper the dashboards and PDFs use."""
    exact = [(m.month, None if m.figures.exact is None else m.figures.exact * 100) for m in stats.months]
    within = [(m.month, None if m.figures.within_one is None else m.figures.within_one * 100) for m in stats.months]
    return line_chart(
        [("Exact agreement", exact), ("Within one grade", within)],
        title="Grade agreement after moderation",
        y_label="Moderated audits (%)",
        unit="%",
    ).data_uri
