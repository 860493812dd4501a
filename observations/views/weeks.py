"""Practice weeks (seed 6.3): the QA team schedules them; leaders log activities on a week's page;
the QA team approves anonymised quotes; the aggregate summary goes to the assurance board."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.forms import Form
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import path
from django.views.decorators.http import require_GET, require_http_methods

from ..forms_weeks import ActivityForm, PracticeWeekForm, QuoteDecisionForm, add_service_errors
from ..models import PracticeWeek, PracticeWeekActivity
from ..permissions import (
    can_approve_practice_week_quote,
    can_edit_practice_week_activity,
    can_log_practice_week_activity,
    can_schedule_practice_week,
    can_view_practice_week_summary,
    can_view_practice_weeks,
)
from ..selectors_weeks import (
    practice_week_activities_for,
    practice_week_activities_visible,
    practice_week_quotes_decided,
    practice_week_quotes_waiting,
    practice_week_summary,
    practice_weeks_listed,
)
from ..services.weeks import (
    WEEKS_A_YEAR,
    PracticeWeekError,
    long_date,
    practice_week_activity_log,
    practice_week_activity_update,
    practice_week_editable,
    practice_week_quote_approve,
    practice_week_quote_decline,
    practice_week_schedule,
    practice_week_started,
    practice_week_update,
    week_dates,
    weeks_in_year,
)


def _saved(
    request: HttpRequest,
    form: Form,
    message: str,
    service: Callable[..., PracticeWeek | PracticeWeekActivity],
    **args: Any,
) -> HttpResponse | None:
    """Call the page's one service: on success say so (``message`` may name the week's {title} and
    {dates}) and go back to the week's page; on refusal show each reason beside its field."""
    try:
        result = service(**args)
    except PracticeWeekError as exc:
        add_service_errors(form, exc)
        return None
    week = result if isinstance(result, PracticeWeek) else result.week
    messages.success(request, message.format(title=week.title, dates=week_dates(week)))
    return redirect("observations:practice-week-detail", week_id=week.pk)


def _week_or_404(week_id: int) -> PracticeWeek:
    # Practice weeks belong to the whole service: anyone who has the pages sees every week.
    return get_object_or_404(PracticeWeek.objects.select_related("scheduled_by"), pk=week_id)


@require_http_methods(["GET", "POST"])
def practice_week_list(request: HttpRequest) -> HttpResponse:
    """Every practice week; the QA team schedules the next one with the form on this page."""
    scope = request.scope
    if not can_view_practice_weeks(scope):
        raise PermissionDenied
    can_schedule = can_schedule_practice_week(scope)
    if request.method == "POST" and not can_schedule:
        raise PermissionDenied
    form = PracticeWeekForm(request.POST if request.method == "POST" else None) if can_schedule else None
    if form is not None and form.is_valid():
        saved = _saved(
            request, form, "{title} is scheduled for {dates}.", practice_week_schedule,
            **form.week_fields(), actor=request.user, today=scope.today,
        )  # fmt: skip
        if saved:
            return saved
    weeks = practice_weeks_listed()
    context = {
        "weeks": weeks,
        "form": form,
        "today": scope.today,
        "year": scope.today.year,
        "this_year": weeks_in_year(weeks, scope.today.year),
        "weeks_a_year": WEEKS_A_YEAR,
    }
    return render(request, "observations/weeks/list.html", context)


@require_GET
def practice_week_detail(request: HttpRequest, week_id: int) -> HttpResponse:
    """A week's dates and focus; a leader's own activities (the QA team's: everyone's) and the way
    to log one; links to the summary and, for the QA team, the quotes waiting."""
    scope = request.scope
    if not can_view_practice_weeks(scope):
        raise PermissionDenied
    week = _week_or_404(week_id)
    context = {
        "week": week,
        "dates": week_dates(week),
        "activities": practice_week_activities_for(scope, week),
        "is_qa": can_approve_practice_week_quote(scope),
        "can_log": can_log_practice_week_activity(scope),
        "started": practice_week_started(week, today=scope.today),
        "can_change_week": can_schedule_practice_week(scope) and practice_week_editable(week, today=scope.today),
        "can_read_summary": can_view_practice_week_summary(scope),
        "quotes_waiting": len(practice_week_quotes_waiting(week)) if can_approve_practice_week_quote(scope) else 0,
        "user_id": scope.user_id,
    }
    return render(request, "observations/weeks/detail.html", context)


@require_http_methods(["GET", "POST"])
def practice_week_edit(request: HttpRequest, week_id: int) -> HttpResponse:
    """The QA team changes a week's title, dates or focus until it ends."""
    scope = request.scope
    if not can_schedule_practice_week(scope):
        raise PermissionDenied
    week = _week_or_404(week_id)
    if not practice_week_editable(week, today=scope.today):
        messages.info(request, f"{week.title} has ended: its dates and focus can no longer change.")
        return redirect("observations:practice-week-detail", week_id=week.pk)
    form = PracticeWeekForm(request.POST if request.method == "POST" else None, week=week)
    if form.is_valid():
        saved = _saved(
            request, form, "Practice week saved.", practice_week_update,
            week=week, **form.week_fields(), actor=request.user, today=scope.today,
        )  # fmt: skip
        if saved:
            return saved
    return render(request, "observations/weeks/edit.html", {"week": week, "form": form, "dates": week_dates(week)})


