"""BI's figures of record and benchmarks, imported from CSV (issue 7 item 3; DESIGN section 7).

Two layouts, told apart by their header:

* figures of record: ``indicator, period_start, period_end, scope, value, numerator, denominator``
  (a scope is ``authority``, a service-area code or a team code);
* benchmarks: ``indicator, period_start, period_end, comparator, value`` (comparator
  ``statistical_neighbours``, ``england`` or ``region``).

A file is checked whole before anything is written: every problem is reported as
``row N, column NAME: problem`` (the header is row 1) and a file with any problem writes nothing.
A clean file adds new values and replaces those held for the same indicator, period and scope
(or comparator); values that did not change get no write and no history row. After figures of
record change, whoever registered on :data:`FIGURES_IMPORTED_HOOK` (the signals part) reacts in
the same transaction.
"""

from __future__ import annotations

import datetime
import functools
from collections.abc import Iterable
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation
from typing import Any

from django.db import transaction
from django.db.models import QuerySet
from django.utils import timezone
from simple_history.utils import bulk_create_with_history, bulk_update_with_history

from core import hooks
from core.csvio import ParsedCsv, Problem, parse_date, read_csv
from core.models import ImportBatch
from organisation.models import User
from organisation.services import BatchStateError

from ..models import Benchmark, Comparator, FigureOfRecord, Indicator, IndicatorType
from ..scopes import AUTHORITY, ScopeRef, all_scopes, scope_from_code

FIGURE_COLUMNS = ("indicator", "period_start", "period_end", "scope", "value", "numerator", "denominator")
BENCHMARK_COLUMNS = ("indicator", "period_start", "period_end", "comparator", "value")
LAYOUTS: dict[str, tuple[str, ...]] = {
    ImportBatch.Kind.INDICATORS: FIGURE_COLUMNS,
    ImportBatch.Kind.BENCHMARKS: BENCHMARK_COLUMNS,
}
KINDS = tuple(LAYOUTS)
# A file of counts may leave these columns out.
OPTIONAL_COLUMNS = ("numerator", "denominator")
# Cells kept or echoed as text: one starting "=", "+", "-" or "@" is refused there. Numbers and
# dates are parsed instead, so "-3" is a negative number (refused where counts cannot be negative).
TEXT_COLUMNS = ("indicator", "scope", "comparator")
# Called with ``indicator_ids``, ``scope_keys`` and ``actor`` after figures of record were added or replaced.
FIGURES_IMPORTED_HOOK = "performance-figures-imported"

# A scope kind is allowed when it is at or above the indicator's lowest scope: rates per 10,000
# are authority-only (no team population); workforce rates are for service areas and above.
SCOPE_RANK = {"team": 0, "area": 1, "authority": 2}
_LOWEST_SCOPE_WORDS = {"area": "service areas and the whole authority", "authority": "the whole authority"}
_KIND_WORDS = {"team": "team", "area": "service area", "authority": "the authority"}
# Types whose value cannot be below 0 (money can: a cost avoided may turn into a cost).
NEVER_NEGATIVE = frozenset({IndicatorType.FLOW, IndicatorType.STOCK, IndicatorType.PERCENTAGE, IndicatorType.RATE})
# The largest value the database keeps (14 digits, 2 after the point).
_LIMIT = Decimal("1e12")
_CENT = Decimal("0.01")
BATCH_SIZE = 2000
_HEADER = "(header)"


def scope_allows(indicator: Indicator, ref: ScopeRef) -> bool:
    """True when ``indicator`` may be held and shown for a scope of ``ref``'s kind."""
    return SCOPE_RANK[ref.kind] >= SCOPE_RANK.get(indicator.lowest_scope, 0)


# --- the check -----------------------------------------------------------------------------------------
@dataclass
class IndicatorChange:
    code: str
    name: str
    new: int = 0
    replaced: int = 0
    unchanged: int = 0


