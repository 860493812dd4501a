"""The officer's side of a family's secure link: make one (the full link is shown once, on the
page that answers the POST, and never stored) and withdraw one."""

from __future__ import annotations

from django.conf import settings
from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import path, reverse
from django.utils.cache import add_never_cache_headers
from django.views.decorators.http import require_http_methods, require_POST

from core import clock
from core.models import QASettings

from ..forms_family import LinkCreateForm
from ..models import ParticipationTask, SecureLink
from ..permissions import can_manage_links
from ..selectors import participation_tasks_visible
from ..services.links import LinkError, link_create, link_refusal, link_withdraw
from ..services.questionnaires import questionnaires_current

TASK_PAGE = "feedback:participation-task"


def _task_or_404(request: HttpRequest, task_id: int) -> ParticipationTask:
    if not can_manage_links(request.scope):
        raise PermissionDenied
    return get_object_or_404(participation_tasks_visible(request.scope).select_related("audit"), pk=task_id)


@require_http_methods(["GET", "POST"])
def link_create_view(request: HttpRequest, task_id: int) -> HttpResponse:
    """Choose the child's or the parent's questions and make the link; the answer shows it once."""
    task = _task_or_404(request, task_id)
    refusal = link_refusal(task)
    form = LinkCreateForm(request.POST if request.method == "POST" else None, questionnaires=questionnaires_current())
    if refusal is None and form.is_valid():
        now = clock.now()
        try:
            link, token = link_create(task=task, questionnaire=form.questionnaire, actor=request.user, now=now)
        except LinkError as exc:
            form.add_error(None, str(exc))
        else:
            url = settings.SITE_URL + reverse("family:start", args=[token])
            response = render(request, "feedback/links/created.html", {"task": task, "link": link, "url": url})
            # The token is on this page only: never cached, never sent on as a referrer.
            add_never_cache_headers(response)
            response["Referrer-Policy"] = "no-referrer"
            return response
    # A refused POST shows why as the page's error; the form is not shown when no link can be sent.
    refused = bool(refusal) and request.method == "POST"
    context = {
        "task": task,
        "form": form,
        "refusal": refusal,
        "refused": refused,
        "has_errors": refused or bool(form.errors),
        "task_page": TASK_PAGE,
        "expiry_days": QASettings.current().family_link_expiry_days,
    }
    return render(request, "feedback/links/create.html", context)


@require_POST
def link_withdraw_view(request: HttpRequest, link_id: int) -> HttpResponse:
    """End a link now (sent to the wrong person, or no longer wanted)."""
    if not can_manage_links(request.scope):
        raise PermissionDenied
    link = get_object_or_404(SecureLink.objects.filter(task__in=participation_tasks_visible(request.scope)), pk=link_id)
    try:
        link_withdraw(link=link, actor=request.user, now=clock.now())
    except LinkError as exc:
        messages.error(request, str(exc))
    else:
        messages.success(request, "Link withdrawn: it can no longer be used.")
    return redirect(TASK_PAGE, link.task_id)


urlpatterns = [
    path("tasks/<int:task_id>/link/", link_create_view, name="link-create"),
    path("links/<int:link_id>/withdraw/", link_withdraw_view, name="link-withdraw"),
]
