"""Report PDFs as jobs: queued, made, stored, downloaded only by readers; failures retried and then
shown with "Try again"; the real Celery worker on Redis does the same."""

from __future__ import annotations

import io
from typing import Any

import pytest
from django.urls import reverse
from pypdf import PdfReader

from clinics import pdf_jobs
from clinics.models import ReportFile
from clinics.pdf_jobs import pdf_status_for, queue_report_pdf
from core.jobs import MAX_ATTEMPTS
from core.models import Job
from tests.conftest import wait_for

from .test_report_pdf import make_report, pdf_text, squash


def _queue(report: Any, actor: Any, *, version: Any = None) -> Job:
    from django.db import transaction

    with transaction.atomic():
        job = queue_report_pdf(report=report, version=version, actor=actor)
    job.refresh_from_db()
    return job


def test_a_draft_print_is_made_stored_and_downloaded_by_a_reader(world, client, django_capture_on_commit_callbacks):
    report = make_report(world, narrative={"working_well": "Visits were on time."})
    manager = world.people["team_manager_same"]
    client.force_login(manager)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("clinics:pdf-report-draft", args=[report.pk]))
    job = Job.objects.get(kind="report-pdf")
    assert response.status_code == 302
    assert response["Location"] == reverse("clinics:pdf-job", args=[job.pk])
    assert job.status == Job.Status.DONE
    stored = ReportFile.objects.get(report=report)
    assert stored.version is None
    assert stored.job_id == job.pk
    assert stored.file_name == "team-clinic_a1_2026-10_draft.pdf"
    assert stored.size == len(bytes(stored.data))
    assert stored.pages == len(PdfReader(io.BytesIO(bytes(stored.data))).pages)

    # The job page offers the download with its size and pages; the JSON says it has finished.
    page = client.get(reverse("clinics:pdf-job", args=[job.pk])).content.decode()
    download = reverse("clinics:pdf-download", args=[stored.pk])
    assert f'href="{download}"' in page
    assert f"{stored.pages} page" in page
    status = client.get(reverse("clinics:pdf-job-status", args=[job.pk])).json()
    assert status["state"] == "done"
    assert status["finished"] is True
    assert download in status["html"]

    response = client.get(download)
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert response["Content-Disposition"] == 'attachment; filename="team-clinic_a1_2026-10_draft.pdf"'
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Cache-Control"] == "private, no-store"
    text = squash(pdf_text(response.content))
    assert "Visits were on time." in text
    assert "DRAFT" in text

    # The service manager of the area reads it too.
    client.force_login(world.people["service_manager_same"])
    assert client.get(download).status_code == 200


@pytest.mark.parametrize("persona", ["team_manager_other", "service_manager_other", "practitioner_own", "bi_officer"])
def test_another_scopes_pdf_and_job_answer_404(world, client, persona, django_capture_on_commit_callbacks):
    report = make_report(world)
    with django_capture_on_commit_callbacks(execute=True):
        job = _queue(report, world.people["team_manager_same"])
    stored = ReportFile.objects.get(report=report)
    client.force_login(world.people[persona])
    assert client.get(reverse("clinics:pdf-download", args=[stored.pk])).status_code == 404
    assert client.get(reverse("clinics:pdf-job", args=[job.pk])).status_code == 404
    assert client.get(reverse("clinics:pdf-job-status", args=[job.pk])).status_code == 404
    assert client.post(reverse("clinics:pdf-report-draft", args=[report.pk])).status_code == 404


def test_a_final_report_prints_its_frozen_version(world, django_capture_on_commit_callbacks):
    report = make_report(world, final=True)
    version = report.versions.get()
    with django_capture_on_commit_callbacks(execute=True):
        _queue(report, world.people["team_manager_same"], version=version)
    stored = ReportFile.objects.get(report=report)
    assert stored.version == version
    assert stored.file_name == "team-clinic_a1_2026-10_v1.pdf"
    text = squash(pdf_text(bytes(stored.data)))
    # The hand-made frozen context's figures, not live ones.
    assert "Front Door East (Front Door)" in text
    assert "1,234" in text
    assert "DRAFT" not in text


