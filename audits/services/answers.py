"""Audit services: the auditor's answers — saving a draft part by part, and submission.

Each part of an audit that is edited on its own carries its own version number (DESIGN
section 10, STYLE.md 15): an element's answer (``el-<code>``) and the overall section
(``overall``). The practitioner's reflection and response are other parts, saved elsewhere, so
they never clash with the auditor's grades. A save compares each posted part with what is
stored:

* unchanged: skipped — no history row, no version bump;
* changed, posted version = stored version: saved, version + 1, the actor recorded;
* changed, posted version older: if the person did not touch the part since they loaded it (it
  equals the stored part *at the version they loaded*, read from its history), it is left
  alone — a second tab does not undo the first; otherwise it is a **conflict**: nothing of that
  part is saved and both texts are returned, never a silent overwrite.

Draft saves check no completeness (the form checks only types and lengths); completeness is
checked on submission only.
"""

from __future__ import annotations

import datetime
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from django.db import transaction
from django.db.models import Model

from core import clock, hooks

from ..models import (
    OPEN_STATUSES,
    Audit,
    AuditStatus,
    Element,
    ElementAnswer,
    Grade,
    Participant,
    Pillar,
    PractitionerAbsence,
    Progress,
    ScaleOption,
    Theme,
)
from .practitioner import reflection_after_due_date, response_due_date

# Called with ``audit=`` once an audit is submitted, in the same transaction (higher apps:
# telling the practitioner, the child of concern process, moderation selection).
AUDIT_SUBMITTED_HOOK = "audit-submitted"

OVERALL_PART = "overall"
ELEMENT_PART_PREFIX = "el-"
ACTIONS_PART = "actions"
# The practitioner's view of their audit comes 5 working days after submission; the "after"
# reflection four weeks later (DESIGN section 4).
RAISES_ACTIONS = (Grade.REQUIRES_IMPROVEMENT, Grade.INADEQUATE)

ELEMENT_FIELDS: dict[str, str] = {
    "grade": "Grade",
    "not_applicable": "Not applicable",
    "not_applicable_reason": "Why it is not applicable",
    "working_well": "What is working well",
    "even_better_if": "Even better if…",
    "evidence": "Evidence",
    "answers": "Questions",
    "theme_tags": "Theme tags",
    "pillar_tags": "Pillars of practice",
}
OVERALL_FIELDS: dict[str, str] = {
    "conversation_on": "Date of the audit conversation",
    "participants": "Who took part",
    "participants_other": "Who else took part",
    "practitioner_absence": "Why the practitioner could not take part",
    "practitioner_absence_detail": "More about why the practitioner could not take part",
    "overall_grade": "Overall grade",
    "impact_for_child": "The impact for the child",
    "practitioner_view_of_progress": "The practitioner's view of progress",
    "added_to_record": "Summary and actions added to the child's record",
    "added_to_record_on": "Date added to the child's record",
}
_LIST_FIELDS = frozenset({"participants", "theme_tags", "pillar_tags"})
_DATE_FIELDS = frozenset({"conversation_on", "added_to_record_on"})
_NULLABLE_BOOL_FIELDS = frozenset({"added_to_record"})
_BOOL_FIELDS = frozenset({"not_applicable"})
_CHOICE_LABELS: dict[str, Mapping[str, str]] = {
    "grade": dict(Grade.choices),
    "overall_grade": dict(Grade.choices),
    "participants": dict(Participant.choices),
    "practitioner_absence": dict(PractitionerAbsence.choices),
    "practitioner_view_of_progress": dict(Progress.choices),
}
NOTHING_ENTERED = "Nothing entered"


class AuditStateError(Exception):
    """The audit's state does not allow this (it was submitted or cancelled meanwhile)."""


# --- results ----------------------------------------------------------------------------------------
@dataclass(frozen=True)
class FieldConflict:
    field: str
    label: str
    yours: str
    theirs: str


