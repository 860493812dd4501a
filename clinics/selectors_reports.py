"""Reads for the highlight report pages: which reports a person has for a month, and one report.

Every list is built from :mod:`clinics.permissions` (the same rules as each report's page), so the
list and the page can never disagree. A report nobody has started is a row with no report: reading
never creates one.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass

from django.db.models import Q
from django.utils import timezone

from organisation.models import ServiceArea
from organisation.scope import Scope

from .models import HighlightReport, ReportKind, ReportVersion
from .permissions import (
    Place,
    can_read_report,
    can_write_report,
    place_code,
    place_label,
    readable_team_places,
    scope_key_for,
)
from .report_kinds import KINDS


def last_complete_month(today: datetime.date) -> datetime.date:
    """The first day of the month before ``today``'s: the month reports are normally written for."""
    return (today.replace(day=1) - datetime.timedelta(days=1)).replace(day=1)


@dataclass
class ReportRow:
    """One report a person may read or write for a month, started or not."""

    kind: str
    place: Place
    period: datetime.date
    can_write: bool
    group: str
    report: HighlightReport | None = None
    latest: ReportVersion | None = None

    @property
    def code(self) -> str:
        return place_code(self.place)

    @property
    def title(self) -> str:
        return KINDS[self.kind].title

    @property
    def place_label(self) -> str:
        return place_label(self.place)

    @property
    def month(self) -> str:
        return f"{self.period:%Y-%m}"

    @property
    def status(self) -> str:
        return report_status(self.report, self.latest)

    @property
    def author_name(self) -> str:
        if self.latest is not None and self.report is not None and self.report.status == HighlightReport.Status.FINAL:
            return self.latest.author_name
        if self.report is not None and self.report.author is not None:
            return self.report.author.full_name
        return ""


def report_status(report: HighlightReport | None, latest: ReportVersion | None) -> str:
    """ "Not started", "Draft, last saved 3 November 2026 at 14:05" or "Finalised 3 November 2026"."""
    if report is None:
        return "Not started"
    if report.status == HighlightReport.Status.FINAL and latest is not None:
        day = timezone.localtime(latest.finalised_at)
        return f"Finalised {day.day} {day:%B %Y}"
    saved = timezone.localtime(report.updated_at)
    return f"Draft, last saved {saved.day} {saved:%B %Y} at {saved:%H:%M}"


def readable_areas(scope: Scope) -> list[ServiceArea]:
    """Service areas whose board report this person may read (for the list and its filter)."""
    areas = ServiceArea.objects.order_by("name")
    if not scope.whole_authority:
        areas = areas.filter(pk__in=scope.area_ids)
    return [a for a in areas if can_read_report(scope, ReportKind.SERVICE_BOARD, a)]


def report_rows(scope: Scope, *, period: datetime.date, area: ServiceArea | None = None) -> list[ReportRow]:
    """Every report this person may read or write for ``period``, without their reports loaded
    (see :func:`load_reports`): the whole-service reports first, then each service area's board
    report followed by its teams' clinic reports, by name."""
    rows: list[ReportRow] = []
    if area is None:
        for kind in (ReportKind.ASSURANCE_BOARD, ReportKind.PRACTICE_WEEK):
            if can_read_report(scope, kind, None):
                rows.append(ReportRow(kind, None, period, can_write_report(scope, kind, None), group="Whole service"))
    teams = sorted(readable_team_places(scope), key=lambda t: (t.service_area.name, t.name))
    areas = {a.pk: a for a in readable_areas(scope)}
    for team in teams:
        areas.setdefault(team.service_area_id, team.service_area)
    for area_obj in sorted(areas.values(), key=lambda a: a.name):
        if area is not None and area_obj.pk != area.pk:
            continue
        if can_read_report(scope, ReportKind.SERVICE_BOARD, area_obj):
            rows.append(
                ReportRow(
                    ReportKind.SERVICE_BOARD,
                    area_obj,
                    period,
                    can_write_report(scope, ReportKind.SERVICE_BOARD, area_obj),
                    group=area_obj.name,
                )
            )
        for team in teams:
            if team.service_area_id == area_obj.pk:
                rows.append(
                    ReportRow(
                        ReportKind.TEAM_CLINIC,
                        team,
                        period,
                        can_write_report(scope, ReportKind.TEAM_CLINIC, team),
                        group=area_obj.name,
                    )
                )
    return rows


def load_reports(rows: list[ReportRow]) -> list[ReportRow]:
    """Attach each row's report and latest version: two queries, however many rows."""
    if not rows:
        return rows
    keys = Q(pk__in=[])
    for row in rows:
        keys |= Q(kind=row.kind, scope_key=scope_key_for(row.place), period=row.period)
    reports = {(r.kind, r.scope_key): r for r in HighlightReport.objects.filter(keys).select_related("author")}
    latest: dict[int, ReportVersion] = {}
    if reports:
        versions = (
            ReportVersion.objects.filter(report__in=list(reports.values()))
            .defer("context", "narrative")
            .order_by("report", "number")
        )
        for version in versions:
            latest[version.report_id] = version
    for row in rows:
        row.report = reports.get((row.kind, scope_key_for(row.place)))
        row.latest = latest.get(row.report.pk) if row.report else None
    return rows


def report_for(kind: str, place: Place, period: datetime.date) -> HighlightReport | None:
    """The report for this kind, place and month, if anyone has started it."""
    return (
        HighlightReport.objects.filter(kind=kind, scope_key=scope_key_for(place), period=period)
        .select_related("team__service_area", "service_area", "author", "started_from__report")
        .first()
    )


def versions_of(report: HighlightReport | None) -> list[ReportVersion]:
    """The report's finalised versions, newest first."""
    if report is None:
        return []
    return list(report.versions.select_related("finalised_by").order_by("-number"))
