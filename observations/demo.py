"""Synthetic practice observations for the demo (seed 6.2): over the last three months, about one
observation for every two team managers a month (fewer at size "tiny"), by team and service
managers, of practitioners in their own teams or areas. Most are complete, with the checklist
filled in and the reflective discussion recorded; a few are drafts waiting for the discussion.
Practitioners have shared some learning with their team, kept some between them, and have not
chosen yet for others. The demo team manager observes the demo practitioner: one observation's
learning is shared, the other waits for their choice; the demo team manager also has a draft.

Completing goes through the service, so a manager's dip sample still to do that month is recorded
as the observation, exactly as on the page (run after ``seed_dip_samples``).

Deterministic: every choice comes from ``random.Random(f"demo-observations:{size}:{today}")`` over
people ordered by email, and the whole plan is drawn before anything is written. Idempotent: an
observation is found by its observer, date and type, and only missing ones are added.
"""

from __future__ import annotations

import datetime
import random
from dataclasses import dataclass, field

from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from audits.models import DipSample
from organisation.demo import DEMO_EMAIL
from organisation.models import Role, RoleAssignment, User

from .models import CriterionResult, Observation, ObservationChecklist, ObservationType, ShareChoice
from .services.observations import (
    DIP_SAMPLE_NOTE_PREFIX,
    CriterionAnswer,
    observation_complete,
    observation_record,
    observation_record_discussion,
    observation_save_checklist,
    observation_share_choose,
)

MONTHS = 3
STRENGTHS = (
    "The practitioner explained why they were there in words the family understood.",
    "Warm, honest relationship: the parent spoke openly about what had been hard this month.",
    "The child's views were gathered before the meeting and brought into the plan.",
    "Worries were named clearly and kindly, with the family's strengths alongside them.",
    "Good use of motivational questions to help the parent think about change.",
)
AREAS = (
    "Check the family's understanding of next steps before ending the visit.",
    "Give the child more time to speak alone where that is right.",
    "Summarise decisions in plain language at the end of the meeting.",
    "Bring the adult specialists' view into the plan more explicitly.",
    "Record the child's own words, not only a summary.",
)
DISCUSSIONS = (
    "Talked through the visit together; the practitioner reflected on how the child's quietness shaped it.",
    "Reflected on the meeting and what made it feel collaborative for the family.",
    "Discussed how the plan could be written with the family rather than for them.",
)
LEARNING = (
    "Ask the child first and bring their words into the plan.",
    "Agree next steps out loud and check the family's understanding.",
    "Use the family's own language in written plans.",
    "Plan who speaks to the child alone before a visit.",
)
TRAINING = ("", "", "Motivational interviewing refresher.", "Direct work with younger children.")
NOTES = ("", "", "", "Seen clearly during the visit.", "Briefly, towards the end.")


@dataclass
class _Planned:
    observer: User
    practitioner: User
    type: str
    observed_on: datetime.date
    draft: bool
    results: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    strengths: str = ""
    areas: str = ""
    discussion_on: datetime.date | None = None
    discussion: str = ""
    learning: str = ""
    training: str = ""
    share: str = ""


def _month_starts(today: datetime.date) -> list[datetime.date]:
    months, day = [], today.replace(day=1)
    for _ in range(MONTHS):
        months.append(day)
        day = (day - datetime.timedelta(days=1)).replace(day=1)
    return list(reversed(months))


def _observers(today: datetime.date) -> list[tuple[User, Q]]:
    """(manager, where the practitioners they may observe work) for TMs, then SMs, each ordered
    by email."""
    roles = (
        RoleAssignment.objects.active_on(today)
        .filter(role__in=(Role.TEAM_MANAGER, Role.SERVICE_MANAGER), person__is_active=True)
        .select_related("person")
        .order_by("role", "person__email", "pk")
    )
    made: dict[int, tuple[User, Q]] = {}
    for role in roles:
        place = Q(team_id=role.team_id) if role.team_id else Q(team__service_area_id=role.service_area_id)
        if role.person_id in made:
            user, q = made[role.person_id]
            made[role.person_id] = (user, q | place)
        else:
            made[role.person_id] = (role.person, place)
    return list(made.values())


