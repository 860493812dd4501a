"""Matrix entries for the other-voices pages: the list by theme, recording, an entry and its
correction."""

from __future__ import annotations

from typing import Any

from tests.matrix import QA_TEAM, Entry, each

from .test_voices import record_voice

RECORDERS = (*QA_TEAM, "principal_social_worker")
# The QA team, the PSW, practice leads (a duty no persona holds) and managers, TM and above.
READERS = (
    *RECORDERS,
    "team_manager_same",
    "team_manager_other",
    "service_manager_same",
    "service_manager_other",
    "head_of_service",
    "assistant_director",
    "director",
)


def _entry(world: Any) -> dict[str, Any]:
    return {"entry_id": record_voice(world).pk}


ENTRIES = {
    # Read-only pages: GET only.
    "feedback:voice-list": (Entry({"default": (403, 405), **each(READERS, (200, 405))}),),
    "feedback:voice-detail": (Entry({"default": (403, 405), **each(READERS, (200, 405))}, kwargs=_entry),),
    # The QA team and the PSW record and correct; an empty form is shown again with its errors.
    "feedback:voice-new": (Entry({"default": (403, 403), **each(RECORDERS, (200, 200))}),),
    "feedback:voice-edit": (Entry({"default": (403, 403), **each(RECORDERS, (200, 200))}, kwargs=_entry),),
}
