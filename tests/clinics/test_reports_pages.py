"""The highlight report pages: list, report (narrative form and autosave), preview, finalise,
reopen, the appendix switch, scope and the page's query count.

Team A1's clinic report for October 2026 (its team manager writes it; area A's SM reads it).
"""

from __future__ import annotations

import datetime
import json
from typing import Any

import pytest
import time_machine
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from clinics.models import HighlightReport, ReportKind, ReportVersion
from clinics.services.reports import finalise, open_report, reopen, save_narrative
from tests.factories import TeamFactory

pytestmark = pytest.mark.django_db
JSON_HEADERS = {"HTTP_ACCEPT": "application/json", "HTTP_X_REQUESTED_WITH": "fetch"}
ARGS = ["team-clinic", "a1", "2026-10"]
OCTOBER = datetime.date(2026, 10, 1)


def url(name: str = "report-detail", args: list[str] | None = None) -> str:
    return reverse(f"clinics:{name}", args=args or ARGS)


@pytest.fixture
def tm(client, world):
    client.force_login(world.people["team_manager_same"])
    return client


def as_person(client, world, persona: str):
    client.force_login(world.people[persona])
    return client


def report_of(world) -> HighlightReport:
    return HighlightReport.objects.get(kind=ReportKind.TEAM_CLINIC, team=world.team_a1, period=OCTOBER)


def autosave(client, boxes: dict[str, str], version: int) -> tuple[Any, dict[str, Any]]:
    response = client.post(url(), {**boxes, "narrative-version": str(version), "_autosave": "1"}, **JSON_HEADERS)
    return response, json.loads(response.content)


# --- the writer's page -----------------------------------------------------------------------------
def test_the_writer_sees_a_narrative_box_per_kind_box_and_reading_creates_nothing(tm, world):
    response = tm.get(url())
    assert response.status_code == 200
    html = response.content.decode()
    for label in ("What the figures tell us", "What is working well", "What needs to happen next"):
        assert label in html
    assert 'name="narrative-version" value="0"' in html
    assert "data-autosave" in html
    assert "Expected length" in html
    assert "Not started" in html
    assert not HighlightReport.objects.exists()


def test_autosave_creates_the_draft_and_answers_versions_time_and_length(tm, world):
    response, body = autosave(tm, {"working_well": "Purposeful visits, warm relationships."}, 0)
    assert response.status_code == 200
    assert body["versions"] == {"narrative": 1}
    assert body["conflicts"] == []
    assert len(body["saved_at"]) == 5
    assert body["saved_at"][2] == ":"
    assert body["length"]["words"]["working_well"] == 4
    assert body["length"]["total_words"] == 4
    assert body["length"]["sides"] >= 1
    assert body["length"]["over"] is False
    report = report_of(world)
    assert report.narrative == {"working_well": "Purposeful visits, warm relationships."}
    assert report.author == world.people["team_manager_same"]
    # The page shows what was saved and the word count.
    html = tm.get(url()).content.decode()
    assert "Purposeful visits, warm relationships." in html
    assert 'name="narrative-version" value="1"' in html
    assert "<span data-words>4</span> word" in html


def test_a_stale_autosave_is_a_conflict_showing_both_texts(tm, world):
    autosave(tm, {"voice": "Saved in the first tab."}, 0)
    response, body = autosave(tm, {"voice": "Typed in the second tab."}, 0)
    assert response.status_code == 409
    [conflict] = body["conflicts"]
    assert conflict["part"] == "narrative"
    assert conflict["version"] == 1
    assert conflict["fields"] == [
        {
            "key": "voice",
            "label": "Voice of children and families",
            "yours": "Typed in the second tab.",
            "theirs": "Saved in the first tab.",
        }
    ]
    assert report_of(world).narrative == {"voice": "Saved in the first tab."}


def test_without_javascript_a_stale_save_shows_both_texts_and_keeps_what_was_typed(tm, world):
    autosave(tm, {"voice": "Saved in the first tab."}, 0)
    response = tm.post(url(), {"voice": "Typed in the second tab.", "narrative-version": "0"})
    assert response.status_code == 409
    html = response.content.decode()
    assert "Someone else saved this report" in html
    assert "Saved in the first tab." in html
    assert html.count("Typed in the second tab.") >= 2  # in the comparison and still in the box
    assert report_of(world).narrative == {"voice": "Saved in the first tab."}


