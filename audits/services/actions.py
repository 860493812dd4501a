"""Actions for improvement (DESIGN section 4): what, who, by when; status, completion date and a
line of evidence; confirmed by the team manager.

Who may do what:
- the auditor adds and edits actions while the audit is being filled in;
- after submission the team's TM adds and edits them;
- the owner or the TM updates the status once the audit is submitted (and, for the owner, once
  the findings have reached the practitioner — an Inadequate grade is talked through first);
- the TM confirms a done action.

Each action carries its own version: a stale edit of different values is refused with both
versions shown (practitioner.EditConflict), never overwritten.
"""

from __future__ import annotations

import datetime
from typing import Any

from django.db import transaction
from django.db.models import Q, QuerySet
from django.urls import reverse
from django.utils import timezone

from core.notifications import notify
from core.sweeps import register_sweep
from organisation.models import RoleAssignment, User
from organisation.scope import Scope, scope_for

from ..models import DONE_STATUSES, OPEN_STATUSES, Action, ActionStatus, Audit, AuditStatus
from ..permissions import is_auditor, is_team_manager, practitioner_sees_findings
from .practitioner import changed_fields, check_version, findings_released_q, save_with_history

DESCRIPTION_MAX = 1000
EVIDENCE_MAX = 300
OVERDUE_MESSAGE = "An action for improvement you own has passed its due date"


class ActionError(Exception):
    """A change the rules refuse; the message says why, for the person trying."""


# --- who may do what (the pages use the same predicates) ---------------------------------------
def can_add_action(scope: Scope, audit: Audit) -> bool:
    if audit.status in OPEN_STATUSES:
        return is_auditor(scope, audit)
    if audit.status in DONE_STATUSES:
        return is_team_manager(scope, audit)
    return False


def can_edit_action(scope: Scope, action: Action) -> bool:
    """What, owner and due date: the auditor while the audit is open, the TM after submission."""
    return can_add_action(scope, action.audit)


def can_update_action_status(scope: Scope, action: Action) -> bool:
    audit = action.audit
    if audit.status not in DONE_STATUSES:
        return False
    if is_team_manager(scope, audit):
        return True
    return action.owner_id == scope.user_id and practitioner_sees_findings(audit)


def can_confirm_action(scope: Scope, action: Action) -> bool:
    """Whether this person confirms actions on this audit (the action must also be done)."""
    return action.audit.status in DONE_STATUSES and is_team_manager(scope, action.audit)


def action_is_live_q() -> Q:
    """Actions their owners work on: the audit is submitted and its findings released."""
    return findings_released_q("audit__")


def action_owner_choices(audit: Audit, *, today: datetime.date) -> QuerySet[User]:
    """Who can own an action: the audit's practitioner, the team's current members and managers
    (anyone with a role in the audit's team today), and the auditor."""
    members = RoleAssignment.objects.active_on(today).filter(team_id=audit.team_id).values("person_id")
    q = Q(pk__in=members) | Q(pk=audit.auditor_id)
    if audit.practitioner_id:
        q |= Q(pk=audit.practitioner_id)
    return User.objects.filter(q, is_active=True).order_by("full_name", "pk")


# --- writes -------------------------------------------------------------------------------------
def _check_details(
    *, audit: Audit, description: str, owner: Any | None, due_on: datetime.date | None, today: datetime.date
) -> None:
    """``owner`` and ``due_on`` are checked when given (a new action, or a changed value): an
    owner who has since left the team, or a due date now past, may stay as they are."""
    if not description.strip():
        raise ActionError("Enter what needs to happen.")
    if len(description) > DESCRIPTION_MAX:
        raise ActionError(f"What needs to happen must be {DESCRIPTION_MAX} characters or fewer.")
    if owner is not None and not action_owner_choices(audit, today=today).filter(pk=owner.pk).exists():
        raise ActionError("Choose an owner from the audit's team, its practitioner or its auditor.")
    if due_on is not None and due_on < today:
        raise ActionError("The due date must be today or in the future.")


def _locked_action(action: Action) -> Action:
    # Only the action's row is locked; its audit and owner are read with it.
    return Action.objects.select_for_update(of=("self",)).select_related("audit", "owner").get(pk=action.pk)


@transaction.atomic
def action_create(
    *,
    audit: Audit,
    actor: Any,
    description: str,
    owner: Any,
    due_on: datetime.date,
    today: datetime.date | None = None,
) -> Action:
    """Add an action for improvement to an audit."""
    day = today or timezone.localdate()
    current = Audit.objects.select_for_update(of=("self",)).get(pk=audit.pk)
    if not can_add_action(scope_for(actor, today=day), current):
        raise ActionError(_refusal(current))
    _check_details(audit=current, description=description, owner=owner, due_on=due_on, today=day)
    action = Action(audit=current, description=description, owner=owner, due_on=due_on, created_by=actor, version=1)
    action._history_user = actor
    action.save()
    return action


def _refusal(audit: Audit) -> str:
    if audit.status == AuditStatus.CANCELLED:
        return "This audit was cancelled."
    if audit.status in OPEN_STATUSES:
        return "Until the audit is submitted, only its auditor adds or changes actions."
    return "Once the audit is submitted, the team manager adds or changes actions."


