"""BI's figures of record and benchmarks CSV: every kind of problem refuses the whole file and
writes nothing; a clean file adds and replaces values (the service behind the page and the command).

Problems are checked by the exact ``row N, column NAME: problem`` line a person reads (the header
is row 1).
"""

from __future__ import annotations

import csv
import datetime
import io
from decimal import Decimal

import pytest

from core import hooks
from core.csvio import write_csv
from core.models import ImportBatch
from performance.models import Benchmark, FigureOfRecord, Indicator, IndicatorType
from performance.services.figures import (
    BENCHMARK_COLUMNS,
    FIGURE_COLUMNS,
    FIGURES_IMPORTED_HOOK,
    FiguresRefused,
    figures_check,
    figures_import,
)

TODAY = datetime.date(2025, 6, 15)
HistoricalFigure = FigureOfRecord.history.model

# code: (type, lowest scope)
CATALOGUE = {
    "referrals": (IndicatorType.FLOW, "team"),
    "children_looked_after": (IndicatorType.STOCK, "team"),
    "assessments_in_45_days_pct": (IndicatorType.PERCENTAGE, "team"),
    "assessments_rate": (IndicatorType.RATE, "authority"),
    "practitioner_turnover_pct": (IndicatorType.PERCENTAGE, "area"),
    "sickness_days_per_fte": (IndicatorType.RATE, "area"),
    "placement_cost_avoidance": (IndicatorType.MONEY, "authority"),
    "staff_survey_outcomes": (IndicatorType.NARRATIVE, "area"),
}


def make_catalogue() -> dict[str, Indicator]:
    """The few catalogue rows these tests need, as the catalogue file would load them."""
    made = {}
    for position, (code, (kind, lowest)) in enumerate(CATALOGUE.items()):
        made[code] = Indicator.objects.create(
            code=code,
            name=code.replace("_", " ").capitalize(),
            brief="What the data may be showing.",
            type=kind,
            lowest_scope=lowest,
            position=position,
        )
    return made


@pytest.fixture
def catalogue(world) -> dict[str, Indicator]:
    return make_catalogue()


def figure(**cells: str) -> dict[str, str]:
    """A line of the figures layout (referrals for the authority, May 2025), with overrides."""
    row = {
        "indicator": "referrals",
        "period_start": "2025-05-01",
        "period_end": "2025-05-31",
        "scope": "authority",
        "value": "312",
        "numerator": "",
        "denominator": "",
    }
    row.update(cells)
    return row


def benchmark(**cells: str) -> dict[str, str]:
    row = {
        "indicator": "assessments_in_45_days_pct",
        "period_start": "2024-04-01",
        "period_end": "2025-03-31",
        "comparator": "england",
        "value": "82.1",
    }
    row.update(cells)
    return row


def csv_text(rows: list[dict[str, str]], columns: tuple[str, ...] | None = None) -> str:
    columns = columns or (FIGURE_COLUMNS if "scope" in rows[0] else BENCHMARK_COLUMNS)
    out = io.StringIO()
    # csv.writer, not write_csv: a test file must be able to carry a formula cell.
    writer = csv.writer(out)
    writer.writerow(columns)
    for row in rows:
        writer.writerow([row.get(c, "") for c in columns])
    return out.getvalue()


def problems_of(text: str) -> list[str]:
    check = figures_check(text=text, today=TODAY)
    assert not check.ok
    return [str(p) for p in check.problems]


def refused(text: str) -> list[str]:
    """Import ``text``; it must be refused whole with nothing written. Returns the problems."""
    before = (FigureOfRecord.objects.count(), Benchmark.objects.count(), HistoricalFigure.objects.count())
    with pytest.raises(FiguresRefused) as caught:
        figures_import(text=text, actor=None, today=TODAY)
    after = (FigureOfRecord.objects.count(), Benchmark.objects.count(), HistoricalFigure.objects.count())
    assert after == before, "a refused file wrote something"
    return [str(p) for p in caught.value.check.problems]


# --- a clean file ----------------------------------------------------------------------------------------
def test_a_clean_file_adds_every_value_with_its_scope(catalogue, world):
    text = csv_text(
        [
            figure(),
            figure(scope="a1", value="40"),
            figure(scope="area-a", value="95"),
            figure(indicator="assessments_in_45_days_pct", value="86.4", numerator="242", denominator="280"),
        ]
    )

    check = figures_import(text=text, actor=world.people["bi_officer"], today=TODAY)

    assert (check.kind, check.new, check.replaced, check.unchanged) == (ImportBatch.Kind.INDICATORS, 4, 0, 0)
    held = {f.scope_key: f for f in FigureOfRecord.objects.filter(indicator=catalogue["referrals"])}
    assert set(held) == {"authority", "team:a1", "area:area-a"}
    assert (held["team:a1"].team, held["team:a1"].value) == (world.team_a1, Decimal("40"))
    assert (held["area:area-a"].service_area, held["area:area-a"].team) == (world.area_a, None)
    assert held["authority"].period_start == datetime.date(2025, 5, 1)
    pct = FigureOfRecord.objects.get(indicator=catalogue["assessments_in_45_days_pct"])
    assert (pct.value, pct.numerator, pct.denominator) == (Decimal("86.4"), Decimal("242"), Decimal("280"))
    # Audited: one history row per value, by the person who imported it.
    assert HistoricalFigure.objects.filter(history_type="+", history_user=world.people["bi_officer"]).count() == 4


