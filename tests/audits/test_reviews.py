"""The 6-week review of actions: allocated on the right day by the daily sweep, recorded by the
reviewer, escalated to the head of service when actions were not complied with, and the register
page (its scope and its query count)."""

from __future__ import annotations

import datetime

import pytest
import time_machine
from django.core import mail
from django.urls import reverse

from audits.models import ActionReview, ChildOfConcern, Grade
from audits.services.concern_process import (
    ItemAnswer,
    ReviewError,
    action_review_complete,
    action_reviews_allocate_sweep,
)
from core.models import Notification
from core.sweeps import sweeps_run
from tests.audits.conftest import AUDITOR

from .test_child_of_concern import inadequate_audit, start

pytestmark = pytest.mark.django_db
# Conversation 6 November 2026: review 1 due 18 December, allocated 11 December.
ALLOCATE_DAY = datetime.date(2026, 12, 11)
DONE_AT = datetime.datetime(2026, 12, 14, 11, 0, tzinfo=datetime.UTC)


def allocated_review(world, tool, **kwargs):
    audit = inadequate_audit(world, tool, **kwargs)
    episode = start(world, audit)
    action_reviews_allocate_sweep(today=ALLOCATE_DAY, now=DONE_AT)
    return episode.reviews.get(number=1)


def answers(review, *complied: bool):
    items = list(review.items.order_by("action__due_on", "action_id"))
    return {
        item.action_id: ItemAnswer(complied=c, note=f"Note {n}")
        for n, (item, c) in enumerate(zip(items, complied, strict=True))
    }


# --- allocation day -------------------------------------------------------------------------------
def test_the_review_is_allocated_seven_days_before_it_is_due_and_not_a_day_earlier(world, tool):
    audit = inadequate_audit(world, tool)
    review = start(world, audit).reviews.get()
    with time_machine.travel(datetime.datetime(2026, 12, 10, 9, 0, tzinfo=datetime.UTC), tick=False):
        sweeps_run(frequency="daily")
    review.refresh_from_db()
    assert review.status == ActionReview.Status.SCHEDULED
    assert review.reviewer is None
    with time_machine.travel(datetime.datetime(2026, 12, 11, 9, 0, tzinfo=datetime.UTC), tick=False):
        sweeps_run(frequency="daily")
        sweeps_run(frequency="daily")  # a second run allocates and tells nothing more
    review.refresh_from_db()
    assert review.status == ActionReview.Status.ALLOCATED
    assert review.reviewer == world.people[AUDITOR]
    told = Notification.objects.filter(key=f"action-review-allocated:{review.pk}")
    assert [n.recipient for n in told] == [world.people[AUDITOR]]
    assert told.get().message == "A 6-week review of actions is ready for you to do — it is due by 18 December 2026"
    assert told.get().url == reverse("audits:action-review", args=[review.pk])


def test_counted_from_the_submission_when_there_is_no_conversation_date(world, tool):
    audit = inadequate_audit(world, tool, conversation_on=None, submitted_on=datetime.date(2026, 11, 10))
    review = start(world, audit).reviews.get()
    assert action_reviews_allocate_sweep(today=datetime.date(2026, 12, 14), now=DONE_AT) == 0
    assert action_reviews_allocate_sweep(today=datetime.date(2026, 12, 15), now=DONE_AT) == 1
    review.refresh_from_db()
    assert review.status == ActionReview.Status.ALLOCATED


def test_a_qa_officer_reviews_when_the_auditor_has_left(world, tool):
    audit = inadequate_audit(world, tool)
    start(world, audit)
    auditor = world.people[AUDITOR]
    auditor.is_active = False
    auditor.save()
    action_reviews_allocate_sweep(today=ALLOCATE_DAY, now=DONE_AT)
    assert ActionReview.objects.get().reviewer == world.people["qa_officer"]


def test_an_ended_episode_has_nothing_to_allocate(world, tool):
    audit = inadequate_audit(world, tool)
    episode = start(world, audit)
    ChildOfConcern.objects.filter(pk=episode.pk).update(status=ChildOfConcern.Status.ENDED)
    assert action_reviews_allocate_sweep(today=ALLOCATE_DAY, now=DONE_AT) == 0


