"""Matrix entries for the practice-week pages: the list (the QA team schedules), a week's page,
changing a week (QA), logging and changing an activity (leaders; another leader's answers 404),
quotes (QA) and the aggregate summary (managers, the PSW, practice leads and the QA team)."""

from __future__ import annotations

import datetime
from typing import Any

from django.utils import timezone

from observations.models import ActivityKind, PracticeWeek, PracticeWeekActivity
from tests.matrix import QA_TEAM, Entry, each

from .matrix_observations import RECORDERS

# Leaders are the people who observe practice (DESIGN section 1; seed 6.3), and the same people
# read the summary: managers, the QA team and the PSW (practice leads hold a duty no persona has).
LEADERS = RECORDERS


def _this_week(world: Any) -> dict[str, Any]:
    """A week happening now, so it can be changed and logged in."""
    today = timezone.localdate()
    week = PracticeWeek.objects.filter(starts_on__lte=today, ends_on__gte=today).first()
    if week is None:
        week = PracticeWeek.objects.create(
            title="Practice week now",
            starts_on=today - datetime.timedelta(days=2),
            ends_on=today + datetime.timedelta(days=2),
            scheduled_by=world.people["qa_officer"],
        )
    return {"week_id": week.pk}


def _activity_of_tm_same(world: Any) -> dict[str, Any]:
    week = PracticeWeek.objects.get(pk=_this_week(world)["week_id"])
    activity = PracticeWeekActivity.objects.create(
        week=week,
        leader=world.people["team_manager_same"],
        kind=ActivityKind.OBSERVATION,
        happened_on=week.starts_on,
        service_area=world.area_a,
        team=world.team_a1,
        strengths="Plans written with the family",
    )
    return {"activity_id": activity.pk}


ENTRIES = {
    # Leaders and summary readers see the weeks; the QA team schedules (an empty form is shown
    # again with its errors).
    "observations:practice-week-list": (
        Entry({"default": (403, 403), **each(LEADERS, (200, 403)), **each(QA_TEAM, (200, 200))}),
    ),
    # A week's page only shows: POST is 405.
    "observations:practice-week-detail": (
        Entry({"default": (403, 405), **each(LEADERS, (200, 405))}, kwargs=_this_week),
    ),
    # The QA team changes a week until it ends; an empty form is shown again with its errors.
    "observations:practice-week-edit": (
        Entry({"default": (403, 403), **each(QA_TEAM, (200, 200))}, kwargs=_this_week),
    ),
    # Leaders log; an empty form is shown again with its errors.
    "observations:practice-week-activity-new": (
        Entry({"default": (403, 403), **each(LEADERS, (200, 200))}, kwargs=_this_week),
    ),
    # Only the leader who logged it changes an activity; every other leader (the QA team too) is
    # told it does not exist.
    "observations:practice-week-activity-edit": (
        Entry(
            {"default": (403, 403), **each(LEADERS, (404, 404)), "team_manager_same": (200, 200)},
            kwargs=_activity_of_tm_same,
        ),
    ),
    # The QA team decides on quotes; a post naming no waiting quote goes back to the page.
    "observations:practice-week-quotes": (
        Entry({"default": (403, 403), **each(QA_TEAM, (200, 302))}, kwargs=_this_week),
    ),
    # The aggregate summary: managers, the PSW and the QA team; GET only.
    "observations:practice-week-summary": (
        Entry({"default": (403, 405), **each(LEADERS, (200, 405))}, kwargs=_this_week),
    ),
}
