"""Synthetic reviewing-officer alerts and other voices for the demo (seed 2, 3 and 6.4).

Alerts: over the last four months, every active conference chair and IRO records good-practice
alerts and practice concerns on open case files they chair, on several themes; some concerns
move up a dispute-resolution stage and some are resolved. Other voices: entries from every source
over the last twelve months, with two staff surveys — one answered by 140 people (its results
shown) and one by 8 (its results withheld, and so never kept).

Deterministic: every choice comes from ``random.Random(f"demo-voices:{size}:{today}")`` over
explicitly ordered people, case files and themes, and is drawn whatever the database holds.
Idempotent: an alert is found by (case file, recorder, meeting date, kind) and an entry by
(source, date, title), so running it again adds nothing. Everything goes through the services,
so the rules, the frozen team and practitioner, the notifications and the history are real.
"""

from __future__ import annotations

import datetime
import random
from collections import defaultdict
from dataclasses import dataclass, field

from django.db import transaction
from simple_history.utils import bulk_update_with_history

from audits.models import Theme
from organisation.models import CaseFile, CaseType, Role, RoleAssignment, ServiceArea, User
from organisation.scope import Scope, scope_for

from .models import DisputeStage, MeetingKind, ReviewingOfficerAlert, VoiceEntry, VoiceSource
from .services.alerts import alert_record, alert_update, history_version
from .services.voices import VoiceData, voice_entry_create

ALERTS_PER_RECORDER = {"tiny": 6, "demo": 5, "large": 4}
VOICES_PER_SOURCE = {"tiny": 1, "demo": 3, "large": 6}
ALERT_DAYS = 120
EMAILED_DAYS = 7
VOICE_DAYS = 364
# A chair or IRO with no open case to chair is given a few, so every one of them has alerts.
CHAIRED_MINIMUM = 3
MEETINGS = {
    CaseType.CHILD_PROTECTION: (MeetingKind.CP_CONFERENCE, MeetingKind.CP_REVIEW),
    CaseType.CHILD_IN_CARE: (MeetingKind.CIC_REVIEW,),
    CaseType.CARE_LEAVER: (MeetingKind.PATHWAY_REVIEW,),
}
GOOD_PRACTICE = (
    "The child's wishes were clearly set out in the report and shaped the plan.",
    "Parents said they understood the plan; the report was written in plain language.",
    "Direct work with the young person was creative and the young person attended part of the review.",
    "Multi-agency attendance was strong and actions from the last review were all completed.",
    "Clear, up-to-date chronology and a thoughtful analysis of progress against the plan.",
)
CONCERNS = (
    "The report was not shared with the family before the meeting.",
    "Statutory visits were not within timescales since the last review.",
    "The plan's actions are not specific and have no timescales.",
    "The child's views were not recorded in the report.",
    "The life-story work agreed at the last review has not started.",
)
RESOLUTIONS = (
    "Team manager agreed a revised plan with timescales; reviewed at the next core group.",
    "Visits brought back within timescales and confirmed in supervision.",
    "Report shared with the family and the meeting reconvened.",
)
VOICE_TEXT: dict[str, tuple[tuple[str, str], ...]] = {
    VoiceSource.COMPLAINT: (
        ("Complaint: changes of social worker", "A parent described three changes of worker in a year."),
        ("Complaint: reports shared late", "A family said they saw the conference report on the day."),
        ("Complaint: contact arrangements", "A grandparent was unclear how contact decisions were made."),
    ),
    VoiceSource.COMPLIMENT: (
        ("Compliment: support through a crisis", "A parent thanked the team for steady support and honesty."),
        ("Compliment: leaving care support", "A care leaver praised their personal adviser's help with housing."),
        ("Compliment: early help worker", "A family said the worker listened and helped them set their goals."),
    ),
    VoiceSource.CHILDREN_IN_CARE_COUNCIL: (
        ("Children in Care Council: reviews", "Members asked for reviews at times that do not clash with school."),
        ("Children in Care Council: pocket money", "Members asked for the same rules in every placement."),
    ),
    VoiceSource.CORPORATE_PARENTING_BOARD: (
        ("Foster carers at the Corporate Parenting Board", "Carers asked to be invited to planning meetings."),
        ("Foster carers: delegated authority", "Carers asked for clearer decisions on day-to-day permissions."),
    ),
    VoiceSource.PRACTICE_REVIEW: (
        ("Learning from a rapid review: neglect", "Cumulative neglect was seen late; chronologies were thin."),
        ("Learning from a local practice review", "Fathers were not routinely included in assessments."),
    ),
    VoiceSource.OFSTED_NOTIFICATION: (
        ("Ofsted notification: learning", "Learning on information sharing between agencies at the front door."),
    ),
    VoiceSource.STAFF_SURVEY: (
        ("Annual staff survey", "Most staff feel well supported; caseloads and admin time are the main worries."),
        ("Pulse survey: a small team", "A short survey of one small team about workload and supervision."),
    ),
    VoiceSource.FOCUS_GROUP: (
        ("Practitioner focus group: supervision", "Practitioners value reflective supervision but say it is squeezed."),
        ("Practitioner focus group: recording", "Recording takes too long; templates repeat questions."),
    ),
    VoiceSource.EXIT_INTERVIEW: (
        ("Exit interviews: themes", "Leavers cited travel time and caseloads; most valued their team."),
    ),
    VoiceSource.STAY_INTERVIEW: (
        ("Stay interviews: themes", "Staff stay for their team, flexible working and good management oversight."),
    ),
}
SURVEY_RESULTS = [
    {"statement": "I get regular reflective supervision", "percent_agree": 78},
    {"statement": "My caseload is manageable", "percent_agree": 54},
    {"statement": "I feel supported by my team manager", "percent_agree": 86},
    {"statement": "I have the tools I need to do my job", "percent_agree": 61},
    {"statement": "I would recommend working here", "percent_agree": 72},
]
# The two surveys the demo always has: (respondents) — 140 shown, 8 withheld.
SURVEY_RESPONDENTS = (140, 8)


