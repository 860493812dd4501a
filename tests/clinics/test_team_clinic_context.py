"""The team manager's clinic report context (Appendix 5): every figure against a fixture counted by
hand (``tests/clinics/report_fixtures.py``, copy 0), the plain "missing" notes, what must never be
in it, and a query count that does not grow with the data.

Team A1 is reported on for October 2026 with the clock at 20 November 2026, so "overdue" is judged
on 31 October. Team B1's rows, a cancelled audit's rows and rows outside the windows are in the
database and must not be counted.
"""

from __future__ import annotations

import datetime
import json

import pytest
import time_machine
from django.db import connection
from django.test.utils import CaptureQueriesContext

from clinics.report_context import team_clinic_context
from core.charts import line_chart

from .report_fixtures import CASE_PREFIX, INITIALS, NOW, PERIOD, add_clinic_rows, clinic_setup

pytestmark = pytest.mark.django_db

# The 12 months of the trend and grade tables: November 2025 to October 2026.
MONTHS = [f"2025-{m:02d}" for m in (11, 12)] + [f"2026-{m:02d}" for m in range(1, 11)]
MONTH_LABELS = ["November 2025", "December 2025"] + [
    f"{name} 2026"
    for name in (
        "January",
        "February",
        "March",
        "April",
        "May",
        "June",
        "July",
        "August",
        "September",
        "October",
    )
]


@pytest.fixture
def frozen():
    with time_machine.travel(NOW, tick=False):
        yield NOW


@pytest.fixture
def clinic(world, frozen):
    setup = clinic_setup(world)
    made = add_clinic_rows(world, setup)
    return world, setup, made


@pytest.fixture
def context(clinic):
    world, _setup, _made = clinic
    return team_clinic_context(world.team_a1, PERIOD)


def section(context: dict, key: str) -> dict:
    return next(s for s in context["sections"] if s["key"] == key)


def blocks(context: dict, key: str, kind: str) -> list[dict]:
    return [b for b in section(context, key)["blocks"] if b["type"] == kind]


def table(context: dict, key: str, caption_start: str) -> dict:
    return next(b for b in blocks(context, key, "table") if b["caption"].startswith(caption_start))


def points(chart: dict, label: str) -> dict[str, object]:
    series = next(s for s in chart["series"] if s["label"] == label)
    return {month: value for month, value in series["points"] if value is not None}


def test_header_and_section_order(context, world):
    assert context["kind"] == "team-clinic"
    assert context["title"] == "Team manager's practice and performance clinic highlight report"
    assert context["scope_key"] == "team:a1"
    assert context["scope_label"] == f"{world.team_a1.name} ({world.area_a.name})"
    assert context["period"] == "2026-10"
    assert context["period_label"] == "October 2026"
    assert context["generated_on"] == "2026-11-20"
    assert [s["key"] for s in context["sections"]] == [
        "performance",
        "quality",
        "learning",
        "voice",
        "workforce",
        "actions",
        "summary",
    ]
    assert section(context, "summary")["blocks"] == [{"type": "paragraph", "text": "The author's summary."}]


def test_count_tables_may_move_to_the_appendix_themes_and_actions_stay(context):
    # About three sides of A4: the author may move the data tables; what is discussed stays.
    staying = {
        b["caption"].split(":")[0].split(",")[0]
        for s in context["sections"]
        for b in s["blocks"]
        if b["type"] == "table" and not b["data"]
    }
    assert staying == {
        "Strengths",
        "Areas to develop",
        "Actions carried forward from earlier clinics",
        "New actions from the clinic in October 2026",
    }


def test_context_is_plain_json(context):
    # Finalising freezes it with json: a Decimal, a date or a tuple would not survive unchanged.
    assert json.loads(json.dumps(context)) == context


