"""Synthetic moderation for the demo authority: several months of moderated audits with realistic
disagreement, a few audits waiting in this month's queue, one closed calibration exercise and
auditors' training dates.

Called by ``seed_demo`` after the demo's audits exist. Every draw comes from a random generator
seeded by the audit's natural key (case reference, month, kind), never a database id, so the
same audits always get the same moderation; audits already moderated are skipped, so a second
run adds nothing.

Selection follows the rules of the service: every Inadequate and Outstanding audit, each
auditor's first three, and about a quarter of the rest. Moderators agree with the overall grade
about three times in four; a difference is mostly one grade, sometimes two, in both directions,
always with a reason. Differences never move a grade to or from Inadequate here, so the demo's
register of children of concern (seeded from Inadequate grades) stays consistent.
"""

from __future__ import annotations

import datetime
import hashlib
import random
from collections import defaultdict
from typing import Any

from django.db import transaction
from django.utils import timezone
from simple_history.utils import bulk_create_with_history, bulk_update_with_history

from organisation.models import Duty, DutyAssignment, Role, RoleAssignment, User

from .models import (
    DONE_STATUSES,
    Audit,
    AuditorTraining,
    AuditStatus,
    CalibrationExercise,
    CalibrationResponse,
    ElementAnswer,
    ElementModeration,
    Grade,
    Moderation,
    ModerationReason,
    QualityRating,
)
from .services.allocation import team_managers_by_team
from .services.calibration import calibration_create

HISTORY_REASON = "Synthetic demo data (seed_demo)"
BATCH_SIZE = 1000
SHARE = 0.25
AGREE = 0.75
CALIBRATION_TITLE = "Calibration exercise: grading the child's lived experience"
ORDER = [Grade.OUTSTANDING, Grade.GOOD, Grade.REQUIRES_IMPROVEMENT, Grade.INADEQUATE]
WAITING = {"tiny": 2, "demo": 4, "large": 6}

UP_REASONS = [
    "The chronology and the recent visits show the plan is already making a difference for the child.",
    "The child's views are recorded in their own words and shape the plan: this is stronger than graded.",
    "Partner agencies' contributions show sustained progress that the audit describes but under-grades.",
]
DOWN_REASONS = [
    "The plan's actions are not yet specific or timed, so the difference for the child is not evident.",
    "Visits are regular but the records do not show what the child said or how it changed the plan.",
    "The assessment is thorough but has not been updated since the change in the family's circumstances.",
]
FEEDBACK = [
    "Thank you: a clear, well-evidenced audit. The child's experience comes through strongly in section A.",
    "A thoughtful audit with helpful 'even better if' points. Linking the evidence to each grade would "
    "make the judgement easier to follow.",
    "Your conversation with the practitioner is well recorded and strengths-based. Consider how the "
    "impact for the child is evidenced in the overall section.",
    "A careful audit. The evidence for the plan's progress is good; the reasons for the overall grade "
    "could say more about the child's lived experience.",
]
RESPONSES = [
    "Thank you, that is helpful. I had weighed the recent visits more heavily; I see the point about the plan.",
    "I agree with the change and will use it in my next audit.",
]


def _at(day: datetime.date, hour: int = 10) -> datetime.datetime:
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time(hour, 0)))


def _rng(audit: Audit) -> random.Random:
    return random.Random(f"demo-moderation:{audit.case_reference}:{audit.month.isoformat()}:{audit.kind}")


def _drawn(audit: Audit) -> bool:
    """The random share, drawn from the audit's natural key."""
    key = f"demo-moderation-draw:{audit.case_reference}:{audit.month.isoformat()}:{audit.kind}"
    value = int.from_bytes(hashlib.sha256(key.encode()).digest()[:8], "big") / 2**64
    return value < SHARE