def _people(roles: tuple[str, ...], today: datetime.date) -> list[User]:
    rows = (
        RoleAssignment.objects.active_on(today)
        .filter(role__in=roles, person__is_active=True)
        .select_related("person")
        .order_by("person__email", "pk")
    )
    people: dict[int, User] = {}
    for row in rows:
        people.setdefault(row.person_id, row.person)
    return list(people.values())


def _chaired_cases(recorders: list[User], today: datetime.date) -> dict[int, list[CaseFile]]:
    """Open, unrestricted case files each recorder chairs (a chair does not see a restricted file
    through chairing it), by case reference. Someone who chairs none is given a few open child
    protection (chair) or child in care (IRO) files without a chair, deterministically."""
    open_cases = CaseFile.objects.filter(restricted=False, closed_on__isnull=True, opened_on__lte=today)
    by_chair: dict[int, list[CaseFile]] = defaultdict(list)
    for case in open_cases.filter(chair__in=recorders).select_related("team").order_by("case_reference"):
        by_chair[case.chair_id].append(case)
    needing = [person for person in recorders if not by_chair[person.pk]]
    if needing:
        free = list(
            open_cases.filter(
                chair__isnull=True, case_type__in=(CaseType.CHILD_PROTECTION, CaseType.CHILD_IN_CARE)
            ).order_by("case_reference")
        )
        given = []
        for person in needing:
            for case in free[:CHAIRED_MINIMUM]:
                case.chair = person
                given.append(case)
                by_chair[person.pk].append(case)
            free = free[CHAIRED_MINIMUM:]
        bulk_update_with_history(given, CaseFile, ["chair"], default_change_reason="Synthetic demo data (seed_demo)")
        # In reference order, as the query gives them on the next run: the draws stay the same.
        for cases in by_chair.values():
            cases.sort(key=lambda case: case.case_reference)
    return by_chair


@dataclass
class _PlannedAlert:
    case: CaseFile
    kind: str
    meeting: str
    meeting_on: datetime.date
    theme: Theme
    summary: str
    moved_to: DisputeStage | None = None
    resolved_on: datetime.date | None = None
    resolution: str = ""


@dataclass
class _Tally:
    made: int = 0
    moved: int = 0
    resolved: int = 0
    skipped: list[str] = field(default_factory=list)


def _plan_alerts(
    rng: random.Random, cases: list[CaseFile], *, count: int, today: datetime.date, themes: list[Theme], stages: list
) -> list[_PlannedAlert]:
    planned = []
    for _ in range(count):
        case = rng.choice(cases)
        concern = rng.random() < 0.45
        meeting = rng.choice(MEETINGS.get(case.case_type, (MeetingKind.CP_REVIEW,)))
        meeting_on = max(case.opened_on, today - datetime.timedelta(days=rng.randint(0, ALERT_DAYS - 1)))
        theme = rng.choice(themes)
        summary = rng.choice(CONCERNS if concern else GOOD_PRACTICE)
        # Drawn whatever happens next, so the sequence never depends on earlier outcomes.
        move, resolve, days, resolution = rng.random(), rng.random(), rng.randint(3, 45), rng.choice(RESOLUTIONS)
        alert = _PlannedAlert(
            case=case,
            kind=ReviewingOfficerAlert.Kind.PRACTICE_CONCERN if concern else ReviewingOfficerAlert.Kind.GOOD_PRACTICE,
            meeting=meeting,
            meeting_on=meeting_on,
            theme=theme,
            summary=summary,
        )
        if concern and move < 0.35 and len(stages) > 1:
            alert.moved_to = stages[1 if move < 0.25 else min(2, len(stages) - 1)]
        if concern and resolve < 0.5 and (today - meeting_on).days > days:
            alert.resolved_on, alert.resolution = meeting_on + datetime.timedelta(days=days), resolution
        planned.append(alert)
    return planned