@dataclass(frozen=True)
class PartConflict:
    """A part someone else saved while this person was editing it: both texts, nothing saved.
    ``version`` is the stored version: posting the part again with it keeps this person's text."""

    part: str
    label: str
    version: int
    fields: tuple[FieldConflict, ...]

    def as_json(self) -> dict[str, Any]:
        return {
            "part": self.part,
            "label": self.label,
            "version": self.version,
            "fields": [{"field": f.field, "label": f.label, "yours": f.yours, "theirs": f.theirs} for f in self.fields],
        }


@dataclass
class SaveResult:
    saved_at: datetime.datetime
    saved: list[str] = field(default_factory=list)
    # The version the person's page should now carry for each part it holds up to date.
    versions: dict[str, int] = field(default_factory=dict)
    conflicts: list[PartConflict] = field(default_factory=list)


@dataclass(frozen=True)
class Problem:
    """Why an audit cannot be submitted yet: the part and field to fix, and what to do."""

    part: str
    field: str
    message: str


@dataclass
class SubmitResult:
    submitted: bool
    save: SaveResult
    problems: list[Problem] = field(default_factory=list)


# --- values ---------------------------------------------------------------------------------------
def element_part(code: str) -> str:
    return f"{ELEMENT_PART_PREFIX}{code}"


def _normalise(name: str, value: Any) -> Any:
    """One comparable form per field, so a save of what is already stored is seen as no change."""
    if name in _LIST_FIELDS:
        return sorted({str(v) for v in value or [] if str(v)})
    if name == "answers":
        return {str(k): str(v) for k, v in sorted((value or {}).items()) if v not in (None, "")}
    if name in _DATE_FIELDS:
        if value in (None, ""):
            return None
        if isinstance(value, datetime.datetime) or not isinstance(value, datetime.date):
            raise TypeError(f"{name} must be a datetime.date or None")
        return value
    if name in _BOOL_FIELDS:
        return bool(value)
    if name in _NULLABLE_BOOL_FIELDS:
        return None if value in (None, "") else bool(value)
    return "" if value is None else str(value).strip()


def _given_values(fields: Mapping[str, str], part: str, given: Mapping[str, Any]) -> tuple[int, dict[str, Any]]:
    unknown = set(given) - set(fields) - {"version"}
    if unknown:
        raise ValueError(f"{part}: unknown fields {sorted(unknown)}")
    try:
        version = int(given.get("version") or 0)
    except (TypeError, ValueError):
        raise ValueError(f"{part}: version must be a whole number") from None
    values = {name: _normalise(name, value) for name, value in given.items() if name != "version"}
    # Not applicable and a grade exclude each other: "not applicable" wins, as the form shows it.
    if values.get("not_applicable"):
        values["grade"] = ""
    return version, values


def _stored(instance: Model | None, fields: Iterable[str]) -> dict[str, Any]:
    if instance is None:
        return {name: _normalise(name, None) for name in fields}
    return {name: _normalise(name, getattr(instance, name)) for name in fields}


def _decide(
    *,
    given: dict[str, Any],
    stored: dict[str, Any],
    stored_version: int,
    posted_version: int,
    base: Callable[[], dict[str, Any] | None],
) -> str:
    changed = [name for name, value in given.items() if value != stored[name]]
    if not changed:
        return "unchanged"
    if posted_version == stored_version:
        return "save"
    loaded = base()
    if loaded is not None and all(value == loaded[name] for name, value in given.items()):
        return "untouched"
    return "conflict"


# --- display of a conflict ------------------------------------------------------------------------
@dataclass
class _Names:
    """Labels for tags and question answers, read only when a conflict must be shown."""

    questions: dict[str, str] = field(default_factory=dict)
    options: dict[tuple[str, str], str] = field(default_factory=dict)
    themes: dict[str, str] = field(default_factory=dict)
    pillars: dict[str, str] = field(default_factory=dict)


