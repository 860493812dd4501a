"""Synthetic family feedback for the demo (DESIGN section 6): a participation task for every recent
individual audit, the team managers' safety checks (one not safe), outcomes of every kind —
completed by phone and in person with both questionnaires, declined, no reply after three
attempts, not appropriate — sharing choices of each kind, families' views of progress that
differ from the practitioner's, and their answers triaged (some read, some to read, one
overdue). This month's tasks are left ready for the demo participation officer, or waiting for
the demo team manager's check.

Planned in Python and written in bulk, as the audits' demo is, so even the large demo takes
seconds; the rules are the services' (the same reason for a check that is not safe, the same
reader rule and due date for triage). Deterministic: every choice comes from
``random.Random(f"demo-feedback:{size}:{today}")`` over tasks ordered by audit month and case
reference. Idempotent: only tasks still waiting for their safety check, with nothing recorded,
are seeded, and a seeded task never waits again. Synthetic: answers come from the phrase bank.
"""

from __future__ import annotations

import datetime
import random
from dataclasses import dataclass, field
from typing import Any

from django.db import transaction
from django.utils import timezone
from simple_history.utils import bulk_create_with_history, bulk_update_with_history

from audits.models import Progress
from audits.services.allocation import team_managers_by_team
from organisation.demo import DEMO_EMAIL
from organisation.models import Role, User

from .models import (
    Channel,
    ContactAttempt,
    ContactMethod,
    Outcome,
    ParticipationTask,
    Questionnaire,
    Response,
    Sharing,
    TriageItem,
)
from .selectors import PROGRESS_STEP
from .services.participation import (
    NOT_SAFE_REASON,
    OUTCOME_FIELDS,
    SAFETY_FIELDS,
    lookback_start,
    participation_tasks_create_missing,
    set_outcome,
)
from .services.questionnaires import (
    CHOICE,
    OPEN,
    PROGRESS,
    YES_NO,
    progress_code,
    question_options,
    questionnaires_current,
)
from .services.triage import qa_staff, triage_due_on

# What the families say: short, invented, no names.
PHRASES = {
    "changed": (
        "Things are calmer at home and the children are going to school every day.",
        "We talk more as a family now. The shouting has mostly stopped.",
        "Not much has changed yet, but I know who to call when it gets hard.",
        "I feel safer at home now.",
    ),
    "assessment": (
        "Most of it was right. I did not agree with what was written about my mum.",
        "I agreed with nearly all of it once it was explained to me.",
        "Some of it felt unfair at first, but the worker listened when I said so.",
    ),
    "helped": (
        "The worker came when she said she would. The parenting group helped least.",
        "The family meeting helped most. Changing worker twice helped least.",
        "My youth worker helped the most. School did not really help.",
    ),
    "tell_us": ("I would like to see my brother more often.", "Thank you for listening to me."),
}
ADULTS = ("Mum only", "Mum and Dad", "Grandmother (main carer)", "Dad only, not Mum's partner", "Foster carer and Mum")
LANGUAGES = ("Polish", "Urdu", "Romanian", "Arabic")
RESPONDENTS = {"parent": ("Mum", "Dad", "Grandad", "Nan"), "child": ("The young person", "The child")}
NAMES = ("Sam", "Jo", "Alex", "Chris", "Pat")
NOT_APPROPRIATE_REASONS = (
    "The child is too young to be asked and the parent is in hospital.",
    "The family moved out of the area before contact could be made.",
    "Care proceedings have started: the legal team advised waiting.",
)
ATTEMPT_METHODS = (ContactMethod.PHONE, ContactMethod.TEXT, ContactMethod.LETTER)
ATTEMPT_NOTES = ("Left a voicemail.", "No answer.", "Letter posted asking for a good time to call.")
SHARINGS = (Sharing.NAMED, Sharing.ANONYMOUS, Sharing.NOT_SHARED)
OUTCOMES = {"declined": Outcome.DECLINED, "no_reply": Outcome.NO_REPLY, "not_appropriate": Outcome.NOT_APPROPRIATE}
# Who answers in each scenario, and how.
ANSWERING = {
    "phone_parent": (Channel.PHONE, ("parent",)),
    "phone_both": (Channel.PHONE, ("parent", "child")),
    "in_person_child": (Channel.IN_PERSON, ("child",)),
}
# What happens to the earlier months' tasks: the guaranteed ones first, then at random. This
# month's tasks are mostly still waiting for contact.
GUARANTEED = ("not_safe", "phone_both", "in_person_child", "declined", "no_reply", "not_appropriate", "phone_parent")
EARLIER = (
    ("phone_parent", 4),
    ("in_person_child", 2),
    ("phone_both", 2),
    ("declined", 1),
    ("no_reply", 2),
    ("not_appropriate", 1),
    ("ready", 1),
    ("attempts", 1),
)
THIS_MONTH = (("awaiting", 4), ("ready", 4), ("attempts", 2), ("phone_parent", 1), ("in_person_child", 1))
# Answers due more than this many days ago have been read (but one, left overdue).
READ_AFTER_DAYS = 1


