"""The differences report: audits where a family's view of progress and the practitioner's differ by
two or more steps, for the team's clinic conversation. No practitioner names, no rankings."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import path
from django.views.decorators.http import require_GET

from ..forms import MonthRangeForm
from ..permissions import can_view_progress_differences
from ..selectors import DIFFERENCE_STEPS, progress_differences


@require_GET
def progress_differences_view(request: HttpRequest) -> HttpResponse:
    scope = request.scope
    if not can_view_progress_differences(scope):
        raise PermissionDenied
    form = MonthRangeForm(request.GET or None)
    month_from, month_to = form.months(scope.today)
    rows = list(progress_differences(scope, month_from=month_from, month_to=month_to)[:500])
    context = {
        "form": form,
        "rows": rows,
        "month_from": month_from,
        "month_to": month_to,
        "steps": DIFFERENCE_STEPS,
        "not_shared_left_out": not scope.is_qa,
    }
    return render(request, "feedback/reports/progress_differences.html", context)


urlpatterns = [
    path("reports/progress-differences/", progress_differences_view, name="progress-differences"),
]
