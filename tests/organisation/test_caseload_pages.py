"""The QA team's caseload import pages: upload, check, confirm (tasks run in-process)."""

from __future__ import annotations

import csv
import html
import io
import re

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from core.models import ImportBatch, Job
from organisation.models import CaseFile

from .test_caseload_import import csv_text, line, line_for

UPLOAD_URL = reverse("organisation:caseload-import")
HistoricalCaseFile = CaseFile.history.model


def page_text(response) -> str:
    return html.unescape(response.content.decode())


def summary_value(text: str, key: str) -> str:
    """The value beside ``key`` in the batch page's summary list."""
    match = re.search(
        rf'<dt class="govuk-summary-list__key">{re.escape(key)}</dt>\s*'
        r'<dd class="govuk-summary-list__value">([^<]*)</dd>',
        text,
    )
    assert match, f"{key!r} is not on the page"
    return match.group(1).strip()


def upload(client, content: str | bytes, *, full_extract: bool = False, name: str = "caseload.csv"):
    data = content.encode("utf-8") if isinstance(content, str) else content
    post = {"file": SimpleUploadedFile(name, data, content_type="text/csv")}
    if full_extract:
        post["full_extract"] = "on"
    return client.post(UPLOAD_URL, post, follow=True)


def confirm(client, batch: ImportBatch, capture):
    """Press "Confirm and import", let the queued job run (after commit), then follow the redirect."""
    with capture(execute=True):
        response = client.post(reverse("organisation:caseload-batch-confirm", args=[batch.pk]))
    assert response.status_code == 302
    return client.get(response["Location"])


@pytest.fixture
def qa_client(client, world):
    client.force_login(world.people["qa_officer"])
    return client


def test_a_file_with_problems_lists_every_problem_and_cannot_be_confirmed(qa_client, world):
    before = CaseFile.objects.count()
    rows = [
        line(case_reference="NEW-1", team_code="zz9"),
        line(case_reference="NEW-2", opened_on="2024-02-30", child_initials="Jane"),
    ]

    response = upload(qa_client, csv_text(rows))

    text = page_text(response)
    assert "The file was refused: 3 problems to fix" in text
    problems = re.search(r'<ul[^>]*id="problems">(.*?)</ul>', text, re.S).group(1)
    assert re.findall(r"<li>(.*?)</li>", problems) == [
        "row 2, column team_code: 'zz9' is not a team in the app",
        "row 3, column child_initials: use the child's initials only (up to 4 letters), never a name",
        "row 3, column opened_on: '2024-02-30' is not a real date",
    ]
    assert "Confirm and import" not in text
    assert CaseFile.objects.count() == before
    refused = ImportBatch.objects.get()
    assert refused.status == ImportBatch.Status.REFUSED
    assert refused.content == ""  # a refused file is not kept


def test_a_clean_file_shows_what_will_happen_and_writes_nothing_until_confirmed(
    qa_client, world, django_capture_on_commit_callbacks
):
    count_before = CaseFile.objects.count()
    rows = [
        line(case_reference="NEW-1"),
        line(case_reference="NEW-2", practitioner_email=""),
        line_for(world.case_a, team_code="a2"),
        line_for(world.case_b),
    ]

    response = upload(qa_client, csv_text(rows), name="march.csv")

    text = page_text(response)
    assert "march.csv" in text
    assert summary_value(text, "New case files") == "2"
    assert summary_value(text, "Case files updated") == "1"
    assert summary_value(text, "Unchanged") == "1"
    assert "row 3, column practitioner_email: blank: the case comes in unallocated" in text
    assert "Confirm and import" in text
    # Nothing is written by the check.
    assert CaseFile.objects.count() == count_before
    world.case_a.refresh_from_db()
    assert world.case_a.team == world.team_a1

    batch = ImportBatch.objects.get()
    response = confirm(qa_client, batch, django_capture_on_commit_callbacks)

    text = page_text(response)
    assert "Import complete" in text
    assert "2 created, 1 updated, 1 unchanged, 1 with warnings" in text
    assert CaseFile.objects.count() == count_before + 2
    assert CaseFile.objects.get(case_reference="NEW-2").practitioner is None
    world.case_a.refresh_from_db()
    assert world.case_a.team == world.team_a2
    # The history names the QA officer who confirmed the upload.
    assert world.case_a.history.first().history_user == world.people["qa_officer"]
    # Least data: the imported file's references and initials are not kept in the batch.
    batch.refresh_from_db()
    assert batch.content == ""


def test_confirming_twice_imports_once(qa_client, world, django_capture_on_commit_callbacks):
    upload(qa_client, csv_text([line(case_reference="NEW-1"), line_for(world.case_a, team_code="a2")]))
    batch = ImportBatch.objects.get()
    confirm(qa_client, batch, django_capture_on_commit_callbacks)
    count_after_first = CaseFile.objects.count()
    history_after_first = HistoricalCaseFile.objects.count()

    response = confirm(qa_client, batch, django_capture_on_commit_callbacks)

    text = page_text(response)
    assert "This import has already been confirmed" in text
    assert "Import complete" in text
    assert CaseFile.objects.count() == count_after_first
    assert HistoricalCaseFile.objects.count() == history_after_first
    assert Job.objects.count() == 1


