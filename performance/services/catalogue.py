"""The indicator catalogue and the authority's population (issue 7 items 1–2; DESIGN section 7).

BI and the QA team edit an indicator's target, direction, owner and brief, and add local
indicators. A demand or threshold measure never takes a target (the model's constraint says so
too): its numbers describe need, and colouring them good or bad would push practice to follow a
number. A local measure always names who supplies it.

The 0–17 population (ONS mid-year estimate) is entered a year at a time or imported from a small
CSV (``year,aged_0_to_17``), which is checked whole: a file with any problem writes nothing.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from django.db import transaction
from django.db.models import Max
from simple_history.utils import bulk_create_with_history, bulk_update_with_history

from core.csvio import Problem, read_csv
from organisation.models import User

from ..models import Direction, Indicator, IndicatorType, Population, Source
from ..selectors import is_rate_per_10000

POPULATION_COLUMNS = ("year", "aged_0_to_17")
POPULATION_OPTIONAL = ("source",)
# Years a mid-year estimate can be for, and the largest 0–17 population an English authority
# could have (a bigger number is a typing slip, such as the whole population).
FIRST_YEAR, LAST_YEAR = 1990, 2100
MOST_CHILDREN = 2_000_000
HUNDRED = Decimal(100)


class CatalogueError(Exception):
    """A change the catalogue refuses; ``field`` names the form field it is about, if any."""

    def __init__(self, message: str, *, field: str | None = None) -> None:
        super().__init__(message)
        self.field = field


class StaleIndicatorEdit(CatalogueError):
    """Someone else changed the indicator after this form was opened."""


class PopulationImportError(Exception):
    """The population CSV has problems; nothing was written."""

    def __init__(self, problems: list[Problem]) -> None:
        super().__init__(f"{len(problems)} problem(s)")
        self.problems = problems


def indicator_version(indicator: Indicator) -> int:
    """The indicator's edit version: its latest history row's id (0 before any history), so an
    edit form opened before someone else's save is refused kindly."""
    latest = indicator.history.order_by("-history_id").values_list("history_id", flat=True).first()
    return int(latest or 0)


def _target_problem(
    *, type: str, demand_measure: bool, target_allowed: bool, target: Decimal | None, direction: str
) -> CatalogueError | None:
    if (target is not None or direction) and (demand_measure or not target_allowed):
        return CatalogueError(
            "This is a demand or threshold measure, or not a timeliness or compliance measure: it takes no target",
            field="target",
        )
    if target is not None and target < 0:
        return CatalogueError("The target must be 0 or more", field="target")
    if target is not None and type == IndicatorType.PERCENTAGE and target > HUNDRED:
        return CatalogueError("A percentage's target must be 100 or less", field="target")
    if target is not None and direction not in Direction.values:
        return CatalogueError("Choose whether higher or lower is better", field="direction")
    return None


def indicator_update(
    *,
    indicator_id: int,
    version: int,
    brief: str,
    owner: str,
    target: Decimal | None,
    direction: str,
    actor: User,
) -> Indicator:
    """Change an indicator's brief, owner, and (timeliness and compliance measures only) target
    and direction. Refuses a target on any other measure, and a stale form."""
    brief, owner = brief.strip(), owner.strip()
    with transaction.atomic():
        indicator = Indicator.objects.select_for_update().get(pk=indicator_id)
        if indicator_version(indicator) != version:
            raise StaleIndicatorEdit(
                "Someone else changed this indicator after you opened the page, and nothing of theirs was "
                "overwritten. The saved values are shown beside the form: save again if yours should replace them."
            )
        if not brief:
            raise CatalogueError("Enter what the data may be showing", field="brief")
        if Source.LOCAL in indicator.sources and not owner:
            raise CatalogueError("A local measure needs a named owner: enter who supplies it", field="owner")
        problem = _target_problem(
            type=indicator.type,
            demand_measure=indicator.demand_measure,
            target_allowed=indicator.target_allowed,
            target=target,
            direction=direction,
        )
        if problem:
            raise problem
        wanted = {"brief": brief, "owner": owner, "target": target, "direction": direction}
        if not indicator.target_allowed:
            del wanted["target"], wanted["direction"]
        changed = [name for name, value in wanted.items() if getattr(indicator, name) != value]
        if changed:
            for name in changed:
                setattr(indicator, name, wanted[name])
            indicator._history_user = actor
            indicator.save(update_fields=changed)
    return indicator


@dataclass(frozen=True)
class LocalIndicator:
    """What BI or the QA team give for an indicator of their own (source: local)."""

    code: str
    name: str
    brief: str
    type: str
    unit: str
    numerator: str
    denominator: str
    period_rule: str
    baskets: list[str]
    owner: str
    demand_measure: bool
    target_allowed: bool
    lowest_scope: str
    target: Decimal | None = None
    direction: str = ""


