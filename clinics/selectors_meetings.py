"""Reads for meetings, terms of reference and action logs (DESIGN section 8).

An action belongs to a *series*: the meeting kind plus its place (a team for a clinic, a service
area for a board, nothing for the assurance board). An open action is carried forward to every
later meeting of its series until it is done or withdrawn, so these selectors answer "which
actions belong on this page / in this report" from dates alone, in a fixed number of queries.
The report builders call :func:`actions_for_period`; the meeting page calls
:func:`meeting_actions`.
"""

from __future__ import annotations

import calendar
import datetime
from dataclasses import dataclass

from django.db.models import Q, QuerySet
from django.http import Http404
from django.utils import timezone

from organisation.models import Role, RoleAssignment, ServiceArea, Team, User
from organisation.scope import Scope

from .models import (
    OPEN_ACTION_STATUSES,
    Meeting,
    MeetingAction,
    MeetingAttachment,
    MeetingAttendee,
    MeetingKind,
    ReportKind,
    ReportVersion,
    TermsOfReference,
)

AREA_MANAGER_ROLES = (Role.SERVICE_MANAGER, Role.HEAD_OF_SERVICE)
# Whole-service people who may attend any meeting or own its actions.
WHOLE_SERVICE_PEOPLE = (
    Role.ASSISTANT_DIRECTOR,
    Role.DIRECTOR,
    Role.QA_OFFICER,
    Role.QA_MANAGER,
    Role.PSW,
    Role.BI_OFFICER,
    Role.PARTICIPATION_OFFICER,
)


def _month_bounds(day: datetime.date) -> tuple[datetime.date, datetime.date]:
    first = day.replace(day=1)
    last = first.replace(day=calendar.monthrange(first.year, first.month)[1])
    return first, last


def _series_q(*, kind: str, team: Team | int | None, service_area: ServiceArea | int | None) -> Q:
    """The Q selecting one series' actions (kind + place), whatever the kind's place level."""
    team_id = team.pk if isinstance(team, Team) else team
    area_id = service_area.pk if isinstance(service_area, ServiceArea) else service_area
    if kind == MeetingKind.CLINIC:
        return Q(kind=kind, team_id=team_id)
    if kind == MeetingKind.BOARD:
        return Q(kind=kind, service_area_id=area_id)
    return Q(kind=kind)


def _actions() -> QuerySet[MeetingAction]:
    return MeetingAction.objects.select_related("owner", "raised_at", "closed_at")


def is_overdue(action: MeetingAction, today: datetime.date) -> bool:
    """Open (or in progress) past its due date, by the Europe/London calendar date ``today``."""
    return action.status in OPEN_ACTION_STATUSES and action.due_on < today


def overdue_first(actions: list[MeetingAction], today: datetime.date) -> list[MeetingAction]:
    """Overdue actions first (oldest due first), then the rest by due date. Marks ``overdue``."""
    for action in actions:
        action.overdue = is_overdue(action, today)
    return sorted(actions, key=lambda a: (not a.overdue, a.due_on, a.pk))


def series_actions(
    *,
    kind: str,
    team: Team | int | None = None,
    service_area: ServiceArea | int | None = None,
    as_of: datetime.date,
) -> list[MeetingAction]:
    """The series' actions open on ``as_of`` plus those closed during the month of ``as_of``,
    raised at meetings held on or before ``as_of``. One query; overdue (against ``as_of``) first."""
    first, _last = _month_bounds(as_of)
    rows = list(
        _actions().filter(
            _series_q(kind=kind, team=team, service_area=service_area),
            Q(closed_on__isnull=True) | Q(closed_on__gte=first),
            raised_at__held_on__lte=as_of,
        )
    )
    return overdue_first(rows, as_of)


def actions_for_period(
    *,
    kind: str,
    team: Team | int | None = None,
    service_area: ServiceArea | int | None = None,
    period: datetime.date,
) -> dict[str, list[MeetingAction]]:
    """For a report on ``period`` (a month): ``carried`` — raised before the month and still open
    at its end or closed during it — and ``new`` — raised at meetings held in the month. One query.

    Each list is ordered by due date; an action carries ``overdue`` (open past its due date at the
    end of the period, or today for the current month).
    """
    first, last = _month_bounds(period)
    judged_on = min(last, timezone.localdate())
    rows = list(
        _actions()
        .filter(
            _series_q(kind=kind, team=team, service_area=service_area),
            raised_at__held_on__lte=last,
        )
        .filter(Q(raised_at__held_on__gte=first) | Q(closed_on__isnull=True) | Q(closed_on__gte=first))
        .order_by("due_on", "pk")
    )
    carried: list[MeetingAction] = []
    new: list[MeetingAction] = []
    for action in rows:
        action.overdue = action.status in OPEN_ACTION_STATUSES and action.due_on < judged_on
        if action.raised_at.held_on >= first:
            new.append(action)
        else:
            carried.append(action)
    return {"carried": carried, "new": new}


