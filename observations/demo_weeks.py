"""Synthetic practice weeks for the demo (seed 6.3): one past week, about five months before the
demo's date, with activities logged by the demo's leaders (team managers, service managers,
heads of service and assistant directors whose roles were active that week) across service
areas; findings drawn from a small invented phrase bank; quotes mostly approved in an
anonymised wording, two still waiting for the QA team and one declined. The next week is
scheduled about six weeks after the demo's date.

Everything goes through the services, so the demo keeps the same rules as the pages.
Deterministic: every choice comes from ``random.Random(f"demo-practice-weeks:{size}:{today}")``
over lists ordered by email and code. Idempotent: weeks are found by their start date, and a
past week that already exists is left as it is.
"""

from __future__ import annotations

import datetime
import random
from collections import defaultdict
from dataclasses import dataclass

from django.db import transaction

from organisation.demo import DEMO_EMAIL
from organisation.models import Role, RoleAssignment, ServiceArea, Team, User

from .models import ActivityKind, PracticeWeek, QuoteStatus
from .services.weeks import (
    ActivityInput,
    practice_week_activity_log,
    practice_week_quote_approve,
    practice_week_quote_decline,
    practice_week_schedule,
    quote_fingerprint,
)

# (activities, leaders taking part, quotes) per demo size.
SHAPE = {"tiny": (10, 6, 5), "demo": (30, 14, 8), "large": (60, 30, 12)}
LEADER_ROLES = (Role.TEAM_MANAGER, Role.SERVICE_MANAGER, Role.HEAD_OF_SERVICE, Role.ASSISTANT_DIRECTOR)
KIND_WEIGHTS = (
    (ActivityKind.OBSERVATION, 5),
    (ActivityKind.AUDIT_ALONGSIDE, 3),
    (ActivityKind.MEETING_OBSERVED, 3),
    (ActivityKind.VISIT, 2),
    (ActivityKind.CONVERSATION, 3),
)
FOCI = (
    "The child's voice in plans and how we show what difference we make.",
    "How we work with partners at core groups and reviews.",
)
STRENGTHS = (
    "Practitioners knew their children well and spoke about them warmly.",
    "Plans were written with families in language they understood.",
    "The child's wishes and feelings were clear in the records and the meeting.",
    "Good joint working with school and health at the core group.",
    "Visits were purposeful, with direct work the child enjoyed.",
    "Reflective supervision helped the worker think about the child's lived experience.",
    "Adult specialists and social workers planned together well.",
    "Chronologies were up to date and helped the family see progress.",
    "The team was calm and supportive, and new workers felt well inducted.",
    "Managers knew the children on their team's caseload and their plans.",
)
TO_DEVELOP = (
    "Plans need clearer outcomes so families know what success looks like.",
    "The child's voice is strong in visits but thinner in the written assessment.",
    "Some case summaries were out of date after a change of worker.",
    "Partners were not always sent minutes in time for the next meeting.",
    "Fathers and wider family were not always involved in planning.",
    "Direct work is happening but is not always recorded.",
    "Workload pressure means supervision is sometimes moved at short notice.",
    "Contingency plans were general rather than specific to the child.",
    "Pathway plans could say more about the young person's own goals.",
    "Step-down plans need agreeing earlier with the receiving team.",
)
# (as heard, with invented names; the wording the QA team approves, without them).
QUOTES = (
    ("Since Priya started coming round, Kai goes to school every day.",
     "Since our worker started coming round, my son goes to school every day."),
    ("Tom is the first social worker who actually listened to me.",
     "This is the first social worker who actually listened to me."),
    ("I like it when Sana does the drawing with me at Nan's.",
     "I like it when my social worker does drawing with me."),
    ("The plan at Oakfield School finally makes sense to us.",
     "The plan finally makes sense to us."),
    ("Our team manager Rhys always has time for a case discussion.",
     "Our team manager always has time for a case discussion."),
    ("Without Grace from the domestic abuse service we would not have got through it.",
     "Without the domestic abuse specialist we would not have got through it."),
    ("Leah explained why they were worried and what needed to change.",
     "The worker explained why they were worried and what needed to change."),
    ("At Harbour Road contact centre I felt rushed.",
     "At the contact centre I felt rushed."),
    ("Finn asked me what I wanted, not just my mum.",
     "The social worker asked me what I wanted, not just my mum."),
    ("Owen's review was the first one where I spoke for myself.",
     "It was the first review where I spoke for myself."),
    ("Callum from the leaving care team helped me get my flat.",
     "My personal adviser helped me get my flat."),
    ("Deepa rang back the same day, every time.",
     "The worker rang back the same day, every time."),
)  # fmt: skip


@dataclass(frozen=True)
class _Place:
    role: str
    team_id: int | None
    area_id: int | None


def _monday_on_or_after(day: datetime.date) -> datetime.date:
    return day + datetime.timedelta(days=(7 - day.weekday()) % 7)


def _qa_person(day: datetime.date) -> User | None:
    found = (
        RoleAssignment.objects.active_on(day)
        .filter(role__in=(Role.QA_MANAGER, Role.QA_OFFICER), person__is_active=True)
        .select_related("person")
        .order_by("person__email")
        .first()
    )
    return found.person if found else None


def _week(*, starts_on: datetime.date, focus: str, qa: User) -> tuple[PracticeWeek, bool]:
    found = PracticeWeek.objects.filter(starts_on=starts_on).first()
    if found is not None:
        return found, False
    week = practice_week_schedule(
        title=f"Practice week, {starts_on:%B %Y}",
        starts_on=starts_on,
        ends_on=starts_on + datetime.timedelta(days=4),
        focus=focus,
        actor=qa,
        # Scheduled a month ahead, as the QA team does.
        today=starts_on - datetime.timedelta(days=28),
    )
    return week, True