def _names_for(element: Element | None) -> _Names:
    names = _Names(
        themes=dict(Theme.objects.values_list("slug", "name")),
        pillars=dict(Pillar.objects.order_by("key", "version").values_list("key", "name")),
    )
    if element is not None:
        questions = list(element.questions.all())
        names.questions = {q.code: q.text for q in questions}
        scale_ids = {q.scale_id: q.code for q in questions if q.scale_id}
        for option in ScaleOption.objects.filter(scale_id__in=scale_ids):
            for question in questions:
                if question.scale_id == option.scale_id:
                    names.options[(question.code, option.code)] = option.label
    return names


def _display(name: str, value: Any, names: _Names) -> str:
    if value in (None, "", [], {}):
        return NOTHING_ENTERED
    if name in _CHOICE_LABELS:
        labels = _CHOICE_LABELS[name]
        if isinstance(value, list):
            return ", ".join(labels.get(v, v) for v in value)
        return labels.get(value, value)
    if name in _DATE_FIELDS:
        return f"{value.day} {value:%B %Y}"
    if name == "not_applicable":
        return "Not applicable" if value else "Graded"
    if name == "added_to_record":
        return "Yes" if value else "No"
    if name == "theme_tags":
        return ", ".join(names.themes.get(v, v) for v in value)
    if name == "pillar_tags":
        return ", ".join(names.pillars.get(v, v) for v in value)
    if name == "answers":
        return "; ".join(f"{names.questions.get(k, k)} {names.options.get((k, v), v)}" for k, v in value.items())
    return str(value)


def _conflict(
    *,
    part: str,
    label: str,
    version: int,
    labels: Mapping[str, str],
    given: dict[str, Any],
    stored: dict[str, Any],
    element: Element | None,
) -> PartConflict:
    names = _names_for(element)
    fields = tuple(
        FieldConflict(
            field=name,
            label=labels[name],
            yours=_display(name, value, names),
            theirs=_display(name, stored[name], names),
        )
        for name, value in given.items()
        if value != stored[name]
    )
    return PartConflict(part=part, label=label, version=version, fields=fields)


# --- saving ---------------------------------------------------------------------------------------
def _lock_open(audit: Audit) -> Audit:
    """The audit's row, locked for the rest of the transaction, if it can still be edited."""
    # The audit's row only: joining the tool version here would lock it for every audit using it.
    locked = Audit.objects.select_for_update().get(pk=audit.pk)
    if locked.status not in OPEN_STATUSES:
        raise AuditStateError(
            f"This audit is {locked.get_status_display().lower()}, so its answers can no longer be changed."
        )
    return locked


def _element_base(element: Element, audit: Audit, version: int) -> dict[str, Any] | None:
    """The element's answer as it was at ``version`` (what the person loaded), from its history."""
    if version == 0:
        return _stored(None, ELEMENT_FIELDS)
    row = (
        ElementAnswer.history.filter(audit_id=audit.pk, element_id=element.pk, version=version)
        .order_by("-history_id")
        .first()
    )
    return _stored(row, ELEMENT_FIELDS) if row is not None else None


def _overall_base(audit: Audit, version: int) -> dict[str, Any] | None:
    if version == 0:
        return _stored(None, OVERALL_FIELDS)
    row = Audit.history.filter(id=audit.pk, overall_version=version).order_by("-history_id").first()
    return _stored(row, OVERALL_FIELDS) if row is not None else None