def test_save_and_come_back_later_saves_and_returns_to_the_report(tm, world):
    response = tm.post(url(), {"next_steps": "Review supervision.", "narrative-version": "0"})
    assert response.status_code == 302
    assert response["Location"] == url()
    assert report_of(world).narrative == {"next_steps": "Review supervision."}


def test_a_box_too_long_is_refused_by_autosave_and_shown_again_without_javascript(tm, world):
    text = "x" * 10_001
    response, body = autosave(tm, {"voice": text}, 0)
    assert response.status_code == 400
    assert "10,000 characters or fewer" in body["errors"]["voice"][0]
    response = tm.post(url(), {"voice": text, "working_well": "Kept", "narrative-version": "0"})
    assert response.status_code == 400
    html = response.content.decode()
    assert "There is a problem" in html
    assert "Kept" in html


# --- length: the warning and the appendix ----------------------------------------------------------
# 1,950 words (within the 10,000 characters a box takes): over three sides with the headings.
LONG = " ".join(["kind"] * 1950)


def graded_audit(world) -> None:
    """A submitted, graded October audit of a case in A1: the report gains its grades table."""
    from tests.audits.factories import allocate, mark_submitted

    audit = allocate(world.case_a, world.people["team_manager_same"], today=datetime.date(2026, 10, 2))
    mark_submitted(audit, grade="good", on=datetime.date(2026, 10, 20))


def test_over_three_sides_the_page_warns_and_finalising_is_still_possible(tm, world):
    graded_audit(world)
    autosave(tm, {"working_well": LONG}, 0)
    html = tm.get(url()).content.decode()
    assert "more than three sides of A4" in html
    assert 'id="length-warning" hidden' not in html
    assert "Move the data tables to an appendix" in html
    _, body = autosave(tm, {"working_well": LONG + " more"}, 1)
    assert body["length"]["over"] is True
    # The confirmation page repeats the warning; finalising goes ahead.
    confirm = tm.get(url("report-finalise")).content.decode()
    assert "more than the three the framework asks for" in confirm
    response = tm.post(url("report-finalise"))
    assert response.status_code == 302
    assert report_of(world).status == HighlightReport.Status.FINAL
    assert ReportVersion.objects.get().narrative["working_well"].startswith("kind kind")


def test_with_no_tables_to_move_the_warning_suggests_shortening_only(client, world):
    # The practice-week summary of a month without a practice week is prose only.
    qa = as_person(client, world, "qa_officer")
    week = url(args=["practice-week", "authority", "2026-10"])
    qa.post(week, {"findings": LONG, "next_steps": LONG, "narrative-version": "0"})
    html = qa.get(week).content.decode()
    assert "more than three sides of A4" in html
    assert "You could shorten the narrative" in html
    assert "Move the data tables to an appendix" not in html


def test_moving_the_tables_to_the_appendix_lowers_the_expected_length(tm, world):
    graded_audit(world)
    _, before = autosave(tm, {"working_well": LONG}, 0)
    tm.post(url("report-appendix"), {"tables_in_appendix": "1"})
    _, after = autosave(tm, {"working_well": LONG + " more"}, 1)
    assert after["length"]["body_sides"] < before["length"]["body_sides"]
    assert after["length"]["appendix_sides"] > 0


def test_a_short_report_has_no_warning(tm, world):
    autosave(tm, {"working_well": "Short."}, 0)
    html = tm.get(url()).content.decode()
    assert 'id="length-warning" hidden' in html


def test_the_appendix_switch_works_without_javascript_and_can_be_undone(tm, world):
    graded_audit(world)
    response = tm.post(url("report-appendix"), {"tables_in_appendix": "1"})
    assert response.status_code == 302
    assert report_of(world).tables_in_appendix is True
    html = tm.get(url()).content.decode()
    assert "Keep the tables in the report" in html
    tm.post(url("report-appendix"), {"tables_in_appendix": "0"})
    assert report_of(world).tables_in_appendix is False


# --- finalise, the frozen page, reopen --------------------------------------------------------------
def test_finalise_confirmation_says_what_finalising_does(tm, world):
    html = tm.get(url("report-finalise")).content.decode()
    assert "Finalise the report" in html
    assert "data added later does not change this version" in html
    assert "version 1" in html
    assert not HighlightReport.objects.exists()


