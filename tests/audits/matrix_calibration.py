"""Matrix entries for the calibration pages: the list, a new exercise, grading the anonymised copy,
the spread of grades, closing, and auditors' training dates."""

from __future__ import annotations

from typing import Any

from audits.models import CalibrationExercise
from audits.services.calibration import calibration_create
from organisation.models import Role
from tests.factories import person_with_role
from tests.matrix import QA_TEAM, Entry, each

from .factories import allocate, mark_submitted

# team_manager_same holds the auditor duty in the world and takes part in the exercise below.
PARTICIPANT = "team_manager_same"


def _exercise(world: Any) -> dict[str, Any]:
    """An open exercise copied from a submitted audit of case B, with team_manager_same taking part."""
    found = CalibrationExercise.objects.filter(title="Matrix calibration").first()
    if found is None:
        auditor = person_with_role(Role.PRACTITIONER, team=world.team_a2, duties=("auditor",))
        audit = mark_submitted(allocate(world.case_b, auditor, actor=world.people["qa_officer"]))
        found = calibration_create(
            source_audit=audit,
            title="Matrix calibration",
            participants=[world.people[PARTICIPANT]],
            actor=world.people["qa_officer"],
        )
    return {"exercise_id": found.pk}


ENTRIES = {
    # The QA team sees every exercise; auditors theirs (often none). Others have no such page.
    "audits:calibration-list": (Entry({"default": (403, 405), **each((*QA_TEAM, PARTICIPANT), (200, 405))}),),
    # The QA team creates exercises; an empty form is shown again with its errors.
    "audits:calibration-new": (Entry({"default": (403, 403), **each(QA_TEAM, (200, 200))}),),
    # Anyone not taking part and outside the QA team: 404. The QA team reads the copy but does
    # not grade (403 on POST); the participant saves (an empty save goes back to the page).
    "audits:calibration-exercise": (
        Entry(
            {"default": (404, 404), **each(QA_TEAM, (200, 403)), PARTICIPANT: (200, 302)},
            kwargs=_exercise,
        ),
    ),
    # The spread: the QA team at any time; a participant only once closed (open here: 403).
    "audits:calibration-results": (
        Entry(
            {"default": (404, 405), **each(QA_TEAM, (200, 405)), PARTICIPANT: (403, 405)},
            kwargs=_exercise,
        ),
    ),
    # Closing is a POST by the QA team (a second close says it is closed and goes back too).
    "audits:calibration-close": (
        Entry(
            {"default": (405, 404), **each(QA_TEAM, (405, 302)), PARTICIPANT: (405, 403)},
            kwargs=_exercise,
        ),
    ),
    # The QA team records training; an auditor reads their own (403 on POST); others 403.
    "audits:auditor-training": (Entry({"default": (403, 403), **each(QA_TEAM, (200, 200)), PARTICIPANT: (200, 403)}),),
}
