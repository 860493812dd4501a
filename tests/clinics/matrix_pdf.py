"""Matrix entries for the report PDF pages (clinics/urls_pdf.py).

The report is team A1's clinic report: its readers are A1's team manager, area A's service
manager and head of service, and the whole-service roles (AD, director, QA team); everyone else
gets 404 for its jobs, files and prints. The "every team report" page is for managers and the QA
team (403 for others); a batch is its requester's only (404 for everyone else).
"""

from __future__ import annotations

import uuid
from typing import Any

from tests.matrix import QA_TEAM, Entry, each

from .test_report_pdf import make_report

READERS = ("team_manager_same", "service_manager_same", "head_of_service", "assistant_director", "director", *QA_TEAM)
BATCH_USERS = (
    "team_manager_same",
    "team_manager_other",
    "service_manager_same",
    "service_manager_other",
    "head_of_service",
    "assistant_director",
    "director",
    *QA_TEAM,
)
REQUESTER = "service_manager_same"


def _done_job(world: Any) -> tuple[Any, Any]:
    """A draft print of A1's report, made (a stored file), without rendering."""
    from clinics.models import ReportFile
    from core.models import Job

    report = make_report(world)
    job = Job.objects.create(
        kind="report-pdf",
        key=f"report-pdf:{report.pk}:{uuid.uuid4().hex}",
        payload={"report": report.pk, "version": None},
        status=Job.Status.DONE,
    )
    stored = ReportFile.objects.create(
        report=report,
        kind=report.kind,
        scope_key=report.scope_key,
        period=report.period,
        job=job,
        file_name="team-clinic_a1_2026-10_draft.pdf",
        size=8,
        pages=1,
        data=b"%PDF-1.7",
    )
    job.result = {"file": stored.pk, "file_name": stored.file_name, "size": 8, "pages": 1}
    job.save()
    return job, stored


def _job(world: Any) -> dict[str, Any]:
    return {"job_id": _done_job(world)[0].pk}


def _file(world: Any) -> dict[str, Any]:
    return {"file_id": _done_job(world)[1].pk}


def _report(world: Any) -> dict[str, Any]:
    return {"report_id": make_report(world).pk}


def _version(world: Any) -> dict[str, Any]:
    return {"version_id": make_report(world, final=True).versions.get().pk}


def _batch(world: Any) -> dict[str, Any]:
    from clinics.models import ReportBatch

    job, stored = _done_job(world)
    batch = ReportBatch.objects.create(
        period=stored.report.period,
        items=[{"team": world.team_a1.pk, "report": stored.report_id, "job": job.pk}],
        requested_by=world.people[REQUESTER],
    )
    return {"batch_id": batch.pk}


def _shows(kwargs: Any) -> Entry:
    return Entry({"default": (404, 405), **each(READERS, (200, 405))}, kwargs=kwargs)


def _queues(kwargs: Any) -> Entry:
    # POST only; a reader's print (or a "Try again" of a job that has not failed) redirects.
    return Entry({"default": (405, 404), **each(READERS, (405, 302))}, kwargs=kwargs)


def _batch_page() -> Entry:
    return Entry({"default": (404, 405), REQUESTER: (200, 405)}, kwargs=_batch)


ENTRIES = {
    "clinics:pdf-job": (_shows(_job),),
    "clinics:pdf-job-status": (_shows(_job),),
    "clinics:pdf-job-retry": (_queues(_job),),
    "clinics:pdf-download": (_shows(_file),),
    "clinics:pdf-report-draft": (_queues(_report),),
    "clinics:pdf-version": (_queues(_version),),
    # An empty month is shown again with its error.
    "clinics:pdf-batch-new": (Entry({"default": (403, 403), **each(BATCH_USERS, (200, 200))}),),
    "clinics:pdf-batch": (_batch_page(),),
    "clinics:pdf-batch-status": (_batch_page(),),
    "clinics:pdf-batch-zip": (_batch_page(),),
}
