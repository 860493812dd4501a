"""Small predicates over a person's scope. Selectors reuse them so lists and pages agree."""

from __future__ import annotations

from .scope import Scope


def can_import_caseload(scope: Scope) -> bool:
    """The QA team loads the caseload extract."""
    return scope.is_qa


def can_view_case_files(scope: Scope) -> bool:
    return scope.sees_case_files
