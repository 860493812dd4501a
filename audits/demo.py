"""Synthetic audits for the demo authority: every state, for every demo sign-in.

Called by ``seed_demo`` after the organisation is seeded (organisation/demo.py) and the framework
content is loaded (the audit tools are data: without them there is nothing to audit with, and
the seeder says so and skips). Like the organisation, the audits are planned in memory first
from a random generator seeded by the size and the date
(``random.Random(f"demo-audits:{size}:{today}")``) drawing over lists ordered by natural keys
(emails, case references), so the same size and date always give the same audits; then only the
audits not in the database yet are inserted, found by their natural key (case reference, month,
kind and auditor). Running it again therefore adds nothing.

What it builds, so each demo sign-in has something real to look at:

* a monthly draw over the last few months: each person with the auditor duty audits one open
  social work case a month (never in a team they manage, never their own case or one they chair);
  the early help strategic lead and co-ordinators audit early help files of other teams;
* past months submitted and mostly closed, a spread of grades (Inadequate talked through and not
  yet), with actions for improvement (open, overdue, done and confirmed, done awaiting the team
  manager), reflections before and after, responses to the grade; a few cancelled with a reason;
  one in moderation; the current month allocated or in progress (drafts with some answers);
* for the demo practitioner and their team manager, every situation the audit pages handle:
  a reflection to write before an audit, an audit to read and respond to, an Inadequate audit
  to talk through, an action to confirm, an immediate concern with its action recorded and one
  overdue; and a restricted case allocated by hand by the QA manager.

Every text is invented, uses the child's initials only, and names no child.
"""

from __future__ import annotations

import calendar
import datetime
import random
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from django.db import transaction
from django.utils import timezone
from simple_history.utils import bulk_create_with_history

from core.workdays import add_working_days, last_working_day_of_month
from organisation.demo import DEMO_EMAIL
from organisation.models import CaseFile, CaseType, Duty, DutyAssignment, Role, RoleAssignment, User

from .models import (
    Action,
    ActionStatus,
    AllocationRound,
    Audit,
    AuditKind,
    AuditStatus,
    Element,
    ElementAnswer,
    Grade,
    ImmediateConcern,
    Participant,
    Pillar,
    PractitionerAbsence,
    PractitionerResponse,
    Progress,
    Theme,
    ToolVersion,
)
from .services.allocation import EARLY_HELP_TOOL, SOCIAL_WORK_TOOL, tool_key_for_case_type
from .services.monthly import allocation_confirm, allocation_propose
from .services.tools import tool_version_current

HISTORY_REASON = "Synthetic demo data (seed_demo)"
BATCH_SIZE = 1000
MONTHS = {"tiny": 4, "demo": 6, "large": 6}
GRADES = [Grade.OUTSTANDING, Grade.GOOD, Grade.REQUIRES_IMPROVEMENT, Grade.INADEQUATE]
GRADE_WEIGHTS = (8, 45, 35, 12)
# Minimum time a case is open before it is drawn (DESIGN section 4: 1 month, 2 for early help).
MIN_OPEN_DAYS = {CaseType.EARLY_HELP: 61}
DEFAULT_MIN_OPEN_DAYS = 31

