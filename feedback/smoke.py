"""Smoke-test samplers for this app's URLs with parameters (gathered by ``manage.py smoke_urls``).

Each takes the smoke test's personas (``.team_manager``, ``.qa_officer``) and returns the URL's
kwargs from whatever the demo database holds, or None when there is nothing to show."""

from __future__ import annotations

from typing import Any

from django.db.models import Case, When

from organisation.scope import scope_for

from .models import ParticipationTask, Response, SecureLink, VoiceEntry
from .selectors import participation_tasks_visible, safety_tasks_visible, triage_items_visible
from .services.alerts import alerts_visible

SAMPLERS: dict[str, Any] = {}


# --- participation tasks, responses and triage ---------------------------------------------------
def _task(personas: Any) -> dict[str, Any] | None:
    # The QA officer sees every unrestricted task; the participation pages are theirs too.
    task = participation_tasks_visible(scope_for(personas.qa_officer)).order_by("pk").first()
    return {"task_id": task.pk} if task else None


def _safety_task(personas: Any) -> dict[str, Any] | None:
    # The team manager's safety check, on one of their team's audits.
    # The first team manager of the demo may have none waiting: any task shows the page (a kind 404).
    task = safety_tasks_visible(scope_for(personas.team_manager)).order_by("status", "pk").first()
    task = task or ParticipationTask.objects.order_by("pk").first()
    return {"task_id": task.pk} if task else None


def _response(personas: Any) -> dict[str, Any] | None:
    tasks = participation_tasks_visible(scope_for(personas.qa_officer)).values("pk")
    response = Response.objects.filter(task__in=tasks).order_by("pk").first()
    return {"response_id": response.pk} if response else None


def _triage_item(personas: Any) -> dict[str, Any] | None:
    item = triage_items_visible(scope_for(personas.qa_officer)).order_by("pk").first()
    return {"item_id": item.pk} if item else None


SAMPLERS.update(
    {
        "feedback:participation-task": _task,
        "feedback:participation-assign": _task,
        "feedback:participation-safety": _safety_task,
        "feedback:response-new": _task,
        "feedback:response-edit": _response,
        "feedback:triage-item": _triage_item,
    }
)


# --- secure links ----------------------------------------------------------------------------------
def _ready_task(personas: Any) -> dict[str, Any] | None:
    # A task ready for contact shows the form; any other shows why no link can be sent.
    tasks = participation_tasks_visible(scope_for(personas.qa_officer))
    task = tasks.order_by(Case(When(status=ParticipationTask.Status.READY, then=0), default=1), "pk").first()
    return {"task_id": task.pk} if task else None


def _secure_link(personas: Any) -> dict[str, Any] | None:
    tasks = participation_tasks_visible(scope_for(personas.qa_officer)).values("pk")
    link = SecureLink.objects.filter(task__in=tasks).order_by("pk").first()
    return {"link_id": link.pk} if link else None


SAMPLERS.update(
    {
        "feedback:link-create": _ready_task,
        "feedback:link-withdraw": _secure_link,
        # Tokens are never stored: a made-up one shows the "cannot be used" page.
        "family:start": lambda personas: {"token": "smoke-test-not-a-real-link"},
    }
)


# --- reviewing-officer alerts and other voices -----------------------------------------------------
def _alert(personas: Any) -> dict[str, Any] | None:
    # An alert on a case the team manager sees (the QA officer sees it too), else any.
    alert = alerts_visible(scope_for(personas.team_manager)).order_by("pk").first()
    alert = alert or alerts_visible(scope_for(personas.qa_officer)).order_by("pk").first()
    return {"alert_id": alert.pk} if alert else None


def _voice(personas: Any) -> dict[str, Any] | None:
    entry = VoiceEntry.objects.order_by("pk").first()
    return {"entry_id": entry.pk} if entry else None


SAMPLERS.update(
    {
        "feedback:alert-detail": _alert,
        "feedback:alert-update": _alert,
        "feedback:voice-detail": _voice,
        "feedback:voice-edit": _voice,
    }
)
