"""Audit pages: agreement statistics between auditors and moderators.

Service and authority figures for managers and the QA team; one auditor's own figures for that
auditor and the QA team only. Never a list of auditors or teams with their figures: agreement
is about applying the framework's grades consistently, not a league table (DESIGN section 10).
"""

from __future__ import annotations

import datetime
import re
from typing import Any

from django import forms
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import path
from django.views.decorators.http import require_GET

from core.forms import BaseForm
from organisation.models import ServiceArea, User

from .. import agreement, permissions
from ..models import Grade

MONTH_RE = re.compile(r"^(\d{4})-(\d{2})$")
EARLIEST = datetime.date(2000, 1, 1)


def _parse_month(value: str) -> datetime.date | None:
    match = MONTH_RE.match(value.strip())
    if not match:
        return None
    year, month = int(match.group(1)), int(match.group(2))
    if not 1 <= month <= 12:
        return None
    day = datetime.date(year, month, 1)
    return day if day >= EARLIEST else None


class PeriodForm(BaseForm):
    """The period (months, inclusive) and, on the statistics page, the level shown."""

    submit_label = "Show figures"
    from_month = forms.CharField(label="From (month)", required=False, help_text="For example, 2026-04")
    to_month = forms.CharField(label="To (month)", required=False, help_text="For example, 2027-03")

    def __init__(self, *args: Any, today: datetime.date, areas: list[ServiceArea] | None = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.today = today
        self.default_first, self.default_last = agreement.default_period(today)
        if areas is not None:
            choices = [(str(a.pk), a.name) for a in areas]
            self.fields["service_area"] = forms.ChoiceField(label="Service", required=False, choices=choices)

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        first = self.default_first
        last = self.default_last
        if data.get("from_month"):
            first = _parse_month(data["from_month"])
            if first is None:
                self.add_error("from_month", "Enter the first month as a year and month, like 2026-04")
        if data.get("to_month"):
            last = _parse_month(data["to_month"])
            if last is None:
                self.add_error("to_month", "Enter the last month as a year and month, like 2027-03")
        if first and last and not self.errors:
            if last < first:
                self.add_error("to_month", "The last month must be the same as or after the first month")
            elif len(agreement.months_between(first, last)) > 60:
                self.add_error("from_month", "Choose a period of 60 months or fewer")
        data["first"], data["last"] = first, last
        return data


def _period_context(form: PeriodForm) -> dict[str, Any]:
    if form.is_valid():
        first, last = form.cleaned_data["first"], form.cleaned_data["last"]
    else:
        first, last = form.default_first, form.default_last
    return {"first": first, "last": last, "from_value": f"{first:%Y-%m}", "to_value": f"{last:%Y-%m}"}


@require_GET
def agreement_statistics(request: HttpRequest) -> HttpResponse:
    """Agreement at authority level (whole-authority roles) or for one service area."""
    scope = request.scope
    if not permissions.can_list_audits(scope):
        raise PermissionDenied
    areas = agreement.areas_for_agreement(scope)
    form = PeriodForm(request.GET or None, today=scope.today, areas=areas)
    period = _period_context(form)
    chosen = request.GET.get("service_area", "")
    area = next((a for a in areas if str(a.pk) == chosen), None)
    if area is None and not scope.whole_authority:
        area = areas[0] if areas else None
    if area is not None:
        level = area.name
        area_ids: list[int] | None = [area.pk]
    elif scope.whole_authority:
        level = "the whole authority"
        area_ids = None
    else:
        level = "your service"
        area_ids = []
    rows = agreement.moderated_rows(first=period["first"], last=period["last"], area_ids=area_ids)
    stats = agreement.statistics(rows, first=period["first"], last=period["last"])
    return render(
        request,
        "audits/agreement/statistics.html",
        {
            "form": form,
            "has_errors": form.is_bound and bool(form.errors),
            "areas": areas,
            "area": area,
            "whole_authority": scope.whole_authority,
            "level": level,
            "stats": stats,
            "grades": [Grade(code).label for code in agreement.GRADES],
            "chart_src": agreement.trend_chart_data_uri(stats),
            "chart_alt": agreement.trend_alt_text(stats, level=level),
            "read_with_care_below": agreement.READ_WITH_CARE_BELOW,
            **period,
        },
    )


@require_GET
def agreement_auditor(request: HttpRequest, person_id: int) -> HttpResponse:
    """One auditor's agreement figures: for the QA team and that auditor only; everyone else
    gets 404, as if the page did not exist. Counts and agreement only, no kappa, and nothing
    below 10 moderated audits — too few to say anything fair about someone's grading."""
    scope = request.scope
    if not (scope.is_qa or scope.user_id == person_id):
        raise Http404
    person = User.objects.filter(pk=person_id).first()
    if person is None:
        raise Http404
    form = PeriodForm(request.GET or None, today=scope.today)
    period = _period_context(form)
    rows = agreement.moderated_rows(first=period["first"], last=period["last"], auditor_id=person.pk)
    figures = agreement.figures([row.pair for row in rows])
    return render(
        request,
        "audits/agreement/auditor.html",
        {
            "form": form,
            "has_errors": form.is_bound and bool(form.errors),
            "person": person,
            "is_self": scope.user_id == person.pk,
            "figures": figures,
            "hidden": figures.count < agreement.AUDITOR_HIDDEN_BELOW,
            "hidden_below": agreement.AUDITOR_HIDDEN_BELOW,
            "exact_count": figures.direction.same,
            "within_one_count": round((figures.within_one or 0) * figures.count),
            **period,
        },
    )


urlpatterns = [
    path("agreement/", agreement_statistics, name="agreement"),
    path("agreement/auditor/<int:person_id>/", agreement_auditor, name="agreement-auditor"),
]
