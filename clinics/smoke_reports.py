"""Smoke-test samplers for the highlight report pages (see observations/smoke.py).

The team manager's own team clinic report for the latest month with a report (their draft shows
the narrative form; a finalised one the versions and PDF), else their team's report for the last
complete month, which reading never creates."""

from __future__ import annotations

from typing import Any

SAMPLERS: dict[str, Any] = {}


def _team_report(personas: Any) -> dict[str, Any] | None:
    from django.utils import timezone

    from organisation.scope import scope_for

    from .models import HighlightReport, ReportKind
    from .selectors_reports import last_complete_month

    scope = scope_for(personas.team_manager)
    if not scope.managed_team_ids:
        return None
    report = (
        HighlightReport.objects.filter(kind=ReportKind.TEAM_CLINIC, team_id__in=scope.managed_team_ids)
        .select_related("team")
        .order_by("-period", "pk")
        .first()
    )
    if report is not None:
        return {"kind": report.kind, "code": report.team.code, "month": f"{report.period:%Y-%m}"}
    from organisation.models import Team

    team = Team.objects.filter(pk__in=scope.managed_team_ids).order_by("code").first()
    month = last_complete_month(timezone.localdate())
    return {"kind": ReportKind.TEAM_CLINIC.value, "code": team.code, "month": f"{month:%Y-%m}"} if team else None


SAMPLERS.update(
    dict.fromkeys(
        (
            "clinics:report-detail",
            "clinics:report-preview",
            "clinics:report-finalise",
            "clinics:report-reopen",
            "clinics:report-appendix",
        ),
        _team_report,
    )
)