def _at(day: datetime.date, hour: int = 11) -> datetime.datetime:
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time(hour, 0)))


def _weighted(rng: random.Random, choices: tuple[tuple[str, int], ...]) -> str:
    return rng.choices([c for c, _ in choices], weights=[w for _, w in choices])[0]


@dataclass
class _Written:
    tasks: list[ParticipationTask] = field(default_factory=list)
    attempts: list[ContactAttempt] = field(default_factory=list)
    responses: list[tuple[Response, ParticipationTask]] = field(default_factory=list)


class _Seeder:
    def __init__(self, *, size: str, today: datetime.date, questionnaires: dict[str, Questionnaire]) -> None:
        self.today = today
        self.rng = random.Random(f"demo-feedback:{size}:{today}")
        self.questionnaires = questionnaires
        self.officer = User.objects.filter(email=DEMO_EMAIL[Role.PARTICIPATION_OFFICER]).first()
        self.demo_tm = User.objects.filter(email=DEMO_EMAIL[Role.TEAM_MANAGER]).first()
        self.differing = 0
        self.written = _Written()

    # --- decisions (drawn for every task, so the sequence never depends on what exists) ---------
    def plan(self, tasks: list[ParticipationTask], demo_tm_teams: set[int]) -> list[tuple[Any, str, dict]]:
        this_month = self.today.replace(day=1)
        earlier = [t for t in tasks if t.audit.month < this_month]
        current = [t for t in tasks if t.audit.month >= this_month]
        plans = []
        for index, task in enumerate(earlier):
            scenario = GUARANTEED[index] if index < len(GUARANTEED) else _weighted(self.rng, EARLIER)
            plans.append((task, scenario, self._details(task, index)))
        demo_team_waiting = False
        for index, task in enumerate(current):
            scenario = _weighted(self.rng, THIS_MONTH)
            if not demo_team_waiting and task.audit.team_id in demo_tm_teams:
                scenario, demo_team_waiting = "awaiting", True  # the demo TM has a check to make
            plans.append((task, scenario, self._details(task, len(earlier) + index)))
        return plans

    def _details(self, task: ParticipationTask, index: int) -> dict[str, Any]:
        rng = self.rng
        checked_on = min(self.today, task.audit.month + datetime.timedelta(days=rng.randint(1, 6)))
        latest = min(self.today, task.audit.due_on)
        answered_on = min(self.today, max(checked_on, latest - datetime.timedelta(days=rng.randint(0, 10))))
        return {
            "checked_on": checked_on,
            "answered_on": answered_on,
            "adults": rng.choice(ADULTS),
            "interpreter": rng.random() < 0.15,
            "language": rng.choice(LANGUAGES),
            "abuse": rng.random() < 0.2,
            "assign": rng.random() < 0.6,
            "sharing": (SHARINGS[index % len(SHARINGS)], rng.choice(SHARINGS)),
            "reason": rng.choice(NOT_APPROPRIATE_REASONS),
            "seed": rng.random(),
        }

    # --- planning the rows --------------------------------------------------------------------------
    def seed(self, tasks: list[ParticipationTask], managers: dict[int, list[Any]]) -> None:
        demo_tm_teams = {team for team, people in managers.items() if self.demo_tm in people}
        for task, scenario, details in self.plan(tasks, demo_tm_teams):
            tm = (managers.get(task.audit.team_id) or [None])[0]
            # Only a task nobody has touched: running again changes nothing.
            fresh = task.status == ParticipationTask.Status.AWAITING_SAFETY and task.safety_checked_at is None
            if scenario == "awaiting" or tm is None or self.officer is None or not fresh:
                continue
            self._task(task, scenario, details, tm)

    def _task(self, task: ParticipationTask, scenario: str, d: dict[str, Any], tm: Any) -> None:
        safe = scenario != "not_safe"
        task.safety_checked_by = tm
        task.safety_checked_at = _at(d["checked_on"], 9)
        task.safe_to_contact = safe
        task.adults_to_contact = d["adults"] if safe else ""
        task.interpreter_needed = d["interpreter"]
        task.interpreter_language = d["language"] if d["interpreter"] else ""
        task.domestic_abuse_risk = d["abuse"]
        task.safety_notes = "" if safe else "Dad's new partner must not know the family was contacted."
        task.status = ParticipationTask.Status.READY
        task.version += 1
        self.written.tasks.append(task)
        if d["assign"] or scenario not in ("ready", "not_safe"):
            task.officer = self.officer
        when = _at(d["answered_on"], 15)
        if not safe:
            set_outcome(
                task, outcome=Outcome.NOT_APPROPRIATE, reason=NOT_SAFE_REASON, actor=tm, when=task.safety_checked_at
            )
            return
        attempts = {"attempts": 1, "declined": 1, "no_reply": 3}.get(scenario, 0)
        for n in range(attempts):
            self.written.attempts.append(
                ContactAttempt(
                    task=task,
                    attempted_on=min(self.today, d["checked_on"] + datetime.timedelta(days=2 + 3 * n)),
                    method=ATTEMPT_METHODS[n % len(ATTEMPT_METHODS)],
                    note=ATTEMPT_NOTES[n % len(ATTEMPT_NOTES)],
                    recorded_by=self.officer,
                )
            )
        if scenario in OUTCOMES:
            reason = d["reason"] if scenario == "not_appropriate" else ""
            set_outcome(task, outcome=OUTCOMES[scenario], reason=reason, actor=self.officer, when=when)
        elif scenario in ANSWERING:
            channel, audiences = ANSWERING[scenario]
            for number, audience in enumerate(audiences):
                moment = when + datetime.timedelta(minutes=30 * number)
                self._response(task, audience, channel, d["sharing"][number], d["seed"], moment)
            set_outcome(task, outcome=Outcome.COMPLETED, reason="", actor=self.officer, when=when)

    def _progress(self, task: ParticipationTask, rng: random.Random) -> str:
        """Most families see it as the practitioner does, give or take a step; some (at least
        the first two) two or more steps differently."""
        practitioner = task.audit.practitioner_view_of_progress
        if practitioner not in PROGRESS_STEP:
            return rng.choice(Progress.values)
        step = PROGRESS_STEP[practitioner]
        far = self.differing < 2 or rng.random() < 0.15
        self.differing += far
        return rng.choice([v for v, s in PROGRESS_STEP.items() if (abs(s - step) >= 2) == far])

    def _response(
        self, task: ParticipationTask, audience: str, channel: str, sharing: str, seed: float, when: datetime.datetime
    ) -> None:
        questionnaire = self.questionnaires.get(audience)
        if questionnaire is None:
            return
        rng = random.Random(f"{seed}:{audience}")
        answers = {}
        for question in questionnaire.questions:
            kind, code = question.get("kind"), question["code"]
            if kind == OPEN and code in PHRASES and rng.random() < 0.85:
                answers[code] = rng.choice(PHRASES[code])
            elif kind == PROGRESS:
                answers[code] = self._progress(task, rng)
            elif kind in (CHOICE, YES_NO) and rng.random() < 0.9:
                answers[code] = rng.choice(question_options(question))[0]
        code = progress_code(questionnaire)
        response = Response(
            task=task,
            questionnaire=questionnaire,
            channel=channel,
            respondent=rng.choice(RESPONDENTS[audience]),
            respondent_name=rng.choice(NAMES) if sharing == Sharing.NAMED else "",
            consent_given=True,
            answers=answers,
            view_of_progress=answers.get(code, "") if code else "",
            sharing=sharing,
            status=Response.Status.SUBMITTED,
            submitted_at=when,
            entered_by=self.officer,
            version=2,
        )
        self.written.responses.append((response, task))

    # --- triage: every open answer, to the QA officer with the fewest to read ---------------------
    def triage_items(self, responses: list[Response]) -> list[TriageItem]:
        officers = list(qa_staff(Role.QA_OFFICER, today=self.today))
        managers = list(qa_staff(Role.QA_MANAGER, today=self.today))
        load = {p.pk: p.open_items for p in [*officers, *managers]}
        items: list[TriageItem] = []
        left_overdue = any(
            TriageItem.objects.filter(status=TriageItem.Status.OPEN, due_on__lt=self.today).values("pk")[:1]
        )
        actions = [a for a in TriageItem.Action.values if a != TriageItem.Action.OTHER]
        for response in sorted(responses, key=lambda r: (r.submitted_at, r.pk)):
            codes = [
                q["code"]
                for q in response.questionnaire.questions
                if q.get("kind") == OPEN and response.answers.get(q["code"])
            ]
            # Restricted case files are read by the QA manager only, as the service does.
            pool = managers if response.task.audit.restricted or not officers else officers
            if not codes or not pool:
                continue
            reader = min(pool, key=lambda p: (load[p.pk], p.email))
            due_on = triage_due_on(timezone.localdate(response.submitted_at))
            for code in codes:
                item = TriageItem(response=response, question_code=code, assigned_to=reader, due_on=due_on)
                action = self.rng.choice(actions)
                if due_on <= self.today - datetime.timedelta(days=READ_AFTER_DAYS):
                    if left_overdue:
                        item.status, item.action = TriageItem.Status.DONE, action
                        item.done_by, item.done_at = reader, _at(due_on, 10)
                    left_overdue = True  # the first old one stays unread: the QA manager sees it overdue
                if item.status == TriageItem.Status.OPEN:
                    load[reader.pk] += 1
                items.append(item)
        return items

    # --- writing -----------------------------------------------------------------------------------
    def write(self) -> int:
        written = self.written
        if not written.tasks:
            return 0
        bulk_update_with_history(
            written.tasks,
            ParticipationTask,
            ["officer", *sorted({*SAFETY_FIELDS, *OUTCOME_FIELDS})],
            default_user=self.officer,
        )
        ContactAttempt.objects.bulk_create(written.attempts)
        responses = [r for r, _ in written.responses]
        bulk_create_with_history(responses, Response, default_user=self.officer)
        for response, task in written.responses:
            response.task = task
        bulk_create_with_history(self.triage_items(responses), TriageItem, default_user=self.officer)
        return len(written.tasks)


