"""Moderation (DESIGN section 4; seed 6.1.1, 6.1.6).

On submission an audit is chosen for moderation when a reproducible draw picks it (a hash of a
fixed salt and the audit's id against the QA settings' share), when its overall grade is
Inadequate or Outstanding, or when it is one of its auditor's first three submitted audits; the
QA team can add one by hand, with a reason, within 30 days of submission. An audit is never
chosen twice (one moderation per audit).

The moderator agrees with, or gives a different grade (with a reason) for, each element and the
overall grade. Each element and the overall part carry their own version, like the audit form,
so two people saving at once never overwrite each other silently. Both grades are kept; the
moderated grade becomes the audit's reported grade. A changed grade reaches the practitioner
only through their team manager, who records that they talked it through.
"""

from __future__ import annotations

import datetime
import hashlib
from collections.abc import Mapping
from typing import Any

from django.db import transaction
from django.db.models import Q, QuerySet
from django.urls import reverse
from django.utils import timezone

from core import clock, hooks
from core.models import QASettings
from core.notifications import notify
from organisation.models import Duty, DutyAssignment
from organisation.scope import scope_for

from ..models import (
    Audit,
    AuditKind,
    AuditStatus,
    Element,
    ElementAnswer,
    ElementModeration,
    Grade,
    Moderation,
    ModerationReason,
)
from ..permissions import can_record_talked_through, practitioner_sees_findings
from .allocation import team_managers_of
from .answers import FieldConflict, PartConflict, Problem, SaveResult
from .practitioner import response_due_date, save_with_history

AUDIT_SUBMITTED_HOOK = "audit-submitted"
# A fixed salt: the draw is the same every time for the same audit, and cannot be steered by
# choosing when to submit.
SAMPLING_SALT = "qa-framework-moderation-2026"
NEW_AUDITOR_AUDITS = 3
MANUAL_ADD_DAYS = 30
REASON_MAX = 2000
FEEDBACK_MAX = 5000
# The kinds of audit moderated: graded case-file audits (the 6-week review, dip samples and
# programme work have their own checks).
MODERATED_KINDS = (
    AuditKind.MONTHLY,
    AuditKind.EARLY_HELP,
    AuditKind.THEMATIC,
    AuditKind.AD_HOC,
    AuditKind.MULTI_AGENCY,
    AuditKind.PRACTICE_WEEK,
)
OVERALL_PART = "overall"
ELEMENT_PREFIX = "element-"
OVERALL_FIELDS = (
    "overall_agrees",
    "overall_grade",
    "overall_reason",
    "feedback",
    "quality_evidence",
    "quality_lived_experience",
    "quality_strengths_language",
)
ELEMENT_FIELDS = ("agrees", "grade", "reason")
LABELS = {
    "overall_agrees": "Do you agree with the overall grade?",
    "overall_grade": "Your overall grade",
    "overall_reason": "Why the overall grade is different",
    "feedback": "Feedback to the auditor",
    "quality_evidence": "The evidence supports the grade",
    "quality_lived_experience": "The child's lived experience is visible",
    "quality_strengths_language": "The language is strengths-based",
    "agrees": "Do you agree with the grade?",
    "grade": "Your grade",
    "reason": "Why the grade is different",
}

# Neutral words only: these are emailed, so no grade, no initials, no case detail.
AUDITOR_MESSAGE = "Your audit has been moderated — please read the feedback"
CHANGE_TALK_MESSAGE = "A moderated audit needs you to talk it through with the practitioner before they see it"
PRACTITIONER_CHANGE_MESSAGE = "An audit of a child you work with has been updated — please read it"
ASSIGNED_MESSAGE = "An audit is ready for you to moderate"


class ModerationError(Exception):
    """A change the rules refuse; the message says why, for the person trying."""


