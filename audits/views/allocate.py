"""Audit pages: allocation by hand (the QA team; restricted case files, the QA manager)."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import path
from django.views.decorators.http import require_http_methods

from .. import permissions
from ..forms_allocate import AllocateForm
from ..services.allocation import (
    EARLY_HELP_TOOL,
    SOCIAL_WORK_TOOL,
    AllocationError,
    audit_allocate_by_hand,
    tool_version_for_case_type,
)


@require_http_methods(["GET", "POST"])
def allocate(request: HttpRequest) -> HttpResponse:
    scope = request.scope
    if not permissions.can_allocate_by_hand(scope):
        raise PermissionDenied
    form = AllocateForm(request.POST if request.method == "POST" else None, scope=scope)
    if form.is_valid():
        try:
            audit = audit_allocate_by_hand(
                case_file=form.case_file,
                auditor=form.cleaned_data["auditor"],
                kind=form.cleaned_data["kind"],
                due_on=form.cleaned_data["due_on"],
                reason=form.cleaned_data["reason"],
                actor=request.user,
                today=scope.today,
            )
        except AllocationError as exc:
            form.add_error(None, str(exc))
        else:
            messages.success(
                request,
                f"Audit of {audit.case_reference} allocated to {audit.auditor}. They, the practitioner and "
                "their team manager have been told.",
            )
            return redirect("audits:audit-detail", audit_id=audit.pk)
    tools = [
        ("Social work case files", SOCIAL_WORK_TOOL, tool_version_for_case_type("child_in_need")),
        ("Early help files", EARLY_HELP_TOOL, tool_version_for_case_type("early_help")),
    ]
    return render(
        request,
        "audits/allocate.html",
        {"form": form, "tools": tools, "restricted_allowed": permissions.can_allocate_restricted(scope)},
    )


urlpatterns: list = [path("allocate/", allocate, name="allocate")]
