"""Matrix entries for the practice observation pages.

The observation is team_manager_same's (TM of A1) of practitioner_own (A1): the practitioner,
their line (the TM, the SM and HoS of area A), the observer and the QA team see it; everyone else
gets 404, whatever their seniority. Only the observer changes it; only the practitioner chooses
what to share.
"""

from __future__ import annotations

from typing import Any

from tests.matrix import QA_TEAM, Entry, each

from .test_observations import SEES_IT, completed, record

OBSERVER = "team_manager_same"
PRACTITIONER = "practitioner_own"
# Who may record: managers, senior leaders, the QA team and the PSW (practice leads by duty).
RECORDERS = (
    "team_manager_same",
    "team_manager_other",
    "service_manager_same",
    "service_manager_other",
    "head_of_service",
    "assistant_director",
    "director",
    "principal_social_worker",
    *QA_TEAM,
)
# The list is theirs, and practitioners' and line managers' (early help too).
LISTERS = (*RECORDERS, "practitioner_own", "practitioner_other", "early_help_coordinator", "early_help_strategic_lead")
# The team's shared learning: team members, their managers and the QA team.
TEAM_READERS = (
    "practitioner_own",
    "practitioner_other",
    "team_manager_same",
    "team_manager_other",
    "service_manager_same",
    "service_manager_other",
    "head_of_service",
    "early_help_coordinator",
    "early_help_strategic_lead",
    *QA_TEAM,
)
OTHERS_WHO_SEE_IT = tuple(p for p in SEES_IT if p not in (OBSERVER, PRACTITIONER))


def _draft(world: Any) -> dict[str, Any]:
    return {"observation_id": record(world).pk}


def _completed(world: Any) -> dict[str, Any]:
    return {"observation_id": completed(world).pk}


def _observer_page() -> Entry:
    # Others who see it may not change it (403); the observer's empty POST is shown again with
    # its errors.
    return Entry(
        {
            "default": (404, 404),
            **each((*OTHERS_WHO_SEE_IT, PRACTITIONER), (403, 403)),
            OBSERVER: (200, 200),
        },
        kwargs=_draft,
    )


ENTRIES = {
    "observations:observation-list": (Entry({"default": (403, 405), **each(LISTERS, (200, 405))}),),
    # Agreement first; an empty form is shown again with its errors (nothing saved).
    "observations:observation-new": (Entry({"default": (403, 403), **each(RECORDERS, (200, 200))}),),
    "observations:team-learning": (Entry({"default": (403, 405), **each(TEAM_READERS, (200, 405))}),),
    "observations:observation-detail": (
        Entry({"default": (404, 405), **each(SEES_IT, (200, 405))}, kwargs=_completed),
    ),
    "observations:observation-pdf": (Entry({"default": (404, 405), **each(SEES_IT, (200, 405))}, kwargs=_completed),),
    "observations:observation-edit": (_observer_page(),),
    "observations:observation-discussion": (_observer_page(),),
    # POST only; completing a draft without its discussion is refused on the page (200).
    "observations:observation-complete": (
        Entry(
            {
                "default": (405, 404),
                **each((*OTHERS_WHO_SEE_IT, PRACTITIONER), (405, 403)),
                OBSERVER: (405, 200),
            },
            kwargs=_draft,
        ),
    ),
    # The practitioner's own choice; an empty POST is shown again with its error.
    "observations:observation-share": (
        Entry(
            {"default": (404, 404), **each((*OTHERS_WHO_SEE_IT, OBSERVER), (403, 403)), PRACTITIONER: (200, 200)},
            kwargs=_completed,
        ),
    ),
}