# --- sampling -------------------------------------------------------------------------------------
def moderation_draw_picks(*, audit_id: int, share: int) -> bool:
    """The reproducible draw: the same audit and share always give the same answer."""
    digest = hashlib.sha256(f"{SAMPLING_SALT}:{audit_id}".encode()).hexdigest()
    return int(digest[:8], 16) % 100 < share


def _is_new_auditors(audit: Audit) -> bool:
    """One of the auditor's first three submitted audits (ties broken by id)."""
    earlier = (
        Audit.objects.filter(auditor_id=audit.auditor_id, submitted_at__isnull=False, kind__in=MODERATED_KINDS)
        .exclude(pk=audit.pk)
        .filter(Q(submitted_at__lt=audit.submitted_at) | Q(submitted_at=audit.submitted_at, pk__lt=audit.pk))
    )
    return earlier.count() < NEW_AUDITOR_AUDITS


def moderation_reason_for(*, audit: Audit) -> str | None:
    """Why this submitted audit is chosen for moderation, or None when it is not."""
    if audit.kind not in MODERATED_KINDS:
        return None
    if audit.overall_grade == Grade.INADEQUATE:
        return ModerationReason.INADEQUATE
    if audit.overall_grade == Grade.OUTSTANDING:
        return ModerationReason.OUTSTANDING
    if _is_new_auditors(audit):
        return ModerationReason.NEW_AUDITOR
    if moderation_draw_picks(audit_id=audit.pk, share=QASettings.current().moderation_share):
        return ModerationReason.RANDOM
    return None


def on_audit_submitted(*, audit: Audit, **_: Any) -> Moderation | None:
    """Hook (in the submission's transaction): choose the audit for moderation if the rules say so."""
    if Moderation.objects.filter(audit_id=audit.pk).exists():
        return None
    reason = moderation_reason_for(audit=audit)
    if reason is None:
        return None
    moderation = Moderation.objects.create(audit=audit, reason=reason, selected_at=audit.submitted_at or clock.now())
    audit.status = AuditStatus.IN_MODERATION
    # Part of the submission: recorded as the submitting auditor's change.
    save_with_history(audit, actor=getattr(audit, "_history_user", None), fields=["status"])
    return moderation


@transaction.atomic
def moderation_add_by_hand(
    *, audit: Audit, actor: Any, reason: str, now: datetime.datetime | None = None
) -> Moderation:
    """The QA team adds a submitted or closed audit to moderation, with a reason, within 30 days
    of its submission. It goes back to "in moderation"."""
    moment = now or clock.now()
    locked = Audit.objects.select_for_update(of=("self",)).get(pk=audit.pk)
    reason = reason.strip()
    if not scope_for(actor, today=timezone.localdate(moment)).is_qa:
        raise ModerationError("Only the QA team can add an audit to moderation.")
    if Moderation.objects.filter(audit_id=locked.pk).exists():
        raise ModerationError("This audit has already been chosen for moderation: it is only moderated once.")
    if locked.status not in (AuditStatus.SUBMITTED, AuditStatus.CLOSED) or locked.submitted_at is None:
        raise ModerationError("Only a submitted or closed audit can be added to moderation.")
    if locked.kind not in MODERATED_KINDS:
        raise ModerationError("This kind of audit is not moderated.")
    if moment - locked.submitted_at > datetime.timedelta(days=MANUAL_ADD_DAYS):
        raise ModerationError(f"An audit can be added to moderation up to {MANUAL_ADD_DAYS} days after submission.")
    if not reason:
        raise ModerationError("Enter why this audit is being added to moderation.")
    if len(reason) > 300:
        raise ModerationError("The reason must be 300 characters or fewer.")
    moderation = Moderation(
        audit=locked, reason=ModerationReason.MANUAL, manual_reason=reason, selected_at=moment, selected_by=actor
    )
    moderation._history_user = actor
    moderation.save()
    locked.status = AuditStatus.IN_MODERATION
    locked.closed_at = None
    save_with_history(locked, actor=actor, fields=["status", "closed_at"])
    audit.status = locked.status
    return moderation


