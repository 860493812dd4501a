"""Every team report at once: one job per team in the manager's scope, progress per team, and a
zip of the PDFs with one file per team in scope and none outside it."""

from __future__ import annotations

import io
import zipfile

from django.urls import reverse

from clinics.models import HighlightReport, ReportBatch, ReportFile
from core.models import Job

from .test_report_pdf import make_report, pdf_text, squash


def _start(client, django_capture_on_commit_callbacks, month: str = "2026-10") -> ReportBatch:
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("clinics:pdf-batch-new"), {"month": month})
    batch = ReportBatch.objects.latest("pk")
    assert response.status_code == 302
    assert response["Location"] == reverse("clinics:pdf-batch", args=[batch.pk])
    return batch


def test_a_service_manager_gets_every_team_of_their_area_in_one_zip(world, client, django_capture_on_commit_callbacks):
    final = make_report(world, team=world.team_a1, final=True)
    client.force_login(world.people["service_manager_same"])
    batch = _start(client, django_capture_on_commit_callbacks)

    # Area A has A1 (finalised: its version is printed) and A2 (no report: a draft print of its
    # live figures, without creating a report row for it).
    assert sorted(item["team"] for item in batch.items) == sorted([world.team_a1.pk, world.team_a2.pk])
    assert HighlightReport.objects.count() == 1
    # Both prints are stored: A1's finalised version, and A2's draft print with no report row.
    assert ReportFile.objects.get(report=final).version == final.versions.get()
    a2_print = ReportFile.objects.get(report=None)
    assert (a2_print.kind, a2_print.scope_key, a2_print.version) == ("team-clinic", f"team:{world.team_a2.code}", None)
    assert set(Job.objects.filter(kind="report-pdf").values_list("status", flat=True)) == {Job.Status.DONE}

    page = client.get(reverse("clinics:pdf-batch", args=[batch.pk])).content.decode()
    assert "2 of 2 ready" in page
    assert world.team_a1.name in page
    assert world.team_a2.name in page
    assert world.team_b1.name not in page
    assert reverse("clinics:pdf-batch-zip", args=[batch.pk]) in page

    response = client.get(reverse("clinics:pdf-batch-zip", args=[batch.pk]))
    assert response.status_code == 200
    assert response["Content-Type"] == "application/zip"
    assert response["Content-Disposition"] == 'attachment; filename="team-clinic-reports_2026-10.zip"'
    archive = zipfile.ZipFile(io.BytesIO(b"".join(response.streaming_content)))
    assert archive.testzip() is None
    assert sorted(archive.namelist()) == ["team-clinic_a1_2026-10_v1.pdf", "team-clinic_a2_2026-10_draft.pdf"]
    assert world.team_a2.name in squash(pdf_text(archive.read("team-clinic_a2_2026-10_draft.pdf")))


def test_a_team_manager_gets_only_their_team_and_a_draft_report_prints_as_a_draft(
    world, client, django_capture_on_commit_callbacks
):
    make_report(world, team=world.team_a1, narrative={"working_well": "Draft words."})
    make_report(world, team=world.team_b1)
    client.force_login(world.people["team_manager_same"])
    batch = _start(client, django_capture_on_commit_callbacks)
    assert [item["team"] for item in batch.items] == [world.team_a1.pk]
    response = client.get(reverse("clinics:pdf-batch-zip", args=[batch.pk]))
    archive = zipfile.ZipFile(io.BytesIO(b"".join(response.streaming_content)))
    assert archive.namelist() == ["team-clinic_a1_2026-10_draft.pdf"]
    assert "Draft words." in squash(pdf_text(archive.read(archive.namelist()[0])))


