"""Highlight report pages: the month's list, the report (narrative form for its writer), preview,
finalise, reopen and the "tables to an appendix" switch.

Every page loads the report through :func:`_load`: a bad kind, code or month, or a report outside
this person's scope, answers 404. Readers see the report as it stands and no form; a reader's
POST is 403. Reading never creates a report: the writer's first save (or finalise, or appendix
switch) does, through ``open_report``.

The narrative form autosaves like the audit form (``static/js/autosave.js``): the same POST as
"Save and come back later", answered with JSON (versions, saved_at, conflicts, errors and the
length estimate) when it comes from the script.
"""

from __future__ import annotations

import datetime
import re
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlencode

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from core.forms import MONTH_PATTERN
from core.middleware import wants_json
from organisation.scope import Scope

from ..forms_reports import NarrativeForm, ReportFilterForm
from ..length import HEADING_SIDES, MAX_SIDES, WORDS_PER_SIDE, Length, estimate
from ..models import HighlightReport, ReportVersion
from ..permissions import (
    Place,
    can_read_report,
    can_write_report,
    place_code,
    place_label,
    report_place,
    scope_key_for,
    sees_reports,
)
from ..report_kinds import KINDS
from ..selectors_reports import (
    last_complete_month,
    load_reports,
    readable_areas,
    report_for,
    report_rows,
    report_status,
    versions_of,
)
from ..services.reports import (
    NarrativeSave,
    ReportError,
    ReportNotEditable,
    finalise,
    last_final_version,
    live_context,
    open_report,
    reopen,
    save_narrative,
    set_tables_in_appendix,
)
from .pdf import batch_page_allowed

PAGE_SIZE = 50
SAVED = "Your narrative is saved. You can come back to it at any time before you finalise the report."
FINALISED = "The report is finalised as version {n}. Its PDF is being made."
REOPENED = "The report is open for revision. Finalising it again makes version {n}."


# --- loading -------------------------------------------------------------------------------------
@dataclass
class Loaded:
    kind: str
    place: Place
    period: datetime.date
    report: HighlightReport | None
    can_write: bool

    @property
    def place_code(self) -> str:
        return place_code(self.place)

    @property
    def month(self) -> str:
        return f"{self.period:%Y-%m}"

    @property
    def args(self) -> list[str]:
        return [self.kind, self.place_code, self.month]

    def url(self, name: str = "report-detail") -> str:
        return reverse(f"clinics:{name}", args=self.args)


def _load(request: HttpRequest, kind: str, code: str, month: str) -> Loaded:
    """The report's kind, place and month if this person may read it; 404 otherwise."""
    if kind not in KINDS or not re.match(MONTH_PATTERN, month):
        raise Http404("No such report")
    place = report_place(kind, code)
    scope: Scope = request.scope
    if not can_read_report(scope, kind, place):
        raise Http404("No such report")
    period = datetime.date.fromisoformat(f"{month}-01")
    return Loaded(kind, place, period, report_for(kind, place, period), can_write_report(scope, kind, place))


def _writer(request: HttpRequest, kind: str, code: str, month: str) -> Loaded:
    """As :func:`_load`, and 403 unless this person writes the report."""
    loaded = _load(request, kind, code, month)
    if not loaded.can_write:
        raise PermissionDenied
    return loaded


def _opened(request: HttpRequest, loaded: Loaded) -> HighlightReport:
    """The writer's report, created on their first change (never by reading)."""
    if loaded.report is None:
        loaded.report = open_report(
            kind=loaded.kind, place=loaded.place, period=loaded.period, actor=request.user, scope=request.scope
        )
    return loaded.report


def _not_editable(request: HttpRequest, loaded: Loaded, message: str) -> HttpResponse:
    """409: the report is not in the state this change needs."""
    if wants_json(request):
        return JsonResponse({"error": "not-editable", "message": message}, status=409)
    return render(request, "clinics/reports/not_editable.html", {"loaded": loaded, "message": message}, status=409)


def _body(context: dict[str, Any], narrative: dict[str, Any], tables_in_appendix: bool, *, draft: bool) -> str:
    # The shared renderer lives at the top (qaframework/): the page, preview and PDF draw the
    # same body.
    from qaframework.report_render import report_body_html

    return report_body_html(context=context, narrative=narrative, tables_in_appendix=tables_in_appendix, draft=draft)


