"""Audit services: calibration and auditor training (DESIGN section 4, Moderation).

In a calibration exercise several auditors grade the same audit blind — an anonymised copy with
every identifying field removed — then, once the QA team closes it, see the spread of grades and
reasons side by side. Auditors' training dates are recorded here too.
"""

from __future__ import annotations

import datetime
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

from django.db import transaction
from django.db.models import Q, QuerySet
from django.utils import timezone

from organisation.models import Duty, DutyAssignment, User
from organisation.scope import Scope

from ..models import DONE_STATUSES, Audit, AuditorTraining, CalibrationExercise, CalibrationResponse, Grade
from .allocation import team_managers_of

GRADE_ORDER = [g.value for g in Grade]
GRADE_LABELS = dict(Grade.choices)


class CalibrationError(Exception):
    """A calibration step that cannot happen in the exercise's current state."""


class CalibrationConflict(CalibrationError):
    """Someone saved this response after the page was opened (another tab)."""


# --- who may do what ---------------------------------------------------------------------------
def can_run_calibration(scope: Scope) -> bool:
    """The QA team runs calibration exercises and records training dates."""
    return scope.is_qa


def can_view_calibration_list(scope: Scope) -> bool:
    return scope.is_qa or scope.has_duty(Duty.AUDITOR)


def is_participant(scope: Scope, exercise: CalibrationExercise) -> bool:
    return exercise.participants.filter(pk=scope.user_id).exists()


def can_view_results(scope: Scope, exercise: CalibrationExercise) -> bool:
    """The QA team always; participants only once the QA team has closed the exercise, so nobody
    is swayed by another's grade while grading."""
    if scope.is_qa:
        return True
    return exercise.status == CalibrationExercise.Status.CLOSED and is_participant(scope, exercise)


def calibration_exercises_visible(scope: Scope) -> QuerySet[CalibrationExercise]:
    """The QA team sees every exercise; an auditor sees those they take part in."""
    qs = CalibrationExercise.objects.select_related("created_by")
    if scope.user_id is None:
        return qs.none()
    if scope.is_qa:
        return qs
    return qs.filter(participants__pk=scope.user_id).distinct()


def auditors_on(day: datetime.date) -> QuerySet[User]:
    """People holding the auditor duty on ``day``, by name."""
    ids = DutyAssignment.objects.active_on(day).filter(duty=Duty.AUDITOR).values("person_id")
    return User.objects.filter(pk__in=ids, is_active=True).order_by("full_name", "pk")


def calibration_source_audits(scope: Scope) -> QuerySet[Audit]:
    """Submitted audits the QA team may copy: within their scope, restricted ones aside."""
    case_ids = scope.case_files().values("pk")
    return (
        Audit.objects.filter(status__in=DONE_STATUSES, case_file_id__in=case_ids, restricted=False)
        .select_related("tool_version__tool")
        .order_by("-submitted_at", "pk")
    )


# --- anonymisation -----------------------------------------------------------------------------
def _replacements(audit: Audit, *, today: datetime.date) -> list[tuple[re.Pattern[str], str]]:
    """Patterns for every identifying string of the audit, longest first, with their
    placeholders. Names are matched whole and in parts, whatever their case."""
    people: list[tuple[User | None, str]] = [
        (audit.practitioner, "the practitioner"),
        (audit.auditor, "the auditor"),
    ]
    people += [(tm, "the team manager") for tm in team_managers_of(audit.team_id, today=today)]
    case = audit.case_file
    literal: list[tuple[str, str, bool]] = []  # (text, placeholder, case-sensitive)
    for text, placeholder in (
        (audit.case_reference, "[reference]"),
        (case.case_reference if case else "", "[reference]"),
        (getattr(case, "family_reference", ""), "[family reference]"),
        (audit.legal_status, "[legal status]"),
        (getattr(case, "legal_status", ""), "[legal status]"),
    ):
        if text and text.strip():
            literal.append((text.strip(), placeholder, False))
    for person, placeholder in people:
        if person is None:
            continue
        name = (person.full_name or "").strip()
        if name:
            literal.append((name, placeholder, False))
            for part in name.split():
                if len(part.strip(".,")) >= 2:
                    literal.append((part.strip(".,"), placeholder, False))
    # Longest first so a full name goes before its parts.
    literal.sort(key=lambda item: len(item[0]), reverse=True)
    patterns = [
        (re.compile(rf"(?<![\w]){re.escape(text)}(?![\w])", 0 if sensitive else re.IGNORECASE), placeholder)
        for text, placeholder, sensitive in literal
    ]
    initials = "".join(ch for ch in (audit.child_initials or "") if ch.isalpha())
    if initials:
        # "AB", "A.B.", "A. B." and "A B": the child's initials in any usual spelling.
        spelled = r"\.?\s?".join(re.escape(ch) for ch in initials) + r"\.?"
        patterns.append((re.compile(rf"(?<![\w]){spelled}(?![\w])"), "the child"))
    return patterns


