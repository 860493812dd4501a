"""Highlight-report PDFs made by the worker (DESIGN section 8, STYLE.md 16).

A PDF is a job row first (``core.jobs.job_enqueue``, kind ``report-pdf``): the page that asks for
one writes the row, the Celery task renders after commit, and the result is stored in the
database as a :class:`ReportFile` (never on one server's disk) and served only by the authorised
download view. A failure is retried by ``core.jobs`` and then shown on the report page with
"Try again", which queues a fresh job.

Three kinds of print:

* a finalised version — its frozen context and narrative, named ``..._v<n>.pdf``;
* a draft print of a live report — the kind's builder runs *at job time*, with the draft's
  narrative as it is then, named ``..._draft.pdf``;
* a draft print of a team with no report row yet (only from the "every team report" batch, which
  must not create draft rows in other people's names) — the live context and no narrative, stored
  as a :class:`ReportFile` with no report, known by its kind, place and period.
"""

from __future__ import annotations

import datetime
import uuid
from typing import Any

from django.db import transaction
from django.db.models import QuerySet
from django.urls import reverse
from django.utils import timezone

from core import hooks
from core.jobs import job_enqueue
from core.models import Job
from organisation.models import Team
from organisation.scope import Scope

from .models import HighlightReport, ReportBatch, ReportFile, ReportKind, ReportVersion
from .permissions import place_of, readable_team_places
from .report_kinds import KINDS

KIND = "report-pdf"
# What a person sees instead of an exception's text.
FAILED_MESSAGE = "The PDF could not be made. Try again; if it fails again, tell the service desk."


def _author_name(user: Any) -> str:
    if user is None:
        return ""
    return str(getattr(user, "full_name", "") or getattr(user, "email", "") or user)


# --- queuing -------------------------------------------------------------------------------------
def queue_report_pdf(*, report: HighlightReport, version: ReportVersion | None, actor: Any) -> Job:
    """Queue a PDF of ``version`` (a finalised version) or, with None, a draft print of the live
    report. Every request is a new job (a fresh key), so "Try again" and a second print after
    new data both render anew."""
    if version is not None and version.report_id != report.pk:
        raise ValueError("The version is not one of this report's")
    payload = {"report": report.pk, "version": version.pk if version else None}
    return job_enqueue(kind=KIND, key=f"{KIND}:{report.pk}:{uuid.uuid4().hex}", payload=payload, actor=actor)


def queue_team_draft_pdf(*, team: Team, period: datetime.date, actor: Any) -> Job:
    """Queue a draft print of a team's clinic report for ``period`` when the team has no report
    row (the batch). Nothing is written but the job row."""
    payload = {
        "report": None,
        "version": None,
        "kind": ReportKind.TEAM_CLINIC,
        "team": team.pk,
        "period": f"{period:%Y-%m}",
    }
    return job_enqueue(kind=KIND, key=f"{KIND}:team-{team.pk}:{uuid.uuid4().hex}", payload=payload, actor=actor)


def retry_report_pdf(*, job: Job, actor: Any) -> Job:
    """A new job asking for the same PDF as ``job`` (after a failure)."""
    payload = dict(job.payload)
    anchor = f"{payload.get('report')}" if payload.get("report") else f"team-{payload.get('team')}"
    return job_enqueue(kind=KIND, key=f"{KIND}:{anchor}:{uuid.uuid4().hex}", payload=payload, actor=actor)


# --- rendering -------------------------------------------------------------------------------------
def render_for_payload(payload: dict[str, Any]) -> dict[str, Any]:
    """What a job's payload asks for, rendered: ``{"report", "version", "file_name", "data",
    "pages"}``. Raises if the report or version has gone (the job then fails visibly)."""
    from qaframework.report_render import render_report_pdf, report_file_name

    report = version = None
    if payload.get("report"):
        report = HighlightReport.objects.select_related("team__service_area", "service_area", "author").get(
            pk=payload["report"]
        )
    if payload.get("version"):
        version = ReportVersion.objects.get(pk=payload["version"], report=report)
        context, narrative = version.context, version.narrative
        tables_in_appendix, author = version.tables_in_appendix, version.author_name
        status, finalised_at = "final", version.finalised_at
    elif report is not None:
        context = KINDS[report.kind].build(place_of(report), report.period)
        narrative, tables_in_appendix = report.narrative, report.tables_in_appendix
        author, status, finalised_at = _author_name(report.author), "draft", None
    else:
        team = Team.objects.select_related("service_area").get(pk=payload["team"])
        year, month = (int(part) for part in str(payload["period"]).split("-"))
        context = KINDS[payload.get("kind", ReportKind.TEAM_CLINIC)].build(team, datetime.date(year, month, 1))
        narrative, tables_in_appendix, author, status, finalised_at = {}, False, "", "draft", None
    data, pages = render_report_pdf(
        context=context,
        narrative=narrative or {},
        tables_in_appendix=tables_in_appendix,
        author_name=author or "Not started",
        status=status,
        finalised_at=finalised_at,
    )
    name = report_file_name(context, version_number=version.number if version else None)
    return {"report": report, "version": version, "context": context, "file_name": name, "data": data, "pages": pages}