def _sample_done_otherwise(month: datetime.date) -> set[int]:
    """Managers whose dip sample this month was done by looking at files or by an observation
    recorded on the dip-sample page: they are not the month's observers. (Stable when seeding
    again: a sample this seeder recorded as an observation stays in the pool.)"""
    done = Q(status=DipSample.Status.DONE) | (
        Q(status=DipSample.Status.OBSERVATION) & ~Q(observation_note__startswith=DIP_SAMPLE_NOTE_PREFIX)
    )
    return set(DipSample.objects.filter(done, round__month=month).values_list("manager_id", flat=True))


def _practitioners_in(place: Q, today: datetime.date, exclude: int) -> list[User]:
    ids = (
        RoleAssignment.objects.active_on(today)
        .filter(place, role=Role.PRACTITIONER)
        .exclude(person_id=exclude)
        .values("person_id")
    )
    return list(User.objects.filter(pk__in=ids, is_active=True).order_by("email"))


def _day_in(rng: random.Random, month: datetime.date, *, latest: datetime.date) -> datetime.date:
    end = min(latest, (month + datetime.timedelta(days=32)).replace(day=1) - datetime.timedelta(days=1))
    return month + datetime.timedelta(days=rng.randint(0, max(0, (end - month).days)))


def _fill_in(
    rng: random.Random, plan: _Planned, checklists: dict[str, ObservationChecklist], today: datetime.date
) -> None:
    checklist = next((c for c in checklists.values() if plan.type in c.types), None)
    count = len(checklist.criteria) if checklist else 0
    plan.results = [
        rng.choices(
            (CriterionResult.MET, CriterionResult.PARTLY_MET, CriterionResult.NOT_MET, CriterionResult.NOT_OBSERVED),
            weights=(6, 3, 1, 1),
        )[0]
        for _ in range(count)
    ]
    plan.notes = [rng.choice(NOTES) for _ in range(count)]
    plan.strengths = rng.choice(STRENGTHS)
    plan.areas = rng.choice(AREAS)
    plan.discussion_on = min(today, plan.observed_on + datetime.timedelta(days=rng.randint(1, 6)))
    plan.discussion = rng.choice(DISCUSSIONS)
    plan.learning = rng.choice(LEARNING)
    plan.training = rng.choice(TRAINING)
    plan.share = rng.choices((ShareChoice.SHARED, ShareChoice.NOT_SHARED, ShareChoice.UNDECIDED), weights=(5, 2, 3))[0]


def _plan(size: str, today: datetime.date, rng: random.Random) -> list[_Planned]:
    observers = _observers(today)
    checklists = {c.key: c for c in ObservationChecklist.objects.order_by("key", "version")}
    team_managers = (
        RoleAssignment.objects.active_on(today).filter(role=Role.TEAM_MANAGER).order_by().values("person_id").distinct()
    )
    per_month = 1 if size == "tiny" else max(1, team_managers.count() // 2)
    types = list(ObservationType.values)
    demo_tm = next((u for u, _ in observers if u.email == DEMO_EMAIL[Role.TEAM_MANAGER]), None)
    demo_practitioner = User.objects.filter(email=DEMO_EMAIL[Role.PRACTITIONER]).first()
    plans: list[_Planned] = []
    for index, month in enumerate(_month_starts(today)):
        # The current month's are no later than yesterday, so a discussion can follow.
        latest = today - datetime.timedelta(days=1)
        current = index == MONTHS - 1
        # This month a manager observes instead of the dip sample (seed 6.1.2: one or the other).
        pool = observers
        if current:
            taken = _sample_done_otherwise(month)
            pool = [o for o in observers if o[0].pk not in taken] or observers
        chosen = rng.sample(pool, min(per_month, len(pool)))
        for observer, place in chosen:
            candidates = _practitioners_in(place, today, exclude=observer.pk)
            if not candidates or month > latest:
                continue
            plan = _Planned(
                observer=observer,
                practitioner=rng.choice(candidates),
                type=rng.choice(types),
                observed_on=_day_in(rng, month, latest=latest),
                # A few drafts this month (the tiny demo's one is the demo team manager's).
                draft=current and rng.random() < 0.3 and size != "tiny",
            )
            _fill_in(rng, plan, checklists, today)
            plans.append(plan)
        # The demo team manager observes the demo practitioner: two months' complete observations
        # (one shared, one waiting for their choice), then a draft this month.
        if demo_tm is not None and demo_practitioner is not None and month <= latest:
            plan = _Planned(
                observer=demo_tm,
                practitioner=demo_practitioner,
                type=(ObservationType.HOME_VISIT, ObservationType.CORE_GROUP, ObservationType.OFFICE_VISIT)[index % 3],
                observed_on=_day_in(rng, month, latest=latest),
                draft=current,
            )
            _fill_in(rng, plan, checklists, today)
            plan.share = (ShareChoice.SHARED, ShareChoice.UNDECIDED, ShareChoice.UNDECIDED)[index % 3]
            plans.append(plan)
    return plans


def _at(day: datetime.date) -> datetime.datetime:
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time(15, 0)))