def _scrub(text: str, patterns: Sequence[tuple[re.Pattern[str], str]]) -> str:
    for pattern, placeholder in patterns:
        text = pattern.sub(placeholder, text)
    return text


def calibration_anonymise(*, audit: Audit, today: datetime.date) -> dict[str, Any]:
    """A copy of a submitted audit that identifies nobody: the tool version, the case type, the
    applicable elements and the auditor's free text with names and references replaced. Never
    the grades (participants grade blind), the audit id, the team, dates or people."""
    patterns = _replacements(audit, today=today)
    answers = {a.element_id: a for a in audit.answers.all()}
    elements = []
    for element in audit.tool_version.elements.order_by("position"):
        if not element.graded or not element.applies_to_case_type(audit.case_type):
            continue
        answer = answers.get(element.pk)
        if answer is not None and answer.not_applicable:
            continue
        elements.append(
            {
                "code": element.code,
                "section_title": element.section_title,
                "title": element.title,
                "prompts": [str(p) for p in (element.prompts or [])],
                "working_well": _scrub(answer.working_well, patterns) if answer else "",
                "even_better_if": _scrub(answer.even_better_if, patterns) if answer else "",
                "evidence": _scrub(answer.evidence, patterns) if answer else "",
            }
        )
    return {
        "tool_version_id": audit.tool_version_id,
        "tool_name": audit.tool_version.tool.name,
        "case_type": audit.case_type,
        "case_type_label": audit.get_case_type_display(),
        "elements": elements,
        "impact_for_child": _scrub(audit.impact_for_child, patterns),
    }


# --- the exercise -------------------------------------------------------------------------------
@transaction.atomic
def calibration_create(
    *,
    source_audit: Audit,
    title: str,
    participants: Iterable[User],
    actor: User,
    today: datetime.date | None = None,
) -> CalibrationExercise:
    """Make an exercise from a submitted audit; the participants grade the anonymised copy."""
    day = today or timezone.localdate()
    if source_audit.status not in DONE_STATUSES:
        raise CalibrationError("Choose an audit that has been submitted.")
    people = list(participants)
    if not people:
        raise CalibrationError("Choose at least one auditor to take part.")
    if any(p.pk == source_audit.auditor_id for p in people):
        # They wrote it, so they could not grade it blind.
        raise CalibrationError("The audit's own auditor cannot take part in its calibration.")
    exercise = CalibrationExercise(
        title=title.strip(),
        source_audit=source_audit,
        anonymised=calibration_anonymise(audit=source_audit, today=day),
        created_by=actor,
    )
    exercise._history_user = actor
    exercise.save()
    exercise.participants.set(people)
    return exercise


@dataclass
class ResponseInput:
    element_grades: dict[str, dict[str, str]]
    overall_grade: str
    overall_reason: str
    version: int


def calibration_response_for(*, exercise: CalibrationExercise, auditor: User) -> CalibrationResponse:
    """The participant's response (unsaved and empty until they first save)."""
    found = CalibrationResponse.objects.filter(exercise=exercise, auditor=auditor).first()
    return found or CalibrationResponse(exercise=exercise, auditor=auditor)


def calibration_missing(*, exercise: CalibrationExercise, data: ResponseInput) -> list[str]:
    """What a submission still lacks: each element's grade and reason, the overall grade and reason."""
    missing = []
    for element in exercise.anonymised.get("elements", []):
        given = data.element_grades.get(element["code"], {})
        if not given.get("grade") or not given.get("reason", "").strip():
            missing.append(element["code"])
    if not data.overall_grade or not data.overall_reason.strip():
        missing.append("overall")
    return missing