def test_performance_basket_table_with_benchmarks_and_direction(context, world):
    perf = section(context, "performance")
    assert not blocks(context, "performance", "missing")
    tables = blocks(context, "performance", "table")
    # Only the front door basket has figures; the team basket's measure is already in it.
    assert [t["caption"] for t in tables] == [f"Front door: {world.team_a1.name}, figures of record"]
    front = tables[0]
    assert [c["label"] for c in front["columns"]] == [
        "Measure",
        "October 2026",
        "September 2026",
        "October 2025",
        "n",
        "Statistical neighbours",
        "England",
        "Which is better",
    ]
    assert front["rows"] == [
        # A demand measure: no good/bad reading; the quarter ending in October does not replace
        # the month's own 12; B1's 99 is not this team's.
        ["Referrals", 12, 15, None, None, None, None, None],
        # September's value is worked out from its n (6 of 8); the newest benchmark of each
        # comparator (82.5, not 81); the region's is not asked for.
        ["Assessments in 45 days (%)", 80, 75, 70, 10, 82.5, 78, "Higher is better"],
    ]
    # Rates per 10,000 are authority only; the authority's 55 is not the team's.
    text = json.dumps(perf)
    assert "Assessments rate" not in text
    assert "321" not in text
    assert "55" not in text


def test_performance_charts(context, world):
    charts = blocks(context, "performance", "chart")
    assert [c["title"] for c in charts] == [
        f"Referrals, {world.team_a1.name}",
        f"Assessments in 45 days, {world.team_a1.name}",
    ]
    referrals, in_45 = charts
    assert [p[0] for p in in_45["series"][0]["points"]] == MONTHS
    assert points(in_45, "Figure of record") == {"2026-08": 90, "2026-09": 75, "2026-10": 80}
    assert points(in_45, "App estimate") == {"2026-10": 77}
    assert (in_45["unit"], in_45["y_label"], in_45["target"]) == ("%", "Per cent", 85)
    # The alternative text is the one the renderer's drawing of these very points carries.
    drawn = line_chart(
        [
            (s["label"], [(datetime.date(*map(int, m.split("-")), 1), v) for m, v in s["points"]])
            for s in in_45["series"]
        ],
        title=in_45["title"],
        y_label=in_45["y_label"],
        target=in_45["target"],
        unit=in_45["unit"],
    )
    assert in_45["alt"] == drawn.alt
    assert in_45["alt"].startswith(f"Line chart of Assessments in 45 days, {world.team_a1.name}, November 2025 to")
    # A demand measure takes no target; its axis is labelled with its unit, as on the basket page.
    assert [s["label"] for s in referrals["series"]] == ["Figure of record"]
    assert points(referrals, "Figure of record") == {"2026-09": 15, "2026-10": 12}
    assert (referrals["unit"], referrals["y_label"], referrals["target"]) == ("", "Referrals", None)


def test_workforce_counts_only_never_rates(context, world):
    workforce = section(context, "workforce")
    (tbl,) = blocks(context, "workforce", "table")
    assert tbl["rows"] == [["Vacancies (posts)", 1.5, 2, None, None, None, None, None]]
    # Turnover is a rate shown for service areas only (its 12.5 was loaded for the team all the same).
    assert "Turnover" not in json.dumps(tbl)
    assert "12.5" not in json.dumps(workforce)
    assert not blocks(context, "workforce", "missing")


def test_quality_audits_of_the_month(context, world):
    tbl = table(context, "quality", f"Audits of {world.team_a1.name}")
    # a1 closed, a2 and a3 submitted, a4 in progress (a5 cancelled; B1's two not counted).
    assert tbl["rows"] == [
        ["Allocated (not cancelled)", 4],
        ["Completed", 3],
        ["Outstanding", 1],
        ["Cancelled", 1],
    ]


def test_quality_grades_after_moderation_per_month(context, world):
    tbl = table(context, "quality", "Audit grades after moderation")
    assert [c["label"] for c in tbl["columns"]] == [
        "Month",
        "Outstanding",
        "Good",
        "Requires improvement to be good",
        "Inadequate",
        "Total",
    ]
    assert [row[0] for row in tbl["rows"]] == MONTH_LABELS
    by_month = {row[0]: row[1:] for row in tbl["rows"]}
    # a8 (November 2025) inadequate; a6 good and a7 requires improvement (September); in October
    # a2 outstanding, a3 inadequate and a1 good — its moderated grade, not the auditor's.
    assert by_month["November 2025"] == [0, 0, 0, 1, 1]
    assert by_month["September 2026"] == [0, 1, 1, 0, 2]
    assert by_month["October 2026"] == [1, 1, 0, 1, 3]
    quiet = [m for m in MONTH_LABELS if m not in ("November 2025", "September 2026", "October 2026")]
    assert all(by_month[m] == [0, 0, 0, 0, 0] for m in quiet)
    assert sum(row[-1] for row in tbl["rows"]) == 6  # a9 (October 2025) is before the 12 months
    paragraphs = [b["text"] for b in blocks(context, "quality", "paragraph")]
    assert any(
        t.startswith("6 audits graded in the 12 months; 2 moderated, 1 with the grade changed") for t in paragraphs
    )
    (chart,) = blocks(context, "quality", "chart")
    assert points(chart, "Good or better") == {"2025-11": 0, "2026-09": 50, "2026-10": 66.7}
    assert chart["unit"] == "%"
    assert chart["target"] is None


