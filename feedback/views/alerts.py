"""Good-practice alerts and practice concerns from conference chairs and reviewing officers: recording
one, reading it, moving a concern on or recording it resolved, the list, and the monthly summary."""

from __future__ import annotations

from urllib.parse import urlencode

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import URLPattern, path
from django.views.decorators.http import require_GET, require_http_methods

from audits.forms_dip_samples import MonthForm
from core.models import AccessLog

from ..forms_alerts import AlertFilterForm, AlertForm, AlertUpdateForm
from ..models import ReviewingOfficerAlert
from ..permissions import can_list_alerts, can_record_alert, can_update_alert, can_view_alert_summary
from ..services.alerts import (
    AlertConflict,
    AlertError,
    AlertFilters,
    alert_filter_choices,
    alert_history,
    alert_list,
    alert_record,
    alert_summary,
    alert_update,
    alerts_visible,
    history_version,
)

PAGE_SIZE = 50
RECORDED = "The alert is recorded. The child's worker and their team manager have been sent a link to it."
FILTERS = ("kind", "month", "theme", "stage", "status")


@require_http_methods(["GET", "POST"])
def alert_new(request: HttpRequest) -> HttpResponse:
    """A chair or IRO records a good-practice alert or a practice concern after a review or
    conference, for a case they chair."""
    scope = request.scope
    if not can_record_alert(scope):
        raise PermissionDenied
    form = AlertForm(
        request.POST if request.method == "POST" else None,
        initial={"case_reference": request.GET.get("case", "")[:40]},
        cases=scope.case_files(),
        today=scope.today,
    )
    if form.is_valid():
        data = form.cleaned_data
        try:
            alert = alert_record(
                scope=scope,
                actor=request.user,
                kind=data["kind"],
                case_file=data["case_reference"],
                meeting=data["meeting"],
                meeting_on=data["meeting_on"],
                theme=data["theme"],
                stage=data["stage"],
                summary=data["summary"],
                resolved_on=data["resolved_on"],
                resolution=data["resolution"],
            )
        except AlertError as exc:
            form.add_error(None, str(exc))
        else:
            messages.success(request, RECORDED)
            return redirect("feedback:alert-detail", alert_id=alert.pk)
    return render(request, "feedback/alerts/new.html", {"form": form})


def _alert_or_404(request: HttpRequest, alert_id: int) -> ReviewingOfficerAlert:
    qs = alerts_visible(request.scope).select_related(
        "case_file", "team", "service_area", "practitioner", "theme", "stage", "recorded_by"
    )
    return get_object_or_404(qs, pk=alert_id)


@require_GET
def alert_detail(request: HttpRequest, alert_id: int) -> HttpResponse:
    alert = _alert_or_404(request, alert_id)
    AccessLog.objects.create(
        user=request.user,
        action=AccessLog.Action.VIEW,
        object_type="reviewing_officer_alert",
        object_ref=str(alert.pk),
        path=request.path[:300],
    )
    context = {
        "alert": alert,
        "history": alert_history(alert),
        "can_update": can_update_alert(request.scope, alert) and alert.resolved_on is None,
    }
    return render(request, "feedback/alerts/detail.html", context)


@require_http_methods(["GET", "POST"])
def alert_update_view(request: HttpRequest, alert_id: int) -> HttpResponse:
    """The recorder moves a concern to another stage, or records the alert resolved."""
    scope = request.scope
    alert = _alert_or_404(request, alert_id)
    if not can_update_alert(scope, alert):
        raise PermissionDenied
    if alert.resolved_on is not None:
        messages.error(request, "This alert is resolved: it can no longer change.")
        return redirect("feedback:alert-detail", alert_id=alert.pk)
    data = request.POST if request.method == "POST" else None
    form = AlertUpdateForm(data, alert=alert, version=history_version(alert), today=scope.today)
    if form.is_valid():
        try:
            alert_update(
                scope=scope,
                alert=alert,
                actor=request.user,
                stage=form.cleaned_data.get("stage"),
                resolved_on=form.cleaned_data["resolved_on"],
                resolution=form.cleaned_data["resolution"],
                version=form.cleaned_data["version"],
            )
        except AlertConflict as exc:
            # Shown again with what was typed, against the newer version: saving again is deliberate.
            refreshed = data.copy()
            refreshed["version"] = str(history_version(alert))
            form = AlertUpdateForm(refreshed, alert=alert, version=history_version(alert), today=scope.today)
            form.is_valid()
            form.add_error(None, str(exc))
        except AlertError as exc:
            form.add_error(None, str(exc))
        else:
            messages.success(request, "The alert is updated.")
            return redirect("feedback:alert-detail", alert_id=alert.pk)
    return render(request, "feedback/alerts/update.html", {"alert": alert, "form": form})


@require_GET
def alert_list_view(request: HttpRequest) -> HttpResponse:
    """The alerts on case files the person sees (and those they recorded), with filters whose
    choices come from those alerts only."""
    scope = request.scope
    if not can_list_alerts(scope):
        raise PermissionDenied
    form = AlertFilterForm(request.GET or None, choices=alert_filter_choices(scope))
    form.is_valid()
    chosen = getattr(form, "cleaned_data", {})
    filters = AlertFilters(
        kind=chosen.get("kind") or "",
        month=form.month_value(),
        theme_id=chosen.get("theme"),
        stage_id=chosen.get("stage"),
        status=chosen.get("status") or "",
    )
    page = Paginator(alert_list(scope, filters), PAGE_SIZE).get_page(request.GET.get("page"))
    query = urlencode([(name, request.GET[name]) for name in FILTERS if request.GET.get(name)])
    context = {"form": form, "page": page, "query": query, "can_record": can_record_alert(scope)}
    return render(request, "feedback/alerts/list.html", context)


@require_GET
def alert_summary_view(request: HttpRequest) -> HttpResponse:
    """The month's figures for the board reports and the annual IRO report: aggregate only."""
    scope = request.scope
    if not can_view_alert_summary(scope):
        raise PermissionDenied
    month_form = MonthForm(request.GET or None)
    month = month_form.month_or(scope.today)
    context = {
        "summary": alert_summary(scope=scope, month=month),
        "month_form": month_form,
        "has_errors": bool(month_form.errors),
        "month_value": request.GET.get("month") or f"{month:%Y-%m}",
    }
    return render(request, "feedback/alerts/summary.html", context)


urlpatterns: list[URLPattern] = [
    path("alerts/", alert_list_view, name="alert-list"),
    path("alerts/new/", alert_new, name="alert-new"),
    path("alerts/summary/", alert_summary_view, name="alert-summary"),
    path("alerts/<int:alert_id>/", alert_detail, name="alert-detail"),
    path("alerts/<int:alert_id>/update/", alert_update_view, name="alert-update"),
]
