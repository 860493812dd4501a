"""The child of concern process (seed 6.1.7): it starts when the reported overall grade is
Inadequate — on submission, or when moderation moves a grade to Inadequate — and ends when
moderation moves it away, recording who and why. The TM and SM/HoS are told at once (a link
only); the first 6-week review of actions is scheduled 42 days after the audit conversation
(or the submission), allocated 7 days before."""

from __future__ import annotations

import datetime
import re

import pytest
from django.core import mail
from django.db import IntegrityError, transaction
from django.urls import reverse

from audits.models import Action, ActionReview, ChildOfConcern, Grade
from audits.services.concern_process import (
    child_of_concern_on_grade_change,
    child_of_concern_start,
)
from audits.services.practitioner import AUDIT_SUBMITTED_HOOK
from core import hooks
from core.models import Notification
from tests.audits.conftest import AUDITOR

from .factories import allocate, mark_submitted

pytestmark = pytest.mark.django_db
NOW = datetime.datetime(2026, 11, 12, 10, 0, tzinfo=datetime.UTC)


def inadequate_audit(
    world,
    tool,
    *,
    case=None,
    auditor=AUDITOR,
    grade: str = Grade.INADEQUATE,
    submitted_on: datetime.date = datetime.date(2026, 11, 10),
    conversation_on: datetime.date | None = datetime.date(2026, 11, 6),
    actions: int = 2,
):
    """A submitted audit of case_a (team A1) with ``actions`` actions owned by its practitioner."""
    audit = allocate(case or world.case_a, world.people[auditor], version=tool, actor=world.people["qa_officer"])
    mark_submitted(audit, grade=grade, on=submitted_on, conversation_on=conversation_on)
    for number in range(actions):
        Action.objects.create(
            audit=audit,
            description=f"Action number {number + 1} for the chronology",
            owner=world.people["practitioner_own"],
            due_on=submitted_on + datetime.timedelta(days=20 + number),
            created_by=audit.auditor,
            version=1,
        )
    return audit


def start(world, audit, *, now=NOW):
    return child_of_concern_start(
        audit=audit, actor=world.people[AUDITOR], reason="The audit was graded Inadequate.", now=now
    )


# --- starting -------------------------------------------------------------------------------------
def test_submission_of_an_inadequate_audit_puts_the_child_on_the_register(world, tool):
    audit = inadequate_audit(world, tool)
    hooks.call(AUDIT_SUBMITTED_HOOK, audit=audit)  # what audit_submit calls in its transaction
    episode = ChildOfConcern.objects.get(audit=audit)
    assert episode.status == ChildOfConcern.Status.OPEN
    assert episode.case_file == world.case_a
    assert episode.started_by == world.people[AUDITOR]
    assert "Inadequate" in episode.start_reason
    review = episode.reviews.get()
    assert review.number == 1
    assert review.status == ActionReview.Status.SCHEDULED
    assert sorted(review.items.values_list("action__description", flat=True)) == [
        "Action number 1 for the chronology",
        "Action number 2 for the chronology",
    ]


@pytest.mark.parametrize("grade", [Grade.GOOD, Grade.REQUIRES_IMPROVEMENT, Grade.OUTSTANDING])
def test_other_grades_start_nothing(world, tool, grade):
    audit = inadequate_audit(world, tool, grade=grade)
    hooks.call(AUDIT_SUBMITTED_HOOK, audit=audit)
    assert start(world, audit) is None
    assert not ChildOfConcern.objects.exists()


def test_the_reported_grade_decides_not_the_auditors(world, tool):
    # Moderation said Requires improvement: the reported grade is not Inadequate.
    audit = inadequate_audit(world, tool)
    audit.reported_grade = Grade.REQUIRES_IMPROVEMENT
    audit.moderated = True
    audit.save()
    assert start(world, audit) is None
    assert not ChildOfConcern.objects.exists()


def test_starting_twice_adds_nothing(world, tool):
    audit = inadequate_audit(world, tool)
    first = start(world, audit)
    hooks.call(AUDIT_SUBMITTED_HOOK, audit=audit)
    second = start(world, audit)
    assert first.pk == second.pk
    assert ChildOfConcern.objects.count() == 1
    assert ActionReview.objects.count() == 1
    assert Notification.objects.filter(key=f"concern-started:{first.pk}").count() == 3  # TM, SM and HoS, once each


def test_the_database_refuses_a_second_open_episode(world, tool):
    audit = inadequate_audit(world, tool)
    episode = start(world, audit)
    with pytest.raises(IntegrityError), transaction.atomic():
        ChildOfConcern.objects.create(
            case_file=episode.case_file, audit=audit, started_at=NOW, started_by=world.people[AUDITOR], start_reason="x"
        )


