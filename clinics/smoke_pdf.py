"""Smoke-test samplers for the report PDF pages with parameters (see observations/smoke.py).

Each takes the smoke test's personas and returns the URL's kwargs from the demo database, or None
when there is nothing to show."""

from __future__ import annotations

from typing import Any

SAMPLERS: dict[str, Any] = {}


def _job(personas: Any) -> dict[str, Any] | None:
    from core.models import Job

    job = Job.objects.filter(kind="report-pdf").order_by("-pk").first()
    return {"job_id": job.pk} if job else None


def _file(personas: Any) -> dict[str, Any] | None:
    from .models import ReportFile

    stored = ReportFile.objects.order_by("-pk").only("pk").first()
    return {"file_id": stored.pk} if stored else None


def _report(personas: Any) -> dict[str, Any] | None:
    from .models import HighlightReport

    report = HighlightReport.objects.filter(team__isnull=False).order_by("-period", "pk").first()
    return {"report_id": report.pk} if report else None


def _version(personas: Any) -> dict[str, Any] | None:
    from .models import ReportVersion

    version = ReportVersion.objects.order_by("-pk").first()
    return {"version_id": version.pk} if version else None


def _batch(personas: Any) -> dict[str, Any] | None:
    from .models import ReportBatch

    batch = ReportBatch.objects.filter(requested_by=personas.team_manager).order_by("-pk").first()
    batch = batch or ReportBatch.objects.order_by("-pk").first()
    return {"batch_id": batch.pk} if batch else None


SAMPLERS.update(dict.fromkeys(("clinics:pdf-job", "clinics:pdf-job-status", "clinics:pdf-job-retry"), _job))
SAMPLERS["clinics:pdf-download"] = _file
SAMPLERS["clinics:pdf-report-draft"] = _report
SAMPLERS["clinics:pdf-version"] = _version
SAMPLERS.update(dict.fromkeys(("clinics:pdf-batch", "clinics:pdf-batch-status", "clinics:pdf-batch-zip"), _batch))