@dataclass
class FiguresCheck:
    """What a file would do, and everything wrong with it."""

    kind: str = ""
    problems: list[Problem] = field(default_factory=list)
    warnings: list[Problem] = field(default_factory=list)
    rows: int = 0
    changes: dict[str, IndicatorChange] = field(default_factory=dict)

    @property
    def ok(self) -> bool:
        return not self.problems

    @property
    def new(self) -> int:
        return sum(c.new for c in self.changes.values())

    @property
    def replaced(self) -> int:
        return sum(c.replaced for c in self.changes.values())

    @property
    def unchanged(self) -> int:
        return sum(c.unchanged for c in self.changes.values())

    @property
    def label(self) -> str:
        return ImportBatch.Kind(self.kind).label if self.kind else "Figures"

    def summary(self) -> dict[str, Any]:
        return {
            "rows": self.rows,
            "new": self.new,
            "replaced": self.replaced,
            "unchanged": self.unchanged,
            "indicators": [[c.code, c.name, c.new, c.replaced, c.unchanged] for c in self.changes.values()],
        }


class FiguresRefused(Exception):
    def __init__(self, check: FiguresCheck) -> None:
        super().__init__(f"{len(check.problems)} problem(s) in the file")
        self.check = check


@dataclass
class _Plan:
    to_create: list[Any] = field(default_factory=list)
    to_update: list[Any] = field(default_factory=list)
    touched_indicators: set[int] = field(default_factory=set)
    touched_scopes: set[str] = field(default_factory=set)


@dataclass(frozen=True)
class _Row:
    """One clean line of the file."""

    row: int
    indicator: Indicator
    period_start: datetime.date
    period_end: datetime.date
    # Figures of record: the scope; benchmarks: the comparator.
    scope: ScopeRef | None = None
    comparator: str = ""
    value: Decimal | None = None
    numerator: Decimal | None = None
    denominator: Decimal | None = None

    @property
    def key(self) -> tuple[int, datetime.date, datetime.date, str]:
        where = self.scope.key if self.scope else self.comparator
        return (self.indicator.pk, self.period_start, self.period_end, where)


def _number(cell: str, indicator: Indicator | None) -> Decimal:
    """A number as BI's tools write it: "1,234", "86.4", "86.4%" (percentages), "£1,200" (money)."""
    text = cell.replace(",", "").strip()
    if indicator is not None and indicator.type == IndicatorType.PERCENTAGE:
        text = text.removesuffix("%").strip()
    if indicator is not None and indicator.type == IndicatorType.MONEY:
        text = text.removeprefix("£").strip()
    try:
        number = Decimal(text)
    except InvalidOperation:
        raise ValueError(f"{cell!r} is not a number") from None
    if not number.is_finite():
        raise ValueError(f"{cell!r} is not a number")
    if abs(number) >= _LIMIT:
        raise ValueError(f"{cell!r} is too large")
    return number.quantize(_CENT, rounding=ROUND_HALF_UP)


def _comparator(cell: str) -> str | None:
    """A comparator code, read tolerantly ("Statistical neighbours", "England")."""
    code = "_".join(cell.strip().lower().replace("-", " ").split())
    return code if code in Comparator.values else None


def _read(text: str) -> tuple[str, ParsedCsv, list[Problem]]:
    """Read the file once; tell the layout by its header; list the header's problems."""
    parsed = read_csv(text, required=(), optional=(*FIGURE_COLUMNS, "comparator"), text_columns=TEXT_COLUMNS)
    header_problems = [p for p in parsed.problems if p.row == 1]
    if not parsed.header or header_problems:
        return "", parsed, header_problems
    names = set(parsed.header)
    if "scope" in names and "comparator" in names:
        return "", parsed, [Problem(1, _HEADER, "has both scope and comparator: keep figures and benchmarks apart")]
    if "scope" in names:
        kind = ImportBatch.Kind.INDICATORS
    elif "comparator" in names:
        kind = ImportBatch.Kind.BENCHMARKS
    else:
        figures, benchmarks = ", ".join(FIGURE_COLUMNS), ", ".join(BENCHMARK_COLUMNS)
        message = f"must be the figures layout ({figures}) or the benchmarks layout ({benchmarks})"
        return "", parsed, [Problem(1, _HEADER, message)]
    columns = LAYOUTS[kind]
    problems = [
        Problem(1, name, "required column is missing")
        for name in columns
        if name not in names and name not in OPTIONAL_COLUMNS
    ]
    problems += [
        Problem(1, name, "unknown column: remove it or correct its name")
        for name in parsed.header
        if name not in columns
    ]
    return kind, parsed, problems


