"""Loaders for the family questionnaires (Appendix 1) and the dispute-resolution stages: framework
content, example data a council replaces with its own."""

from __future__ import annotations

from typing import Any

from core import hooks
from core.framework import (
    LOADER_HOOK,
    SLUG,
    FrameworkContent,
    FrameworkError,
    list_of_dicts,
    max_length,
    text_value,
    versioned_item_problems,
)
from core.models import FrameworkFile

from .models import Audience, DisputeStage, Questionnaire

# DESIGN section 6: a brief questionnaire — at most 8 questions, open questions first.
MAX_QUESTIONS = 8
QUESTION_KINDS = ("open", "choice", "progress", "yes_no")
QUESTION_MAX = 300


def _question_problems(questions: Any, *, what: str) -> list[str]:
    if not isinstance(questions, list) or not questions or not all(isinstance(q, dict) for q in questions):
        return [f"{what}: 'questions' must be a non-empty list of objects"]
    problems = []
    if len(questions) > MAX_QUESTIONS:
        problems.append(f"{what}: has {len(questions)} questions; a brief questionnaire has at most {MAX_QUESTIONS}")
    codes = [q.get("code") for q in questions]
    if any(not isinstance(c, str) or not SLUG.match(c) for c in codes) or len(set(codes)) != len(codes):
        problems.append(f"{what}: every question needs a different short 'code'")
    kinds = [q.get("kind") for q in questions]
    bad = [str(k) for k in kinds if k not in QUESTION_KINDS]
    if bad:
        problems.append(f"{what}: unknown question kind {', '.join(bad)} (use {', '.join(QUESTION_KINDS)})")
    if kinds and kinds[0] != "open":
        problems.append(f"{what}: the first question must be an open question")
    first_closed = next((i for i, k in enumerate(kinds) if k != "open"), len(kinds))
    if any(k == "open" for k in kinds[first_closed:]):
        problems.append(f"{what}: open questions come first — no open question after a closed one")
    if kinds.count("progress") > 1:
        problems.append(f"{what}: at most one question asks for the view of progress")
    for question in questions:
        label = f"{what} question {question.get('code')}"
        problems += text_value(question.get("text"), what=label, limit=QUESTION_MAX)[1]
        problems += text_value(question.get("hint"), what=f"{label} hint", limit=QUESTION_MAX, required=False)[1]
        if question.get("kind") == "choice":
            options = question.get("options")
            if (
                not isinstance(options, list)
                or len(options) < 2
                or not all(isinstance(o, dict) and o.get("code") and o.get("label") for o in options)
            ):
                problems.append(f"{label}: a choice question needs at least two options with 'code' and 'label'")
    return problems


def questionnaires_load(*, content: FrameworkContent, framework_file: FrameworkFile) -> int:
    """Insert the (key, version) questionnaires not loaded yet; never change one (responses keep
    the version they answered)."""
    items = list_of_dicts(content.data, what="questionnaires with 'key', 'version', 'audience', 'title', 'questions'")
    problems = versioned_item_problems(items, noun="questionnaire")
    for index, item in enumerate(items, start=1):
        what = f"questionnaire {item.get('key') or index}"
        if item.get("audience") not in Audience.values:
            problems.append(f"{what}: 'audience' must be one of {', '.join(Audience.values)}")
        problems += text_value(item.get("title"), what=f"{what} title", limit=max_length(Questionnaire, "title"))[1]
        problems += _question_problems(item.get("questions"), what=what)
    if problems:
        raise FrameworkError(problems)
    present = set(Questionnaire.objects.values_list("key", "version"))
    new = [
        Questionnaire(
            key=item["key"],
            version=item["version"],
            audience=item["audience"],
            title=item["title"].strip(),
            intro=(item.get("intro") or "").strip(),
            questions=item["questions"],
        )
        for item in items
        if (item["key"], item["version"]) not in present
    ]
    Questionnaire.objects.bulk_create(new)
    return len(new)


def dispute_stages_load(*, content: FrameworkContent, framework_file: FrameworkFile) -> int:
    """Insert the stages whose key is not present; the Administrator edits them afterwards."""
    items = list_of_dicts(content.data, what="stages with 'key', 'name' and 'position'")
    problems: list[str] = []
    keys = [item.get("key") for item in items]
    if any(not isinstance(k, str) or not SLUG.match(k) for k in keys) or len(set(keys)) != len(keys):
        problems.append("every stage needs a different slug 'key'")
    for item in items:
        problems += text_value(
            item.get("name"), what=f"stage {item.get('key')}", limit=max_length(DisputeStage, "name")
        )[1]
        position = item.get("position", 0)
        if isinstance(position, bool) or not isinstance(position, int) or position < 0:
            problems.append(f"stage {item.get('key')}: 'position' must be a whole number")
    if problems:
        raise FrameworkError(problems)
    present = set(DisputeStage.objects.filter(key__in=keys).values_list("key", flat=True))
    new = [
        DisputeStage(key=item["key"], name=item["name"].strip(), position=item.get("position", 0))
        for item in items
        if item["key"] not in present
    ]
    DisputeStage.objects.bulk_create(new)
    return len(new)


def register() -> None:
    hooks.register(LOADER_HOOK.format(kind="questionnaires"), questionnaires_load)
    hooks.register(LOADER_HOOK.format(kind="dispute_stages"), dispute_stages_load)
