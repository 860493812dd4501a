"""Report PDFs: progress, "Try again", the authorised download, draft prints, and every team
report at once as a batch with a zip (DESIGN section 8).

PDFs live in the database and leave it only through :func:`pdf_download`, which checks
``can_read_report`` for the file's report every time. Someone outside a report's scope gets 404
for its jobs, files and batches (never 403, which would confirm they exist); the batch page, a
page the role never has, answers 403.
"""

from __future__ import annotations

import datetime
import zipfile
from collections.abc import Iterator
from typing import Any

from django import forms
from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse, StreamingHttpResponse
from django.shortcuts import redirect, render
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from core.forms import BaseForm, month_field, parse_month
from core.models import Job
from organisation.models import Role, Team
from organisation.scope import Scope

from ..models import HighlightReport, ReportBatch, ReportFile, ReportKind, ReportVersion
from ..pdf_jobs import (
    KIND,
    batch_start,
    job_pdf_bytes,
    job_status,
    queue_report_pdf,
    retry_report_pdf,
)
from ..permissions import can_read, can_read_report, readable_team_places, report_place
from ..selectors_reports import last_complete_month

BATCH_ROLES = (
    Role.TEAM_MANAGER,
    Role.SERVICE_MANAGER,
    Role.HEAD_OF_SERVICE,
    Role.ASSISTANT_DIRECTOR,
    Role.DIRECTOR,
    Role.QA_OFFICER,
    Role.QA_MANAGER,
)


# --- access -------------------------------------------------------------------------------------
def _file_readable(scope: Scope, stored: ReportFile) -> bool:
    """A print is readable by whoever may read a report of its kind and place (the place read from
    its scope key, so a batch print of a team with no report is checked the same way)."""
    code = stored.scope_key.split(":", 1)[-1]
    try:
        place = report_place(stored.kind, code)
    except Http404:
        return False
    return can_read_report(scope, stored.kind, place)


def _report_or_404(scope: Scope, report_id: int) -> HighlightReport:
    report = HighlightReport.objects.select_related("team__service_area", "service_area").filter(pk=report_id).first()
    if report is None or not can_read(scope, report):
        raise Http404("No such report")
    return report


def _job_readable(scope: Scope, job: Job) -> bool:
    payload = job.payload or {}
    if payload.get("report"):
        report = HighlightReport.objects.select_related("team", "service_area").filter(pk=payload["report"]).first()
        return report is not None and can_read(scope, report)
    team = Team.objects.filter(pk=payload.get("team")).first()
    return team is not None and can_read_report(scope, payload.get("kind", ReportKind.TEAM_CLINIC), team)


def _job_or_404(scope: Scope, job_id: int) -> Job:
    job = Job.objects.filter(pk=job_id, kind=KIND).first()
    if job is None or not _job_readable(scope, job):
        raise Http404("No such PDF")
    return job


def _next_or(request: HttpRequest, fallback: str) -> str:
    target = request.POST.get("next") or ""
    if target and url_has_allowed_host_and_scheme(target, {request.get_host()}, require_https=request.is_secure()):
        return target
    return fallback


# --- one job ------------------------------------------------------------------------------------
@require_GET
def pdf_job(request: HttpRequest, job_id: int) -> HttpResponse:
    """A PDF's progress as a page (where "Check again" leads without JavaScript)."""
    job = _job_or_404(request.scope, job_id)
    report = None
    if (job.payload or {}).get("report"):
        report = HighlightReport.objects.filter(pk=job.payload["report"]).first()
    return render(request, "clinics/pdf/job.html", {"pdf_status": job_status(job), "report": report})


@require_GET
def pdf_job_status(request: HttpRequest, job_id: int) -> JsonResponse:
    """The job's state for the status script: ``state``, ``finished`` and the region's HTML."""
    job = _job_or_404(request.scope, job_id)
    status = job_status(job)
    html = render_to_string("clinics/pdf/_status_inner.html", {"pdf_status": status}, request=request)
    response = JsonResponse({"state": status["state"], "finished": status["finished"], "html": html})
    response["Cache-Control"] = "private, no-store"
    return response


@require_POST
def pdf_job_retry(request: HttpRequest, job_id: int) -> HttpResponse:
    """ "Try again" after a failure: a new job for the same PDF."""
    job = _job_or_404(request.scope, job_id)
    if job.status != Job.Status.FAILED:
        messages.info(request, "That PDF has not failed, so it was not started again.")
        return redirect(_next_or(request, reverse("clinics:pdf-job", args=[job.pk])))
    with transaction.atomic():
        new = retry_report_pdf(job=job, actor=request.user)
        _replace_in_batches(request, old=job, new=new)
    messages.success(request, "The PDF is being made again.")
    return redirect(_next_or(request, reverse("clinics:pdf-job", args=[new.pk])))