def seed_family_feedback(*, size: str, today: datetime.date) -> str:
    """Seed the demo's family feedback for ``size`` and ``today``; returns a one-line summary."""
    questionnaires = questionnaires_current()
    if not questionnaires:
        return "Family feedback: skipped (no questionnaires are loaded; run load_framework first)."
    seeder = _Seeder(size=size, today=today, questionnaires=questionnaires)
    with transaction.atomic():
        made = participation_tasks_create_missing(today=today, notify_people=False)
        tasks = list(
            ParticipationTask.objects.filter(audit__month__gte=lookback_start(today))
            .exclude(audit__status="cancelled")
            .select_related("audit")
            .order_by("audit__month", "audit__case_reference", "pk")
        )
        seeder.seed(tasks, team_managers_by_team({t.audit.team_id for t in tasks}, today=today))
        seeded = seeder.write()
    statuses = dict.fromkeys(ParticipationTask.Status.values, 0)
    for status in ParticipationTask.objects.values_list("status", flat=True):
        statuses[status] += 1
    open_items = TriageItem.objects.filter(status=TriageItem.Status.OPEN)
    return (
        f"Family feedback: {made} tasks added, {seeded} taken forward; {statuses['awaiting_safety']} waiting for a "
        f"safety check, {statuses['ready']} ready to contact, {statuses['closed']} with an outcome; "
        f"{Response.objects.filter(status=Response.Status.SUBMITTED).count()} questionnaires submitted; "
        f"{open_items.count()} answers to read ({open_items.filter(due_on__lt=today).count()} overdue)."
    )
