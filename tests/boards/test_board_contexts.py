"""The service-board, assurance-board and practice-week report contexts against data counted by
hand (``board_fixtures``: the counts are in its docstring): each section's figures, area B kept out
of area A's board, ``missing`` blocks, aggregate only, plain JSON, and a query count that does not
grow with the data."""

from __future__ import annotations

import datetime
import json
from typing import Any

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from boards.report_context import assurance_board_context, practice_week_context, service_board_context
from clinics.report_kinds import KINDS
from clinics.themes import period_themes
from feedback.services.alerts import alert_summary, alert_summary_for_areas
from organisation.scope import scope_for

from .board_fixtures import MARKERS, PERIOD, Base, add_copy, build_base

pytestmark = pytest.mark.django_db


@pytest.fixture
def base(world: Any) -> Base:
    made = build_base(world)
    add_copy(made)
    return made


def blocks_of(context: dict[str, Any], key: str) -> list[dict[str, Any]]:
    sections = {s["key"]: s for s in context["sections"]}
    return sections[key]["blocks"]


def table(blocks: list[dict[str, Any]], caption_start: str) -> dict[str, Any]:
    found = [b for b in blocks if b["type"] == "table" and b["caption"].startswith(caption_start)]
    assert len(found) == 1, [b.get("caption") for b in blocks]
    return found[0]


def texts(blocks: list[dict[str, Any]], kind: str) -> list[str]:
    return [b["text"] for b in blocks if b["type"] == kind]


# --- the service board -------------------------------------------------------------------------------
def test_service_board_header_follows_the_schema(base: Base) -> None:
    ctx = service_board_context(base.world.area_a, PERIOD)
    assert ctx["kind"] == "service-board"
    assert ctx["title"] == KINDS["service-board"].title
    assert ctx["scope_key"] == "area:area-a"
    assert ctx["scope_label"] == base.world.area_a.name
    assert (ctx["period"], ctx["period_label"]) == ("2026-10", "October 2026")
    datetime.date.fromisoformat(ctx["generated_on"])
    # Every narrative box of the kind attaches after a section that exists.
    keys = [s["key"] for s in ctx["sections"]]
    assert keys == ["teams", "performance", "themes", "escalations", "reviewing", "summary"]
    assert {box.after for box in KINDS["service-board"].boxes} <= set(keys)
    # Plain JSON: it survives a round trip unchanged.
    assert json.loads(json.dumps(ctx)) == ctx


def test_service_board_has_a_row_per_team_counted_by_hand(base: Base) -> None:
    w = base.world
    teams = table(blocks_of(service_board_context(w.area_a, PERIOD), "teams"), "Teams in")
    labels = [c["label"] for c in teams["columns"]]
    assert labels[:3] == ["Team", "Audits due", "Audits done"]
    assert labels[3:7] == ["Outstanding", "Good", "Requires improvement", "Inadequate"]
    assert teams["caption"].endswith("October 2026 (grades: August to October 2026)")
    assert labels[-3:] == ["Children of concern open", "Audit actions overdue", "Clinic report"]
    # Team, due, done, Outstanding, Good, RI, Inadequate, concerns, actions overdue, report.
    assert teams["rows"] == [
        [w.team_a1.name, 2, 1, 1, 1, 0, 1, 1, 3, "Finalised 3 Nov 2026"],
        [w.team_a2.name, 1, 1, 0, 0, 1, 0, 1, 1, "Draft"],
        [base.team_a3.name, 0, 0, 0, 0, 0, 0, 0, 0, "Not started"],
        ["All teams", 3, 2, 1, 1, 1, 1, 2, 4, None],
    ]
    assert teams["data"] is True