def _versions(report: HighlightReport | None) -> list[ReportVersion]:
    """The report's versions, newest first, each with ``pdf_file``: its newest stored PDF, if any."""
    versions = versions_of(report)
    if versions:
        from ..pdf_jobs import latest_files

        files: dict[int, Any] = {}
        for stored in latest_files(report):  # newest first
            if stored.version_id is not None:
                files.setdefault(stored.version_id, stored)
        for version in versions:
            version.pdf_file = files.get(version.pk)  # type: ignore[attr-defined]
    return versions


def _pdf_status(report: HighlightReport) -> dict[str, Any]:
    from ..pdf_jobs import pdf_status_for

    return pdf_status_for(report)


def _header(loaded: Loaded) -> dict[str, Any]:
    spec = KINDS[loaded.kind]
    return {
        "loaded": loaded,
        "spec": spec,
        "place_label": place_label(loaded.place),
        "period_label": f"{loaded.period:%B %Y}",
        "detail_url": loaded.url(),
        "pdf_next": loaded.url(),
    }


# --- the list ------------------------------------------------------------------------------------
@require_GET
def report_list(request: HttpRequest) -> HttpResponse:
    """Every report this person may read or write for a month (default: the last complete month)."""
    scope = request.scope
    if not sees_reports(scope):
        raise PermissionDenied
    default = last_complete_month(timezone.localdate())
    filters = ReportFilterForm(
        request.GET or None,
        areas=readable_areas(scope) if scope.whole_authority else [],
        initial={"month": f"{default:%Y-%m}"},
    )
    period = filters.month_value(default)
    area = filters.area_value()
    rows = report_rows(scope, period=period, area=area)
    page = Paginator(rows, PAGE_SIZE).get_page(request.GET.get("page"))
    load_reports(list(page.object_list))
    query = {"month": f"{period:%Y-%m}"}
    if area is not None:
        query["area"] = str(area.pk)
    if filters.is_bound and not filters.is_valid():
        for field in filters.fields:
            filters.fields[field].widget.attrs.setdefault("class", "govuk-select")
    return render(
        request,
        "clinics/reports/list.html",
        {
            "filters": filters,
            "page": page,
            "period": period,
            "query": urlencode(query),
            "can_batch": batch_page_allowed(request.scope),
            "error_items": [(f"id_{name}", str(e)) for name, errs in filters.errors.items() for e in errs]
            if filters.is_bound
            else [],
        },
    )


# --- the report ----------------------------------------------------------------------------------
def _length_data(context: dict[str, Any], tables_in_appendix: bool) -> dict[str, Any]:
    """What the page's script needs to estimate the length as the author types, without a save:
    the sides taken by everything but the narrative."""
    base = estimate(context=context, narrative={}, tables_in_appendix=tables_in_appendix)
    moved = estimate(context=context, narrative={}, tables_in_appendix=True)
    return {
        # Whether there is any table to move: the appendix button is offered only then.
        "movable": moved.appendix_sides > 0,
        "base_sides": round(base.body_sides, 3),
        "words_per_side": WORDS_PER_SIDE,
        "heading_sides": HEADING_SIDES,
        "max_sides": MAX_SIDES,
    }


def _writer_context(
    request: HttpRequest,
    loaded: Loaded,
    form: NarrativeForm,
    *,
    clashes: list | None = None,
    status: int = 200,
) -> HttpResponse:
    report = loaded.report
    tables_in_appendix = report.tables_in_appendix if report else False
    context = live_context(report) if report else KINDS[loaded.kind].build(loaded.place, loaded.period)
    narrative = {box.key: form[box.key].value() or "" for box in form.boxes}
    length = estimate(context=context, narrative=narrative, tables_in_appendix=tables_in_appendix)
    versions = _versions(report)
    return render(
        request,
        "clinics/reports/write.html",
        {
            **_header(loaded),
            "report": report,
            "form": form,
            "box_fields": [(box, bound, length.words_per_box.get(box.key, 0)) for box, bound in form.box_fields()],
            "length": length,
            "length_data": _length_data(context, tables_in_appendix),
            "tables_in_appendix": tables_in_appendix,
            "narrative_version": report.narrative_version if report else 0,
            "body": _body(context, report.narrative if report else {}, tables_in_appendix, draft=True),
            "status": report_status(report, versions[0] if versions else None),
            "versions": versions,
            "clashes": clashes or [],
            "started_from": report.started_from if report else None,
            "initial_from": report is None and any(form.initial.values()),
            "pdf_status": _pdf_status(report) if report else None,
        },
        status=status,
    )