# --- the queue ------------------------------------------------------------------------------------
def moderators(*, today: datetime.date) -> list[Any]:
    """People with the moderator duty today, by name."""
    assignments = (
        DutyAssignment.objects.active_on(today)
        .filter(duty=Duty.MODERATOR, person__is_active=True)
        .select_related("person")
    )
    people = {a.person_id: a.person for a in assignments}
    return sorted(people.values(), key=lambda p: (p.full_name, p.pk))


def moderation_queue(
    *,
    today: datetime.date,
    month: datetime.date | None = None,
    service_area_id: int | None = None,
    team_id: int | None = None,
    auditor_id: int | None = None,
    grade: str = "",
    waited_over_days: int | None = None,
    restricted: bool = False,
) -> QuerySet[Moderation]:
    """Waiting and in-progress moderations, oldest first (restricted cases only for the QA manager)."""
    queue = (
        Moderation.objects.exclude(status=Moderation.Status.DONE)
        .select_related("audit__auditor", "audit__team", "audit__service_area", "moderator")
        .order_by("selected_at", "pk")
    )
    if not restricted:
        queue = queue.filter(audit__restricted=False)
    if month:
        queue = queue.filter(audit__month=month.replace(day=1))
    if service_area_id:
        queue = queue.filter(audit__service_area_id=service_area_id)
    if team_id:
        queue = queue.filter(audit__team_id=team_id)
    if auditor_id:
        queue = queue.filter(audit__auditor_id=auditor_id)
    if grade:
        queue = queue.filter(audit__overall_grade=grade)
    if waited_over_days is not None:
        cutoff = timezone.make_aware(
            datetime.datetime.combine(today - datetime.timedelta(days=waited_over_days), datetime.time.min)
        )
        queue = queue.filter(selected_at__lt=cutoff)
    return queue


def days_waiting(moderation: Moderation, *, today: datetime.date) -> int:
    return (today - timezone.localdate(moderation.selected_at)).days


@transaction.atomic
def moderation_assign(
    *, moderation: Moderation, moderator: Any, actor: Any, now: datetime.datetime | None = None
) -> Moderation:
    """Assign (or reassign) a moderation to a person with the moderator duty."""
    moment = now or clock.now()
    locked = Moderation.objects.select_for_update().get(pk=moderation.pk)
    if locked.status == Moderation.Status.DONE:
        raise ModerationError("This moderation is complete.")
    if moderator.pk not in {p.pk for p in moderators(today=timezone.localdate(moment))}:
        raise ModerationError("Choose someone with the moderator duty.")
    if moderator.pk == locked.audit.auditor_id:
        raise ModerationError("An auditor cannot moderate their own audit.")
    if locked.moderator_id == moderator.pk:
        return locked
    locked.moderator = moderator
    locked.assigned_at = moment
    locked.status = Moderation.Status.IN_PROGRESS
    save_with_history(locked, actor=actor, fields=["moderator", "assigned_at", "status"])
    if moderator.pk != actor.pk:
        notify(
            recipient=moderator,
            kind="moderation-assigned",
            key=f"moderation-assigned:{locked.pk}:{moderator.pk}",
            message=ASSIGNED_MESSAGE,
            url=reverse("audits:moderation", args=[locked.pk]),
        )
    return locked


# --- the form: per-part saves with versions ----------------------------------------------------------
def element_part(code: str) -> str:
    return f"{ELEMENT_PREFIX}{code}"


def moderated_elements(moderation: Moderation) -> list[Element]:
    """The graded elements that applied to this audit (and were not marked not applicable)."""
    audit = moderation.audit
    answered_na = set(
        ElementAnswer.objects.filter(audit=audit, not_applicable=True).values_list("element_id", flat=True)
    )
    return [
        e
        for e in audit.tool_version.elements.order_by("position")
        if e.graded and e.applies_to_case_type(audit.case_type) and e.pk not in answered_na
    ]