def test_reimport_replaces_the_value_for_the_same_indicator_period_and_scope(catalogue, world):
    figures_import(text=csv_text([figure(), figure(scope="a1", value="40")]), actor=None, today=TODAY)
    bi = world.people["bi_officer"]

    check = figures_import(
        text=csv_text(
            [
                figure(value="320"),
                figure(scope="a1", value="40"),
                figure(period_start="2025-04-01", period_end="2025-04-30"),
            ]
        ),
        actor=bi,
        today=TODAY,
    )

    assert (check.new, check.replaced, check.unchanged) == (1, 1, 1)
    authority = FigureOfRecord.objects.filter(scope_key="authority", period_start=datetime.date(2025, 5, 1)).get()
    assert authority.value == Decimal("320")
    assert FigureOfRecord.objects.count() == 3
    # The old value is kept in history; the unchanged one got no history row.
    assert list(authority.history.order_by("history_date").values_list("value", flat=True)) == [
        Decimal("312"),
        Decimal("320"),
    ]
    assert authority.history.latest().history_user == bi
    team = FigureOfRecord.objects.get(scope_key="team:a1")
    assert team.history.count() == 1


def test_importing_the_same_file_twice_changes_nothing(catalogue, world):
    text = csv_text([figure(), figure(scope="b1", value="12")])
    figures_import(text=text, actor=None, today=TODAY)
    history = HistoricalFigure.objects.count()

    check = figures_import(text=text, actor=None, today=TODAY)

    assert (check.new, check.replaced, check.unchanged) == (0, 0, 2)
    assert HistoricalFigure.objects.count() == history


def test_signals_are_told_which_series_changed(catalogue, world, monkeypatch):
    calls = []
    monkeypatch.setattr(hooks, "_registry", {FIGURES_IMPORTED_HOOK: [lambda **kw: calls.append(kw)]})
    figures_import(text=csv_text([figure(), figure(scope="a1", value="40")]), actor=None, today=TODAY)
    assert calls == [
        {"indicator_ids": [catalogue["referrals"].pk], "scope_keys": ["authority", "team:a1"], "actor": None}
    ]

    # Nothing changed: nothing to recompute.
    figures_import(text=csv_text([figure()]), actor=None, today=TODAY)
    assert len(calls) == 1


def test_numbers_are_read_as_bi_tools_write_them(catalogue, world):
    text = csv_text(
        [
            figure(value="1,204"),
            figure(indicator="assessments_in_45_days_pct", value="86.4%", numerator="242", denominator="280"),
            figure(indicator="placement_cost_avoidance", value="£120,500.555"),
            figure(indicator="staff_survey_outcomes", scope="area-a", value=""),
            figure(period_start="01/04/2025", period_end="30/04/2025", value="298"),
        ]
    )
    figures_import(text=text, actor=None, today=TODAY)
    values = {
        (f.indicator.code, f.period_start.month): f.value for f in FigureOfRecord.objects.select_related("indicator")
    }
    assert values == {
        ("referrals", 5): Decimal("1204"),
        ("referrals", 4): Decimal("298"),
        ("assessments_in_45_days_pct", 5): Decimal("86.4"),
        ("placement_cost_avoidance", 5): Decimal("120500.56"),
        ("staff_survey_outcomes", 5): None,
    }


def test_a_percentage_without_its_denominator_is_a_warning_only(catalogue, world):
    check = figures_import(
        text=csv_text([figure(indicator="assessments_in_45_days_pct", value="86.4")]), actor=None, today=TODAY
    )
    assert check.new == 1
    assert [str(w) for w in check.warnings] == [
        "row 2, column denominator: is blank: the basket cannot show this percentage's n"
    ]