@transaction.atomic
def calibration_response_save(
    *,
    exercise: CalibrationExercise,
    auditor: User,
    data: ResponseInput,
    submit: bool = False,
    now: datetime.datetime | None = None,
) -> CalibrationResponse:
    """Save a participant's grades (versioned: a stale save is refused, nothing overwritten);
    with ``submit`` every grade and reason must be there."""
    exercise = CalibrationExercise.objects.select_for_update().get(pk=exercise.pk)
    if exercise.status != CalibrationExercise.Status.OPEN:
        raise CalibrationError("This exercise is closed: grades can no longer be changed.")
    if not exercise.participants.filter(pk=auditor.pk).exists():
        raise CalibrationError("Only the exercise's participants grade it.")
    # The exercise row is locked above, so two first saves of one participant queue up here.
    response = CalibrationResponse.objects.select_for_update().filter(
        exercise=exercise, auditor=auditor
    ).first() or CalibrationResponse(exercise=exercise, auditor=auditor)
    if response.submitted_at is not None:
        raise CalibrationError("You have already submitted your grades for this exercise.")
    if response.version != data.version:
        raise CalibrationConflict(
            "Your grades were saved in another window after you opened this page. Nothing was overwritten: "
            "check the page and save again."
        )
    codes = {e["code"] for e in exercise.anonymised.get("elements", [])}
    grades = {
        code: {"grade": v.get("grade", ""), "reason": v.get("reason", "").strip()}
        for code, v in data.element_grades.items()
        if code in codes
    }
    if submit:
        missing = calibration_missing(exercise=exercise, data=data)
        if missing:
            raise CalibrationError("Give a grade and a reason for every element and overall before submitting.")
    changed = (
        grades != response.element_grades
        or data.overall_grade != response.overall_grade
        or data.overall_reason.strip() != response.overall_reason
        or submit
    )
    if not changed:
        return response  # no history row for a save that changes nothing
    response.element_grades = grades
    response.overall_grade = data.overall_grade
    response.overall_reason = data.overall_reason.strip()
    response.version += 1
    if submit:
        response.submitted_at = now or timezone.now()
    response._history_user = auditor
    response.save()
    return response


@transaction.atomic
def calibration_close(
    *, exercise: CalibrationExercise, actor: User, now: datetime.datetime | None = None
) -> CalibrationExercise:
    """Close the exercise: grading stops and participants see the spread."""
    exercise = CalibrationExercise.objects.select_for_update().get(pk=exercise.pk)
    if exercise.status == CalibrationExercise.Status.CLOSED:
        raise CalibrationError("This exercise is already closed.")
    exercise.status = CalibrationExercise.Status.CLOSED
    exercise.closed_at = now or timezone.now()
    exercise._history_user = actor
    exercise.save()
    return exercise


@dataclass
class Spread:
    """The grades given for one element (or overall): a count per grade, and the reasons."""

    code: str
    title: str
    counts: list[tuple[str, int]] = field(default_factory=list)
    reasons: list[dict[str, str]] = field(default_factory=list)


def calibration_results(*, exercise: CalibrationExercise, with_names: bool) -> dict[str, Any]:
    """The spread of submitted grades, per element and overall, side by side. Names of
    participants only for the QA team (``with_names``); reasons are listed by grade, best first,
    so nobody's answers are ordered by who gave them."""
    responses = list(
        CalibrationResponse.objects.filter(exercise=exercise, submitted_at__isnull=False)
        .select_related("auditor")
        .order_by("auditor__full_name", "pk")
    )

    def spread(code: str, title: str, picks: list[tuple[str, str, str]]) -> Spread:
        counts = dict.fromkeys(GRADE_ORDER, 0)
        for grade, _, _ in picks:
            if grade in counts:
                counts[grade] += 1
        ordered = sorted(picks, key=lambda p: (GRADE_ORDER.index(p[0]) if p[0] in GRADE_ORDER else 9, p[2]))
        return Spread(
            code=code,
            title=title,
            counts=[(GRADE_LABELS[g], n) for g, n in counts.items()],
            reasons=[
                {"grade": GRADE_LABELS.get(g, ""), "reason": r, "name": name if with_names else ""}
                for g, r, name in ordered
            ],
        )

    elements = [
        spread(
            e["code"],
            e["title"],
            [
                (
                    r.element_grades.get(e["code"], {}).get("grade", ""),
                    r.element_grades.get(e["code"], {}).get("reason", ""),
                    r.auditor.full_name,
                )
                for r in responses
            ],
        )
        for e in exercise.anonymised.get("elements", [])
    ]
    overall = spread(
        "overall", "Overall grade", [(r.overall_grade, r.overall_reason, r.auditor.full_name) for r in responses]
    )
    return {
        "responses": len(responses),
        "participants": exercise.participants.count(),
        "elements": elements,
        "overall": overall,
    }


# --- training -----------------------------------------------------------------------------------
@transaction.atomic
def auditor_training_record(
    *, person: User, trained_on: datetime.date, course: str, notes: str = "", actor: User
) -> AuditorTraining:
    """Record that an auditor completed training on a date."""
    training = AuditorTraining(
        person=person, trained_on=trained_on, course=course.strip(), notes=notes.strip(), recorded_by=actor
    )
    training._history_user = actor
    training.save()
    return training


def auditor_training_visible(scope: Scope) -> QuerySet[AuditorTraining]:
    """The QA team sees everyone's training; an auditor sees their own."""
    qs = AuditorTraining.objects.select_related("person", "recorded_by")
    if scope.is_qa:
        return qs
    return qs.filter(Q(person_id=scope.user_id))


def register() -> None:
    """Hooks, loaders and sweeps of this part (called once at start-up)."""
