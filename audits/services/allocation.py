"""Allocating an audit: the case is frozen as it is today (DESIGN section 2)."""

from __future__ import annotations

import datetime
from typing import Any

from django.db import transaction
from django.db.models import QuerySet
from django.urls import reverse
from django.utils import timezone

from core import hooks
from core.notifications import Notice, notify_many
from organisation.models import CaseFile, CaseType, Duty, DutyAssignment, Role, RoleAssignment, User

from ..models import Audit, AuditKind, AuditStatus, ToolVersion
from .tools import tool_version_current

# Called with ``audit=`` after an audit is allocated, in the same transaction (higher apps, e.g.
# the participation officer's task for the family's views).
AUDIT_ALLOCATED_HOOK = "audit-allocated"


class AllocationError(Exception):
    """An allocation the rules refuse; the message says why, for the person allocating."""


def team_managers_of(team_id: int, *, today: datetime.date) -> list[Any]:
    """The people who manage a team today (several when someone is acting up)."""
    return team_managers_by_team([team_id], today=today).get(team_id, [])


def team_managers_by_team(team_ids: Any, *, today: datetime.date) -> dict[int, list[Any]]:
    """The managers of several teams today, in one query."""
    managers: dict[int, list[Any]] = {}
    for assignment in (
        RoleAssignment.objects.active_on(today)
        .filter(team_id__in=team_ids, role=Role.TEAM_MANAGER, person__is_active=True)
        .select_related("person")
        .order_by("person_id")
    ):
        managers.setdefault(assignment.team_id, []).append(assignment.person)
    return managers


@transaction.atomic
def audit_allocate(
    *,
    case_file: CaseFile,
    auditor: Any,
    tool_version: ToolVersion,
    due_on: datetime.date,
    actor: Any,
    kind: str = AuditKind.MONTHLY,
    reason: str = "",
    today: datetime.date | None = None,
    notify_people: bool = True,
    allocation_round: Any = None,
    programme: Any = None,
    team_managers: list[Any] | None = None,
    notices: list[Notice] | None = None,
) -> Audit:
    """Allocate an audit of ``case_file`` to ``auditor``, freezing the case as it is today.

    ``allocation_round`` / ``programme``: the monthly round or the thematic, ad-hoc or
    multi-agency audit it belongs to (set at creation, so the audit has one history row).
    ``team_managers``: the case team's managers today, when the caller has already read them
    (a whole month's allocation reads them once for every team). ``notices``: collect the
    notifications there for the caller to make in bulk (core.notifications.notify_many), instead
    of making them one by one."""
    day = today or timezone.localdate()
    if tool_version.status != ToolVersion.Status.PUBLISHED:
        raise AllocationError("Only a published version of an audit tool can be used.")
    if case_file.practitioner_id is not None and case_file.practitioner_id == auditor.pk:
        raise AllocationError("An auditor cannot audit a case they work with themselves.")
    if not auditor.is_active:
        raise AllocationError("The auditor's account is not active.")
    team = case_file.team
    audit = Audit.objects.create(
        kind=kind,
        status=AuditStatus.ALLOCATED,
        case_file=case_file,
        tool_version=tool_version,
        auditor=auditor,
        month=day.replace(day=1),
        due_on=due_on,
        allocated_at=timezone.now(),
        allocated_by=actor,
        allocation_reason=reason,
        case_reference=case_file.case_reference,
        child_initials=case_file.child_initials,
        case_type=case_file.case_type,
        legal_status=case_file.legal_status,
        team=team,
        service_area_id=team.service_area_id,
        practitioner=case_file.practitioner,
        case_opened_on=case_file.opened_on,
        case_closed_on=case_file.closed_on,
        restricted=case_file.restricted,
        allocation_round=allocation_round,
        programme=programme,
    )
    if notify_people:
        managers = team_managers if team_managers is not None else team_managers_of(audit.team_id, today=day)
        made = allocation_notices(audit, managers=managers)
        if notices is not None:
            notices.extend(made)
        else:
            notify_many(made)
    hooks.call(AUDIT_ALLOCATED_HOOK, audit=audit)
    return audit


