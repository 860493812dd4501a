"""The practitioner's part of an audit (DESIGN section 4).

The audit is done *with* the practitioner: they reflect before it and four weeks after it, and
respond to the grade (agree, partly agree or disagree, with a comment) within 5 working days.
The response is a field with a due date, never a state, and never blocks anything. An
Inadequate grade reaches them only after their team manager records that they talked it
through. An audit closes when it is submitted (and not in moderation) and the practitioner has
responded or the 5 working days have passed.

The reflections and the response carry their own version numbers (Audit.reflection_version,
Audit.response_version), separate from the auditor's parts, so the practitioner writing never
clashes with the auditor grading. A stale save that would replace different text is refused
with both texts shown (:class:`EditConflict`), never silently overwritten.
"""

from __future__ import annotations

import datetime
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any

from django.db import transaction
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from simple_history.utils import get_history_manager_for_model

from core import hooks
from core.notifications import notify
from core.sweeps import register_sweep
from core.workdays import add_working_days
from organisation.scope import scope_for

from ..models import DONE_STATUSES, OPEN_STATUSES, Audit, AuditStatus, Grade, PractitionerResponse
from ..permissions import can_record_talked_through, practitioner_sees_findings
from .allocation import team_managers_of

# Called with ``audit=`` by the submission service, in its transaction.
AUDIT_SUBMITTED_HOOK = "audit-submitted"
RESPONSE_WORKING_DAYS = 5
REFLECTION_AFTER_DAYS = 28  # "four weeks after the audit"
REFLECTION_MAX = 5000
COMMENT_MAX = 2000

# Neutral words only: these are emailed, so no grade, no initials, no case detail.
FINDINGS_MESSAGE = "An audit of a child you work with is complete — please read it and add your reflection"
TALK_THROUGH_MESSAGE = "An audit needs you to talk it through with the practitioner before they see it"
REFLECTION_AFTER_MESSAGE = (
    "It is four weeks since an audit of a child you work with — please add your reflection after the audit"
)


class PractitionerPartError(Exception):
    """A change the rules refuse; the message says why, for the person trying."""


@dataclass(frozen=True)
class Clash:
    """One field two people changed at once: what is saved now, and what this person sent."""

    field: str
    label: str
    theirs: str
    yours: str


class EditConflict(Exception):
    """A save from a stale page that would replace someone else's different text.

    ``version`` is the part's version now: a form re-shown with it saves on purpose next time.
    """

    def __init__(self, clashes: list[Clash], *, version: int) -> None:
        super().__init__("Someone else saved a different version since this page was opened.")
        self.clashes = clashes
        self.version = version


def changed_fields(current: Any, wanted: dict[str, Any]) -> dict[str, Any]:
    """The subset of ``wanted`` that differs from what ``current`` holds."""
    return {name: value for name, value in wanted.items() if getattr(current, name) != value}


def check_version(
    current: Any,
    changes: dict[str, Any],
    *,
    version: int,
    stored_version: int,
    labels: dict[str, str],
    show: Callable[[str, Any], str] = lambda name, value: str(value or ""),
) -> None:
    """Refuse a stale save of different values with both versions shown (optimistic locking).

    A stale save that changes nothing is not a conflict, and the caller saves nothing for it.
    """
    if version == stored_version or not changes:
        return
    clashes = [
        Clash(field=name, label=labels[name], theirs=show(name, getattr(current, name)), yours=show(name, value))
        for name, value in changes.items()
    ]
    raise EditConflict(clashes, version=stored_version)


def save_with_history(instance: Any, *, actor: Any, fields: Iterable[str]) -> None:
    """Save only ``fields``, recording ``actor`` as the history user."""
    instance._history_user = actor
    instance.save(update_fields=list(fields))


# --- due dates -------------------------------------------------------------------------------------
def response_due_date(*, visible_on: datetime.date) -> datetime.date:
    """The practitioner responds within 5 working days of being able to read the audit."""
    return add_working_days(visible_on, RESPONSE_WORKING_DAYS)