def _save_parts(
    locked: Audit, *, actor: Any, parts: Mapping[str, Mapping[str, Any]], now: datetime.datetime
) -> SaveResult:
    result = SaveResult(saved_at=now)
    elements = {e.code: e for e in Element.objects.filter(tool_version_id=locked.tool_version_id)}
    codes = [key.removeprefix(ELEMENT_PART_PREFIX) for key in parts if key.startswith(ELEMENT_PART_PREFIX)]
    for code in codes:
        element = elements.get(code)
        if element is None or not element.applies_to_case_type(locked.case_type):
            raise ValueError(f"Element {code!r} is not part of this audit")
    answers = (
        {a.element_id: a for a in locked.answers.filter(element_id__in=[elements[c].pk for c in codes])}
        if codes
        else {}
    )
    audit_fields: list[str] = []

    for part, raw in parts.items():
        if part == OVERALL_PART:
            version, given = _given_values(OVERALL_FIELDS, part, raw)
            stored = _stored(locked, given)
            outcome = _decide(
                given=given,
                stored=stored,
                stored_version=locked.overall_version,
                posted_version=version,
                base=lambda v=version: _overall_base(locked, v),
            )
            if outcome == "save":
                changed = [name for name, value in given.items() if value != stored[name]]
                for name in changed:
                    setattr(locked, name, given[name])
                locked.overall_version += 1
                audit_fields += [*changed, "overall_version"]
                result.saved.append(part)
            elif outcome == "conflict":
                result.conflicts.append(
                    _conflict(
                        part=part,
                        label="The audit as a whole",
                        version=locked.overall_version,
                        labels=OVERALL_FIELDS,
                        given=given,
                        stored=stored,
                        element=None,
                    )
                )
            if outcome in ("save", "unchanged"):
                result.versions[part] = locked.overall_version
            continue

        if not part.startswith(ELEMENT_PART_PREFIX):
            raise ValueError(f"Unknown part {part!r}")
        element = elements[part.removeprefix(ELEMENT_PART_PREFIX)]
        answer = answers.get(element.pk)
        version, given = _given_values(ELEMENT_FIELDS, part, raw)
        stored = _stored(answer, given)
        stored_version = answer.version if answer is not None else 0
        outcome = _decide(
            given=given,
            stored=stored,
            stored_version=stored_version,
            posted_version=version,
            base=lambda e=element, v=version: _element_base(e, locked, v),
        )
        if outcome == "save":
            changed = [name for name, value in given.items() if value != stored[name]]
            created = answer is None
            if created:
                answer = ElementAnswer(audit=locked, element=element)
            for name in changed:
                setattr(answer, name, given[name])
            answer.version = stored_version + 1
            answer._history_user = actor
            if created:
                answer.save()
            else:
                answer.save(update_fields=[*changed, "version"])
            result.saved.append(part)
            result.versions[part] = answer.version
        elif outcome == "unchanged":
            result.versions[part] = stored_version
        elif outcome == "conflict":
            result.conflicts.append(
                _conflict(
                    part=part,
                    label=f"{element.code} {element.title}",
                    version=stored_version,
                    labels=ELEMENT_FIELDS,
                    given=given,
                    stored=stored,
                    element=element,
                )
            )

    # The first saved answer starts the audit: allocated → in progress (DESIGN section 4).
    if result.saved and locked.status == AuditStatus.ALLOCATED:
        locked.status = AuditStatus.IN_PROGRESS
        audit_fields.append("status")
    if audit_fields:
        locked._history_user = actor
        locked.save(update_fields=audit_fields)
    return result


def _refresh(audit: Audit, locked: Audit) -> None:
    """Give the caller's instance what was saved (the view re-renders from it)."""
    for name in (*OVERALL_FIELDS, "overall_version", "status", "submitted_at", "reported_grade"):
        setattr(audit, name, getattr(locked, name))
    for name in ("response_due_on", "reflection_after_due_on"):
        setattr(audit, name, getattr(locked, name))


@transaction.atomic
def audit_save_draft(
    *, audit: Audit, actor: Any, parts: Mapping[str, Mapping[str, Any]], now: datetime.datetime | None = None
) -> SaveResult:
    """Save the parts of an audit that changed ("Save and come back later" and autosave alike).

    ``parts`` maps a part (``"overall"`` or ``"el-<code>"``) to its posted ``version`` and any
    of its fields (a field left out is left as it is). Nothing here checks completeness.
    Raises :class:`AuditStateError` when the audit is no longer open.
    """
    moment = now or clock.now()
    locked = _lock_open(audit)
    result = _save_parts(locked, actor=actor, parts=parts, now=moment)
    _refresh(audit, locked)
    return result


