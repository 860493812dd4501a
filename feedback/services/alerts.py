"""Good-practice alerts and practice concerns from conference chairs and independent reviewing
officers (seed 6.4; DESIGN section 6).

After a review or conference the chair or IRO records an alert against a case file they chair:
its theme, and for a practice concern the dispute-resolution stage (configurable data, edited by
the Administrator). The team, service area and practitioner are frozen from the case file, like
an audit's, so later moves do not rewrite history or the monthly figures. The worker and their
team manager are told at once, by a neutral notification that carries only a link. The recorder
later moves a concern to another stage and records it resolved; each change is kept in the
alert's history, and a stale page never overwrites a newer change.

The monthly summary (:func:`alert_summary`) is aggregate only — no case references or names —
and is what the board reports and the annual IRO report reuse.
"""

from __future__ import annotations

import datetime
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from django.db import transaction
from django.db.models import Count, Q, QuerySet
from django.urls import reverse

from audits.models import Theme
from audits.services.allocation import team_managers_of
from audits.services.dip_samples import month_start
from audits.services.monthly import months_before
from core.notifications import Notice, notify_many
from organisation.models import CaseFile, ServiceArea, User
from organisation.scope import Scope

from ..models import DisputeStage, MeetingKind, ReviewingOfficerAlert
from ..permissions import alert_filter, alert_summary_area_ids, can_record_alert, can_update_alert

SUMMARY_MAX = 4000
RESOLUTION_MAX = 2000
NOTICE_KIND = "reviewing_officer_alert"
# Neutral words only: these are emailed, so no case reference, initials or what was found.
MESSAGES = {
    ReviewingOfficerAlert.Kind.GOOD_PRACTICE: (
        "A conference chair or reviewing officer has recorded a good-practice alert about work with a child "
        "— please read it"
    ),
    ReviewingOfficerAlert.Kind.PRACTICE_CONCERN: (
        "A conference chair or reviewing officer has recorded a practice concern about work with a child "
        "— please read it"
    ),
}
STALE = "This alert was changed after you opened the page. Nothing was overwritten: check it and save again."
Kind = ReviewingOfficerAlert.Kind


class AlertError(Exception):
    """A change the rules refuse; the message says why, for the person making it."""


class AlertConflict(AlertError):
    """The alert changed after the page was opened; nothing was overwritten."""


# --- reads --------------------------------------------------------------------------------------------
def alerts_visible(
    scope: Scope, queryset: QuerySet[ReviewingOfficerAlert] | None = None
) -> QuerySet[ReviewingOfficerAlert]:
    qs = ReviewingOfficerAlert.objects.all() if queryset is None else queryset
    return qs.filter(alert_filter(scope))


def dispute_stages_offered(*, current: DisputeStage | None = None) -> QuerySet[DisputeStage]:
    """Only active stages are offered; an alert keeps the stage it is at even once retired."""
    q = Q(active=True) | Q(pk=current.pk) if current is not None else Q(active=True)
    return DisputeStage.objects.filter(q).order_by("position", "name")


def history_version(record: Any) -> int:
    """The id of a history-tracked record's latest history row: its version for a stale-page check
    (the record changes only through services, each change writing one history row)."""
    return record.history.order_by("-history_id").values_list("history_id", flat=True).first() or 0


def alert_history(alert: ReviewingOfficerAlert) -> list[Any]:
    """The alert's changes, oldest first (stage moves and resolution), with who made them."""
    return list(alert.history.select_related("stage", "history_user").order_by("history_date", "history_id"))


@dataclass(frozen=True)
class AlertFilters:
    kind: str = ""
    month: datetime.date | None = None
    theme_id: int | None = None
    stage_id: int | None = None
    status: str = ""  # "open", "resolved" or "" for both