class _Line:
    """One line of the file being checked: its cells and the problems found in them."""

    def __init__(self, row: int, raw: dict[str, str], formula_cells: set[tuple[int, str]]) -> None:
        self.row = row
        self.raw = raw
        self.formula_cells = formula_cells
        self.problems: list[Problem] = []

    def cell(self, column: str) -> str:
        return self.raw.get(column, "")

    def bad(self, column: str, message: str) -> None:
        # A cell already refused as a formula gets no second problem about its content.
        if (self.row, column) not in self.formula_cells:
            self.problems.append(Problem(self.row, column, message))


# A file repeats the same few period dates on every line: parse each once.
_parse_date = functools.lru_cache(maxsize=1024)(parse_date)


def _check_period(line: _Line, today: datetime.date) -> tuple[datetime.date | None, datetime.date | None]:
    dates: dict[str, datetime.date] = {}
    for column in ("period_start", "period_end"):
        if not (cell := line.cell(column)):
            line.bad(column, "is missing")
            continue
        try:
            dates[column] = _parse_date(cell)
        except ValueError as exc:
            line.bad(column, str(exc))
    start, end = dates.get("period_start"), dates.get("period_end")
    if start and end and end < start:
        line.bad("period_end", f"{end:%d/%m/%Y} is before the period starts ({start:%d/%m/%Y})")
    if start and start > today:
        line.bad("period_start", f"{start:%d/%m/%Y} is in the future")
    return start, end


def _check_scope(line: _Line, indicator: Indicator | None, scopes: dict[str, ScopeRef]) -> ScopeRef | None:
    cell = line.cell("scope")
    ref = scope_from_code(cell, scopes) if cell else None
    if not cell:
        line.bad("scope", "is missing: use authority, a service-area code or a team code")
    elif ref is None:
        line.bad("scope", f"{cell!r} is not authority, a service-area code or a team code")
    elif indicator is not None and not scope_allows(indicator, ref):
        where = _LOWEST_SCOPE_WORDS[indicator.lowest_scope]
        line.bad("scope", f"{cell!r} is a {_KIND_WORDS[ref.kind]}: {indicator.code} is held for {where} only")
    return ref


def _check_comparator(line: _Line) -> str:
    cell = line.cell("comparator")
    comparator = _comparator(cell) or ""
    if not cell:
        line.bad("comparator", "is missing")
    elif not comparator:
        line.bad("comparator", f"{cell!r} is not one of {', '.join(Comparator.values)}")
    return comparator


def _check_numbers(line: _Line, indicator: Indicator | None, *, kind: str) -> dict[str, Decimal | None]:
    """value, numerator and denominator, each checked against the indicator's type."""
    numbers: dict[str, Decimal | None] = dict.fromkeys(("value", "numerator", "denominator"))
    for column in numbers:
        if cell := line.cell(column):
            try:
                numbers[column] = _number(cell, indicator)
            except ValueError as exc:
                line.bad(column, str(exc))
    if indicator is None:
        return numbers
    # Only a narrative figure of record may come without a value (its outcome is told elsewhere).
    if not line.cell("value") and (indicator.type != IndicatorType.NARRATIVE or kind == ImportBatch.Kind.BENCHMARKS):
        line.bad("value", "is missing")
    value, numerator, denominator = numbers["value"], numbers["numerator"], numbers["denominator"]
    if value is not None and indicator.type == IndicatorType.PERCENTAGE and value > 100:
        line.bad("value", f"{line.cell('value')} is over 100, but {indicator.code} is a percentage")
    if value is not None and indicator.type in NEVER_NEGATIVE and value < 0:
        line.bad("value", f"{line.cell('value')} is negative: {indicator.code} cannot be below 0")
    for column in ("numerator", "denominator"):
        if (number := numbers[column]) is not None and number < 0:
            line.bad(column, f"{line.cell(column)} is negative: a count cannot be below 0")
    if indicator.type == IndicatorType.PERCENTAGE and None not in (numerator, denominator) and numerator > denominator:
        line.bad("numerator", f"{line.cell('numerator')} is more than the denominator ({line.cell('denominator')})")
    return numbers