def _record(scope: Scope, person: User, plan: _PlannedAlert, first_stage: DisputeStage, tally: _Tally) -> None:
    alert = alert_record(
        scope=scope,
        actor=person,
        kind=plan.kind,
        case_file=plan.case,
        meeting=plan.meeting,
        meeting_on=plan.meeting_on,
        theme=plan.theme,
        stage=first_stage,
        summary=plan.summary,
        # Only the last week's alerts are news: older ones are in the app, not emailed again.
        email=(scope.today - plan.meeting_on).days <= EMAILED_DAYS,
    )
    tally.made += 1
    if plan.moved_to is not None:
        alert = alert_update(
            scope=scope,
            alert=alert,
            actor=person,
            stage=plan.moved_to,
            resolved_on=None,
            resolution="",
            version=history_version(alert),
        )
        tally.moved += 1
    if plan.resolved_on is not None:
        alert_update(
            scope=scope,
            alert=alert,
            actor=person,
            stage=alert.stage,
            resolved_on=plan.resolved_on,
            resolution=plan.resolution,
            version=history_version(alert),
        )
        tally.resolved += 1


def _seed_alerts(rng: random.Random, *, size: str, today: datetime.date, themes: list[Theme]) -> _Tally:
    tally = _Tally()
    stages = list(DisputeStage.objects.filter(active=True).order_by("position", "name"))
    recorders = _people((Role.CONFERENCE_CHAIR, Role.IRO), today)
    if not stages or not recorders:
        tally.skipped.append("no dispute stages or no chairs and IROs")
        return tally
    chaired = _chaired_cases(recorders, today)
    existing = set(
        ReviewingOfficerAlert.objects.filter(recorded_by__in=recorders).values_list(
            "case_file_id", "recorded_by_id", "meeting_on", "kind"
        )
    )
    for person in recorders:
        cases = chaired[person.pk]
        if not cases:
            continue
        scope = scope_for(person, today=today)
        for plan in _plan_alerts(
            rng, cases, count=ALERTS_PER_RECORDER[size], today=today, themes=themes, stages=stages
        ):
            key = (plan.case.pk, person.pk, plan.meeting_on, plan.kind)
            if key in existing:
                continue
            existing.add(key)
            _record(scope, person, plan, stages[0], tally)
    return tally


def _seed_entries(rng: random.Random, *, size: str, today: datetime.date, themes: list[Theme]) -> int:
    recorders = _people((Role.QA_OFFICER, Role.QA_MANAGER, Role.PSW), today)
    if not recorders:
        return 0
    areas = [None, *ServiceArea.objects.order_by("code")]
    existing = set(VoiceEntry.objects.values_list("source", "happened_on", "title"))
    scopes = {person.pk: scope_for(person, today=today) for person in recorders}
    made = 0
    for source in VoiceSource.values:
        texts = VOICE_TEXT[source]
        count = max(VOICES_PER_SOURCE[size], len(SURVEY_RESPONDENTS) if source == VoiceSource.STAFF_SURVEY else 1)
        for index in range(count):
            title, summary = texts[index % len(texts)]
            if index >= len(texts):
                title = f"{title} ({index // len(texts) + 1})"
            happened_on = today - datetime.timedelta(days=rng.randint(0, VOICE_DAYS))
            chosen = rng.sample(themes, min(len(themes), rng.choice((1, 1, 2, 3))))
            area = rng.choice(areas)
            person = rng.choice(recorders)
            respondents = None
            if source == VoiceSource.STAFF_SURVEY:
                respondents = SURVEY_RESPONDENTS[index] if index < len(SURVEY_RESPONDENTS) else rng.randint(20, 160)
            if (source, happened_on, title) in existing:
                continue
            data = VoiceData(
                source=source,
                happened_on=happened_on,
                themes=chosen,
                title=title,
                summary=summary,
                service_area=area,
                respondents=respondents,
                results=SURVEY_RESULTS if respondents else [],
            )
            voice_entry_create(scope=scopes[person.pk], actor=person, data=data)
            existing.add((source, happened_on, title))
            made += 1
    return made


def seed_voices(*, size: str, today: datetime.date) -> str:
    """Seed the demo's reviewing-officer alerts and other voices; returns a one-line summary."""
    themes = list(Theme.objects.filter(active=True).order_by("slug"))
    if not themes:
        return "Voices: skipped (no themes are loaded; run load_framework first)."
    rng = random.Random(f"demo-voices:{size}:{today}")
    with transaction.atomic():
        tally = _seed_alerts(rng, size=size, today=today, themes=themes)
        entries = _seed_entries(rng, size=size, today=today, themes=themes)
    if tally.skipped:
        alerts = f"alerts skipped ({tally.skipped[0]})"
    else:
        alerts = (
            f"{tally.made} reviewing-officer alerts added ({tally.moved} concerns moved on a stage, "
            f"{tally.resolved} resolved)"
        )
    return f"Voices: {alerts}; {entries} other-voice entries added; {VoiceEntry.objects.count()} in all."