@dataclass
class MeetingActions:
    """The action log as one meeting's page shows it."""

    raised: list[MeetingAction]
    carried: list[MeetingAction]

    @property
    def all(self) -> list[MeetingAction]:
        return self.raised + self.carried


def meeting_actions(meeting: Meeting, *, today: datetime.date) -> MeetingActions:
    """Actions raised at this meeting; and every action of its series raised at an earlier meeting
    that was still open on the meeting's date or was closed at this meeting. One query."""
    series = _series_q(kind=meeting.kind, team=meeting.team_id, service_area=meeting.service_area_id)
    earlier = Q(raised_at__held_on__lt=meeting.held_on) & (
        Q(closed_on__isnull=True) | Q(closed_on__gte=meeting.held_on) | Q(closed_at=meeting)
    )
    rows = list(_actions().filter(series).filter(Q(raised_at=meeting) | earlier))
    rows = overdue_first(rows, today)
    return MeetingActions(
        raised=[a for a in rows if a.raised_at_id == meeting.pk],
        carried=[a for a in rows if a.raised_at_id != meeting.pk],
    )


# --- who sees which meeting ------------------------------------------------------------------------
def can_read_meeting(scope: Scope, meeting: Meeting) -> bool:
    """A clinic: its team's TM, its area's SM/HoS; a board: its area's SM/HoS; the assurance board:
    every SM/HoS. The whole-service roles and the PSW read every meeting."""
    if not scope.is_authenticated:
        return False
    if scope.whole_authority or scope.has_role(Role.PSW):
        return True
    if meeting.kind == MeetingKind.CLINIC:
        if scope.has_role(Role.TEAM_MANAGER) and meeting.team_id in scope.managed_team_ids:
            return True
        return scope.has_role(*AREA_MANAGER_ROLES) and meeting.team.service_area_id in scope.area_ids
    if meeting.kind == MeetingKind.BOARD:
        return scope.has_role(*AREA_MANAGER_ROLES) and meeting.service_area_id in scope.area_ids
    return scope.has_role(*AREA_MANAGER_ROLES)


def readable_meetings_q(scope: Scope) -> Q:
    """The Meeting rows this person may read (the same rules as :func:`can_read_meeting`)."""
    if not scope.is_authenticated:
        return Q(pk__in=[])
    if scope.whole_authority or scope.has_role(Role.PSW):
        return Q()
    q = Q(pk__in=[])
    if scope.has_role(Role.TEAM_MANAGER) and scope.managed_team_ids:
        q |= Q(kind=MeetingKind.CLINIC, team_id__in=scope.managed_team_ids)
    if scope.has_role(*AREA_MANAGER_ROLES):
        if scope.area_ids:
            q |= Q(kind=MeetingKind.CLINIC, team__service_area_id__in=scope.area_ids)
            q |= Q(kind=MeetingKind.BOARD, service_area_id__in=scope.area_ids)
        q |= Q(kind=MeetingKind.ASSURANCE)
    return q


def sees_meetings(scope: Scope) -> bool:
    """Whether the meetings list is a page this person has."""
    return scope.is_authenticated and (
        scope.whole_authority
        or scope.has_role(Role.PSW, *AREA_MANAGER_ROLES)
        or (scope.has_role(Role.TEAM_MANAGER) and bool(scope.managed_team_ids))
    )


def can_write_meeting_kind(
    scope: Scope, kind: str, *, team: Team | None = None, area: ServiceArea | None = None
) -> bool:
    """Who may create (and keep the record of) a meeting of a kind and place."""
    if not scope.is_authenticated:
        return False
    if kind == MeetingKind.CLINIC:
        if team is None:
            return False
        if scope.has_role(Role.TEAM_MANAGER) and team.pk in scope.managed_team_ids:
            return True
        return scope.has_role(*AREA_MANAGER_ROLES) and team.service_area_id in scope.area_ids
    if kind == MeetingKind.BOARD:
        if area is None:
            return False
        if scope.has_role(Role.ASSISTANT_DIRECTOR, Role.DIRECTOR):
            return True
        return scope.has_role(*AREA_MANAGER_ROLES) and area.pk in scope.area_ids
    return scope.has_role(Role.ASSISTANT_DIRECTOR, Role.DIRECTOR, Role.QA_MANAGER)


def can_write_meeting(scope: Scope, meeting: Meeting) -> bool:
    """Those who may create a meeting of its kind and place, and its chair, keep its record."""
    if scope.is_authenticated and meeting.chair_id == scope.user_id and can_read_meeting(scope, meeting):
        return True
    return can_write_meeting_kind(scope, meeting.kind, team=meeting.team, area=meeting.service_area)


def can_create_any_meeting(scope: Scope) -> bool:
    return scope.is_authenticated and (
        scope.has_role(Role.ASSISTANT_DIRECTOR, Role.DIRECTOR, Role.QA_MANAGER, *AREA_MANAGER_ROLES)
        or (scope.has_role(Role.TEAM_MANAGER) and bool(scope.managed_team_ids))
    )