def reflection_after_due_date(*, audit_on: datetime.date) -> datetime.date:
    """The "after" reflection is prompted four weeks after the audit (conversation, else submission)."""
    return audit_on + datetime.timedelta(days=REFLECTION_AFTER_DAYS)


def _submitted_on(audit: Audit) -> datetime.date:
    return timezone.localdate(audit.submitted_at) if audit.submitted_at else timezone.localdate()


def _response_due_on(audit: Audit) -> datetime.date:
    return audit.response_due_on or response_due_date(visible_on=_submitted_on(audit))


def _locked(audit: Audit) -> Audit:
    return Audit.objects.select_for_update(of=("self",)).get(pk=audit.pk)


def _require_practitioner(audit: Audit, actor: Any) -> None:
    if audit.practitioner_id is None or audit.practitioner_id != actor.pk:
        raise PractitionerPartError("Only the practitioner for this child can do this.")
    if audit.status == AuditStatus.CANCELLED:
        raise PractitionerPartError("This audit was cancelled.")


# --- reflections and response ----------------------------------------------------------------------
REFLECTION_LABELS = {
    "reflection_before": "Your reflection before the audit",
    "reflection_after": "Your reflection after the audit",
}
RESPONSE_LABELS = {"response": "Your response to the grade", "response_comment": "Your comment"}


@transaction.atomic
def reflection_save(
    *,
    audit: Audit,
    actor: Any,
    before: str | None = None,
    after: str | None = None,
    version: int,
    now: datetime.datetime | None = None,
) -> Audit:
    """Save the practitioner's reflection before the audit (until it is submitted) or after it
    (once they can read it). Returns the audit as saved; nothing is written when nothing changed."""
    current = _locked(audit)
    _require_practitioner(current, actor)
    wanted: dict[str, str] = {}
    if before is not None:
        if current.status not in OPEN_STATUSES:
            raise PractitionerPartError("The audit has been completed: add your reflection after the audit instead.")
        wanted["reflection_before"] = before
    if after is not None:
        if not practitioner_sees_findings(current):
            raise PractitionerPartError("You can add your reflection after the audit once you can read it.")
        wanted["reflection_after"] = after
    if any(len(text) > REFLECTION_MAX for text in wanted.values()):
        raise PractitionerPartError(f"A reflection must be {REFLECTION_MAX} characters or fewer.")
    changes = changed_fields(current, wanted)
    if not changes:
        return current
    check_version(
        current, changes, version=version, stored_version=current.reflection_version, labels=REFLECTION_LABELS
    )
    for name, value in changes.items():
        setattr(current, name, value)
    current.reflection_version += 1
    save_with_history(current, actor=actor, fields=[*changes, "reflection_version"])
    return current


def _show_response(name: str, value: Any) -> str:
    if name == "response":
        return str(PractitionerResponse(value).label) if value else "No response"
    return str(value or "")


@transaction.atomic
def response_save(
    *,
    audit: Audit,
    actor: Any,
    response: str,
    comment: str,
    version: int,
    now: datetime.datetime | None = None,
) -> Audit:
    """Record the practitioner's response to the grade. Late responses are accepted (and shown
    as late); the first response closes an audit that is only waiting for it."""
    moment = now or timezone.now()
    current = _locked(audit)
    _require_practitioner(current, actor)
    if not practitioner_sees_findings(current):
        raise PractitionerPartError("You can respond to the grade once you can read the audit.")
    if response not in PractitionerResponse.values:
        raise PractitionerPartError("Choose whether you agree, partly agree or disagree with the grade.")
    if len(comment) > COMMENT_MAX:
        raise PractitionerPartError(f"Your comment must be {COMMENT_MAX} characters or fewer.")
    changes = changed_fields(current, {"response": response, "response_comment": comment})
    if not changes:
        return current
    check_version(
        current,
        changes,
        version=version,
        stored_version=current.response_version,
        labels=RESPONSE_LABELS,
        show=_show_response,
    )
    for name, value in changes.items():
        setattr(current, name, value)
    current.response_version += 1
    fields = [*changes, "response_version"]
    if current.responded_at is None:
        # When they first responded: a later edit of the comment does not make it late.
        current.responded_at = moment
        fields.append("responded_at")
    if current.status == AuditStatus.SUBMITTED:
        current.status = AuditStatus.CLOSED
        current.closed_at = moment
        fields += ["status", "closed_at"]
    save_with_history(current, actor=actor, fields=fields)
    return current