def allocation_notices(audit: Audit, *, managers: list[Any]) -> list[Notice]:
    """Who is told of an allocation: the auditor, the practitioner (with the reflection prompt)
    and the team's managers. The emails carry only the neutral message and a link."""
    url = reverse("audits:audit-detail", args=[audit.pk])
    key = f"audit-allocated:{audit.pk}"
    # In the app only (never emailed): which case, who audits it, by when.
    detail = f"{audit.case_reference}, audited by {audit.auditor.full_name}, due {audit.due_on:%d %B %Y}"
    notices = [
        Notice(
            audit.auditor,
            "audit-allocated",
            key,
            f"You have an audit to complete by {audit.due_on:%d %B %Y}",
            url,
            detail,
        )
    ]
    if audit.practitioner_id:
        notices.append(
            Notice(
                audit.practitioner,
                "audit-allocated-practitioner",
                key,
                "An audit of a child you work with has been arranged — please add your reflection before it",
                url,
                detail,
            )
        )
    notices += [
        Notice(
            manager,
            "audit-allocated-manager",
            key,
            "An audit of a child your team works with has been arranged",
            url,
            detail,
        )
        for manager in managers
        if manager.pk != audit.auditor_id
    ]
    return notices


# --- allocation by hand (the QA team) ----------------------------------------------------------
# The framework's tools, by key: early help files use the early help tool, every other case type
# the social work case file tool (DESIGN section 3).
EARLY_HELP_TOOL = "early-help"
SOCIAL_WORK_TOOL = "social-work-case-file"


def tool_key_for_case_type(case_type: str) -> str:
    return EARLY_HELP_TOOL if case_type == CaseType.EARLY_HELP else SOCIAL_WORK_TOOL


def tool_version_for_case_type(case_type: str) -> ToolVersion | None:
    """The current version of the tool fit for a case type, or None when no such tool is loaded."""
    return tool_version_current(tool_key=tool_key_for_case_type(case_type))


def auditors_on(today: datetime.date) -> QuerySet[User]:
    """People holding the auditor duty on ``today`` (auditing is a duty, not a role)."""
    holders = DutyAssignment.objects.active_on(today).filter(duty=Duty.AUDITOR).values("person_id")
    return User.objects.filter(pk__in=holders, is_active=True).order_by("full_name", "pk")


@transaction.atomic
def audit_allocate_by_hand(
    *,
    case_file: CaseFile,
    auditor: Any,
    kind: str,
    due_on: datetime.date,
    reason: str,
    actor: Any,
    today: datetime.date | None = None,
) -> Audit:
    """The QA team allocates an audit by hand, with a reason: before the monthly allocation
    exists, for restricted cases (the QA manager; the caller checks who may), ad-hoc audits.

    Beyond :func:`audit_allocate`'s rules, the auditor must hold the auditor duty today and must
    not manage the case's team directly or chair or review the case (DESIGN section 4), so nobody
    audits their own work or their own team's.
    """
    day = today or timezone.localdate()
    reason = reason.strip()
    if not reason:
        raise AllocationError("Enter why this audit is being allocated by hand.")
    if kind not in AuditKind.values:
        raise AllocationError("Choose what kind of audit this is.")
    if due_on < day:
        raise AllocationError("The due date must be today or later.")
    if not auditors_on(day).filter(pk=auditor.pk).exists():
        raise AllocationError(f"{auditor} does not hold the auditor duty today.")
    if case_file.chair_id is not None and case_file.chair_id == auditor.pk:
        raise AllocationError("An auditor cannot audit a case they chair or review.")
    if any(manager.pk == auditor.pk for manager in team_managers_of(case_file.team_id, today=day)):
        raise AllocationError("An auditor cannot audit a case in a team they manage directly.")
    version = tool_version_for_case_type(case_file.case_type)
    if version is None:
        raise AllocationError(
            f"No published '{tool_key_for_case_type(case_file.case_type)}' audit tool is loaded, so this "
            f"{case_file.get_case_type_display().lower()} case cannot be audited yet. Load the framework content first."
        )
    return audit_allocate(
        case_file=case_file,
        auditor=auditor,
        tool_version=version,
        due_on=due_on,
        actor=actor,
        kind=kind,
        reason=reason,
        today=day,
    )
