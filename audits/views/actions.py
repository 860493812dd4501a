"""Actions for improvement: add, edit, update status, confirm, and the list of open actions."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import path, reverse
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from organisation.models import User
from organisation.scope import Scope

from ..forms_actions import ActionForm, ActionStatusForm
from ..models import Action, ActionStatus
from ..mywork import actions_owned_open, actions_visible, team_actions_open, team_actions_to_confirm
from ..permissions import is_team_manager
from ..services.actions import (
    ActionError,
    action_confirm,
    action_create,
    action_owner_choices,
    action_set_status,
    action_update,
    can_add_action,
    can_confirm_action,
    can_edit_action,
    can_update_action_status,
)
from ..services.practitioner import EditConflict
from .practitioner import CONFLICT_MESSAGE, audit_or_404, next_or

PAGE_SIZE = 50


def _action_or_404(scope: Scope, action_id: int) -> Action:
    qs = actions_visible(scope).select_related(
        "audit__team", "audit__auditor", "audit__practitioner", "owner", "confirmed_by"
    )
    return get_object_or_404(qs, pk=action_id)


@require_http_methods(["GET", "POST"])
def action_add(request: HttpRequest, audit_id: int) -> HttpResponse:
    scope = request.scope
    audit = audit_or_404(scope, audit_id)
    if not can_add_action(scope, audit):
        raise PermissionDenied
    back = next_or(request, reverse("audits:audit-detail", args=[audit.pk]))
    owners = action_owner_choices(audit, today=scope.today)
    data = request.POST if request.method == "POST" else None
    form = ActionForm(data, owners=owners, today=scope.today, initial={"owner": audit.practitioner_id})
    if form.is_valid():
        try:
            action_create(
                audit=audit,
                actor=request.user,
                description=form.cleaned_data["description"],
                owner=form.cleaned_data["owner"],
                due_on=form.cleaned_data["due_on"],
                today=scope.today,
            )
        except ActionError as exc:
            form.add_error(None, str(exc))
        else:
            messages.success(request, "Action added.")
            return redirect(back)
    context = {"audit": audit, "form": form, "next": next_or(request, ""), "back": back}
    return render(request, "audits/actions/add.html", context)


def _details_initial(action: Action) -> dict[str, Any]:
    return {
        "description": action.description,
        "owner": action.owner_id,
        "due_on": action.due_on,
        "version": action.version,
    }


def _status_initial(action: Action) -> dict[str, Any]:
    return {
        "status": action.status,
        "completed_on": action.completed_on,
        "evidence": action.evidence,
        "version": action.version,
    }


@require_http_methods(["GET", "POST"])
def action_edit(request: HttpRequest, action_id: int) -> HttpResponse:
    """The auditor (while editable) or the TM changes what, owner and due; the owner or the TM
    updates the status."""
    scope = request.scope
    action = _action_or_404(scope, action_id)
    allowed = {"details": can_edit_action(scope, action), "status": can_update_action_status(scope, action)}
    if not any(allowed.values()):
        raise PermissionDenied
    audit = action.audit

    def build(part: str, data: Any = None) -> ActionForm | ActionStatusForm:
        if part == "details":
            # The current owner stays a choice even if they have since left the team.
            owners = action_owner_choices(audit, today=scope.today) | User.objects.filter(pk=action.owner_id)
            # Shares the page with the status form: its own ids.
            return ActionForm(
                data, initial=_details_initial(action), owners=owners, today=scope.today, auto_id="details_%s"
            )
        return ActionStatusForm(data, initial=_status_initial(action), today=scope.today)

    forms = {part: build(part) for part, ok in allowed.items() if ok}
    conflict: EditConflict | None = None
    if request.method == "POST":
        part = request.POST.get("part") or ("status" if allowed["status"] else "details")
        if not allowed.get(part):
            raise PermissionDenied
        form = forms[part] = build(part, request.POST)
        if form.is_valid():
            try:
                _save(part, action, form.cleaned_data, request.user, scope.today)
            except EditConflict as exc:
                conflict = exc
                # Shown again with the saved version's number: saving again replaces it, knowingly.
                data = request.POST.copy()
                data["version"] = str(exc.version)
                form = forms[part] = build(part, data)
                form.is_valid()
                form.add_error(None, CONFLICT_MESSAGE)
            except ActionError as exc:
                form.add_error(None, str(exc))
            else:
                messages.success(request, "Action updated.")
                return redirect(next_or(request, reverse("audits:action-list")))
    context = {
        "action": action,
        "audit": audit,
        "details_form": forms.get("details"),
        "status_form": forms.get("status"),
        "has_errors": any(f.errors for f in forms.values()),
        "conflict": conflict,
        "can_confirm": can_confirm_action(scope, action)
        and action.status == ActionStatus.DONE
        and not action.confirmed_at,
        "next": next_or(request, ""),
        "today": scope.today,
    }
    return render(request, "audits/actions/edit.html", context, status=409 if conflict else 200)


def _save(part: str, action: Action, data: dict[str, Any], actor: Any, today: Any) -> Action:
    if part == "details":
        return action_update(
            action=action,
            actor=actor,
            description=data["description"],
            owner=data["owner"],
            due_on=data["due_on"],
            version=data["version"],
            today=today,
        )
    return action_set_status(
        action=action,
        actor=actor,
        status=data["status"],
        completed_on=data["completed_on"],
        evidence=data["evidence"],
        version=data["version"],
        today=today,
    )


@require_POST
def action_confirm_view(request: HttpRequest, action_id: int) -> HttpResponse:
    scope = request.scope
    action = _action_or_404(scope, action_id)
    if not is_team_manager(scope, action.audit):
        raise PermissionDenied
    try:
        action_confirm(action=action, actor=request.user)
    except ActionError as exc:
        messages.error(request, str(exc))
    else:
        messages.success(request, "Action confirmed as complete.")
    return redirect(next_or(request, reverse("audits:action-list")))


@require_GET
def action_list(request: HttpRequest) -> HttpResponse:
    """Your own open actions and, for a team manager, the team's open and overdue actions."""
    scope = request.scope
    today = scope.today
    context: dict[str, Any] = {"today": today, "own": list(actions_owned_open(scope, today=today))}
    if scope.managed_team_ids:
        context["team_page"] = Paginator(team_actions_open(scope, today=today), PAGE_SIZE).get_page(
            request.GET.get("page")
        )
        context["to_confirm"] = list(team_actions_to_confirm(scope))
        context["is_team_manager"] = True
    return render(request, "audits/actions/list.html", context)


urlpatterns: list = [
    path("actions/", action_list, name="action-list"),
    path("<int:audit_id>/actions/new/", action_add, name="action-add"),
    path("actions/<int:action_id>/edit/", action_edit, name="action-edit"),
    path("actions/<int:action_id>/confirm/", action_confirm_view, name="action-confirm"),
]
