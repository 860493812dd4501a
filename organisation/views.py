from __future__ import annotations

import io

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from core.csvio import write_csv
from core.models import AccessLog, ImportBatch

from . import permissions, selectors, services
from .caseload import COLUMNS, REQUIRED_COLUMNS
from .forms import CaseloadUploadForm
from .scope import get_case_file_or_404

PAGE_SIZE = 50


def _require(allowed: bool) -> None:
    if not allowed:
        raise PermissionDenied


@require_GET
def case_list(request: HttpRequest) -> HttpResponse:
    scope = request.scope
    _require(permissions.can_view_case_files(scope))
    filterset, cases = selectors.case_file_list(scope=scope, params=request.GET)
    page = Paginator(cases, PAGE_SIZE).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    return render(
        request,
        "organisation/case_list.html",
        {
            "filter": filterset,
            "page": page,
            "query": query.urlencode(),
            "can_confirm_extract": permissions.can_import_caseload(scope),
        },
    )


@require_GET
def case_detail(request: HttpRequest, reference: str) -> HttpResponse:
    case = get_case_file_or_404(request.scope, reference)
    AccessLog.objects.create(
        user=request.user,
        action=AccessLog.Action.VIEW,
        object_type="case_file",
        object_ref=case.case_reference,
        path=request.path[:300],
    )
    return render(request, "organisation/case_detail.html", {"case": case})


@require_http_methods(["GET", "POST"])
def caseload_import(request: HttpRequest) -> HttpResponse:
    _require(permissions.can_import_caseload(request.scope))
    # Bound on every POST: "request.POST or None" would leave a POST carrying only the file (or
    # nothing at all) unbound, so it would neither import nor show an error.
    form = CaseloadUploadForm(request.POST, request.FILES) if request.method == "POST" else CaseloadUploadForm()
    if form.is_valid():
        batch = services.caseload_batch_create(
            file_name=request.FILES["file"].name,
            text=form.cleaned_data["file"],
            full_extract=form.cleaned_data["full_extract"],
            actor=request.user,
        )
        return redirect("organisation:caseload-batch", batch_id=batch.pk)
    recent = ImportBatch.objects.filter(kind=ImportBatch.Kind.CASELOAD).select_related("uploaded_by")[:10]
    return render(
        request,
        "organisation/caseload_import.html",
        {"form": form, "recent": recent, "columns": COLUMNS, "required_columns": REQUIRED_COLUMNS},
    )


@require_GET
def caseload_template(request: HttpRequest) -> HttpResponse:
    _require(permissions.can_import_caseload(request.scope))
    out = io.StringIO()
    write_csv(out, COLUMNS, [])
    response = HttpResponse(out.getvalue(), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = 'attachment; filename="caseload-template.csv"'
    return response


def _batch_or_404(batch_id: int) -> ImportBatch:
    return get_object_or_404(ImportBatch, pk=batch_id, kind=ImportBatch.Kind.CASELOAD)


@require_GET
def caseload_batch(request: HttpRequest, batch_id: int) -> HttpResponse:
    if not permissions.can_import_caseload(request.scope):
        raise Http404
    batch = _batch_or_404(batch_id)
    return render(
        request,
        "organisation/caseload_batch.html",
        {
            "batch": batch,
            "problems": services.batch_problems(batch),
            "warnings": services.batch_warnings(batch),
        },
    )


@require_POST
def caseload_batch_confirm(request: HttpRequest, batch_id: int) -> HttpResponse:
    if not permissions.can_import_caseload(request.scope):
        raise Http404
    batch = _batch_or_404(batch_id)
    try:
        services.caseload_batch_confirm(batch_id=batch.pk, actor=request.user)
    except services.BatchStateError as exc:
        messages.error(request, str(exc))
    else:
        messages.success(request, "Import confirmed. The case files are being imported.")
    return redirect("organisation:caseload-batch", batch_id=batch.pk)