def _run(*, job: Job) -> dict[str, Any]:
    """The ``job:report-pdf`` handler: render and store. Runs inside the job's transaction."""
    made = render_for_payload(job.payload)
    context = made["context"]
    year, month = (int(part) for part in str(context["period"]).split("-")[:2])
    stored = ReportFile.objects.create(
        report=made["report"],
        version=made["version"],
        kind=context["kind"],
        scope_key=context["scope_key"],
        period=datetime.date(year, month, 1),
        job=job,
        file_name=made["file_name"],
        size=len(made["data"]),
        pages=made["pages"],
        data=made["data"],
    )
    return {"file": stored.pk, "file_name": stored.file_name, "size": stored.size, "pages": stored.pages}


def register() -> None:
    hooks.register(f"job:{KIND}", _run)


# --- reading -----------------------------------------------------------------------------------------
def jobs_for_report(report: HighlightReport) -> QuerySet[Job]:
    return Job.objects.filter(kind=KIND, payload__report=report.pk)


def job_file(job: Job) -> ReportFile | None:
    """The stored file a done job made."""
    file_id = (job.result or {}).get("file")
    if job.status != Job.Status.DONE or not file_id:
        return None
    return ReportFile.objects.filter(pk=file_id).defer("data").first()


def job_pdf_bytes(job: Job) -> tuple[str, bytes] | None:
    """A done job's file name and PDF bytes, wherever they are kept."""
    if job.status != Job.Status.DONE:
        return None
    result = job.result or {}
    if not result.get("file"):
        return None
    row = ReportFile.objects.filter(pk=result["file"]).values_list("file_name", "data").first()
    return (row[0], bytes(row[1])) if row else None


def _size_label(size: int) -> str:
    if size >= 1024 * 1024:
        return f"{size / (1024 * 1024):.1f} MB"
    return f"{max(1, round(size / 1024))} KB"


def job_status(job: Job | None, *, file: ReportFile | None = None) -> dict[str, Any]:
    """A job's state for the status partial and the JSON status view."""
    if job is None:
        return {"state": "none", "job": None}
    state = {Job.Status.QUEUED: "queued", Job.Status.RUNNING: "running"}.get(job.status, job.status)
    info: dict[str, Any] = {
        "state": state,
        "job": job,
        "job_id": job.pk,
        "finished": job.status in (Job.Status.DONE, Job.Status.FAILED),
        "status_url": reverse("clinics:pdf-job-status", args=[job.pk]),
        "check_url": reverse("clinics:pdf-job", args=[job.pk]),
        "retry_url": reverse("clinics:pdf-job-retry", args=[job.pk]),
        "attempts": job.attempts,
        "draft": not (job.payload or {}).get("version"),
    }
    if job.status == Job.Status.QUEUED and job.attempts:
        info["message"] = "The first try did not work; trying again shortly."
    if job.status == Job.Status.FAILED:
        info["message"] = FAILED_MESSAGE
    if job.status == Job.Status.DONE:
        result = job.result or {}
        file = file or job_file(job)
        info.update(
            file=file,
            file_name=result.get("file_name", ""),
            size_label=_size_label(int(result.get("size") or 0)),
            pages=result.get("pages"),
            made_at=timezone.localtime(job.finished_at) if job.finished_at else None,
            download_url=reverse("clinics:pdf-download", args=[file.pk]) if file else None,
        )
    return info


def pdf_status_for(report: HighlightReport) -> dict[str, Any]:
    """The latest PDF job for ``report`` (draft print or version), for ``clinics/pdf/_status.html``
    (``{% include "clinics/pdf/_status.html" with pdf_status=... %}``). ``draft_url`` queues a
    draft print."""
    job = jobs_for_report(report).order_by("-created_at", "-pk").first()
    info = job_status(job)
    info["report"] = report
    info["draft_url"] = reverse("clinics:pdf-report-draft", args=[report.pk])
    return info


def latest_files(report: HighlightReport) -> list[ReportFile]:
    """The report's stored PDFs, newest first, without their bytes."""
    return list(ReportFile.objects.filter(report=report).defer("data").select_related("version"))


def batch_start(*, scope: Scope, period: datetime.date, actor: Any) -> ReportBatch:
    """One job per team clinic report in ``scope`` for ``period``: the latest finalised version
    of a final report, else a draft print; a team with no report gets a draft print of its live
    figures (no report row is created for it). Recorded as a :class:`ReportBatch`."""
    teams = sorted(readable_team_places(scope), key=lambda t: (t.service_area.name, t.name, t.pk))
    reports = {
        r.team_id: r
        for r in HighlightReport.objects.filter(
            kind=ReportKind.TEAM_CLINIC, period=period, team_id__in=[t.pk for t in teams]
        )
    }
    latest: dict[int, ReportVersion] = {}
    for version in ReportVersion.objects.filter(report__in=list(reports.values())).order_by("report_id", "-number"):
        latest.setdefault(version.report_id, version)
    items = []
    with transaction.atomic():
        for team in teams:
            report = reports.get(team.pk)
            if report is None:
                job = queue_team_draft_pdf(team=team, period=period, actor=actor)
            else:
                final = report.status == HighlightReport.Status.FINAL
                job = queue_report_pdf(report=report, version=latest.get(report.pk) if final else None, actor=actor)
            items.append({"team": team.pk, "report": report.pk if report else None, "job": job.pk})
        batch = ReportBatch.objects.create(period=period, kind=ReportKind.TEAM_CLINIC, items=items, requested_by=actor)
    return batch


def batch_job_ids(items: list[dict[str, Any]]) -> list[int]:
    return [int(item["job"]) for item in items if item.get("job")]