def _show(name: str, value: Any) -> str:
    if name in ("overall_agrees", "agrees"):
        return {True: "Agrees", False: "A different grade", None: "Not answered"}[value]
    if name in ("overall_grade", "grade"):
        return str(Grade(value).label) if value else "None"
    return str(value or "")


def _apply_part(
    instance: Any, *, part: str, label: str, fields: tuple[str, ...], values: Mapping[str, Any], actor: Any
) -> tuple[int, PartConflict | None, bool]:
    """Save one part with its version check. Returns (version now, conflict, saved)."""
    version = int(values.get("version", instance.version) or 0)
    wanted = {name: values[name] for name in fields if name in values}
    changes = {name: value for name, value in wanted.items() if getattr(instance, name) != value}
    if not changes:
        return instance.version, None, False
    if version != instance.version:
        conflict = PartConflict(
            part=part,
            label=label,
            version=instance.version,
            fields=tuple(
                FieldConflict(
                    field=name,
                    label=LABELS[name],
                    yours=_show(name, value),
                    theirs=_show(name, getattr(instance, name)),
                )
                for name, value in changes.items()
            ),
        )
        return instance.version, conflict, False
    for name, value in changes.items():
        setattr(instance, name, value)
    instance.version += 1
    if instance.pk is None:
        instance._history_user = actor
        instance.save()
    else:
        save_with_history(instance, actor=actor, fields=[*changes, "version"])
    return instance.version, None, True


def _lock_open(moderation: Moderation) -> Moderation:
    locked = Moderation.objects.select_for_update().select_related("audit__tool_version").get(pk=moderation.pk)
    if locked.status == Moderation.Status.DONE:
        raise ModerationError("This moderation is complete, so it can no longer be changed.")
    return locked


def _save_parts(
    locked: Moderation, *, actor: Any, parts: Mapping[str, Mapping[str, Any]], now: datetime.datetime
) -> SaveResult:
    result = SaveResult(saved_at=now)
    elements = {element_part(e.code): e for e in moderated_elements(locked)}
    existing = {em.element_id: em for em in locked.elements.all()}
    for part, values in parts.items():
        if part == OVERALL_PART:
            version, conflict, saved = _apply_part(
                locked, part=part, label="The overall grade", fields=OVERALL_FIELDS, values=values, actor=actor
            )
        elif part in elements:
            element = elements[part]
            row = existing.get(element.pk) or ElementModeration(moderation=locked, element=element)
            version, conflict, saved = _apply_part(
                row,
                part=part,
                label=f"{element.code} {element.title}",
                fields=ELEMENT_FIELDS,
                values=values,
                actor=actor,
            )
        else:
            continue
        result.versions[part] = version
        if conflict:
            result.conflicts.append(conflict)
        if saved:
            result.saved.append(part)
    return result


@transaction.atomic
def moderation_save(
    *, moderation: Moderation, actor: Any, parts: Mapping[str, Mapping[str, Any]], now: datetime.datetime | None = None
) -> SaveResult:
    """Save the posted parts (autosave and "Save and come back later"); stale parts that would
    replace different values are returned as conflicts and not saved."""
    moment = now or clock.now()
    locked = _lock_open(moderation)
    result = _save_parts(locked, actor=actor, parts=parts, now=moment)
    if locked.status == Moderation.Status.WAITING:
        Moderation.objects.filter(pk=locked.pk).update(status=Moderation.Status.IN_PROGRESS)
    moderation.refresh_from_db()
    return result