# --- recording the review --------------------------------------------------------------------------
def test_all_complied_and_close_takes_the_child_off_the_register(world, tool):
    review = allocated_review(world, tool)
    action_review_complete(
        review=review,
        actor=world.people[AUDITOR],
        items=answers(review, True, True),
        notes="Both actions done.",
        new_grade=Grade.REQUIRES_IMPROVEMENT,
        outcome=ActionReview.Outcome.CLOSE,
        now=DONE_AT,
    )
    review.refresh_from_db()
    episode = review.episode
    episode.refresh_from_db()
    assert review.status == ActionReview.Status.DONE
    assert review.new_grade == Grade.REQUIRES_IMPROVEMENT
    assert review.escalated_at is None
    assert episode.status == ChildOfConcern.Status.CLOSED
    assert episode.ended_by == world.people[AUDITOR]
    assert episode.reviews.count() == 1
    assert not Notification.objects.filter(kind="action-review-escalated").exists()


def test_not_complied_escalates_to_the_head_of_service_and_schedules_a_further_review(
    world, tool, django_capture_on_commit_callbacks
):
    review = allocated_review(world, tool)
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        action_review_complete(
            review=review,
            actor=world.people[AUDITOR],
            items=answers(review, True, False),
            notes="The chronology is still not up to date.",
            new_grade=Grade.INADEQUATE,
            outcome=ActionReview.Outcome.FURTHER_REVIEW,
            now=DONE_AT,
        )
    review.refresh_from_db()
    assert review.escalated_at == DONE_AT
    assert [i.complied for i in review.items.order_by("action__due_on")] == [True, False]
    escalated = Notification.objects.filter(key=f"action-review-escalated:{review.pk}")
    assert [n.recipient for n in escalated] == [world.people["head_of_service"]]
    further = review.episode.reviews.get(number=2)
    # 42 days after this review (14 December 2026), allocated 7 days before.
    assert further.due_on == datetime.date(2027, 1, 25)
    assert further.allocate_on == datetime.date(2027, 1, 18)
    assert further.status == ActionReview.Status.SCHEDULED
    assert further.items.count() == 2
    episode = review.episode
    episode.refresh_from_db()
    assert episode.status == ChildOfConcern.Status.OPEN
    # No result is emailed to the practitioner: their TM tells them in person.
    practitioner = world.people["practitioner_own"]
    assert practitioner.email not in [m.to[0] for m in mail.outbox]
    assert not Notification.objects.filter(recipient=practitioner, kind__startswith="action-review").exists()
    assert mail.outbox  # the head of service and the TM were emailed (a link only)
    for message in mail.outbox:
        assert "nadequate" not in message.body
        assert "CASE-A" not in message.body


def test_a_review_with_a_not_complied_action_cannot_close(world, tool):
    review = allocated_review(world, tool)
    with pytest.raises(ReviewError, match="further review"):
        action_review_complete(
            review=review,
            actor=world.people[AUDITOR],
            items=answers(review, False, True),
            notes="",
            new_grade=Grade.INADEQUATE,
            outcome=ActionReview.Outcome.CLOSE,
            now=DONE_AT,
        )
    review.refresh_from_db()
    assert review.status == ActionReview.Status.ALLOCATED


def test_only_the_reviewer_records_and_only_once(world, tool):
    review = allocated_review(world, tool)
    kwargs = {
        "items": answers(review, True, True),
        "notes": "",
        "new_grade": Grade.GOOD,
        "outcome": ActionReview.Outcome.CLOSE,
        "now": DONE_AT,
    }
    with pytest.raises(ReviewError, match="Only the reviewer"):
        action_review_complete(review=review, actor=world.people["qa_manager"], **kwargs)
    action_review_complete(review=review, actor=world.people[AUDITOR], **kwargs)
    with pytest.raises(ReviewError, match="not open"):
        action_review_complete(review=review, actor=world.people[AUDITOR], **kwargs)


# --- the review page ------------------------------------------------------------------------------
def review_url(review):
    return reverse("audits:action-review", args=[review.pk])


def test_the_reviewer_records_the_review_on_its_page(client, world, tool):
    review = allocated_review(world, tool)
    items = list(review.items.order_by("action__due_on", "action_id"))
    client.force_login(world.people[AUDITOR])
    html = client.get(review_url(review)).content.decode()
    assert "Action number 1 for the chronology" in html
    assert "Serious or widespread failures" in html  # the grade descriptors beside the radios
    data = {
        f"complied_{items[0].action_id}": "yes",
        f"complied_{items[1].action_id}": "no",
        f"note_{items[1].action_id}": "Not yet done",
        "notes": "One action outstanding.",
        "new_grade": Grade.INADEQUATE,
        "outcome": ActionReview.Outcome.FURTHER_REVIEW,
        "version": review.version,
    }
    response = client.post(review_url(review), data)
    assert response.status_code == 302
    assert response["Location"] == reverse("audits:concern-episode", args=[review.episode_id])
    assert review.episode.reviews.filter(number=2).exists()


