"""The child of concern register, one episode, and the 6-week review of actions.

The register is for team managers (their teams), SMs and HoS (their areas) and the
whole-authority roles; others get 403. An episode or review outside a person's scope answers
404. Only the allocated reviewer records a review; others who may see it read it.
"""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import path
from django.views.decorators.http import require_GET, require_http_methods

from ..forms_register import ActionReviewForm
from ..models import ActionReview, ChildOfConcern
from ..services.concern_process import (
    ReviewError,
    action_review_complete,
    can_do_review,
    can_view_episode,
    can_view_register,
    concern_register,
    review_state,
)
from ..services.concern_process import (
    audit_conversation_or_submission as counted_from,
)

PAGE_SIZE = 50
SHOW_CHOICES = (("open", "On the register"), ("all", "All, including closed and ended"))


@require_GET
def concern_register_view(request: HttpRequest) -> HttpResponse:
    scope = request.scope
    if not can_view_register(scope):
        raise PermissionDenied
    show = request.GET.get("show", "open")
    if show not in dict(SHOW_CHOICES):
        show = "open"
    page = Paginator(concern_register(scope, show=show), PAGE_SIZE).get_page(request.GET.get("page"))
    rows = []
    for episode in page:
        reviews = list(episode.reviews.all())
        latest = reviews[-1] if reviews else None
        since = counted_from(episode.audit, today=scope.today)
        rows.append(
            {
                "episode": episode,
                "days_since_audit": (scope.today - since).days,
                "review": latest,
                "review_state": review_state(latest, today=scope.today),
            }
        )
    return render(
        request,
        "audits/register/list.html",
        {"page": page, "rows": rows, "show": show, "show_choices": SHOW_CHOICES, "query": f"show={show}"},
    )


def _episode_or_404(request: HttpRequest, episode_id: int) -> ChildOfConcern:
    episode = get_object_or_404(
        ChildOfConcern.objects.select_related(
            "audit__team", "audit__service_area", "started_by", "ended_by", "case_file"
        ),
        pk=episode_id,
    )
    if not can_view_episode(request.scope, episode):
        raise Http404("No record found")
    return episode


@require_GET
def concern_episode_view(request: HttpRequest, episode_id: int) -> HttpResponse:
    episode = _episode_or_404(request, episode_id)
    today = request.scope.today
    reviews = list(episode.reviews.select_related("reviewer").order_by("number"))
    return render(
        request,
        "audits/register/episode.html",
        {
            "episode": episode,
            "audit": episode.audit,
            "reviews": [(r, review_state(r, today=today)) for r in reviews],
            "actions": list(episode.audit.actions.select_related("owner").order_by("due_on", "pk")),
        },
    )


@require_http_methods(["GET", "POST"])
def action_review_view(request: HttpRequest, review_id: int) -> HttpResponse:
    review = get_object_or_404(
        ActionReview.objects.select_related("episode__audit__team", "episode__audit__service_area", "reviewer"),
        pk=review_id,
    )
    scope = request.scope
    episode = review.episode
    if not (review.reviewer_id == scope.user_id or can_view_episode(scope, episode)):
        raise Http404("No review found")
    editable = can_do_review(scope, review)
    if request.method == "POST" and not editable:
        if review.reviewer_id == scope.user_id:
            messages.error(request, "This 6-week review is not open for recording; nothing has been changed.")
            return redirect("audits:action-review", review_id=review.pk)
        raise PermissionDenied
    items = list(review.items.select_related("action__owner").order_by("action__due_on", "action_id"))
    form = None
    if editable:
        form = ActionReviewForm(request.POST if request.method == "POST" else None, review=review, items=items)
        if request.method == "POST" and form.is_valid():
            try:
                action_review_complete(
                    review=review,
                    actor=request.user,
                    items=form.answers(),
                    notes=form.cleaned_data["notes"],
                    new_grade=form.cleaned_data["new_grade"],
                    outcome=form.cleaned_data["outcome"],
                    version=form.cleaned_data["version"],
                )
            except ReviewError as exc:
                form.add_error(None, str(exc))
            else:
                messages.success(request, "The 6-week review of actions has been recorded.")
                return redirect("audits:concern-episode", episode_id=episode.pk)
    return render(
        request,
        "audits/register/review.html",
        {
            "review": review,
            "episode": episode,
            "audit": episode.audit,
            "items": items,
            "form": form,
            "state": review_state(review, today=scope.today),
        },
    )


urlpatterns: list = [
    path("register/", concern_register_view, name="concern-register"),
    path("register/<int:episode_id>/", concern_episode_view, name="concern-episode"),
    path("reviews/<int:review_id>/", action_review_view, name="action-review"),
]