def test_service_board_performance_is_the_areas_basket_with_benchmarks(base: Base) -> None:
    blocks = blocks_of(service_board_context(base.world.area_a, PERIOD), "performance")
    front_door = table(blocks, "Front door")
    assert [c["label"] for c in front_door["columns"]] == [
        "Indicator",
        "Oct 2026",
        "Sep 2026",
        "Oct 2025",
        "n",
        "Statistical neighbours",
        "England",
    ]
    assert front_door["rows"] == [["Assessments in timescale", "80%", "75%", "70%", "40 of 50", "78%", "80.5%"]]
    charts = [b for b in blocks if b["type"] == "chart"]
    assert len(charts) == 1
    points = dict(charts[0]["series"][0]["points"])
    assert len(points) == 13
    assert (points["2025-10"], points["2026-09"], points["2026-10"], points["2026-01"]) == (70.0, 75.0, 80.0, None)
    assert charts[0]["target"] is None  # targets are for the assurance board's authority figures
    # Area B's figure (11.11%) and the authority's (82.5%) are not area A's.
    dumped = json.dumps(blocks)
    assert "11.11" not in dumped
    assert "82.5" not in dumped
    # Baskets without figures for the area are said to be missing, not filled in.
    (missing,) = texts(blocks, "missing")
    assert "Child protection" in missing
    assert "Workforce" in missing
    assert "Front door" not in missing


def test_service_board_themes_and_learning_summaries(base: Base) -> None:
    blocks = blocks_of(service_board_context(base.world.area_a, PERIOD), "themes")
    strengths = table(blocks, "Top strengths")
    to_develop = table(blocks, "Top areas to develop")
    assert sorted(r[0] for r in strengths["rows"]) == [
        "A1 Reasons for involvement and proportionality",
        "Relationships with children",
    ]
    assert sorted(r[0] for r in to_develop["rows"]) == ["A2 Consent", "Recording and chronology"]
    assert all(r[2] == 1 for r in strengths["rows"] + to_develop["rows"])
    # Area B's theme (Voice of the child) is not area A's.
    assert "Voice of the child" not in json.dumps(blocks)
    paragraphs = " ".join(texts(blocks, "paragraph"))
    assert "2 graded findings" in paragraphs
    assert "Area A learning" in paragraphs
    assert "Whole service learning" in paragraphs
    assert "Area B learning" not in paragraphs
    assert "September learning" not in paragraphs


def test_service_board_escalations(base: Base) -> None:
    w = base.world
    blocks = blocks_of(service_board_context(w.area_a, PERIOD), "escalations")
    assert table(blocks, "Children of concern")["rows"] == [[w.team_a1.name, 1, 3], [w.team_a2.name, 1, 1]]
    actions = table(blocks, "Meeting actions overdue")
    assert [r[:2] for r in actions["rows"]] == [
        ["Clinic action done late", f"Clinic, {w.team_a1.name}"],
        ["Board action overdue", "Board"],
        ["Clinic action in progress", f"Clinic, {w.team_a1.name}"],
    ]
    # By due date; the status is today's (the late one has been done since).
    assert [r[2:] for r in actions["rows"]] == [
        [base.manager.full_name, "1 Oct 2026", "Done"],
        [base.manager.full_name, "15 Oct 2026", "Open"],
        [base.manager.full_name, "30 Oct 2026", "In progress"],
    ]
    signals = table(blocks, "Performance signals")
    assert signals["rows"] == [
        ["Assessments in timescale", "Oct 2026", "A point beyond the process limits", "Figures of record"]
    ]
    assert "Area B clinic action" not in json.dumps(blocks)


def test_service_board_reviewing_officer_summary_is_counts_only(base: Base) -> None:
    blocks = blocks_of(service_board_context(base.world.area_a, PERIOD), "reviewing")
    (paragraph,) = texts(blocks, "paragraph")
    assert "1 good-practice alert and 1 practice concern" in paragraph
    assert "1 practice concern resolved in the month; 1 open at its end" in paragraph
    assert table(blocks, "Alerts by theme")["rows"] == [["Relationships with children", 1, 1, 2]]
    assert table(blocks, "Practice concerns by dispute-resolution stage")["rows"] == [["Stage 1: informal", 1]]


def test_service_board_summary_line(base: Base) -> None:
    (text,) = texts(blocks_of(service_board_context(base.world.area_a, PERIOD), "summary"), "paragraph")
    assert "3 teams; 2 of 3 audits due in the month done; 2 of 4 audits graded" in text
    assert "2 children of concern open and 4 audit actions and 3 meeting actions overdue" in text


