"""Reminders and overdue audits (DESIGN section 4): durable, idempotent daily sweeps.

- ``audits-due-reminders``: each auditor is reminded once, ``QASettings.reminder_lead_days``
  before an open audit's due date.
- ``audits-overdue-to-managers``: the auditor's own manager(s) and the QA managers are told
  once about each open audit past its due date. The manager is the TM of a practitioner-auditor's
  team, the SM(s)/HoS of the area of a TM's team, and for everyone else the QA managers.

Notification keys (one row per person and event) make each reminder go once, however often
the sweep runs. Actions and immediate concerns have their own overdue sweeps (actions.py,
concerns.py). Wording is neutral: no grade, no initials, no case detail.
"""

from __future__ import annotations

import datetime
from collections import defaultdict
from typing import Any

from django.db import transaction
from django.urls import reverse

from core.models import QASettings
from core.notifications import notify
from core.sweeps import register_sweep
from organisation.models import Role, RoleAssignment

from ..models import OPEN_STATUSES, Audit

MESSAGE_DUE = "You have an audit due by {due:%-d %B %Y}"
MESSAGE_OVERDUE_MANAGER = "An audit allocated to someone you manage is past its due date — please check in with them"
MESSAGE_OVERDUE_QA = "An audit is past its due date — it shows on Audit programme progress"


def audits_due_reminders_sweep(*, today: datetime.date, now: datetime.datetime) -> int:
    """Remind each auditor once about each open audit due within the lead days (not yet late)."""
    lead = QASettings.current().reminder_lead_days
    audits = (
        Audit.objects.filter(
            status__in=OPEN_STATUSES,
            due_on__gte=today,
            due_on__lte=today + datetime.timedelta(days=lead),
            auditor__is_active=True,
        )
        .select_related("auditor")
        .order_by("due_on", "pk")
    )
    told = 0
    for audit in audits:
        with transaction.atomic():
            sent = notify(
                recipient=audit.auditor,
                kind="audit-due-reminder",
                key=f"audit-due-reminder:{audit.pk}",
                message=MESSAGE_DUE.format(due=audit.due_on),
                url=reverse("audits:audit-edit", args=[audit.pk]),
            )
        told += sent is not None
    return told


def _managers_today(*, today: datetime.date) -> tuple[dict[int, list[Any]], dict[int, list[Any]], list[Any]]:
    """(TMs by team, SMs/HoS by area, QA managers) active today: three lists, one query."""
    by_team: dict[int, list[Any]] = defaultdict(list)
    by_area: dict[int, list[Any]] = defaultdict(list)
    qa: list[Any] = []
    for a in (
        RoleAssignment.objects.active_on(today)
        .filter(
            role__in=[Role.TEAM_MANAGER, Role.SERVICE_MANAGER, Role.HEAD_OF_SERVICE, Role.QA_MANAGER],
            person__is_active=True,
        )
        .select_related("person")
        .order_by("person_id", "pk")
    ):
        if a.role == Role.TEAM_MANAGER and a.team_id:
            by_team[a.team_id].append(a.person)
        elif a.role in (Role.SERVICE_MANAGER, Role.HEAD_OF_SERVICE) and a.service_area_id:
            by_area[a.service_area_id].append(a.person)
        elif a.role == Role.QA_MANAGER:
            qa.append(a.person)
    return by_team, by_area, qa


def auditor_managers(
    auditor_id: int,
    assignments: list[RoleAssignment],
    *,
    by_team: dict[int, list[Any]],
    by_area: dict[int, list[Any]],
    qa: list[Any],
) -> list[Any]:
    """The auditor's own manager(s): TMs of a practitioner's team; SMs/HoS above a TM's team;
    otherwise the QA managers."""
    people: list[Any] = []
    for a in assignments:
        if a.role == Role.PRACTITIONER and a.team_id:
            people += by_team.get(a.team_id, [])
        elif a.role == Role.TEAM_MANAGER and a.team_id:
            people += by_area.get(a.team.service_area_id, [])
    people = [p for p in people if p.pk != auditor_id]
    return people or list(qa)


def audits_overdue_to_managers_sweep(*, today: datetime.date, now: datetime.datetime) -> int:
    """Tell the auditor's manager(s) and the QA managers, once each, about each overdue audit."""
    overdue = list(Audit.objects.filter(status__in=OPEN_STATUSES, due_on__lt=today).order_by("due_on", "pk"))
    if not overdue:
        return 0
    by_team, by_area, qa = _managers_today(today=today)
    roles: dict[int, list[RoleAssignment]] = defaultdict(list)
    for a in (
        RoleAssignment.objects.active_on(today)
        .filter(person_id__in={audit.auditor_id for audit in overdue}, role__in=[Role.PRACTITIONER, Role.TEAM_MANAGER])
        .select_related("team")
        .order_by("pk")
    ):
        roles[a.person_id].append(a)
    told = 0
    for audit in overdue:
        managers = auditor_managers(audit.auditor_id, roles[audit.auditor_id], by_team=by_team, by_area=by_area, qa=qa)
        recipients = [(p, MESSAGE_OVERDUE_MANAGER) for p in managers] + [(p, MESSAGE_OVERDUE_QA) for p in qa]
        url = reverse("audits:audit-detail", args=[audit.pk])
        seen: set[int] = set()
        with transaction.atomic():
            for person, message in recipients:
                if person.pk in seen or person.pk == audit.auditor_id:
                    continue
                seen.add(person.pk)
                sent = notify(
                    recipient=person, kind="audit-overdue", key=f"audit-overdue:{audit.pk}", message=message, url=url
                )
                told += sent is not None
    return told


def register() -> None:
    """Hooks, loaders and sweeps of this part (called once at start-up)."""
    register_sweep("audits-due-reminders", "daily", audits_due_reminders_sweep)
    register_sweep("audits-overdue-to-managers", "daily", audits_overdue_to_managers_sweep)
