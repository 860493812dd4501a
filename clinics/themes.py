"""Themes across the service (DESIGN section 9): findings carry theme tags — the audit elements, the
pillars of practice and the QA team's own themes — and roll up by service area and period, never by
named practitioner.

A finding graded Good or Outstanding counts as a strength of its themes; one graded Requires
improvement or Inadequate as an area to develop. Completed dip samples and practice observations
add their own tagged findings (see ``_dip_sample_findings`` and ``_observation_findings``): each
counts each of its themes once.
"""

from __future__ import annotations

import datetime
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field
from itertools import groupby

from django.db.models import Count, IntegerField, OuterRef, Q, Subquery
from django.db.models.functions import Coalesce

from audits.models import DONE_STATUSES, DipSample, DipSampleItem, ElementAnswer, Grade, Pillar, Theme
from observations.models import CriterionResult, Observation

STRENGTH_GRADES = frozenset({Grade.OUTSTANDING, Grade.GOOD})
TO_DEVELOP_GRADES = frozenset({Grade.REQUIRES_IMPROVEMENT, Grade.INADEQUATE})


@dataclass(frozen=True)
class ThemeCount:
    key: str  # "element:<code>", "pillar:<key>" or "theme:<slug>"
    label: str
    source: str  # "Audit element", "Pillar of practice" or "Theme"
    count: int


@dataclass(frozen=True)
class ThemeRollup:
    first: datetime.date
    last: datetime.date
    findings: int  # graded findings counted
    strengths: list[ThemeCount] = field(default_factory=list)
    to_develop: list[ThemeCount] = field(default_factory=list)

    def as_json(self) -> dict:
        def rows(items: list[ThemeCount]) -> list[dict]:
            return [{"key": t.key, "label": t.label, "source": t.source, "count": t.count} for t in items]

        return {"findings": self.findings, "strengths": rows(self.strengths), "to_develop": rows(self.to_develop)}


@dataclass(frozen=True)
class _Finding:
    strength: bool
    keys: tuple[str, ...]


def _audit_findings(
    *, first: datetime.date, last: datetime.date, service_area_id: int | None, team_id: int | None
) -> Iterable[tuple[_Finding, dict[str, str]]]:
    """Graded element answers of completed audits whose month falls in the period. One query."""
    qs = ElementAnswer.objects.filter(
        audit__status__in=DONE_STATUSES,
        audit__month__gte=first,
        audit__month__lte=last,
        grade__in=[*STRENGTH_GRADES, *TO_DEVELOP_GRADES],
        not_applicable=False,
    )
    if service_area_id is not None:
        qs = qs.filter(audit__service_area_id=service_area_id)
    if team_id is not None:
        qs = qs.filter(audit__team_id=team_id)
    rows = qs.values_list("grade", "theme_tags", "pillar_tags", "element__code", "element__title").order_by()
    for grade, themes, pillars, code, title in rows.iterator(chunk_size=2000):
        keys = [f"element:{code}", *(f"pillar:{p}" for p in pillars or []), *(f"theme:{t}" for t in themes or [])]
        yield _Finding(strength=grade in STRENGTH_GRADES, keys=tuple(keys)), {f"element:{code}": f"{code} {title}"}


def _count_items(**filters: object) -> Subquery:
    """How many of a dip sample's files match ``filters`` (a correlated subquery, so the sample,
    its counts and its themes come back in one query)."""
    items = (
        DipSampleItem.objects.filter(sample=OuterRef("pk"), **filters)
        .order_by()
        .values("sample")
        .annotate(n=Count("pk"))
        .values("n")
    )
    return Coalesce(Subquery(items, output_field=IntegerField()), 0)