def response_is_late(audit: Audit) -> bool:
    """Responded after the due date (London dates). Late responses still count."""
    if audit.responded_at is None or audit.response_due_on is None:
        return False
    return timezone.localdate(audit.responded_at) > audit.response_due_on


# --- the team manager talks an Inadequate grade through ----------------------------------------
@transaction.atomic
def audit_record_talked_through(*, audit: Audit, actor: Any, now: datetime.datetime | None = None) -> Audit:
    """The TM records that they talked the audit through with the practitioner; the practitioner
    can then read it and has 5 working days from today to respond."""
    moment = now or timezone.now()
    day = timezone.localdate(moment)
    current = _locked(audit)
    scope = scope_for(actor, today=day)
    if current.status not in DONE_STATUSES:
        raise PractitionerPartError("The audit has not been submitted yet.")
    if not can_record_talked_through(scope, current):
        raise PractitionerPartError("Only a team manager of the audit's team can record this.")
    if current.talked_through_at is not None:
        raise PractitionerPartError(
            f"It was already recorded as talked through on {timezone.localdate(current.talked_through_at):%-d %B %Y}."
        )
    current.talked_through_at = moment
    current.talked_through_by = actor
    fields = ["talked_through_at", "talked_through_by"]
    due = response_due_date(visible_on=day)
    if current.response_due_on is None or current.response_due_on < due:
        current.response_due_on = due
        fields.append("response_due_on")
    save_with_history(current, actor=actor, fields=fields)
    if current.practitioner_id and practitioner_sees_findings(current):
        _notify_findings(current)
    return current


# --- closing --------------------------------------------------------------------------------------
def _close_reason(audit: Audit, today: datetime.date) -> str | None:
    if audit.status != AuditStatus.SUBMITTED:
        return None
    if audit.responded_at is not None:
        return "Closed: the practitioner responded"
    if audit.practitioner_id and not practitioner_sees_findings(audit):
        # Their 5 working days start when their TM has talked it through.
        return None
    if today > _response_due_on(audit):
        return "Closed: 5 working days passed"
    return None


def audit_close_if_due(
    *, audit: Audit, today: datetime.date | None = None, now: datetime.datetime | None = None
) -> bool:
    """Close a submitted audit (not in moderation) once the practitioner has responded or 5
    working days have passed. Safe to run twice: the close is a conditional update on status."""
    moment = now or timezone.now()
    day = today or timezone.localdate(moment)
    audit.refresh_from_db()
    reason = _close_reason(audit, day)
    if reason is None:
        return False
    with transaction.atomic():
        claimed = Audit.objects.filter(pk=audit.pk, status=AuditStatus.SUBMITTED).update(
            status=AuditStatus.CLOSED, closed_at=moment
        )
        if not claimed:
            return False
        audit.refresh_from_db()
        # update() writes no history: one row for the close, made by the service (no user).
        get_history_manager_for_model(Audit).bulk_history_create(
            [audit], update=True, default_change_reason=reason, default_date=moment
        )
    return True


