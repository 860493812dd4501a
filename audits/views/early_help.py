"""Audit programme pages: the early help strategic lead chooses and allocates early help files."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import path
from django.views.decorators.http import require_http_methods

from core.models import QASettings

from ..forms_programme import EarlyHelpAllocateForm
from ..services import early_help as services
from ..services.allocation import EARLY_HELP_TOOL
from ..services.tools import tool_version_current


@require_http_methods(["GET", "POST"])
def early_help_allocate(request: HttpRequest) -> HttpResponse:
    scope = request.scope
    if not services.can_allocate_early_help(scope):
        raise PermissionDenied
    candidates = list(services.early_help_candidates(today=scope.today))
    form = EarlyHelpAllocateForm(
        request.POST if request.method == "POST" else None,
        candidates=candidates,
        auditors=services.early_help_auditors(today=scope.today),
    )
    if form.is_valid():
        chosen_ids = {int(pk) for pk in form.cleaned_data["case_files"]}
        try:
            made = services.early_help_allocate(
                case_files=[c for c in candidates if c.pk in chosen_ids],
                auditor=form.cleaned_data["auditor"],
                actor_scope=scope,
                actor=request.user,
                today=scope.today,
            )
        except services.EarlyHelpError as exc:
            form.add_error(None, str(exc))
        else:
            messages.success(
                request,
                f"{len(made)} early help audit{'s' if len(made) != 1 else ''} allocated to "
                f"{form.cleaned_data['auditor'].full_name}. They, the practitioners and their managers have been told.",
            )
            return redirect("audits:early-help-allocate")
    return render(
        request,
        "audits/early_help/allocate.html",
        {
            "form": form,
            "candidates": candidates,
            "min_months": QASettings.current().min_open_months_early_help,
            "tool": tool_version_current(tool_key=EARLY_HELP_TOOL),
        },
    )


urlpatterns: list = [path("early-help/", early_help_allocate, name="early-help-allocate")]