def test_an_incomplete_review_shows_the_errors_and_keeps_the_input(client, world, tool):
    review = allocated_review(world, tool)
    items = list(review.items.order_by("action__due_on", "action_id"))
    client.force_login(world.people[AUDITOR])
    response = client.post(
        review_url(review),
        {f"complied_{items[0].action_id}": "no", "notes": "Kept notes MK-KEEP", "outcome": "close", "version": 0},
    )
    html = response.content.decode()
    assert response.status_code == 200
    assert "<title>Error: " in html
    assert "Say whether action 2 was complied with" in html
    assert "Choose the overall grade now" in html
    assert "choose a further review" in html
    assert "Kept notes MK-KEEP" in html
    review.refresh_from_db()
    assert review.status == ActionReview.Status.ALLOCATED


@pytest.mark.parametrize("persona", ["team_manager_same", "qa_manager", "head_of_service"])
def test_others_who_may_see_it_read_it_only(client, world, tool, persona):
    review = allocated_review(world, tool)
    client.force_login(world.people[persona])
    response = client.get(review_url(review))
    assert response.status_code == 200
    assert b"Record the 6-week review" not in response.content
    assert client.post(review_url(review), {}).status_code == 403


@pytest.mark.parametrize("persona", ["team_manager_other", "practitioner_own", "service_manager_other", "iro"])
def test_others_are_not_found(client, world, tool, persona):
    review = allocated_review(world, tool, auditor="qa_officer")
    client.force_login(world.people[persona])
    assert client.get(review_url(review)).status_code == 404
    assert client.get(reverse("audits:concern-episode", args=[review.episode_id])).status_code == 404


# --- the register ---------------------------------------------------------------------------------
REGISTER = reverse("audits:concern-register")


def test_the_register_shows_each_child_with_days_since_and_review_status(client, world, tool):
    audit = inadequate_audit(world, tool)
    start(world, audit)
    with time_machine.travel(datetime.datetime(2026, 12, 20, 9, 0, tzinfo=datetime.UTC), tick=False):
        client.force_login(world.people["team_manager_same"])
        html = client.get(REGISTER).content.decode()
    assert "CASE-A" in html
    assert world.team_a1.name in html
    assert ">44<" in html  # days since the conversation on 6 November
    assert "18 Dec 2026" in html
    assert "Overdue" in html
    assert "On the register" in html


@pytest.mark.parametrize(
    ("persona", "sees"),
    [
        ("team_manager_same", True),
        ("service_manager_same", True),
        ("head_of_service", True),
        ("assistant_director", True),
        ("qa_officer", True),
        ("team_manager_other", False),
        ("service_manager_other", False),
    ],
)
def test_the_register_is_scoped(client, world, tool, persona, sees):
    start(world, inadequate_audit(world, tool))
    client.force_login(world.people[persona])
    response = client.get(REGISTER)
    assert response.status_code == 200
    assert ("CASE-A" in response.content.decode()) is sees


@pytest.mark.parametrize("persona", ["practitioner_own", "iro", "bi_officer", "partner_contributor"])
def test_others_have_no_register(client, world, persona):
    client.force_login(world.people[persona])
    assert client.get(REGISTER).status_code == 403


def test_the_register_costs_the_same_queries_for_few_or_many_children(
    client, world, tool, django_assert_max_num_queries
):
    start(world, inadequate_audit(world, tool))
    client.force_login(world.people["qa_manager"])
    client.get(REGISTER)
    # session, user, role assignments, duties, the count, the page of episodes (audit, team), their reviews
    with django_assert_max_num_queries(7) as few:
        client.get(REGISTER)
    for _ in range(12):
        start(world, inadequate_audit(world, tool, case=world.case_b, auditor="team_manager_same"))
    assert ChildOfConcern.objects.count() == 13
    with django_assert_max_num_queries(len(few.captured_queries)):
        html = client.get(REGISTER).content.decode()
    assert html.count("CASE-B") >= 12
