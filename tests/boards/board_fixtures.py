"""Synthetic data for the board and assurance-board report contexts, counted by hand.

The period is October 2026. :func:`build_base` makes what exists once (a tool, themes, indicators
and their benchmarks, a dispute stage, meetings' terms of reference, a third team A3 in area A
with no data, the marker case); :func:`add_copy` adds one copy of the varied rows — call it again
to multiply the data without changing its shape (the query-count tests). The counts below are
for one copy; every count is per copy unless marked "(once)".

Area A (teams A1, A2, A3), area B (team B1):

* Audits (month, kind, team, status, reported grade):
  A1 Oct monthly submitted Good — on the MARKER case (due, done, Good);
  A1 Oct monthly allocated (due, not done); A1 Oct monthly cancelled (not due);
  A1 Sep ad-hoc submitted Inadequate; A1 Aug monthly submitted Outstanding;
  A1 Jul monthly submitted Good (outside the quarter Aug–Oct; inside the 12 months);
  A1 Nov monthly submitted Good (after the period: never counted);
  A2 Oct early help submitted Requires improvement (due, done); A2 Sep monthly in progress;
  B1 Oct monthly submitted Good (area B).
  => A1: due 2, done 1, Outstanding 1, Good 1, RI 0, Inadequate 1.
     A2: due 1, done 1, RI 1.  A3: all 0.
  => whole service, Nov 2025–Oct 2026: Jul G1; Aug O1; Sep I1; Oct G2 RI1 => 6 graded, 4 Good or
     better.
* Children of concern (by the audit's team) at the end of October:
  A1 open since Sep (counted); A1 ended 15 Oct (not); A2 started 1 Oct, ended 3 Nov (counted);
  A1 started 5 Nov (not); B1 open (area B). => A1 1, A2 1.
* Audit actions overdue at the end of October (due by 31 Oct, not done by then):
  A1 open due 20 Oct (yes); A1 open due 31 Oct (yes); A1 open due 5 Nov (no); A1 done 9 Oct
  due 10 Oct (no); A1 done 2 Nov due 10 Oct (yes); A1 not done due 10 Oct (no: closed);
  A2 open due 30 Sep (yes); B1 open due 1 Oct (area B). => A1 3, A2 1.
* Meeting actions overdue (area A's board and its teams' clinics): board open due 15 Oct (yes);
  A1 clinic in progress due 30 Oct (yes); A1 clinic open due 10 Nov (no); A1 clinic done 5 Oct
  due 1 Oct (no); A1 clinic done 2 Nov due 1 Oct (yes); B1 clinic open due 1 Oct (area B). => 3.
* Clinic reports for October: A1 finalised 3 Nov 2026 (once); A2 draft (once); A3 none (once);
  B1 draft (once).
* Performance (once): "Assessments in timescale" (percentage, front door, target 85 higher):
  area A Oct 2026 80% (40 of 50), Sep 2026 75% (30 of 40), Oct 2025 70% (21 of 30); area B Oct
  2026 11% (1 of 9); authority Oct 2026 82.5% (66 of 80), Sep 2026 81% (81 of 100).
  Benchmarks (Apr 2025–Mar 2026): statistical neighbours 78%, England 80.5%.
  "Children on a plan" (stock, child protection, demand): authority Oct 2026 120.
  "Staff turnover" (percentage, workforce, service level and above): authority Oct 2026 14.5%.
  "Assessments per 10,000 children" (rate, front door, authority only): authority Oct 2026 count
  300 with a 2026 population of 60,000 => 50; area A count 100 (never shown: no area population).
  Signals: area A confirmed Oct (shown); area A new Oct (not); area B confirmed Oct (not).
* Themes (graded element answers): A1 Oct Good answer on element A1 tagged Relationships;
  A1 Sep Inadequate answer on element A2 tagged Recording; B1 Oct Good answer on element A1
  tagged Voice. => area A: 2 findings, strengths {A1, Relationships}, to develop {A2, Recording}.
* Reviewing-officer alerts: area A Oct good practice (Relationships); area A Oct practice concern
  at stage 1, open; area A Sep concern resolved 10 Oct; area B Oct concern.
  => area A: 1 good practice, 1 concern, 1 resolved in Oct, 1 open at the end of Oct.
  => whole service: 1 good practice, 2 concerns, 1 resolved, 2 open.
* Learning summaries written: area A in Oct (shown); whole service in Oct (shown); area B in Oct
  (authority only); area A in Sep (not).
* Voices: staff survey 10 Sep, 25 answered, results shown; staff survey 5 Oct, 6 answered
  (withheld); focus group 20 Aug; exit interviews 15 Jul (outside Aug–Oct); complaint 8 Oct;
  practice review 12 Sep; Ofsted notification 25 Aug; compliment 9 Oct (not a learning source).
* Practice weeks (once): March 2026 (ended 13 Mar) with one activity; October 2026 (12–16 Oct):
  area A 2 observations (2 leaders), area B 1 visit; strengths and areas to develop; one quote
  approved, one proposed (the MARKER quote), one declined.
"""

