"""Seeking the family's views for each individual audit (DESIGN section 6; seed 2).

Every allocated case-file audit gets a participation task (through the allocation hook, and a
daily sweep for audits made without it). Nobody contacts the family until the audit team's
manager has said it is safe, which adults may be contacted, whether an interpreter is needed,
and whether there is domestic abuse. Then the participation officer tries to reach the family,
logs each attempt, and records one outcome: completed (only by submitting a response),
declined, no reply, or not appropriate (with a reason).
"""

from __future__ import annotations

import datetime
from typing import Any

from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone
from simple_history.utils import bulk_create_with_history

from audits.models import Audit, AuditKind, AuditStatus
from audits.services.allocation import AUDIT_ALLOCATED_HOOK, team_managers_by_team, team_managers_of
from audits.services.practitioner import save_with_history
from core import hooks
from core.clock import london_date
from core.notifications import Notice, notify_many
from core.sweeps import register_sweep
from organisation.models import Role, RoleAssignment, User

from ..models import ContactAttempt, ContactMethod, Outcome, ParticipationTask

# Individual case-file audits seek the family's views; a 6-week review of actions and a dip
# sample are not audits of one family's help.
NOT_FOR_KINDS = frozenset({AuditKind.RE_AUDIT, AuditKind.DIP_SAMPLE})
NOT_SAFE_REASON = "The team manager judged that contact is not safe"
ADULTS_MAX = 300
LANGUAGE_MAX = 60
REASON_MAX = 300
ATTEMPT_NOTE_MAX = 300
# Audits older than this many months (this one included) are not worth a first contact: the help
# asked about is too long ago for a family to be asked now.
LOOKBACK_MONTHS = 3
# The outcomes an officer records; "completed" happens only by submitting a response.
RECORDABLE_OUTCOMES = (Outcome.DECLINED, Outcome.NO_REPLY, Outcome.NOT_APPROPRIATE)


class ParticipationError(Exception):
    """A change the rules refuse; ``messages`` say why, for the person making it."""

    def __init__(self, messages: list[str] | str) -> None:
        self.messages = [messages] if isinstance(messages, str) else list(messages)
        super().__init__(" ".join(self.messages))


def _task_url(task: ParticipationTask) -> str:
    return reverse("feedback:participation-task", args=[task.pk])


def _safety_url(task: ParticipationTask) -> str:
    return reverse("feedback:participation-safety", args=[task.pk])


def _safety_notices(task: ParticipationTask, managers: list[Any]) -> list[Notice]:
    """The audit team's manager checks safety before anyone contacts the family (no case text)."""
    return [
        Notice(
            manager,
            "participation-safety",
            f"participation-safety:{task.pk}",
            "Please check whether it is safe to contact a family for their views on our help",
            _safety_url(task),
            detail=task.audit.case_reference,
        )
        for manager in managers
    ]


def seeks_family_views(audit: Audit) -> bool:
    return audit.kind not in NOT_FOR_KINDS and audit.status != AuditStatus.CANCELLED


@transaction.atomic
def participation_task_create(*, audit: Audit) -> ParticipationTask | None:
    """The task for one allocated audit (once), and the safety-check request to its team's
    manager(s). None for audits that do not seek the family's views."""
    if not seeks_family_views(audit):
        return None
    existing = ParticipationTask.objects.filter(audit=audit).first()
    if existing is not None:
        return existing
    task = ParticipationTask(audit=audit)
    task._history_user = audit.allocated_by
    try:
        with transaction.atomic():
            task.save()
    except IntegrityError:  # made at the same moment by the sweep
        return ParticipationTask.objects.get(audit=audit)
    day = london_date(audit.allocated_at) if audit.allocated_at else timezone.localdate()
    notify_many(_safety_notices(task, team_managers_of(audit.team_id, today=day)))
    return task


def _on_audit_allocated(*, audit: Audit, **_: Any) -> None:
    participation_task_create(audit=audit)


def lookback_start(today: datetime.date) -> datetime.date:
    """The first audit month still worth asking a family about: this month and the two before."""
    first = today.replace(day=1)
    for _ in range(LOOKBACK_MONTHS - 1):
        first = (first - datetime.timedelta(days=1)).replace(day=1)
    return first


