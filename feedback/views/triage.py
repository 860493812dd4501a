"""Triage of families' free-text answers: the QA team's list and one answer's page, where the named
reader marks it read with what they did, and the QA manager gives it to someone else."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import path
from django.views.decorators.http import require_GET, require_http_methods

from ..forms import TriageFilterForm, TriageReadForm, TriageReassignForm
from ..models import TriageItem
from ..permissions import can_manage_triage, can_mark_triage_read, can_triage
from ..selectors import qa_team, question_of, triage_item_list, triage_items_visible, triage_overdue
from ..services.triage import TriageError, triage_item_mark_read, triage_item_reassign
from .participation import PAGE_SIZE, paginate


@require_GET
def triage_list(request: HttpRequest) -> HttpResponse:
    """Defaults to "assigned to me, to read", overdue first; the QA manager also sees every
    overdue answer, whoever it was given to."""
    scope = request.scope
    if not can_triage(scope):
        raise PermissionDenied
    people = list(qa_team(today=scope.today))
    form = TriageFilterForm(request.GET or None, people=people)
    filters = form.filters() if request.GET else {"assigned": "me", "status": "open", "overdue": False}
    context = {
        "form": form,
        **paginate(request, triage_item_list(scope, **filters)),
        "today": scope.today,
        "overdue": list(triage_overdue(scope)[:PAGE_SIZE]) if can_manage_triage(scope) else [],
    }
    return render(request, "feedback/triage/list.html", context)


@require_http_methods(["GET", "POST"])
def triage_item(request: HttpRequest, item_id: int) -> HttpResponse:
    """The answer, its question, the case and a link to the audit. POST: mark it read (the reader
    or the QA manager), or with ``action=reassign`` give it to someone else (the QA manager)."""
    scope = request.scope
    if not can_triage(scope):
        raise PermissionDenied
    item = get_object_or_404(triage_items_visible(scope).select_related("done_by"), pk=item_id)
    action = request.POST.get("action", "") if request.method == "POST" else ""
    if action == "reassign" and not can_manage_triage(scope):
        raise PermissionDenied
    if request.method == "POST" and action != "reassign" and not can_mark_triage_read(scope, item):
        raise PermissionDenied
    people = list(qa_team(today=scope.today)) if can_manage_triage(scope) else []
    reading = request.method == "POST" and action != "reassign"
    read_form = TriageReadForm(request.POST if reading else None)
    reassign_form = TriageReassignForm(request.POST if action == "reassign" else None, people=people)
    if reading and read_form.is_valid():
        try:
            triage_item_mark_read(
                item=item,
                action=read_form.cleaned_data["taken"],
                note=read_form.cleaned_data["note"],
                actor=request.user,
            )
        except TriageError as exc:
            read_form.add_error(None, str(exc))
        else:
            messages.success(request, "Marked as read.")
            return redirect("feedback:triage-list")
    elif action == "reassign" and reassign_form.is_valid():
        try:
            item = triage_item_reassign(
                item=item, assignee=reassign_form.cleaned_data["assignee"], actor=request.user, today=scope.today
            )
        except TriageError as exc:
            reassign_form.add_error("assignee", str(exc))
        else:
            messages.success(request, f"Given to {item.assigned_to.full_name} to read.")
            return redirect("feedback:triage-item", item_id=item.pk)
    question = question_of(item)
    context = {
        "item": item,
        "audit": item.response.task.audit,
        "question": question,
        "answer": item.response.answers.get(item.question_code, ""),
        "read_form": read_form,
        "reassign_form": reassign_form,
        "can_read": can_mark_triage_read(scope, item),
        "can_reassign": can_manage_triage(scope) and item.status == TriageItem.Status.OPEN,
        "overdue": item.status == TriageItem.Status.OPEN and item.due_on < scope.today,
        "has_errors": bool(read_form.errors or reassign_form.errors),
    }
    return render(request, "feedback/triage/item.html", context)


urlpatterns = [
    path("triage/", triage_list, name="triage-list"),
    path("triage/<int:item_id>/", triage_item, name="triage-item"),
]