# --- invented words ------------------------------------------------------------------------------
WORKING_WELL = (
    "{i}'s views are recorded in their own words and clearly shape the plan.",
    "Visits are regular and purposeful; {i} is seen alone at most visits.",
    "The worker has built a warm, honest relationship with {i} and their parents.",
    "School and health attend every meeting and their actions are tracked to completion.",
    "The family's strengths are named and used: grandparents now collect {i} from school.",
    "Decisions are clear, reasoned and linked to the threshold applied.",
    "Direct work with {i} uses drawings and a three-houses tool; what {i} said is acted on.",
    "The plan is written in plain language the family understands and agreed with them.",
)
EVEN_BETTER_IF = (
    "the chronology were brought up to date so it tells the family's story, not only the service's.",
    "{i}'s wishes and feelings were revisited after the change of school.",
    "supervision recorded the reasons for decisions as well as the decisions.",
    "the plan had dates for each action so drift is easy to see.",
    "the father's views were sought and recorded alongside the mother's.",
    "the impact of the help on {i}'s daily life were recorded after each review.",
)
EVIDENCE = (
    "Visit records for the last three months; the current plan and its review.",
    "Supervision notes, core group minutes and the latest assessment.",
    "Direct work records with {i}; school attendance figures shared by the school.",
    "Case summary, chronology and the network meeting record.",
)
IMPACT = {
    Grade.OUTSTANDING: "{i} is safer and more settled: attendance is up, and {i} says home feels calmer and "
    "they know who to talk to. The change has lasted since the last review.",
    Grade.GOOD: "{i} is safe and the plan is making a steady difference; the gaps found are minor recording "
    "gaps that do not change what has happened for {i}.",
    Grade.REQUIRES_IMPROVEMENT: "{i} is safe, but help is slower than it should be: the plan has drifted since "
    "the last review and it is not yet clear what has changed for {i}.",
    Grade.INADEQUATE: "{i}'s needs are not met and there is no clear plan to meet them; the risks to {i} are "
    "not fully understood. The team manager has been asked to review the plan this week.",
}
ACTIONS = (
    "Update the chronology so it shows the family's history, not only the service's.",
    "Record {i}'s wishes and feelings in their own words at the next visit.",
    "Hold a family network meeting before the next review.",
    "Agree a written plan with dates for each action and share it with the family.",
    "Bring the case to supervision to review drift in the plan.",
    "Complete the outstanding assessment and record the analysis of impact on {i}.",
)
ACTION_EVIDENCE = (
    "Chronology updated and checked in supervision.",
    "Direct work record added; {i}'s words are in the plan.",
    "Network meeting held; notes on the record.",
    "Plan reissued with dates and shared with the family.",
)
REFLECTION_BEFORE = (
    "I'd like to talk through how we keep {i}'s voice in the plan, and where I feel stuck with school.",
    "What is working: {i} is talking to me more. I'm worried the plan is drifting since the change of school.",
    "I'd like help with recording the analysis; I know the work well but the record is thin in places.",
)
REFLECTION_AFTER = (
    "The conversation helped: I've updated the chronology and {i}'s plan now has dates.",
    "I've started recording {i}'s words directly after each visit, which the family liked.",
    "Supervision has picked up the drift; the network meeting is booked.",
)
RESPONSE_COMMENTS = {
    PractitionerResponse.AGREE: "The audit reflects the work, and the conversation was useful.",
    PractitionerResponse.PARTLY: "I agree with most of it; the recording gaps were during a period of sickness cover.",
    PractitionerResponse.DISAGREE: "I think the impact for {i} is better than the grade shows; recent changes were "
    "not yet on the record when the audit took place.",
}
CONCERN = (
    "During the audit it was not clear that {i} has been seen since the last referral. The auditor asked the "
    "team manager to check today."
)
CONCERN_ACTION = (
    "Spoke to the worker the same day; {i} was visited and seen alone. No immediate risk found; the plan is "
    "being reviewed in supervision this week."
)
NOT_APPLICABLE = "No review, conference or core group took place in the period audited."
CANCEL_REASONS = (
    "Case closed before the audit could take place.",
    "Auditor absent; to be reallocated next month.",
    "Conflict of interest declared by the auditor.",
)


# --- reading the authority -----------------------------------------------------------------------
@dataclass(frozen=True)
class CaseRow:
    pk: int
    reference: str
    initials: str
    case_type: str
    legal_status: str
    team_id: int
    area_id: int
    practitioner_id: int | None
    chair_id: int | None
    family: str
    restricted: bool
    opened_on: datetime.date
    closed_on: datetime.date | None

    def open_on(self, day: datetime.date) -> bool:
        return self.opened_on <= day and (self.closed_on is None or self.closed_on >= day)


@dataclass
class Person:
    pk: int
    email: str
    managed_team_ids: frozenset[int]
    roles: frozenset[str]


@dataclass
class ToolData:
    version: ToolVersion
    elements: list[Element]
    # question code -> scale option codes, per element id
    questions: dict[int, list[tuple[str, list[str]]]]


@dataclass
class AuditSeedReport:
    created: dict[str, int] = field(default_factory=dict)
    present: int = 0
    skipped: str = ""

    def lines(self) -> list[str]:
        if self.skipped:
            return [f"audits: skipped ({self.skipped})"]
        return [
            f"audits: {self.created.get('audits', 0)} created, {self.present} already present",
            f"element answers, actions and immediate concerns: {self.created.get('answers', 0)}, "
            f"{self.created.get('actions', 0)} and {self.created.get('concerns', 0)} created",
            f"this month's allocation: {self.created.get('allocated', 0)} monthly audits confirmed",
        ]

    @property
    def created_anything(self) -> bool:
        return any(self.created.values())


def _month_start(day: datetime.date, back: int = 0) -> datetime.date:
    year, month = day.year, day.month - back
    while month < 1:
        month += 12
        year -= 1
    return datetime.date(year, month, 1)


def _month_end(month: datetime.date) -> datetime.date:
    return month.replace(day=calendar.monthrange(month.year, month.month)[1])


def _at(day: datetime.date, hour: int, minute: int = 0) -> datetime.datetime:
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time(hour, minute)))


def _tool_data(version: ToolVersion) -> ToolData:
    elements = list(version.elements.order_by("position").prefetch_related("questions__scale__options"))
    questions = {
        e.pk: [
            (q.code, [o.code for o in q.scale.options.all()] if q.scale_id else [])
            for q in e.questions.all()
            if q.kind == "scale"
        ]
        for e in elements
    }
    return ToolData(version=version, elements=elements, questions=questions)