def moderation_completeness_problems(*, moderation: Moderation) -> list[Problem]:
    """What is missing before the moderation can be completed: a different grade needs a reason."""
    problems: list[Problem] = []
    rows = {em.element_id: em for em in moderation.elements.all()}
    for element in moderated_elements(moderation):
        part = element_part(element.code)
        row = rows.get(element.pk)
        name = f"{element.code} {element.title}"
        if row is None or row.agrees is None:
            problems.append(Problem(part, "agrees", f"Say whether you agree with the grade for {name}"))
        elif row.agrees is False and not row.grade:
            problems.append(Problem(part, "grade", f"Choose your grade for {name}"))
        elif row.agrees is False and not row.reason.strip():
            problems.append(Problem(part, "reason", f"Enter why your grade for {name} is different"))
    if moderation.overall_agrees is None:
        problems.append(Problem(OVERALL_PART, "overall_agrees", "Say whether you agree with the overall grade"))
    elif moderation.overall_agrees is False and not moderation.overall_grade:
        problems.append(Problem(OVERALL_PART, "overall_grade", "Choose your overall grade"))
    elif moderation.overall_agrees is False and not moderation.overall_reason.strip():
        problems.append(Problem(OVERALL_PART, "overall_reason", "Enter why your overall grade is different"))
    if not moderation.feedback.strip():
        problems.append(Problem(OVERALL_PART, "feedback", "Enter your feedback to the auditor"))
    return problems


@transaction.atomic
def moderation_complete(
    *,
    moderation: Moderation,
    actor: Any,
    parts: Mapping[str, Mapping[str, Any]] | None = None,
    now: datetime.datetime | None = None,
) -> tuple[bool, SaveResult, list[Problem]]:
    """Save any posted parts, then complete the moderation if it is complete.

    On success both grades are kept; the moderated grade becomes the reported grade (marked as
    moderated); a changed grade is held back from the practitioner until their TM has talked it
    through, and the TM is asked to; a change to or from Inadequate starts or ends the child of
    concern process; the auditor is told; the audit goes back to "submitted" and closes by the
    usual rule. Returns (completed, the save, the problems)."""
    from .concern_process import child_of_concern_on_grade_change

    moment = now or clock.now()
    locked = _lock_open(moderation)
    save = _save_parts(locked, actor=actor, parts=parts or {}, now=moment)
    problems = [
        Problem(c.part, "", f"{c.label} was changed by someone else: choose which to keep") for c in save.conflicts
    ]
    problems += moderation_completeness_problems(moderation=locked)
    if problems:
        moderation.refresh_from_db()
        return False, save, problems

    audit = Audit.objects.select_for_update(of=("self",)).get(pk=locked.audit_id)
    old_grade = audit.reported_grade or audit.overall_grade
    new_grade = audit.overall_grade if locked.overall_agrees else locked.overall_grade
    locked.status = Moderation.Status.DONE
    locked.completed_at = moment
    if locked.moderator_id is None:
        locked.moderator = actor
        locked.assigned_at = moment
    save_with_history(locked, actor=actor, fields=["status", "completed_at", "moderator", "assigned_at"])

    changed = new_grade != audit.overall_grade
    audit.reported_grade = new_grade
    audit.moderated = True
    audit.status = AuditStatus.SUBMITTED
    fields = ["reported_grade", "moderated", "status"]
    if changed:
        audit.moderation_changed_grade = True
        audit.change_talked_through_at = None
        audit.change_talked_through_by = None
        fields += ["moderation_changed_grade", "change_talked_through_at", "change_talked_through_by"]
    save_with_history(audit, actor=actor, fields=fields)

    if new_grade != old_grade and Grade.INADEQUATE in (new_grade, old_grade):
        child_of_concern_on_grade_change(
            audit=audit,
            old_grade=old_grade,
            new_grade=new_grade,
            actor=actor,
            reason=locked.overall_reason or "The overall grade was changed by moderation",
            now=moment,
        )
    notify(
        recipient=audit.auditor,
        kind="moderation-outcome",
        key=f"moderation-outcome:{locked.pk}",
        message=AUDITOR_MESSAGE,
        url=reverse("audits:moderation-outcome", args=[locked.pk]),
    )
    if changed:
        # Never straight to the practitioner: their TM talks it through first.
        for manager in team_managers_of(audit.team_id, today=timezone.localdate(moment)):
            notify(
                recipient=manager,
                kind="moderation-talk-through",
                key=f"moderation-talk-through:{audit.pk}",
                message=CHANGE_TALK_MESSAGE,
                url=reverse("audits:audit-detail", args=[audit.pk]),
            )
    moderation.refresh_from_db()
    return True, save, []