def test_area_b_board_counts_area_b_only(base: Base) -> None:
    w = base.world
    ctx = service_board_context(w.area_b, PERIOD)
    teams = table(blocks_of(ctx, "teams"), "Teams in")
    assert teams["rows"][0] == [w.team_b1.name, 1, 1, 0, 1, 0, 0, 1, 1, "Draft"]
    front_door = table(blocks_of(ctx, "performance"), "Front door")
    # 1 of 9: a percentage on fewer than 10 is said to be read with care.
    assert front_door["rows"][0][1:5] == ["11.11%", None, None, "1 of 9 (n below 10: read with care)"]


# --- the assurance board -----------------------------------------------------------------------------
def test_assurance_board_performance_against_neighbours_england_and_targets(base: Base) -> None:
    ctx = assurance_board_context(None, PERIOD)
    assert (ctx["kind"], ctx["scope_key"], ctx["scope_label"]) == ("assurance-board", "authority", "Whole service")
    assert {box.after for box in KINDS["assurance-board"].boxes} <= {s["key"] for s in ctx["sections"]}
    blocks = blocks_of(ctx, "performance")
    front_door = table(blocks, "Front door")
    assert front_door["columns"][-1]["label"] == "Local target"
    assert front_door["rows"] == [
        ["Assessments in timescale", "82.5%", "81%", None, "66 of 80", "78%", "80.5%", "85%"],
        # A rate per 10,000 worked out from its count and the population; a demand measure: no target.
        ["Assessments per 10,000 children", "50", None, None, "n = 300", None, None, None],
    ]
    # A demand measure never carries a target.
    assert table(blocks, "Child protection")["rows"] == [
        ["Children on a plan", "120", None, None, None, None, None, None]
    ]
    (chart,) = [b for b in blocks if b["type"] == "chart"]
    assert chart["target"] == 85.0
    # The workforce basket is the workforce section's, not repeated here.
    assert "Staff turnover" not in json.dumps(blocks)


def test_assurance_board_quality_grade_trend_and_agreement(base: Base) -> None:
    blocks = blocks_of(assurance_board_context(None, PERIOD), "quality")
    trend = table(blocks, "Reported grades of completed audits by month")
    rows = {r[0]: r[1:] for r in trend["rows"]}
    assert len(trend["rows"]) == 13  # 12 months and the total
    # Outstanding, Good, RI, Inadequate, total, Good or better.
    assert rows["Oct 2026"] == [0, 2, 1, 0, 3, "66.7%"]
    assert rows["Sep 2026"] == [0, 0, 0, 1, 1, "0%"]
    assert rows["Aug 2026"] == [1, 0, 0, 0, 1, "100%"]
    assert rows["Jul 2026"] == [0, 1, 0, 0, 1, "100%"]
    assert rows["Nov 2025"] == [0, 0, 0, 0, 0, None]
    assert rows["All months"] == [1, 3, 1, 1, 6, None]
    (chart,) = [b for b in blocks if b["type"] == "chart"]
    assert dict(chart["series"][0]["points"])["2026-10"] == 66.7
    agreement = table(blocks, "Agreement between auditors and moderators")
    # Two moderated: (Good, Good) exact; (RI, Good) within one. Kappa with quadratic weights: the
    # observed disagreement equals chance's (both 2 in whole numbers), so 0.
    assert agreement["rows"] == [[2, "50%", "100%", 0.0]]
    assert any("read these figures with care" in t for t in texts(blocks, "paragraph"))


