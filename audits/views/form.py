"""The auditor's audit form: one page, saved part by part.

"Save and come back later" and autosave post the same form to the same view; autosave asks for
JSON (``Accept: application/json``, ``X-Requested-With: fetch`` and ``_autosave=1``) and gets
the new versions, any conflicts (409) or draft-rule errors (400). Without JavaScript the page is
shown again with the conflict panel or the error summary, keeping everything typed.
"""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.db.models import Prefetch
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import path
from django.utils import timezone
from django.views.decorators.http import require_http_methods

from core.middleware import wants_json

from ..forms_audit import GRADING_RULE, AuditForms
from ..models import Action, Audit
from ..permissions import can_edit_audit, is_auditor
from ..selectors import audits_visible
from ..services.answers import AuditStateError, SaveResult, audit_save_draft, audit_submit

SAVED_MESSAGE = "Your answers are saved. You can come back to this audit at any time before you submit it."
SUBMITTED_MESSAGE = "The audit is submitted. Thank you."


def _audit_for_auditor(request: HttpRequest, audit_id: int) -> Audit:
    """The audit if this person may see it (else 404) and is its auditor (else 403)."""
    audit = get_object_or_404(
        audits_visible(request.scope)
        .select_related("tool_version__tool", "team", "service_area", "practitioner", "auditor")
        .prefetch_related(
            Prefetch("actions", queryset=Action.objects.select_related("owner", "confirmed_by")), "concerns"
        ),
        pk=audit_id,
    )
    if not is_auditor(request.scope, audit):
        raise PermissionDenied
    return audit


def not_editable(request: HttpRequest, audit: Audit, message: str = "") -> HttpResponse:
    """409: the audit was submitted or cancelled; its answers can no longer change."""
    text = message or f"This audit is {audit.get_status_display().lower()}, so its answers can no longer be changed."
    if wants_json(request):
        return JsonResponse({"error": "not-editable", "message": text}, status=409)
    return render(request, "audits/form/not_editable.html", {"audit": audit, "message": text}, status=409)


def _autosave_response(save: SaveResult, forms: AuditForms) -> JsonResponse:
    errors = forms.json_errors()
    status = 409 if save.conflicts else 400 if errors else 200
    return JsonResponse(
        {
            "saved_at": timezone.localtime(save.saved_at).strftime("%H:%M"),
            "versions": save.versions,
            "conflicts": [c.as_json() for c in save.conflicts],
            "errors": errors,
        },
        status=status,
    )


def _render(request: HttpRequest, audit: Audit, forms: AuditForms, conflicts: list | None = None) -> HttpResponse:
    return render(
        request,
        "audits/form.html",
        {
            "audit": audit,
            "forms": forms,
            "error_items": forms.error_items(),
            "conflicts": conflicts or [],
            "grading_rule": GRADING_RULE,
        },
    )


@require_http_methods(["GET", "POST"])
def audit_edit(request: HttpRequest, audit_id: int) -> HttpResponse:
    audit = _audit_for_auditor(request, audit_id)
    if not can_edit_audit(request.scope, audit):
        return not_editable(request, audit)
    if request.method == "GET":
        return _render(request, audit, AuditForms(audit))

    forms = AuditForms(audit, request.POST)
    autosave = request.POST.get("_autosave") == "1"
    submitting = request.POST.get("action") == "submit" and not autosave
    problems = []
    try:
        if submitting and forms.all_valid:
            result = audit_submit(audit=audit, actor=request.user, parts=forms.valid_parts())
            if result.submitted:
                messages.success(request, SUBMITTED_MESSAGE)
                return redirect("audits:audit-detail", audit_id=audit.pk)
            save, problems = result.save, result.problems
        else:
            # Parts that pass the draft rules are saved even when another part does not: one
            # mistyped date must not hold back everything else typed.
            save = audit_save_draft(audit=audit, actor=request.user, parts=forms.valid_parts())
    except AuditStateError as exc:
        return not_editable(request, audit, str(exc))

    if autosave:
        return _autosave_response(save, forms)
    if forms.all_valid and not save.conflicts and not problems:
        messages.success(request, SAVED_MESSAGE)
        return redirect("audits:audit-edit", audit_id=audit.pk)
    forms.after_save(save)
    forms.add_problems(problems)
    return _render(request, audit, forms, conflicts=save.conflicts)


urlpatterns: list = [path("<int:audit_id>/edit/", audit_edit, name="audit-edit")]