def _moderated_grade(auditor_grade: str, rng: random.Random) -> str:
    """The moderator's grade: agreeing about three times in four; otherwise one grade apart
    (sometimes two), in either direction, never to or from Inadequate."""
    if auditor_grade == Grade.INADEQUATE or rng.random() < AGREE:
        return auditor_grade
    index = ORDER.index(auditor_grade)
    step = 2 if rng.random() < 0.15 else 1
    direction = rng.choice((-1, 1))
    for candidate in (index + direction * step, index - direction * step, index + direction, index - direction):
        if 0 <= candidate < 3:  # never Inadequate
            return ORDER[candidate]
    return auditor_grade


def _people_with_role(*roles: str, today: datetime.date) -> list[User]:
    ids = RoleAssignment.objects.active_on(today).filter(role__in=roles).values("person_id")
    return list(User.objects.filter(pk__in=ids, is_active=True).order_by("email"))


def _people_with_duty(duty: str, today: datetime.date) -> list[User]:
    ids = DutyAssignment.objects.active_on(today).filter(duty=duty).values("person_id")
    return list(User.objects.filter(pk__in=ids, is_active=True).order_by("email"))


def _select(audits: list[Audit]) -> dict[int, str]:
    """Audit id → reason it is moderated, following the service's rules."""
    chosen: dict[int, str] = {}
    seen: dict[int, int] = defaultdict(int)
    for audit in audits:  # oldest first: an auditor's first three
        seen[audit.auditor_id] += 1
        if audit.overall_grade == Grade.INADEQUATE:
            chosen[audit.pk] = ModerationReason.INADEQUATE
        elif audit.overall_grade == Grade.OUTSTANDING:
            chosen[audit.pk] = ModerationReason.OUTSTANDING
        elif seen[audit.auditor_id] <= 3:
            chosen[audit.pk] = ModerationReason.NEW_AUDITOR
        elif _drawn(audit):
            chosen[audit.pk] = ModerationReason.RANDOM
    return chosen


def seed_moderation(*, size: str, today: datetime.date) -> str:
    """Seed the demo's moderation for ``size`` and ``today``; a second run adds nothing."""
    audits = list(
        Audit.objects.filter(status__in=DONE_STATUSES)
        .exclude(overall_grade="")
        .exclude(submitted_at__isnull=True)
        .order_by("submitted_at", "case_reference", "kind")
    )
    if not audits:
        return "moderation: skipped (no submitted audits; seed the audits first)"
    moderators = _people_with_duty(Duty.MODERATOR, today) or _people_with_role(
        Role.QA_OFFICER, Role.QA_MANAGER, today=today
    )
    if not moderators:
        return "moderation: skipped (no moderators)"
    with transaction.atomic():
        done, waiting, changed = _seed_moderations(audits, moderators, size=size, today=today)
        calibration = _seed_calibration(today=today, moderators=moderators)
        trained = _seed_training(today=today, recorder=moderators[0])
    return (
        f"moderation: {done} moderated ({changed} grades changed), {waiting} waiting, "
        f"{calibration} calibration exercise, {trained} training dates"
    )


