"""The demo's highlight reports (clinics.demo_reports): finalised months, a draft for the last month,
written through the services by each report's own writer, no PDFs, idempotent."""

from __future__ import annotations

import datetime

import pytest

from clinics.demo_reports import seed_reports
from clinics.models import HighlightReport, ReportKind, ReportVersion
from core.models import Job

pytestmark = pytest.mark.django_db
TODAY = datetime.date(2026, 11, 26)


def test_seed_reports_finalises_three_months_and_drafts_this_one(world):
    summary = seed_reports(size="tiny", today=TODAY)
    assert summary.startswith("Highlight reports:")
    team = HighlightReport.objects.filter(kind=ReportKind.TEAM_CLINIC, team=world.team_a1)
    # The last complete month (October: this month's clinic discusses it) is the draft.
    assert sorted((r.period.month, r.status) for r in team) == [
        (7, "final"),
        (8, "final"),
        (9, "final"),
        (10, "draft"),
    ]
    # Each month starts from the last; the writer is the team's own team manager.
    august, september = team.get(period__month=8), team.get(period__month=9)
    assert september.started_from == august.versions.get()
    version = ReportVersion.objects.get(report=september)
    assert version.finalised_by == world.people["team_manager_same"]
    assert version.finalised_at.date() > datetime.date(2026, 10, 1)
    assert version.narrative["working_well"]
    draft = team.get(period__month=10)
    assert draft.narrative
    assert draft.narrative_version == 1
    # Every level has a report. PDFs only where the seed makes them: none here, with no demo
    # team manager (the world's people are not the demo authority's).
    kinds = set(HighlightReport.objects.values_list("kind", flat=True))
    assert kinds == set(ReportKind.values)
    assert not Job.objects.exists()


def test_seed_reports_is_idempotent(world):
    seed_reports(size="tiny", today=TODAY)
    before = list(HighlightReport.objects.order_by("pk").values_list("pk", "status", "narrative", "narrative_version"))
    versions = ReportVersion.objects.count()
    seed_reports(size="tiny", today=TODAY)
    after = list(HighlightReport.objects.order_by("pk").values_list("pk", "status", "narrative", "narrative_version"))
    assert after == before
    assert ReportVersion.objects.count() == versions
