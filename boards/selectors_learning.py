"""Reading the learning loop (DESIGN section 9): who sees it, the themes by service area and over
time, and the learning with its source.

Everything here is aggregate: themes are counted by service area and period, never by named
practitioner and never per practitioner, and a count below :data:`SMALL_COUNT` is shown as "fewer
than 5" because small numbers can identify people. Reviewing officers' alerts are counted by theme
and kind; their free text stays on the feedback pages.
"""

from __future__ import annotations

import datetime
from collections import Counter
from dataclasses import dataclass

from django.db.models import Count, Q, QuerySet

from audits.models import Theme
from audits.services.monthly import months_before
from clinics.themes import ThemeRollup, period_themes
from feedback.models import ReviewingOfficerAlert, VoiceEntry, VoiceSource
from organisation.models import Duty, Role, ServiceArea
from organisation.scope import Scope

from .models import LearningSummary, ReflectiveDiscussion

# Who reads the learning page: the PSW and practice leads (by duty) for whom it is made, and the
# QA team and senior leaders, who see the same aggregates.
READER_ROLES = frozenset(
    {Role.PSW, Role.QA_OFFICER, Role.QA_MANAGER, Role.HEAD_OF_SERVICE, Role.ASSISTANT_DIRECTOR, Role.DIRECTOR}
)
# Who records learning summaries and reflective discussions.
RECORDER_ROLES = frozenset({Role.PSW, Role.QA_OFFICER, Role.QA_MANAGER})
# Learning from these sources appears on the learning page with its source (seed section 9).
LEARNING_SOURCES = (VoiceSource.PRACTICE_REVIEW, VoiceSource.COMPLAINT, VoiceSource.OFSTED_NOTIFICATION)
SMALL_COUNT = 5
FEWER_THAN = f"fewer than {SMALL_COUNT}"
QUARTERS = 4
ITEMS_SHOWN = 50


def can_view_learning(scope: Scope) -> bool:
    return scope.has_role(*READER_ROLES) or scope.has_duty(Duty.PRACTICE_LEAD)


def can_record_learning(scope: Scope) -> bool:
    return scope.has_role(*RECORDER_ROLES) or scope.has_duty(Duty.PRACTICE_LEAD)


def sees_every_area(scope: Scope) -> bool:
    """The PSW and practice leads work across the service, so they see every area (as aggregates),
    like the QA team and directors; a head of service sees their own areas."""
    return scope.whole_authority or scope.has_role(Role.PSW) or scope.has_duty(Duty.PRACTICE_LEAD)


def learning_areas(scope: Scope) -> list[ServiceArea]:
    """The service areas offered as choices and shown side by side: only those this person sees."""
    qs = ServiceArea.objects.all() if sees_every_area(scope) else ServiceArea.objects.filter(pk__in=scope.area_ids)
    return list(qs.order_by("name"))


def shown_count(count: int) -> str:
    """A count as the page shows it: small numbers can identify people."""
    return FEWER_THAN if 0 < count < SMALL_COUNT else f"{count:,}"


def month_end(month: datetime.date) -> datetime.date:
    return months_before(month, -1) - datetime.timedelta(days=1)


def default_period(today: datetime.date) -> tuple[datetime.date, datetime.date]:
    """The last 3 complete months: (first month, last month)."""
    last = months_before(today.replace(day=1), 1)
    return months_before(last, 2), last


def _place_filter(scope: Scope, area_id: int | None) -> Q:
    """Records for one area (and the whole service's), or for every area this person sees."""
    if area_id is not None:
        return Q(service_area_id=area_id) | Q(service_area__isnull=True)
    if sees_every_area(scope):
        return Q()
    return Q(service_area_id__in=scope.area_ids) | Q(service_area__isnull=True)


def summaries_visible(scope: Scope) -> QuerySet[LearningSummary]:
    """Learning summaries this person may read: every one for those who see every area; a head of
    service, their areas' and the whole service's. Another area's answers 404."""
    if not can_view_learning(scope):
        return LearningSummary.objects.none()
    return LearningSummary.objects.filter(_place_filter(scope, None)).select_related("service_area", "written_by")