# --- every kind of problem refuses the whole file --------------------------------------------------------
ERRORS = {
    "unknown indicator": (
        figure(indicator="referals"),
        "row 3, column indicator: 'referals' is not an indicator code in the catalogue",
    ),
    "missing indicator": (figure(indicator=""), "row 3, column indicator: is missing"),
    "unknown scope": (
        figure(scope="zz9"),
        "row 3, column scope: 'zz9' is not authority, a service-area code or a team code",
    ),
    "rate for a team": (
        figure(indicator="assessments_rate", scope="a1", value="4.2"),
        "row 3, column scope: 'a1' is a team: assessments_rate is held for the whole authority only",
    ),
    "rate for a service area": (
        figure(indicator="assessments_rate", scope="area-a", value="4.2"),
        "row 3, column scope: 'area-a' is a service area: assessments_rate is held for the whole authority only",
    ),
    "workforce rate for a team": (
        figure(indicator="sickness_days_per_fte", scope="a1", value="0.9"),
        "row 3, column scope: 'a1' is a team: sickness_days_per_fte is held for service areas and the whole "
        "authority only",
    ),
    "bad number": (figure(value="about 300"), "row 3, column value: 'about 300' is not a number"),
    "not a number at all": (figure(value="NaN"), "row 3, column value: 'NaN' is not a number"),
    "bad denominator": (
        figure(indicator="assessments_in_45_days_pct", value="80", numerator="8", denominator="ten"),
        "row 3, column denominator: 'ten' is not a number",
    ),
    "missing value": (figure(value=""), "row 3, column value: is missing"),
    "money without a value": (
        figure(indicator="placement_cost_avoidance", value=""),
        "row 3, column value: is missing",
    ),
    "bad date": (
        figure(period_start="2025-13-01"),
        "row 3, column period_start: '2025-13-01' is not a real date",
    ),
    "date in no known form": (
        figure(period_end="May 2025"),
        "row 3, column period_end: 'May 2025' is not a date in the form YYYY-MM-DD or DD/MM/YYYY",
    ),
    "period in the future": (
        figure(period_start="2025-07-01", period_end="2025-07-31"),
        "row 3, column period_start: 01/07/2025 is in the future",
    ),
    "end before start": (
        figure(period_start="2025-05-01", period_end="2025-04-30"),
        "row 3, column period_end: 30/04/2025 is before the period starts (01/05/2025)",
    ),
    "percentage over 100": (
        figure(indicator="assessments_in_45_days_pct", value="100.5", numerator="200", denominator="200"),
        "row 3, column value: 100.5 is over 100, but assessments_in_45_days_pct is a percentage",
    ),
    "negative count": (
        figure(value="-3"),
        "row 3, column value: -3 is negative: referrals cannot be below 0",
    ),
    "negative stock": (
        figure(indicator="children_looked_after", value="-1"),
        "row 3, column value: -1 is negative: children_looked_after cannot be below 0",
    ),
    "negative numerator": (
        figure(indicator="assessments_in_45_days_pct", value="0", numerator="-2", denominator="10"),
        "row 3, column numerator: -2 is negative: a count cannot be below 0",
    ),
    "negative denominator": (
        figure(value="3", denominator="-10"),
        "row 3, column denominator: -10 is negative: a count cannot be below 0",
    ),
    "numerator over denominator": (
        figure(indicator="assessments_in_45_days_pct", value="90", numerator="30", denominator="20"),
        "row 3, column numerator: 30 is more than the denominator (20)",
    ),
    "duplicate line": (
        figure(value="313"),
        "row 3, column (row): repeats row 2 (the same indicator, period and scope)",
    ),
    "formula in the indicator": (
        figure(indicator='=HYPERLINK("x")'),
        "row 3, column indicator: starts with '=': formulas are not accepted; remove it",
    ),
    "formula in the scope after a space": (
        figure(scope=" @SUM(A1)"),
        "row 3, column scope: starts with '@': formulas are not accepted; remove it",
    ),
}


@pytest.mark.parametrize("kind", sorted(ERRORS))
def test_every_problem_refuses_the_whole_file_and_writes_nothing(catalogue, world, kind):
    line, expected = ERRORS[kind]
    # A good line first: it is not written either.
    text = csv_text([figure(), line])
    assert refused(text) == [expected]
    assert not FigureOfRecord.objects.exists()


def test_every_problem_is_listed_in_row_order(catalogue, world):
    text = csv_text(
        [
            figure(indicator="nope", value="x"),
            figure(),
            figure(scope="zz9", period_end="2025-02-30"),
        ]
    )
    assert refused(text) == [
        "row 2, column indicator: 'nope' is not an indicator code in the catalogue",
        "row 2, column value: 'x' is not a number",
        "row 4, column period_end: '2025-02-30' is not a real date",
        "row 4, column scope: 'zz9' is not authority, a service-area code or a team code",
    ]


