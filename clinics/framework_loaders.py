"""Loader for the meetings' terms of reference: framework content (seed section 8, Appendix 8),
example wording a council replaces with its own.

Each item is one (key, version) of one meeting kind's terms. The loader only inserts pairs it has
not seen; versions made in the app (``created_by`` set) are never touched, and a later file
version is simply a newer row.
"""

from __future__ import annotations

from typing import Any

from core import hooks
from core.framework import (
    LOADER_HOOK,
    FrameworkContent,
    FrameworkError,
    list_of_dicts,
    max_length,
    text_value,
    versioned_item_problems,
)
from core.models import FrameworkFile

from .models import MeetingKind, TermsOfReference

KIND = "terms_of_reference"
LINE_MAX = 300
TEXT_MAX = 4000
_SHORT_FIELDS = ("title", "chair", "frequency", "quorum")
_LIST_FIELDS = ("members", "inputs", "outputs")


def _lines(value: Any, *, what: str) -> tuple[list[str], list[str]]:
    """A non-empty list of short text lines."""
    if not isinstance(value, list) or not value or not all(isinstance(v, str) and v.strip() for v in value):
        return [], [f"{what} must be a non-empty list of text lines"]
    lines = [v.strip() for v in value]
    too_long = [line for line in lines if len(line) > LINE_MAX]
    return lines, [f"{what}: a line is longer than {LINE_MAX} characters"] if too_long else []


def terms_problems(items: list[dict[str, Any]]) -> list[str]:
    problems = versioned_item_problems(items, noun="terms of reference")
    for index, item in enumerate(items, start=1):
        what = f"terms of reference {item.get('key') or index}"
        if item.get("kind") not in MeetingKind.values:
            problems.append(f"{what}: 'kind' must be one of {', '.join(MeetingKind.values)}")
        for name in _SHORT_FIELDS:
            problems += text_value(item.get(name), what=f"{what} {name}", limit=max_length(TermsOfReference, name))[1]
        problems += text_value(item.get("purpose"), what=f"{what} purpose", limit=TEXT_MAX)[1]
        for name in _LIST_FIELDS:
            problems += _lines(item.get(name), what=f"{what} {name!r}")[1]
    return problems


def terms_load(*, content: FrameworkContent, framework_file: FrameworkFile) -> int:
    """Insert the (key, version) terms of reference not loaded yet; never change one (meetings keep
    the version they sat under)."""
    items = list_of_dicts(
        content.data, what="terms of reference with 'key', 'version', 'kind', 'title', 'purpose', ..."
    )
    problems = terms_problems(items)
    if problems:
        raise FrameworkError(problems)
    present = set(TermsOfReference.objects.values_list("key", "version"))
    new = [
        TermsOfReference(
            key=item["key"],
            version=item["version"],
            kind=item["kind"],
            title=item["title"].strip(),
            purpose=item["purpose"].strip(),
            chair=item["chair"].strip(),
            members=[v.strip() for v in item["members"]],
            frequency=item["frequency"].strip(),
            quorum=item["quorum"].strip(),
            inputs=[v.strip() for v in item["inputs"]],
            outputs=[v.strip() for v in item["outputs"]],
            example_content=True,
        )
        for item in items
        if (item["key"], item["version"]) not in present
    ]
    TermsOfReference.objects.bulk_create(new)
    return len(new)


def register() -> None:
    hooks.register(LOADER_HOOK.format(kind=KIND), terms_load)
