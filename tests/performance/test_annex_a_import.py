"""Importing Annex A workbooks: one snapshot per file (the same file twice changes nothing), events
merged by list, child and date so history builds up across overlapping workbooks, matching to
case files and teams, the estimates written after each import, the job behind the page, and the
``import_annex_a`` command's output and exit codes."""

from __future__ import annotations

import datetime
from io import StringIO

import pytest
from django.core.management import CommandError, call_command

from core.models import AccessLog
from performance.models import AnnexAEvent, AnnexASnapshot, AnnexAUpload, Estimate
from performance.services.annex_a import (
    AnnexAUnreadable,
    annex_a_import,
    annex_a_match_case_files,
    annex_a_upload_create,
)
from tests.factories import CaseFileFactory

from .test_annex_a_reading import xlsx
from .test_estimates import estimate_indicators

D = datetime.date
TODAY = D(2026, 11, 2)


def older_workbook() -> bytes:
    """Up to 31 May 2026: child K in care since January, a plan still open, two referrals."""
    return xlsx(
        {
            "List 3 - Referrals": [
                ["Child ID", "Date of referral", "Referral NFA", "Allocated team"],
                ["K", D(2026, 3, 2), "N", "a1"],
                ["L", D(2026, 4, 6), "Y", "A1"],
            ],
            "List 7 - CP": [
                ["Child ID", "CP plan start date", "CP plan end date", "Reason plan ended"],
                ["M", D(2026, 1, 12), None, None],
            ],
            "List 8 - CLA": [
                ["Child ID", "Date started to be looked after", "Date ceased to be looked after", "Reason for ceasing"],
                ["K", D(2026, 1, 5), None, None],
            ],
        }
    )


def newer_workbook() -> bytes:
    """Up to 31 August 2026: overlaps the older one (April, May). K left care, M's plan ended, L's
    referral is the same, a new referral in July; the older March referral is no longer listed."""
    return xlsx(
        {
            "List 3 - Referrals": [
                ["Child ID", "Date of referral", "Referral NFA", "Allocated team"],
                ["L", D(2026, 4, 6), "Y", "A1"],
                ["N", D(2026, 7, 1), "N", "b1"],
            ],
            "List 7 - CP": [
                ["Child ID", "CP plan start date", "CP plan end date", "Reason plan ended"],
                ["M", D(2026, 1, 12), D(2026, 6, 30), "Step down to early help"],
            ],
            "List 8 - CLA": [
                ["Child ID", "Date started to be looked after", "Date ceased to be looked after", "Reason for ceasing"],
                ["K", D(2026, 1, 5), D(2026, 8, 31), "E12"],
            ],
        }
    )


def event(number: int, child: str, day: datetime.date) -> AnnexAEvent:
    return AnnexAEvent.objects.get(list_number=number, child_id=child, event_date=day)


def test_a_workbook_becomes_a_dated_snapshot_of_events(world):
    outcome = annex_a_import(data=older_workbook(), file_name="annex-a-may.xlsx", today=TODAY)
    snapshot = outcome.snapshot
    assert outcome.created
    assert (snapshot.file_name, snapshot.extracted_on, snapshot.rows_read) == ("annex-a-may.xlsx", D(2026, 4, 6), 4)
    assert (snapshot.events_added, snapshot.events_updated, snapshot.problems) == (4, 0, [])
    assert len(snapshot.sha256) == 64
    referral = event(3, "K", D(2026, 3, 2))
    assert referral.codes == {"nfa": False, "team": "a1"}
    assert referral.team == world.team_a1
    assert (referral.first_snapshot, referral.last_snapshot) == (snapshot, snapshot)
    assert outcome.lists == {3: ("List 3 - Referrals", 2), 7: ("List 7 - CP", 1), 8: ("List 8 - CLA", 1)}


def test_the_same_workbook_twice_changes_nothing_and_says_so(world):
    estimate_indicators()
    data = older_workbook()
    first = annex_a_import(data=data, file_name="a.xlsx", today=TODAY)
    events = list(AnnexAEvent.objects.values_list("pk", "end_date", "codes", "last_snapshot_id").order_by("pk"))
    estimates = list(Estimate.objects.values_list("pk", "value").order_by("pk"))
    again = annex_a_import(data=data, file_name="copy of a.xlsx", today=TODAY)
    assert not again.created
    assert again.snapshot == first.snapshot
    assert "imported already" in again.summary()
    assert "nothing changed" in again.summary()
    assert AnnexASnapshot.objects.count() == 1
    assert list(AnnexAEvent.objects.values_list("pk", "end_date", "codes", "last_snapshot_id").order_by("pk")) == events
    assert list(Estimate.objects.values_list("pk", "value").order_by("pk")) == estimates