def _show(name: str, value: Any) -> str:
    if value in (None, ""):
        return "Not given"
    if name == "owner":
        return str(value)
    if name == "status":
        return str(ActionStatus(value).label)
    if isinstance(value, datetime.date):
        return f"{value:%-d %B %Y}"
    return str(value)


LABELS = {
    "description": "What needs to happen",
    "owner": "Owner",
    "due_on": "Due date",
    "status": "Status",
    "completed_on": "Completion date",
    "evidence": "Evidence",
}


@transaction.atomic
def action_update(
    *,
    action: Action,
    actor: Any,
    description: str,
    owner: Any,
    due_on: datetime.date,
    version: int,
    today: datetime.date | None = None,
) -> Action:
    """Change what an action is, who owns it or when it is due."""
    day = today or timezone.localdate()
    current = _locked_action(action)
    if not can_edit_action(scope_for(actor, today=day), current):
        raise ActionError(_refusal(current.audit))
    changes = changed_fields(current, {"description": description, "owner": owner, "due_on": due_on})
    if not changes:
        return current
    check_version(current, changes, version=version, stored_version=current.version, labels=LABELS, show=_show)
    _check_details(
        audit=current.audit,
        description=description,
        owner=owner if "owner" in changes else None,
        due_on=due_on if "due_on" in changes else None,
        today=day,
    )
    for name, value in changes.items():
        setattr(current, name, value)
    current.version += 1
    save_with_history(current, actor=actor, fields=[*changes, "version"])
    return current


@transaction.atomic
def action_set_status(
    *,
    action: Action,
    actor: Any,
    status: str,
    completed_on: datetime.date | None,
    evidence: str,
    version: int,
    today: datetime.date | None = None,
) -> Action:
    """The owner or the TM records progress: done (with its completion date), not done, no longer
    relevant, or open again; with a line of evidence. Any change needs confirming again."""
    day = today or timezone.localdate()
    current = _locked_action(action)
    if not can_update_action_status(scope_for(actor, today=day), current):
        if current.audit.status not in DONE_STATUSES:
            raise ActionError("The status of an action is updated once the audit is submitted.")
        raise ActionError("Only the action's owner or the team manager can update its status.")
    if status not in ActionStatus.values:
        raise ActionError("Choose a status.")
    if status == ActionStatus.OPEN:
        completed_on = None
    elif status == ActionStatus.DONE and completed_on is None:
        raise ActionError("Enter the date the action was completed.")
    if completed_on is not None and completed_on > day:
        raise ActionError("The completion date must be today or in the past.")
    if len(evidence) > EVIDENCE_MAX:
        raise ActionError(f"Evidence must be {EVIDENCE_MAX} characters or fewer.")
    changes = changed_fields(current, {"status": status, "completed_on": completed_on, "evidence": evidence})
    if not changes:
        return current
    check_version(current, changes, version=version, stored_version=current.version, labels=LABELS, show=_show)
    for name, value in changes.items():
        setattr(current, name, value)
    fields = [*changes, "version"]
    if current.confirmed_at is not None:
        current.confirmed_at = None
        current.confirmed_by = None
        fields += ["confirmed_at", "confirmed_by"]
    current.version += 1
    save_with_history(current, actor=actor, fields=fields)
    return current


@transaction.atomic
def action_confirm(*, action: Action, actor: Any, now: datetime.datetime | None = None) -> Action:
    """The TM confirms that a done action is complete."""
    moment = now or timezone.now()
    current = _locked_action(action)
    if not can_confirm_action(scope_for(actor, today=timezone.localdate(moment)), current):
        raise ActionError("Only a team manager of the audit's team confirms actions, once the audit is submitted.")
    if current.status != ActionStatus.DONE:
        raise ActionError("Only an action marked done can be confirmed.")
    if current.confirmed_at is not None:
        raise ActionError("This action has already been confirmed.")
    current.confirmed_at = moment
    current.confirmed_by = actor
    current.version += 1
    save_with_history(current, actor=actor, fields=["confirmed_at", "confirmed_by", "version"])
    return current


# --- reminders ----------------------------------------------------------------------------------
def action_overdue_reminders_send(*, today: datetime.date, now: datetime.datetime | None = None) -> int:
    """Daily sweep: remind each owner once when an open action passes its due date."""
    overdue = (
        Action.objects.filter(action_is_live_q(), status=ActionStatus.OPEN, due_on__lt=today)
        .select_related("owner")
        .order_by("pk")
    )
    sent = 0
    for action in overdue:
        made = notify(
            recipient=action.owner,
            kind="action-overdue",
            key=f"action-overdue:{action.pk}",
            message=OVERDUE_MESSAGE,
            url=reverse("audits:action-edit", args=[action.pk]),
        )
        sent += made is not None
    return sent


def register() -> None:
    """Hooks, loaders and sweeps of this part (called once at start-up)."""
    register_sweep("audits-action-reminders", "daily", action_overdue_reminders_send)
