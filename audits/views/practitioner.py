"""The practitioner's part of an audit, and the TM recording the talk-through of an Inadequate grade."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.db.models import Prefetch
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import path, reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_http_methods, require_POST

from core.models import AccessLog
from organisation.scope import Scope

from ..forms_practitioner import FORMS, VersionedForm
from ..models import OPEN_STATUSES, Action, Audit, AuditStatus, ScaleOption
from ..panels import audit_panels
from ..permissions import is_practitioner, is_team_manager, practitioner_sees_findings
from ..selectors import audits_visible
from ..services.practitioner import (
    EditConflict,
    PractitionerPartError,
    audit_record_talked_through,
    reflection_save,
    response_is_late,
    response_save,
)

CONFLICT_MESSAGE = (
    "Someone else saved a different version of this since you opened the page. Both versions are shown: "
    "check them, then save again to keep yours."
)


def audit_or_404(scope: Scope, audit_id: int, *, with_actions: bool = False) -> Audit:
    """An audit this person may see, or 404 — never 403, which would confirm it exists."""
    qs = audits_visible(scope).select_related("team", "service_area", "auditor", "practitioner", "tool_version__tool")
    if with_actions:
        qs = qs.prefetch_related(Prefetch("actions", queryset=Action.objects.select_related("owner", "confirmed_by")))
    return get_object_or_404(qs, pk=audit_id)


def next_or(request: HttpRequest, default: str) -> str:
    """Where to go back to: the page's own ``next`` (same site only), else ``default``."""
    target = request.POST.get("next") or request.GET.get("next") or ""
    if target and url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()}, require_https=False):
        return target
    return default


def _stage(audit: Audit) -> str:
    if audit.status == AuditStatus.CANCELLED:
        return "cancelled"
    if audit.status in OPEN_STATUSES:
        return "before"
    return "released" if practitioner_sees_findings(audit) else "waiting"


# Which forms each stage offers.
STAGE_PARTS = {"before": ("before",), "released": ("after", "response"), "waiting": (), "cancelled": ()}


def _initial(audit: Audit, part: str) -> dict[str, Any]:
    if part == "before":
        return {"reflection_before": audit.reflection_before, "version": audit.reflection_version}
    if part == "after":
        return {"reflection_after": audit.reflection_after, "version": audit.reflection_version}
    return {"response": audit.response, "response_comment": audit.response_comment, "version": audit.response_version}


def _save(part: str, audit: Audit, form: VersionedForm, actor: Any) -> Audit:
    data = form.cleaned_data
    if part == "before":
        return reflection_save(audit=audit, actor=actor, before=data["reflection_before"], version=data["version"])
    if part == "after":
        return reflection_save(audit=audit, actor=actor, after=data["reflection_after"], version=data["version"])
    return response_save(
        audit=audit,
        actor=actor,
        response=data["response"],
        comment=data["response_comment"],
        version=data["version"],
    )


SAVED = {
    "before": "Your reflection before the audit has been saved.",
    "after": "Your reflection after the audit has been saved.",
    "response": "Your response has been saved. Thank you.",
}


def _findings(audit: Audit) -> dict[str, Any]:
    """The auditor's findings, in the order the practitioner reads them (DESIGN section 10)."""
    answers = [
        answer
        for answer in audit.answers.select_related("element").order_by("element__position")
        if answer.element.applies_to_case_type(audit.case_type)
    ]
    grades = {option.code: option for option in ScaleOption.objects.filter(scale__key="grade")}
    for answer in answers:
        answer.grade_option = grades.get(answer.grade)  # the descriptor shown beside the grade
    return {"answers": answers, "overall": grades.get(audit.reported_grade)}


@require_http_methods(["GET", "POST"])
def audit_practitioner(request: HttpRequest, audit_id: int) -> HttpResponse:
    """The practitioner's own page for an audit of their case: reflect, read, respond."""
    scope = request.scope
    audit = audit_or_404(scope, audit_id, with_actions=True)
    if not is_practitioner(scope, audit):
        raise PermissionDenied
    if request.method == "GET":
        # Case-level records: every view is logged (DESIGN section 10).
        AccessLog.objects.create(
            user=request.user,
            action=AccessLog.Action.VIEW,
            object_type="audit",
            object_ref=audit.case_reference,
            path=request.path[:300],
        )
    stage = _stage(audit)
    parts = STAGE_PARTS[stage]
    forms: dict[str, VersionedForm] = {}
    conflict: EditConflict | None = None
    if request.method == "POST":
        part = request.POST.get("part") or (parts[-1] if parts else "")
        if part not in parts:
            messages.error(request, "That part of the audit cannot be changed now.")
            return redirect(request.path)
        form = FORMS[part](request.POST)
        if form.is_valid():
            try:
                _save(part, audit, form, request.user)
            except EditConflict as exc:
                conflict = exc
                # Shown again with the saved version's number: saving again replaces it, knowingly.
                data = request.POST.copy()
                data["version"] = str(exc.version)
                form = FORMS[part](data)
                form.is_valid()
                form.add_error(None, CONFLICT_MESSAGE)
            except PractitionerPartError as exc:
                form.add_error(None, str(exc))
            else:
                messages.success(request, SAVED[part])
                return redirect(request.path)
        forms[part] = form
    for part in parts:
        forms.setdefault(part, FORMS[part](initial=_initial(audit, part)))
    context = {
        "audit": audit,
        "stage": stage,
        "before_form": forms.get("before"),
        "after_form": forms.get("after"),
        "response_form": forms.get("response"),
        "has_errors": any(f.errors for f in forms.values()),
        "conflict": conflict,
        "response_late": response_is_late(audit),
        "today": scope.today,
    }
    if stage == "released":
        context.update(_findings(audit))
        context["panels"] = audit_panels(scope, audit)
    return render(request, "audits/practitioner/my_part.html", context, status=409 if conflict else 200)


@require_POST
def talked_through(request: HttpRequest, audit_id: int) -> HttpResponse:
    """The TM records that they talked an Inadequate audit through with the practitioner."""
    scope = request.scope
    audit = audit_or_404(scope, audit_id)
    if not is_team_manager(scope, audit):
        raise PermissionDenied
    try:
        audit_record_talked_through(audit=audit, actor=request.user)
    except PractitionerPartError as exc:
        messages.error(request, str(exc))
    else:
        messages.success(request, "Recorded. The practitioner can now read the audit, and has been told.")
    return redirect(next_or(request, reverse("home")))


urlpatterns: list = [
    path("<int:audit_id>/my-part/", audit_practitioner, name="audit-practitioner"),
    path("<int:audit_id>/talked-through/", talked_through, name="talked-through"),
]
