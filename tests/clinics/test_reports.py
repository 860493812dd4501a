"""Highlight report services (clinics.services.reports): drafts, narrative, finalise, reopen.

The team clinic report of team A1 (its team manager writes it) with the real context builder; the
data changed to show freezing is a real audit allocated through the audit service.
"""

from __future__ import annotations

import datetime

import pytest

from clinics.models import HighlightReport, ReportKind, ReportVersion
from clinics.services.reports import (
    ReportError,
    ReportNotEditable,
    context_for,
    finalise,
    live_context,
    open_report,
    reopen,
    save_narrative,
    set_tables_in_appendix,
)
from tests.audits.factories import allocate

pytestmark = pytest.mark.django_db
OCTOBER = datetime.date(2026, 10, 1)
NOVEMBER = datetime.date(2026, 11, 1)


def draft(world, period=OCTOBER) -> HighlightReport:
    return open_report(
        kind=ReportKind.TEAM_CLINIC, place=world.team_a1, period=period, actor=world.people["team_manager_same"]
    )


def section(context: dict, key: str) -> dict:
    return next(s for s in context["sections"] if s["key"] == key)


NO_AUDITS = "No audits of this team were allocated for"


def audit_text(context: dict) -> str:
    return repr(section(context, "quality")["blocks"])


# --- drafts ----------------------------------------------------------------------------------------
def test_the_writer_opens_a_draft_for_the_team_and_month(world):
    report = draft(world)
    assert report.status == HighlightReport.Status.DRAFT
    assert report.scope_key == "team:a1"
    assert report.team == world.team_a1
    assert report.service_area is None
    assert report.period == OCTOBER
    assert report.author == world.people["team_manager_same"]
    # Opening again is the same report, not a second one.
    assert draft(world).pk == report.pk
    assert HighlightReport.objects.count() == 1


@pytest.mark.parametrize(
    "persona", ["team_manager_other", "service_manager_same", "head_of_service", "qa_officer", "practitioner_own"]
)
def test_only_the_writer_creates_a_draft(world, persona):
    with pytest.raises(ReportError):
        open_report(kind=ReportKind.TEAM_CLINIC, place=world.team_a1, period=OCTOBER, actor=world.people[persona])
    assert not HighlightReport.objects.exists()


def test_the_next_period_starts_from_the_last_finalised_version(world):
    tm = world.people["team_manager_same"]
    october = draft(world)
    save_narrative(report=october, boxes={"working_well": "Visits are purposeful."}, version=0, actor=tm)
    set_tables_in_appendix(report=october, value=True, actor=tm)
    version = finalise(report=october, actor=tm, queue_pdf=False)
    november = draft(world, NOVEMBER)
    assert november.started_from == version
    assert november.narrative == {"working_well": "Visits are purposeful."}
    assert november.tables_in_appendix is True
    assert november.narrative_version == 0
    # A draft that was never finalised is not where the next month starts.
    other = open_report(
        kind=ReportKind.TEAM_CLINIC, place=world.team_b1, period=NOVEMBER, actor=world.people["team_manager_other"]
    )
    assert other.started_from is None
    assert other.narrative == {}


# --- narrative -------------------------------------------------------------------------------------
def test_saving_the_narrative_bumps_its_version_and_records_the_author(world):
    tm = world.people["team_manager_same"]
    report = draft(world)
    save = save_narrative(report=report, boxes={"voice": "Families said visits helped."}, version=0, actor=tm)
    assert save.saved
    assert not save.clashes
    assert save.version == 1
    report.refresh_from_db()
    assert report.narrative == {"voice": "Families said visits helped."}
    assert report.history.latest().history_user == tm
    # Nothing changed: no new version, no history row.
    rows = report.history.count()
    again = save_narrative(report=report, boxes={"voice": "Families said visits helped."}, version=1, actor=tm)
    assert not again.saved
    assert again.version == 1
    assert report.history.count() == rows