def test_the_tm_sm_and_hos_are_told_at_once_with_a_link_only(world, tool, django_capture_on_commit_callbacks):
    audit = inadequate_audit(world, tool)
    Notification.objects.all().delete()
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        episode = start(world, audit)
    people = world.people
    told = {n.recipient for n in Notification.objects.filter(key=f"concern-started:{episode.pk}")}
    assert told == {people["team_manager_same"], people["service_manager_same"], people["head_of_service"]}
    url = reverse("audits:concern-episode", args=[episode.pk])
    assert sorted(m.to[0] for m in mail.outbox) == sorted(p.email for p in told)
    for message in mail.outbox:
        body = f"{message.subject}\n{message.body}"
        assert url in body
        assert audit.case_reference not in body
        assert "nadequate" not in body
        assert not re.search(rf"\b{audit.child_initials}\b", body)
    # The practitioner is told nothing by the process: their TM talks them through it.
    assert not Notification.objects.filter(recipient=people["practitioner_own"], key__startswith="concern-").exists()


# --- the first review's dates ------------------------------------------------------------------------
def test_review_one_is_due_42_days_after_the_conversation_and_allocated_7_days_before(world, tool):
    audit = inadequate_audit(world, tool, conversation_on=datetime.date(2026, 11, 6))
    review = start(world, audit).reviews.get()
    assert review.due_on == datetime.date(2026, 12, 18)
    assert review.allocate_on == datetime.date(2026, 12, 11)


def test_without_a_conversation_date_review_one_counts_from_the_submission(world, tool):
    audit = inadequate_audit(world, tool, conversation_on=None, submitted_on=datetime.date(2026, 11, 10))
    review = start(world, audit).reviews.get()
    assert review.due_on == datetime.date(2026, 12, 22)
    assert review.allocate_on == datetime.date(2026, 12, 15)


# --- moderation changes the grade ---------------------------------------------------------------------
def test_moderation_to_inadequate_starts_the_process_and_records_who_and_why(world, tool):
    audit = inadequate_audit(world, tool, grade=Grade.REQUIRES_IMPROVEMENT)
    moderator = world.people["qa_officer"]
    episode = child_of_concern_on_grade_change(
        audit=audit,
        old_grade=Grade.REQUIRES_IMPROVEMENT,
        new_grade=Grade.INADEQUATE,
        actor=moderator,
        reason="Moderation found the plan was not protecting the child.",
        now=NOW,
    )
    assert episode.status == ChildOfConcern.Status.OPEN
    assert episode.started_by == moderator
    assert episode.start_reason == "Moderation found the plan was not protecting the child."
    assert episode.reviews.count() == 1


def test_moderation_from_inadequate_ends_the_process_and_cancels_its_review(world, tool):
    audit = inadequate_audit(world, tool)
    episode = start(world, audit)
    moderator = world.people["qa_manager"]
    ended = child_of_concern_on_grade_change(
        audit=audit,
        old_grade=Grade.INADEQUATE,
        new_grade=Grade.REQUIRES_IMPROVEMENT,
        actor=moderator,
        reason="Moderation: the child is safe; requires improvement.",
        now=NOW + datetime.timedelta(days=2),
    )
    episode.refresh_from_db()
    assert ended.pk == episode.pk
    assert episode.status == ChildOfConcern.Status.ENDED
    assert episode.ended_by == moderator
    assert episode.end_reason == "Moderation: the child is safe; requires improvement."
    assert episode.ended_at == NOW + datetime.timedelta(days=2)
    assert episode.reviews.get().status == ActionReview.Status.CANCELLED


@pytest.mark.parametrize(
    ("old", "new"),
    [
        (Grade.GOOD, Grade.REQUIRES_IMPROVEMENT),
        (Grade.REQUIRES_IMPROVEMENT, Grade.OUTSTANDING),
        (Grade.INADEQUATE, Grade.INADEQUATE),
    ],
)
def test_other_grade_changes_do_nothing(world, tool, old, new):
    audit = inadequate_audit(world, tool, grade=old)
    before = start(world, audit)  # open only when old is Inadequate
    result = child_of_concern_on_grade_change(
        audit=audit, old_grade=old, new_grade=new, actor=world.people["qa_manager"], reason="No change", now=NOW
    )
    assert result is None
    if before is None:
        assert not ChildOfConcern.objects.exists()
    else:
        before.refresh_from_db()
        assert before.status == ChildOfConcern.Status.OPEN


def test_a_new_episode_can_start_after_one_has_ended(world, tool):
    audit = inadequate_audit(world, tool)
    start(world, audit)
    kwargs = {"audit": audit, "actor": world.people["qa_manager"], "reason": "Moderation", "now": NOW}
    child_of_concern_on_grade_change(old_grade=Grade.INADEQUATE, new_grade=Grade.GOOD, **kwargs)
    again = child_of_concern_on_grade_change(old_grade=Grade.GOOD, new_grade=Grade.INADEQUATE, **kwargs)
    assert again.status == ChildOfConcern.Status.OPEN
    assert list(ChildOfConcern.objects.order_by("pk").values_list("status", flat=True)) == ["ended", "open"]