def alert_list(scope: Scope, filters: AlertFilters) -> QuerySet[ReviewingOfficerAlert]:
    """The alerts a person sees, newest meeting first, with what the list shows."""
    qs = alerts_visible(scope)
    if filters.kind:
        qs = qs.filter(kind=filters.kind)
    if filters.month:
        qs = qs.filter(meeting_on__range=(filters.month, _month_end(filters.month)))
    if filters.theme_id:
        qs = qs.filter(theme_id=filters.theme_id)
    if filters.stage_id:
        qs = qs.filter(stage_id=filters.stage_id)
    if filters.status == "open":
        qs = qs.filter(resolved_on__isnull=True)
    elif filters.status == "resolved":
        qs = qs.filter(resolved_on__isnull=False)
    return qs.select_related("case_file", "team", "theme", "stage").order_by("-meeting_on", "-pk")


@dataclass(frozen=True)
class AlertChoices:
    months: list[datetime.date]
    themes: list[tuple[int, str]]
    stages: list[tuple[int, str]]


def alert_filter_choices(scope: Scope) -> AlertChoices:
    """The filter choices, from the alerts this person sees only. One query."""
    rows = (
        alerts_visible(scope)
        .values_list("meeting_on__year", "meeting_on__month", "theme_id", "theme__name", "stage_id", "stage__name")
        .order_by()
        .distinct()
    )
    months, themes, stages = set(), {}, {}
    for year, month, theme_id, theme_name, stage_id, stage_name in rows:
        months.add(datetime.date(year, month, 1))
        themes[theme_id] = theme_name
        if stage_id:
            stages[stage_id] = stage_name
    return AlertChoices(
        months=sorted(months, reverse=True),
        themes=sorted(themes.items(), key=lambda item: item[1]),
        stages=sorted(stages.items(), key=lambda item: item[1]),
    )


# --- recording and updating ---------------------------------------------------------------------------
def _month_end(month: datetime.date) -> datetime.date:
    return months_before(month_start(month), -1) - datetime.timedelta(days=1)


def alert_resolution_problem(
    *, meeting_on: datetime.date | None, resolved_on: datetime.date | None, resolution: str, today: datetime.date
) -> str | None:
    """What is wrong with a date resolved and its note, if anything (the forms show it by the date).
    The date is optional: on or after the meeting, not in the future; a note needs it."""
    if resolved_on is None:
        return "Enter the date it was resolved, or leave the resolution note empty" if resolution else None
    if meeting_on is not None and resolved_on < meeting_on:
        return "The date resolved must be on or after the date of the meeting"
    if resolved_on > today:
        return "The date resolved must be today or in the past"
    if len(resolution) > RESOLUTION_MAX:
        return f"The resolution note must be {RESOLUTION_MAX:,} characters or fewer"
    return None


def _stage_for(kind: str, stage: DisputeStage | None, *, current: DisputeStage | None = None) -> DisputeStage | None:
    if kind == Kind.GOOD_PRACTICE:
        return None  # a good-practice alert is not a dispute: no stage
    if stage is None:
        raise AlertError("Choose the dispute-resolution stage of the practice concern")
    if not stage.active and (current is None or stage.pk != current.pk):
        raise AlertError("Choose a dispute-resolution stage from the list")
    return stage


def _tell_worker_and_team_manager(
    alert: ReviewingOfficerAlert, *, actor: User, today: datetime.date, email: bool
) -> int:
    """The practitioner and the team's managers today, once each, never the recorder."""
    people = [alert.practitioner] if alert.practitioner_id else []
    people += team_managers_of(alert.team_id, today=today)
    url = reverse("feedback:alert-detail", kwargs={"alert_id": alert.pk})
    notices, seen = [], {actor.pk}
    for person in people:
        if person.pk in seen or not person.is_active:
            continue
        seen.add(person.pk)
        notices.append(
            Notice(
                recipient=person,
                kind=NOTICE_KIND,
                key=f"ro-alert:{alert.pk}",
                message=MESSAGES[alert.kind],
                url=url,
                email=email,
            )
        )
    return notify_many(notices)