from __future__ import annotations

import datetime
import itertools
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.utils import timezone

from audits.models import (
    Action,
    ActionStatus,
    Audit,
    AuditKind,
    AuditStatus,
    ChildOfConcern,
    Element,
    ElementAnswer,
    Moderation,
    ModerationReason,
    Theme,
    ToolVersion,
)
from boards.models import LearningSummary
from clinics.models import (
    ActionStatus as MeetingActionStatus,
)
from clinics.models import (
    HighlightReport,
    Meeting,
    MeetingAction,
    MeetingKind,
    ReportKind,
    ReportVersion,
    TermsOfReference,
)
from feedback.models import DisputeStage, ReviewingOfficerAlert, VoiceEntry, VoiceSource
from observations.models import ActivityKind, PracticeWeek, PracticeWeekActivity, QuoteStatus
from organisation.models import CaseFile, Role, Team, User
from performance.models import (
    Baseline,
    Benchmark,
    Comparator,
    FigureOfRecord,
    Indicator,
    IndicatorType,
    Population,
    SeriesKind,
    Signal,
)
from tests.audits.factories import tool_version
from tests.conftest import World
from tests.factories import CaseFileFactory, TeamFactory, UserFactory, person_with_role

PERIOD = datetime.date(2026, 10, 1)

# Strings that must never appear in a board report (aggregate only).
MARKER_REFERENCE = "REFZQXMARK1"
MARKER_INITIALS = "QZXW"
MARKER_PRACTITIONER = "Practitioner Zqxmark Two"
MARKER_AUDIT_TEXT = "AUDITFREETEXTZQXMARK3"
MARKER_ALERT = "ALERTSUMMARYZQXMARK4"
MARKER_QUOTE = "UNAPPROVEDQUOTEZQXMARK5"
MARKERS = (MARKER_REFERENCE, MARKER_INITIALS, MARKER_PRACTITIONER, MARKER_AUDIT_TEXT, MARKER_ALERT, MARKER_QUOTE)

_serial = itertools.count(1)


def _at(day: datetime.date, hour: int = 10) -> datetime.datetime:
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time(hour, 0)))


@dataclass
class Base:
    world: World
    tool: ToolVersion
    element_a1: Element
    element_a2: Element
    themes: dict[str, Theme]
    stage: DisputeStage
    team_a3: Team
    qa: User
    marker_case: CaseFile
    marker_practitioner: User
    manager: User
    meetings: dict[str, Meeting] = field(default_factory=dict)
    copies: int = 0
    indicators: dict[str, Indicator] = field(default_factory=dict)


