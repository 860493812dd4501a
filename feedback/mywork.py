"""What "my work" shows from this app for one person (only real things; fixed queries)."""

from __future__ import annotations

from typing import Any

from organisation.models import Role
from organisation.scope import Scope

from .models import TriageItem
from .permissions import can_manage_triage, can_triage
from .selectors import overdue_first, ready_to_contact, safety_checks_waiting, triage_items_visible, triage_overdue

# "The first few": more than this shows a count and a link to the full list.
FIRST_FEW = 5


def _few(qs: Any) -> tuple[list[Any], int]:
    """The first few rows and the total (one query when the list is short, two otherwise)."""
    rows = list(qs[: FIRST_FEW + 1])
    return rows[:FIRST_FEW], (len(rows) if len(rows) <= FIRST_FEW else qs.count())


def my_work(scope: Scope) -> dict[str, Any]:
    """Context for templates/feedback/partials/my_work.html; empty when there is nothing to show."""
    work: dict[str, Any] = {}
    if scope.user_id is None:
        return work
    if scope.has_role(Role.PARTICIPATION_OFFICER):
        rows, count = _few(ready_to_contact(scope))
        if count:
            work["ready"], work["ready_count"] = rows, count
    if scope.managed_team_ids:
        # The team's own manager makes the check; the SM and HoS can, but are not asked to.
        rows, count = _few(safety_checks_waiting(scope).filter(audit__team_id__in=scope.managed_team_ids))
        if count:
            work["safety"], work["safety_count"] = rows, count
    if can_triage(scope):
        mine = triage_items_visible(scope).filter(assigned_to_id=scope.user_id, status=TriageItem.Status.OPEN)
        rows, count = _few(overdue_first(mine, scope.today))
        if count:
            work["triage"], work["triage_count"] = rows, count
    if can_manage_triage(scope):
        overdue = triage_overdue(scope).count()
        if overdue:
            work["triage_overdue_count"] = overdue
    if work:
        work["today"] = scope.today
    return work