def _initial_narrative(loaded: Loaded) -> dict[str, str]:
    if loaded.report is not None:
        return dict(loaded.report.narrative)
    # Not started: the page offers the last finalised narrative, which the first save copies.
    previous = last_final_version(kind=loaded.kind, scope_key=scope_key_for(loaded.place), before=loaded.period)
    return dict(previous.narrative) if previous else {}


def _reader_context(request: HttpRequest, loaded: Loaded, version: ReportVersion | None) -> HttpResponse:
    report = loaded.report
    versions = _versions(report)
    pdf_status = None
    if report is not None and version is None and report.status == HighlightReport.Status.FINAL and versions:
        version = versions[0]
    if version is not None:
        body = _body(version.context, version.narrative, version.tables_in_appendix, draft=False)
        length = None
    elif report is not None:
        context = live_context(report)
        body = _body(context, report.narrative, report.tables_in_appendix, draft=True)
        length = estimate(context=context, narrative=report.narrative, tables_in_appendix=report.tables_in_appendix)
    else:
        body, length = "", None
    if report is not None:
        pdf_status = _pdf_status(report)
    return render(
        request,
        "clinics/reports/detail.html",
        {
            **_header(loaded),
            "report": report,
            "version": version,
            "versions": versions,
            "body": body,
            "length": length,
            "status": report_status(report, versions[0] if versions else None),
            "pdf_status": pdf_status,
            "is_latest": version is None or (versions and version.pk == versions[0].pk),
        },
    )


def _autosave_answer(save: NarrativeSave, length: Length | None) -> JsonResponse:
    conflicts = []
    if save.clashes:
        conflicts = [
            {
                "part": "narrative",
                "label": "The narrative",
                "version": save.version,
                "fields": [c.as_json() for c in save.clashes],
            }
        ]
    saved_at = timezone.localtime(save.saved_at).strftime("%H:%M") if save.saved_at else ""
    return JsonResponse(
        {
            "saved_at": saved_at,
            "versions": {"narrative": save.version},
            "conflicts": conflicts,
            "errors": {},
            "length": length.as_json() if length else None,
        },
        status=409 if conflicts else 200,
    )


@require_http_methods(["GET", "POST"])
def report_detail(request: HttpRequest, kind: str, code: str, month: str) -> HttpResponse:
    """The report: its writer's narrative form while a draft, else the report as it stands."""
    loaded = _load(request, kind, code, month)
    report = loaded.report
    version = None
    if request.method == "GET":
        wanted = request.GET.get("version", "")
        if wanted:
            if not wanted.isdigit() or report is None:
                raise Http404("No such version")
            version = report.versions.filter(number=int(wanted)).first()
            if version is None:
                raise Http404("No such version")
        drafting = report is None or report.status == HighlightReport.Status.DRAFT
        if loaded.can_write and drafting and version is None:
            form = NarrativeForm(initial=_initial_narrative(loaded), kind=kind)
            return _writer_context(request, loaded, form)
        return _reader_context(request, loaded, version)

    if not loaded.can_write:
        raise PermissionDenied
    autosave = request.POST.get("_autosave") == "1"
    if report is not None and report.status != HighlightReport.Status.DRAFT:
        return _not_editable(request, loaded, "This report is finalised. Reopen it to revise the narrative.")
    form = NarrativeForm(request.POST, kind=kind)
    if not form.is_valid():
        if autosave:
            return JsonResponse({"errors": form.json_errors(), "versions": {}, "conflicts": []}, status=400)
        return _writer_context(request, loaded, form, status=400)
    posted_version = request.POST.get("narrative-version", "")
    report = _opened(request, loaded)
    try:
        save = save_narrative(
            report=report,
            boxes={box.key: form.cleaned_data.get(box.key, "") for box in form.boxes},
            version=int(posted_version) if posted_version.isdigit() else None,
            actor=request.user,
            scope=request.scope,
        )
    except ReportNotEditable as exc:
        return _not_editable(request, loaded, str(exc))
    loaded.report = save.report
    if autosave:
        context = live_context(save.report)
        length = estimate(
            context=context, narrative=save.report.narrative, tables_in_appendix=save.report.tables_in_appendix
        )
        return _autosave_answer(save, length)
    if save.clashes:
        return _writer_context(request, loaded, form, clashes=save.clashes, status=409)
    messages.success(request, SAVED)
    return redirect(loaded.url())


