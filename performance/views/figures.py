"""BI's figures of record and benchmarks: upload a CSV, see the check, confirm; the templates;
the figures held (issue 7 item 3)."""

from __future__ import annotations

import io
from urllib.parse import urlencode

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import path
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from core.csvio import write_csv
from core.models import ImportBatch
from organisation.services import BatchStateError, batch_problems, batch_warnings

from ..forms_figures import FigureFilterForm, FiguresUploadForm
from ..permissions import can_import_figures, can_view_figures_held
from ..scopes import visible_scopes
from ..services.figures import (
    BENCHMARK_COLUMNS,
    FIGURE_COLUMNS,
    KINDS,
    figure_batches_recent,
    figure_filter_choices,
    figures_batch_confirm,
    figures_batch_create,
    figures_held,
    template_rows,
)

PAGE_SIZE = 50


def _require(allowed: bool) -> None:
    if not allowed:
        raise PermissionDenied


@require_http_methods(["GET", "POST"])
def figures_import(request: HttpRequest) -> HttpResponse:
    """Upload a figures or benchmarks CSV: it is checked and kept until confirmed."""
    _require(can_import_figures(request.scope))
    form = FiguresUploadForm(request.POST, request.FILES) if request.method == "POST" else FiguresUploadForm()
    if form.is_valid():
        batch = figures_batch_create(
            file_name=request.FILES["file"].name,
            text=form.cleaned_data["file"],
            actor=request.user,
            today=request.scope.today,
        )
        return redirect("performance:figures-batch", batch_id=batch.pk)
    context = {
        "form": form,
        "recent": figure_batches_recent(),
        "figure_columns": FIGURE_COLUMNS,
        "benchmark_columns": BENCHMARK_COLUMNS,
    }
    return render(request, "performance/figures/import.html", context)


def _batch_or_404(batch_id: int) -> ImportBatch:
    return get_object_or_404(ImportBatch.objects.select_related("uploaded_by"), pk=batch_id, kind__in=KINDS)


@require_GET
def figures_batch(request: HttpRequest, batch_id: int) -> HttpResponse:
    """The check of one upload: every problem by row and column, or what confirming will change."""
    _require(can_import_figures(request.scope))
    batch = _batch_or_404(batch_id)
    context = {
        "batch": batch,
        "problems": batch_problems(batch),
        "warnings": batch_warnings(batch),
        # A refused file is fixed and uploaded again from here.
        "form": FiguresUploadForm() if batch.status == ImportBatch.Status.REFUSED else None,
    }
    return render(request, "performance/figures/batch.html", context)


@require_POST
def figures_import_confirm(request: HttpRequest, batch_id: int) -> HttpResponse:
    _require(can_import_figures(request.scope))
    batch = _batch_or_404(batch_id)
    try:
        batch = figures_batch_confirm(batch_id=batch.pk, actor=request.user, today=request.scope.today)
    except BatchStateError as exc:
        messages.error(request, str(exc))
    else:
        if batch.status == ImportBatch.Status.IMPORTED:
            messages.success(request, "Import complete.")
        else:
            messages.error(request, "Nothing was imported: the file no longer checks out. See the problems below.")
    return redirect("performance:figures-batch", batch_id=batch.pk)


def _template(request: HttpRequest, kind: str, file_name: str) -> HttpResponse:
    _require(can_import_figures(request.scope))
    header, rows = template_rows(kind, today=request.scope.today)
    out = io.StringIO()
    write_csv(out, header, rows)
    response = HttpResponse(out.getvalue(), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{file_name}"'
    return response


@require_GET
def figures_template(request: HttpRequest) -> HttpResponse:
    return _template(request, ImportBatch.Kind.INDICATORS, "figures-of-record-template.csv")


@require_GET
def benchmarks_template(request: HttpRequest) -> HttpResponse:
    return _template(request, ImportBatch.Kind.BENCHMARKS, "benchmarks-template.csv")


@require_GET
def figures_list(request: HttpRequest) -> HttpResponse:
    """The figures of record held, filtered by indicator and scope, newest period first."""
    _require(can_view_figures_held(request.scope))
    scopes = visible_scopes(request.scope)
    indicators, scope_choices = figure_filter_choices(scopes)
    form = FigureFilterForm(request.GET or None, indicators=indicators, scopes=scope_choices)
    figures = figures_held(scope_keys=scopes, indicator_code=form.chosen("indicator"), scope_key=form.chosen("scope"))
    page = Paginator(figures, PAGE_SIZE).get_page(request.GET.get("page"))
    query = urlencode([(name, request.GET[name]) for name in ("indicator", "scope") if request.GET.get(name)])
    labels = {key: ref.label for key, ref in scopes.items()}
    rows = [(figure, labels.get(figure.scope_key, figure.scope_key)) for figure in page.object_list]
    return render(request, "performance/figures/list.html", {"form": form, "page": page, "rows": rows, "query": query})


urlpatterns = [
    path("figures/import/", figures_import, name="figures-import"),
    path("figures/import/<int:batch_id>/", figures_batch, name="figures-batch"),
    path("figures/import/<int:batch_id>/confirm/", figures_import_confirm, name="figures-import-confirm"),
    path("figures/template.csv", figures_template, name="figures-template"),
    path("figures/benchmarks-template.csv", benchmarks_template, name="benchmarks-template"),
    path("figures/", figures_list, name="figures-list"),
]
