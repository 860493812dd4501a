"""Synthetic meetings for the demo (DESIGN section 8): the last twelve months of monthly practice
and performance clinics for every team (at size "large" a sample of two teams an area, so the seed
stays fast), a board every two months for each service area and a quarterly assurance board, with
realistic attendance, one to three actions a meeting — some done or withdrawn at a later meeting,
some still open and carried forward, some overdue — and a small synthetic ChAT extract (CSV)
attached to each assurance board.

Rows are written with the history library's bulk helper (one history row each, with the demo's
reason), not one service call per row: a year of clinics is thousands of rows. Notes and actions
are invented, strengths-based, and never name a child or family.

Deterministic: every choice comes from ``random.Random(f"demo-meetings:{size}:{today}")`` over
places ordered by code and people ordered by email. Idempotent: when any meeting exists nothing is
added. Needs the terms of reference (``load_framework``) first.
"""

from __future__ import annotations

import datetime
import random
from collections import defaultdict
from dataclasses import dataclass

from django.db import transaction
from simple_history.utils import bulk_create_with_history

from organisation.models import Role, RoleAssignment, ServiceArea, Team, User

from .models import (
    ActionStatus,
    Attendance,
    Meeting,
    MeetingAction,
    MeetingAttachment,
    MeetingAttendee,
    MeetingKind,
    MeetingPaper,
)
from .selectors_meetings import current_terms

MONTHS = 12
LARGE_TEAMS_PER_AREA = 2
HISTORY_REASON = "Synthetic demo data (seed_demo)"

CLINIC_NOTES = (
    "Visits within timescale held steady; the team talked through what helped during a busy month.",
    "Supervision is up to date for most of the team; agreed how to protect time for reflective sessions.",
    "Audit learning shared: plans written with families read more clearly. The team wants to keep this going.",
    "Discussed the rise in contacts at the front door and what it means for allocation.",
    "Children's views are recorded more often; the team agreed to bring direct-work tools to the next clinic.",
)
BOARD_NOTES = (
    "Compared the teams' baskets: good practice on timely visits to share between teams.",
    "Themes from the clinics: supervision quality and plans written with families.",
    "Escalated the workforce pressures in one area to the assurance board.",
)
ASSURANCE_NOTES = (
    "Reviewed performance against statistical neighbours and England using the ChAT extract.",
    "Agreed priorities for the next quarter: timeliness of assessments and stability for children in care.",
    "Considered staffing, recruitment and learning implications of the changing demand at the front door.",
)
ACTIONS = {
    MeetingKind.CLINIC: (
        "Book a reflective session on the audit learning with the team",
        "Check the supervision tracker and rebook any sessions missed this month",
        "Bring the visits-in-timescale figures by worker group to the next clinic (no names)",
        "Share the good-practice example of a plan written with the family",
        "Agree with the practice lead a direct-work refresher for the team",
    ),
    MeetingKind.BOARD: (
        "Bring a comparison of re-referral rates across the service's teams",
        "Arrange for one team to share its approach to timely visits",
        "Take the workforce theme to the assurance board",
    ),
    MeetingKind.ASSURANCE: (
        "Set the target for assessments within 45 working days for next year",
        "Report on the recruitment campaign for experienced social workers",
        "Commission a thematic audit on stability for children in care",
        "Bring the financial implications of the rise in contacts to the next board",
    ),
}
CHAT_CSV = (
    b"indicator,authority,statistical neighbours,England\n"
    b"Re-referrals within 12 months (%),19.8,20.4,22.4\n"
    b"Assessments within 45 working days (%),86.1,84.0,82.9\n"
    b"Children in care with 3+ placements in the year (%),9.7,10.1,10.0\n"
)


@dataclass
class _People:
    team_manager: dict[int, list[User]]
    area_managers: dict[int, list[User]]
    assistant_directors: list[User]
    directors: list[User]
    psw: list[User]
    qa: list[User]


def _people(today: datetime.date) -> _People:
    rows = (
        RoleAssignment.objects.active_on(today)
        .select_related("person")
        .filter(person__is_active=True)
        .order_by("person__email", "pk")
    )
    people = _People(defaultdict(list), defaultdict(list), [], [], [], [])
    for row in rows:
        if row.role == Role.TEAM_MANAGER and row.team_id:
            people.team_manager[row.team_id].append(row.person)
        elif row.role in (Role.SERVICE_MANAGER, Role.HEAD_OF_SERVICE) and row.service_area_id:
            people.area_managers[row.service_area_id].append(row.person)
        elif row.role == Role.ASSISTANT_DIRECTOR:
            people.assistant_directors.append(row.person)
        elif row.role == Role.DIRECTOR:
            people.directors.append(row.person)
        elif row.role == Role.PSW:
            people.psw.append(row.person)
        elif row.role in (Role.QA_OFFICER, Role.QA_MANAGER):
            people.qa.append(row.person)
    return people


