"""Matrix entries for moderation: the queue, assigning, adding by hand, the form, the outcome and
the TM's record of talking a changed grade through.

The audit is of case_a (team A1), allocated to team_manager_other, submitted Inadequate (so
chosen for moderation): seen by its auditor, its practitioner, the management line above team A1
and the whole-authority roles; everyone else gets 404.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from audits.models import Audit, Grade, Moderation
from audits.services.practitioner import AUDIT_SUBMITTED_HOOK
from core import hooks
from tests.matrix import QA_TEAM, Entry, each

from .matrix_practitioner import VIEWERS, _audit


def _moderated(world: Any) -> Moderation:
    audit: Audit = _audit(world, submitted=True, grade=Grade.INADEQUATE)
    hooks.call(AUDIT_SUBMITTED_HOOK, audit=audit)
    return Moderation.objects.get(audit=audit)


def _moderation_kwargs() -> Callable[[Any], dict[str, Any]]:
    return lambda world: {"moderation_id": _moderated(world).pk}


def _audit_kwargs(world: Any) -> dict[str, Any]:
    return {"audit_id": _audit(world, submitted=True, grade=Grade.GOOD).pk}


ENTRIES = {
    # The QA team's page; it only shows.
    "audits:moderation-queue": (Entry({"default": (403, 405), **each(QA_TEAM, (200, 405))}),),
    # The QA team (or the assigned moderator); an empty POST saves nothing and comes back.
    "audits:moderation": (Entry({"default": (404, 404), **each(QA_TEAM, (200, 302))}, _moderation_kwargs()),),
    # The QA team; an empty POST shows the form again with its error.
    "audits:moderation-assign": (
        Entry({"default": (404, 404), **each(VIEWERS, (403, 403)), **each(QA_TEAM, (200, 200))}, _moderation_kwargs()),
    ),
    # Not complete yet: the QA team reads it (only the auditor responds); the auditor waits.
    "audits:moderation-outcome": (Entry({"default": (404, 404), **each(QA_TEAM, (200, 403))}, _moderation_kwargs()),),
    # The QA team adds a submitted audit by hand; an empty POST shows the form with its error.
    "audits:moderation-add": (
        Entry({"default": (404, 404), **each(VIEWERS, (403, 403)), **each(QA_TEAM, (200, 200))}, _audit_kwargs),
    ),
    # POST only; the team's TM records it (nothing changed here: refused with a message).
    "audits:change-talked-through": (
        Entry(
            {"default": (405, 404), **each(VIEWERS, (405, 403)), "team_manager_same": (405, 302)},
            _audit_kwargs,
        ),
    ),
}
