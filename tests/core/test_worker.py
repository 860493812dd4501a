"""A real Celery worker process does the work a page queued (Redis broker, the test database)."""

from __future__ import annotations

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from core.models import ImportBatch, Job
from organisation.models import CaseFile, Role
from tests.conftest import wait_for
from tests.factories import TeamFactory, person_with_role

pytestmark = pytest.mark.worker

CLEAN_CSV = (
    "case_reference,child_initials,birth_year,case_type,team_code,opened_on\n"
    "WRK-001,AB,2015,child_in_need,w1,2024-01-10\n"
    "WRK-002,CD,2016,child_protection,w1,2024-02-11\n"
    "WRK-003,EF,2012,child_in_care,w1,2023-11-30\n"
)


def test_a_confirmed_caseload_import_is_done_by_the_worker(celery_worker, client, monkeypatch):
    from core import tasks
    from qaframework.celery import app

    # This process only queues: nothing may run the job here.
    assert app.conf.task_always_eager is False
    ran_here: list[int] = []
    monkeypatch.setattr(tasks, "job_run", lambda *, job_id: ran_here.append(job_id))

    TeamFactory(code="w1")
    client.force_login(person_with_role(Role.QA_OFFICER))
    upload = SimpleUploadedFile("caseload.csv", CLEAN_CSV.encode(), content_type="text/csv")
    response = client.post(reverse("organisation:caseload-import"), {"file": upload})
    assert response.status_code == 302
    batch = ImportBatch.objects.get()
    assert batch.status == ImportBatch.Status.CHECKED
    assert not CaseFile.objects.exists()

    response = client.post(reverse("organisation:caseload-batch-confirm", args=[batch.pk]))
    assert response.status_code == 302

    # The timeout is a hang guard only.
    assert wait_for(lambda: ImportBatch.objects.get(pk=batch.pk).status != ImportBatch.Status.QUEUED, timeout=60), (
        "the worker did not pick up the import (see .cache/test-worker*.log)"
    )
    assert set(CaseFile.objects.values_list("case_reference", flat=True)) == {"WRK-001", "WRK-002", "WRK-003"}
    page = client.get(reverse("organisation:caseload-batch", args=[batch.pk])).content.decode()
    assert "Import complete" in page
    assert "3 created" in page

    job = Job.objects.get(key=f"caseload-import:{batch.pk}")
    assert job.status == Job.Status.DONE
    assert job.attempts == 1
    assert job.started_at is not None
    assert job.result["created"] == 3
    assert ran_here == []