# --- submission -----------------------------------------------------------------------------------
def audit_completeness_problems(*, audit: Audit, today: datetime.date) -> list[Problem]:
    """What must be done before the audit can be submitted, in the order of the form."""
    problems: list[Problem] = []
    elements = [e for e in audit.tool_version.elements.order_by("position") if e.applies_to_case_type(audit.case_type)]
    answers = {a.element_id: a for a in audit.answers.all()}
    for element in elements:
        if not element.graded:
            continue
        part = element_part(element.code)
        answer = answers.get(element.pk)
        name = f"{element.code} {element.title}"
        if answer is not None and answer.not_applicable:
            if not answer.not_applicable_reason.strip():
                problems.append(Problem(part, "not_applicable_reason", f"Say why {name} is not applicable"))
        elif answer is None or not answer.grade:
            problems.append(Problem(part, "grade", f"Choose a grade for {name}, or choose not applicable"))
    if not audit.overall_grade:
        problems.append(Problem(OVERALL_PART, "overall_grade", "Choose the overall grade"))
    if audit.conversation_on is None and not audit.practitioner_absence:
        problems.append(
            Problem(
                OVERALL_PART,
                "conversation_on",
                "Enter the date of the audit conversation, or say why the practitioner could not take part",
            )
        )
    elif audit.conversation_on is not None and audit.conversation_on > today:
        problems.append(
            Problem(OVERALL_PART, "conversation_on", "The date of the audit conversation must be today or in the past")
        )
    if audit.overall_grade in RAISES_ACTIONS and not audit.actions.exists():
        problems.append(
            Problem(
                ACTIONS_PART,
                "",
                f"Add at least one action for improvement: the overall grade is {Grade(audit.overall_grade).label}",
            )
        )
    return problems


@transaction.atomic
def audit_submit(
    *,
    audit: Audit,
    actor: Any,
    parts: Mapping[str, Mapping[str, Any]],
    today: datetime.date | None = None,
    now: datetime.datetime | None = None,
) -> SubmitResult:
    """Save the posted parts, then submit the audit if it is complete.

    An incomplete audit (or one with a conflicting part) keeps what was saved, stays as it
    is, and the result says what to do. On success: submitted, the reported grade set, the
    practitioner's response due in 5 working days and the "after" reflection in four weeks,
    then the ``audit-submitted`` hooks. Raises :class:`AuditStateError` when the audit is no
    longer open (submitted or cancelled meanwhile).
    """
    moment = now or clock.now()
    day = today or clock.london_date(moment)
    locked = _lock_open(audit)
    save = _save_parts(locked, actor=actor, parts=parts, now=moment)
    problems = [
        Problem(
            c.part,
            c.fields[0].field if c.fields else "",
            f"{c.label} was changed by someone else: choose which text to keep",
        )
        for c in save.conflicts
    ]
    problems += audit_completeness_problems(audit=locked, today=day)
    if problems:
        _refresh(audit, locked)
        return SubmitResult(submitted=False, save=save, problems=problems)

    locked.status = AuditStatus.SUBMITTED
    locked.submitted_at = moment
    locked.reported_grade = locked.overall_grade
    # The one rule for each date lives with the practitioner's part.
    locked.response_due_on = response_due_date(visible_on=day)
    locked.reflection_after_due_on = reflection_after_due_date(audit_on=locked.conversation_on or day)
    locked._history_user = actor
    locked.save(
        update_fields=["status", "submitted_at", "reported_grade", "response_due_on", "reflection_after_due_on"]
    )
    hooks.call(AUDIT_SUBMITTED_HOOK, audit=locked)
    _refresh(audit, locked)
    return SubmitResult(submitted=True, save=save)


def register() -> None:
    """Hooks, loaders and sweeps of this part (called once at start-up)."""