def test_the_final_report_shows_the_frozen_version_and_does_not_change_with_new_data(tm, world):
    from tests.audits.factories import allocate

    autosave(tm, {"next_steps": "Keep the clinic focused."}, 0)
    tm.post(url("report-finalise"))
    before = tm.get(url()).content.decode()
    assert "Version 1, finalised on" in before
    assert "Reopen to revise" in before
    assert "data-autosave" not in before
    assert "Keep the clinic focused." in before
    assert "No audits of this team were allocated for October 2026" in before
    allocate(world.case_a, world.people["team_manager_same"], today=datetime.date(2026, 10, 2))
    after = tm.get(url()).content.decode()
    assert "No audits of this team were allocated for October 2026" in after


def test_reopen_makes_a_draft_and_the_next_finalise_is_version_two(tm, world):
    autosave(tm, {"voice": "First."}, 0)
    tm.post(url("report-finalise"))
    response = tm.post(url("report-reopen"))
    assert response.status_code == 302
    html = tm.get(url()).content.decode()
    assert "data-autosave" in html
    assert "Version 1" in html  # the versions list stays on the page
    autosave(tm, {"voice": "Revised."}, 1)
    tm.post(url("report-finalise"))
    assert list(ReportVersion.objects.order_by("number").values_list("number", "narrative")) == [
        (1, {"voice": "First."}),
        (2, {"voice": "Revised."}),
    ]
    # Version 1 can still be read on its own.
    old = tm.get(url() + "?version=1").content.decode()
    assert "First." in old
    assert "not the latest version" in old


def test_wrong_state_changes_are_refused_with_409(tm, world):
    assert tm.post(url("report-reopen")).status_code == 409  # not started
    tm.post(url("report-finalise"))
    assert tm.post(url("report-finalise")).status_code == 409
    assert tm.post(url("report-appendix"), {"tables_in_appendix": "1"}).status_code == 409
    response, body = autosave(tm, {"voice": "late"}, 0)
    assert response.status_code == 409
    assert "Reopen" in body["message"]


# --- readers and scope ---------------------------------------------------------------------------
def test_a_reader_sees_not_started_and_reading_creates_nothing(client, world):
    html = as_person(client, world, "service_manager_same").get(url()).content.decode()
    assert "Not started" in html
    assert "data-autosave" not in html
    assert "<textarea" not in html
    assert not HighlightReport.objects.exists()


def test_a_reader_sees_the_draft_without_a_form_and_cannot_write(client, world):
    tm = world.people["team_manager_same"]
    report = open_report(kind=ReportKind.TEAM_CLINIC, place=world.team_a1, period=OCTOBER, actor=tm)
    save_narrative(report=report, boxes={"working_well": "Warm, purposeful visits."}, version=0, actor=tm)
    reader = as_person(client, world, "service_manager_same")
    html = reader.get(url()).content.decode()
    assert "Warm, purposeful visits." in html
    assert "<textarea" not in html
    assert "Reopen to revise" not in html
    assert reader.post(url(), {"working_well": "Changed", "narrative-version": "1"}).status_code == 403
    assert reader.post(url("report-finalise")).status_code == 403
    assert report_of(world).narrative == {"working_well": "Warm, purposeful visits."}


@pytest.mark.parametrize("persona", ["team_manager_other", "service_manager_other", "practitioner_own"])
def test_another_scopes_report_is_404(client, world, persona):
    tm = world.people["team_manager_same"]
    open_report(kind=ReportKind.TEAM_CLINIC, place=world.team_a1, period=OCTOBER, actor=tm)
    c = as_person(client, world, persona)
    for name in ("report-detail", "report-preview"):
        assert c.get(url(name)).status_code == 404
    assert c.post(url(), {"voice": "x", "narrative-version": "0"}).status_code == 404


def test_a_bad_kind_code_or_month_is_404(tm):
    for args in (["nope", "a1", "2026-10"], ["team-clinic", "zz", "2026-10"], ["team-clinic", "a1", "2026-13"]):
        assert tm.get(url(args=args)).status_code == 404
    assert tm.get(url() + "?version=7").status_code == 404


# --- preview -----------------------------------------------------------------------------------------
def test_preview_shows_the_body_as_it_will_print(tm, world):
    autosave(tm, {"working_well": "Visits are purposeful."}, 0)
    html = tm.get(url("report-preview")).content.decode()
    assert "Visits are purposeful." in html
    assert "as it will print" in html
    assert "Back to the report" in html
    assert "<textarea" not in html