def test_quality_children_of_concern_reviews_and_actions(context, world):
    concerns = table(context, "quality", "Children of concern")
    assert concerns["rows"] == [
        # a3's episode (opened 12 October) and a6's (ended only on 5 November); a8's closed in February.
        ["On the register at the end of October 2026", 2],
        ["Placed on the register in the month", 1],
        # Due in October: the done review (20th) and the allocated one (28th); the cancelled one
        # is not counted; the allocated one is overdue on 31 October.
        ["6-week reviews due in the month", 2],
        ["6-week reviews done in the month", 1],
        ["6-week reviews overdue at the end of the month", 1],
    ]
    actions = table(context, "quality", "Audit actions")
    assert actions["rows"] == [
        # Due 10, 20 and 31 October (the last "not done"); the cancelled audit's is left out.
        ["Due in the month", 3],
        ["Done in the month", 1],
        # Open since 20 October; due in September and done only on 2 November.
        ["Overdue at the end of the month", 2],
    ]


def test_learning_dip_samples_observations_shared_learning_and_themes(context, world):
    paragraphs = [b["text"] for b in blocks(context, "learning", "paragraph")]
    assert (
        "Dip samples for October 2026 on the theme “Voice of the child in plans”: 1 of 1 done by the team's managers."
        in paragraphs
    )
    assert table(context, "learning", "Dip-sample results")["rows"] == [
        ["Met", 2],
        ["Partly met", 1],
        ["Not met", 1],
        ["Not yet looked at", 1],
    ]
    # Completed in October: a home visit and a supervision (the draft and B1's are not counted).
    assert table(context, "learning", "Practice observations completed")["rows"] == [
        ["Home visit", 1],
        ["Supervision", 1],
    ]
    (shared,) = blocks(context, "learning", "list")
    assert shared["items"] == [
        "Office visit: SHAREDLEARN-2 Ask the child first.",
        "Home visit: SHAREDLEARN-1 Plan the visit around the child's school day.",
    ]
    assert table(context, "learning", "Strengths")["rows"] == [
        ["A1 Reasons for involvement and proportionality", "Audit element", 2],
        ["Voice of the child", "Theme", 1],
    ]
    assert table(context, "learning", "Areas to develop")["rows"] == [
        ["A2 Consent", "Audit element", 1],
        ["Planning", "Theme", 1],
    ]
    assert not blocks(context, "learning", "missing")


def test_voice_outcomes_views_and_shared_quotes_only(context, world):
    assert table(context, "voice", "Questionnaire outcomes")["rows"] == [
        # a1 and a6 completed, a2 declined, a7 no reply, a4 not yet (a5 cancelled, a8 too early).
        ["Completed", 2],
        ["Declined", 1],
        ["No reply", 1],
        ["Not appropriate", 0],
        ["Not yet recorded", 1],
    ]
    views = table(context, "voice", "The family's view of progress")
    assert [c["label"] for c in views["columns"]] == ["Things are", "Child or young person", "Parent or carer", "Total"]
    assert views["rows"] == [
        ["Much better", 0, 1, 1],
        ["Better", 1, 0, 1],
        ["No change", 0, 1, 1],  # counted, though its words were not shared
        ["Worse", 0, 0, 0],  # the draft is not counted
        ["Much worse", 0, 0, 0],
        ["Not given", 0, 0, 0],
        ["Responses", 1, 2, 3],
    ]
    (quotes,) = blocks(context, "voice", "list")
    assert quotes["items"] == [
        "A parent or carer said: “QUOTE-PARENT-NAMED Things are calmer”",
        "A child or young person said: “QUOTE-CHILD-ANON I feel safer at home now”",
    ]


