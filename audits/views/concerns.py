"""Immediate safeguarding concerns: raising one (the auditor), reading it and recording the
action taken (the team manager), and the list of concerns a person may see."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import path
from django.views.decorators.http import require_GET, require_http_methods

from ..forms_audit import ConcernActionForm, ConcernRaiseForm
from ..models import Audit, AuditStatus, ImmediateConcern
from ..permissions import can_edit_audit, is_auditor
from ..selectors import audits_visible
from ..services.concerns import (
    ConcernError,
    can_raise_concern,
    can_record_concern_action,
    can_view_concern,
    concern_list,
    concern_raise,
    concern_record_action,
)

PAGE_SIZE = 50
SHOW_CHOICES = (("open", "Awaiting action"), ("overdue", "Overdue"), ("all", "All"))
RAISED_MESSAGE = (
    "The concern has been raised. The team manager, the service manager and the QA manager have been alerted."
)


@require_http_methods(["GET", "POST"])
def concern_raise_view(request: HttpRequest, audit_id: int) -> HttpResponse:
    audit = get_object_or_404(audits_visible(request.scope).select_related("team"), pk=audit_id)
    if not is_auditor(request.scope, audit):
        raise PermissionDenied
    if not can_raise_concern(request.scope, audit):
        return render(request, "audits/concerns/cancelled.html", {"audit": audit}, status=409)
    form = ConcernRaiseForm(request.POST if request.method == "POST" else None)
    if form.is_valid():
        try:
            concern = concern_raise(audit=audit, actor=request.user, description=form.cleaned_data["description"])
        except ConcernError as exc:
            form.add_error("description", str(exc))
        else:
            messages.success(request, RAISED_MESSAGE)
            return redirect("audits:concern-detail", concern_id=concern.pk)
    return render(
        request,
        "audits/concerns/raise.html",
        {"audit": audit, "form": form, "can_edit": can_edit_audit(request.scope, audit)},
    )


def _concern_or_404(request: HttpRequest, concern_id: int) -> ImmediateConcern:
    concern = get_object_or_404(
        ImmediateConcern.objects.select_related(
            "audit__team", "audit__service_area", "raised_by", "action_recorded_by"
        ),
        pk=concern_id,
    )
    if not can_view_concern(request.scope, concern):
        raise Http404("No concern found")
    return concern


@require_http_methods(["GET", "POST"])
def concern_detail(request: HttpRequest, concern_id: int) -> HttpResponse:
    concern = _concern_or_404(request, concern_id)
    scope = request.scope
    can_record = can_record_concern_action(scope, concern)
    form = None
    status = 200
    if concern.action_recorded_at is None and can_record:
        form = ConcernActionForm(request.POST if request.method == "POST" else None)
    if request.method == "POST":
        if not can_record:
            raise PermissionDenied
        if form is None:
            messages.error(request, "The action taken has already been recorded; it has not been changed.")
            status = 409
        elif form.is_valid():
            try:
                concern_record_action(
                    concern=concern, actor=request.user, action_taken=form.cleaned_data["action_taken"]
                )
            except ConcernError as exc:
                messages.error(request, str(exc))
            else:
                messages.success(request, "The action taken has been recorded.")
            return redirect("audits:concern-detail", concern_id=concern.pk)
    audit: Audit = concern.audit
    return render(
        request,
        "audits/concerns/detail.html",
        {
            "concern": concern,
            "audit": audit,
            "form": form,
            "overdue": concern.is_overdue(scope.today),
            "can_edit": can_edit_audit(scope, audit),
            "audit_cancelled": audit.status == AuditStatus.CANCELLED,
        },
        status=status,
    )


@require_GET
def concern_list_view(request: HttpRequest) -> HttpResponse:
    scope = request.scope
    show = request.GET.get("show", "open")
    if show not in dict(SHOW_CHOICES):
        show = "open"
    concerns = concern_list(scope, today=scope.today, show=show)
    page = Paginator(concerns, PAGE_SIZE).get_page(request.GET.get("page"))
    return render(
        request,
        "audits/concerns/list.html",
        {
            "page": page,
            "show": show,
            "show_choices": SHOW_CHOICES,
            "query": f"show={show}",
            "today": scope.today,
        },
    )


urlpatterns: list = [
    path("<int:audit_id>/concerns/new/", concern_raise_view, name="concern-raise"),
    path("concerns/", concern_list_view, name="concern-list"),
    path("concerns/<int:concern_id>/", concern_detail, name="concern-detail"),
]
