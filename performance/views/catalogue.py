"""The indicator catalogue (everyone who reads performance data), its edits and local indicators
(BI and the QA team), and the authority's 0–17 population (DESIGN section 7)."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import path
from django.views.decorators.http import require_GET, require_http_methods

from ..forms_catalogue import IndicatorEditForm, LocalIndicatorForm, PopulationForm, PopulationUploadForm
from ..models import Basket, Indicator, Source
from ..permissions import can_edit_indicator, can_edit_population, can_view_catalogue
from ..selectors import catalogue_by_basket, indicator_by_code, is_rate_per_10000, populations_listed
from ..services.catalogue import (
    CatalogueError,
    PopulationImportError,
    StaleIndicatorEdit,
    indicator_create_local,
    indicator_update,
    indicator_version,
    population_import,
    population_save,
)


def _require(allowed: bool) -> None:
    if not allowed:
        raise PermissionDenied


def _indicator_or_404(code: str) -> Indicator:
    indicator = indicator_by_code(code)
    if indicator is None:
        raise Http404("No such indicator")
    return indicator


def _source_labels(indicator: Indicator) -> list[str]:
    labels = dict(Source.choices)
    return [labels.get(value, value) for value in indicator.sources]


@require_GET
def indicator_list(request: HttpRequest) -> HttpResponse:
    scope = request.scope
    _require(can_view_catalogue(scope))
    groups = [
        (group.label, [(indicator, _source_labels(indicator)) for indicator in group.indicators])
        for group in catalogue_by_basket()
    ]
    return render(
        request,
        "performance/catalogue/list.html",
        {
            "groups": groups,
            "can_edit": can_edit_indicator(scope),
            "example_content": any(i.example_content for _, rows in groups for i, _ in rows),
        },
    )


@require_GET
def indicator_detail(request: HttpRequest, code: str) -> HttpResponse:
    scope = request.scope
    _require(can_view_catalogue(scope))
    indicator = _indicator_or_404(code)
    return render(
        request,
        "performance/catalogue/detail.html",
        {
            "indicator": indicator,
            "sources": _source_labels(indicator),
            "baskets": [label for value, label in Basket.choices if value in indicator.baskets],
            "uses_population": is_rate_per_10000(type=indicator.type, unit=indicator.unit),
            "can_edit": can_edit_indicator(scope),
        },
    )


@require_http_methods(["GET", "POST"])
def indicator_edit(request: HttpRequest, code: str) -> HttpResponse:
    """Brief and owner for any indicator; target and direction only where a target is allowed
    (the form has no such fields for a demand measure, and the service refuses one)."""
    _require(can_edit_indicator(request.scope))
    indicator = _indicator_or_404(code)
    initial = {
        "brief": indicator.brief,
        "owner": indicator.owner,
        "target": indicator.target,
        "direction": indicator.direction,
        "version": indicator_version(indicator),
    }
    data = request.POST if request.method == "POST" else None
    form = IndicatorEditForm(data, initial=initial, indicator=indicator)
    stale = False
    if form.is_valid():
        try:
            indicator_update(
                indicator_id=indicator.pk,
                version=form.cleaned_data["version"],
                brief=form.cleaned_data["brief"],
                owner=form.cleaned_data["owner"],
                target=form.cleaned_data.get("target"),
                direction=form.cleaned_data.get("direction") or "",
                actor=request.user,
            )
        except StaleIndicatorEdit as exc:
            # Shown again with what was typed beside the saved values, with the new version, so
            # saving again is a deliberate choice.
            indicator.refresh_from_db()
            refreshed = data.copy()
            refreshed["version"] = str(indicator_version(indicator))
            form = IndicatorEditForm(refreshed, initial=initial, indicator=indicator)
            form.is_valid()
            form.add_error(None, str(exc))
            stale = True
        except CatalogueError as exc:
            form.add_error(exc.field if exc.field in form.fields else None, str(exc))
        else:
            messages.success(request, f"{indicator.name}: saved.")
            return redirect("performance:indicator-detail", code=indicator.code)
    return render(request, "performance/catalogue/edit.html", {"indicator": indicator, "form": form, "stale": stale})


@require_http_methods(["GET", "POST"])
def indicator_new(request: HttpRequest) -> HttpResponse:
    _require(can_edit_indicator(request.scope))
    form = LocalIndicatorForm(request.POST if request.method == "POST" else None)
    if form.is_valid():
        try:
            indicator = indicator_create_local(definition=form.definition(), actor=request.user)
        except CatalogueError as exc:
            form.add_error(exc.field if exc.field in form.fields else None, str(exc))
        else:
            messages.success(request, f"{indicator.name}: added to the catalogue.")
            return redirect("performance:indicator-detail", code=indicator.code)
    return render(request, "performance/catalogue/new.html", {"form": form})


@require_http_methods(["GET", "POST"])
def population(request: HttpRequest) -> HttpResponse:
    """Every year's 0–17 population; BI and the QA team enter a year or import a CSV here."""
    scope = request.scope
    _require(can_view_catalogue(scope))
    editable = can_edit_population(scope)
    if request.method == "POST" and not editable:
        raise PermissionDenied
    # An empty POST is checked as the year form, so it shows what is missing.
    action = request.POST.get("action", "save") if request.method == "POST" else ""
    year_form = PopulationForm(request.POST if action and action != "import" else None)
    upload_form = PopulationUploadForm(request.POST if action == "import" else None, request.FILES or None)
    problems = []
    if action == "save" and year_form.is_valid():
        row, changed = population_save(
            year=year_form.cleaned_data["year"],
            aged_0_to_17=year_form.cleaned_data["aged_0_to_17"],
            source=year_form.cleaned_data["source"],
            actor=request.user,
        )
        messages.success(
            request, f"Population for {row.year} saved." if changed else f"Population for {row.year} unchanged."
        )
        return redirect("performance:population")
    if action == "import" and upload_form.is_valid():
        try:
            outcome = population_import(text=upload_form.cleaned_data["file"], actor=request.user)
        except PopulationImportError as exc:
            problems = exc.problems
            upload_form.add_error("file", f"The file has {len(problems)} problem(s) and was not imported: see below")
        else:
            messages.success(
                request,
                f"Population imported: {outcome.added} year(s) added, {outcome.changed} changed, "
                f"{outcome.unchanged} unchanged.",
            )
            return redirect("performance:population")
    return render(
        request,
        "performance/catalogue/population.html",
        {
            "populations": populations_listed(),
            "year_form": year_form,
            "upload_form": upload_form,
            "problems": problems,
            "editable": editable,
        },
    )


urlpatterns = [
    path("indicators/", indicator_list, name="indicator-list"),
    path("indicators/new/", indicator_new, name="indicator-new"),
    path("indicators/<slug:code>/", indicator_detail, name="indicator-detail"),
    path("indicators/<slug:code>/edit/", indicator_edit, name="indicator-edit"),
    path("population/", population, name="population"),
]