# --- the plan --------------------------------------------------------------------------------------
@dataclass
class PlannedAudit:
    case: CaseRow
    audit: Audit
    answers: list[ElementAnswer] = field(default_factory=list)
    actions: list[Action] = field(default_factory=list)
    concerns: list[ImmediateConcern] = field(default_factory=list)

    @property
    def key(self) -> tuple[str, datetime.date, str, int]:
        a = self.audit
        return (a.case_reference, a.month, a.kind, a.auditor_id)


class _Planner:
    def __init__(self, *, size: str, today: datetime.date, tools: dict[str, ToolData]) -> None:
        self.size = size
        self.today = today
        self.rng = random.Random(f"demo-audits:{size}:{today.isoformat()}")
        self.tools = tools
        self.planned: list[PlannedAudit] = []
        self.used_cases: set[int] = set()
        self.monthly_auditors: set[tuple[int, datetime.date]] = set()
        self.monthly_cases: set[tuple[int, datetime.date]] = set()
        self.themes = list(Theme.objects.filter(active=True).order_by("slug").values_list("slug", flat=True))
        self.pillars = sorted(set(Pillar.objects.values_list("key", flat=True)))
        self._load_people()
        self._load_cases()

    # reading -------------------------------------------------------------------------------
    def _load_people(self) -> None:
        active = RoleAssignment.objects.active_on(self.today).order_by("person_id", "pk")
        managed: dict[int, set[int]] = defaultdict(set)
        roles: dict[int, set[str]] = defaultdict(set)
        self.team_managers: dict[int, list[int]] = defaultdict(list)
        for person_id, role, team_id in active.values_list("person_id", "role", "team_id"):
            roles[person_id].add(role)
            if team_id and role in {Role.TEAM_MANAGER, Role.EH_COORDINATOR}:
                managed[person_id].add(team_id)
            if team_id and role == Role.TEAM_MANAGER:
                self.team_managers[team_id].append(person_id)
        auditor_ids = set(
            DutyAssignment.objects.active_on(self.today).filter(duty=Duty.AUDITOR).values_list("person_id", flat=True)
        )
        users = User.objects.filter(is_active=True).order_by("email").values_list("pk", "email")
        self.people = {
            pk: Person(pk=pk, email=email, managed_team_ids=frozenset(managed[pk]), roles=frozenset(roles[pk]))
            for pk, email in users
        }
        self.by_email = {p.email: p for p in self.people.values()}
        self.auditors = [p for p in self.people.values() if p.pk in auditor_ids]  # ordered by email
        self.qa_manager = next((p for p in self.people.values() if Role.QA_MANAGER in p.roles), None)
        self.qa_officer = next((p for p in self.people.values() if Role.QA_OFFICER in p.roles), None)

    def _load_cases(self) -> None:
        rows = CaseFile.objects.order_by("case_reference").values_list(
            "pk",
            "case_reference",
            "child_initials",
            "case_type",
            "legal_status",
            "team_id",
            "team__service_area_id",
            "practitioner_id",
            "chair_id",
            "family_reference",
            "restricted",
            "opened_on",
            "closed_on",
        )
        self.cases = [CaseRow(*row) for row in rows]
        pools: dict[str, list[CaseRow]] = {"social": [], "early_help": []}
        for case in self.cases:
            if not case.restricted:
                pools["early_help" if case.case_type == CaseType.EARLY_HELP else "social"].append(case)
        for pool in pools.values():
            self.rng.shuffle(pool)
        self.pools = pools

    def demo(self, role: Role) -> Person | None:
        return self.by_email.get(DEMO_EMAIL[role])

    # eligibility ------------------------------------------------------------------------------
    @staticmethod
    def _allowed(case: CaseRow, auditor: Person) -> bool:
        """Never a case in a team the auditor manages directly, their own case or one they chair."""
        return case.team_id not in auditor.managed_team_ids and auditor.pk not in (case.practitioner_id, case.chair_id)

    def _eligible(self, case: CaseRow, auditor: Person, month: datetime.date) -> bool:
        if case.pk in self.used_cases or not self._allowed(case, auditor):
            return False
        check_day = min(_month_end(month), self.today) if month == _month_start(self.today) else month
        minimum = MIN_OPEN_DAYS.get(case.case_type, DEFAULT_MIN_OPEN_DAYS)
        return case.open_on(check_day) and case.opened_on <= month - datetime.timedelta(days=minimum)

    def _draw(self, pool: Sequence[CaseRow], auditor: Person, month: datetime.date) -> CaseRow | None:
        for case in pool:
            if self._eligible(case, auditor, month):
                return case
        return None

    # building ---------------------------------------------------------------------------------
    def _grade(self) -> str:
        return self.rng.choices(GRADES, weights=GRADE_WEIGHTS)[0]

    def _text(self, options: Sequence[str], case: CaseRow) -> str:
        return self.rng.choice(options).format(i=case.initials)

    def new_audit(
        self,
        case: CaseRow,
        auditor: Person,
        month: datetime.date,
        *,
        kind: str = AuditKind.MONTHLY,
        allocated_by: Person | None = None,
        reason: str = "",
    ) -> PlannedAudit:
        if kind == AuditKind.MONTHLY:
            # One monthly audit per auditor and month, and a case drawn once a month (database
            # rules): a second audit in the month is one the QA team allocated by hand.
            if (auditor.pk, month) in self.monthly_auditors or (case.pk, month) in self.monthly_cases:
                kind = AuditKind.AD_HOC
                reason = reason or "Allocated by hand by the QA team."
            else:
                self.monthly_auditors.add((auditor.pk, month))
                self.monthly_cases.add((case.pk, month))
        tool = self.tools[tool_key_for_case_type(case.case_type)]
        due_on = last_working_day_of_month(month.year, month.month)
        allocated_on = min(month, self.today)
        audit = Audit(
            kind=kind,
            status=AuditStatus.ALLOCATED,
            case_file_id=case.pk,
            tool_version=tool.version,
            auditor_id=auditor.pk,
            month=month,
            due_on=due_on,
            allocated_at=_at(allocated_on, 9),
            allocated_by_id=allocated_by.pk if allocated_by else None,
            allocation_reason=reason,
            case_reference=case.reference,
            child_initials=case.initials,
            case_type=case.case_type,
            legal_status=case.legal_status,
            team_id=case.team_id,
            service_area_id=case.area_id,
            practitioner_id=case.practitioner_id,
            case_opened_on=case.opened_on,
            case_closed_on=case.closed_on,
            restricted=case.restricted,
        )
        self.used_cases.add(case.pk)
        planned = PlannedAudit(case=case, audit=audit)
        self.planned.append(planned)
        return planned

    def _applicable(self, planned: PlannedAudit) -> list[Element]:
        tool = self.tools[tool_key_for_case_type(planned.audit.case_type)]
        return [e for e in tool.elements if e.applies_to_case_type(planned.audit.case_type)]

    def _answer(self, planned: PlannedAudit, element: Element, overall: str) -> ElementAnswer:
        case = planned.case
        tool = self.tools[tool_key_for_case_type(case.case_type)]
        if element.code == "E" and self.rng.random() < 0.15:
            return ElementAnswer(
                audit=planned.audit,
                element=element,
                not_applicable=True,
                not_applicable_reason=NOT_APPLICABLE,
                version=1,
            )
        index = GRADES.index(overall) + self.rng.choice((-1, 0, 0, 0, 1))
        grade = GRADES[max(0, min(len(GRADES) - 1, index))]
        answers = {}
        for code, options in tool.questions.get(element.pk, []):
            if options:
                answers[code] = self.rng.choices(options, weights=[6 if o == "yes" else 1 for o in options])[0]
        return ElementAnswer(
            audit=planned.audit,
            element=element,
            grade=grade,
            working_well=self._text(WORKING_WELL, case),
            even_better_if="Even better if " + self._text(EVEN_BETTER_IF, case),
            evidence=self._text(EVIDENCE, case),
            answers=answers,
            theme_tags=self.rng.sample(self.themes, k=min(len(self.themes), self.rng.choice((0, 0, 1, 2)))),
            pillar_tags=self.rng.sample(self.pillars, k=min(len(self.pillars), self.rng.choice((0, 1)))),
            version=1,
        )

    def start(self, planned: PlannedAudit, *, answered: int | None = None) -> None:
        """In progress: a draft with some element answers and no overall section yet."""
        audit = planned.audit
        audit.status = AuditStatus.IN_PROGRESS
        elements = self._applicable(planned)
        count = answered if answered is not None else self.rng.randint(1, max(1, len(elements) - 2))
        overall = self._grade()
        planned.answers = [self._answer(planned, e, overall) for e in elements[:count]]

    def submit(
        self,
        planned: PlannedAudit,
        *,
        on: datetime.date,
        grade: str | None = None,
        status: str | None = None,
        responded: str | None = None,
        talked_through: bool | None = None,
        reflection_after: bool | None = None,
    ) -> None:
        """Submitted with every applicable element answered; closed when its response window
        has passed or the practitioner responded (DESIGN section 4)."""
        audit = planned.audit
        case = planned.case
        grade = grade or self._grade()
        on = min(on, self.today)
        planned.answers = [self._answer(planned, e, grade) for e in self._applicable(planned)]
        audit.conversation_on = max(audit.month, on - datetime.timedelta(days=self.rng.randint(0, 3)))
        if case.practitioner_id:
            audit.participants = [Participant.PRACTITIONER, Participant.TEAM_MANAGER]
            if self.rng.random() < 0.2:
                audit.participants.append(Participant.ADULT_SPECIALIST)
        else:
            audit.participants = [Participant.TEAM_MANAGER]
            audit.practitioner_absence = PractitionerAbsence.UNALLOCATED
        audit.overall_grade = audit.reported_grade = grade
        audit.impact_for_child = IMPACT[grade].format(i=case.initials)
        audit.practitioner_view_of_progress = self.rng.choice(Progress.values)
        audit.added_to_record = True
        audit.added_to_record_on = min(self.today, on + datetime.timedelta(days=self.rng.randint(0, 3)))
        audit.overall_version = 1
        audit.submitted_at = _at(on, self.rng.randint(10, 16), self.rng.choice((0, 15, 30, 45)))
        audit.response_due_on = add_working_days(on, 5)
        audit.reflection_after_due_on = on + datetime.timedelta(days=28)
        if case.practitioner_id and self.rng.random() < 0.7:
            audit.reflection_before = self._text(REFLECTION_BEFORE, case)
            audit.reflection_version = 1
        # An Inadequate grade reaches the practitioner only once their TM has talked it through.
        if grade == Grade.INADEQUATE:
            if talked_through is None:
                talked_through = (self.today - on).days > 7
            managers = self.team_managers.get(case.team_id, [])
            if talked_through and managers:
                audit.talked_through_at = _at(min(self.today, on + datetime.timedelta(days=2)), 14)
                audit.talked_through_by_id = managers[0]
        sees = grade != Grade.INADEQUATE or audit.talked_through_at is not None
        if responded is None and sees and case.practitioner_id:
            window_over = audit.response_due_on < self.today
            chance = 0.75 if window_over else 0.3
            if self.rng.random() < chance:
                responded = self.rng.choices(PractitionerResponse.values, weights=(6, 3, 1))[0]
        if responded and case.practitioner_id:
            answered_on = min(self.today, on + datetime.timedelta(days=self.rng.randint(1, 4)))
            audit.response = responded
            audit.response_comment = RESPONSE_COMMENTS[responded].format(i=case.initials)
            audit.responded_at = _at(answered_on, 15)
            audit.response_version = 1
        if reflection_after is None:
            reflection_after = audit.reflection_after_due_on < self.today and self.rng.random() < 0.5
        if reflection_after and case.practitioner_id and sees:
            audit.reflection_after = self._text(REFLECTION_AFTER, case)
            audit.reflection_version = max(audit.reflection_version, 1) + 1
        if status is None:
            status = AuditStatus.CLOSED if (audit.responded_at or audit.response_due_on < self.today) else None
            status = status or AuditStatus.SUBMITTED
        audit.status = status
        if status == AuditStatus.CLOSED:
            closed_on = audit.responded_at.date() if audit.responded_at else audit.response_due_on
            audit.closed_at = _at(max(on, min(self.today, closed_on)), 18)
        if grade in (Grade.REQUIRES_IMPROVEMENT, Grade.INADEQUATE) or self.rng.random() < 0.25:
            self._actions(planned, on)

    def _actions(self, planned: PlannedAudit, on: datetime.date, count: int | None = None) -> None:
        audit = planned.audit
        case = planned.case
        managers = self.team_managers.get(case.team_id, [])
        for n in range(count or self.rng.randint(1, 3)):
            owner = case.practitioner_id or (managers[0] if managers else audit.auditor_id)
            due = on + datetime.timedelta(days=self.rng.choice((14, 28, 42)))
            action = Action(
                audit=audit,
                description=ACTIONS[(n + self.rng.randrange(len(ACTIONS))) % len(ACTIONS)].format(i=case.initials),
                owner_id=owner,
                due_on=due,
                created_by_id=audit.auditor_id,
                version=1,
            )
            if due < self.today:
                outcome = self.rng.choices(("done", "not_done", "open"), weights=(6, 1, 3))[0]
                self._set_action(action, outcome, case, managers)
            planned.actions.append(action)

    def _set_action(self, action: Action, outcome: str, case: CaseRow, managers: list[int]) -> None:
        """open, done (and confirmed by the TM), done_unconfirmed (waiting for the TM) or not_done."""
        action.status, action.completed_on, action.evidence = ActionStatus.OPEN, None, ""
        action.confirmed_by_id, action.confirmed_at, action.version = None, None, 1
        if outcome == "open":
            return
        action.status = ActionStatus.DONE if outcome in ("done", "done_unconfirmed") else ActionStatus.NOT_DONE
        action.completed_on = min(self.today, action.due_on - datetime.timedelta(days=self.rng.randint(0, 5)))
        action.evidence = self._text(ACTION_EVIDENCE, case) if action.status == ActionStatus.DONE else ""
        action.version = 2
        if outcome == "done" and managers:
            action.confirmed_by_id = managers[0]
            action.confirmed_at = _at(min(self.today, action.completed_on + datetime.timedelta(days=2)), 11)
            action.version = 3

    def concern(self, planned: PlannedAudit, *, raised_on: datetime.date, recorded: bool) -> None:
        audit = planned.audit
        case = planned.case
        concern = ImmediateConcern(
            audit=audit,
            raised_by_id=audit.auditor_id,
            raised_at=_at(raised_on, 11, 30),
            description=CONCERN.format(i=case.initials),
            action_due_on=add_working_days(raised_on, 1),
        )
        managers = self.team_managers.get(case.team_id, [])
        if recorded and managers:
            concern.action_taken = CONCERN_ACTION.format(i=case.initials)
            concern.action_recorded_by_id = managers[0]
            concern.action_recorded_at = _at(min(self.today, raised_on + datetime.timedelta(days=1)), 16)
        planned.concerns.append(concern)

    def cancel(self, planned: PlannedAudit, *, reason: str) -> None:
        audit = planned.audit
        audit.status = AuditStatus.CANCELLED
        audit.cancel_reason = reason
        audit.cancelled_at = _at(min(self.today, audit.month + datetime.timedelta(days=10)), 12)

    # the plan ---------------------------------------------------------------------------------
    def plan(self) -> list[PlannedAudit]:
        self._plan_demo_practitioner()
        self._plan_restricted()
        self._plan_monthly_draw()
        return self.planned

    def _other_auditor(self, case: CaseRow, exclude: set[int], turn: int = 0) -> Person | None:
        """An auditor for a scenario: a team manager of another team, taken in turn by email order."""
        candidates = [
            p
            for p in self.auditors
            if Role.TEAM_MANAGER in p.roles
            and case.team_id not in p.managed_team_ids
            and p.pk not in exclude
            and p.pk not in (case.practitioner_id, case.chair_id)
        ]
        return candidates[turn % len(candidates)] if candidates else None

    def _plan_demo_practitioner(self) -> None:
        """Every situation the audit pages handle, on the demo practitioner's cases."""
        practitioner = self.demo(Role.PRACTITIONER)
        team_manager = self.demo(Role.TEAM_MANAGER)
        if practitioner is None or team_manager is None:
            return
        cases = [c for c in self.cases if c.practitioner_id == practitioner.pk and c.closed_on is None]
        cases = [c for c in cases if not c.restricted] or cases
        if not cases:
            return
        # Several audits of one child in different months, as a child's page would show.
        exclude = {team_manager.pk, practitioner.pk}
        this_month = _month_start(self.today)
        recent = add_working_days(self.today, -2)
        concern_day = add_working_days(self.today, -3)
        closed_on = add_working_days(self.today, -30)
        talked_on = add_working_days(_month_start(self.today, 3), 8)
        moderated_on = add_working_days(_month_start(self.today, 2), 12)

        def draft_with_overdue_concern(p: PlannedAudit) -> None:
            self.start(p, answered=3)
            p.audit.reflection_before = self._text(REFLECTION_BEFORE, p.case)
            p.audit.reflection_version = 1
            self.concern(p, raised_on=concern_day, recorded=False)

        def inadequate_waiting(p: PlannedAudit) -> None:
            self.submit(
                p, on=recent, grade=Grade.INADEQUATE, talked_through=False, responded="", status=AuditStatus.SUBMITTED
            )
            self.concern(p, raised_on=max(p.audit.month, add_working_days(recent, -2)), recorded=True)

        def closed_with_actions(p: PlannedAudit) -> None:
            self.submit(
                p,
                on=closed_on,
                grade=Grade.REQUIRES_IMPROVEMENT,
                responded=PractitionerResponse.PARTLY,
                reflection_after=True,
            )
            p.actions = []
            self._actions(p, closed_on, count=4)
            managers = self.team_managers.get(p.audit.team_id, [])
            outcomes = (
                (self.today - datetime.timedelta(days=10), "done"),
                (self.today - datetime.timedelta(days=5), "done_unconfirmed"),
                (self.today - datetime.timedelta(days=3), "open"),
                (self.today + datetime.timedelta(days=14), "open"),
            )
            for action, (due, outcome) in zip(p.actions, outcomes, strict=True):
                action.owner_id = p.audit.practitioner_id
                action.due_on = due
                self._set_action(action, outcome, p.case, managers)

        steps: list[tuple[int, datetime.date, Any]] = [
            # Allocated this month: the practitioner has a reflection to write before it.
            (0, this_month, lambda p: None),
            # A draft with some answers and an immediate concern still waiting for the TM's action.
            (1, _month_start(concern_day), draft_with_overdue_concern),
            # Submitted two working days ago, Good: to read and respond to.
            (
                2,
                _month_start(recent),
                lambda p: self.submit(p, on=recent, grade=Grade.GOOD, responded="", reflection_after=False),
            ),
            # Inadequate, not yet talked through: the TM's to do; the practitioner does not see it yet.
            (3, _month_start(recent), inadequate_waiting),
            # Closed, Requires improvement, responded; actions in every state, one for the TM to confirm.
            (4, _month_start(closed_on), closed_with_actions),
            # Inadequate, talked through, disagreed; the after-reflection is due and not written.
            (
                0,
                _month_start(talked_on),
                lambda p: self.submit(
                    p,
                    on=talked_on,
                    grade=Grade.INADEQUATE,
                    talked_through=True,
                    responded=PractitionerResponse.DISAGREE,
                    reflection_after=False,
                ),
            ),
            # Outstanding, in moderation (every Outstanding is moderated).
            (
                1,
                _month_start(moderated_on),
                lambda p: self.submit(
                    p,
                    on=moderated_on,
                    grade=Grade.OUTSTANDING,
                    status=AuditStatus.IN_MODERATION,
                    responded=PractitionerResponse.AGREE,
                ),
            ),
        ]
        for turn, (index, month, build) in enumerate(steps):
            case = cases[index % len(cases)]
            auditor = self._other_auditor(case, exclude, turn)
            if auditor is not None:
                build(self.new_audit(case, auditor, month))
        # The demo team manager, as auditor: an ad-hoc audit allocated by hand, still to start.
        others = [
            c
            for c in self.pools["social"]
            if c.team_id not in team_manager.managed_team_ids
            and c.pk not in self.used_cases
            and c.closed_on is None
            and team_manager.pk not in (c.practitioner_id, c.chair_id)
        ]
        if others and self.qa_officer:
            self.new_audit(
                others[0],
                team_manager,
                this_month,
                kind=AuditKind.AD_HOC,
                allocated_by=self.qa_officer,
                reason="Ad-hoc audit requested by the service manager after a complaint.",
            )

    def _plan_restricted(self) -> None:
        """A restricted case file, allocated by hand by the QA manager (never in a random draw)."""
        if self.qa_manager is None:
            return
        restricted = [c for c in self.cases if c.restricted and c.closed_on is None and c.pk not in self.used_cases]
        for case in restricted[:1]:
            auditor = self._other_auditor(case, set())
            if auditor is not None:
                self.new_audit(
                    case,
                    auditor,
                    _month_start(self.today),
                    kind=AuditKind.AD_HOC,
                    allocated_by=self.qa_manager,
                    reason="Restricted case file: allocated by hand by the QA manager.",
                )

    def _plan_monthly_draw(self) -> None:
        """One audit a month for each person with the auditor duty. The current month is drawn
        first so that, in a small authority, it is never the month that runs out of cases."""
        months = [_month_start(self.today, back) for back in range(MONTHS[self.size])]
        this_month = months[0]
        demo_auditors = {self.by_email[e].pk for e in DEMO_EMAIL.values() if e in self.by_email}
        # The demo sign-ins draw first, so even a small authority gives each of them past audits.
        auditors = sorted(self.auditors, key=lambda p: (p.pk not in demo_auditors, p.email))
        to_cancel = 2  # a cancelled audit (with its reason) is not a missed one
        reserved: set[str] = {p.case.family for p in self.planned if p.audit.month == this_month}
        for month in months:
            for auditor in auditors:
                if (auditor.pk, month) in self.monthly_auditors:
                    continue  # already has this month's audit (a scenario above)
                early_help = bool(auditor.roles & {Role.EH_STRATEGIC_LEAD, Role.EH_COORDINATOR})
                early_help = early_help and Role.TEAM_MANAGER not in auditor.roles
                if month == this_month and not early_help:
                    # This month's monthly audits come from a real allocation round (after the
                    # insert): keep a file back for each auditor so the earlier months, drawn
                    # next, leave the round enough files never audited in the last six months.
                    # One child per family, as the round will draw.
                    pool = [c for c in self.pools["social"] if not (c.family and c.family in reserved)]
                    case = self._draw(pool, auditor, month)
                    if case is not None:
                        self.used_cases.add(case.pk)
                        reserved.add(case.family)
                    continue
                if early_help:
                    case = self._draw(self.pools["early_help"], auditor, month)
                    kind = AuditKind.EARLY_HELP
                else:
                    case = self._draw(self.pools["social"], auditor, month)
                    kind = AuditKind.MONTHLY
                if case is None:
                    continue
                planned = self.new_audit(case, auditor, month, kind=kind)
                roll = self.rng.random()
                if month == this_month:
                    # Demo sign-ins always have something still to do this month.
                    if roll < 0.35 or (auditor.pk in demo_auditors and roll < 0.5):
                        self.start(planned)
                    elif roll < 0.5 and self.today.day > 3 and auditor.pk not in demo_auditors:
                        self.submit(
                            planned, on=month + datetime.timedelta(days=self.rng.randint(1, self.today.day - 1))
                        )
                elif to_cancel and auditor.pk not in demo_auditors:
                    self.cancel(planned, reason=CANCEL_REASONS[to_cancel % len(CANCEL_REASONS)])
                    to_cancel -= 1
                elif roll < 0.03:
                    self.cancel(planned, reason=self.rng.choice(CANCEL_REASONS))
                elif roll < 0.07:
                    self.start(planned)  # late: still in progress after its due date
                else:
                    due = planned.audit.due_on
                    on = due - datetime.timedelta(days=self.rng.randint(0, 14))
                    if self.rng.random() < 0.1:
                        on = add_working_days(due, self.rng.randint(1, 4))  # submitted late
                    self.submit(planned, on=on)
                    if self.rng.random() < 0.05:
                        self.concern(planned, raised_on=planned.audit.conversation_on, recorded=True)
        # A small authority may have no case left for a cancelled audit last month: then an audit
        # allocated this month is the reallocation of one cancelled last month.
        reallocated = [
            p
            for p in self.planned
            if p.audit.month == this_month and p.audit.kind == AuditKind.MONTHLY and p.audit.status == "allocated"
        ]
        for planned in reallocated[:to_cancel]:
            case = planned.case
            first = next((a for a in auditors if a.pk != planned.audit.auditor_id and self._allowed(case, a)), None)
            if first is not None:
                earlier = self.new_audit(case, first, months[1])
                self.cancel(earlier, reason="Auditor absent; reallocated the next month.")


