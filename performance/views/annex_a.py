"""Annex A pages: the import (with the snapshots and their unreadable rows), the reconciliation of
the app estimates with BI's figures of record, and the children with no case file."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import URLPattern, path
from django.views.decorators.http import require_GET, require_http_methods

from core.models import AccessLog
from organisation.permissions import can_import_caseload

from ..estimates import RULES, add_months, latest_data_date, latest_estimate_month, month_start, reconciliation
from ..forms_annex_a import AnnexAUploadForm, ReconciliationForm
from ..models import AnnexAUpload
from ..permissions import can_import_annex_a, can_view_annex_a_unmatched, can_view_reconciliation
from ..scopes import visible_scopes
from ..services.annex_a import (
    LIST_TITLES,
    MAX_PROBLEMS_KEPT,
    annex_a_lists_of,
    annex_a_snapshots,
    annex_a_unmatched_children,
    annex_a_upload_create,
    annex_a_uploads,
    column_labels,
)

UNMATCHED_PAGE_SIZE = 50
RECONCILIATION_MONTHS = 12


@require_http_methods(["GET", "POST"])
def annex_a_import(request: HttpRequest) -> HttpResponse:
    """Upload a workbook (imported by a job: its progress shows here), and the snapshots so far."""
    if not can_import_annex_a(request.scope):
        raise PermissionDenied
    # Bound on every POST, so a POST without a file shows its error rather than an empty form.
    form = AnnexAUploadForm(request.POST, request.FILES) if request.method == "POST" else AnnexAUploadForm()
    if form.is_valid():
        upload = annex_a_upload_create(
            file_name=request.FILES["file"].name, data=form.cleaned_data["file"], actor=request.user
        )
        if upload.status == AnnexAUpload.Status.ALREADY:
            messages.info(request, upload.message)
        else:
            messages.success(request, f"{upload.file_name} is being imported: its progress shows below.")
        return redirect("performance:annex-a-import")
    context = {
        "form": form,
        "uploads": annex_a_uploads(),
        "snapshots": annex_a_snapshots(),
        "lists": [(number, title, column_labels(number)) for number, title in LIST_TITLES.items()],
        "max_problems": MAX_PROBLEMS_KEPT,
    }
    return render(request, "performance/annex_a/import.html", context)


@require_GET
def reconciliation_view(request: HttpRequest) -> HttpResponse:
    """Each estimated indicator for a scope and months: the app estimate beside BI's figure."""
    scope = request.scope
    if not can_view_reconciliation(scope):
        raise PermissionDenied
    visible = visible_scopes(scope)
    asked = request.GET.get("scope")
    # Another team's scope (or one that does not exist) answers 404: the filter offers only these.
    if asked and asked not in visible:
        raise Http404
    latest = latest_estimate_month() or month_start(scope.today)
    form = ReconciliationForm(
        request.GET, visible=visible, default=(add_months(latest, 1 - RECONCILIATION_MONTHS), latest)
    )
    first, last = form.months()
    scope_key = asked or next(iter(visible))
    context = {
        "form": form,
        "ref": visible[scope_key],
        "first": first,
        "last": last,
        "indicators": reconciliation(scope_key=scope_key, first_month=first, last_month=last),
        "as_of": latest_data_date(),
        "has_errors": bool(form.errors),
        "rules": RULES,
    }
    return render(request, "performance/annex_a/reconciliation.html", context)


@require_GET
def annex_a_unmatched(request: HttpRequest) -> HttpResponse:
    """Children on Annex A lists with no case file in the app, for the QA team to add."""
    scope = request.scope
    if not can_view_annex_a_unmatched(scope):
        raise PermissionDenied
    page = Paginator(annex_a_unmatched_children(), UNMATCHED_PAGE_SIZE).get_page(request.GET.get("page"))
    rows = list(page.object_list)
    lists = annex_a_lists_of(row["child_id"] for row in rows)
    # Child IDs are case-level records: who looked at them is logged.
    AccessLog.objects.create(
        user=request.user,
        action=AccessLog.Action.VIEW,
        object_type="annex_a_unmatched",
        object_ref=f"page {page.number}",
        path=request.path[:300],
    )
    context = {
        "page": page,
        "rows": [{**row, "lists": lists.get(row["child_id"], [])} for row in rows],
        "can_import_caseload": can_import_caseload(scope),
    }
    return render(request, "performance/annex_a/unmatched.html", context)


urlpatterns: list[URLPattern] = [
    path("annex-a/", annex_a_import, name="annex-a-import"),
    path("annex-a/unmatched/", annex_a_unmatched, name="annex-a-unmatched"),
    path("reconciliation/", reconciliation_view, name="reconciliation"),
]