def _check_rows(
    parsed: ParsedCsv, *, kind: str, today: datetime.date, check: FiguresCheck
) -> tuple[list[_Row], list[Problem]]:
    """Every line's problems; the clean lines. Lookups: one query for indicators, two for scopes."""
    indicators = {i.code.lower(): i for i in Indicator.objects.all()}
    scopes = all_scopes() if kind == ImportBatch.Kind.INDICATORS else {}
    # Problems read_csv found already (formula cells): such a line is never clean.
    formula_cells = {(p.row, p.column) for p in parsed.problems}
    formula_rows = {row for row, _ in formula_cells}
    seen: dict[tuple[int, datetime.date, datetime.date, str], int] = {}
    clean: list[_Row] = []
    problems: list[Problem] = []
    for row_number, raw in parsed.rows:
        line = _Line(row_number, raw, formula_cells)
        code = line.cell("indicator")
        indicator = indicators.get(code.lower()) if code else None
        if not code:
            line.bad("indicator", "is missing")
        elif indicator is None:
            line.bad("indicator", f"{code!r} is not an indicator code in the catalogue")
        start, end = _check_period(line, today)
        ref = _check_scope(line, indicator, scopes) if kind == ImportBatch.Kind.INDICATORS else None
        comparator = _check_comparator(line) if kind == ImportBatch.Kind.BENCHMARKS else ""
        numbers = _check_numbers(line, indicator, kind=kind)
        if line.problems or row_number in formula_rows or indicator is None or start is None or end is None:
            problems.extend(line.problems)
            continue
        clean_line = _Row(row_number, indicator, start, end, scope=ref, comparator=comparator, **numbers)
        if (first := seen.get(clean_line.key)) is not None:
            what = "scope" if ref else "comparator"
            problems.append(
                Problem(row_number, "(row)", f"repeats row {first} (the same indicator, period and {what})")
            )
            continue
        seen[clean_line.key] = row_number
        if ref and indicator.type == IndicatorType.PERCENTAGE and numbers["denominator"] is None:
            check.warnings.append(
                Problem(row_number, "denominator", "is blank: the basket cannot show this percentage's n")
            )
        clean.append(clean_line)
    return clean, problems


def _plan(kind: str, lines: list[_Row], check: FiguresCheck, *, batch: ImportBatch | None) -> _Plan:
    """Match clean lines to the values held now (one query); count and collect the writes."""
    plan = _Plan()
    if not lines:
        return plan
    model = FigureOfRecord if kind == ImportBatch.Kind.INDICATORS else Benchmark
    where = "scope_key" if model is FigureOfRecord else "comparator"
    held_qs: QuerySet[Any] = model.objects.filter(
        indicator_id__in={line.indicator.pk for line in lines},
        period_start__gte=min(line.period_start for line in lines),
        period_start__lte=max(line.period_start for line in lines),
    )
    held = {(v.indicator_id, v.period_start, v.period_end, getattr(v, where)): v for v in held_qs}
    now = timezone.now()
    for line in sorted(lines, key=lambda item: (item.indicator.position, item.indicator.code, item.row)):
        change = check.changes.setdefault(
            line.indicator.code, IndicatorChange(code=line.indicator.code, name=line.indicator.name)
        )
        fields = {"value": line.value}
        if model is FigureOfRecord:
            fields |= {"numerator": line.numerator, "denominator": line.denominator}
        current = held.get(line.key)
        if current is None:
            change.new += 1
            extra = (
                {
                    "scope_key": line.scope.key,
                    "service_area_id": line.scope.service_area_id if line.scope.kind == "area" else None,
                    "team_id": line.scope.team_id,
                }
                if line.scope
                else {"comparator": line.comparator}
            )
            plan.to_create.append(
                model(
                    indicator=line.indicator,
                    period_start=line.period_start,
                    period_end=line.period_end,
                    import_batch=batch,
                    **extra,
                    **fields,
                )
            )
        elif all(getattr(current, name) == value for name, value in fields.items()):
            change.unchanged += 1
            continue
        else:
            change.replaced += 1
            for name, value in {**fields, "import_batch": batch, "updated_at": now}.items():
                setattr(current, name, value)
            plan.to_update.append(current)
        plan.touched_indicators.add(line.indicator.pk)
        if line.scope:
            plan.touched_scopes.add(line.scope.key)
    return plan