def audits_close_due(*, today: datetime.date, now: datetime.datetime | None = None) -> int:
    """Daily sweep: close every submitted audit whose response is in or overdue."""
    candidates = (
        Audit.objects.filter(status=AuditStatus.SUBMITTED)
        .filter(Q(responded_at__isnull=False) | Q(response_due_on__lt=today) | Q(response_due_on__isnull=True))
        .order_by("pk")
    )
    return sum(audit_close_if_due(audit=audit, today=today, now=now) for audit in candidates)


# --- notifications -------------------------------------------------------------------------------
def findings_released_q(prefix: str = "") -> Q:
    """Audits whose findings the practitioner may read: the database form of
    permissions.practitioner_sees_findings (``prefix`` e.g. "audit__" from an action)."""
    return (
        Q(**{f"{prefix}status__in": DONE_STATUSES})
        & ~Q(**{f"{prefix}reported_grade": Grade.INADEQUATE, f"{prefix}talked_through_at__isnull": True})
        # A grade changed by moderation waits for the TM's talk, as permissions.py says.
        & ~Q(**{f"{prefix}moderation_changed_grade": True, f"{prefix}change_talked_through_at__isnull": True})
    )


def _notify_findings(audit: Audit) -> None:
    notify(
        recipient=audit.practitioner,
        kind="audit-findings",
        # One key for both routes (on submission, or after the talk-through): told once.
        key=f"audit-findings:{audit.pk}",
        message=FINDINGS_MESSAGE,
        url=reverse("audits:audit-practitioner", args=[audit.pk]),
    )


def _fill_due_dates(audit: Audit) -> None:
    """Set the response and "after" reflection due dates if the submission left them blank."""
    if audit.response_due_on and audit.reflection_after_due_on:
        return
    submitted_on = _submitted_on(audit)
    values = {}
    if audit.response_due_on is None:
        values["response_due_on"] = response_due_date(visible_on=submitted_on)
    if audit.reflection_after_due_on is None:
        values["reflection_after_due_on"] = reflection_after_due_date(audit_on=audit.conversation_on or submitted_on)
    # Derived dates, not an edit: no history row of their own.
    Audit.objects.filter(pk=audit.pk).update(**values)
    for name, value in values.items():
        setattr(audit, name, value)


def on_audit_submitted(*, audit: Audit) -> None:
    """Hook: tell the practitioner the audit is ready to read — or, for an Inadequate grade,
    tell their TM(s) to talk it through with them first (DESIGN section 4)."""
    _fill_due_dates(audit)
    if audit.practitioner_id and practitioner_sees_findings(audit):
        _notify_findings(audit)
    if audit.reported_grade == Grade.INADEQUATE and audit.talked_through_at is None:
        for manager in team_managers_of(audit.team_id, today=timezone.localdate()):
            notify(
                recipient=manager,
                kind="audit-talk-through",
                key=f"audit-talk-through:{audit.pk}",
                message=TALK_THROUGH_MESSAGE,
                url=reverse("audits:audit-detail", args=[audit.pk]),
            )


def reflection_after_prompts_send(*, today: datetime.date, now: datetime.datetime | None = None) -> int:
    """Daily sweep: prompt each practitioner whose "after" reflection is due (once per audit)."""
    due = (
        Audit.objects.filter(findings_released_q())
        .filter(practitioner__isnull=False, reflection_after="", reflection_after_due_on__lte=today)
        .select_related("practitioner")
        .order_by("pk")
    )
    sent = 0
    for audit in due:
        made = notify(
            recipient=audit.practitioner,
            kind="reflection-after-due",
            key=f"reflection-after:{audit.pk}",
            message=REFLECTION_AFTER_MESSAGE,
            url=reverse("audits:audit-practitioner", args=[audit.pk]),
        )
        sent += made is not None
    return sent


def register() -> None:
    """Hooks, loaders and sweeps of this part (called once at start-up)."""
    hooks.register(AUDIT_SUBMITTED_HOOK, on_audit_submitted)
    register_sweep("audits-close-due", "daily", audits_close_due)
    register_sweep("audits-reflection-after-prompts", "daily", reflection_after_prompts_send)
