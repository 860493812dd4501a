"""A page of parts that are each saved on their own, with a version (STYLE.md 15).

The audit form and the moderation form are both built this way: one form per element plus an
overall part, posted together (by autosave or a button); each part's prefix names it, the service
saves the parts that changed, and a conflicting part is shown again with both texts.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django.core.exceptions import NON_FIELD_ERRORS
from django.http import QueryDict

from core.templatetags.core_tags import error_summary


class PartForms:
    """Subclasses set ``element_forms`` and ``overall`` in :meth:`_bind`."""

    element_forms: list[Any]
    overall: Any
    data: QueryDict | None = None

    def _bind(self, data: QueryDict | None) -> None:
        raise NotImplementedError

    def bind(self, data: QueryDict | None) -> None:
        self.data = data
        self.extra_errors: list[tuple[str, str]] = []
        self._bind(data)

    @property
    def forms(self) -> list[Any]:
        return [*self.element_forms, self.overall]

    def by_part(self) -> dict[str, Any]:
        return {form.prefix: form for form in self.forms}

    def valid_parts(self) -> dict[str, dict[str, Any]]:
        """The parts that pass the draft rules, ready for the service; the others are left out."""
        return {form.prefix: form.part_values() for form in self.forms if form.is_valid()}

    @property
    def all_valid(self) -> bool:
        return all(form.is_valid() for form in self.forms)

    def json_errors(self) -> dict[str, list[str]]:
        """Draft-rule errors keyed by the input's name (a part's own errors by its prefix)."""
        errors: dict[str, list[str]] = {}
        for form in self.forms:
            if form.is_valid():
                continue
            for name, messages in form.errors.items():
                key = form[name].html_name if name != NON_FIELD_ERRORS and name in form.fields else form.prefix
                errors[key] = [str(m) for m in messages]
        return errors

    def after_save(self, save: Any) -> None:
        """Show the page again keeping what was typed, with each saved part's new version and,
        for a conflicting part, the stored version: saving again then deliberately keeps the
        person's text (they have seen both)."""
        if self.data is None:
            return
        data = self.data.copy()
        versions = {**save.versions, **{c.part: c.version for c in save.conflicts}}
        for part, version in versions.items():
            data[f"{part}-version"] = str(version)
        self.bind(data)
        for form in self.forms:
            form.is_valid()

    def extra_error_target(self, problem: Any) -> str:
        """Where the summary links for a problem that belongs to no field of a part."""
        return ""

    def add_problems(self, problems: Iterable[Any]) -> None:
        parts = self.by_part()
        for problem in problems:
            form = parts.get(problem.part)
            if form is not None and problem.field in form.fields:
                form.add_error(problem.field, problem.message)
            else:
                self.extra_errors.append((self.extra_error_target(problem), problem.message))

    def error_items(self) -> list[tuple[str, str]]:
        """The GOV.UK error summary: each message linking to its field (radios: the first option)."""
        return [*error_summary(*self.forms)["error_items"], *self.extra_errors]