@transaction.atomic
def participation_tasks_create_missing(*, today: datetime.date, notify_people: bool = True) -> int:
    """Tasks for every recent audit seeking the family's views that has none (audits allocated
    without the hook, such as the demo's); the managers are asked for their safety checks.
    Returns how many it made; running it again makes none."""
    audits = list(
        Audit.objects.filter(participation_task__isnull=True, month__gte=lookback_start(today))
        .exclude(kind__in=NOT_FOR_KINDS)
        .exclude(status=AuditStatus.CANCELLED)
        .select_related("allocated_by")
        .order_by("pk")
    )
    if not audits:
        return 0
    made = bulk_create_with_history([ParticipationTask(audit=a) for a in audits], ParticipationTask)
    if notify_people:
        tasks = list(ParticipationTask.objects.filter(audit__in=audits).select_related("audit").order_by("pk"))
        managers = team_managers_by_team({t.audit.team_id for t in tasks}, today=today)
        notify_many([n for t in tasks for n in _safety_notices(t, managers.get(t.audit.team_id, []))])
    return len(made)


def _sweep_missing(*, today: datetime.date, now: datetime.datetime) -> int:
    return participation_tasks_create_missing(today=today)


# What a safety check and an outcome change on a task (for save(update_fields=...)).
SAFETY_FIELDS = (
    "safety_checked_by",
    "safety_checked_at",
    "safe_to_contact",
    "adults_to_contact",
    "interpreter_needed",
    "interpreter_language",
    "domestic_abuse_risk",
    "safety_notes",
    "status",
    "version",
)
OUTCOME_FIELDS = ("status", "outcome", "outcome_reason", "outcome_recorded_at", "outcome_recorded_by", "version")


def set_outcome(
    task: ParticipationTask, *, outcome: str, reason: str, actor: Any, when: datetime.datetime
) -> ParticipationTask:
    """Give a task its one outcome, closing it (the caller has checked the rules and saves
    OUTCOME_FIELDS)."""
    task.status = ParticipationTask.Status.CLOSED
    task.outcome, task.outcome_reason = outcome, reason
    task.outcome_recorded_at, task.outcome_recorded_by = when, actor
    task.version += 1
    return task


def _locked(task: ParticipationTask) -> ParticipationTask:
    return ParticipationTask.objects.select_for_update(of=("self",)).select_related("audit").get(pk=task.pk)


def _require_open(task: ParticipationTask) -> None:
    if task.status == ParticipationTask.Status.CLOSED:
        raise ParticipationError(f"An outcome has already been recorded: {task.get_outcome_display().lower()}.")
    if task.audit.status == AuditStatus.CANCELLED:
        raise ParticipationError("This audit was cancelled, so the family's views are no longer being sought for it.")


def _require_safe(task: ParticipationTask) -> None:
    _require_open(task)
    if task.status != ParticipationTask.Status.READY:
        raise ParticipationError(
            "The team manager has not yet said whether it is safe to contact this family: no contact can be made "
            "before that safety check."
        )


def participation_officers(*, today: datetime.date) -> list[User]:
    holders = RoleAssignment.objects.active_on(today).filter(role=Role.PARTICIPATION_OFFICER).values("person_id")
    return list(User.objects.filter(pk__in=holders, is_active=True).order_by("email", "pk"))


