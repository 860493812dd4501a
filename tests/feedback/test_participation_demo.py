"""The demo's family feedback: every outcome, both questionnaires by phone and in person, each
sharing choice, views of progress that differ, triage in every state, work waiting for the demo
participation officer and team manager; added once, from synthetic phrases only."""

from __future__ import annotations

import datetime
import io

import pytest
from django.core.management import call_command

from feedback.demo import PHRASES, seed_family_feedback
from feedback.models import Channel, Outcome, ParticipationTask, Response, Sharing, TriageItem
from feedback.selectors import PROGRESS_STEP, ready_to_contact, safety_checks_waiting
from organisation.demo import DEMO_EMAIL
from organisation.models import Role, User
from organisation.scope import scope_for

TODAY = datetime.date(2026, 3, 2)


@pytest.fixture
def seeded(db) -> str:
    """The tiny demo, which runs this part: its line of seed_demo's output."""
    out = io.StringIO()
    call_command("seed_demo", "--size", "tiny", "--today", TODAY.isoformat(), stdout=out)
    return next(line.strip() for line in out.getvalue().splitlines() if "Family feedback:" in line)


def _counts() -> tuple[int, ...]:
    return (
        ParticipationTask.objects.count(),
        ParticipationTask.objects.exclude(status=ParticipationTask.Status.AWAITING_SAFETY).count(),
        Response.objects.count(),
        TriageItem.objects.count(),
        TriageItem.objects.filter(status=TriageItem.Status.DONE).count(),
    )


def test_every_outcome_and_the_not_safe_check(seeded):
    assert seeded.startswith("Family feedback: ")
    outcomes = set(ParticipationTask.objects.values_list("outcome", flat=True))
    assert set(Outcome.values) <= outcomes
    assert ParticipationTask.objects.filter(safe_to_contact=False, outcome=Outcome.NOT_APPROPRIATE).exists()
    assert ParticipationTask.objects.filter(outcome=Outcome.NOT_APPROPRIATE, safe_to_contact=True).exclude(
        outcome_reason=""
    )
    no_reply = ParticipationTask.objects.filter(outcome=Outcome.NO_REPLY).first()
    assert no_reply.attempts.count() == 3


def test_both_questionnaires_by_phone_and_in_person_with_each_sharing_choice(seeded):
    submitted = Response.objects.filter(status=Response.Status.SUBMITTED)
    assert {r.questionnaire.audience for r in submitted} == {"child", "parent"}
    assert {Channel.PHONE, Channel.IN_PERSON} <= set(submitted.values_list("channel", flat=True))
    assert set(Sharing.values) == set(submitted.values_list("sharing", flat=True))
    assert not submitted.exclude(sharing=Sharing.NAMED).exclude(respondent_name="").exists()
    # Synthetic answers only: every open answer asked by the officer is from the phrase bank (the
    # secure links' demo has its own).
    bank = {p for phrases in PHRASES.values() for p in phrases}
    asked = submitted.exclude(channel=Channel.LINK)
    assert all(v in bank for r in asked for k, v in r.answers.items() if k in PHRASES)


def test_at_least_two_families_see_progress_two_steps_from_the_practitioner(seeded):
    differing = {
        r.task.audit_id
        for r in Response.objects.select_related("task__audit").exclude(view_of_progress="")
        if r.task.audit.practitioner_view_of_progress in PROGRESS_STEP
        and abs(PROGRESS_STEP[r.view_of_progress] - PROGRESS_STEP[r.task.audit.practitioner_view_of_progress]) >= 2
    }
    assert len(differing) >= 2


def test_triage_read_to_read_and_overdue(seeded):
    items = TriageItem.objects.all()
    assert items.filter(status=TriageItem.Status.DONE).exists()
    assert items.filter(status=TriageItem.Status.OPEN, due_on__gte=TODAY).exists()
    assert items.filter(status=TriageItem.Status.OPEN, due_on__lt=TODAY).exists()
    assert set(items.values_list("response_id", flat=True)) == set(
        Response.objects.filter(status=Response.Status.SUBMITTED, triage_items__isnull=False).values_list(
            "pk", flat=True
        )
    )


def test_work_waits_for_the_demo_officer_and_team_manager(seeded):
    officer = User.objects.get(email=DEMO_EMAIL[Role.PARTICIPATION_OFFICER])
    manager = User.objects.get(email=DEMO_EMAIL[Role.TEAM_MANAGER])
    assert ready_to_contact(scope_for(officer, today=TODAY)).exists()
    assert safety_checks_waiting(scope_for(manager, today=TODAY)).exists()


def test_running_again_adds_nothing(seeded):
    assert "0 taken forward" not in seeded
    before = _counts()
    again = seed_family_feedback(size="tiny", today=TODAY)
    assert _counts() == before
    assert "0 tasks added, 0 taken forward" in again