@require_GET
def report_preview(request: HttpRequest, kind: str, code: str, month: str) -> HttpResponse:
    """The body as it will print, with the print stylesheet (the author's check before finalising)."""
    loaded = _load(request, kind, code, month)
    report = loaded.report
    versions = versions_of(report)
    if report is not None and report.status == HighlightReport.Status.FINAL and versions:
        latest = versions[0]
        body = _body(latest.context, latest.narrative, latest.tables_in_appendix, draft=False)
        author = latest.author_name
    else:
        context = live_context(report) if report else KINDS[kind].build(loaded.place, loaded.period)
        narrative = report.narrative if report else (_initial_narrative(loaded) if loaded.can_write else {})
        body = _body(context, narrative, report.tables_in_appendix if report else False, draft=True)
        author = report.author.full_name if report and report.author else ""
    return render(
        request,
        "clinics/reports/preview.html",
        {
            **_header(loaded),
            "report": report,
            "body": body,
            "author": author,
            "status": report_status(report, versions[0] if versions else None),
        },
    )


@require_http_methods(["GET", "POST"])
def report_finalise(request: HttpRequest, kind: str, code: str, month: str) -> HttpResponse:
    """GET: what finalising does, with a button. POST: freeze version n + 1 and queue its PDF."""
    loaded = _writer(request, kind, code, month)
    report = loaded.report
    if report is not None and report.status != HighlightReport.Status.DRAFT:
        return _not_editable(request, loaded, "This report is already finalised.")
    if request.method == "GET":
        previous = versions_of(report)
        number = previous[0].number + 1 if previous else 1
        length = None
        if report is not None:
            length = estimate(
                context=live_context(report), narrative=report.narrative, tables_in_appendix=report.tables_in_appendix
            )
        return render(request, "clinics/reports/finalise.html", {**_header(loaded), "number": number, "length": length})
    report = _opened(request, loaded)
    try:
        version = finalise(report=report, actor=request.user, scope=request.scope)
    except ReportNotEditable as exc:
        return _not_editable(request, loaded, str(exc))
    messages.success(request, FINALISED.format(n=version.number))
    return redirect(loaded.url())


@require_POST
def report_reopen(request: HttpRequest, kind: str, code: str, month: str) -> HttpResponse:
    """Back to a draft for a revision; the finalised versions stay."""
    loaded = _writer(request, kind, code, month)
    if loaded.report is None:
        return _not_editable(request, loaded, "This report has not been started, so there is nothing to reopen.")
    try:
        report = reopen(report=loaded.report, actor=request.user, scope=request.scope)
    except ReportNotEditable as exc:
        return _not_editable(request, loaded, str(exc))
    number = report.versions.count() + 1
    messages.success(request, REOPENED.format(n=number))
    return redirect(loaded.url())


@require_POST
def report_appendix(request: HttpRequest, kind: str, code: str, month: str) -> HttpResponse:
    """Move the data tables to an appendix ("1") or keep them in the report ("0"). Works without
    JavaScript; never blocks anything."""
    loaded = _writer(request, kind, code, month)
    if loaded.report is not None and loaded.report.status != HighlightReport.Status.DRAFT:
        return _not_editable(request, loaded, "This report is finalised. Reopen it to change where the tables go.")
    value = request.POST.get("tables_in_appendix") == "1"
    report = _opened(request, loaded)
    try:
        set_tables_in_appendix(report=report, value=value, actor=request.user, scope=request.scope)
    except ReportError as exc:
        return _not_editable(request, loaded, str(exc))
    messages.success(
        request,
        "The data tables are in an appendix at the end of the report."
        if value
        else "The data tables are back in the report, after their sections.",
    )
    return redirect(loaded.url() + "#length")