def _check_and_plan(
    *, text: str, today: datetime.date, batch: ImportBatch | None = None
) -> tuple[FiguresCheck, _Plan | None]:
    kind, parsed, header_problems = _read(text)
    check = FiguresCheck(kind=kind, problems=list(header_problems))
    if header_problems or not kind:
        check.problems.sort()
        return check, None
    if not parsed.rows and not parsed.problems:
        check.problems.append(Problem(2, "(row)", "the file has no rows of values"))
        return check, None
    check.problems.extend(p for p in parsed.problems if p.row > 1)
    lines, problems = _check_rows(parsed, kind=kind, today=today, check=check)
    check.problems.extend(problems)
    check.problems.sort()
    check.warnings.sort()
    check.rows = len(parsed.rows)
    if not check.ok:
        return check, None
    return check, _plan(kind, lines, check, batch=batch)


def figures_check(*, text: str, today: datetime.date | None = None) -> FiguresCheck:
    """Check a figures-of-record or benchmarks CSV without writing anything."""
    check, _ = _check_and_plan(text=text, today=today or timezone.localdate())
    return check


@transaction.atomic
def figures_import(
    *,
    text: str,
    actor: User | None,
    today: datetime.date | None = None,
    batch: ImportBatch | None = None,
    reason: str = "",
) -> FiguresCheck:
    """Check the file and, only if it is clean, add and replace its values in one transaction.

    Raises :class:`FiguresRefused` (nothing written) when the file has any problem. Returns the
    check, whose counts are what was written. ``actor`` and ``reason`` go on the history rows.
    """
    check, plan = _check_and_plan(text=text, today=today or timezone.localdate(), batch=batch)
    if plan is None:
        raise FiguresRefused(check)
    reason = reason or (f"{check.label} import {batch.pk}" if batch else f"{check.label} import")
    if check.kind == ImportBatch.Kind.INDICATORS:
        if plan.to_create:
            bulk_create_with_history(
                plan.to_create,
                FigureOfRecord,
                batch_size=BATCH_SIZE,
                default_user=actor,
                default_change_reason=reason,
            )
        if plan.to_update:
            bulk_update_with_history(
                plan.to_update,
                FigureOfRecord,
                ["value", "numerator", "denominator", "import_batch", "updated_at"],
                batch_size=BATCH_SIZE,
                default_user=actor,
                default_change_reason=reason,
            )
        if plan.touched_indicators:
            # The signals part recomputes the series these values belong to (same transaction).
            hooks.call(
                FIGURES_IMPORTED_HOOK,
                indicator_ids=sorted(plan.touched_indicators),
                scope_keys=sorted(plan.touched_scopes),
                actor=actor,
            )
    else:
        Benchmark.objects.bulk_create(plan.to_create, batch_size=BATCH_SIZE)
        Benchmark.objects.bulk_update(plan.to_update, ["value", "import_batch", "updated_at"], batch_size=BATCH_SIZE)
    return check


# --- the page's batches: check, then confirm ----------------------------------------------------------
@transaction.atomic
def figures_batch_create(*, file_name: str, text: str, actor: User, today: datetime.date | None = None) -> ImportBatch:
    """Keep an uploaded file with what it would do (or every problem with it)."""
    check = figures_check(text=text, today=today)
    return ImportBatch.objects.create(
        kind=check.kind or ImportBatch.Kind.INDICATORS,
        file_name=file_name[:255],
        # A refused file is not kept: the person uploads the corrected one.
        content=text if check.ok else "",
        status=ImportBatch.Status.CHECKED if check.ok else ImportBatch.Status.REFUSED,
        problems=[p.as_dict() for p in check.problems],
        warnings=[w.as_dict() for w in check.warnings],
        summary=check.summary(),
        uploaded_by=actor,
    )