def _replace_in_batches(request: HttpRequest, *, old: Job, new: Job) -> None:
    """A batch's item follows its retried job, so the batch's progress and zip use the new one."""
    for batch in ReportBatch.objects.select_for_update(of=("self",)).filter(requested_by=request.user):
        if any(item.get("job") == old.pk for item in batch.items):
            batch.items = [{**item, "job": new.pk} if item.get("job") == old.pk else item for item in batch.items]
            batch.save(update_fields=["items"])


# --- files --------------------------------------------------------------------------------------
def _pdf_headers(response: HttpResponse, file_name: str) -> HttpResponse:
    response["Content-Type"] = "application/pdf"
    response["Content-Disposition"] = f'attachment; filename="{file_name}"'
    response["X-Content-Type-Options"] = "nosniff"
    response["Cache-Control"] = "private, no-store"
    return response


@require_GET
def pdf_download(request: HttpRequest, file_id: int) -> HttpResponse:
    """A stored PDF, only to someone who may read its report (404 to everyone else)."""
    stored = ReportFile.objects.filter(pk=file_id).only("kind", "scope_key", "file_name", "data").first()
    if stored is None or not _file_readable(request.scope, stored):
        raise Http404("No such PDF")
    return _pdf_headers(HttpResponse(bytes(stored.data)), stored.file_name)


@require_POST
def pdf_report_draft(request: HttpRequest, report_id: int) -> HttpResponse:
    """ "Print a draft": a PDF of the live report as it is now (writers and readers alike)."""
    report = _report_or_404(request.scope, report_id)
    with transaction.atomic():
        job = queue_report_pdf(report=report, version=None, actor=request.user)
    messages.success(request, "The draft PDF is being made.")
    return redirect(_next_or(request, reverse("clinics:pdf-job", args=[job.pk])))


@require_POST
def pdf_version(request: HttpRequest, version_id: int) -> HttpResponse:
    """A PDF of a finalised version (its frozen figures and text)."""
    version = ReportVersion.objects.select_related("report__team", "report__service_area").filter(pk=version_id).first()
    if version is None or not can_read(request.scope, version.report):
        raise Http404("No such report")
    with transaction.atomic():
        job = queue_report_pdf(report=version.report, version=version, actor=request.user)
    messages.success(request, f"The PDF of version {version.number} is being made.")
    return redirect(_next_or(request, reverse("clinics:pdf-job", args=[job.pk])))


# --- every team report at once --------------------------------------------------------------------
class BatchForm(BaseForm):
    submit_label = "Make the PDFs"
    month = month_field("Month", "2026-10", what="month the reports are for", required=True)

    def clean_month(self) -> datetime.date:
        month = parse_month(self.cleaned_data["month"])
        if month is None:
            raise forms.ValidationError("Enter the month the reports are for")
        if month > timezone.localdate().replace(day=1):
            raise forms.ValidationError("The month must be this month or earlier")
        return month


def batch_page_allowed(scope: Scope) -> bool:
    """Whether the "every team report at once" page is one this person has."""
    return scope.is_authenticated and scope.has_role(*BATCH_ROLES)


@require_http_methods(["GET", "POST"])
def pdf_batch_new(request: HttpRequest) -> HttpResponse:
    """Pick a month and make every team clinic report in one's scope as PDFs."""
    if not batch_page_allowed(request.scope):
        raise PermissionDenied
    teams = readable_team_places(request.scope)
    # The month the reports list was showing, else the last complete month (the reports' default).
    try:
        asked = parse_month(request.GET.get("month", "")) if request.method == "GET" else None
    except ValueError:
        asked = None
    month = asked or last_complete_month(timezone.localdate())
    form = BatchForm(request.POST if request.method == "POST" else None, initial={"month": f"{month:%Y-%m}"})
    if request.method == "POST" and form.is_valid():
        if not teams:
            form.add_error(None, "There are no teams in your area of responsibility.")
        else:
            batch = batch_start(scope=request.scope, period=form.cleaned_data["month"], actor=request.user)
            count = len(batch.items)
            messages.success(request, f"{count} PDF{'s are' if count != 1 else ' is'} being made.")
            return redirect("clinics:pdf-batch", batch_id=batch.pk)
    batches = ReportBatch.objects.filter(requested_by=request.user)[:10]
    return render(
        request,
        "clinics/pdf/batch_new.html",
        {"form": form, "team_count": len(teams), "batches": batches, "has_errors": bool(form.errors)},
    )


def _batch_or_404(request: HttpRequest, batch_id: int) -> ReportBatch:
    # Only the requester's own batches, and only while they may still use the page.
    batch = ReportBatch.objects.filter(pk=batch_id, requested_by_id=request.user.pk).first()
    if batch is None or not batch_page_allowed(request.scope):
        raise Http404("No such batch")
    return batch


