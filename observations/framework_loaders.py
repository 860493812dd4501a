"""Loader for the observation checklists (framework content: example data a council replaces)."""

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

from .models import ObservationChecklist, ObservationType

CRITERION_MAX = 300


def _criteria_problems(criteria: Any, *, what: str) -> list[str]:
    if not isinstance(criteria, list) or not criteria or not all(isinstance(c, dict) for c in criteria):
        return [f"{what}: 'criteria' must be a non-empty list of objects with 'code' and 'text'"]
    problems = []
    codes = [c.get("code") for c in criteria]
    if any(not isinstance(code, str) or not SLUG.match(code) for code in codes) or len(set(codes)) != len(codes):
        problems.append(f"{what}: every criterion needs a different short 'code'")
    for criterion in criteria:
        problems += text_value(
            criterion.get("text"), what=f"{what} criterion {criterion.get('code')}", limit=CRITERION_MAX
        )[1]
    return problems


def observation_checklists_load(*, content: FrameworkContent, framework_file: FrameworkFile) -> int:
    """Insert the (key, version) checklists not loaded yet; never change one."""
    items = list_of_dicts(content.data, what="checklists with 'key', 'version', 'name', 'types' and 'criteria'")
    problems = versioned_item_problems(items, noun="checklist")
    known_types = set(ObservationType.values)
    for index, item in enumerate(items, start=1):
        what = f"checklist {item.get('key') or index}"
        problems += text_value(item.get("name"), what=f"{what} name", limit=max_length(ObservationChecklist, "name"))[1]
        types = item.get("types")
        if not isinstance(types, list) or not types or any(t not in known_types for t in types):
            problems.append(f"{what}: 'types' must list observation types from: {', '.join(sorted(known_types))}")
        problems += _criteria_problems(item.get("criteria"), what=what)
    if problems:
        raise FrameworkError(problems)
    present = set(ObservationChecklist.objects.values_list("key", "version"))
    new = [
        ObservationChecklist(
            key=item["key"],
            version=item["version"],
            name=item["name"].strip(),
            description=(item.get("description") or "").strip(),
            types=list(item["types"]),
            criteria=[{"code": c["code"], "text": c["text"].strip()} for c in item["criteria"]],
        )
        for item in items
        if (item["key"], item["version"]) not in present
    ]
    ObservationChecklist.objects.bulk_create(new)
    return len(new)


def register() -> None:
    hooks.register(LOADER_HOOK.format(kind="observation_checklists"), observation_checklists_load)
