"""Smoke-test samplers for this app's URLs with parameters (gathered by ``manage.py smoke_urls``).

Each takes the smoke test's personas (``.team_manager``, ``.qa_officer``) and returns the URL's
kwargs from whatever the demo database holds, or None when there is nothing to show."""

from __future__ import annotations

from typing import Any

SAMPLERS: dict[str, Any] = {}


# --- practice observations ------------------------------------------------------------------------
def _observation(personas: Any) -> dict[str, Any] | None:
    from .models import Observation

    # The team manager's own draft when they have one (their edit pages), else the latest.
    observation = (
        Observation.objects.filter(observer=personas.team_manager, status=Observation.Status.DRAFT)
        .order_by("-pk")
        .first()
        or Observation.objects.order_by("-pk").first()
    )
    return {"observation_id": observation.pk} if observation else None


SAMPLERS.update(
    dict.fromkeys(
        (
            "observations:observation-detail",
            "observations:observation-edit",
            "observations:observation-discussion",
            "observations:observation-complete",
            "observations:observation-share",
            "observations:observation-pdf",
        ),
        _observation,
    )
)


# --- practice weeks -------------------------------------------------------------------------------
def _practice_week(personas: Any) -> dict[str, Any] | None:
    from .models import PracticeWeek

    # The latest week with activities has most to show; else the latest week.
    weeks = PracticeWeek.objects.order_by("-starts_on")
    week = weeks.filter(activities__isnull=False).first() or weeks.first()
    return {"week_id": week.pk} if week else None


def _practice_week_activity(personas: Any) -> dict[str, Any] | None:
    from .models import PracticeWeekActivity

    # The team manager's own when they logged one (their edit page), else anyone's (a 404 for them).
    activity = (
        PracticeWeekActivity.objects.filter(leader=personas.team_manager).order_by("-pk").first()
        or PracticeWeekActivity.objects.order_by("-pk").first()
    )
    return {"activity_id": activity.pk} if activity else None


SAMPLERS.update(
    {
        "observations:practice-week-detail": _practice_week,
        "observations:practice-week-edit": _practice_week,
        "observations:practice-week-activity-new": _practice_week,
        "observations:practice-week-quotes": _practice_week,
        "observations:practice-week-summary": _practice_week,
        "observations:practice-week-activity-edit": _practice_week_activity,
    }
)
