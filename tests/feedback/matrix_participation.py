"""Matrix entries for family feedback: the participation officer's list and task pages, the team
manager's safety check, the questionnaire by phone or in person, triage, and the differences
report."""

from __future__ import annotations

from typing import Any

from feedback.models import Channel, ParticipationTask
from feedback.services.participation import participation_tasks_create_missing
from feedback.services.responses import response_start
from tests.matrix import QA_TEAM, Entry, each

from .conftest import allocate_audit, load_questionnaires, make_ready, submit_response

PARTICIPATION_WORKERS = ("participation_officer", *QA_TEAM)
# The AD and the Director read the participation list and tasks; they do not work on them.
PARTICIPATION_READERS = (*PARTICIPATION_WORKERS, "assistant_director", "director")
# Team manager and above, and the QA team.
DIFFERENCE_READERS = (
    "team_manager_same",
    "team_manager_other",
    "service_manager_same",
    "service_manager_other",
    "head_of_service",
    "assistant_director",
    "director",
    *QA_TEAM,
)
# The audit team's manager line (team A1, area A) makes the safety check; other managers' lines
# answer 404; roles that never make one answer 403.
SAFETY_LINE = ("team_manager_same", "service_manager_same", "head_of_service")
OTHER_LINES = ("team_manager_other", "service_manager_other", "early_help_coordinator", "early_help_strategic_lead")


def _task(world: Any, *, case: str = "case_a") -> ParticipationTask:
    audit = allocate_audit(world, getattr(world, case))
    return audit.participation_task


def _task_a(world: Any) -> dict[str, Any]:
    return {"task_id": _task(world).pk}


def _task_restricted(world: Any) -> dict[str, Any]:
    return {"task_id": _task(world, case="case_restricted").pk}


def _ready_task_a(world: Any) -> dict[str, Any]:
    return {"task_id": make_ready(_task(world), world.people["team_manager_same"]).pk}


def _draft_response(world: Any) -> dict[str, Any]:
    questionnaires = load_questionnaires()
    task = make_ready(_task(world), world.people["team_manager_same"])
    response = response_start(task=task, questionnaire=questionnaires["parent"], channel=Channel.PHONE, entered_by=None)
    return {"response_id": response.pk}


def _triage_item(world: Any) -> dict[str, Any]:
    questionnaires = load_questionnaires()
    task = make_ready(_task(world), world.people["team_manager_same"])
    response = submit_response(task, questionnaires["parent"], answers={"changed": "Calmer at home"})
    participation_tasks_create_missing(today=world.case_a.opened_on)  # nothing to add: the hook made it
    return {"item_id": response.triage_items.get().pk}


ENTRIES = {
    # The participation officer and the QA team (and, reading, the AD and Director); GET only.
    "feedback:participation-list": (Entry({"default": (403, 405), **each(PARTICIPATION_READERS, (200, 405))}),),
    # An empty POST asks what to record (200 with the error); readers may not record.
    "feedback:participation-task": (
        Entry(
            {
                "default": (403, 403),
                **each(("assistant_director", "director"), (200, 403)),
                **each(PARTICIPATION_WORKERS, (200, 200)),
            },
            kwargs=_task_a,
            label="task A1",
        ),
        # A restricted case's task: only the QA manager among them (DESIGN section 2).
        Entry(
            {
                "default": (403, 403),
                **each(("participation_officer", "qa_officer", "assistant_director", "director"), (404, 404)),
                "qa_manager": (200, 200),
            },
            kwargs=_task_restricted,
            label="restricted task",
        ),
    ),
    # "Assign to me": POST only, back to the task.
    "feedback:participation-assign": (
        Entry(
            {
                "default": (405, 403),
                **each(("assistant_director", "director"), (405, 403)),
                **each(PARTICIPATION_WORKERS, (405, 302)),
            },
            kwargs=_task_a,
        ),
    ),
    # The audit team's manager line; an empty POST is shown again with its errors.
    "feedback:participation-safety": (
        Entry(
            {"default": (403, 403), **each(OTHER_LINES, (404, 404)), **each(SAFETY_LINE, (200, 200))},
            kwargs=_task_a,
        ),
    ),
    "feedback:response-new": (
        Entry(
            {
                "default": (403, 403),
                **each(("assistant_director", "director"), (403, 403)),
                **each(PARTICIPATION_WORKERS, (200, 200)),
            },
            kwargs=_ready_task_a,
        ),
    ),
    # Consent first: an empty POST shows the consent question again.
    "feedback:response-edit": (
        Entry(
            {
                "default": (403, 403),
                **each(("assistant_director", "director"), (403, 403)),
                **each(PARTICIPATION_WORKERS, (200, 200)),
            },
            kwargs=_draft_response,
        ),
    ),
    # The QA team reads families' free-text answers.
    "feedback:triage-list": (Entry({"default": (403, 405), **each(QA_TEAM, (200, 405))}),),
    # The reader (qa_officer, the only QA officer) or the QA manager marks it read; an empty POST
    # is shown again with its error.
    "feedback:triage-item": (Entry({"default": (403, 403), **each(QA_TEAM, (200, 200))}, kwargs=_triage_item),),
    "feedback:progress-differences": (Entry({"default": (403, 405), **each(DIFFERENCE_READERS, (200, 405))}),),
}
