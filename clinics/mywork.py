"""What "my work" could show from meetings for one person: their own open meeting actions, overdue
first (only real things; one query). The lead wires it into the home page."""

from __future__ import annotations

from typing import Any

from organisation.scope import Scope

from .models import OPEN_ACTION_STATUSES, MeetingAction
from .selectors_meetings import can_read_meeting, overdue_first

# "A short list": the first few, most urgent first.
SHORT_LIST = 10


def my_work(scope: Scope) -> dict[str, Any]:
    """Context for templates/clinics/meetings/my_work.html; empty when there is nothing to show.
    Each action links to the meeting it was raised at (only meetings this person may read), whose
    page shows it with everything carried forward. One query."""
    if scope.user_id is None:
        return {}
    actions = list(
        MeetingAction.objects.filter(owner_id=scope.user_id, status__in=OPEN_ACTION_STATUSES)
        .select_related("raised_at__team", "raised_at__service_area")
        .order_by("due_on", "pk")[: SHORT_LIST * 5]
    )
    actions = [a for a in actions if can_read_meeting(scope, a.raised_at)]
    if not actions:
        return {}
    return {"actions": overdue_first(actions, scope.today)[:SHORT_LIST]}