def test_assurance_board_practice_week_is_the_latest_ended(base: Base) -> None:
    w = base.world
    blocks = blocks_of(assurance_board_context(None, PERIOD), "practice_week")
    activities = table(blocks, "Practice week activities by service area")
    names = sorted([w.area_a.name, w.area_b.name])
    assert [r[0] for r in activities["rows"]] == [*names, "All areas"]
    by_area = {r[0]: r for r in activities["rows"]}
    assert by_area[w.area_a.name][1] == 2
    assert by_area[w.area_a.name][-1] == 2
    assert by_area[w.area_b.name][-1] == 1
    assert by_area["All areas"][-1] == 3
    assert "3 activities by 2 leaders" in texts(blocks, "paragraph")[0]
    assert table(blocks, "Strengths")["rows"] == [
        [w.area_a.name, "Warm, direct work with children"],
        [w.area_b.name, "Managers know their children"],
    ]
    assert [b["items"] for b in blocks if b["type"] == "list"] == [["The worker listened to us"]]
    # Reported for September, the latest week ended is March's.
    september = blocks_of(assurance_board_context(None, datetime.date(2026, 9, 1)), "practice_week")
    assert "Spring practice week" in texts(september, "paragraph")[0]


def test_assurance_board_workforce_themes_and_survey_suppression(base: Base) -> None:
    blocks = blocks_of(assurance_board_context(None, PERIOD), "workforce")
    assert table(blocks, "Workforce:")["rows"][0][:2] == ["Staff turnover", "14.5%"]
    themes = table(blocks, "Themes from the workforce")
    # Two surveys and a focus group in August–October (the July exit interviews are outside).
    assert themes["rows"] == [["Staff wellbeing", 3], ["Timeliness", 1]]
    survey = table(blocks, "Staff survey of 10 Sep 2026")
    assert survey["rows"] == [["I feel supported by my manager", "72%"]]
    assert any("5 Oct 2026 had fewer than 10 respondents" in t for t in texts(blocks, "paragraph"))
    assert "Exit interviews" not in json.dumps(blocks)


def test_assurance_board_learning(base: Base) -> None:
    blocks = blocks_of(assurance_board_context(None, PERIOD), "learning")
    strengths = table(blocks, "Top strengths")
    # Whole service: area B's Good answer adds to element A1 and brings its own theme.
    assert ["A1 Reasons for involvement and proportionality", "Audit element", 2] in strengths["rows"]
    assert ["Voice of the child", "Theme", 1] in strengths["rows"]
    paragraphs = " ".join(texts(blocks, "paragraph"))
    assert "Area B learning" in paragraphs
    assert "Whole service learning" in paragraphs
    learning = table(blocks, "Learning from practice reviews")
    assert learning["rows"] == [
        ["8 Oct 2026", "Complaint", "Complaint about delays"],
        ["12 Sep 2026", "Learning from a practice review", "Practice review learning"],
        ["25 Aug 2026", "Ofsted notification", "Ofsted notification"],
    ]
    assert "1 good-practice alert and 2 practice concerns" in paragraphs
    assert table(blocks, "Alerts by theme")["rows"] == [["Relationships with children", 1, 2, 3]]


# --- the practice-week summary -------------------------------------------------------------------------
def test_practice_week_context_for_the_month_of_the_week(base: Base) -> None:
    w = base.world
    ctx = practice_week_context(None, PERIOD)
    assert (ctx["kind"], ctx["scope_key"], ctx["period"]) == ("practice-week", "authority", "2026-10")
    assert [s["key"] for s in ctx["sections"]] == ["activities", "findings"]
    activities = blocks_of(ctx, "activities")
    assert table(activities, "Practice week activities")["rows"][-1][-1] == 3
    findings = blocks_of(ctx, "findings")
    assert table(findings, "Areas to develop")["rows"] == [[w.area_a.name, "Chronologies lag behind"]]
    assert [b["items"] for b in findings if b["type"] == "list"] == [["The worker listened to us"]]
    dumped = json.dumps(ctx)
    assert "Declined quote text" not in dumped
    assert "as heard" not in dumped
    assert base.world.people["head_of_service"].full_name not in dumped  # never who led an activity


def test_practice_week_context_says_when_there_was_none(base: Base) -> None:
    ctx = practice_week_context(None, datetime.date(2026, 9, 1))
    assert [b["type"] for s in ctx["sections"] for b in s["blocks"]] == ["missing", "missing"]
    assert "No practice week took place in September 2026" in ctx["sections"][0]["blocks"][0]["text"]


