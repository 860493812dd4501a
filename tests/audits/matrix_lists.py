"""Matrix entries for the audit lists, export, the read-only audit page, its history, allocation
by hand and the child page."""

from __future__ import annotations

from typing import Any

from django.urls import NoReverseMatch, reverse

from audits.models import ToolVersion
from tests.matrix import QA_TEAM, SEES, Entry, each

from .factories import allocate, tool_version

# Managers and the whole-authority roles have the team, service and authority audit lists.
LISTERS = (
    "team_manager_same",
    "team_manager_other",
    "service_manager_same",
    "service_manager_other",
    "head_of_service",
    "assistant_director",
    "director",
    "qa_officer",
    "qa_manager",
    "early_help_coordinator",
    "early_help_strategic_lead",
)


def _exists(name: str) -> bool:
    try:
        reverse(name, args=[1])
    except NoReverseMatch:
        return False
    return True


# The practitioner is sent to their own view of the audit once another part adds it.
PRACTITIONER_GET = 302 if _exists("audits:audit-practitioner") else 200


def _version() -> ToolVersion:
    """The test tool version, made once per test database."""
    return ToolVersion.objects.filter(tool__key="social-work", number=1).first() or tool_version()


def _audit_of(case: str, actor: str = "qa_officer") -> Any:
    def kwargs(world: Any) -> dict[str, Any]:
        audit = allocate(
            getattr(world, case),
            world.people["team_manager_other"],
            version=_version(),
            actor=world.people[actor],
        )
        return {"audit_id": audit.pk}

    return kwargs


# The usual audit (of case_a, team A1, area A) is seen by its auditor (team_manager_other), its
# practitioner, the management line above team A1 and the whole-authority roles.
AUDIT_A_VIEWERS = (
    "team_manager_other",
    "team_manager_same",
    "service_manager_same",
    "head_of_service",
    "assistant_director",
    "director",
    "qa_officer",
    "qa_manager",
)
# A restricted case's audit: the QA manager, the practitioner's management line and the auditor.
RESTRICTED_VIEWERS = (
    "team_manager_other",
    "team_manager_same",
    "service_manager_same",
    "head_of_service",
    "qa_manager",
)

ENTRIES = {
    # Everyone signed in has "My audits" (it may be empty); it only shows.
    "audits:my-audits": (Entry({"default": (200, 405)}),),
    "audits:audit-list": (Entry({"default": (403, 405), **each(LISTERS, (200, 405))}),),
    "audits:audit-export": (Entry({"default": (403, 405), **each(LISTERS, (200, 405))}),),
    # The QA team allocates by hand; an empty form is shown again with its errors.
    "audits:allocate": (Entry({"default": (403, 403), **each(QA_TEAM, (200, 200))}),),
    # Someone else's audit answers 404, never 403. GET only.
    "audits:audit-detail": (
        Entry(
            {"default": (404, 405), **each(AUDIT_A_VIEWERS, (200, 405)), "practitioner_own": (PRACTITIONER_GET, 405)},
            kwargs=_audit_of("case_a"),
            label="audit of case_a",
        ),
        Entry(
            {
                "default": (404, 405),
                **each(RESTRICTED_VIEWERS, (200, 405)),
                "practitioner_own": (PRACTITIONER_GET, 405),
            },
            kwargs=_audit_of("case_restricted", actor="qa_manager"),
            label="restricted audit",
        ),
    ),
    # History is the QA team's: others who may see the audit get 403, everyone else 404.
    "audits:audit-history": (
        Entry(
            {
                "default": (404, 405),
                **each((*AUDIT_A_VIEWERS, "practitioner_own"), (403, 405)),
                **each(QA_TEAM, (200, 405)),
            },
            kwargs=_audit_of("case_a"),
        ),
    ),
    # Everyone signed in may search; the answer is found (200) or "not found that you can see"
    # (404) by scope. An empty search is shown again with its error.
    "child-search": (
        Entry({"default": (200, 200)}, label="empty search"),
        Entry(
            {"default": (200, 404), **each((p for p, cases in SEES.items() if "case_a" in cases), (200, 200))},
            data=lambda world: {"case_reference": world.case_a.case_reference},
            label="search case_a",
        ),
        Entry(
            {"default": (200, 404), **each((p for p, cases in SEES.items() if "case_restricted" in cases), (200, 200))},
            data=lambda world: {"case_reference": world.case_restricted.case_reference},
            label="search restricted",
        ),
    ),
}
