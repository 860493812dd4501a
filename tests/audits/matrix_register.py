"""Matrix entries for the child of concern register, an episode and the 6-week review.

The episode is of an Inadequate audit of case_a (team A1, area A) by team_manager_other, whose
review 1 is allocated to them. The register is for TMs, SMs/HoS and the whole-authority roles
(EH co-ordinator and strategic lead manage a team or area, so they have the page, empty).
Episodes and reviews: the management line above team A1, the whole-authority roles and the
reviewer; everyone else 404. Only the reviewer records the review (an empty POST shows errors).
"""

from __future__ import annotations

import datetime
from typing import Any

from audits.models import Action, ActionReview, Grade, ToolVersion
from audits.services.concern_process import action_reviews_allocate_sweep, child_of_concern_start
from tests.matrix import Entry, each

from .factories import allocate, mark_submitted, tool_version

SEES_EPISODE = (
    "team_manager_other",  # the reviewer
    "team_manager_same",
    "service_manager_same",
    "head_of_service",
    "assistant_director",
    "director",
    "qa_officer",
    "qa_manager",
)
REGISTER_ROLES = (
    "team_manager_same",
    "team_manager_other",
    "service_manager_same",
    "service_manager_other",
    "head_of_service",
    "assistant_director",
    "director",
    "qa_officer",
    "qa_manager",
    "early_help_coordinator",
    "early_help_strategic_lead",
)


def _review(world: Any) -> ActionReview:
    version = ToolVersion.objects.filter(tool__key="social-work", number=1).first() or tool_version()
    auditor = world.people["team_manager_other"]
    audit = allocate(world.case_a, auditor, version=version, actor=world.people["qa_officer"])
    mark_submitted(audit, grade=Grade.INADEQUATE, on=datetime.date(2026, 11, 10))
    Action.objects.create(
        audit=audit,
        description="Update the chronology",
        owner=world.people["practitioner_own"],
        due_on=datetime.date(2026, 12, 1),
        created_by=auditor,
        version=1,
    )
    episode = child_of_concern_start(audit=audit, actor=auditor, reason="Inadequate")
    action_reviews_allocate_sweep(
        today=datetime.date(2026, 12, 15), now=datetime.datetime(2026, 12, 15, 9, tzinfo=datetime.UTC)
    )
    return episode.reviews.get(number=1)


ENTRIES = {
    "audits:concern-register": (Entry({"default": (403, 405), **each(REGISTER_ROLES, (200, 405))}),),
    "audits:concern-episode": (
        Entry(
            {"default": (404, 405), **each(SEES_EPISODE, (200, 405))},
            lambda world: {"episode_id": _review(world).episode_id},
        ),
    ),
    "audits:action-review": (
        Entry(
            {"default": (404, 404), **each(SEES_EPISODE, (200, 403)), "team_manager_other": (200, 200)},
            lambda world: {"review_id": _review(world).pk},
        ),
    ),
}