@transaction.atomic
def participation_safety_record(
    *,
    task: ParticipationTask,
    safe: bool,
    adults_to_contact: str = "",
    interpreter_needed: bool = False,
    interpreter_language: str = "",
    domestic_abuse_risk: bool = False,
    notes: str = "",
    actor: Any,
    now: datetime.datetime | None = None,
) -> ParticipationTask:
    """The audit team's manager says whether contact is safe. Safe: the task is ready and the
    participation officers are told. Not safe: the task closes as not appropriate (the notes stay
    with the safety check; the outcome's reason, shown with the audit, says only why in general).
    A manager may say later that contact is no longer safe, until an outcome is recorded."""
    locked = _locked(task)
    _require_open(locked)
    adults = (adults_to_contact or "").strip()
    language = (interpreter_language or "").strip() if interpreter_needed else ""
    problems = []
    if safe and not adults:
        problems.append("Say which adults may be contacted")
    if interpreter_needed and not language:
        problems.append("Say which language the interpreter is needed for")
    if len(adults) > ADULTS_MAX:
        problems.append(f"Which adults may be contacted must be {ADULTS_MAX} characters or fewer")
    if len(language) > LANGUAGE_MAX:
        problems.append(f"The language must be {LANGUAGE_MAX} characters or fewer")
    if problems:
        raise ParticipationError(problems)
    moment = now or timezone.now()
    was_ready = locked.status == ParticipationTask.Status.READY
    locked.safety_checked_by = actor
    locked.safety_checked_at = moment
    locked.safe_to_contact = bool(safe)
    locked.adults_to_contact = adults if safe else ""
    locked.interpreter_needed = bool(interpreter_needed)
    locked.interpreter_language = language
    locked.domestic_abuse_risk = bool(domestic_abuse_risk)
    locked.safety_notes = (notes or "").strip()
    locked.status = ParticipationTask.Status.READY
    locked.version += 1
    if not safe:
        set_outcome(locked, outcome=Outcome.NOT_APPROPRIATE, reason=NOT_SAFE_REASON, actor=actor, when=moment)
    save_with_history(locked, actor=actor, fields={*SAFETY_FIELDS, *OUTCOME_FIELDS})
    if safe and not was_ready:
        readers = [locked.officer] if locked.officer_id else participation_officers(today=london_date(moment))
        notify_many(
            [
                Notice(
                    officer,
                    "participation-ready",
                    f"participation-ready:{locked.pk}",
                    "A family can now be asked for their views on our help",
                    _task_url(locked),
                    detail=locked.audit.case_reference,
                )
                for officer in readers
            ]
        )
    return locked


@transaction.atomic
def participation_task_assign(*, task: ParticipationTask, officer: Any, actor: Any) -> ParticipationTask:
    """ "Assign to me": an open task nobody has taken yet."""
    locked = _locked(task)
    _require_open(locked)
    if locked.officer_id == officer.pk:
        return locked
    if locked.officer_id is not None:
        raise ParticipationError("Someone else has already taken this task.")
    locked.officer = officer
    locked.version += 1
    save_with_history(locked, actor=actor, fields=["officer", "version"])
    return locked


@transaction.atomic
def contact_attempt_record(
    *,
    task: ParticipationTask,
    attempted_on: datetime.date,
    method: str,
    note: str = "",
    actor: Any,
    today: datetime.date,
) -> ContactAttempt:
    """Log one attempt to reach the family, only after the safety check said it is safe."""
    locked = _locked(task)
    _require_safe(locked)
    problems = []
    if attempted_on > today:
        problems.append("The date of the attempt must be today or in the past")
    if method not in ContactMethod.values:
        problems.append("Choose how you tried to make contact")
    note = (note or "").strip()
    if len(note) > ATTEMPT_NOTE_MAX:
        problems.append(f"The note must be {ATTEMPT_NOTE_MAX} characters or fewer")
    if problems:
        raise ParticipationError(problems)
    return ContactAttempt.objects.create(
        task=locked, attempted_on=attempted_on, method=method, note=note, recorded_by=actor
    )


@transaction.atomic
def participation_outcome_record(
    *, task: ParticipationTask, outcome: str, reason: str = "", actor: Any, now: datetime.datetime | None = None
) -> ParticipationTask:
    """Record the task's one outcome and close it. Declined and no reply need the safety check
    (someone was contacted); no reply needs at least one logged attempt; not appropriate needs a
    reason; completed comes only from a submitted response."""
    locked = _locked(task)
    _require_open(locked)
    reason = (reason or "").strip()
    if outcome == Outcome.COMPLETED:
        raise ParticipationError("A task is completed by submitting the family's answers.")
    if outcome not in RECORDABLE_OUTCOMES:
        raise ParticipationError("Choose an outcome")
    if outcome in (Outcome.DECLINED, Outcome.NO_REPLY):
        _require_safe(locked)
    if outcome == Outcome.NO_REPLY and not locked.attempts.exists():
        raise ParticipationError("Log at least one attempt to contact the family before recording no reply")
    if outcome == Outcome.NOT_APPROPRIATE and not reason:
        raise ParticipationError("Say why contacting this family is not appropriate")
    if len(reason) > REASON_MAX:
        raise ParticipationError(f"The reason must be {REASON_MAX} characters or fewer")
    set_outcome(locked, outcome=outcome, reason=reason, actor=actor, when=now or timezone.now())
    save_with_history(locked, actor=actor, fields=OUTCOME_FIELDS)
    return locked


def register() -> None:
    hooks.register(AUDIT_ALLOCATED_HOOK, _on_audit_allocated)
    register_sweep("feedback-participation-tasks", "daily", _sweep_missing)
