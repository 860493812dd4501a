"""Permission-matrix entries for the auditor's audit form and immediate concerns.

The audit is of world.case_a (team A1, area A), allocated to team_manager_other as auditor. Who
may see it: its auditor, its practitioner (practitioner_own), the management line of team A1
(team_manager_same, service_manager_same, head_of_service) and the whole-authority roles.
Everyone else gets 404, never 403, which would confirm that it exists.
"""

from __future__ import annotations

from typing import Any

from audits.models import ToolVersion
from audits.services.concerns import concern_raise
from tests.matrix import QA_TEAM, Entry, each

from .factories import allocate, mark_submitted, tool_version

AUDITOR = "team_manager_other"
# People who may read the audit (and so its concerns) but not fill it in.
READERS = (
    "practitioner_own",
    "team_manager_same",
    "service_manager_same",
    "head_of_service",
    "assistant_director",
    "director",
    *QA_TEAM,
)


def _audit(world: Any) -> Any:
    version = ToolVersion.objects.filter(tool__key="social-work", status="published").first() or tool_version()
    return allocate(world.case_a, world.people[AUDITOR], version=version, actor=world.people["qa_officer"])


def _open_audit(world: Any) -> dict[str, Any]:
    return {"audit_id": _audit(world).pk}


def _submitted_audit(world: Any) -> dict[str, Any]:
    return {"audit_id": mark_submitted(_audit(world)).pk}


def _concern(world: Any) -> dict[str, Any]:
    concern = concern_raise(audit=_audit(world), actor=world.people[AUDITOR], description="Worried about the child")
    return {"concern_id": concern.pk}


ENTRIES: dict[str, tuple[Entry, ...]] = {
    # Only the auditor fills the form in, while it is open; an empty save changes nothing and
    # returns to the form. Once submitted, the auditor is told it can no longer change (409).
    "audits:audit-edit": (
        Entry(
            {"default": (404, 404), **each(READERS, (403, 403)), AUDITOR: (200, 302)},
            kwargs=_open_audit,
            label="open audit",
        ),
        Entry(
            {"default": (404, 404), **each(READERS, (403, 403)), AUDITOR: (409, 409)},
            kwargs=_submitted_audit,
            label="submitted audit",
        ),
    ),
    # Only the auditor raises a concern; an empty one is shown again with its error.
    "audits:concern-raise": (
        Entry({"default": (404, 404), **each(READERS, (403, 403)), AUDITOR: (200, 200)}, kwargs=_open_audit),
    ),
    # Whoever may read the audit reads its concerns; only the team's TM records the action
    # (an empty record is shown again with its error).
    "audits:concern-detail": (
        Entry(
            {"default": (404, 404), **each(READERS, (200, 403)), AUDITOR: (200, 403), "team_manager_same": (200, 200)},
            kwargs=_concern,
        ),
    ),
    # Everyone signed in has the list; it holds only what they may see. It only shows.
    "audits:concern-list": (Entry({"default": (200, 405)}),),
}