# --- the list --------------------------------------------------------------------------------------
@time_machine.travel(datetime.datetime(2026, 11, 26, 10, 0, tzinfo=datetime.UTC), tick=False)
def test_the_list_defaults_to_the_last_complete_month_and_shows_status(tm, world):
    response = tm.get(reverse("clinics:report-list"))
    html = response.content.decode()
    assert "October 2026" in html
    assert url() in html
    assert "Not started" in html
    # The TM sees their team and the practice-week summary, not another team's report.
    assert world.team_b1.name not in html
    autosave(tm, {"voice": "Families' words."}, 0)
    assert "Draft, last saved 26 November 2026" in tm.get(reverse("clinics:report-list")).content.decode()
    tm.post(url("report-finalise"))
    html = tm.get(reverse("clinics:report-list") + "?month=2026-10").content.decode()
    assert "Finalised 26 November 2026, version 1" in html


def test_the_list_for_a_service_manager_has_their_areas_teams_and_board(client, world):
    html = as_person(client, world, "service_manager_same").get(reverse("clinics:report-list") + "?month=2026-10")
    html = html.content.decode()
    assert world.team_a1.name in html
    assert world.team_a2.name in html
    assert world.team_b1.name not in html
    assert reverse("clinics:report-detail", args=["service-board", "area-a", "2026-10"]) in html


def test_a_bad_month_on_the_list_is_an_error_not_a_crash(tm):
    response = tm.get(reverse("clinics:report-list") + "?month=October")
    assert response.status_code == 200
    assert "Enter the month as a year and month" in response.content.decode()


# --- query counts ----------------------------------------------------------------------------------
def test_the_final_report_page_costs_the_same_with_more_versions(tm, world):
    person = world.people["team_manager_same"]
    report = open_report(kind=ReportKind.TEAM_CLINIC, place=world.team_a1, period=OCTOBER, actor=person)
    finalise(report=report, actor=person, queue_pdf=False)
    with CaptureQueriesContext(connection) as one:
        assert tm.get(url()).status_code == 200
    for _ in range(3):
        reopen(report=report, actor=person)
        finalise(report=report, actor=person, queue_pdf=False)
    with CaptureQueriesContext(connection) as four:
        assert tm.get(url()).status_code == 200
    assert len(four) == len(one)


def test_the_list_costs_the_same_with_more_teams_and_reports(client, world):
    director = as_person(client, world, "director")
    list_url = reverse("clinics:report-list") + "?month=2026-10"
    tm = world.people["team_manager_same"]
    report = open_report(kind=ReportKind.TEAM_CLINIC, place=world.team_a1, period=OCTOBER, actor=tm)
    with CaptureQueriesContext(connection) as few:
        assert director.get(list_url).status_code == 200
    finalise(report=report, actor=tm, queue_pdf=False)
    other = world.people["team_manager_other"]
    open_report(kind=ReportKind.TEAM_CLINIC, place=world.team_b1, period=OCTOBER, actor=other)
    for n in range(10):
        TeamFactory(code=f"extra{n}", service_area=world.area_b)
    with CaptureQueriesContext(connection) as many:
        html = director.get(list_url).content.decode()
    assert "Finalised" in html
    assert len(many) == len(few)


# --- smoke sampler and programme link --------------------------------------------------------------
def test_the_smoke_sampler_names_the_team_managers_own_report(tm, world):
    from clinics.smoke_reports import SAMPLERS
    from qaframework.management.commands.smoke_urls import Personas

    personas = Personas(team_manager=world.people["team_manager_same"], qa_officer=world.people["qa_officer"])
    kwargs = SAMPLERS["clinics:report-detail"](personas)
    assert kwargs["kind"] == "team-clinic"
    assert kwargs["code"] == "a1"
    assert tm.get(reverse("clinics:report-detail", kwargs=kwargs)).status_code == 200


def test_highlight_reports_link_is_offered_to_those_who_see_reports(world):
    from clinics.links import programme_links
    from organisation.scope import scope_for

    def offered(persona: str) -> bool:
        return {label: allowed for label, _, allowed in programme_links(scope_for(world.people[persona]))}[
            "Highlight reports"
        ]

    assert offered("team_manager_same")
    assert offered("principal_social_worker")
    assert offered("qa_officer")
    assert not offered("practitioner_own")
    assert not offered("bi_officer")