def test_someone_elses_batch_answers_404_and_the_zip_leaves_out_what_they_may_no_longer_read(
    world, client, django_capture_on_commit_callbacks
):
    client.force_login(world.people["assistant_director"])
    batch = _start(client, django_capture_on_commit_callbacks)
    assert len(batch.items) == 4  # every team of the authority

    client.force_login(world.people["service_manager_same"])
    for name in ("clinics:pdf-batch", "clinics:pdf-batch-zip", "clinics:pdf-batch-status"):
        assert client.get(reverse(name, args=[batch.pk])).status_code == 404

    # Even the requester's own batch holds only what they may read today.
    batch.requested_by = world.people["service_manager_same"]
    batch.save()
    response = client.get(reverse("clinics:pdf-batch-zip", args=[batch.pk]))
    names = zipfile.ZipFile(io.BytesIO(b"".join(response.streaming_content))).namelist()
    assert sorted(names) == ["team-clinic_a1_2026-10_draft.pdf", "team-clinic_a2_2026-10_draft.pdf"]


def test_the_month_is_checked_and_what_was_typed_is_kept(world, client):
    client.force_login(world.people["head_of_service"])
    response = client.post(reverse("clinics:pdf-batch-new"), {"month": "October"})
    assert response.status_code == 200
    page = response.content.decode()
    assert "There is a problem" in page
    assert 'value="October"' in page
    assert not ReportBatch.objects.exists()


def test_a_failed_item_offers_try_again_and_the_batch_follows_the_new_job(
    world, client, monkeypatch, django_capture_on_commit_callbacks
):
    from clinics import pdf_jobs

    def broken(payload):
        raise RuntimeError("no")

    monkeypatch.setattr(pdf_jobs, "render_for_payload", broken)
    client.force_login(world.people["team_manager_same"])
    batch = _start(client, django_capture_on_commit_callbacks)
    old = batch.items[0]["job"]
    assert Job.objects.get(pk=old).status == Job.Status.FAILED
    page = client.get(reverse("clinics:pdf-batch", args=[batch.pk])).content.decode()
    assert "Failed" in page
    assert reverse("clinics:pdf-job-retry", args=[old]) in page
    monkeypatch.undo()
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            reverse("clinics:pdf-job-retry", args=[old]), {"next": reverse("clinics:pdf-batch", args=[batch.pk])}
        )
    assert response["Location"] == reverse("clinics:pdf-batch", args=[batch.pk])
    batch.refresh_from_db()
    assert batch.items[0]["job"] != old
    assert Job.objects.get(pk=batch.items[0]["job"]).status == Job.Status.DONE
    assert "1 of 1 ready" in client.get(reverse("clinics:pdf-batch", args=[batch.pk])).content.decode()


def test_people_without_teams_to_manage_may_not_use_the_page(world, client):
    for persona in ("practitioner_own", "bi_officer", "principal_social_worker"):
        client.force_login(world.people[persona])
        assert client.get(reverse("clinics:pdf-batch-new")).status_code == 403


def test_the_reports_list_offers_the_batch_for_its_month_to_managers_only(client, world):
    client.force_login(world.people["team_manager_same"])
    page = client.get(reverse("clinics:report-list"), {"month": "2026-09"}).content.decode()
    link = f"{reverse('clinics:pdf-batch-new')}?month=2026-09"
    assert f'href="{link}"' in page
    assert "every team report for September 2026" in page
    # The batch page opens on that month.
    form = client.get(link).content.decode()
    assert 'value="2026-09"' in form

    client.force_login(world.people["principal_social_worker"])
    page = client.get(reverse("clinics:report-list"), {"month": "2026-09"}).content.decode()
    assert reverse("clinics:pdf-batch-new") not in page


def test_the_batch_page_asks_the_same_queries_however_many_teams(world, client, django_capture_on_commit_callbacks):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from organisation.models import Team

    def page_queries() -> tuple[int, str]:
        batch = _start(client, django_capture_on_commit_callbacks)
        with CaptureQueriesContext(connection) as queries:
            page = client.get(reverse("clinics:pdf-batch", args=[batch.pk])).content.decode()
        return len(queries), page

    client.force_login(world.people["service_manager_same"])
    two, page = page_queries()
    assert page.count("Download") >= 2
    for n in range(3):
        Team.objects.create(code=f"a-extra-{n}", name=f"Extra {n}", service_area=world.area_a)
    five, page = page_queries()
    assert page.count("Download") >= 5
    assert five == two
