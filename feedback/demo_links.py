"""Synthetic secure links for the demo (DESIGN section 6), on tasks the family-feedback demo left
ready for contact: one a parent completed alone (the task completed, a free-text answer waiting
to be read), one started and saved but not sent (still working), one that expired unused, and
one the officer withdrew.

Made through the services, so the rules are the service's (only the hash stored, the contact
logged, triage on submission); each link's ``created_at`` is then set to when it was "made".
Deterministic apart from the tokens, which are random and not kept (nobody can open a demo link:
the officer makes a new one to try the family's pages). Idempotent: nothing is added once any
link exists.
"""

from __future__ import annotations

import datetime
import random

from django.db import transaction
from django.utils import timezone

from core.models import QASettings
from organisation.demo import DEMO_EMAIL
from organisation.models import Role, User

from .models import ParticipationTask, Questionnaire, SecureLink, Sharing
from .services.links import link_consent, link_create, link_save_answers, link_submit, link_visit, link_withdraw
from .services.questionnaires import questionnaires_current

# What a parent writes: short, invented, no names.
CHANGED = (
    "We have a routine now and the mornings are calmer.",
    "I understand what the worker was worried about, and things are better with my son.",
    "The support with the housing made the biggest difference.",
)
HELPED = ("The family group meetings helped most.", "Having one worker who stayed helped most.")
PROGRESS = ("better", "much_better")
SCENARIOS = ("submitted", "started", "expired", "withdrawn")
# Made on the same task, the earlier scenarios go first: a submission closes its task.
ORDER = ("expired", "withdrawn", "started", "submitted")


def _at(day: datetime.date, hour: int) -> datetime.datetime:
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time(hour, 0)))


def _made(link: SecureLink, when: datetime.datetime) -> None:
    # created_at is set by the database when the row is written; the demo backdates it (no
    # history row: nothing about the link changed).
    SecureLink.objects.filter(pk=link.pk).update(created_at=when)


def _seed_one(
    scenario: str,
    *,
    task: ParticipationTask,
    questionnaire: Questionnaire,
    officer: User,
    today: datetime.date,
    rng: random.Random,
) -> None:
    days = QASettings.current().family_link_expiry_days
    made_on = {
        "expired": today - datetime.timedelta(days=days + 6),
        "withdrawn": today - datetime.timedelta(days=5),
        "started": today - datetime.timedelta(days=2),
        "submitted": today - datetime.timedelta(days=4),
    }[scenario]
    made_at = _at(made_on, 10)
    link, _ = link_create(task=task, questionnaire=questionnaire, actor=officer, now=made_at)
    _made(link, made_at)
    answers = {"changed": rng.choice(CHANGED), "helped": rng.choice(HELPED), "progress": rng.choice(PROGRESS)}
    if scenario == "withdrawn":
        link_withdraw(link=link, actor=officer, now=made_at + datetime.timedelta(days=1))
    elif scenario == "started":
        opened = _at(today - datetime.timedelta(days=1), 19)
        link_visit(link=link, now=opened)
        link_consent(link=link, consent=True)
        link_save_answers(link=link, answers={"changed": answers["changed"]}, expected_version=None)
    elif scenario == "submitted":
        opened = _at(today - datetime.timedelta(days=2), 20)
        for visit in range(2):
            link_visit(link=link, now=opened + datetime.timedelta(hours=visit))
        link_consent(link=link, consent=True)
        link_save_answers(link=link, answers={**answers, "involved": "yes"}, expected_version=None)
        link_submit(
            link=link,
            sharing=Sharing.ANONYMOUS,
            respondent="Mum",
            respondent_name="",
            now=opened + datetime.timedelta(hours=1, minutes=10),
        )


def seed_family_links(*, size: str, today: datetime.date) -> str:
    """Seed the demo's secure links for ``size`` and ``today``; returns a one-line summary."""
    existing = SecureLink.objects.count()
    if existing:
        return f"Secure links: {existing} already present, nothing added."
    questionnaire = questionnaires_current().get("parent")
    officer = User.objects.filter(email=DEMO_EMAIL[Role.PARTICIPATION_OFFICER]).first()
    if questionnaire is None or officer is None:
        return "Secure links: skipped (no parent questionnaire or no demo participation officer)."
    tasks = list(
        ParticipationTask.objects.filter(status=ParticipationTask.Status.READY, safe_to_contact=True)
        .exclude(audit__status="cancelled")
        .select_related("audit")
        .order_by("audit__month", "audit__case_reference", "pk")[: len(SCENARIOS)]
    )
    if not tasks:
        return "Secure links: skipped (no task is ready to contact; seed the family feedback first)."
    rng = random.Random(f"demo-family-links:{size}:{today}")
    assigned = {scenario: tasks[index % len(tasks)] for index, scenario in enumerate(SCENARIOS)}
    with transaction.atomic():
        for scenario in ORDER:
            _seed_one(
                scenario, task=assigned[scenario], questionnaire=questionnaire, officer=officer, today=today, rng=rng
            )
    return (
        f"Secure links: {len(SCENARIOS)} made on {len(tasks)} ready tasks "
        "(1 answered and sent, 1 started and saved, 1 expired unused, 1 withdrawn)."
    )
