"""The one chart helper: an SVG as a data URI for an <img> (never inline, which a strict CSP would
break), deterministic, with alternative text that says what the trend shows."""

from __future__ import annotations

import base64
import datetime
from decimal import Decimal

import pytest

from core import charts
from core.charts import Limits, format_value, line_chart

MONTHS = [datetime.date(2024, m, 1) for m in range(1, 13)]


def svg_of(chart: charts.Chart) -> str:
    prefix = "data:image/svg+xml;base64,"
    assert chart.data_uri.startswith(prefix)
    return base64.b64decode(chart.data_uri[len(prefix) :]).decode()


@pytest.fixture(autouse=True)
def _draw_afresh():
    # Charts are kept per process; each test draws its own.
    charts._line_chart.cache_clear()
    yield
    charts._line_chart.cache_clear()


def test_a_chart_is_an_svg_data_uri_without_script():
    chart = line_chart([("Referrals", list(zip(MONTHS, range(10, 22), strict=True)))], title="referrals", y_label="n")
    svg = svg_of(chart)
    assert svg.lstrip().startswith("<?xml")
    assert "<svg" in svg
    assert "<script" not in svg.lower()
    assert "onload" not in svg.lower()
    # Text stays text in the council's fonts (the <img> keeps the SVG's own style inside it).
    assert "Arial" in svg or "Liberation Sans" in svg


def test_the_same_figures_draw_the_same_bytes():
    series = [
        (
            "Figure of record",
            list(
                zip(
                    MONTHS,
                    [
                        Decimal("40.5"),
                        None,
                        *range(30, 40),
                    ],
                    strict=True,
                )
            ),
        )
    ]
    first = line_chart(series, title="timeliness", y_label="Per cent", target=45, unit="%").data_uri
    charts._line_chart.cache_clear()
    second = line_chart(series, title="timeliness", y_label="Per cent", target=45, unit="%").data_uri
    assert first == second
    different = line_chart(series, title="timeliness", y_label="Per cent", target=50, unit="%").data_uri
    assert different != first


def test_a_chart_is_drawn_once_and_then_served_from_memory():
    series = [("Referrals", list(zip(MONTHS, range(12), strict=True)))]
    assert line_chart(series, title="t", y_label="n") is line_chart(list(series), title="t", y_label="n")


def test_the_alt_text_says_first_last_highest_and_lowest():
    values = [12, 15, 30, 9, 14, 14, 20, 18, 17, 16, 13, 11]
    chart = line_chart([("Referrals", list(zip(MONTHS, values, strict=True)))], title="referrals", y_label="n")
    assert chart.alt == (
        "Line chart of referrals, January 2024 to December 2024. Referrals: 12 in January 2024 and 11 in "
        "December 2024; highest 30 in March 2024, lowest 9 in April 2024. The table of figures beside the "
        "chart gives every month."
    )


def test_the_alt_text_covers_each_line_the_target_and_the_limits():
    record = list(zip(MONTHS, [80, 82, 84, 86, 88, 90, 91, 92, 93, 94, 95, 96], strict=True))
    estimate = [(MONTHS[0], None), *list(zip(MONTHS[1:], [81] * 11, strict=True))]
    chart = line_chart(
        [("Figure of record", record), ("App estimate", estimate)],
        title="assessments in 45 working days",
        y_label="Per cent",
        target=Decimal("85"),
        limits=Limits(lower=70, mean=88, upper=Decimal("105.5")),
        unit="%",
        marked=[MONTHS[11]],
    )
    assert "Figure of record: 80% in January 2024 and 96% in December 2024" in chart.alt
    # A gap is skipped: the estimate's first figure is February's.
    assert "App estimate: 81% in February 2024 and 81% in December 2024" in chart.alt
    assert "Target: 85%." in chart.alt
    assert "Process limits 70% to 105.5% around a mean of 88%." in chart.alt
    svg = svg_of(chart)
    for legend in ("Figure of record", "App estimate", "Target", "Process limits", "Mean", "Signal"):
        assert legend in svg


def test_a_chart_with_nothing_to_show_says_so():
    assert line_chart([], title="referrals", y_label="n").alt == "Line chart of referrals: no figures to show."
    chart = line_chart([("Referrals", [(MONTHS[0], None)])], title="referrals", y_label="n")
    assert "Referrals: no figures." in chart.alt


def test_one_point_is_described_as_one_figure():
    chart = line_chart([("Vacancies", [(MONTHS[3], 4)])], title="vacancies", y_label="posts")
    assert "Vacancies: 4 in April 2024 (one figure)." in chart.alt


def test_points_are_put_in_date_order():
    backwards = list(reversed(list(zip(MONTHS, range(1, 13), strict=True))))
    chart = line_chart([("Referrals", backwards)], title="referrals", y_label="n")
    assert "1 in January 2024 and 12 in December 2024" in chart.alt


@pytest.mark.parametrize(
    ("value", "unit", "text"),
    [
        (Decimal("45.50"), "%", "45.5%"),
        (Decimal("125000"), "£", "£125,000"),
        (1204, "", "1,204"),
        (Decimal("3.25"), "days", "3.25 days"),
        (None, "%", "no figure"),
        (-2, "", "-2"),
    ],
)
def test_figures_are_written_as_people_read_them(value, unit, text):
    assert format_value(value, unit) == text
