"""The length estimate (clinics.length): words per box, sides of A4, the three-side warning.

Pure functions over a report context and a narrative: no database.
"""

from __future__ import annotations

from typing import Any

from clinics.length import MAX_SIDES, WORDS_PER_SIDE, count_words, estimate


def context(*, tables: int = 0, rows: int = 20, charts: int = 0) -> dict[str, Any]:
    blocks: list[dict[str, Any]] = [{"type": "paragraph", "text": "A short introduction to the figures."}]
    for n in range(tables):
        blocks.append(
            {
                "type": "table",
                "caption": f"Table {n}",
                "columns": [{"label": "Month", "numeric": False}, {"label": "Number", "numeric": True}],
                "rows": [[f"Month {i}", i] for i in range(rows)],
                "data": True,
            }
        )
    for n in range(charts):
        blocks.append(
            {
                "type": "chart",
                "title": f"Chart {n}",
                "unit": "",
                "y_label": "Number",
                "series": [{"label": "Team", "points": [[f"2026-{m:02d}", m] for m in range(1, 13)]}],
                "target": None,
                "alt": "A line chart",
            }
        )
    return {
        "kind": "team-clinic",
        "sections": [
            {"key": "performance", "heading": "Performance", "blocks": blocks},
            {"key": "summary", "heading": "Summary", "blocks": []},
        ],
    }


def words(n: int) -> str:
    return " ".join(["strength"] * n)


def test_words_are_counted_per_box_and_in_total():
    length = estimate(
        context=context(),
        narrative={"working_well": "Visits are  purposeful\nand warm.", "next_steps": words(10)},
        tables_in_appendix=False,
    )
    assert length.words_per_box["working_well"] == 5
    assert length.words_per_box["next_steps"] == 10
    # Every box of the kind is listed, written or not.
    assert length.words_per_box["voice"] == 0
    assert length.total_words == 15
    assert count_words("  ") == 0


def test_a_short_report_is_one_side_and_not_over():
    length = estimate(context=context(), narrative={"working_well": words(100)}, tables_in_appendix=False)
    assert length.sides == 1
    assert not length.over


def test_long_narrative_goes_over_three_sides():
    # Three full sides of prose alone is over, whatever the figures.
    narrative = {"working_well": words(WORDS_PER_SIDE * MAX_SIDES)}
    length = estimate(context=context(), narrative=narrative, tables_in_appendix=False)
    assert length.sides == MAX_SIDES + 1
    assert length.over
    assert length.as_json()["over"] is True
    assert length.as_json()["total_words"] == WORDS_PER_SIDE * MAX_SIDES


def test_tables_add_to_the_body_and_moving_them_to_the_appendix_reduces_it():
    narrative = {"working_well": words(900)}
    ctx = context(tables=4, rows=30, charts=2)
    in_body = estimate(context=ctx, narrative=narrative, tables_in_appendix=False)
    moved = estimate(context=ctx, narrative=narrative, tables_in_appendix=True)
    assert in_body.over
    assert moved.body_sides < in_body.body_sides
    assert not moved.over
    assert moved.appendix_sides > 0
    assert in_body.appendix_sides == 0
    # The narrative is the same either way.
    assert moved.total_words == in_body.total_words == 900


def test_a_chart_stays_in_the_body_when_its_table_moves():
    ctx = context(charts=1)
    moved = estimate(context=ctx, narrative={}, tables_in_appendix=True)
    without_chart = estimate(context=context(), narrative={}, tables_in_appendix=True)
    assert moved.body_sides > without_chart.body_sides
    assert moved.appendix_sides > 0
