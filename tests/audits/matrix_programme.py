"""Permission-matrix entries for the audit plan, thematic / ad-hoc / multi-agency audits, partner
sections and early help allocation.

The programme is a thematic audit with one audit, of world.case_a (team A1, area A), allocated to
team_manager_other, who is its assigned auditor. Managers who see that audit read the programme;
the QA team edits it. Partner contributors see only their own sections: 404 on every other
programme page."""

from __future__ import annotations

import datetime
from typing import Any

from audits.models import ProgrammeAudit
from audits.services.programme import partner_section_add, programme_create
from tests.matrix import QA_TEAM, Entry, each

from .factories import allocate, tool_version

LISTERS = (
    "team_manager_same",
    "team_manager_other",
    "service_manager_same",
    "service_manager_other",
    "head_of_service",
    "assistant_director",
    "director",
    "early_help_coordinator",
    "early_help_strategic_lead",
)
PARTNER = "partner_contributor"
AUDITOR = "team_manager_other"
# Who reads the programme: the whole-authority roles, the auditor, and case_a's management line.
PROGRAMME_READERS = (
    "assistant_director",
    "director",
    AUDITOR,
    "team_manager_same",
    "service_manager_same",
    "head_of_service",
)


def _programme(world: Any) -> dict[str, Any]:
    version = tool_version(key="thematic-tool")
    programme = programme_create(
        kind=ProgrammeAudit.Kind.THEMATIC, title="Neglect", tool_version=version, actor=world.people["qa_officer"]
    )
    programme.auditors.add(world.people[AUDITOR])
    audit = allocate(
        world.case_a, world.people[AUDITOR], version=version, kind="thematic", today=datetime.date(2026, 11, 2)
    )
    audit.programme = programme
    audit.save(update_fields=["programme"])
    return {"programme_id": programme.pk}


def _section(world: Any) -> dict[str, Any]:
    programme = programme_create(
        kind=ProgrammeAudit.Kind.MULTI_AGENCY, title="Domestic abuse", actor=world.people["qa_officer"]
    )
    section = partner_section_add(
        programme=programme,
        partner=world.people[PARTNER],
        agency="Police",
        title="Police involvement",
        prompt="What did the police know?",
        actor=world.people["qa_officer"],
    )
    return {"section_id": section.pk}


ENTRIES: dict[str, tuple[Entry, ...]] = {
    # The QA team edits the plan (an empty POST changes nothing and returns to it); managers read.
    "audits:audit-plan": (
        Entry({"default": (403, 403), **each(LISTERS, (200, 403)), **each(QA_TEAM, (200, 302)), PARTNER: (404, 404)}),
    ),
    "audits:programme-list": (
        Entry({"default": (403, 405), **each((*LISTERS, *QA_TEAM), (200, 405)), PARTNER: (404, 405)}),
    ),
    # An empty POST shows the form's errors.
    "audits:programme-new": (Entry({"default": (403, 403), **each(QA_TEAM, (200, 200)), PARTNER: (404, 404)}),),
    "audits:programme-new-for-child": (
        Entry(
            {"default": (403, 403), **each(QA_TEAM, (200, 200)), PARTNER: (404, 404)},
            kwargs=lambda world: {"case_reference": world.case_a.case_reference},
            label="case_a",
        ),
        Entry(
            # A restricted case is outside the QA officer's scope: not found.
            {"default": (403, 403), "qa_officer": (404, 404), "qa_manager": (200, 200), PARTNER: (404, 404)},
            kwargs=lambda world: {"case_reference": world.case_restricted.case_reference},
            label="case_restricted",
        ),
    ),
    "audits:programme-detail": (
        Entry(
            {"default": (404, 404), **each(PROGRAMME_READERS, (200, 403)), **each(QA_TEAM, (200, 200))},
            kwargs=_programme,
        ),
    ),
    "audits:partner-sections": (Entry({"default": (403, 405), PARTNER: (200, 405)}),),
    # The partner writes their own section (an empty POST shows errors); the QA team reads it.
    "audits:partner-section": (
        Entry({"default": (404, 404), PARTNER: (200, 200), **each(QA_TEAM, (200, 403))}, kwargs=_section),
    ),
    "audits:early-help-allocate": (Entry({"default": (403, 403), "early_help_strategic_lead": (200, 200)}),),
}