# --- writing it ------------------------------------------------------------------------------------
def demo_audits_seed(*, size: str, today: datetime.date) -> AuditSeedReport:
    """Seed the demo's audits for ``size`` and ``today``, inserting only what is missing."""
    report = AuditSeedReport()
    tools = {key: tool_version_current(tool_key=key) for key in (SOCIAL_WORK_TOOL, EARLY_HELP_TOOL)}
    missing = [key for key, version in tools.items() if version is None]
    if missing:
        report.skipped = f"no published audit tool {', '.join(missing)} is loaded; run load_framework first"
        return report
    with transaction.atomic():
        planner = _Planner(size=size, today=today, tools={k: _tool_data(v) for k, v in tools.items() if v})
        planned = planner.plan()
        references = sorted({p.audit.case_reference for p in planned})
        present: set[tuple[str, datetime.date, str, int]] = set()
        for start in range(0, len(references), BATCH_SIZE):
            present.update(
                Audit.objects.filter(case_reference__in=references[start : start + BATCH_SIZE]).values_list(
                    "case_reference", "month", "kind", "auditor_id"
                )
            )
        new = [p for p in planned if p.key not in present]
        report.present = len(planned) - len(new)
        now = timezone.now()
        bulk_create_with_history(
            [p.audit for p in new], Audit, batch_size=BATCH_SIZE, default_change_reason=HISTORY_REASON, default_date=now
        )
        children: dict[type, list[Any]] = {ElementAnswer: [], Action: [], ImmediateConcern: []}
        for p in new:
            for child in (*p.answers, *p.actions, *p.concerns):
                child.audit = p.audit  # now saved: sets audit_id
                children[type(child)].append(child)
        for model, objs in children.items():
            bulk_create_with_history(
                objs, model, batch_size=BATCH_SIZE, default_change_reason=HISTORY_REASON, default_date=now
            )
        allocated, started = _allocate_this_month(planner, size=size, today=today, now=now)
        report.created = {
            "audits": len(new),
            "answers": len(children[ElementAnswer]) + started,
            "actions": len(children[Action]),
            "concerns": len(children[ImmediateConcern]),
            "allocated": allocated,
        }
    return report