def build_base(world: World) -> Base:
    tool = tool_version()
    themes = {
        slug: Theme.objects.create(slug=slug, name=name)
        for slug, name in (
            ("relationships", "Relationships with children"),
            ("recording", "Recording and chronology"),
            ("voice", "Voice of the child"),
            ("wellbeing", "Staff wellbeing"),
            ("timeliness", "Timeliness"),
        )
    }
    stage = DisputeStage.objects.create(key="stage-1", name="Stage 1: informal", position=1)
    team_a3 = TeamFactory(code="a3", service_area=world.area_a)
    marker_practitioner = person_with_role(Role.PRACTITIONER, team=world.team_a1, full_name=MARKER_PRACTITIONER)
    marker_case = CaseFileFactory(
        case_reference=MARKER_REFERENCE,
        child_initials=MARKER_INITIALS,
        team=world.team_a1,
        practitioner=marker_practitioner,
    )
    base = Base(
        world=world,
        tool=tool,
        element_a1=tool.elements.get(code="A1"),
        element_a2=tool.elements.get(code="A2"),
        themes=themes,
        stage=stage,
        team_a3=team_a3,
        qa=world.people["qa_officer"],
        marker_case=marker_case,
        marker_practitioner=marker_practitioner,
        manager=world.people["service_manager_same"],
    )
    _meetings(base)
    _performance(base)
    _reports(base)
    _practice_weeks(base)
    return base


def _meetings(base: Base) -> None:
    w = base.world
    for kind in (MeetingKind.CLINIC, MeetingKind.BOARD):
        TermsOfReference.objects.create(
            key=f"tor-{kind}",
            kind=kind,
            title=f"Terms {kind}",
            purpose="Purpose",
            chair="Chair",
            frequency="Monthly",
            quorum="Chair and two members",
        )
    terms = {t.kind: t for t in TermsOfReference.objects.all()}
    for name, kind, team, area in (
        ("board_a", MeetingKind.BOARD, None, w.area_a),
        ("clinic_a1", MeetingKind.CLINIC, w.team_a1, None),
        ("clinic_b1", MeetingKind.CLINIC, w.team_b1, None),
    ):
        base.meetings[name] = Meeting.objects.create(
            kind=kind,
            team=team,
            service_area=area,
            held_on=datetime.date(2026, 9, 15),
            terms=terms[kind],
            created_by=base.manager,
        )


def _figure(indicator: Indicator, scope_key: str, month: datetime.date, value: str, num: Any, den: Any) -> None:
    end = (month + datetime.timedelta(days=32)).replace(day=1) - datetime.timedelta(days=1)
    FigureOfRecord.objects.create(
        indicator=indicator,
        scope_key=scope_key,
        period_start=month,
        period_end=end,
        value=Decimal(value) if value is not None else None,
        numerator=None if num is None else Decimal(num),
        denominator=None if den is None else Decimal(den),
    )