def _dip_sample_findings(
    *, first: datetime.date, last: datetime.date, service_area_id: int | None, team_id: int | None
) -> Iterable[tuple[_Finding, dict[str, str]]]:
    """Completed dip samples of the period's rounds that the manager tagged with themes. One query.

    A sample is one finding: each of its themes counts once — as a strength when most of the files
    looked at were **met** (more than half; "partly met" is not yet met), else as an area to
    develop. A sample of a service area counts for that area; a team manager's for their team and
    its area."""
    qs = DipSample.objects.filter(
        status=DipSample.Status.DONE,
        round__month__gte=first,
        round__month__lte=last,
        themes__isnull=False,
    )
    if service_area_id is not None:
        qs = qs.filter(Q(service_area_id=service_area_id) | Q(team__service_area_id=service_area_id))
    if team_id is not None:
        qs = qs.filter(team_id=team_id)
    rows = (
        qs.annotate(met=_count_items(result=DipSampleItem.Result.MET), answered=_count_items(result__gt=""))
        .values_list("pk", "met", "answered", "themes__slug")
        .order_by("pk")
    )
    for _, group in groupby(rows.iterator(chunk_size=2000), key=lambda row: row[0]):
        group = list(group)
        met, answered = group[0][1], group[0][2]
        keys = tuple(sorted({f"theme:{row[3]}" for row in group}))
        yield _Finding(strength=met * 2 > answered, keys=keys), {}


def _month_after(month: datetime.date) -> datetime.date:
    """The first day of the month after ``month``: ``last`` is a month, so its days all count."""
    return (month.replace(day=1) + datetime.timedelta(days=32)).replace(day=1)


def _observation_findings(
    *, first: datetime.date, last: datetime.date, service_area_id: int | None, team_id: int | None
) -> Iterable[tuple[_Finding, dict[str, str]]]:
    """Completed practice observations of the period that the observer tagged. One query.

    Observations are reflective, not graded: what the observer saw is talked through with the
    practitioner. So an observation counts each theme once as a **strength**, unless its own
    checklist says otherwise — when more items were partly met or not met than met, its themes
    count as areas to develop. Items not seen count neither way."""
    qs = Observation.objects.filter(
        status=Observation.Status.COMPLETED,
        observed_on__gte=first,
        observed_on__lt=_month_after(last),
        themes__isnull=False,
    )
    if service_area_id is not None:
        qs = qs.filter(service_area_id=service_area_id)
    if team_id is not None:
        qs = qs.filter(team_id=team_id)
    rows = qs.values_list("pk", "criteria", "themes__slug").order_by("pk")
    for _, group in groupby(rows.iterator(chunk_size=2000), key=lambda row: row[0]):
        group = list(group)
        results = [a.get("result") for a in (group[0][1] or {}).values() if isinstance(a, dict)]
        met = results.count(CriterionResult.MET)
        not_yet = results.count(CriterionResult.PARTLY_MET) + results.count(CriterionResult.NOT_MET)
        keys = tuple(sorted({f"theme:{row[2]}" for row in group}))
        yield _Finding(strength=not_yet <= met, keys=keys), {}


def _other_findings(
    *, first: datetime.date, last: datetime.date, service_area_id: int | None, team_id: int | None
) -> Iterable[tuple[_Finding, dict[str, str]]]:
    """Tagged findings from dip samples and practice observations: one query each."""
    place = {"first": first, "last": last, "service_area_id": service_area_id, "team_id": team_id}
    yield from _dip_sample_findings(**place)
    yield from _observation_findings(**place)


def period_themes(
    *,
    first: datetime.date,
    last: datetime.date,
    service_area_id: int | None = None,
    team_id: int | None = None,
    limit: int = 5,
) -> ThemeRollup:
    """The top strengths and areas to develop for a place and period (whole service when no place
    is given). A fixed number of queries whatever the data size."""
    strengths: Counter[str] = Counter()
    to_develop: Counter[str] = Counter()
    labels: dict[str, str] = {}
    findings = 0
    for source in (_audit_findings, _other_findings):
        for finding, names in source(first=first, last=last, service_area_id=service_area_id, team_id=team_id):
            findings += 1
            labels.update(names)
            (strengths if finding.strength else to_develop).update(finding.keys)
    labels.update({f"pillar:{k}": n for k, n in Pillar.objects.order_by("key", "version").values_list("key", "name")})
    labels.update({f"theme:{s}": n for s, n in Theme.objects.values_list("slug", "name")})
    sources = {"element": "Audit element", "pillar": "Pillar of practice", "theme": "Theme"}

    def top(counter: Counter[str]) -> list[ThemeCount]:
        ranked = sorted(counter.items(), key=lambda kv: (-kv[1], labels.get(kv[0], kv[0])))[:limit]
        return [
            ThemeCount(key=k, label=labels.get(k, k.split(":", 1)[1]), source=sources[k.split(":", 1)[0]], count=n)
            for k, n in ranked
        ]

    return ThemeRollup(first=first, last=last, findings=findings, strengths=top(strengths), to_develop=top(to_develop))
