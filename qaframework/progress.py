"""Audit programme progress (DESIGN section 4): a page that gathers from every app.

Per month and within the viewer's scope: monthly (and early help) audits expected, done, late
and cancelled; dip samples expected, done and late — by auditor, team and service area. Counts
only, rows ordered by name, never by a count, and no grades at all: the page shows whether the
programme is happening, never how well anyone practises (the product never ranks people).

Definitions, stated on the page too:
* expected: allocated and not cancelled (a cancelled audit is never counted as missed);
* done: submitted (whether by the due date or later);
* late: done after the due date, or not done and the due date has passed;
* a dip sample is done when its files are looked at or a practice observation is recorded
  instead;
* practice observations: completed observations observed in the month, by their observer
  ("By auditor") or by the observation's frozen team and service area. Only a count: the page
  never opens the record, which only the practitioner's line, the observer and QA see.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field

from django.core.exceptions import PermissionDenied
from django.db.models import Count, F, Q, QuerySet
from django.db.models.functions import Coalesce
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import path
from django.views.decorators.http import require_GET

from audits.forms_dip_samples import MonthForm
from audits.models import DONE_STATUSES, Audit, AuditKind, AuditStatus, DipSample
from audits.permissions import can_list_audits
from audits.selectors import audit_filter
from audits.services.dip_samples import FINISHED, dip_sample_filter
from observations.models import Observation
from organisation.models import RoleAssignment, Team, User
from organisation.scope import Scope

# The monthly programme: the monthly case-file audit and its early help counterpart.
PROGRAMME_KINDS = (AuditKind.MONTHLY, AuditKind.EARLY_HELP)


@dataclass
class Row:
    """One line of a breakdown: a person, team or service area and its counts."""

    name: str
    audits_expected: int = 0
    audits_done: int = 0
    audits_late: int = 0
    audits_cancelled: int = 0
    dips_expected: int = 0
    dips_done: int = 0
    dips_late: int = 0
    observations: int = 0


COUNT_FIELDS = (
    "audits_expected",
    "audits_done",
    "audits_late",
    "audits_cancelled",
    "dips_expected",
    "dips_done",
    "dips_late",
    "observations",
)


@dataclass
class Breakdown:
    title: str
    heading: str
    rows: list[Row] = field(default_factory=list)

    @property
    def total(self) -> Row:
        total = Row(name="Total")
        for row in self.rows:
            for name in COUNT_FIELDS:
                setattr(total, name, getattr(total, name) + getattr(row, name))
        return total


def _audit_counts(qs: QuerySet[Audit], key: str, today: datetime.date) -> dict[int, dict[str, int]]:
    cancelled = Q(status=AuditStatus.CANCELLED)
    done = Q(status__in=DONE_STATUSES)
    late = (done & Q(submitted_at__date__gt=F("due_on"))) | (~done & ~cancelled & Q(due_on__lt=today))
    rows = (
        qs.order_by()
        .values(key)
        .annotate(
            expected=Count("pk", filter=~cancelled),
            done=Count("pk", filter=done),
            late=Count("pk", filter=late),
            cancelled=Count("pk", filter=cancelled),
        )
    )
    return {r[key]: r for r in rows}


def _dip_counts(qs: QuerySet[DipSample], key: str, today: datetime.date) -> dict[int, dict[str, int]]:
    done = Q(status__in=FINISHED)
    late = (done & Q(completed_at__date__gt=F("due_on"))) | (~done & Q(due_on__lt=today))
    rows = (
        qs.order_by()
        .values(key)
        .annotate(expected=Count("pk"), done=Count("pk", filter=done), late=Count("pk", filter=late))
    )
    return {r[key]: r for r in rows}


def _observation_counts(qs: QuerySet[Observation], key: str) -> dict[int, int]:
    rows = qs.order_by().values(key).annotate(n=Count("pk"))
    return {r[key]: r["n"] for r in rows}


def _rows(
    names: dict[int, str],
    audits: dict[int, dict[str, int]],
    dips: dict[int, dict[str, int]],
    observations: dict[int, int],
    *,
    keep_empty: bool,
) -> list[Row]:
    rows = []
    for pk, name in names.items():
        a, d, o = audits.get(pk, {}), dips.get(pk, {}), observations.get(pk, 0)
        if not keep_empty and not a and not d and not o:
            continue
        rows.append(
            Row(
                name=name,
                audits_expected=a.get("expected", 0),
                audits_done=a.get("done", 0),
                audits_late=a.get("late", 0),
                audits_cancelled=a.get("cancelled", 0),
                dips_expected=d.get("expected", 0),
                dips_done=d.get("done", 0),
                dips_late=d.get("late", 0),
                observations=o,
            )
        )
    # By name, never by a count: this page does not rank people or teams.
    return sorted(rows, key=lambda r: r.name.lower())


def people_in_scope(scope: Scope) -> Q:
    """A Q over user ids (``field``-less): the viewer and everyone with a role in a team or area
    they see. Whole-service roles see everyone."""
    if scope.whole_authority:
        return Q()
    teams = Team.objects.filter(Q(pk__in=scope.managed_team_ids) | Q(service_area_id__in=scope.area_ids))
    assignments = RoleAssignment.objects.active_on(scope.today).filter(
        Q(team__in=teams) | Q(service_area_id__in=scope.area_ids)
    )
    return Q(pk=scope.user_id) | Q(pk__in=assignments.values("person_id"))


def programme_progress(*, scope: Scope, month: datetime.date) -> list[Breakdown]:
    """The three breakdowns for a month. A fixed number of queries, whatever the number of rows:
    per breakdown, one each for audits, dip samples, practice observations and the names."""
    first = month.replace(day=1)
    today = scope.today
    audits = Audit.objects.filter(month=first, kind__in=PROGRAMME_KINDS)
    dips = DipSample.objects.filter(round__month=first)
    observed = Observation.objects.filter(
        status=Observation.Status.COMPLETED, observed_on__year=first.year, observed_on__month=first.month
    )

    # By auditor: only people in the viewer's scope, whatever team the case file is in.
    people = User.objects.filter(people_in_scope(scope))
    by_auditor_audits = _audit_counts(audits.filter(auditor__in=people), "auditor_id", today)
    by_auditor_dips = _dip_counts(dips.filter(manager__in=people), "manager_id", today)
    by_observer = _observation_counts(observed.filter(observer__in=people), "observer_id")
    ids = set(by_auditor_audits) | set(by_auditor_dips) | set(by_observer)
    names = dict(User.objects.filter(pk__in=ids).values_list("pk", "full_name"))
    auditors = Breakdown(
        "By auditor", "Auditor", _rows(names, by_auditor_audits, by_auditor_dips, by_observer, keep_empty=False)
    )

    # By team and service area: the audit's (frozen) team; the dip sample's team or area.
    seen_audits = audits.filter(audit_filter(scope))
    seen_dips = dips.filter(dip_sample_filter(scope))
    team_names = {t.pk: t.name for t in scope.teams()}
    teams = Breakdown(
        "By team",
        "Team",
        _rows(
            team_names,
            _audit_counts(seen_audits.filter(team_id__in=list(team_names)), "team_id", today),
            _dip_counts(seen_dips.filter(team_id__in=list(team_names)), "team_id", today),
            _observation_counts(observed.filter(team_id__in=list(team_names)), "team_id"),
            keep_empty=False,
        ),
    )
    area_names = dict(scope.service_areas().values_list("pk", "name"))
    areas = Breakdown(
        "By service area",
        "Service area",
        _rows(
            area_names,
            _audit_counts(seen_audits.filter(service_area_id__in=list(area_names)), "service_area_id", today),
            _dip_counts(
                # A dip sample's service area: its own (SM, HoS) or its team's (TM).
                seen_dips.annotate(area=Coalesce("service_area_id", "team__service_area_id")).filter(
                    area__in=list(area_names)
                ),
                "area",
                today,
            ),
            _observation_counts(observed.filter(service_area_id__in=list(area_names)), "service_area_id"),
            keep_empty=False,
        ),
    )
    return [auditors, teams, areas] if area_names else [auditors, teams]


def _months(today: datetime.date) -> list[datetime.date]:
    """This month and the eleven before it, newest first, for the month filter."""
    months, day = [], today.replace(day=1)
    for _ in range(12):
        months.append(day)
        day = (day - datetime.timedelta(days=1)).replace(day=1)
    return months


@require_GET
def audit_programme_progress(request: HttpRequest) -> HttpResponse:
    scope = request.scope
    if not can_list_audits(scope):
        raise PermissionDenied
    month_form = MonthForm(request.GET or None)
    month = month_form.month_or(scope.today)
    context = {
        "month": month,
        "month_form": month_form,
        "month_value": request.GET.get("month") or f"{month:%Y-%m}",
        "months": _months(scope.today),
        "breakdowns": programme_progress(scope=scope, month=month),
        "has_errors": bool(month_form.errors),
    }
    return render(request, "qaframework/progress.html", context)


urlpatterns = [
    path("progress/", audit_programme_progress, name="audit-programme-progress"),
]
