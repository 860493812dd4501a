"""The learning loop's pages (DESIGN section 9): themes by service area and over time, the learning
with its source, and recording learning summaries and reflective discussions.

Aggregate only: nothing here is by named practitioner or per practitioner; small counts are shown
as "fewer than 5". Another area's record answers 404; someone who may read but not record gets 403
on the recording pages."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse, QueryDict
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import URLPattern, path
from django.views.decorators.http import require_GET, require_http_methods

from organisation.scope import Scope

from ..forms_learning import LearningFilterForm, LearningSummaryForm, ReflectiveDiscussionForm
from ..models import LearningSummary, ReflectiveDiscussion
from ..selectors_learning import (
    FEWER_THAN,
    can_record_learning,
    can_view_learning,
    discussions_visible,
    learning_areas,
    learning_page,
    shown_count,
    summaries_visible,
)
from ..services.learning import (
    LearningConflict,
    LearningError,
    learning_summary_create,
    learning_summary_update,
    record_version,
    reflective_discussion_create,
    reflective_discussion_update,
)

PAGE_SIZE = 25


def _require(allowed: bool) -> None:
    if not allowed:
        raise PermissionDenied


@require_GET
def learning(request: HttpRequest) -> HttpResponse:
    """Top strengths and areas to develop by service area and for the whole service, the trend over
    the last 4 quarters, and the learning with its source."""
    scope = request.scope
    _require(can_view_learning(scope))
    areas = learning_areas(scope)
    form = LearningFilterForm(request.GET or None, areas=areas, today=scope.today)
    first, last = form.period()
    data = learning_page(scope, first=first, last=last, area=form.chosen_area())
    context = {
        "form": form,
        "page": data,
        "fewer_than": FEWER_THAN,
        "can_record": can_record_learning(scope),
        "has_errors": bool(form.is_bound and form.errors),
    }
    return render(request, "boards/learning/page.html", context)


# --- learning summaries -----------------------------------------------------------------------------------
def _paged(request: HttpRequest, qs: QuerySet[Any]) -> Any:
    return Paginator(qs, PAGE_SIZE).get_page(request.GET.get("page"))


@require_GET
def learning_summary_list(request: HttpRequest) -> HttpResponse:
    scope = request.scope
    _require(can_view_learning(scope))
    page = _paged(request, summaries_visible(scope).prefetch_related("themes").order_by("-period_to", "-pk"))
    return render(
        request, "boards/learning/summary_list.html", {"page": page, "can_record": can_record_learning(scope)}
    )


def _summary_or_404(scope: Scope, summary_id: int) -> LearningSummary:
    return get_object_or_404(summaries_visible(scope), pk=summary_id)


@require_GET
def learning_summary_detail(request: HttpRequest, summary_id: int) -> HttpResponse:
    scope = request.scope
    _require(can_view_learning(scope))
    summary = _summary_or_404(scope, summary_id)
    context = {
        "summary": summary,
        "themes": list(summary.themes.order_by("name")),
        "changes": list(summary.history.select_related("history_user").order_by("history_date", "history_id")),
        "can_edit": can_record_learning(scope),
    }
    return render(request, "boards/learning/summary_detail.html", context)


def _summary_form(scope: Scope, data: QueryDict | None, summary: LearningSummary | None) -> LearningSummaryForm:
    if summary is None:
        initial: dict[str, Any] = {"version": 0}
    else:
        initial = {
            "title": summary.title,
            "service_area": summary.service_area_id,
            "first": f"{summary.period_from:%Y-%m}",
            "last": f"{summary.period_to:%Y-%m}",
            "themes": list(summary.themes.values_list("pk", flat=True)),
            "summary": summary.summary,
            "version": record_version(summary),
        }
    return LearningSummaryForm(data, initial=initial, areas=learning_areas(scope))


@require_http_methods(["GET", "POST"])
def learning_summary_new(request: HttpRequest) -> HttpResponse:
    scope = request.scope
    _require(can_record_learning(scope))
    form = _summary_form(scope, request.POST if request.method == "POST" else None, None)
    if form.is_valid():
        try:
            summary = learning_summary_create(scope=scope, actor=request.user, data=form.summary_data())
        except LearningError as exc:
            form.add_error(None, str(exc))
        else:
            messages.success(request, "The learning summary is saved.")
            return redirect("boards:learning-summary-detail", summary_id=summary.pk)
    return render(request, "boards/learning/summary_form.html", {"form": form, "summary": None})


@require_http_methods(["GET", "POST"])
def learning_summary_edit(request: HttpRequest, summary_id: int) -> HttpResponse:
    scope = request.scope
    _require(can_view_learning(scope))
    summary = _summary_or_404(scope, summary_id)
    _require(can_record_learning(scope))
    data = request.POST if request.method == "POST" else None
    form = _summary_form(scope, data, summary)
    if form.is_valid():
        try:
            learning_summary_update(
                scope=scope,
                summary=summary,
                actor=request.user,
                data=form.summary_data(),
                version=form.cleaned_data["version"],
            )
        except LearningConflict as exc:
            # Shown again with what was typed, against the newer version: saving again is deliberate.
            refreshed = data.copy()
            refreshed["version"] = str(record_version(summary))
            form = _summary_form(scope, refreshed, summary)
            form.is_valid()
            form.add_error(None, str(exc))
        except LearningError as exc:
            form.add_error(None, str(exc))
        else:
            messages.success(request, "The learning summary is saved.")
            return redirect("boards:learning-summary-detail", summary_id=summary.pk)
    return render(request, "boards/learning/summary_form.html", {"form": form, "summary": summary})


# --- reflective discussions -------------------------------------------------------------------------------
@require_GET
def reflective_discussion_list(request: HttpRequest) -> HttpResponse:
    scope = request.scope
    _require(can_view_learning(scope))
    page = _paged(request, discussions_visible(scope).prefetch_related("themes").order_by("-held_on", "-pk"))
    return render(
        request, "boards/learning/discussion_list.html", {"page": page, "can_record": can_record_learning(scope)}
    )


def _discussion_or_404(scope: Scope, discussion_id: int) -> ReflectiveDiscussion:
    return get_object_or_404(discussions_visible(scope), pk=discussion_id)


@require_GET
def reflective_discussion_detail(request: HttpRequest, discussion_id: int) -> HttpResponse:
    scope = request.scope
    _require(can_view_learning(scope))
    discussion = _discussion_or_404(scope, discussion_id)
    context = {
        "discussion": discussion,
        "attended": shown_count(discussion.attended),
        "themes": list(discussion.themes.order_by("name")),
        "changes": list(discussion.history.select_related("history_user").order_by("history_date", "history_id")),
        "can_edit": can_record_learning(scope),
    }
    return render(request, "boards/learning/discussion_detail.html", context)


def _discussion_form(
    scope: Scope, data: QueryDict | None, discussion: ReflectiveDiscussion | None
) -> ReflectiveDiscussionForm:
    if discussion is None:
        # The facilitator is most often the person recording it.
        initial: dict[str, Any] = {"version": 0, "facilitator": scope.user_id}
    else:
        initial = {
            "held_on": discussion.held_on,
            "service_area": discussion.service_area_id,
            "led_by": discussion.led_by,
            "facilitator": discussion.facilitator_id,
            "topic": discussion.topic,
            "themes": list(discussion.themes.values_list("pk", flat=True)),
            "attended": discussion.attended,
            "learning": discussion.learning,
            "version": record_version(discussion),
        }
    return ReflectiveDiscussionForm(data, initial=initial, areas=learning_areas(scope), today=scope.today)


@require_http_methods(["GET", "POST"])
def reflective_discussion_new(request: HttpRequest) -> HttpResponse:
    scope = request.scope
    _require(can_record_learning(scope))
    form = _discussion_form(scope, request.POST if request.method == "POST" else None, None)
    if form.is_valid():
        try:
            discussion = reflective_discussion_create(scope=scope, actor=request.user, data=form.discussion_data())
        except LearningError as exc:
            form.add_error(None, str(exc))
        else:
            messages.success(request, "The reflective discussion is saved.")
            return redirect("boards:reflective-discussion-detail", discussion_id=discussion.pk)
    return render(request, "boards/learning/discussion_form.html", {"form": form, "discussion": None})


@require_http_methods(["GET", "POST"])
def reflective_discussion_edit(request: HttpRequest, discussion_id: int) -> HttpResponse:
    scope = request.scope
    _require(can_view_learning(scope))
    discussion = _discussion_or_404(scope, discussion_id)
    _require(can_record_learning(scope))
    data = request.POST if request.method == "POST" else None
    form = _discussion_form(scope, data, discussion)
    if form.is_valid():
        try:
            reflective_discussion_update(
                scope=scope,
                discussion=discussion,
                actor=request.user,
                data=form.discussion_data(),
                version=form.cleaned_data["version"],
            )
        except LearningConflict as exc:
            refreshed = data.copy()
            refreshed["version"] = str(record_version(discussion))
            form = _discussion_form(scope, refreshed, discussion)
            form.is_valid()
            form.add_error(None, str(exc))
        except LearningError as exc:
            form.add_error(None, str(exc))
        else:
            messages.success(request, "The reflective discussion is saved.")
            return redirect("boards:reflective-discussion-detail", discussion_id=discussion.pk)
    return render(request, "boards/learning/discussion_form.html", {"form": form, "discussion": discussion})


urlpatterns: list[URLPattern] = [
    path("learning/", learning, name="learning"),
    path("learning/summaries/", learning_summary_list, name="learning-summary-list"),
    path("learning/summaries/new/", learning_summary_new, name="learning-summary-new"),
    path("learning/summaries/<int:summary_id>/", learning_summary_detail, name="learning-summary-detail"),
    path("learning/summaries/<int:summary_id>/edit/", learning_summary_edit, name="learning-summary-edit"),
    path("learning/discussions/", reflective_discussion_list, name="reflective-discussion-list"),
    path("learning/discussions/new/", reflective_discussion_new, name="reflective-discussion-new"),
    path(
        "learning/discussions/<int:discussion_id>/", reflective_discussion_detail, name="reflective-discussion-detail"
    ),
    path(
        "learning/discussions/<int:discussion_id>/edit/",
        reflective_discussion_edit,
        name="reflective-discussion-edit",
    ),
]