def test_a_stale_save_is_a_conflict_with_both_texts_and_overwrites_nothing(world):
    tm = world.people["team_manager_same"]
    report = draft(world)
    save_narrative(report=report, boxes={"working_well": "Text from the first tab."}, version=0, actor=tm)
    stale = save_narrative(report=report, boxes={"working_well": "Text from the second tab."}, version=0, actor=tm)
    assert not stale.saved
    assert [(c.key, c.yours, c.theirs) for c in stale.clashes] == [
        ("working_well", "Text from the second tab.", "Text from the first tab.")
    ]
    report.refresh_from_db()
    assert report.narrative["working_well"] == "Text from the first tab."
    # Keeping theirs deliberately: save again with the version now.
    kept = save_narrative(report=report, boxes={"working_well": "Text from the second tab."}, version=1, actor=tm)
    assert kept.saved
    assert kept.version == 2


def test_a_reader_cannot_save_the_narrative(world):
    report = draft(world)
    with pytest.raises(ReportError):
        save_narrative(report=report, boxes={"voice": "x"}, version=0, actor=world.people["service_manager_same"])


# --- finalising and freezing -----------------------------------------------------------------------
def test_finalising_freezes_the_figures_so_later_data_never_changes_the_version(world):
    tm = world.people["team_manager_same"]
    report = draft(world)
    save_narrative(report=report, boxes={"next_steps": "Keep going."}, version=0, actor=tm)
    version = finalise(report=report, actor=tm, queue_pdf=False)
    frozen = ReportVersion.objects.get(pk=version.pk).context
    assert f"{NO_AUDITS} October 2026" in audit_text(frozen)

    # New data for October: an audit of a case in A1.
    allocate(world.case_a, tm, today=datetime.date(2026, 10, 2), due_on=datetime.date(2026, 10, 30))
    assert NO_AUDITS not in audit_text(live_context(report))
    assert f"Audits of {world.team_a1.name} for October 2026" in audit_text(live_context(report))

    version.refresh_from_db()
    assert version.context == frozen
    assert context_for(HighlightReport.objects.get(pk=report.pk)) == frozen
    assert version.narrative == {"next_steps": "Keep going."}
    assert version.number == 1
    assert version.author_name == tm.full_name
    assert version.finalised_at is not None


def test_finalising_queues_the_pdf_of_the_version_after_commit(world, django_capture_on_commit_callbacks):
    from core.models import Job

    tm = world.people["team_manager_same"]
    report = draft(world)
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        version = finalise(report=report, actor=tm)
    job = Job.objects.get()
    assert job.payload == {"report": report.pk, "version": version.pk}
    assert callbacks, "the job is queued when the transaction commits"


def test_a_final_report_cannot_be_edited_or_finalised_again(world):
    tm = world.people["team_manager_same"]
    report = draft(world)
    finalise(report=report, actor=tm, queue_pdf=False)
    with pytest.raises(ReportNotEditable):
        save_narrative(report=report, boxes={"voice": "late"}, version=0, actor=tm)
    with pytest.raises(ReportNotEditable):
        finalise(report=report, actor=tm, queue_pdf=False)
    with pytest.raises(ReportNotEditable):
        set_tables_in_appendix(report=report, value=True, actor=tm)


def test_reopening_makes_version_two_and_keeps_version_one(world):
    tm = world.people["team_manager_same"]
    report = draft(world)
    save_narrative(report=report, boxes={"voice": "First."}, version=0, actor=tm)
    first = finalise(report=report, actor=tm, queue_pdf=False)
    reopened = reopen(report=report, actor=tm)
    assert reopened.status == HighlightReport.Status.DRAFT
    with pytest.raises(ReportNotEditable):
        reopen(report=report, actor=tm)
    save_narrative(report=report, boxes={"voice": "Revised."}, version=1, actor=tm)
    second = finalise(report=report, actor=tm, queue_pdf=False)
    assert (first.number, second.number) == (1, 2)
    first.refresh_from_db()
    assert first.narrative == {"voice": "First."}
    assert second.narrative == {"voice": "Revised."}
    assert list(report.versions.order_by("number").values_list("number", flat=True)) == [1, 2]


def test_a_new_periods_draft_sees_the_new_data(world):
    tm = world.people["team_manager_same"]
    october = draft(world)
    finalise(report=october, actor=tm, queue_pdf=False)
    allocate(world.case_a, tm, today=datetime.date(2026, 11, 2))
    november = draft(world, NOVEMBER)
    assert NO_AUDITS not in audit_text(live_context(november))
    assert NO_AUDITS in audit_text(context_for(october))
