"""What "my work" shows from this app for one person (only real things; fixed queries).

For an observer: their drafts, each waiting for the reflective discussion or ready to complete.
For a practitioner: completed observations of them where they have not yet chosen what learning
to share. Both start from selectors.observations_visible, like every other observation read.
"""

from __future__ import annotations

from typing import Any

from organisation.scope import Scope

from .models import Observation, ShareChoice
from .selectors import observations_visible

# "A short list": more than this shows the first few and a link to the full list.
SHORT_LIST = 10


def my_work(scope: Scope) -> dict[str, Any]:
    """Context for templates/observations/partials/my_work.html; empty when there is nothing to
    show. Two queries, however many observations."""
    if scope.user_id is None:
        return {}
    visible = observations_visible(scope)
    drafts = list(
        visible.filter(observer_id=scope.user_id, status=Observation.Status.DRAFT).order_by("observed_on", "pk")[
            :SHORT_LIST
        ]
    )
    # One filter() call, so the practitioner and the undecided choice are the same row.
    to_choose = list(
        visible.filter(
            status=Observation.Status.COMPLETED,
            practitioners__practitioner_id=scope.user_id,
            practitioners__share_choice=ShareChoice.UNDECIDED,
        )
        .select_related("observer")
        .order_by("-observed_on", "-pk")[:SHORT_LIST]
    )
    if not drafts and not to_choose:
        return {}
    return {"drafts": drafts, "to_choose": to_choose}