def _allocate_this_month(
    planner: _Planner, *, size: str, today: datetime.date, now: datetime.datetime
) -> tuple[int, int]:
    """This month's monthly audits come from a real allocation round: proposed and confirmed by
    the demo QA officer through the allocation services (which notify the auditor, the
    practitioner and their team manager). Both steps are idempotent: a second run finds the
    confirmed round and adds nothing. On the first run a share of the new audits is started (a
    draft with some answers), so the demo shows the month under way. Returns (audits allocated,
    element answers written)."""
    this_month = _month_start(today)
    round_ = allocation_propose(month=this_month, today=today, now=now)
    before = set(Audit.objects.filter(allocation_round=round_).values_list("pk", flat=True))
    if round_.status == AllocationRound.Status.CONFIRMED and before:
        return 0, 0
    officer = planner.demo(Role.QA_OFFICER) or planner.qa_officer
    actor = User.objects.get(pk=officer.pk) if officer else None
    # Confirming a confirmed round again allocates only what is missing (e.g. after the demo's
    # audits were deleted): the constraints refuse a second monthly audit per auditor and case.
    allocated = allocation_confirm(round=round_, actor=actor, today=today)
    demo_auditors = {p.pk for role in DEMO_EMAIL if (p := planner.demo(role)) is not None}
    cases = {c.pk: c for c in planner.cases}
    rng = random.Random(f"demo-allocation:{size}:{today.isoformat()}")
    answers: list[ElementAnswer] = []
    audits = Audit.objects.filter(allocation_round=round_, status=AuditStatus.ALLOCATED).exclude(pk__in=before)
    for audit in audits.order_by("pk"):
        roll = rng.random()
        if not (roll < 0.35 or (audit.auditor_id in demo_auditors and roll < 0.5)):
            continue
        planned = PlannedAudit(case=cases[audit.case_file_id], audit=audit)
        planner.start(planned)  # sets the status; the answers are written below
        audit._history_user = audit.auditor
        audit.save(update_fields=["status"])
        answers.extend(planned.answers)
    bulk_create_with_history(
        answers, ElementAnswer, batch_size=BATCH_SIZE, default_change_reason=HISTORY_REASON, default_date=now
    )
    return allocated, len(answers)