def test_a_failing_render_is_retried_then_shown_failed_with_try_again(world, client, monkeypatch):
    report = make_report(world)
    calls: list[int] = []

    def broken(payload: dict) -> dict:
        calls.append(payload["report"])
        raise RuntimeError("renderer exploded at /srv/secret/path")

    monkeypatch.setattr(pdf_jobs, "render_for_payload", broken)
    manager = world.people["team_manager_same"]
    client.force_login(manager)
    response = client.post(reverse("clinics:pdf-report-draft", args=[report.pk]))
    assert response.status_code == 302
    job = Job.objects.get(kind="report-pdf")
    # Run the task in-process as the worker would: each try is a new attempt, as its retries are.
    from core.tasks import run_job_task

    run_job_task.apply(args=[job.pk])
    job.refresh_from_db()
    assert len(calls) == MAX_ATTEMPTS
    assert job.status == Job.Status.FAILED
    assert job.attempts == MAX_ATTEMPTS
    assert not ReportFile.objects.exists()

    status = pdf_status_for(report)
    assert status["state"] == "failed"
    page = client.get(reverse("clinics:pdf-job", args=[job.pk])).content.decode()
    assert "The PDF could not be made." in page
    assert "Try again" in page
    assert "/srv/secret/path" not in page
    assert reverse("clinics:pdf-job-retry", args=[job.pk]) in page

    # "Try again" with the renderer mended: a new job, made.
    monkeypatch.undo()
    response = client.post(reverse("clinics:pdf-job-retry", args=[job.pk]))
    new = Job.objects.filter(kind="report-pdf").exclude(pk=job.pk).get()
    assert response["Location"] == reverse("clinics:pdf-job", args=[new.pk])
    run_job_task.apply(args=[new.pk])
    new.refresh_from_db()
    assert new.status == Job.Status.DONE
    assert ReportFile.objects.filter(report=report, job=new).exists()
    assert pdf_status_for(report)["state"] == "done"


def test_try_again_is_only_for_a_failed_job(world, client, django_capture_on_commit_callbacks):
    report = make_report(world)
    with django_capture_on_commit_callbacks(execute=True):
        job = _queue(report, world.people["team_manager_same"])
    client.force_login(world.people["team_manager_same"])
    client.post(reverse("clinics:pdf-job-retry", args=[job.pk]))
    assert Job.objects.filter(kind="report-pdf").count() == 1


def test_the_status_partial_polls_without_a_meta_refresh(world, client):
    report = make_report(world)
    job = _queue(report, world.people["team_manager_same"])  # not run: stays queued
    client.force_login(world.people["team_manager_same"])
    page = client.get(reverse("clinics:pdf-job", args=[job.pk])).content.decode()
    assert "Preparing the PDF" in page
    assert 'role="status"' in page
    assert f'data-pdf-status-url="{reverse("clinics:pdf-job-status", args=[job.pk])}"' in page
    assert "Check again" in page
    assert "http-equiv" not in page
    assert client.get(reverse("clinics:pdf-job-status", args=[job.pk])).json()["finished"] is False


@pytest.mark.worker
def test_the_worker_makes_the_pdf_and_it_downloads(celery_worker, world, client, monkeypatch):
    from core import tasks
    from qaframework.celery import app

    assert app.conf.task_always_eager is False
    ran_here: list[int] = []
    monkeypatch.setattr(tasks, "job_run", lambda *, job_id: ran_here.append(job_id))

    report = make_report(world, narrative={"working_well": "Made by the worker."})
    client.force_login(world.people["team_manager_same"])
    response = client.post(reverse("clinics:pdf-report-draft", args=[report.pk]))
    assert response.status_code == 302
    job = Job.objects.get(kind="report-pdf")
    assert wait_for(lambda: Job.objects.get(pk=job.pk).status in (Job.Status.DONE, Job.Status.FAILED), timeout=120)
    job.refresh_from_db()
    assert job.status == Job.Status.DONE, job.error
    assert ran_here == []
    stored = ReportFile.objects.get(report=report)
    response = client.get(reverse("clinics:pdf-download", args=[stored.pk]))
    assert response.status_code == 200
    assert "Made by the worker." in squash(pdf_text(response.content))
