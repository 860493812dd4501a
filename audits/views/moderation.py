"""Moderation pages: the QA team's queue, assigning, adding by hand, the moderation form, the
outcome the auditor reads and responds to, and the TM's record of talking a changed grade through.

The form posts every part together; autosave posts the same form asking for JSON
(static/js/autosave.js) and gets the new versions, any conflicts (409) or errors (400).
"""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import path
from django.utils import timezone
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from core.middleware import wants_json
from organisation.models import ServiceArea, Team, User

from ..forms_moderation import (
    ModerationAddForm,
    ModerationAssignForm,
    ModerationForms,
    ModerationResponseForm,
    QueueFilterForm,
)
from ..models import Moderation
from ..permissions import can_record_talked_through
from ..selectors import audits_visible
from ..services.moderation import (
    ModerationError,
    audit_record_change_talked_through,
    days_waiting,
    moderation_add_by_hand,
    moderation_assign,
    moderation_complete,
    moderation_queue,
    moderation_respond,
    moderation_save,
    moderators,
)
from ..services.practitioner import EditConflict

SAVED_MESSAGE = "Your moderation is saved. You can come back to it at any time before you complete it."
COMPLETED_MESSAGE = "The moderation is complete. The auditor has been told."


def _require_qa(request: HttpRequest) -> None:
    if not request.scope.is_qa:
        raise PermissionDenied


def _moderation_visible(request: HttpRequest, moderation_id: int) -> Moderation:
    """The moderation if its audit is visible to this person (else 404)."""
    moderation = get_object_or_404(
        Moderation.objects.select_related("audit__tool_version", "moderator", "audit__auditor"), pk=moderation_id
    )
    if not audits_visible(request.scope).filter(pk=moderation.audit_id).exists():
        raise Http404
    return moderation


def _can_moderate(request: HttpRequest, moderation: Moderation) -> bool:
    return moderation.moderator_id == request.user.pk or request.scope.is_qa


@require_GET
def moderation_queue_view(request: HttpRequest) -> HttpResponse:
    _require_qa(request)
    today = timezone.localdate()
    areas = list(ServiceArea.objects.order_by("name"))
    teams = list(Team.objects.order_by("name"))
    auditors = list(
        User.objects.filter(audits_as_auditor__moderation__isnull=False).distinct().order_by("full_name", "pk")
    )
    form = QueueFilterForm(request.GET or None, areas=areas, teams=teams, auditors=auditors)
    queue = moderation_queue(today=today, restricted=request.scope.has_role("qa_manager"), **form.filters())
    rows = [(m, days_waiting(m, today=today)) for m in queue[:200]]
    return render(request, "audits/moderation/queue.html", {"form": form, "rows": rows, "today": today})


@require_http_methods(["GET", "POST"])
def moderation_assign_view(request: HttpRequest, moderation_id: int) -> HttpResponse:
    moderation = _moderation_visible(request, moderation_id)
    _require_qa(request)
    people = [p for p in moderators(today=timezone.localdate()) if p.pk != moderation.audit.auditor_id]
    form = ModerationAssignForm(
        request.POST or None,
        moderators=people,
        initial={"moderator": str(moderation.moderator_id or request.user.pk)},
    )
    if request.method == "POST" and form.is_valid():
        try:
            moderation_assign(moderation=moderation, moderator=form.chosen(), actor=request.user)
        except ModerationError as exc:
            form.add_error("moderator", str(exc))
        else:
            messages.success(request, f"The moderation is assigned to {form.chosen().full_name}.")
            return redirect("audits:moderation-queue")
    return render(request, "audits/moderation/assign.html", {"moderation": moderation, "form": form})


@require_http_methods(["GET", "POST"])
def moderation_add_view(request: HttpRequest, audit_id: int) -> HttpResponse:
    audit = get_object_or_404(audits_visible(request.scope), pk=audit_id)
    _require_qa(request)
    form = ModerationAddForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            moderation = moderation_add_by_hand(audit=audit, actor=request.user, reason=form.cleaned_data["reason"])
        except ModerationError as exc:
            form.add_error("reason", str(exc))
        else:
            messages.success(request, "The audit is added to moderation.")
            return redirect("audits:moderation", moderation_id=moderation.pk)
    return render(request, "audits/moderation/add.html", {"audit": audit, "form": form})


def _render_form(
    request: HttpRequest, moderation: Moderation, forms: ModerationForms, conflicts: list | None = None
) -> HttpResponse:
    return render(
        request,
        "audits/moderation/form.html",
        {
            "moderation": moderation,
            "audit": moderation.audit,
            "forms": forms,
            "error_items": forms.error_items(),
            "conflicts": conflicts or [],
        },
    )