def test_overlapping_workbooks_merge_so_history_builds_up(world):
    older = annex_a_import(data=older_workbook(), file_name="may.xlsx", today=TODAY).snapshot
    newer = annex_a_import(data=newer_workbook(), file_name="august.xlsx", today=TODAY).snapshot
    # Added: N's July referral. Updated: K's episode in care and M's plan (end dates and reasons).
    assert (newer.events_added, newer.events_updated) == (1, 2)
    assert newer.extracted_on == D(2026, 8, 31)
    assert AnnexAEvent.objects.count() == 5  # K's March referral stays: history builds up
    in_care = event(8, "K", D(2026, 1, 5))
    assert (in_care.end_date, in_care.codes["reason_ceased"]) == (D(2026, 8, 31), "E12")
    assert (in_care.first_snapshot, in_care.last_snapshot) == (older, newer)
    plan = event(7, "M", D(2026, 1, 12))
    assert (plan.end_date, plan.codes["step_down"]) == (D(2026, 6, 30), True)
    unchanged = event(3, "L", D(2026, 4, 6))
    assert (unchanged.first_snapshot, unchanged.last_snapshot) == (older, newer)
    assert event(3, "K", D(2026, 3, 2)).last_snapshot == older
    assert event(3, "N", D(2026, 7, 1)).team == world.team_b1


def test_an_older_workbook_imported_late_never_overwrites_a_newer_one(world):
    annex_a_import(data=newer_workbook(), file_name="august.xlsx", today=TODAY)
    older = annex_a_import(data=older_workbook(), file_name="may.xlsx", today=TODAY).snapshot
    assert (older.events_added, older.events_updated) == (1, 0)  # only K's March referral is new
    assert event(8, "K", D(2026, 1, 5)).end_date == D(2026, 8, 31)
    assert event(7, "M", D(2026, 1, 12)).codes["step_down"] is True


def test_a_column_the_newer_sheet_lacks_leaves_the_stored_code_alone(world):
    annex_a_import(data=older_workbook(), file_name="may.xlsx", today=TODAY)
    # A newer workbook (its data runs to June) without the team column.
    no_team = xlsx(
        {
            "List 3": [
                ["Child ID", "Date of referral", "Referral NFA"],
                ["K", D(2026, 3, 2), "Y"],
                ["Z", D(2026, 6, 1), "N"],
            ]
        }
    )
    snapshot = annex_a_import(data=no_team, file_name="june.xlsx", today=TODAY).snapshot
    assert (snapshot.events_added, snapshot.events_updated) == (1, 1)
    referral = event(3, "K", D(2026, 3, 2))
    assert referral.codes == {"nfa": True, "team": "a1"}
    assert referral.team == world.team_a1


def test_events_match_case_files_by_reference_whatever_the_case(world):
    data = xlsx(
        {
            "List 1": [
                ["Child ID", "Date of contact", "Case reference", "Team"],
                ["C-1", D(2026, 3, 2), "case-a", world.team_a2.name.upper()],  # case reference column, team by name
                ["case-b", D(2026, 3, 3), None, None],  # no reference on the row: the child ID is tried
                ["C-9", D(2026, 3, 4), "LATER-1", "no-such-team"],
            ]
        }
    )
    annex_a_import(data=data, file_name="a.xlsx", today=TODAY)
    first = event(1, "C-1", D(2026, 3, 2))
    assert (first.case_file, first.team) == (world.case_a, world.team_a2)
    assert event(1, "case-b", D(2026, 3, 3)).case_file == world.case_b
    unmatched = event(1, "C-9", D(2026, 3, 4))
    assert (unmatched.case_file, unmatched.team) == (None, None)
    # The case file is added later: the next import (or the daily sweep) matches it.
    later = CaseFileFactory(case_reference="Later-1", team=world.team_a1)
    assert annex_a_match_case_files() == 1
    unmatched.refresh_from_db()
    assert unmatched.case_file == later
    assert annex_a_match_case_files() == 0


def test_estimates_are_written_after_each_import(world):
    indicators = estimate_indicators()
    annex_a_import(data=older_workbook(), file_name="may.xlsx", today=TODAY)
    referrals = Estimate.objects.get(indicator=indicators["referrals"], scope_key="team:a1", period_start=D(2026, 4, 1))
    assert referrals.value == 1
    annex_a_import(data=newer_workbook(), file_name="august.xlsx", today=TODAY)
    # The newer data runs to August: K was looked after at the end of July, and left on 31 August.
    stock = {
        e.period_start: e.value
        for e in Estimate.objects.filter(indicator=indicators["children_looked_after"], scope_key="authority")
    }
    assert stock[D(2026, 7, 1)] == 1
    assert stock[D(2026, 8, 1)] == 0
    step_downs = Estimate.objects.get(
        indicator=indicators["step_down_at_plan_end"], scope_key="authority", period_start=D(2026, 6, 1)
    )
    assert step_downs.value == 1


