"""Questionnaires as versioned data (DESIGN section 6; seed Appendix 1).

The loader (``feedback/framework_loaders.py``) inserts each (key, version) once and never changes
it: a response keeps the version it answered. New contacts use the newest version for their
audience; helpers here read a questionnaire's questions without the callers knowing the JSON.
"""

from __future__ import annotations

from typing import Any

from audits.models import Progress

from ..models import Questionnaire

OPEN = "open"
CHOICE = "choice"
PROGRESS = "progress"
YES_NO = "yes_no"
YES_NO_OPTIONS = (("yes", "Yes"), ("no", "No"))


def questionnaire_current(*, audience: str) -> Questionnaire | None:
    """The newest version for ``"child"`` or ``"parent"`` (the highest version, then the newest
    row, so a council's own questionnaire loaded later wins over the example)."""
    return Questionnaire.objects.filter(audience=audience).order_by("-version", "-created_at", "-pk").first()


def questionnaires_current() -> dict[str, Questionnaire]:
    """The newest questionnaire of each audience, by audience (one query)."""
    current: dict[str, Questionnaire] = {}
    for questionnaire in Questionnaire.objects.order_by("-version", "-created_at", "-pk"):
        current.setdefault(questionnaire.audience, questionnaire)
    return current


def question_options(question: dict[str, Any]) -> list[tuple[str, str]]:
    """The (code, label) answers a closed question accepts; none for an open question."""
    kind = question.get("kind")
    if kind == CHOICE:
        return [(str(o["code"]), str(o["label"])) for o in question.get("options") or []]
    if kind == PROGRESS:
        return list(Progress.choices)
    if kind == YES_NO:
        return list(YES_NO_OPTIONS)
    return []


def open_questions(questionnaire: Questionnaire) -> list[dict[str, Any]]:
    return [q for q in questionnaire.questions if q.get("kind") == OPEN]


def progress_code(questionnaire: Questionnaire) -> str | None:
    """The code of the question asking for the view of progress, if the questionnaire has one."""
    return next((q["code"] for q in questionnaire.questions if q.get("kind") == PROGRESS), None)


def answer_label(question: dict[str, Any], value: str) -> str:
    """What an answer reads as: the text for an open question, the option's label otherwise."""
    return dict(question_options(question)).get(value, value)


def register() -> None:
    """The questionnaire loader is in feedback/framework_loaders.py; nothing else to register."""