def test_a_refused_reimport_leaves_the_values_held_alone(catalogue, world):
    figures_import(text=csv_text([figure()]), actor=None, today=TODAY)
    refused(csv_text([figure(value="500"), figure(scope="zz9")]))
    assert FigureOfRecord.objects.get().value == Decimal("312")


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("", ["row 1, column (header): the file is empty"]),
        (
            "indicator,period_start,period_end,value\nreferrals,2025-05-01,2025-05-31,3\n",
            [
                "row 1, column (header): must be the figures layout (indicator, period_start, period_end, scope, "
                "value, numerator, denominator) or the benchmarks layout (indicator, period_start, period_end, "
                "comparator, value)"
            ],
        ),
        (
            "indicator,period_start,scope,value\nreferrals,2025-05-01,authority,3\n",
            ["row 1, column period_end: required column is missing"],
        ),
        (
            ",".join(FIGURE_COLUMNS) + ",notes\nreferrals,2025-05-01,2025-05-31,authority,3,,,hello\n",
            ["row 1, column notes: unknown column: remove it or correct its name"],
        ),
        (
            ",".join(BENCHMARK_COLUMNS) + ",scope\n",
            ["row 1, column (header): has both scope and comparator: keep figures and benchmarks apart"],
        ),
        (",".join(FIGURE_COLUMNS) + "\n", ["row 2, column (row): the file has no rows of values"]),
    ],
    ids=["empty", "neither layout", "missing columns", "unknown column", "both layouts", "header only"],
)
def test_a_file_whose_header_is_wrong_is_refused(catalogue, world, text, expected):
    assert refused(text) == expected


# --- benchmarks ------------------------------------------------------------------------------------------
def test_benchmarks_are_told_apart_by_their_header_and_replaced_on_reimport(catalogue, world):
    text = csv_text(
        [
            benchmark(),
            benchmark(comparator="Statistical neighbours", value="84.5"),
            benchmark(indicator="assessments_rate", comparator="region", value="41.2"),
        ]
    )
    check = figures_import(text=text, actor=None, today=TODAY)
    assert (check.kind, check.new) == (ImportBatch.Kind.BENCHMARKS, 3)
    assert not FigureOfRecord.objects.exists()
    held = {(b.indicator.code, b.comparator): b.value for b in Benchmark.objects.select_related("indicator")}
    assert held == {
        ("assessments_in_45_days_pct", "england"): Decimal("82.1"),
        ("assessments_in_45_days_pct", "statistical_neighbours"): Decimal("84.5"),
        ("assessments_rate", "region"): Decimal("41.2"),
    }

    check = figures_import(text=csv_text([benchmark(value="83.0")]), actor=None, today=TODAY)
    assert (check.new, check.replaced) == (0, 1)
    assert Benchmark.objects.get(comparator="england").value == Decimal("83.0")
    assert Benchmark.objects.count() == 3


@pytest.mark.parametrize(
    ("line", "expected"),
    [
        (
            benchmark(comparator="wales"),
            "row 3, column comparator: 'wales' is not one of statistical_neighbours, england, region",
        ),
        (benchmark(comparator=""), "row 3, column comparator: is missing"),
        (
            benchmark(value="101"),
            "row 3, column value: 101 is over 100, but assessments_in_45_days_pct is a percentage",
        ),
        (benchmark(indicator="staff_survey_outcomes", value=""), "row 3, column value: is missing"),
        (benchmark(value="82.5"), "row 3, column (row): repeats row 2 (the same indicator, period and comparator)"),
        (
            benchmark(comparator="-england"),
            "row 3, column comparator: starts with '-': formulas are not accepted; remove it",
        ),
    ],
    ids=["unknown comparator", "missing comparator", "over 100", "no value", "duplicate", "formula"],
)
def test_every_benchmark_problem_refuses_the_whole_file(catalogue, world, line, expected):
    assert refused(csv_text([benchmark(), line])) == [expected]
    assert not Benchmark.objects.exists()


def test_the_check_writes_nothing_and_counts_what_would_change(catalogue, world):
    figures_import(text=csv_text([figure()]), actor=None, today=TODAY)
    check = figures_check(text=csv_text([figure(value="1"), figure(scope="a1")]), today=TODAY)
    assert check.ok
    assert (check.rows, check.new, check.replaced, check.unchanged) == (2, 1, 1, 0)
    assert [(c.code, c.new, c.replaced) for c in check.changes.values()] == [("referrals", 1, 1)]
    assert FigureOfRecord.objects.get().value == Decimal("312")


def test_the_template_files_written_by_write_csv_import_clean(catalogue, world):
    # The downloadable templates' example rows are real codes and import clean.
    from performance.services.figures import template_rows

    for kind in ImportBatch.Kind.INDICATORS, ImportBatch.Kind.BENCHMARKS:
        header, rows = template_rows(kind, today=TODAY)
        out = io.StringIO()
        write_csv(out, header, rows)
        check = figures_check(text=out.getvalue(), today=TODAY)
        assert check.ok, check.problems
        assert (check.kind, check.new) == (kind, 2)