def test_a_file_with_no_readable_row_is_refused_and_nothing_written(world):
    data = xlsx({"List 3": [["Child ID", "Date of referral"], ["A", "not a date"]]})
    with pytest.raises(AnnexAUnreadable) as refused:
        annex_a_import(data=data, file_name="bad.xlsx", today=TODAY)
    assert refused.value.problems[0]["row"] == 2
    assert not AnnexASnapshot.objects.exists()
    assert not AnnexAEvent.objects.exists()


def test_unreadable_rows_are_kept_on_the_snapshot_and_the_rest_imported(world):
    data = xlsx({"List 3": [["Child ID", "Date of referral"], ["A", "soon"], ["B", D(2026, 3, 2)]]})
    snapshot = annex_a_import(data=data, file_name="a.xlsx", today=TODAY).snapshot
    assert snapshot.events_added == 1
    assert snapshot.problems == [
        {
            "sheet": "List 3",
            "row": 2,
            "column": "B (Date of referral)",
            "message": "'soon' is not a date we can read (use a date cell, 2026-03-31 or 31/03/2026)",
        }
    ]


# --- the job behind the page ---------------------------------------------------------------------------
def test_an_upload_is_imported_by_a_job_and_the_file_is_not_kept(world, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        upload = annex_a_upload_create(file_name="may.xlsx", data=older_workbook(), actor=world.people["bi_officer"])
    upload.refresh_from_db()
    assert upload.status == AnnexAUpload.Status.IMPORTED
    assert bytes(upload.content) == b""
    assert upload.job.status == "done"
    assert upload.snapshot.imported_by == world.people["bi_officer"]
    assert "4 events added" in upload.message
    assert AccessLog.objects.filter(
        user=world.people["bi_officer"], action="import", object_type="annex_a", object_ref=str(upload.snapshot.pk)
    ).exists()


def test_an_upload_already_imported_changes_nothing_and_queues_no_job(world):
    data = older_workbook()
    snapshot = annex_a_import(data=data, file_name="may.xlsx", today=TODAY).snapshot
    upload = annex_a_upload_create(file_name="may again.xlsx", data=data, actor=world.people["qa_officer"])
    assert (upload.status, upload.snapshot, upload.job, bytes(upload.content)) == ("already", snapshot, None, b"")
    assert "imported already" in upload.message


def test_an_upload_that_is_not_readable_is_refused(world, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        upload = annex_a_upload_create(
            file_name="notes.xlsx", data=xlsx({"Notes": [["hello"]]}), actor=world.people["qa_officer"]
        )
    upload.refresh_from_db()
    assert upload.status == AnnexAUpload.Status.REFUSED
    assert "no sheet we recognise" in upload.message
    assert bytes(upload.content) == b""


# --- the command ---------------------------------------------------------------------------------------
def test_the_command_imports_and_prints_the_summary_and_unreadable_rows(world, tmp_path):
    path = tmp_path / "annex-a.xlsx"
    path.write_bytes(
        xlsx({"List 3": [["Child ID", "Sex", "Date of referral"], ["A", "F", "31/13/2026"], ["B", "M", D(2026, 3, 2)]]})
    )
    out, err = StringIO(), StringIO()
    call_command("import_annex_a", str(path), stdout=out, stderr=err)
    assert "annex-a.xlsx: 1 rows read, 1 events added, 0 updated, 1 unreadable row problems" in out.getvalue()
    assert "Not kept from 'List 3' (least data): Sex" in out.getvalue()
    assert "Rows left out (1 problem):" in err.getvalue()
    assert "List 3, row 2, column C (Date of referral): '31/13/2026' is not a date" in err.getvalue()
    out = StringIO()
    call_command("import_annex_a", str(path), stdout=out, stderr=StringIO())
    assert "imported already" in out.getvalue()
    assert AnnexASnapshot.objects.count() == 1


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (b"child_id,date\nA,2026-03-01\n", "not an Excel workbook"),
        (None, "no sheet we recognise"),
    ],
)
def test_the_command_exits_non_zero_for_an_unreadable_file(world, tmp_path, content, message):
    path = tmp_path / "file.xlsx"
    path.write_bytes(content if content is not None else xlsx({"Summary": [["Total", 3]]}))
    with pytest.raises(CommandError, match=message):
        call_command("import_annex_a", str(path), stdout=StringIO(), stderr=StringIO())
    assert not AnnexASnapshot.objects.exists()


def test_the_command_exits_non_zero_for_a_missing_file(world, tmp_path):
    with pytest.raises(CommandError, match="Cannot read"):
        call_command("import_annex_a", str(tmp_path / "missing.xlsx"), stdout=StringIO(), stderr=StringIO())
