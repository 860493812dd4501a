"""Reads for organisation pages, already scoped."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.db.models import Count, Q, QuerySet

from .filters import CaseFileFilter
from .models import CaseFile
from .scope import Scope


def case_file_list(*, scope: Scope, params: Any) -> tuple[CaseFileFilter, QuerySet[CaseFile]]:
    """The case files a person may see, filtered by the list's query string."""
    base = scope.case_files().select_related("team", "practitioner").order_by("case_reference")
    filterset = CaseFileFilter(params or None, queryset=base, scope=scope)
    return filterset, (filterset.qs if filterset.is_bound and filterset.is_valid() else base)


@dataclass(frozen=True)
class CaseSummary:
    mine_open: int
    visible_open: int
    not_in_latest_extract: int


def case_file_home_summary(scope: Scope) -> CaseSummary | None:
    """Counts for "my work". One query."""
    if not scope.sees_case_files:
        return None
    totals = scope.case_files().aggregate(
        mine_open=Count("pk", filter=Q(practitioner_id=scope.user_id, closed_on__isnull=True)),
        visible_open=Count("pk", filter=Q(closed_on__isnull=True)),
        not_in_latest_extract=Count("pk", filter=Q(not_in_latest_extract=True)),
    )
    return CaseSummary(**totals)