def discussions_visible(scope: Scope) -> QuerySet[ReflectiveDiscussion]:
    if not can_view_learning(scope):
        return ReflectiveDiscussion.objects.none()
    return ReflectiveDiscussion.objects.filter(_place_filter(scope, None)).select_related("service_area", "facilitator")


def learning_summaries(
    *, first: datetime.date, last: datetime.date, service_area_id: int | None = None
) -> list[LearningSummary]:
    """Learning summaries overlapping the months ``first`` to ``last`` (first-of-month dates), for
    the board reports: with an area, that area's and the whole service's; without, every one (the
    whole service's board reads them all). Newest first. Two queries (the summaries, their themes)."""
    qs = LearningSummary.objects.filter(period_from__lte=month_end(last), period_to__gte=first)
    if service_area_id is not None:
        qs = qs.filter(Q(service_area_id=service_area_id) | Q(service_area__isnull=True))
    return list(qs.select_related("service_area").prefetch_related("themes").order_by("-period_to", "-pk"))


# --- the learning page ------------------------------------------------------------------------------------
@dataclass(frozen=True)
class PlaceThemes:
    """One column of the side-by-side view: a service area, or the whole service (area None)."""

    label: str
    area_id: int | None
    rollup: ThemeRollup

    @property
    def strengths(self) -> list[tuple[str, str, str]]:
        """(label, source, count as shown) of the top strengths."""
        return [(t.label, t.source, shown_count(t.count)) for t in self.rollup.strengths]

    @property
    def to_develop(self) -> list[tuple[str, str, str]]:
        return [(t.label, t.source, shown_count(t.count)) for t in self.rollup.to_develop]


@dataclass(frozen=True)
class TrendRow:
    label: str
    source: str
    strength: bool
    counts: list[str]


@dataclass(frozen=True)
class LearningItem:
    """One piece of learning, labelled with where it came from."""

    happened_on: datetime.date
    source: str
    title: str
    themes: list[str]
    text: str
    url_name: str = ""
    pk: int | None = None


@dataclass(frozen=True)
class AlertRow:
    theme: str
    good_practice: str
    concerns: str


@dataclass
class LearningPage:
    first: datetime.date
    last: datetime.date
    places: list[PlaceThemes]
    trend_label: str
    quarters: list[tuple[datetime.date, datetime.date]]
    trend: list[TrendRow]
    items: list[LearningItem]
    more_items: bool
    alerts: list[AlertRow]
    alerts_total: str


def _quarters(last: datetime.date) -> list[tuple[datetime.date, datetime.date]]:
    """The last 4 three-month periods ending with ``last``, oldest first."""
    ends = [months_before(last, 3 * n) for n in range(QUARTERS - 1, -1, -1)]
    return [(months_before(end, 2), end) for end in ends]


def _trend(
    top: ThemeRollup, quarters: list[tuple[datetime.date, datetime.date]], area_id: int | None
) -> list[TrendRow]:
    """How the place's top themes were counted in each of the last 4 quarters."""
    per_quarter = [period_themes(first=a, last=b, service_area_id=area_id, limit=10_000) for a, b in quarters]
    strengths = [{t.key: t.count for t in r.strengths} for r in per_quarter]
    to_develop = [{t.key: t.count for t in r.to_develop} for r in per_quarter]
    rows = [TrendRow(t.label, t.source, True, [shown_count(q.get(t.key, 0)) for q in strengths]) for t in top.strengths]
    rows += [
        TrendRow(t.label, t.source, False, [shown_count(q.get(t.key, 0)) for q in to_develop]) for t in top.to_develop
    ]
    return rows


