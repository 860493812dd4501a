"""Matrix entries for the practitioner's page, the talk-through, and actions for improvement.

The usual audit is of case_a (team A1), allocated to team_manager_other: it is seen by its
auditor, its practitioner (practitioner_own), the management line above team A1 and the
whole-authority roles; everyone else gets 404. Of those who see it, only the people with a part
to play get more than 403.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from audits.models import Action, ActionStatus, Audit, Grade, ToolVersion
from tests.matrix import Entry, each

from .factories import allocate, mark_submitted, tool_version

VIEWERS = (
    "team_manager_other",  # the auditor
    "team_manager_same",
    "service_manager_same",
    "head_of_service",
    "assistant_director",
    "director",
    "qa_officer",
    "qa_manager",
    "practitioner_own",
)


def _version() -> ToolVersion:
    return ToolVersion.objects.filter(tool__key="social-work", number=1).first() or tool_version()


def _audit(world: Any, *, submitted: bool = False, grade: str = Grade.GOOD) -> Audit:
    audit = allocate(
        world.case_a, world.people["team_manager_other"], version=_version(), actor=world.people["qa_officer"]
    )
    if submitted:
        mark_submitted(audit, grade=grade)
    return audit


def _audit_kwargs(**options: Any) -> Callable[[Any], dict[str, Any]]:
    return lambda world: {"audit_id": _audit(world, **options).pk}


def _action_kwargs(*, submitted: bool, status: str = ActionStatus.OPEN) -> Callable[[Any], dict[str, Any]]:
    def kwargs(world: Any) -> dict[str, Any]:
        audit = _audit(world, submitted=submitted)
        action = Action.objects.create(
            audit=audit,
            description="Update the chronology",
            owner=world.people["practitioner_own"],
            due_on=audit.due_on,
            status=status,
            completed_on=audit.due_on if status == ActionStatus.DONE else None,
            created_by=audit.auditor,
            version=1,
        )
        return {"action_id": action.pk}

    return kwargs


def _expect(default: tuple[Any, Any], viewers: tuple[Any, Any], **overrides: tuple[Any, Any]) -> dict:
    return {"default": default, **each(VIEWERS, viewers), **overrides}


ENTRIES = {
    # Only the audit's practitioner; an empty POST shows the form again with its errors, or (when
    # there is nothing they can change yet) sends them back with a message.
    "audits:audit-practitioner": (
        Entry(_expect((404, 404), (403, 403), practitioner_own=(200, 200)), _audit_kwargs(), label="draft"),
        Entry(
            _expect((404, 404), (403, 403), practitioner_own=(200, 200)),
            _audit_kwargs(submitted=True),
            label="submitted",
        ),
        Entry(
            _expect((404, 404), (403, 403), practitioner_own=(200, 302)),
            _audit_kwargs(submitted=True, grade=Grade.INADEQUATE),
            label="inadequate",
        ),
    ),
    # POST only; the team's TM records it (a draft is refused with a message).
    "audits:talked-through": (
        Entry(
            _expect((405, 404), (405, 403), team_manager_same=(405, 302)),
            _audit_kwargs(submitted=True, grade=Grade.INADEQUATE),
            label="inadequate",
        ),
        Entry(_expect((405, 404), (405, 403), team_manager_same=(405, 302)), _audit_kwargs(), label="draft"),
    ),
    # The auditor while the audit is open; the TM after submission.
    "audits:action-add": (
        Entry(_expect((404, 404), (403, 403), team_manager_other=(200, 200)), _audit_kwargs(), label="draft"),
        Entry(
            _expect((404, 404), (403, 403), team_manager_same=(200, 200)),
            _audit_kwargs(submitted=True),
            label="submitted",
        ),
    ),
    # Draft: the auditor edits it. Submitted: the owner (practitioner_own) and the TM.
    "audits:action-edit": (
        Entry(
            _expect((404, 404), (403, 403), team_manager_other=(200, 200)),
            _action_kwargs(submitted=False),
            label="draft",
        ),
        Entry(
            _expect((404, 404), (403, 403), team_manager_same=(200, 200), practitioner_own=(200, 200)),
            _action_kwargs(submitted=True),
            label="submitted",
        ),
    ),
    # POST only; the TM confirms a done action.
    "audits:action-confirm": (
        Entry(
            _expect((405, 404), (405, 403), team_manager_same=(405, 302)),
            _action_kwargs(submitted=True, status=ActionStatus.DONE),
        ),
    ),
    # Everyone signed in has the page (it may be empty); it only shows.
    "audits:action-list": (Entry({"default": (200, 405)}),),
}