def _performance(base: Base) -> None:
    timely = Indicator.objects.create(
        code="assessments-timely",
        name="Assessments in timescale",
        brief="Brief",
        type=IndicatorType.PERCENTAGE,
        baskets=["front_door"],
        target_allowed=True,
        target=Decimal("85"),
        direction="higher",
        position=1,
    )
    plans = Indicator.objects.create(
        code="cp-plans",
        name="Children on a plan",
        brief="Brief",
        type=IndicatorType.STOCK,
        unit="children",
        baskets=["child_protection"],
        demand_measure=True,
        position=2,
    )
    turnover = Indicator.objects.create(
        code="turnover",
        name="Staff turnover",
        brief="Brief",
        type=IndicatorType.PERCENTAGE,
        baskets=["workforce"],
        lowest_scope="area",
        position=3,
    )
    rate = Indicator.objects.create(
        code="assessment-rate",
        name="Assessments per 10,000 children",
        brief="Brief",
        type=IndicatorType.RATE,
        unit="per 10,000 children",
        baskets=["front_door"],
        demand_measure=True,
        lowest_scope="authority",
        position=4,
    )
    base.indicators = {"timely": timely, "plans": plans, "turnover": turnover, "rate": rate}
    oct26, sep26, oct25 = PERIOD, datetime.date(2026, 9, 1), datetime.date(2025, 10, 1)
    _figure(timely, "area:area-a", oct26, "80", 40, 50)
    _figure(timely, "area:area-a", sep26, "75", 30, 40)
    _figure(timely, "area:area-a", oct25, "70", 21, 30)
    _figure(timely, "area:area-b", oct26, "11.11", 1, 9)
    _figure(timely, "authority", oct26, "82.5", 66, 80)
    _figure(timely, "authority", sep26, "81", 81, 100)
    _figure(plans, "authority", oct26, "120", None, None)
    _figure(turnover, "authority", oct26, "14.5", 29, 200)
    # A rate without a value: worked out from the count and the 2026 population (300 × 10,000 / 60,000).
    _figure(rate, "authority", oct26, None, 300, None)
    _figure(rate, "area:area-a", oct26, None, 100, None)
    for comparator, value in ((Comparator.STATISTICAL_NEIGHBOURS, "78"), (Comparator.ENGLAND, "80.5")):
        Benchmark.objects.create(
            indicator=timely,
            period_start=datetime.date(2025, 4, 1),
            period_end=datetime.date(2026, 3, 31),
            comparator=comparator,
            value=Decimal(value),
        )
    Population.objects.create(year=2026, aged_0_to_17=60000)
    for scope_key, status in (
        ("area:area-a", Signal.Status.CONFIRMED),
        ("area:area-b", Signal.Status.CONFIRMED),
    ):
        baseline = Baseline.objects.create(
            indicator=timely,
            scope_key=scope_key,
            series=SeriesKind.RECORD,
            first_month=datetime.date(2024, 1, 1),
            last_month=datetime.date(2025, 3, 1),
            points=15,
            mean=Decimal("70"),
            moving_range=Decimal("3"),
            upper_limit=Decimal("78"),
            lower_limit=Decimal("62"),
        )
        Signal.objects.create(
            indicator=timely,
            scope_key=scope_key,
            series=SeriesKind.RECORD,
            rule=Signal.Rule.BEYOND_LIMITS,
            month=PERIOD,
            value=Decimal("80"),
            baseline=baseline,
            status=status,
        )
        if scope_key == "area:area-a":
            Signal.objects.create(
                indicator=timely,
                scope_key=scope_key,
                series=SeriesKind.RECORD,
                rule=Signal.Rule.RUN_OF_7,
                month=PERIOD,
                value=Decimal("80"),
                baseline=baseline,
                status=Signal.Status.NEW,
            )


def _reports(base: Base) -> None:
    w = base.world
    a1 = HighlightReport.objects.create(
        kind=ReportKind.TEAM_CLINIC, scope_key="team:a1", team=w.team_a1, period=PERIOD, status="final"
    )
    ReportVersion.objects.create(
        report=a1,
        number=1,
        context={},
        author_name="Team manager",
        finalised_by=w.people["team_manager_same"],
        finalised_at=datetime.datetime(2026, 11, 3, 10, 0, tzinfo=datetime.UTC),
    )
    HighlightReport.objects.create(kind=ReportKind.TEAM_CLINIC, scope_key="team:a2", team=w.team_a2, period=PERIOD)
    HighlightReport.objects.create(kind=ReportKind.TEAM_CLINIC, scope_key="team:b1", team=w.team_b1, period=PERIOD)
    # A3's report for September does not count for October.
    HighlightReport.objects.create(
        kind=ReportKind.TEAM_CLINIC, scope_key="team:a3", team=base.team_a3, period=datetime.date(2026, 9, 1)
    )