# --- missing data, aggregate only, query counts ----------------------------------------------------------
def test_missing_blocks_where_there_is_no_data(world: Any) -> None:
    board = service_board_context(world.area_a, PERIOD)
    assert texts(blocks_of(board, "performance"), "missing") == [
        f"No figures of record have been loaded for {world.area_a.name} for October 2026, the month before "
        "or the same month last year."
    ]
    assert any("No graded audit findings" in t for t in texts(blocks_of(board, "themes"), "missing"))
    assert any("No learning summaries" in t for t in texts(blocks_of(board, "themes"), "missing"))
    assurance = assurance_board_context(None, PERIOD)
    quality = texts(blocks_of(assurance, "quality"), "missing")
    assert quality == [
        "No audits were completed with a reported grade in November 2025 to October 2026.",
        "No audits were moderated in November 2025 to October 2026.",
    ]
    assert texts(blocks_of(assurance, "practice_week"), "missing") == [
        "No practice week had ended by the end of October 2026."
    ]
    assert len(texts(blocks_of(assurance, "workforce"), "missing")) == 2
    assert json.loads(json.dumps(assurance)) == assurance


@pytest.mark.parametrize("builder", ["service", "assurance"])
def test_board_reports_are_aggregate_only(base: Base, builder: str) -> None:
    ctx = (
        service_board_context(base.world.area_a, PERIOD)
        if builder == "service"
        else assurance_board_context(None, PERIOD)
    )
    dumped = json.dumps(ctx)
    assert json.loads(dumped) == ctx
    # The marker case's audit is counted (A1's Good in October)…
    assert base.world.team_a1.name in dumped or builder == "assurance"
    # …but nothing written about it, nor who or which child it is, appears.
    for marker in MARKERS:
        assert marker not in dumped, marker
    assert base.marker_case.case_reference not in dumped


def _queries(build: Any) -> int:
    with CaptureQueriesContext(connection) as captured:
        build()
    return len(captured.captured_queries)


def test_query_counts_do_not_grow_with_the_data(base: Base) -> None:
    area = base.world.area_a
    builders = {
        "service": lambda: service_board_context(area, PERIOD),
        "assurance": lambda: assurance_board_context(None, PERIOD),
        "practice-week": lambda: practice_week_context(None, PERIOD),
    }
    once = {name: _queries(build) for name, build in builders.items()}
    for _ in range(4):
        add_copy(base, with_new_team=True)
    five_times = {name: _queries(build) for name, build in builders.items()}
    assert five_times == once
    # Named: the service board's own 15 = teams, audits, concerns, audit actions, clinic reports,
    # indicators, figures, benchmarks, learning summaries, meeting actions, signals, alert summary
    # (area names, themes, stages, figures: 4); plus the period's themes (clinics.themes, however
    # many sources of findings it reads).
    with CaptureQueriesContext(connection) as themes:
        period_themes(first=datetime.date(2026, 8, 1), last=PERIOD, service_area_id=area.pk)
    assert once["service"] == 15 + len(themes.captured_queries)
    # practice week: the week and its activities.
    assert once["practice-week"] == 2
    # The extra copies really are there: 5 teams' worth of rows more in area A.
    rows = table(blocks_of(service_board_context(area, PERIOD), "teams"), "Teams in")["rows"]
    assert len(rows) == 3 + 4 + 1
    assert rows[0][1:3] == [10, 5]


# --- the alert summary variant keeps alert_summary unchanged ---------------------------------------------
def test_alert_summary_for_areas_matches_the_persons_summary(base: Base) -> None:
    w = base.world
    sm = scope_for(w.people["service_manager_same"], today=datetime.date(2026, 11, 2))
    qa = scope_for(w.people["qa_officer"], today=datetime.date(2026, 11, 2))
    assert alert_summary(scope=sm, month=PERIOD) == alert_summary_for_areas(area_ids=[w.area_a.pk], month=PERIOD)
    assert alert_summary(scope=qa, month=PERIOD) == alert_summary_for_areas(area_ids=None, month=PERIOD)
    assert alert_summary_for_areas(area_ids=[w.area_b.pk], month=PERIOD).practice_concerns == 1