def test_actions_carried_and_new(context, clinic):
    world, _setup, _made = clinic
    carried, new = blocks(context, "actions", "table")
    assert [c["label"] for c in carried["columns"]] == ["What", "Owner", "Due", "Status", "Notes"]
    tm, sm = world.people["team_manager_same"].full_name, world.people["service_manager_same"].full_name
    assert carried["caption"] == "Actions carried forward from earlier clinics"
    assert carried["rows"] == [
        ["CARRIED-DONE audit catch-up", tm, "1 October 2026", "Done", "Done at clinic"],
        ["CARRIED-OPEN timetable supervision", tm, "10 October 2026", "Overdue", None],
    ]
    assert new["caption"] == "New actions from the clinic in October 2026"
    assert new["rows"] == [
        ["NEW-ACTION visits plan", sm, "30 November 2026", "In progress", "Notes for the new action"]
    ]


def test_nothing_that_names_a_child_a_case_or_a_practitioner(context, clinic):
    _world, setup, _made = clinic
    text = json.dumps(context, ensure_ascii=False)
    assert CASE_PREFIX not in text
    assert INITIALS not in text
    for name in setup.hidden_names:
        assert name not in text
    # Not shared, another team's, a cancelled audit's, outside the period: none of it.
    for words in setup.hidden_texts:
        assert words not in text
    # The dip sample's notes, the observer's record and the audit actions' words stay out too
    # (each carries a case reference, checked above): only counts and shared learning go in.


def test_missing_blocks_for_a_team_without_data(clinic, world):
    context = team_clinic_context(world.team_a2, PERIOD)
    missing = {s["key"]: [b["text"] for b in s["blocks"] if b["type"] == "missing"] for s in context["sections"]}
    assert missing["performance"] == ["No figures of record for this team for October 2026 have been loaded."]
    assert missing["quality"] == [
        "No audits of this team were allocated for October 2026.",
        "No audits of this team were graded in November 2025 to October 2026.",
    ]
    assert missing["learning"] == [
        "No dip samples by this team's managers for October 2026.",
        "No practice observations of this team were completed in October 2026.",
        "No learning from observations was shared with the team in August to October 2026.",
        "No graded audit findings for this team in August to October 2026, so no themes yet.",
    ]
    assert missing["voice"] == ["No questionnaires were sought for this team's audits in August to October 2026."]
    assert missing["workforce"] == ["No workforce figures for this team for October 2026 have been loaded."]
    assert missing["actions"] == ["No clinic actions for this team were open or raised in October 2026."]
    # Never a made-up figure: no table, chart or list where there is nothing.
    kinds = {b["type"] for s in context["sections"] if s["key"] not in ("quality",) for b in s["blocks"]}
    assert kinds <= {"missing", "paragraph"}
    assert json.loads(json.dumps(context)) == context


def test_query_count_does_not_grow_with_data(clinic):
    world, setup, _made = clinic
    team = type(world.team_a1).objects.get(pk=world.team_a1.pk)
    with CaptureQueriesContext(connection) as once:
        team_clinic_context(team, PERIOD)
    for copy in range(1, 5):
        add_clinic_rows(world, setup, copy=copy)
    team = type(world.team_a1).objects.get(pk=world.team_a1.pk)
    with CaptureQueriesContext(connection) as five_times:
        bigger = team_clinic_context(team, PERIOD)
    assert len(five_times) == len(once), [q["sql"][:120] for q in five_times.captured_queries]
    assert len(once) < 40
    # The data did grow: five times the audits of the month.
    assert table(bigger, "quality", f"Audits of {world.team_a1.name}")["rows"][0] == ["Allocated (not cancelled)", 20]
    # Still two charts in the performance section, however many measures have figures: the
    # measures with a target (timeliness and compliance) first.
    charts = blocks(bigger, "performance", "chart")
    assert [c["title"].split(",")[0] for c in charts] == ["Assessments in 45 days", "Assessments in 45 days"]