def test_confirm_checks_the_file_again_and_refuses_it_if_the_app_changed(
    qa_client, world, django_capture_on_commit_callbacks
):
    count_before = CaseFile.objects.count()
    upload(
        qa_client, csv_text([line(case_reference="NEW-1", team_code="a1"), line_for(world.case_b, legal_status="X")])
    )
    batch = ImportBatch.objects.get()
    assert batch.status == ImportBatch.Status.CHECKED
    # Between the check and the confirm, team A1's code changes.
    world.team_a1.code = "a1-old"
    world.team_a1.save(update_fields=["code"])

    response = confirm(qa_client, batch, django_capture_on_commit_callbacks)

    text = page_text(response)
    assert "The file was refused: 1 problem to fix" in text
    assert "row 2, column team_code: 'a1' is not a team in the app" in text
    assert "checked again when the import was confirmed" in text
    assert "Import complete" not in text
    assert "Confirm and import" not in text
    assert CaseFile.objects.count() == count_before
    world.case_b.refresh_from_db()
    assert world.case_b.legal_status != "X"


def test_a_full_extract_flags_missing_open_cases_after_confirm(qa_client, world, django_capture_on_commit_callbacks):
    response = upload(qa_client, csv_text([line_for(world.case_a), line_for(world.case_b)]), full_extract=True)

    text = page_text(response)
    assert summary_value(text, "Open case files not in this extract (to be flagged)") == "2"
    assert not CaseFile.objects.filter(not_in_latest_extract=True).exists()

    response = confirm(qa_client, ImportBatch.objects.get(), django_capture_on_commit_callbacks)

    assert "2 flagged not in the latest extract" in page_text(response)
    flagged = set(CaseFile.objects.filter(not_in_latest_extract=True).values_list("case_reference", flat=True))
    assert flagged == {"CASE-R", "CASE-EH"}
    assert not CaseFile.objects.filter(closed_on__isnull=False).exists()


def test_a_file_that_is_not_utf8_gets_a_clear_message(qa_client, world):
    response = upload(qa_client, csv_text([line(child_initials="ÉO")]).encode("cp1252"))

    text = page_text(response)
    assert response.status_code == 200
    assert "There is a problem" in text
    assert "The file is not UTF-8 text. In Excel, use 'Save as' and choose 'CSV UTF-8 (comma delimited)'." in text
    assert not ImportBatch.objects.exists()


def test_a_utf16_file_gets_a_clear_message(qa_client, world):
    # Excel's "Unicode text" without a byte-order mark: valid UTF-8 bytes, full of NULs.
    response = upload(qa_client, csv_text([line()]).encode("utf-16-le"))

    assert "The file is not UTF-8 text (it contains NUL characters" in page_text(response)
    assert not ImportBatch.objects.exists()


def test_posting_no_file_asks_for_one(qa_client, world):
    response = qa_client.post(UPLOAD_URL, {})

    text = page_text(response)
    assert response.status_code == 200
    summary = re.search(r'<div class="govuk-error-summary".*?</ul>', text, re.S).group(0)
    assert "Choose a CSV file to check" in summary
    assert "<title>Error: Import the caseload" in text
    assert not ImportBatch.objects.exists()


@pytest.mark.parametrize("persona", ["team_manager_same", "practitioner_own"])
def test_other_roles_cannot_upload_see_or_confirm_a_batch(client, world, persona, django_capture_on_commit_callbacks):
    qa = world.people["qa_officer"]
    batch = ImportBatch.objects.create(
        kind=ImportBatch.Kind.CASELOAD,
        file_name="caseload.csv",
        content=csv_text([line(case_reference="NEW-1")]),
        uploaded_by=qa,
        summary={"rows": 1, "to_create": 1, "to_update": 0, "unchanged": 0, "to_flag": 0},
    )
    client.force_login(world.people[persona])

    assert client.get(UPLOAD_URL).status_code == 403
    assert upload(client, csv_text([line(case_reference="NEW-2")])).status_code == 403
    assert client.get(reverse("organisation:caseload-template")).status_code == 403
    assert client.get(reverse("organisation:caseload-batch", args=[batch.pk])).status_code == 404
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("organisation:caseload-batch-confirm", args=[batch.pk]))
    assert response.status_code == 404
    batch.refresh_from_db()
    assert batch.status == ImportBatch.Status.CHECKED
    assert not CaseFile.objects.filter(case_reference__in=["NEW-1", "NEW-2"]).exists()
    assert ImportBatch.objects.count() == 1


def test_confirm_is_post_only(qa_client, world):
    upload(qa_client, csv_text([line(case_reference="NEW-1")]))
    batch = ImportBatch.objects.get()

    response = qa_client.get(reverse("organisation:caseload-batch-confirm", args=[batch.pk]))

    assert response.status_code == 405
    batch.refresh_from_db()
    assert batch.status == ImportBatch.Status.CHECKED
    assert not CaseFile.objects.filter(case_reference="NEW-1").exists()


def test_the_template_download_has_the_thirteen_columns_in_order(qa_client, world):
    response = qa_client.get(reverse("organisation:caseload-template"))

    assert response.status_code == 200
    assert response["Content-Disposition"] == 'attachment; filename="caseload-template.csv"'
    rows = list(csv.reader(io.StringIO(response.content.decode("utf-8"))))
    assert rows == [
        [
            "case_reference",
            "child_initials",
            "birth_year",
            "unborn",
            "case_type",
            "legal_status",
            "team_code",
            "practitioner_email",
            "chair_email",
            "family_reference",
            "restricted",
            "opened_on",
            "closed_on",
        ]
    ]