def _seed_moderations(
    audits: list[Audit], moderators: list[User], *, size: str, today: datetime.date
) -> tuple[int, int, int]:
    present = set(Moderation.objects.values_list("audit_id", flat=True))
    chosen = _select(audits)
    now = timezone.now()
    # The most recently submitted audits (and any already in moderation) wait in the queue.
    fresh = [a for a in audits if a.pk not in present]
    queue = [a for a in fresh if a.status == AuditStatus.IN_MODERATION]
    latest = sorted((a for a in fresh if a.status == AuditStatus.SUBMITTED), key=lambda a: a.submitted_at, reverse=True)
    queue += latest[: max(0, WAITING[size] - len(queue))]
    queued_ids = {a.pk for a in queue}
    to_moderate = [a for a in audits if a.pk in chosen and a.pk not in present and a.pk not in queued_ids]
    managers = team_managers_by_team({a.team_id for a in to_moderate}, today=today)
    answers: dict[int, list[ElementAnswer]] = defaultdict(list)
    for answer in (
        ElementAnswer.objects.filter(audit_id__in=[a.pk for a in to_moderate], not_applicable=False)
        .exclude(grade="")
        .order_by("audit_id", "element__position")
    ):
        answers[answer.audit_id].append(answer)

    moderations: list[Moderation] = []
    elements: list[tuple[Moderation, ElementModeration]] = []
    updated: list[Audit] = []
    changed: list[tuple[Audit, Moderation]] = []
    for audit in to_moderate:
        rng = _rng(audit)
        moderator = next(
            (m for m in rng.sample(moderators, len(moderators)) if m.pk != audit.auditor_id), moderators[0]
        )
        selected = audit.submitted_at
        completed = min(selected + datetime.timedelta(days=rng.randint(3, 12)), now)
        grade = _moderated_grade(audit.overall_grade, rng)
        agrees = grade == audit.overall_grade
        moving_up = not agrees and ORDER.index(grade) < ORDER.index(audit.overall_grade)
        moderation = Moderation(
            audit=audit,
            status=Moderation.Status.DONE,
            reason=chosen[audit.pk],
            selected_at=selected,
            moderator=moderator,
            assigned_at=selected + datetime.timedelta(days=1),
            overall_agrees=agrees,
            overall_grade="" if agrees else grade,
            overall_reason="" if agrees else rng.choice(UP_REASONS if moving_up else DOWN_REASONS),
            feedback=rng.choice(FEEDBACK),
            quality_evidence=rng.choice([QualityRating.YES] * 3 + [QualityRating.PARTLY]),
            quality_lived_experience=rng.choice([QualityRating.YES, QualityRating.YES, QualityRating.PARTLY]),
            quality_strengths_language=rng.choice([QualityRating.YES] * 4 + [QualityRating.PARTLY]),
            version=1,
            completed_at=completed,
        )
        if not agrees and rng.random() < 0.4:
            moderation.auditor_response = rng.choice(RESPONSES)
            moderation.auditor_responded_at = min(completed + datetime.timedelta(days=2), now)
            moderation.response_version = 1
        moderations.append(moderation)
        for answer in answers[audit.pk]:
            # Elements agree mostly; where the overall grade moved, one or two elements moved with it.
            differs = (not agrees and rng.random() < 0.4) or rng.random() < 0.08
            element_grade = answer.grade
            if differs and answer.grade != Grade.INADEQUATE:
                element_grade = _moderated_grade(answer.grade, rng)
                if element_grade == answer.grade:
                    index = ORDER.index(answer.grade)
                    element_grade = ORDER[index + 1] if index + 1 < 3 else ORDER[index - 1]
            same = element_grade == answer.grade
            up = not same and ORDER.index(element_grade) < ORDER.index(answer.grade)
            elements.append(
                (
                    moderation,
                    ElementModeration(
                        element_id=answer.element_id,
                        agrees=same,
                        grade="" if same else element_grade,
                        reason="" if same else rng.choice(UP_REASONS if up else DOWN_REASONS),
                        version=1,
                    ),
                )
            )
        audit.reported_grade = grade
        audit.moderated = True
        audit.moderation_changed_grade = not agrees
        if not agrees:
            changed.append((audit, moderation))
        updated.append(audit)
    # Most changed grades have been talked through by the TM; the latest one not yet.
    for index, (audit, moderation) in enumerate(changed):
        if index == len(changed) - 1:
            continue
        tm = (managers.get(audit.team_id) or [None])[0]
        audit.change_talked_through_at = min(moderation.completed_at + datetime.timedelta(days=4), now)
        audit.change_talked_through_by = tm

    for audit in queue:
        rng = _rng(audit)
        assigned = audit is queue[0]
        moderations.append(
            Moderation(
                audit=audit,
                status=Moderation.Status.WAITING,
                reason=chosen.get(audit.pk, ModerationReason.RANDOM),
                selected_at=audit.submitted_at,
                moderator=moderators[rng.randrange(len(moderators))] if assigned else None,
                assigned_at=audit.submitted_at + datetime.timedelta(hours=20) if assigned else None,
            )
        )
        audit.status = AuditStatus.IN_MODERATION
        updated.append(audit)

    bulk_create_with_history(
        moderations, Moderation, batch_size=BATCH_SIZE, default_change_reason=HISTORY_REASON, default_date=now
    )
    rows = []
    for moderation, row in elements:
        row.moderation = moderation  # now saved: sets moderation_id
        rows.append(row)
    bulk_create_with_history(
        rows, ElementModeration, batch_size=BATCH_SIZE, default_change_reason=HISTORY_REASON, default_date=now
    )
    if updated:
        bulk_update_with_history(
            updated,
            Audit,
            [
                "status",
                "reported_grade",
                "moderated",
                "moderation_changed_grade",
                "change_talked_through_at",
                "change_talked_through_by",
            ],
            batch_size=BATCH_SIZE,
            default_change_reason=HISTORY_REASON,
            default_date=now,
        )
    return len(to_moderate), len(queue), len(changed)


