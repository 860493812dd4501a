"""Matrix entries for the monthly allocation pages (the QA team) and cancel / reallocate /
declare a conflict on an allocated audit."""

from __future__ import annotations

from typing import Any

from django.utils import timezone

from tests.matrix import QA_TEAM, Entry, each

from .matrix_lists import AUDIT_A_VIEWERS, _audit_of


def _round(world: Any) -> Any:
    from audits.services.monthly import allocation_propose

    from .factories import tool_version

    if not _has_tool():
        tool_version(key="social-work-case-file")
    return allocation_propose(month=timezone.localdate().replace(day=1), today=timezone.localdate())


def _has_tool() -> bool:
    from audits.models import ToolVersion

    return ToolVersion.objects.filter(tool__key="social-work-case-file").exists()


def _round_kwargs(world: Any) -> dict[str, Any]:
    return {"round_id": _round(world).pk}


def _proposal_kwargs(world: Any) -> dict[str, Any]:
    return {"proposal_id": _round(world).proposals.first().pk}


# The audit of case_a: its auditor is team_manager_other; its practitioner and management line
# see it too (403 on these pages), everyone else gets 404.
SEE_AUDIT_A = (*AUDIT_A_VIEWERS, "practitioner_own")

ENTRIES = {
    # The QA team's list; POST proposes this month's allocation and goes to it.
    "audits:allocation-list": (Entry({"default": (403, 403), **each(QA_TEAM, (200, 302))}),),
    "audits:allocation-round": (Entry({"default": (403, 405), **each(QA_TEAM, (200, 405))}, kwargs=_round_kwargs),),
    "audits:allocation-confirm": (Entry({"default": (405, 403), **each(QA_TEAM, (405, 302))}, kwargs=_round_kwargs),),
    # An empty form is shown again with its errors.
    "audits:proposal-swap": (Entry({"default": (403, 403), **each(QA_TEAM, (200, 200))}, kwargs=_proposal_kwargs),),
    "audits:proposal-exclude": (Entry({"default": (403, 403), **each(QA_TEAM, (200, 200))}, kwargs=_proposal_kwargs),),
    "audits:proposal-include": (Entry({"default": (405, 403), **each(QA_TEAM, (405, 302))}, kwargs=_proposal_kwargs),),
    "audits:audit-cancel": (
        Entry(
            {"default": (404, 404), **each(SEE_AUDIT_A, (403, 403)), **each(QA_TEAM, (200, 200))},
            kwargs=_audit_of("case_a"),
        ),
    ),
    "audits:audit-reallocate": (
        Entry(
            {"default": (404, 404), **each(SEE_AUDIT_A, (403, 403)), **each(QA_TEAM, (200, 200))},
            kwargs=_audit_of("case_a"),
        ),
    ),
    # Only the audit's auditor declares a conflict.
    "audits:audit-declare-conflict": (
        Entry(
            {
                "default": (404, 404),
                **each(SEE_AUDIT_A, (403, 403)),
                **each(QA_TEAM, (403, 403)),
                "team_manager_other": (200, 200),
            },
            kwargs=_audit_of("case_a"),
        ),
    ),
}