def _items(scope: Scope, *, first: datetime.date, last: datetime.date, area_id: int | None) -> list[LearningItem]:
    """Learning summaries, reflective discussions and learning from practice reviews, complaints and
    Ofsted notifications in the period, newest first. Six queries (three lists, their themes)."""
    place = _place_filter(scope, area_id)
    end = month_end(last)
    items: list[LearningItem] = []
    summaries = (
        LearningSummary.objects.filter(place, period_from__lte=end, period_to__gte=first)
        .prefetch_related("themes")
        .order_by("-period_to", "-pk")[:ITEMS_SHOWN]
    )
    items += [
        LearningItem(
            s.period_to,
            "Learning summary",
            s.title,
            [t.name for t in s.themes.all()],
            s.summary,
            "boards:learning-summary-detail",
            s.pk,
        )
        for s in summaries
    ]
    discussions = (
        ReflectiveDiscussion.objects.filter(place, held_on__gte=first, held_on__lte=end)
        .prefetch_related("themes")
        .order_by("-held_on", "-pk")[:ITEMS_SHOWN]
    )
    items += [
        LearningItem(
            d.held_on,
            f"Reflective discussion led by {d.get_led_by_display().lower()}",
            d.topic,
            [t.name for t in d.themes.all()],
            d.learning,
            "boards:reflective-discussion-detail",
            d.pk,
        )
        for d in discussions
    ]
    voices = (
        VoiceEntry.objects.filter(place, source__in=LEARNING_SOURCES, happened_on__gte=first, happened_on__lte=end)
        .prefetch_related("themes")
        .order_by("-happened_on", "-pk")[:ITEMS_SHOWN]
    )
    items += [
        LearningItem(v.happened_on, v.get_source_display(), v.title, [t.name for t in v.themes.all()], v.summary)
        for v in voices
    ]
    items.sort(key=lambda item: item.happened_on, reverse=True)
    return items


def _alerts(
    scope: Scope, *, first: datetime.date, last: datetime.date, area_id: int | None
) -> tuple[list[AlertRow], int]:
    """Reviewing officers' alerts of the period counted by theme and kind (one query): the counts
    only — their free text is about one child and stays on the feedback pages."""
    qs = ReviewingOfficerAlert.objects.filter(meeting_on__gte=first, meeting_on__lte=month_end(last))
    if area_id is not None:
        qs = qs.filter(service_area_id=area_id)
    elif not sees_every_area(scope):
        qs = qs.filter(service_area_id__in=scope.area_ids)
    counts: Counter[tuple[str, str]] = Counter()
    for theme, kind, n in qs.values_list("theme__name", "kind").annotate(n=Count("pk")).order_by():
        counts[(theme, kind)] += n
    themes = sorted({theme for theme, _ in counts})
    good, concern = ReviewingOfficerAlert.Kind.GOOD_PRACTICE, ReviewingOfficerAlert.Kind.PRACTICE_CONCERN
    rows = [AlertRow(t, shown_count(counts[(t, good)]), shown_count(counts[(t, concern)])) for t in themes]
    return rows, sum(counts.values())


def learning_page(scope: Scope, *, first: datetime.date, last: datetime.date, area: ServiceArea | None) -> LearningPage:
    """What the learning page shows for a period and a service area (None: every area this person
    sees, side by side, and the whole service for those who see every area).

    Queries grow with the number of service areas shown (a fixed few each), never with the data."""
    areas = [area] if area is not None else learning_areas(scope)
    places = [PlaceThemes(a.name, a.pk, period_themes(first=first, last=last, service_area_id=a.pk)) for a in areas]
    whole = None
    if sees_every_area(scope):
        whole = PlaceThemes("The whole service", None, period_themes(first=first, last=last))
        places.append(whole)
    # The trend is for the place chosen; with no area chosen, the whole service (or a head of
    # service's first area).
    trend_place = whole if area is None and whole is not None else (places[0] if places else None)
    quarters = _quarters(last)
    trend = _trend(trend_place.rollup, quarters, trend_place.area_id) if trend_place else []
    items = _items(scope, first=first, last=last, area_id=area.pk if area else None)
    alerts, alerts_total = _alerts(scope, first=first, last=last, area_id=area.pk if area else None)
    return LearningPage(
        first=first,
        last=last,
        places=places,
        trend_label=trend_place.label if trend_place else "",
        quarters=quarters,
        trend=trend,
        items=items[:ITEMS_SHOWN],
        more_items=len(items) > ITEMS_SHOWN,
        alerts=alerts,
        alerts_total=shown_count(alerts_total),
    )


def active_themes() -> QuerySet[Theme]:
    return Theme.objects.filter(active=True).order_by("name")
