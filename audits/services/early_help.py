"""Early help audits (seed 4): the early help strategic lead chooses each month's files (open at
least the QA settings' minimum, two months by default) and allocates them to early help
co-ordinators and operational managers; the audit flow afterwards is the usual one."""

from __future__ import annotations

import datetime
from typing import Any

from django.db import transaction
from django.db.models import Exists, OuterRef, Q, QuerySet
from django.utils import timezone

from core.models import QASettings
from core.workdays import last_working_day_of_month
from organisation.models import CaseFile, CaseType, Role, RoleAssignment, User
from organisation.scope import Scope

from ..models import Audit, AuditKind, AuditStatus
from .allocation import EARLY_HELP_TOOL, AllocationError, audit_allocate
from .sampling import months_before
from .tools import tool_version_current

EARLY_HELP_AREA_CODE = "early-help"


class EarlyHelpError(Exception):
    """An allocation the rules refuse; the message says why."""


def can_allocate_early_help(scope: Scope) -> bool:
    return scope.has_role(Role.EH_STRATEGIC_LEAD)


def early_help_area_ids(*, today: datetime.date) -> set[int]:
    """Service areas that are early help: those an early help strategic lead holds, and the
    area coded ``early-help``."""
    held = RoleAssignment.objects.active_on(today).filter(role=Role.EH_STRATEGIC_LEAD, service_area_id__isnull=False)
    ids = set(held.values_list("service_area_id", flat=True))
    from organisation.models import ServiceArea

    ids |= set(ServiceArea.objects.filter(code=EARLY_HELP_AREA_CODE).values_list("pk", flat=True))
    return ids


def early_help_auditors(*, today: datetime.date) -> QuerySet[User]:
    """Early help co-ordinators and operational managers (TMs of early help teams) today."""
    areas = early_help_area_ids(today=today)
    holders = (
        RoleAssignment.objects.active_on(today)
        .filter(Q(role=Role.EH_COORDINATOR) | Q(role=Role.TEAM_MANAGER, team__service_area_id__in=areas))
        .values("person_id")
    )
    return User.objects.filter(pk__in=holders, is_active=True).order_by("full_name", "pk")


def early_help_candidates(*, today: datetime.date) -> QuerySet[CaseFile]:
    """Early help files open at least the minimum period, not restricted, not audited this month."""
    months = QASettings.current().min_open_months_early_help
    this_month = today.replace(day=1)
    audited = Audit.objects.filter(case_file_id=OuterRef("pk"), month=this_month).exclude(status=AuditStatus.CANCELLED)
    return (
        CaseFile.objects.filter(
            case_type=CaseType.EARLY_HELP,
            closed_on__isnull=True,
            restricted=False,
            opened_on__lte=months_before(today, months),
        )
        .exclude(Exists(audited))
        .select_related("team", "practitioner")
        .order_by("case_reference")
    )


@transaction.atomic
def manages_team(person: Any, team_id: int, *, today: datetime.date) -> bool:
    """Whether ``person`` manages or co-ordinates the team directly today."""
    return (
        RoleAssignment.objects.active_on(today)
        .filter(person_id=person.pk, team_id=team_id, role__in=(Role.TEAM_MANAGER, Role.EH_COORDINATOR))
        .exists()
    )


def early_help_allocate(
    *, case_files: list[CaseFile], auditor: Any, actor_scope: Scope, actor: Any, today: datetime.date | None = None
) -> list[Audit]:
    """The strategic lead allocates each chosen file to ``auditor`` with the early help tool."""
    day = today or timezone.localdate()
    if not can_allocate_early_help(actor_scope):
        raise EarlyHelpError("Only the early help strategic lead allocates early help audits.")
    if not case_files:
        raise EarlyHelpError("Choose at least one case file")
    if not early_help_auditors(today=day).filter(pk=auditor.pk).exists():
        raise EarlyHelpError(f"{auditor} is not an early help co-ordinator or operational manager.")
    eligible = set(
        early_help_candidates(today=day).filter(pk__in=[c.pk for c in case_files]).values_list("pk", flat=True)
    )
    refused = [c.case_reference for c in case_files if c.pk not in eligible]
    own = [c.case_reference for c in case_files if manages_team(auditor, c.team_id, today=day)]
    if own:
        # As in every draw: never a case in a team the auditor manages or co-ordinates directly.
        raise EarlyHelpError(f"{auditor} manages the team of {', '.join(sorted(own))}: choose another auditor.")
    if refused:
        raise EarlyHelpError(f"These files cannot be chosen this month: {', '.join(sorted(refused))}.")
    version = tool_version_current(tool_key=EARLY_HELP_TOOL)
    if version is None:
        raise EarlyHelpError("No published early help audit tool is loaded. Load the framework content first.")
    due = last_working_day_of_month(day.year, day.month)
    made = []
    for case in sorted(case_files, key=lambda c: c.case_reference):
        try:
            made.append(
                audit_allocate(
                    case_file=case,
                    auditor=auditor,
                    tool_version=version,
                    due_on=max(due, day),
                    actor=actor,
                    kind=AuditKind.EARLY_HELP,
                    reason="Chosen by the early help strategic lead",
                    today=day,
                )
            )
        except AllocationError as exc:
            raise EarlyHelpError(f"{case.case_reference}: {exc}") from exc
    return made


def register() -> None:
    """Hooks, loaders and sweeps of this part (called once at start-up): none."""
