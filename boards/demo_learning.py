"""Synthetic learning for the demo (DESIGN section 9), so the learning page is full in ``make demo``:
themes tagged on most completed dip samples and practice observations, 6 learning summaries over
the last year (every other month, for the whole service and for each area in turn) and 8
reflective discussions over the last 8 months. Run after ``seed_dip_samples`` and
``seed_observations``.

Deterministic: choices come from ``random.Random(f"demo-learning:{size}:{today}")`` over records
and themes ordered by key. Idempotent: only untagged records are tagged, and a summary (by title)
or a discussion (by date and topic) is added only when missing.
"""

from __future__ import annotations

import datetime
import random

from django.db import transaction

from audits.models import DipSample, Theme
from audits.services.monthly import months_before
from observations.models import Observation
from organisation.demo import DEMO_EMAIL
from organisation.models import Duty, DutyAssignment, Role, RoleAssignment, ServiceArea, User
from organisation.scope import scope_for

from .models import LearningSummary, ReflectiveDiscussion
from .services.learning import DiscussionData, SummaryData, learning_summary_create, reflective_discussion_create

SUMMARIES = 6
DISCUSSIONS = 8
# Most findings are tagged; a few are left for the manager to tag later.
TAG_SHARE = 0.8
SUMMARY_TEXTS = (
    "Audits and dip samples show children's views recorded more often, in their own words. Plans are still "
    "written for families more than with them: practice leads will run short sessions on co-produced plans.",
    "Supervision is regular and reflective in most teams; where it is not, the themes point to caseload "
    "pressure. Managers will protect supervision time and the QA team will check again next quarter.",
    "Chronologies have improved since the last summary. The next step is using them: audits show few plans "
    "that refer to the history. A practice-week focus is planned.",
    "Observations show warm, honest relationships with families. Areas to develop: checking the family's "
    "understanding of next steps and summarising decisions in plain language.",
    "Learning from the practice review: share information with partners early. Complaints about missed call "
    "backs fell after the duty rota changed.",
    "Strengths in direct work with children; areas to develop in contingency planning. Reflective "
    "discussions this period focused on stalled plans and how to restart them with the family.",
)
SUMMARY_TITLES = (
    "Children's voices in plans",
    "Reflective supervision",
    "Using chronologies",
    "What observations tell us",
    "Learning from reviews and complaints",
    "Direct work and contingency plans",
)
TOPICS = (
    ("Working with fathers", "Invite fathers to every review and record their view."),
    ("When a plan has stalled", "Name what is stuck with the family, agree one next step and review it in four weeks."),
    ("The child's lived experience", "Write a day in the child's life before the assessment is finished."),
    ("Contingency planning", "Say what will happen if the plan does not work, in words the family understand."),
    ("Neglect: seeing the pattern", "Use the chronology to show the pattern, not the latest incident."),
    ("Recording for the child", "Write case notes as if the child will read them one day."),
    ("Partnership with schools", "Ask the school for its view before every core group."),
    ("Reflective supervision", "Bring one case a month to supervision for reflection, not only case management."),
)


def _psw() -> User | None:
    by_email = User.objects.filter(email=DEMO_EMAIL[Role.PSW]).first()
    if by_email is not None:
        return by_email
    psw_ids = RoleAssignment.objects.filter(role=Role.PSW).order_by("person__email").values("person_id")
    return User.objects.filter(pk__in=psw_ids).order_by("email").first()


def _practice_leads(today: datetime.date) -> list[User]:
    ids = DutyAssignment.objects.active_on(today).filter(duty=Duty.PRACTICE_LEAD).values("person_id")
    return list(User.objects.filter(pk__in=ids, is_active=True).order_by("email"))


def _tag(rng: random.Random, records: list, themes: list[Theme]) -> int:
    tagged = 0
    for record in records:
        if rng.random() >= TAG_SHARE:
            continue
        record.themes.set(rng.sample(themes, k=min(len(themes), rng.choice((1, 1, 2, 2, 3)))))
        tagged += 1
    return tagged


def seed_learning(*, size: str, today: datetime.date) -> str:
    """Seed the demo's learning loop for ``size`` and ``today``; returns a one-line summary."""
    themes = list(Theme.objects.filter(active=True).order_by("slug"))
    psw = _psw()
    if not themes or psw is None:
        return "Learning: skipped (no themes are loaded or no principal social worker; run load_framework first)."
    rng = random.Random(f"demo-learning:{size}:{today}")
    scope = scope_for(psw, today=today)
    areas = list(ServiceArea.objects.order_by("code"))
    leads = _practice_leads(today)
    with transaction.atomic():
        samples = list(
            DipSample.objects.filter(status=DipSample.Status.DONE, themes__isnull=True).order_by("pk").distinct()
        )
        observations = list(
            Observation.objects.filter(status=Observation.Status.COMPLETED, themes__isnull=True)
            .order_by("pk")
            .distinct()
        )
        tagged = _tag(rng, samples, themes) + _tag(rng, observations, themes)

        last_month = months_before(today.replace(day=1), 1)
        present = set(LearningSummary.objects.values_list("title", flat=True))
        summaries = 0
        for n in range(SUMMARIES):
            title = SUMMARY_TITLES[n]
            period_to = months_before(last_month, 2 * (SUMMARIES - 1 - n))
            area = None if n % 2 == 0 or not areas else areas[(n // 2) % len(areas)]
            chosen = rng.sample(themes, k=min(len(themes), 2))
            if title in present:
                continue
            data = SummaryData(
                period_from=months_before(period_to, 2),
                period_to=period_to,
                title=title,
                summary=SUMMARY_TEXTS[n],
                service_area=area,
                themes=chosen,
            )
            learning_summary_create(scope=scope, actor=psw, data=data)
            summaries += 1

        held = set(ReflectiveDiscussion.objects.values_list("held_on", "topic"))
        discussions = 0
        for n in range(DISCUSSIONS):
            topic, learning = TOPICS[n]
            held_on = months_before(today.replace(day=1), DISCUSSIONS - n) + datetime.timedelta(days=9 + n)
            led_by = rng.choice(ReflectiveDiscussion.LedBy.values)
            facilitator = rng.choice(leads) if leads and led_by == ReflectiveDiscussion.LedBy.PRACTICE_LEAD else psw
            area = rng.choice([None, *areas])
            attended = rng.randint(3, 18)
            chosen = rng.sample(themes, k=min(len(themes), rng.choice((1, 2))))
            if (held_on, topic) in held:
                continue
            data = DiscussionData(
                held_on=held_on,
                led_by=led_by,
                facilitator=facilitator,
                topic=topic,
                attended=attended,
                learning=learning,
                service_area=area,
                themes=chosen,
            )
            reflective_discussion_create(scope=scope, actor=psw, data=data)
            discussions += 1
    return (
        f"Learning: {LearningSummary.objects.count()} learning summaries, "
        f"{ReflectiveDiscussion.objects.count()} reflective discussions, {tagged} dip samples and observations "
        f"tagged with themes; {summaries + discussions} added."
    )