def _leader_places(week: PracticeWeek) -> dict[User, list[_Place]]:
    """Each leader whose role was active all week, with the places they held it."""
    rows = (
        RoleAssignment.objects.active_on(week.starts_on)
        .active_on(week.ends_on)
        .filter(role__in=LEADER_ROLES, person__is_active=True)
        .select_related("person")
        .order_by("person__email", "role", "pk")
    )
    places: dict[User, list[_Place]] = {}
    for row in rows:
        places.setdefault(row.person, []).append(_Place(row.role, row.team_id, row.service_area_id))
    return places


def _log_activities(week: PracticeWeek, *, size: str, rng: random.Random, qa: User) -> tuple[int, int, dict[str, int]]:
    count, leader_count, quote_count = SHAPE[size]
    places = _leader_places(week)
    areas = {a.pk: a for a in ServiceArea.objects.order_by("code")}
    teams_by_pk = {t.pk: t for t in Team.objects.order_by("code")}
    area_teams: dict[int, list[int]] = defaultdict(list)
    for team in teams_by_pk.values():
        area_teams[team.service_area_id].append(team.pk)
    # The demo's own sign-ins first (so a demo team manager finds their activity), then others.
    signs_in = set(DEMO_EMAIL.values())
    own = [person for person in places if person.email in signs_in]
    others = [person for person in places if person.email not in signs_in]
    chosen = (own + rng.sample(others, len(others)))[:leader_count]
    if not chosen or not areas:
        return 0, 0, {}
    kinds, weights = zip(*KIND_WEIGHTS, strict=True)
    with_quotes = set(rng.sample(range(count), min(count, quote_count)))
    decisions = [QuoteStatus.DECLINED, QuoteStatus.PROPOSED, QuoteStatus.PROPOSED]
    decisions += [QuoteStatus.APPROVED] * (len(with_quotes) - len(decisions))
    rng.shuffle(decisions)
    quotes = rng.sample(QUOTES, len(with_quotes))
    # Each phrase once before any is repeated.
    strengths_bank = rng.sample(STRENGTHS, len(STRENGTHS))
    develop_bank = rng.sample(TO_DEVELOP, len(TO_DEVELOP))
    outcome: dict[str, int] = defaultdict(int)
    for n in range(count):
        leader = chosen[n % len(chosen)]
        place = rng.choice(places[leader])
        if place.team_id is not None:
            team_id: int | None = place.team_id
            area_id = teams_by_pk[place.team_id].service_area_id
        else:
            area_id = place.area_id if place.area_id is not None else rng.choice(sorted(areas))
            in_area = area_teams.get(area_id, [])
            team_id = rng.choice(in_area) if in_area and rng.random() < 0.5 else None
        shape = rng.random()
        strengths = strengths_bank[n % len(strengths_bank)] if shape >= 0.15 else ""
        to_develop = develop_bank[n % len(develop_bank)] if shape < 0.15 or shape >= 0.35 else ""
        heard, anonymised = quotes.pop() if n in with_quotes else ("", "")
        activity = practice_week_activity_log(
            week=week,
            leader=leader,
            data=ActivityInput(
                kind=rng.choices(kinds, weights=weights)[0],
                happened_on=week.starts_on + datetime.timedelta(days=rng.randint(0, 4)),
                service_area=areas[area_id],
                team=teams_by_pk[team_id] if team_id else None,
                strengths=strengths,
                areas_to_develop=to_develop,
                quote=heard,
            ),
            today=week.ends_on,
        )
        if heard:
            status = decisions.pop()
            outcome[status] += 1
            if status == QuoteStatus.APPROVED:
                practice_week_quote_approve(
                    activity=activity, approved_text=anonymised, fingerprint=quote_fingerprint(heard), actor=qa
                )
            elif status == QuoteStatus.DECLINED:
                practice_week_quote_decline(activity=activity, fingerprint=quote_fingerprint(heard), actor=qa)
    return count, len(chosen), outcome


def seed_practice_weeks(*, size: str, today: datetime.date) -> str:
    """Seed the demo's practice weeks for ``size`` and ``today``; returns a one-line summary."""
    qa = _qa_person(today)
    if qa is None:
        return "Practice weeks: skipped (no QA officer or manager in the demo)."
    rng = random.Random(f"demo-practice-weeks:{size}:{today}")
    past_start = _monday_on_or_after(today - datetime.timedelta(days=150))
    next_start = _monday_on_or_after(today + datetime.timedelta(days=42))
    with transaction.atomic():
        past, made_past = _week(starts_on=past_start, focus=FOCI[0], qa=_qa_person(past_start) or qa)
        upcoming, made_next = _week(starts_on=next_start, focus=FOCI[1], qa=qa)
        logged, leaders, quotes = _log_activities(past, size=size, rng=rng, qa=qa) if made_past else (0, 0, {})
    return (
        f"Practice weeks: {int(made_past) + int(made_next)} scheduled ({past.title}; next {upcoming.title}), "
        f"{logged} activities logged by {leaders} leaders, quotes {quotes.get(QuoteStatus.APPROVED, 0)} approved, "
        f"{quotes.get(QuoteStatus.PROPOSED, 0)} waiting, {quotes.get(QuoteStatus.DECLINED, 0)} declined."
    )