@transaction.atomic
def alert_record(
    *,
    scope: Scope,
    actor: User,
    kind: str,
    case_file: CaseFile,
    meeting: str,
    meeting_on: datetime.date,
    theme: Theme,
    stage: DisputeStage | None,
    summary: str,
    resolved_on: datetime.date | None = None,
    resolution: str = "",
    email: bool = True,
) -> ReviewingOfficerAlert:
    """Record a good-practice alert or a practice concern after a review or conference, freeze the
    case's team, area and practitioner, and tell the worker and their team manager — by email
    too, unless ``email`` is False (an alert recorded long after the meeting, such as the demo's
    past alerts, is shown in the app only)."""
    if not can_record_alert(scope) or actor.pk != scope.user_id:
        raise AlertError("Only conference chairs and independent reviewing officers record alerts")
    if kind not in Kind.values:
        raise AlertError("Choose a good-practice alert or a practice concern")
    if meeting not in MeetingKind.values:
        raise AlertError("Choose the kind of meeting")
    # Outside the person's scope reads exactly as unknown: never confirm a case exists.
    if not scope.case_files().filter(pk=case_file.pk).exists():
        raise AlertError("Enter the case reference of a child whose conference or review you chair")
    if meeting_on > scope.today:
        raise AlertError("The date of the meeting must be today or in the past")
    if not theme.active:
        raise AlertError("Choose a theme from the list")
    summary = (summary or "").strip()
    resolution = (resolution or "").strip()
    if not summary:
        raise AlertError("Enter a summary of the good practice or the concern")
    if len(summary) > SUMMARY_MAX:
        raise AlertError(f"The summary must be {SUMMARY_MAX:,} characters or fewer")
    problem = alert_resolution_problem(
        meeting_on=meeting_on, resolved_on=resolved_on, resolution=resolution, today=scope.today
    )
    if problem:
        raise AlertError(problem)
    team = case_file.team
    alert = ReviewingOfficerAlert(
        kind=kind,
        case_file=case_file,
        team=team,
        service_area_id=team.service_area_id,
        practitioner_id=case_file.practitioner_id,
        meeting=meeting,
        meeting_on=meeting_on,
        theme=theme,
        stage=_stage_for(kind, stage),
        summary=summary,
        resolved_on=resolved_on,
        resolution=resolution,
        recorded_by=actor,
    )
    alert._history_user = actor
    alert.save()
    _tell_worker_and_team_manager(alert, actor=actor, today=scope.today, email=email)
    return alert


@transaction.atomic
def alert_update(
    *,
    scope: Scope,
    alert: ReviewingOfficerAlert,
    actor: User,
    stage: DisputeStage | None,
    resolved_on: datetime.date | None,
    resolution: str,
    version: int,
) -> ReviewingOfficerAlert:
    """The recorder moves a concern to another stage and records the alert resolved. A resolved
    alert is final; a stale page is refused; a save that changes nothing writes nothing."""
    locked = ReviewingOfficerAlert.objects.select_for_update(of=("self",)).select_related("stage").get(pk=alert.pk)
    if not can_update_alert(scope, locked) or actor.pk != scope.user_id:
        raise AlertError("Only the chair or reviewing officer who recorded this alert can change it")
    if locked.resolved_on is not None:
        raise AlertError(f"This alert was resolved on {locked.resolved_on:%d %B %Y}: it cannot change")
    if version != history_version(locked):
        raise AlertConflict(STALE)
    resolution = (resolution or "").strip()
    new_stage = _stage_for(locked.kind, stage, current=locked.stage)
    problem = alert_resolution_problem(
        meeting_on=locked.meeting_on, resolved_on=resolved_on, resolution=resolution, today=scope.today
    )
    if problem:
        raise AlertError(problem)
    changes = {"stage_id": new_stage.pk if new_stage else None, "resolved_on": resolved_on, "resolution": resolution}
    changed = [name for name, value in changes.items() if getattr(locked, name) != value]
    if not changed:
        return locked
    for name in changed:
        setattr(locked, name, changes[name])
    locked._history_user = actor
    locked.save(update_fields=[name.removesuffix("_id") for name in changed])
    return locked


# --- the monthly summary ------------------------------------------------------------------------------
@dataclass(frozen=True)
class ThemeCount:
    theme: str
    good_practice: int = 0
    practice_concerns: int = 0

    @property
    def total(self) -> int:
        return self.good_practice + self.practice_concerns