# --- the outcome: the auditor responds, the TM talks it through ------------------------------------
@transaction.atomic
def moderation_respond(
    *, moderation: Moderation, actor: Any, response: str, version: int, now: datetime.datetime | None = None
) -> Moderation:
    """The auditor's response to the moderation (its own version: a stale save of different text
    is refused with both texts, never overwritten)."""
    from .practitioner import check_version

    moment = now or clock.now()
    locked = Moderation.objects.select_for_update().select_related("audit").get(pk=moderation.pk)
    if locked.audit.auditor_id != actor.pk:
        raise ModerationError("Only the auditor can respond to the moderation.")
    if locked.status != Moderation.Status.DONE:
        raise ModerationError("You can respond once the moderation is complete.")
    response = response.strip()
    if not response:
        raise ModerationError("Enter your response to the moderation.")
    if len(response) > REASON_MAX:
        raise ModerationError(f"Your response must be {REASON_MAX} characters or fewer.")
    if response == locked.auditor_response:
        return locked
    # Raises EditConflict (both texts) when someone saved a different response meanwhile.
    check_version(
        locked,
        {"auditor_response": response},
        version=version,
        stored_version=locked.response_version,
        labels={"auditor_response": "Your response"},
    )
    locked.auditor_response = response
    locked.auditor_responded_at = moment
    locked.response_version += 1
    save_with_history(locked, actor=actor, fields=["auditor_response", "auditor_responded_at", "response_version"])
    return locked


@transaction.atomic
def audit_record_change_talked_through(*, audit: Audit, actor: Any, now: datetime.datetime | None = None) -> Audit:
    """The TM records that they talked a grade changed by moderation through with the
    practitioner, who can then read it (and has 5 working days from today to respond)."""
    moment = now or clock.now()
    day = timezone.localdate(moment)
    current = Audit.objects.select_for_update(of=("self",)).get(pk=audit.pk)
    if not can_record_talked_through(scope_for(actor, today=day), current):
        raise ModerationError("Only a team manager of the audit's team can record this.")
    if not current.moderation_changed_grade:
        raise ModerationError("Moderation did not change this audit's grade: there is nothing to talk through.")
    if current.change_talked_through_at is not None:
        raise ModerationError(
            "It was already recorded as talked through on "
            f"{timezone.localdate(current.change_talked_through_at):%-d %B %Y}."
        )
    current.change_talked_through_at = moment
    current.change_talked_through_by = actor
    fields = ["change_talked_through_at", "change_talked_through_by"]
    if current.reported_grade == Grade.INADEQUATE and current.talked_through_at is None:
        # One conversation covers both holds: the Inadequate grade is the changed grade.
        current.talked_through_at = moment
        current.talked_through_by = actor
        fields += ["talked_through_at", "talked_through_by"]
    due = response_due_date(visible_on=day)
    if current.response_due_on is None or current.response_due_on < due:
        current.response_due_on = due
        fields.append("response_due_on")
    save_with_history(current, actor=actor, fields=fields)
    if current.practitioner_id and practitioner_sees_findings(current):
        notify(
            recipient=current.practitioner,
            kind="audit-moderated-change",
            key=f"audit-moderated-change:{current.pk}",
            message=PRACTITIONER_CHANGE_MESSAGE,
            url=reverse("audits:audit-practitioner", args=[current.pk]),
        )
    return current


def register() -> None:
    """Hooks, loaders and sweeps of this part (called once at start-up)."""
    hooks.register(AUDIT_SUBMITTED_HOOK, on_audit_submitted)