def _practice_weeks(base: Base) -> None:
    w = base.world
    leader_1, leader_2 = w.people["head_of_service"], w.people["principal_social_worker"]
    march = PracticeWeek.objects.create(
        title="Spring practice week",
        starts_on=datetime.date(2026, 3, 9),
        ends_on=datetime.date(2026, 3, 13),
        scheduled_by=base.qa,
    )
    PracticeWeekActivity.objects.create(
        week=march,
        leader=leader_1,
        kind=ActivityKind.VISIT,
        happened_on=datetime.date(2026, 3, 10),
        service_area=w.area_a,
        strengths="Spring strength",
    )
    october = PracticeWeek.objects.create(
        title="Autumn practice week",
        starts_on=datetime.date(2026, 10, 12),
        ends_on=datetime.date(2026, 10, 16),
        focus="Direct work with children",
        scheduled_by=base.qa,
    )
    PracticeWeekActivity.objects.create(
        week=october,
        leader=leader_1,
        kind=ActivityKind.OBSERVATION,
        happened_on=datetime.date(2026, 10, 12),
        service_area=w.area_a,
        team=w.team_a1,
        strengths="Warm, direct work with children",
        areas_to_develop="Chronologies lag behind",
        quote="What the family said, as heard",
        quote_status=QuoteStatus.APPROVED,
        quote_approved_text="The worker listened to us",
    )
    PracticeWeekActivity.objects.create(
        week=october,
        leader=leader_2,
        kind=ActivityKind.OBSERVATION,
        happened_on=datetime.date(2026, 10, 13),
        service_area=w.area_a,
        quote=MARKER_QUOTE,
        quote_status=QuoteStatus.PROPOSED,
    )
    PracticeWeekActivity.objects.create(
        week=october,
        leader=leader_1,
        kind=ActivityKind.VISIT,
        happened_on=datetime.date(2026, 10, 14),
        service_area=w.area_b,
        strengths="Managers know their children",
        quote="Declined quote text",
        quote_status=QuoteStatus.DECLINED,
    )


# --- one copy of the varied rows -----------------------------------------------------------------------
def _audit(
    base: Base,
    team: Team,
    month: datetime.date,
    *,
    status: str = AuditStatus.SUBMITTED,
    grade: str = "",
    kind: str = AuditKind.MONTHLY,
    case: CaseFile | None = None,
    **fields: Any,
) -> Audit:
    case = case or CaseFileFactory(team=team)
    auditor = UserFactory(email=f"board-auditor-{next(_serial)}@example.test")
    done = status in (AuditStatus.SUBMITTED, AuditStatus.IN_MODERATION, AuditStatus.CLOSED)
    return Audit.objects.create(
        kind=kind,
        status=status,
        case_file=case,
        tool_version=base.tool,
        auditor=auditor,
        month=month,
        due_on=month + datetime.timedelta(days=27),
        allocated_at=_at(month),
        case_reference=case.case_reference,
        child_initials=case.child_initials,
        case_type=case.case_type,
        team=team,
        service_area=team.service_area,
        practitioner=case.practitioner,
        case_opened_on=case.opened_on,
        overall_grade=grade if done else "",
        reported_grade=grade if done else "",
        submitted_at=_at(month + datetime.timedelta(days=20)) if done else None,
        **fields,
    )