def _make(plan: _Planned, today: datetime.date) -> Observation:
    observation = observation_record(
        observer=plan.observer,
        type=plan.type,
        observed_on=plan.observed_on,
        practitioners=[plan.practitioner],
        consent_given=True,
        today=today,
    )
    if observation.checklist is None:
        return observation
    codes = [c["code"] for c in observation.checklist.criteria]
    answers = [
        CriterionAnswer(code, result, note) for code, result, note in zip(codes, plan.results, plan.notes, strict=False)
    ]
    observation = observation_save_checklist(
        observation=observation,
        answers=answers,
        strengths=plan.strengths,
        areas_to_develop=plan.areas,
        version=observation.version,
        actor=plan.observer,
    )
    if plan.draft:
        return observation
    observation = observation_record_discussion(
        observation=observation,
        discussion_on=plan.discussion_on,
        notes=plan.discussion,
        agreed_learning=plan.learning,
        training_needs=plan.training,
        version=observation.version,
        actor=plan.observer,
        today=today,
    )
    observation = observation_complete(observation=observation, actor=plan.observer, now=_at(plan.discussion_on))
    if plan.share:
        row = observation.practitioners.get()
        presented = plan.discussion_on + datetime.timedelta(days=7)
        observation_share_choose(
            row=row,
            choice=plan.share,
            learning=plan.learning,
            presented_on=presented if plan.share == ShareChoice.SHARED and presented <= today else None,
            version=row.version,
            actor=plan.practitioner,
            today=today,
            now=_at(min(today, plan.discussion_on + datetime.timedelta(days=2))),
        )
    return observation


def seed_observations(*, size: str, today: datetime.date) -> str:
    """Seed the demo's practice observations for ``size`` and ``today``; returns a one-line summary."""
    if not ObservationChecklist.objects.exists():
        return "Practice observations: skipped (no observation checklists are loaded; run load_framework first)."
    rng = random.Random(f"demo-observations:{size}:{today}")
    plans = _plan(size, today, rng)
    present = set(Observation.objects.values_list("observer_id", "observed_on", "type"))
    added = 0
    with transaction.atomic():
        for plan in plans:
            key = (plan.observer.pk, plan.observed_on, plan.type)
            if key in present:
                continue
            present.add(key)
            _make(plan, today)
            added += 1
    observations = Observation.objects.all()
    done = observations.filter(status=Observation.Status.COMPLETED).count()
    shared = observations.filter(practitioners__share_choice=ShareChoice.SHARED).count()
    return (
        f"Practice observations: {observations.count()} ({done} complete, {observations.count() - done} waiting "
        f"for the reflective discussion, {shared} with learning shared); {added} added."
    )