@dataclass(frozen=True)
class StageCount:
    stage: str
    concerns: int


@dataclass(frozen=True)
class AlertSummary:
    """A month's alerts, aggregate only (no case references, no names), for the board reports and
    the annual IRO report."""

    month: datetime.date
    whole_service: bool
    areas: list[str]
    by_theme: list[ThemeCount]
    by_stage: list[StageCount]
    good_practice: int
    practice_concerns: int
    # Practice concerns: resolved within the month, and recorded by its end but not resolved by then.
    resolved_in_month: int
    open_at_month_end: int

    @property
    def total(self) -> int:
        return self.good_practice + self.practice_concerns


def alert_summary(*, scope: Scope, month: datetime.date) -> AlertSummary:
    """The month's alerts by theme and kind, its practice concerns by stage, concerns resolved in
    the month and those still open at its end. By meeting date. Whole service for the roles that
    see it, the person's own areas for service managers and heads of service. Four queries at
    most, however many alerts."""
    return alert_summary_for_areas(area_ids=alert_summary_area_ids(scope), month=month)


def alert_summary_for_areas(*, area_ids: Iterable[int] | None, month: datetime.date) -> AlertSummary:
    """:func:`alert_summary` for given service areas (None: the whole service), without a person.

    The board reports are about a place, not a reader: the service-board report counts its own
    area and the assurance-board report the whole service, whoever opens or renders them (a
    Celery task has no person). Four queries at most, however many alerts."""
    first, last = month_start(month), _month_end(month)
    if area_ids is not None:
        area_ids = frozenset(area_ids)
    base = ReviewingOfficerAlert.objects.all()
    areas: list[str] = []
    if area_ids is not None:
        base = base.filter(service_area_id__in=area_ids)
        # Query: the areas' names, for the page's heading.
        areas = list(ServiceArea.objects.filter(pk__in=area_ids).order_by("name").values_list("name", flat=True))
    in_month = base.filter(meeting_on__range=(first, last))
    # Query: counts per theme and kind.
    themes: dict[str, dict[str, int]] = {}
    for name, kind, count in (
        in_month.values_list("theme__name", "kind").annotate(n=Count("pk")).order_by("theme__name", "kind")
    ):
        themes.setdefault(name, {})[kind] = count
    by_theme = [
        ThemeCount(
            theme=name, good_practice=k.get(Kind.GOOD_PRACTICE, 0), practice_concerns=k.get(Kind.PRACTICE_CONCERN, 0)
        )
        for name, k in themes.items()
    ]
    # Query: the month's concerns per stage, in the stages' order.
    stages = (
        in_month.filter(kind=Kind.PRACTICE_CONCERN)
        .values("stage__name", "stage__position")
        .annotate(n=Count("pk"))
        .order_by("stage__position", "stage__name")
    )
    by_stage = [StageCount(stage=row["stage__name"], concerns=row["n"]) for row in stages]
    # Query: the concern figures, in one pass.
    concern = Q(kind=Kind.PRACTICE_CONCERN)
    figures = base.aggregate(
        good_practice=Count("pk", filter=Q(kind=Kind.GOOD_PRACTICE, meeting_on__range=(first, last))),
        practice_concerns=Count("pk", filter=concern & Q(meeting_on__range=(first, last))),
        resolved=Count("pk", filter=concern & Q(resolved_on__range=(first, last))),
        still_open=Count(
            "pk", filter=concern & Q(meeting_on__lte=last) & (Q(resolved_on__isnull=True) | Q(resolved_on__gt=last))
        ),
    )
    return AlertSummary(
        month=first,
        whole_service=area_ids is None,
        areas=areas,
        by_theme=by_theme,
        by_stage=by_stage,
        good_practice=figures["good_practice"],
        practice_concerns=figures["practice_concerns"],
        resolved_in_month=figures["resolved"],
        open_at_month_end=figures["still_open"],
    )


def register() -> None:
    """Hooks, loaders and sweeps of this part. The dispute-stage loader is in
    ``feedback.framework_loaders``; alerts need no sweep."""