@require_http_methods(["GET", "POST"])
def practice_week_activity_new(request: HttpRequest, week_id: int) -> HttpResponse:
    """A leader logs what they did in the week and what they found."""
    scope = request.scope
    if not can_log_practice_week_activity(scope):
        raise PermissionDenied
    week = _week_or_404(week_id)
    if not practice_week_started(week, today=scope.today):
        messages.info(request, f"{week.title} starts on {long_date(week.starts_on)}: log activities from then.")
        return redirect("observations:practice-week-detail", week_id=week.pk)
    initial = {"happened_on": scope.today} if week.starts_on <= scope.today <= week.ends_on else {}
    form = ActivityForm(request.POST if request.method == "POST" else None, initial=initial)
    if form.is_valid():
        saved = _saved(
            request, form, "Activity logged. Thank you.", practice_week_activity_log,
            week=week, leader=request.user, data=form.activity_input(), today=scope.today,
        )  # fmt: skip
        if saved:
            return saved
    return render(request, "observations/weeks/activity.html", {"week": week, "form": form, "dates": week_dates(week)})


@require_http_methods(["GET", "POST"])
def practice_week_activity_edit(request: HttpRequest, activity_id: int) -> HttpResponse:
    """The leader changes their own activity; anyone else's answers 404."""
    scope = request.scope
    if not can_log_practice_week_activity(scope):
        raise PermissionDenied
    # Only the leader's own: the QA team reads everyone's on the week's page but changes only its own.
    own = practice_week_activities_visible(scope).filter(leader_id=scope.user_id)
    activity = get_object_or_404(own.select_related("week", "service_area", "team"), pk=activity_id)
    if not can_edit_practice_week_activity(scope, activity):
        raise PermissionDenied
    week = activity.week
    form = ActivityForm(request.POST if request.method == "POST" else None, activity=activity)
    if form.is_valid():
        saved = _saved(
            request, form, "Activity saved.", practice_week_activity_update,
            activity=activity, data=form.activity_input(), actor=request.user, today=scope.today,
        )  # fmt: skip
        if saved:
            return saved
    context = {"week": week, "form": form, "dates": week_dates(week), "activity": activity}
    return render(request, "observations/weeks/activity.html", context)


@require_http_methods(["GET", "POST"])
def practice_week_quotes(request: HttpRequest, week_id: int) -> HttpResponse:
    """The QA team approves an anonymised wording of each proposed quote, or declines it."""
    scope = request.scope
    if not can_approve_practice_week_quote(scope):
        raise PermissionDenied
    week = _week_or_404(week_id)
    waiting = practice_week_quotes_waiting(week)
    forms = [QuoteDecisionForm(activity=a, number=n) for n, a in enumerate(waiting, start=1)]
    failed = None
    if request.method == "POST":
        number, chosen = next(
            ((n, a) for n, a in enumerate(waiting, start=1) if f"quote-{a.pk}-decision" in request.POST), (0, None)
        )
        if chosen is None:
            messages.info(request, "That quote is no longer waiting for a decision.")
            return redirect("observations:practice-week-quotes", week_id=week.pk)
        failed = QuoteDecisionForm(request.POST, activity=chosen, number=number)
        forms = [failed if f.activity.pk == chosen.pk else f for f in forms]
        if failed.is_valid():
            data = failed.cleaned_data
            try:
                if data["decision"] == "approve":
                    practice_week_quote_approve(
                        activity=chosen,
                        approved_text=data["approved_text"],
                        fingerprint=data["fingerprint"],
                        actor=request.user,
                    )
                    messages.success(request, "Wording approved: it will appear in the summary.")
                else:
                    practice_week_quote_decline(activity=chosen, fingerprint=data["fingerprint"], actor=request.user)
                    messages.success(request, "Quote declined: it will not be used.")
                return redirect("observations:practice-week-quotes", week_id=week.pk)
            except PracticeWeekError as exc:
                add_service_errors(failed, exc)
    context = {
        "week": week,
        "dates": week_dates(week),
        "forms": forms,
        "failed": failed,
        "decided": practice_week_quotes_decided(week),
    }
    return render(request, "observations/weeks/quotes.html", context)


@require_GET
def practice_week_summary_view(request: HttpRequest, week_id: int) -> HttpResponse:
    """The aggregate summary for the Practice and Performance Assurance Board: counts, the number
    of leaders, findings by service area, and approved quotes only. Print-friendly."""
    scope = request.scope
    if not can_view_practice_week_summary(scope):
        raise PermissionDenied
    week = _week_or_404(week_id)
    summary = practice_week_summary(week=week)
    return render(
        request, "observations/weeks/summary.html", {"summary": summary, "week": week, "dates": week_dates(week)}
    )


urlpatterns = [
    path("practice-weeks/", practice_week_list, name="practice-week-list"),
    path("practice-weeks/<int:week_id>/", practice_week_detail, name="practice-week-detail"),
    path("practice-weeks/<int:week_id>/change/", practice_week_edit, name="practice-week-edit"),
    path("practice-weeks/<int:week_id>/log/", practice_week_activity_new, name="practice-week-activity-new"),
    path("practice-weeks/<int:week_id>/quotes/", practice_week_quotes, name="practice-week-quotes"),
    path("practice-weeks/<int:week_id>/summary/", practice_week_summary_view, name="practice-week-summary"),
    path(
        "practice-weeks/activities/<int:activity_id>/",
        practice_week_activity_edit,
        name="practice-week-activity-edit",
    ),
]
