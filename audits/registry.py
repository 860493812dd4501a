"""Hooks, loaders and sweeps the audits app registers at start-up (called from AppConfig.ready).

Each part of the app keeps its registrations in a ``register()`` function of its own module.
"""

from __future__ import annotations

from django.db.models import Q

from core import hooks
from organisation.scope import CASE_SCOPE_HOOK, Scope


def allocated_auditor_cases(scope: Scope) -> Q:
    """Whoever is allocated an audit of a case sees that case file (a restricted one too).
    A subquery, not a join, so a case audited twice is not listed twice."""
    from .models import Audit

    return Q(pk__in=Audit.objects.filter(auditor_id=scope.user_id).exclude(status="cancelled").values("case_file_id"))


def register_all() -> None:
    from .services import (
        actions,
        answers,
        calibration,
        concern_process,
        concerns,
        dip_samples,
        early_help,
        moderation,
        monthly,
        practitioner,
        programme,
        reminders,
        tools,
    )

    hooks.register(CASE_SCOPE_HOOK, allocated_auditor_cases)
    for module in (
        tools,
        answers,
        concerns,
        practitioner,
        actions,
        monthly,
        concern_process,
        reminders,
        dip_samples,
        programme,
        early_help,
        moderation,
        calibration,
    ):
        module.register()