@transaction.atomic
def figures_batch_confirm(*, batch_id: int, actor: User, today: datetime.date | None = None) -> ImportBatch:
    """Import a checked batch, checking the file again first (the catalogue, the teams or the
    values held may have changed since). Only a checked batch can be confirmed, once."""
    claimed = ImportBatch.objects.filter(pk=batch_id, kind__in=KINDS, status=ImportBatch.Status.CHECKED).update(
        status=ImportBatch.Status.QUEUED, confirmed_at=timezone.now()
    )
    if not claimed:
        raise BatchStateError("This import has already been confirmed, or it has problems to fix first.")
    batch = ImportBatch.objects.get(pk=batch_id)
    try:
        check = figures_import(text=batch.content, actor=actor, today=today, batch=batch)
    except FiguresRefused as refused:
        batch.status = ImportBatch.Status.REFUSED
        batch.problems = [p.as_dict() for p in refused.check.problems]
        batch.warnings = [w.as_dict() for w in refused.check.warnings]
    else:
        batch.status = ImportBatch.Status.IMPORTED
        batch.summary = {**check.summary(), "imported": True}
        batch.warnings = [w.as_dict() for w in check.warnings]
    batch.content = ""
    batch.save(update_fields=["status", "problems", "warnings", "summary", "content"])
    return batch


# --- reads ----------------------------------------------------------------------------------------------
def figure_batches_recent(limit: int = 10) -> list[ImportBatch]:
    """The latest figures and benchmarks uploads (one query)."""
    batches = ImportBatch.objects.filter(kind__in=KINDS).select_related("uploaded_by").order_by("-created_at")
    return list(batches[:limit])


def figure_filter_choices(scopes: dict[str, ScopeRef]) -> tuple[list[tuple[str, str]], list[tuple[str, str]]]:
    """The list's filter choices, from the figures held: indicators (one query) and the
    scopes among ``scopes`` (one query)."""
    indicators = Indicator.objects.filter(pk__in=FigureOfRecord.objects.values("indicator_id")).order_by(
        "position", "code"
    )
    held = set(FigureOfRecord.objects.order_by().values_list("scope_key", flat=True).distinct())
    return (
        [(i.code, f"{i.name} ({i.code})") for i in indicators],
        [(key, ref.label) for key, ref in scopes.items() if key in held],
    )


def figures_held(
    *, scope_keys: Iterable[str], indicator_code: str = "", scope_key: str = ""
) -> QuerySet[FigureOfRecord]:
    """Figures of record in the given scopes, newest period first, optionally one indicator or scope."""
    figures = FigureOfRecord.objects.filter(scope_key__in=list(scope_keys)).select_related("indicator")
    if indicator_code:
        figures = figures.filter(indicator__code=indicator_code)
    if scope_key:
        figures = figures.filter(scope_key=scope_key)
    return figures.order_by("indicator__position", "indicator__code", "scope_key", "-period_start")


# --- the downloadable templates -------------------------------------------------------------------------
def _example_indicator(*types: str, fallback: str) -> str:
    found = (
        Indicator.objects.filter(type__in=types, active=True, lowest_scope="team")
        .order_by("position", "code")
        .values_list("code", flat=True)
        .first()
    )
    return found or fallback


def template_rows(kind: str, *, today: datetime.date) -> tuple[tuple[str, ...], list[list[str]]]:
    """A layout's header and two example rows using real indicator codes (last month's values)."""
    end = today.replace(day=1) - datetime.timedelta(days=1)
    start = end.replace(day=1)
    percentage = _example_indicator(IndicatorType.PERCENTAGE, fallback="assessments_in_45_days_pct")
    if kind == ImportBatch.Kind.BENCHMARKS:
        year_end = datetime.date(today.year if today.month > 3 else today.year - 1, 3, 31)
        year_start = datetime.date(year_end.year - 1, 4, 1)
        return BENCHMARK_COLUMNS, [
            [percentage, year_start.isoformat(), year_end.isoformat(), Comparator.STATISTICAL_NEIGHBOURS, "84.5"],
            [percentage, year_start.isoformat(), year_end.isoformat(), Comparator.ENGLAND, "82.1"],
        ]
    count = _example_indicator(IndicatorType.FLOW, IndicatorType.STOCK, fallback="referrals")
    return FIGURE_COLUMNS, [
        [count, start.isoformat(), end.isoformat(), AUTHORITY, "312", "", ""],
        [percentage, start.isoformat(), end.isoformat(), AUTHORITY, "86.4", "242", "280"],
    ]


def register() -> None:
    """Hooks, loaders, jobs and sweeps of this part: none (the signals part registers on
    :data:`FIGURES_IMPORTED_HOOK`)."""
