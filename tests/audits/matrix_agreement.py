"""Matrix entries for the agreement statistics and one auditor's agreement figures."""

from __future__ import annotations

from tests.matrix import QA_TEAM, Entry, each

from .matrix_lists import LISTERS

# The auditor whose own figures are asked for.
AUDITOR = "team_manager_other"

ENTRIES = {
    # Managers and the whole-authority roles (the audit-list roles); others 403. GET only.
    "audits:agreement": (Entry({"default": (403, 405), **each(LISTERS, (200, 405))}),),
    # The QA team and that auditor only: everyone else, managers and other auditors included,
    # gets 404 as if the page did not exist.
    "audits:agreement-auditor": (
        Entry(
            {"default": (404, 405), **each((*QA_TEAM, AUDITOR), (200, 405))},
            kwargs=lambda world: {"person_id": world.people[AUDITOR].pk},
            label="team_manager_other's figures",
        ),
    ),
}