def _months(today: datetime.date) -> list[datetime.date]:
    first = today.replace(day=1)
    months = []
    for back in range(MONTHS - 1, -1, -1):
        year, month = divmod(first.year * 12 + first.month - 1 - back, 12)
        months.append(datetime.date(year, month + 1, 1))
    return months


def _weekday_in_month(month: datetime.date, weekday: int, week: int) -> datetime.date:
    """The ``week``-th (0-based) ``weekday`` (Monday 0) of the month."""
    offset = (weekday - month.weekday()) % 7
    return month + datetime.timedelta(days=offset + 7 * week)


def _teams(size: str) -> list[Team]:
    teams = list(Team.objects.select_related("service_area").order_by("service_area__code", "code"))
    if size != "large":
        return teams
    per_area: dict[int, int] = defaultdict(int)
    sample = []
    for team in teams:
        if per_area[team.service_area_id] < LARGE_TEAMS_PER_AREA:
            per_area[team.service_area_id] += 1
            sample.append(team)
    return sample


def _unique(people: list[User | None]) -> list[User]:
    seen, out = set(), []
    for person in people:
        if person is not None and person.pk not in seen:
            seen.add(person.pk)
            out.append(person)
    return out


def seed_meetings(*, size: str, today: datetime.date) -> str:
    """Seed the demo's meetings and action logs for ``size`` and ``today``; a one-line summary."""
    terms = {kind: current_terms(kind) for kind in MeetingKind.values}
    if not all(terms.values()):
        return "Meetings: skipped (no terms of reference are loaded; run load_framework first)."
    if Meeting.objects.exists():
        return f"Meetings: {Meeting.objects.count()} already present; nothing added."
    rng = random.Random(f"demo-meetings:{size}:{today}")
    people = _people(today)
    director = (people.directors or people.assistant_directors or [None])[0]
    ad = (people.assistant_directors or people.directors or [None])[0]
    author = ad or director or User.objects.order_by("email").first()
    if author is None:
        return "Meetings: skipped (no people in the demo authority)."
    months = _months(today)
    areas = list(ServiceArea.objects.order_by("code"))

    # (meeting, attendees as (person, role label), series key) planned in date order per series.
    planned: list[tuple[Meeting, list[tuple[User, str]]]] = []
    for index, team in enumerate(_teams(size)):
        managers = people.area_managers.get(team.service_area_id, [])
        tms = people.team_manager.get(team.pk, [])
        for month in months:
            held_on = _weekday_in_month(month, index % 5, 1)
            if held_on > today:
                continue
            chair = managers[rng.randrange(len(managers))] if managers else (tms[0] if tms else author)
            attendees = [(chair, "Chair")] + [(tm, "Team manager") for tm in tms]
            if people.psw and rng.random() < 0.2:
                attendees.append((people.psw[0], "Principal social worker"))
            if director and rng.random() < 0.25:
                attendees.append((director, "Director (rota)"))
            meeting = Meeting(
                kind=MeetingKind.CLINIC,
                team=team,
                held_on=held_on,
                terms=terms[MeetingKind.CLINIC],
                chair=chair,
                notes=rng.choice(CLINIC_NOTES),
                quorate=bool(tms),
                created_by=chair,
            )
            planned.append((meeting, attendees))
    for index, area in enumerate(areas):
        managers = people.area_managers.get(area.pk, [])
        for month in months[index % 2 :: 2]:
            held_on = _weekday_in_month(month, 2, 2)
            if held_on > today:
                continue
            chair = managers[-1] if managers else (director or author)
            attendees = [(chair, "Chair")] + [(m, "Service manager or head of service") for m in managers]
            if director and rng.random() < 0.4:
                attendees.append((director, "Director (rota)"))
            meeting = Meeting(
                kind=MeetingKind.BOARD,
                service_area=area,
                held_on=held_on,
                terms=terms[MeetingKind.BOARD],
                chair=chair,
                notes=rng.choice(BOARD_NOTES),
                quorate=True,
                created_by=chair,
            )
            planned.append((meeting, attendees))
    for month in months:
        if month.month % 3 != 0:
            continue
        held_on = _weekday_in_month(month, 3, 3)
        if held_on > today:
            continue
        chair = director or author
        attendees = [(chair, "Chair")] + [(p, "Assistant director") for p in people.assistant_directors]
        all_area_managers = sorted(
            {p.pk: p for ms in people.area_managers.values() for p in ms}.values(), key=lambda p: p.email
        )
        attendees += [(p, "Service manager or head of service") for p in all_area_managers]
        meeting = Meeting(
            kind=MeetingKind.ASSURANCE,
            held_on=held_on,
            terms=terms[MeetingKind.ASSURANCE],
            chair=chair,
            notes=rng.choice(ASSURANCE_NOTES),
            quorate=True,
            created_by=chair,
        )
        planned.append((meeting, attendees))

    with transaction.atomic():
        meetings = [m for m, _ in planned]
        for meeting in meetings:
            meeting._history_user = meeting.created_by
        bulk_create_with_history(meetings, Meeting, batch_size=500, default_change_reason=HISTORY_REASON)
        # bulk_create sets pks on SQLite and PostgreSQL; keep the objects in series order.
        stored = {(m.kind, m.team_id, m.service_area_id, m.held_on): m for m in Meeting.objects.all()}
        meetings = [stored[(m.kind, m.team_id, m.service_area_id, m.held_on)] for m in meetings]

        attendees = []
        for meeting, (_planned, who) in zip(meetings, planned, strict=True):
            for person in _unique([p for p, _label in who]):
                label = next(label for p, label in who if p is not None and p.pk == person.pk)
                roll = rng.random()
                attendance = (
                    Attendance.PRESENT if roll < 0.85 else Attendance.APOLOGIES if roll < 0.97 else Attendance.ABSENT
                )
                attendees.append(
                    MeetingAttendee(meeting=meeting, person=person, role_label=label, attendance=attendance)
                )
            if meeting.kind == MeetingKind.CLINIC and rng.random() < 0.3:
                attendees.append(
                    MeetingAttendee(
                        meeting=meeting, name="Practice lead", role_label="Practice lead", attendance=Attendance.PRESENT
                    )
                )
        MeetingAttendee.objects.bulk_create(attendees, batch_size=1000)

        series: dict[tuple, list[Meeting]] = defaultdict(list)
        for meeting in sorted(meetings, key=lambda m: (m.held_on, m.pk)):
            series[(meeting.kind, meeting.team_id, meeting.service_area_id)].append(meeting)

        actions = []
        for (kind, team_id, area_id), sittings in series.items():
            for position, meeting in enumerate(sittings):
                if kind == MeetingKind.CLINIC:
                    owners = people.team_manager.get(team_id) or [meeting.chair]
                elif kind == MeetingKind.BOARD:
                    owners = people.area_managers.get(area_id) or [meeting.chair]
                else:
                    owners = people.assistant_directors or [meeting.chair]
                for what in rng.sample(ACTIONS[kind], rng.randint(1, min(3, len(ACTIONS[kind])))):
                    due_on = meeting.held_on + datetime.timedelta(weeks=rng.randint(3, 10))
                    later = sittings[position + 1 : position + 3]
                    roll = rng.random()
                    status, closed_at = ActionStatus.OPEN, None
                    if later and roll < 0.8:
                        status, closed_at = ActionStatus.DONE, rng.choice(later)
                    elif later and roll < 0.86:
                        status, closed_at = ActionStatus.WITHDRAWN, later[0]
                    elif roll < 0.93:
                        status = ActionStatus.IN_PROGRESS
                    action = MeetingAction(
                        raised_at=meeting,
                        kind=kind,
                        team_id=team_id,
                        service_area_id=area_id,
                        what=what,
                        owner=owners[rng.randrange(len(owners))],
                        due_on=due_on,
                        status=status,
                        notes="Completed and reported back." if status == ActionStatus.DONE else "",
                        closed_on=closed_at.held_on if closed_at else None,
                        closed_at=closed_at,
                        created_by=meeting.created_by,
                    )
                    action._history_user = meeting.created_by
                    actions.append(action)
        bulk_create_with_history(actions, MeetingAction, batch_size=500, default_change_reason=HISTORY_REASON)

        papers, attachments = [], []
        for meeting in meetings:
            if meeting.kind == MeetingKind.CLINIC:
                papers.append(MeetingPaper(meeting=meeting, title="Team performance baskets and audit summary"))
            elif meeting.kind == MeetingKind.BOARD:
                papers.append(MeetingPaper(meeting=meeting, title="Consolidated highlight reports for the service"))
            else:
                papers.append(MeetingPaper(meeting=meeting, title="Assistant directors' summary reports"))
                attachments.append(
                    MeetingAttachment(
                        meeting=meeting,
                        title=f"ChAT extract, {meeting.held_on:%B %Y}",
                        file_name=f"chat-extract-{meeting.held_on:%Y-%m}.csv",
                        content_type="text/csv",
                        size=len(CHAT_CSV),
                        data=CHAT_CSV,
                        uploaded_by=meeting.created_by,
                    )
                )
        MeetingPaper.objects.bulk_create(papers)
        MeetingAttachment.objects.bulk_create(attachments)

    open_actions = [a for a in actions if a.status in (ActionStatus.OPEN, ActionStatus.IN_PROGRESS)]
    overdue = sum(1 for a in open_actions if a.due_on < today)
    kinds = defaultdict(int)
    for meeting in meetings:
        kinds[meeting.kind] += 1
    return (
        f"Meetings: {kinds[MeetingKind.CLINIC]} clinics, {kinds[MeetingKind.BOARD]} boards, "
        f"{kinds[MeetingKind.ASSURANCE]} assurance boards; {len(actions)} actions "
        f"({len(actions) - len(open_actions)} closed, {len(open_actions)} open, {overdue} overdue)."
    )