def _batch_rows(scope: Scope, batch: ReportBatch) -> list[dict[str, Any]]:
    """Each item the requester may still read, with its team, report and job state."""
    teams = {
        t.pk: t for t in Team.objects.filter(pk__in=[i.get("team") for i in batch.items]).select_related("service_area")
    }
    reports = {
        r.pk: r
        for r in HighlightReport.objects.filter(
            pk__in=[i["report"] for i in batch.items if i.get("report")]
        ).select_related("team", "service_area")
    }
    jobs = {j.pk: j for j in Job.objects.filter(pk__in=[i["job"] for i in batch.items if i.get("job")])}
    # One query for every done job's file (the page polls this: no query per team).
    files = {f.job_id: f for f in ReportFile.objects.filter(job_id__in=list(jobs)).defer("data")}
    rows = []
    for item in batch.items:
        report = reports.get(item.get("report"))
        team = teams.get(item.get("team")) or (report.team if report else None)
        if team is None:
            continue
        readable = can_read(scope, report) if report else can_read_report(scope, ReportKind.TEAM_CLINIC, team)
        if not readable:
            continue
        job = jobs.get(item.get("job"))
        stored = files.get(job.pk) if job else None
        rows.append({"team": team, "report": report, "job": job, "status": job_status(job, file=stored)})
    return rows


def _batch_context(request: HttpRequest, batch: ReportBatch) -> dict[str, Any]:
    rows = _batch_rows(request.scope, batch)
    states = [row["status"]["state"] for row in rows]
    return {
        "batch": batch,
        "rows": rows,
        "done": states.count("done"),
        "failed": states.count("failed"),
        "waiting": len([s for s in states if s in ("queued", "running", "none")]),
        "finished": all(s in ("done", "failed") for s in states),
        "status_url": reverse("clinics:pdf-batch-status", args=[batch.pk]),
        "zip_url": reverse("clinics:pdf-batch-zip", args=[batch.pk]),
        "pdf_next": reverse("clinics:pdf-batch", args=[batch.pk]),
    }


@require_GET
def pdf_batch(request: HttpRequest, batch_id: int) -> HttpResponse:
    batch = _batch_or_404(request, batch_id)
    return render(request, "clinics/pdf/batch.html", _batch_context(request, batch))


@require_GET
def pdf_batch_status(request: HttpRequest, batch_id: int) -> JsonResponse:
    batch = _batch_or_404(request, batch_id)
    context = _batch_context(request, batch)
    html = render_to_string("clinics/pdf/_batch_inner.html", context, request=request)
    state = "done" if context["finished"] else "running"
    response = JsonResponse(
        {"state": f"{state}-{context['done']}-{context['failed']}", "finished": context["finished"], "html": html}
    )
    response["Cache-Control"] = "private, no-store"
    return response


class _Chunks:
    """A write-only stream (no ``tell``): ``zipfile`` then counts offsets itself, so what has been
    written can be handed out and dropped."""

    def __init__(self) -> None:
        self.parts: list[bytes] = []

    def write(self, data: bytes) -> int:
        self.parts.append(bytes(data))
        return len(data)

    def flush(self) -> None:
        pass

    def take(self) -> bytes:
        out, self.parts = b"".join(self.parts), []
        return out


def _zip_chunks(files: list[tuple[str, bytes]]) -> Iterator[bytes]:
    """The zip built one PDF at a time and streamed as it grows."""
    stream = _Chunks()
    with zipfile.ZipFile(stream, "w", compression=zipfile.ZIP_DEFLATED) as archive:  # type: ignore[arg-type]
        for name, data in files:
            archive.writestr(name, data)
            yield stream.take()
    yield stream.take()


@require_GET
def pdf_batch_zip(request: HttpRequest, batch_id: int) -> HttpResponse:
    """The batch's finished PDFs as one zip (only reports the requester may still read)."""
    batch = _batch_or_404(request, batch_id)
    rows = _batch_rows(request.scope, batch)
    files: list[tuple[str, bytes]] = []
    used: set[str] = set()
    for row in rows:
        made = job_pdf_bytes(row["job"]) if row["job"] else None
        if made is None:
            continue
        name, data = made
        while name in used:  # two files for one team never share a name in the zip
            name = name.replace(".pdf", "_1.pdf")
        used.add(name)
        files.append((name, data))
    if not files:
        raise Http404("No PDFs are ready in this batch yet")
    response = StreamingHttpResponse(_zip_chunks(files), content_type="application/zip")
    response["Content-Disposition"] = f'attachment; filename="team-clinic-reports_{batch.period:%Y-%m}.zip"'
    response["X-Content-Type-Options"] = "nosniff"
    response["Cache-Control"] = "private, no-store"
    return response
