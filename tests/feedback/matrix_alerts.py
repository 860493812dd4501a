"""Matrix entries for the reviewing officers' and chairs' pages: recording an alert, the list, the
monthly summary, an alert and its update."""

from __future__ import annotations

from typing import Any

from django.utils import timezone

from tests.matrix import NO_CASE_LIST, QA_TEAM, Entry, each

from .test_alerts import SEES_ALERT_ON_CASE_A, record_alert

RECORDERS = ("conference_chair", "iro")
SUMMARY_READERS = (
    *RECORDERS,
    *QA_TEAM,
    "service_manager_same",
    "service_manager_other",
    "head_of_service",
    "assistant_director",
    "director",
    "principal_social_worker",
)


def _alert_on_case_a(world: Any) -> dict[str, Any]:
    # A good-practice alert on case A (team A1, worked by practitioner_own), by its chair.
    return {"alert_id": record_alert(world, today=timezone.localdate()).pk}


ENTRIES = {
    # Chairs and IROs record; an empty form is shown again with its errors.
    "feedback:alert-new": (Entry({"default": (403, 403), **each(RECORDERS, (200, 200))}),),
    # Everyone with a case-file list sees the alerts on their cases (often none); GET only.
    "feedback:alert-list": (Entry({"default": (200, 405), **each(NO_CASE_LIST, (403, 405))}),),
    # Aggregate figures: the whole service for most readers, SM and HoS their areas; GET only.
    "feedback:alert-summary": (Entry({"default": (403, 405), **each(SUMMARY_READERS, (200, 405))}),),
    # Another team's alert answers 404; those who see it read it; GET only.
    "feedback:alert-detail": (
        Entry({"default": (404, 405), **each(SEES_ALERT_ON_CASE_A, (200, 405))}, kwargs=_alert_on_case_a),
    ),
    # Only the recorder updates it (an empty form is shown again); others who see it get 403.
    "feedback:alert-update": (
        Entry(
            {
                "default": (404, 404),
                **each(SEES_ALERT_ON_CASE_A, (403, 403)),
                "conference_chair": (200, 200),
            },
            kwargs=_alert_on_case_a,
        ),
    ),
}