def add_copy(base: Base, *, with_new_team: bool = False) -> None:
    """One copy of the varied rows (see the module docstring for the counts). ``with_new_team``
    also adds a team to area A with an audit, a concern and an action, so the number of teams
    grows too (used by the query-count test only)."""
    w = base.world
    a1, a2, b1 = w.team_a1, w.team_a2, w.team_b1
    oct_, sep, aug, jul, nov = (datetime.date(2026, m, 1) for m in (10, 9, 8, 7, 11))
    qa, manager = base.qa, base.manager

    # Audits.
    # The first copy's A1 October audit is of the marker case (a case is drawn once a month).
    marker_case = base.marker_case if base.copies == 0 else None
    base.copies += 1
    a1_oct = _audit(base, a1, oct_, grade="good", case=marker_case, impact_for_child=MARKER_AUDIT_TEXT)
    _audit(base, a1, oct_, status=AuditStatus.ALLOCATED)
    _audit(base, a1, oct_, status=AuditStatus.CANCELLED)
    a1_sep = _audit(base, a1, sep, grade="inadequate", kind=AuditKind.AD_HOC)
    _audit(base, a1, aug, grade="outstanding")
    _audit(base, a1, jul, grade="good")
    _audit(base, a1, nov, grade="good")
    a2_oct = _audit(base, a2, oct_, grade="requires_improvement", kind=AuditKind.EARLY_HELP)
    _audit(base, a2, sep, status=AuditStatus.IN_PROGRESS)
    b1_oct = _audit(base, b1, oct_, grade="good")

    ElementAnswer.objects.create(
        audit=a1_oct,
        element=base.element_a1,
        grade="good",
        working_well=MARKER_AUDIT_TEXT,
        theme_tags=["relationships"],
    )
    ElementAnswer.objects.create(
        audit=a1_sep,
        element=base.element_a2,
        grade="inadequate",
        even_better_if=MARKER_AUDIT_TEXT,
        theme_tags=["recording"],
    )
    ElementAnswer.objects.create(audit=b1_oct, element=base.element_a1, grade="good", theme_tags=["voice"])

    # Moderation: one exact agreement (Good, Good), one a grade apart (RI moderated to Good).
    Moderation.objects.create(
        audit=a1_oct,
        status=Moderation.Status.DONE,
        reason=ModerationReason.RANDOM,
        selected_at=_at(datetime.date(2026, 10, 25)),
        overall_agrees=True,
    )
    Moderation.objects.create(
        audit=a2_oct,
        status=Moderation.Status.DONE,
        reason=ModerationReason.RANDOM,
        selected_at=_at(datetime.date(2026, 10, 25)),
        overall_agrees=False,
        overall_grade="good",
        overall_reason="Moderator reason",
    )

    # Children of concern.
    def concern(audit: Audit, started: datetime.date, ended: datetime.date | None = None) -> None:
        ChildOfConcern.objects.create(
            case_file=audit.case_file,
            audit=audit,
            status=ChildOfConcern.Status.ENDED if ended else ChildOfConcern.Status.OPEN,
            started_at=_at(started),
            started_by=qa,
            start_reason="Inadequate",
            ended_at=_at(ended) if ended else None,
            ended_by=qa if ended else None,
        )

    concern(a1_sep, datetime.date(2026, 9, 25))
    concern(a1_oct, datetime.date(2026, 9, 1), datetime.date(2026, 10, 15))
    concern(a2_oct, datetime.date(2026, 10, 1), datetime.date(2026, 11, 3))
    concern(a1_oct, datetime.date(2026, 11, 5))
    concern(b1_oct, datetime.date(2026, 10, 2))

    # Audit actions.
    owner = w.people["team_manager_same"]

    def action(audit: Audit, due: datetime.date, status: str = ActionStatus.OPEN, done: datetime.date | None = None):
        Action.objects.create(
            audit=audit,
            description=MARKER_AUDIT_TEXT,
            owner=owner,
            due_on=due,
            status=status,
            completed_on=done,
            created_by=owner,
        )

    action(a1_oct, datetime.date(2026, 10, 20))
    action(a1_oct, datetime.date(2026, 10, 31))
    action(a1_oct, datetime.date(2026, 11, 5))
    action(a1_oct, datetime.date(2026, 10, 10), ActionStatus.DONE, datetime.date(2026, 10, 9))
    action(a1_oct, datetime.date(2026, 10, 10), ActionStatus.DONE, datetime.date(2026, 11, 2))
    action(a1_oct, datetime.date(2026, 10, 10), ActionStatus.NOT_DONE)
    action(a2_oct, datetime.date(2026, 9, 30))
    action(b1_oct, datetime.date(2026, 10, 1))

    # Meeting actions.
    def meeting_action(
        meeting: str, what: str, due: datetime.date, status: str = MeetingActionStatus.OPEN, closed=None
    ) -> None:
        m = base.meetings[meeting]
        MeetingAction.objects.create(
            raised_at=m,
            kind=m.kind,
            team=m.team,
            service_area=m.service_area,
            what=what,
            owner=manager,
            due_on=due,
            status=status,
            closed_on=closed,
            created_by=manager,
        )

    meeting_action("board_a", "Board action overdue", datetime.date(2026, 10, 15))
    meeting_action("clinic_a1", "Clinic action in progress", datetime.date(2026, 10, 30), "in_progress")
    meeting_action("clinic_a1", "Clinic action not yet due", datetime.date(2026, 11, 10))
    meeting_action(
        "clinic_a1", "Clinic action done in time", datetime.date(2026, 10, 1), "done", datetime.date(2026, 10, 5)
    )
    meeting_action(
        "clinic_a1", "Clinic action done late", datetime.date(2026, 10, 1), "done", datetime.date(2026, 11, 2)
    )
    meeting_action("clinic_b1", "Area B clinic action", datetime.date(2026, 10, 1))

    # Reviewing-officer alerts.
    chair = w.people["conference_chair"]

    def alert(kind: str, audit: Audit, on: datetime.date, resolved: datetime.date | None = None) -> None:
        ReviewingOfficerAlert.objects.create(
            kind=kind,
            case_file=audit.case_file,
            team=audit.team,
            service_area=audit.service_area,
            practitioner=audit.practitioner,
            meeting="cp_conference",
            meeting_on=on,
            theme=base.themes["relationships"],
            stage=None if kind == "good_practice" else base.stage,
            summary=MARKER_ALERT,
            resolved_on=resolved,
            recorded_by=chair,
        )

    alert("good_practice", a1_oct, datetime.date(2026, 10, 6))
    alert("practice_concern", a1_oct, datetime.date(2026, 10, 7))
    alert("practice_concern", a1_oct, datetime.date(2026, 9, 7), datetime.date(2026, 10, 10))
    alert("practice_concern", b1_oct, datetime.date(2026, 10, 8))

    # Learning summaries (created_at is set by the database: moved to the month written).
    def summary(area: Any, title: str, written: datetime.date) -> None:
        s = LearningSummary.objects.create(
            service_area=area,
            period_from=datetime.date(2026, 8, 1),
            period_to=datetime.date(2026, 10, 31),
            title=title,
            summary=f"{title}: what we learnt",
            written_by=w.people["principal_social_worker"],
        )
        LearningSummary.objects.filter(pk=s.pk).update(created_at=_at(written))

    summary(w.area_a, "Area A learning", datetime.date(2026, 10, 20))
    summary(None, "Whole service learning", datetime.date(2026, 10, 21))
    summary(w.area_b, "Area B learning", datetime.date(2026, 10, 22))
    summary(w.area_a, "Area A September learning", datetime.date(2026, 9, 20))

    # Voices.
    def voice(source: str, on: datetime.date, title: str, themes: list[str], **fields: Any) -> None:
        entry = VoiceEntry.objects.create(
            source=source, happened_on=on, title=title, summary=f"{title} summary", recorded_by=qa, **fields
        )
        entry.themes.set([base.themes[t] for t in themes])

    voice(
        VoiceSource.STAFF_SURVEY,
        datetime.date(2026, 9, 10),
        "Autumn staff survey",
        ["wellbeing"],
        respondents=25,
        results=[{"statement": "I feel supported by my manager", "percent_agree": 72}],
    )
    voice(VoiceSource.STAFF_SURVEY, datetime.date(2026, 10, 5), "Small team survey", ["wellbeing"], respondents=6)
    voice(VoiceSource.FOCUS_GROUP, datetime.date(2026, 8, 20), "Focus group", ["wellbeing", "timeliness"])
    voice(VoiceSource.EXIT_INTERVIEW, datetime.date(2026, 7, 15), "Exit interviews", ["timeliness"])
    voice(VoiceSource.COMPLAINT, datetime.date(2026, 10, 8), "Complaint about delays", ["timeliness"])
    voice(VoiceSource.PRACTICE_REVIEW, datetime.date(2026, 9, 12), "Practice review learning", ["recording"])
    voice(VoiceSource.OFSTED_NOTIFICATION, datetime.date(2026, 8, 25), "Ofsted notification", ["voice"])
    voice(VoiceSource.COMPLIMENT, datetime.date(2026, 10, 9), "A compliment", ["relationships"])

    if with_new_team:
        team = TeamFactory(code=f"extra-{next(_serial)}", service_area=w.area_a)
        audit = _audit(base, team, oct_, grade="good")
        concern(audit, datetime.date(2026, 10, 3))
        action(audit, datetime.date(2026, 10, 3))
