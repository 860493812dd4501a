"""Reads for practice weeks: the weeks, a leader's activities, the quotes waiting for the QA team,
and the aggregate summary for the Practice and Performance Assurance Board (seed 6.3).

The summary is aggregate only: counts by activity kind and service area, the number of leaders
taking part (never who), what was found grouped by service area (no leader or team names), and
quotes only in the wording the QA team approved, unattributed. It takes one query whatever the
number of activities, so the board's PDF (the highlight reports) can reuse it.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass

from django.db.models import Count, Q, QuerySet

from organisation.scope import Scope

from .models import ActivityKind, PracticeWeek, PracticeWeekActivity, QuoteStatus


def practice_weeks_listed() -> list[PracticeWeek]:
    """Every week, newest first, with how many activities and quotes waiting each has. One query."""
    return list(
        PracticeWeek.objects.annotate(
            activity_count=Count("activities"),
            quotes_waiting=Count("activities", filter=Q(activities__quote_status=QuoteStatus.PROPOSED)),
        ).order_by("-starts_on")
    )


def practice_week_activities_visible(scope: Scope) -> QuerySet[PracticeWeekActivity]:
    """A leader sees their own activities; the QA team sees everyone's."""
    if scope.user_id is None:
        return PracticeWeekActivity.objects.none()
    if scope.is_qa:
        return PracticeWeekActivity.objects.all()
    return PracticeWeekActivity.objects.filter(leader_id=scope.user_id)


def practice_week_activities_for(scope: Scope, week: PracticeWeek) -> list[PracticeWeekActivity]:
    """The week's activities this person sees, in date order. One query."""
    return list(
        practice_week_activities_visible(scope)
        .filter(week=week)
        .select_related("leader", "service_area", "team")
        .order_by("happened_on", "pk")
    )


def practice_week_quotes_waiting(week: PracticeWeek) -> list[PracticeWeekActivity]:
    """Quotes waiting for the QA team's decision, oldest first. One query."""
    return list(
        PracticeWeekActivity.objects.filter(week=week, quote_status=QuoteStatus.PROPOSED)
        .select_related("service_area")
        .order_by("happened_on", "pk")
    )


def practice_week_quotes_decided(week: PracticeWeek) -> list[PracticeWeekActivity]:
    """Quotes already approved or declined, for the QA team's reference. One query."""
    return list(
        PracticeWeekActivity.objects.filter(
            week=week, quote_status__in=(QuoteStatus.APPROVED, QuoteStatus.DECLINED)
        ).order_by("quote_status", "happened_on", "pk")
    )


# --- the summary -----------------------------------------------------------------------------------
@dataclass(frozen=True)
class AreaCounts:
    """One service area's row: activities of each kind (in ActivityKind order) and their total."""

    service_area: str
    counts: tuple[int, ...]

    @property
    def total(self) -> int:
        return sum(self.counts)


@dataclass(frozen=True)
class AreaFindings:
    """What leaders found in one service area, without who found it or in which team."""

    service_area: str
    strengths: tuple[str, ...]
    areas_to_develop: tuple[str, ...]


@dataclass(frozen=True)
class PracticeWeekSummary:
    week: PracticeWeek
    kinds: tuple[str, ...]  # column headings, in ActivityKind order
    rows: tuple[AreaCounts, ...]  # by service area name
    kind_totals: tuple[int, ...]
    activities: int
    leaders: int
    findings: tuple[AreaFindings, ...]
    quotes: tuple[str, ...]  # approved wordings only


def practice_week_summary(*, week: PracticeWeek) -> PracticeWeekSummary:
    """The aggregate summary of one practice week. One query, whatever the number of activities."""
    kinds = list(ActivityKind.values)
    rows = (
        PracticeWeekActivity.objects.filter(week=week)
        .order_by("service_area__name", "service_area_id", "happened_on", "pk")
        .values_list(
            "kind",
            "service_area_id",
            "service_area__name",
            "leader_id",
            "strengths",
            "areas_to_develop",
            "quote_status",
            "quote_approved_text",
        )
    )
    counts: dict[int, list[int]] = {}
    names: dict[int, str] = {}
    strengths: dict[int, list[str]] = defaultdict(list)
    to_develop: dict[int, list[str]] = defaultdict(list)
    leaders: set[int] = set()
    quotes: list[str] = []
    for kind, area_id, area_name, leader_id, strength, develop, quote_status, approved in rows:
        names[area_id] = area_name
        counts.setdefault(area_id, [0] * len(kinds))[kinds.index(kind)] += 1
        leaders.add(leader_id)
        if strength:
            strengths[area_id].append(strength)
        if develop:
            to_develop[area_id].append(develop)
        # Only the wording the QA team approved, never the quote as heard.
        if quote_status == QuoteStatus.APPROVED and approved:
            quotes.append(approved)
    area_rows = tuple(AreaCounts(names[pk], tuple(row)) for pk, row in counts.items())
    return PracticeWeekSummary(
        week=week,
        kinds=tuple(ActivityKind(kind).label for kind in kinds),
        rows=area_rows,
        kind_totals=tuple(sum(r.counts[i] for r in area_rows) for i in range(len(kinds))),
        activities=sum(r.total for r in area_rows),
        leaders=len(leaders),
        findings=tuple(
            AreaFindings(names[pk], tuple(strengths[pk]), tuple(to_develop[pk]))
            for pk in counts
            if strengths[pk] or to_develop[pk]
        ),
        quotes=tuple(quotes),
    )