def _seed_calibration(*, today: datetime.date, moderators: list[User]) -> int:
    """One closed exercise: four auditors graded the same anonymised audit."""
    if CalibrationExercise.objects.filter(title=CALIBRATION_TITLE).exists():
        return 0
    source = (
        Audit.objects.filter(status=AuditStatus.CLOSED, restricted=False, overall_grade=Grade.GOOD)
        .select_related("tool_version__tool", "case_file", "practitioner", "auditor")
        .order_by("submitted_at", "case_reference")
        .first()
    )
    if source is None:
        return 0
    auditors = [a for a in _people_with_duty(Duty.AUDITOR, today) if a.pk != source.auditor_id][:4]
    if len(auditors) < 2:
        return 0
    actor = moderators[0]
    exercise = calibration_create(
        source_audit=source, title=CALIBRATION_TITLE, participants=auditors, actor=actor, today=today
    )
    rng = random.Random(f"demo-calibration:{source.case_reference}")
    picks = [Grade.GOOD, Grade.GOOD, Grade.REQUIRES_IMPROVEMENT, Grade.OUTSTANDING]
    submitted = _at(today - datetime.timedelta(days=10))
    responses = []
    for auditor, overall in zip(auditors, picks, strict=False):
        grades: dict[str, Any] = {}
        for element in exercise.anonymised["elements"]:
            grade = rng.choice([overall, overall, overall, Grade.GOOD, Grade.REQUIRES_IMPROVEMENT])
            reason = rng.choice(UP_REASONS if grade in (Grade.OUTSTANDING, Grade.GOOD) else DOWN_REASONS)
            grades[element["code"]] = {"grade": grade, "reason": reason}
        responses.append(
            CalibrationResponse(
                exercise=exercise,
                auditor=auditor,
                element_grades=grades,
                overall_grade=overall,
                overall_reason=rng.choice(UP_REASONS if overall != Grade.REQUIRES_IMPROVEMENT else DOWN_REASONS),
                submitted_at=submitted,
                version=1,
            )
        )
    bulk_create_with_history(responses, CalibrationResponse, default_change_reason=HISTORY_REASON)
    exercise.status = CalibrationExercise.Status.CLOSED
    exercise.closed_at = _at(today - datetime.timedelta(days=7))
    exercise._history_user = actor
    exercise.save()
    return 1


def _seed_training(*, today: datetime.date, recorder: User) -> int:
    """A training date for each auditor who has none: the induction before their first audit."""
    trained = set(AuditorTraining.objects.values_list("person_id", flat=True))
    rows = []
    for assignment in (
        DutyAssignment.objects.active_on(today)
        .filter(duty=Duty.AUDITOR)
        .exclude(person_id__in=trained)
        .select_related("person")
        .order_by("person__email", "pk")
    ):
        if assignment.person_id in trained:
            continue
        trained.add(assignment.person_id)
        rng = random.Random(f"demo-training:{assignment.person.email}")
        day = min(assignment.starts_on, today) - datetime.timedelta(days=rng.randint(7, 60))
        rows.append(
            AuditorTraining(
                person=assignment.person,
                trained_on=day,
                course=rng.choice(["Case-file audit induction", "Auditing practice: grading and feedback"]),
                notes="",
                recorded_by=recorder,
            )
        )
    bulk_create_with_history(rows, AuditorTraining, default_change_reason=HISTORY_REASON)
    return len(rows)