@require_http_methods(["GET", "POST"])
def moderation_form_view(request: HttpRequest, moderation_id: int) -> HttpResponse:
    moderation = _moderation_visible(request, moderation_id)
    if not _can_moderate(request, moderation):
        raise Http404
    if moderation.status == Moderation.Status.DONE:
        if wants_json(request):
            return JsonResponse({"error": "not-editable", "message": "This moderation is complete."}, status=409)
        return redirect("audits:moderation-outcome", moderation_id=moderation.pk)
    if request.method == "GET":
        return _render_form(request, moderation, ModerationForms(moderation))

    forms = ModerationForms(moderation, request.POST)
    autosave = request.POST.get("_autosave") == "1"
    completing = request.POST.get("action") == "complete" and not autosave
    problems: list = []
    try:
        if completing and forms.all_valid:
            done, save, problems = moderation_complete(
                moderation=moderation, actor=request.user, parts=forms.valid_parts()
            )
            if done:
                messages.success(request, COMPLETED_MESSAGE)
                return redirect("audits:moderation-outcome", moderation_id=moderation.pk)
        else:
            save = moderation_save(moderation=moderation, actor=request.user, parts=forms.valid_parts())
    except ModerationError as exc:
        if autosave:
            return JsonResponse({"error": "not-editable", "message": str(exc)}, status=409)
        messages.error(request, str(exc))
        return redirect("audits:moderation-outcome", moderation_id=moderation.pk)

    if autosave:
        errors = forms.json_errors()
        return JsonResponse(
            {
                "saved_at": timezone.localtime(save.saved_at).strftime("%H:%M"),
                "versions": save.versions,
                "conflicts": [c.as_json() for c in save.conflicts],
                "errors": errors,
            },
            status=409 if save.conflicts else 400 if errors else 200,
        )
    if forms.all_valid and not save.conflicts and not problems:
        messages.success(request, SAVED_MESSAGE)
        return redirect("audits:moderation", moderation_id=moderation.pk)
    forms.after_save(save)
    forms.add_problems(problems)
    return _render_form(request, moderation, forms, conflicts=save.conflicts)


@require_http_methods(["GET", "POST"])
def moderation_outcome_view(request: HttpRequest, moderation_id: int) -> HttpResponse:
    moderation = _moderation_visible(request, moderation_id)
    is_auditor = moderation.audit.auditor_id == request.user.pk
    if not (is_auditor or request.scope.is_qa):
        raise Http404
    if is_auditor and not request.scope.is_qa and moderation.status != Moderation.Status.DONE:
        raise Http404  # the auditor reads it once it is complete
    if request.method == "POST" and not is_auditor:
        raise PermissionDenied
    form = ModerationResponseForm(
        request.POST or None,
        initial={"version": moderation.response_version, "response": moderation.auditor_response},
    )
    clashes: list = []
    if request.method == "POST" and form.is_valid():
        try:
            moderation_respond(
                moderation=moderation,
                actor=request.user,
                response=form.cleaned_data["response"],
                version=form.cleaned_data["version"],
            )
        except EditConflict as exc:
            clashes = exc.clashes
            data = request.POST.copy()
            data["version"] = str(exc.version)
            form = ModerationResponseForm(data)
            form.is_valid()
        except ModerationError as exc:
            form.add_error("response", str(exc))
        else:
            messages.success(request, "Your response is saved.")
            return redirect("audits:moderation-outcome", moderation_id=moderation.pk)
    rows = {row.element_id: row for row in moderation.elements.all()}
    answers = {a.element_id: a for a in moderation.audit.answers.select_related("element")}
    elements = [
        (answers[element_id].element, answers[element_id], row)
        for element_id, row in rows.items()
        if element_id in answers
    ]
    elements.sort(key=lambda item: item[0].position)
    return render(
        request,
        "audits/moderation/outcome.html",
        {
            "moderation": moderation,
            "audit": moderation.audit,
            "elements": elements,
            "form": form if is_auditor and moderation.status == Moderation.Status.DONE else None,
            "clashes": clashes,
        },
    )


@require_POST
def change_talked_through_view(request: HttpRequest, audit_id: int) -> HttpResponse:
    audit = get_object_or_404(audits_visible(request.scope), pk=audit_id)
    if not can_record_talked_through(request.scope, audit):
        raise PermissionDenied
    try:
        audit_record_change_talked_through(audit=audit, actor=request.user)
    except ModerationError as exc:
        messages.error(request, str(exc))
    else:
        messages.success(request, "Recorded. The practitioner can now read the moderated grade.")
    return redirect("audits:audit-detail", audit_id=audit.pk)


urlpatterns: list = [
    path("moderation/", moderation_queue_view, name="moderation-queue"),
    path("moderation/<int:moderation_id>/", moderation_form_view, name="moderation"),
    path("moderation/<int:moderation_id>/assign/", moderation_assign_view, name="moderation-assign"),
    path("moderation/<int:moderation_id>/outcome/", moderation_outcome_view, name="moderation-outcome"),
    path("<int:audit_id>/moderation/add/", moderation_add_view, name="moderation-add"),
    path("<int:audit_id>/change-talked-through/", change_talked_through_view, name="change-talked-through"),
]