def meetings(scope: Scope) -> QuerySet[Meeting]:
    return (
        Meeting.objects.filter(readable_meetings_q(scope))
        .select_related("team__service_area", "service_area", "chair", "terms")
        .order_by("-held_on", "-pk")
    )


def get_meeting_or_404(scope: Scope, pk: int) -> Meeting:
    """A meeting this person may read, or 404 — never 403."""
    meeting = (
        Meeting.objects.select_related("team__service_area", "service_area", "chair", "terms", "created_by")
        .filter(pk=pk)
        .first()
    )
    if meeting is None or not can_read_meeting(scope, meeting):
        raise Http404("No meeting found")
    return meeting


def get_attachment_or_404(scope: Scope, meeting_pk: int, pk: int) -> MeetingAttachment:
    meeting = get_meeting_or_404(scope, meeting_pk)
    attachment = MeetingAttachment.objects.filter(meeting=meeting, pk=pk).first()
    if attachment is None:
        raise Http404("No attachment found")
    return attachment


# --- terms of reference ------------------------------------------------------------------------------
def current_terms(kind: str) -> TermsOfReference | None:
    """The latest version of the kind's terms of reference (highest version of its newest key)."""
    return TermsOfReference.objects.filter(kind=kind).order_by("-version", "-created_at", "-pk").first()


def terms_by_kind() -> list[dict]:
    """For the terms page: each meeting kind with its current terms and every older version."""
    rows = list(TermsOfReference.objects.select_related("created_by").order_by("kind", "-version", "-pk"))
    out = []
    for value, label in MeetingKind.choices:
        versions = [t for t in rows if t.kind == value]
        out.append(
            {"kind": value, "label": label, "current": versions[0] if versions else None, "history": versions[1:]}
        )
    return out


def can_edit_terms(scope: Scope) -> bool:
    """The QA team, directors and assistant directors keep the terms of reference."""
    return scope.is_authenticated and (scope.is_qa or scope.has_role(Role.ASSISTANT_DIRECTOR, Role.DIRECTOR))


def sees_terms(scope: Scope) -> bool:
    return sees_meetings(scope) or can_edit_terms(scope)


def meeting_people(meeting: Meeting, *, day: datetime.date) -> QuerySet[User]:
    """People offered as attendees, chair and action owners: those who may read the meeting — its
    team's manager and its area's SM/HoS (a clinic), its area's SM/HoS (a board), every SM/HoS (the
    assurance board) — with a role active on ``day``, the whole-service people, and anyone already
    on its attendance list. Others attend by name."""
    assignments = RoleAssignment.objects.active_on(day)
    whole = Q(team__isnull=True, service_area__isnull=True, role__in=WHOLE_SERVICE_PEOPLE)
    if meeting.kind == MeetingKind.CLINIC:
        place = Q(team_id=meeting.team_id, role=Role.TEAM_MANAGER) | Q(
            service_area_id=meeting.team.service_area_id, role__in=AREA_MANAGER_ROLES
        )
    elif meeting.kind == MeetingKind.BOARD:
        place = Q(service_area_id=meeting.service_area_id, role__in=AREA_MANAGER_ROLES)
    else:
        place = Q(role__in=AREA_MANAGER_ROLES)
    person_ids = assignments.filter(place | whole).values("person_id")
    attendees = MeetingAttendee.objects.filter(meeting=meeting, person__isnull=False).values("person_id")
    return User.objects.filter(Q(pk__in=person_ids) | Q(pk__in=attendees), is_active=True).order_by("full_name", "pk")


def reports_to_table(meeting: Meeting) -> QuerySet[ReportVersion]:
    """Finalised report versions of the meeting's scope whose period is the month of the meeting
    or the month before: the papers it is likely to table."""
    month = meeting.held_on.replace(day=1)
    before = (month - datetime.timedelta(days=1)).replace(day=1)
    if meeting.kind == MeetingKind.CLINIC:
        scope_q = Q(report__kind=ReportKind.TEAM_CLINIC, report__team_id=meeting.team_id)
    elif meeting.kind == MeetingKind.BOARD:
        scope_q = Q(report__kind=ReportKind.SERVICE_BOARD, report__service_area_id=meeting.service_area_id) | Q(
            report__kind=ReportKind.TEAM_CLINIC, report__team__service_area_id=meeting.service_area_id
        )
    else:
        scope_q = Q(report__kind__in=[ReportKind.ASSURANCE_BOARD, ReportKind.PRACTICE_WEEK, ReportKind.SERVICE_BOARD])
    return (
        ReportVersion.objects.filter(scope_q, report__period__in=[before, month])
        .select_related("report__team", "report__service_area")
        .order_by("report__kind", "report__scope_key", "-report__period", "-number")
    )