def indicator_create_local(*, definition: LocalIndicator, actor: User) -> Indicator:
    """Add a local indicator to the catalogue (source local, owner named, code unused)."""
    d = definition
    if not d.owner.strip():
        raise CatalogueError("A local measure needs a named owner: enter who supplies it", field="owner")
    if d.demand_measure and d.target_allowed:
        raise CatalogueError("A demand or threshold measure takes no target", field="measure_kind")
    problem = _target_problem(
        type=d.type,
        demand_measure=d.demand_measure,
        target_allowed=d.target_allowed,
        target=d.target,
        direction=d.direction,
    )
    if problem:
        raise problem
    if d.target_allowed and d.direction not in Direction.values:
        raise CatalogueError("Choose whether higher or lower is better", field="direction")
    if d.type in (IndicatorType.PERCENTAGE, IndicatorType.RATE) and not (d.numerator.strip() and d.denominator.strip()):
        raise CatalogueError("A percentage or a rate needs a denominator: enter what it counts", field="denominator")
    if is_rate_per_10000(type=d.type, unit=d.unit) and d.lowest_scope != "authority":
        raise CatalogueError("A rate per 10,000 children is shown for the whole authority only", field="lowest_scope")
    with transaction.atomic():
        if Indicator.objects.filter(code__iexact=d.code).exists():
            raise CatalogueError("An indicator with this code exists: choose another code", field="code")
        last = Indicator.objects.aggregate(last=Max("position"))["last"] or 0
        indicator = Indicator(
            code=d.code,
            name=d.name.strip(),
            brief=d.brief.strip(),
            sources=[Source.LOCAL.value],
            owner=d.owner.strip(),
            type=d.type,
            unit=d.unit.strip(),
            numerator=d.numerator.strip(),
            denominator=d.denominator.strip(),
            period_rule=d.period_rule.strip(),
            baskets=list(d.baskets),
            demand_measure=d.demand_measure,
            target_allowed=d.target_allowed,
            target=d.target,
            direction=d.direction if d.target_allowed else "",
            lowest_scope=d.lowest_scope,
            local=True,
            example_content=False,
            position=min(last + 10, 32767),
        )
        indicator._history_user = actor
        indicator.save()
    return indicator


# --- population -------------------------------------------------------------------------------------------
def population_save(*, year: int, aged_0_to_17: int, source: str, actor: User) -> tuple[Population, bool]:
    """Enter or change one year's population. Returns the row and whether anything changed."""
    source = source.strip()
    with transaction.atomic():
        row = Population.objects.select_for_update().filter(year=year).first()
        if row is None:
            row = Population(year=year, aged_0_to_17=aged_0_to_17, source=source, updated_by=actor)
            row._history_user = actor
            row.save()
            return row, True
        if (row.aged_0_to_17, row.source) == (aged_0_to_17, source):
            return row, False
        row.aged_0_to_17, row.source, row.updated_by = aged_0_to_17, source, actor
        row._history_user = actor
        row.save(update_fields=["aged_0_to_17", "source", "updated_by"])
    return row, True


@dataclass(frozen=True)
class PopulationImport:
    added: int
    changed: int
    unchanged: int


def _whole_number(value: str, *, low: int, high: int, what: str) -> tuple[int | None, str | None]:
    try:
        number = int(value.replace(",", ""))
    except ValueError:
        return None, f"{value!r} is not a whole number" if value else f"enter the {what}"
    if not low <= number <= high:
        return None, f"{number} is not a {what} between {low:,} and {high:,}"
    return number, None


def population_rows_read(text: str) -> list[tuple[int, int, str]]:
    """The (year, population, source) rows of a population CSV, or PopulationImportError with
    every problem by row and column."""
    parsed = read_csv(text, required=POPULATION_COLUMNS, optional=POPULATION_OPTIONAL, text_columns=("source",))
    problems = list(parsed.problems)
    rows: list[tuple[int, int, str]] = []
    first_row_of: dict[int, int] = {}
    for number, row in parsed.rows:
        year, problem = _whole_number(row.get("year", ""), low=FIRST_YEAR, high=LAST_YEAR, what="year")
        if problem:
            problems.append(Problem(number, "year", problem))
        elif year in first_row_of:
            problems.append(Problem(number, "year", f"{year} is also on row {first_row_of[year]}"))
        else:
            first_row_of[year] = number
        count, problem = _whole_number(
            row.get("aged_0_to_17", ""), low=1, high=MOST_CHILDREN, what="number of children aged 0–17"
        )
        if problem:
            problems.append(Problem(number, "aged_0_to_17", problem))
        source = row.get("source", "")
        if len(source) > Population._meta.get_field("source").max_length:
            problems.append(Problem(number, "source", "is longer than 150 characters"))
        if year is not None and count is not None:
            rows.append((year, count, source))
    if not problems and not rows:
        problems.append(Problem(2, "(row)", "the file has no rows after the header"))
    if problems:
        raise PopulationImportError(sorted(problems))
    return rows


def population_import(*, text: str, actor: User) -> PopulationImport:
    """Import ``year,aged_0_to_17[,source]`` rows: new years added, changed years replaced,
    the same values left alone. A file with any problem writes nothing."""
    rows = population_rows_read(text)
    with transaction.atomic():
        held = {p.year: p for p in Population.objects.select_for_update().filter(year__in=[r[0] for r in rows])}
        new, changed = [], []
        for year, count, source in rows:
            row = held.get(year)
            if row is None:
                new.append(Population(year=year, aged_0_to_17=count, source=source, updated_by=actor))
            elif (row.aged_0_to_17, row.source) != (count, source):
                row.aged_0_to_17, row.source, row.updated_by = count, source, actor
                changed.append(row)
        if new:
            bulk_create_with_history(new, Population, default_user=actor)
        if changed:
            bulk_update_with_history(changed, Population, ["aged_0_to_17", "source", "updated_by"], default_user=actor)
    return PopulationImport(added=len(new), changed=len(changed), unchanged=len(rows) - len(new) - len(changed))


def register() -> None:
    """Hooks, loaders, jobs and sweeps of this part (none: the loader is in framework_loaders)."""
