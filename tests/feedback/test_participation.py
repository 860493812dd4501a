"""A participation task per allocated audit, the team manager's safety check before any contact,
and the participation officer's attempts and one outcome (DESIGN section 6; seed 2)."""

from __future__ import annotations

import datetime

import pytest
from django.urls import reverse

from audits.models import AuditKind, AuditStatus
from core.models import Notification
from feedback.models import ContactAttempt, Outcome, ParticipationTask, Response
from feedback.services.participation import (
    NOT_SAFE_REASON,
    ParticipationError,
    contact_attempt_record,
    participation_outcome_record,
    participation_safety_record,
    participation_tasks_create_missing,
)
from feedback.services.responses import ResponseError, response_start
from organisation.models import Role
from tests.factories import CaseFileFactory, person_with_role

from .conftest import ALLOCATED_ON, allocate_audit, make_ready

TODAY = datetime.date(2026, 11, 20)

pytestmark = pytest.mark.usefixtures("clock")


def _safety_url(task):
    return reverse("feedback:participation-safety", args=[task.pk])


def _task_url(task):
    return reverse("feedback:participation-task", args=[task.pk])


# --- a task per allocated audit ----------------------------------------------------------------
def test_allocating_an_audit_makes_its_task_and_asks_the_team_manager_for_a_safety_check(world, feedback_audit):
    task = feedback_audit.participation_task
    assert task.status == ParticipationTask.Status.AWAITING_SAFETY
    notice = Notification.objects.get(recipient=world.people["team_manager_same"], kind="participation-safety")
    assert notice.url == _safety_url(task)
    # Neutral and emailed: no case reference, initials or grade in the message.
    assert feedback_audit.case_reference not in notice.message
    assert feedback_audit.child_initials not in notice.message
    assert "safe to contact a family" in notice.message


@pytest.mark.parametrize("kind", [AuditKind.RE_AUDIT, AuditKind.DIP_SAMPLE])
def test_a_6_week_review_or_a_dip_sample_seeks_no_family_views(world, kind):
    audit = allocate_audit(world, kind=kind)
    assert not ParticipationTask.objects.filter(audit=audit).exists()


def test_tasks_missing_for_audits_made_without_the_hook_are_made_once(world, feedback_audit):
    feedback_audit.participation_task.delete()
    other = allocate_audit(world, world.case_b)
    other.participation_task.delete()
    assert participation_tasks_create_missing(today=ALLOCATED_ON) == 2
    assert participation_tasks_create_missing(today=ALLOCATED_ON) == 0
    assert ParticipationTask.objects.count() == 2


def test_a_cancelled_audit_gets_no_task_and_its_task_leaves_the_list(client, world, feedback_audit):
    feedback_audit.status = AuditStatus.CANCELLED
    feedback_audit.save()
    client.force_login(world.people["participation_officer"])
    page = client.get(reverse("feedback:participation-list"))
    assert feedback_audit.case_reference not in page.content.decode()
    assert client.get(_task_url(feedback_audit.participation_task)).status_code == 404
    ParticipationTask.objects.all().delete()
    assert participation_tasks_create_missing(today=ALLOCATED_ON) == 0


# --- the safety check -------------------------------------------------------------------------------
def test_the_team_manager_says_contact_is_safe_and_the_officers_are_told(client, world, feedback_audit):
    task = feedback_audit.participation_task
    client.force_login(world.people["team_manager_same"])
    page = client.get(_safety_url(task))
    assert "Is it safe to contact this family?" in page.content.decode()
    response = client.post(
        _safety_url(task),
        {
            "safe": "yes",
            "adults_to_contact": "Mum (AB)",
            "interpreter_needed": "yes",
            "interpreter_language": "Polish",
            "domestic_abuse_risk": "yes",
            "notes": "Call on her mobile only.",
            "version": "0",
        },
    )
    assert response.status_code == 302
    task.refresh_from_db()
    assert task.status == ParticipationTask.Status.READY
    assert (task.safe_to_contact, task.adults_to_contact, task.interpreter_language) == (True, "Mum (AB)", "Polish")
    assert task.domestic_abuse_risk
    assert task.safety_checked_by == world.people["team_manager_same"]
    assert Notification.objects.filter(recipient=world.people["participation_officer"], kind="participation-ready")


def test_not_safe_closes_the_task_as_not_appropriate(client, world, feedback_audit):
    task = feedback_audit.participation_task
    client.force_login(world.people["service_manager_same"])
    client.post(
        _safety_url(task),
        {
            "safe": "no",
            "interpreter_needed": "no",
            "domestic_abuse_risk": "yes",
            "notes": "Risk from ex-partner.",
            "version": "0",
        },
    )
    task.refresh_from_db()
    assert task.status == ParticipationTask.Status.CLOSED
    assert (task.outcome, task.outcome_reason) == (Outcome.NOT_APPROPRIATE, NOT_SAFE_REASON)
    # The notes stay with the safety check; the reason others read says only why in general.
    assert task.safety_notes == "Risk from ex-partner."
    assert not Notification.objects.filter(kind="participation-ready").exists()


def test_adults_and_the_language_are_required_when_they_apply(client, world, feedback_audit):
    task = feedback_audit.participation_task
    client.force_login(world.people["team_manager_same"])
    page = client.post(
        _safety_url(task),
        {"safe": "yes", "interpreter_needed": "yes", "domestic_abuse_risk": "no", "notes": "Typed notes kept"},
    )
    html = page.content.decode()
    assert page.status_code == 200
    assert html.count("Say which adults may be contacted") >= 2  # the summary and the field
    assert "Say which language the interpreter is needed for" in html
    assert "<title>Error: " in html
    assert "Typed notes kept" in html
    task.refresh_from_db()
    assert task.status == ParticipationTask.Status.AWAITING_SAFETY


def test_a_stale_safety_page_is_refused(client, world, feedback_audit):
    task = make_ready(feedback_audit.participation_task, world.people["team_manager_same"])
    client.force_login(world.people["head_of_service"])
    page = client.post(
        _safety_url(task), {"safe": "no", "interpreter_needed": "no", "domestic_abuse_risk": "no", "version": "0"}
    )
    assert "This page was out of date" in page.content.decode()
    task.refresh_from_db()
    assert task.status == ParticipationTask.Status.READY


@pytest.mark.parametrize(
    ("persona", "status"),
    [("team_manager_other", 404), ("service_manager_other", 404), ("participation_officer", 403), ("qa_officer", 403)],
)
def test_only_the_audit_teams_manager_line_makes_the_check(client, world, feedback_audit, persona, status):
    client.force_login(world.people[persona])
    assert client.get(_safety_url(feedback_audit.participation_task)).status_code == status


def test_the_safety_page_answers_405_to_other_methods(client, world, feedback_audit):
    client.force_login(world.people["team_manager_same"])
    assert client.put(_safety_url(feedback_audit.participation_task)).status_code == 405


def test_before_the_check_no_attempt_response_or_outcome_of_contact_is_possible(world, questionnaires, feedback_audit):
    task = feedback_audit.participation_task
    officer = world.people["participation_officer"]
    with pytest.raises(ParticipationError, match="no contact can be made before that safety check"):
        contact_attempt_record(task=task, attempted_on=TODAY, method="phone", actor=officer, today=TODAY)
    with pytest.raises(ResponseError, match="no contact can be made before that safety check"):
        response_start(task=task, questionnaire=questionnaires["parent"], channel="phone", entered_by=officer)
    for outcome in (Outcome.DECLINED, Outcome.NO_REPLY):
        with pytest.raises(ParticipationError):
            participation_outcome_record(task=task, outcome=outcome, actor=officer)
    assert not ContactAttempt.objects.exists()
    assert not Response.objects.exists()


def test_the_task_page_says_why_nothing_can_be_done_yet(client, world, feedback_audit):
    client.force_login(world.people["participation_officer"])
    html = client.get(_task_url(feedback_audit.participation_task)).content.decode()
    assert "No contact can be made before that safety check" in html
    assert "Log an attempt" not in html
    assert reverse("feedback:response-new", args=[feedback_audit.participation_task.pk]) not in html
    page = client.get(reverse("feedback:response-new", args=[feedback_audit.participation_task.pk]))
    assert "No contact can be made before that safety check" in page.content.decode()


# --- the officer's list and task page -------------------------------------------------------------
def test_the_list_shows_what_the_officer_needs_and_no_grades(client, world, ready_task):
    audit = ready_task.audit
    audit.overall_grade = audit.reported_grade = "inadequate"
    audit.save()
    client.force_login(world.people["participation_officer"])
    html = client.get(reverse("feedback:participation-list")).content.decode()
    assert audit.case_reference in html
    assert audit.team.name in html
    assert "Ready to contact" in html
    task_html = client.get(_task_url(ready_task)).content.decode()
    for shown in (audit.case_reference, audit.child_initials, audit.team.name, "November 2026", "Mum and Grandad"):
        assert shown in task_html
    assert "Inadequate" not in html + task_html
    # H4's secure links partial is included (with its context).
    assert "feedback/links/_task_links.html" not in task_html


def test_filters_and_assign_to_me(client, world, ready_task):
    other = allocate_audit(world, world.case_b)
    client.force_login(world.people["participation_officer"])
    url = reverse("feedback:participation-list")
    html = client.get(url, {"status": "ready"}).content.decode()
    assert ready_task.audit.case_reference in html
    assert other.case_reference not in html
    html = client.get(url, {"team": world.team_b1.pk}).content.decode()
    assert other.case_reference in html
    assert ready_task.audit.case_reference not in html
    response = client.post(reverse("feedback:participation-assign", args=[ready_task.pk]), {"next": url})
    assert response.status_code == 302
    assert response["Location"] == url
    ready_task.refresh_from_db()
    assert ready_task.officer == world.people["participation_officer"]
    html = client.get(url, {"officer": "me"}).content.decode()
    assert ready_task.audit.case_reference in html
    assert other.case_reference not in html
    # Someone else cannot take it now.
    client.force_login(world.people["qa_officer"])
    client.post(reverse("feedback:participation-assign", args=[ready_task.pk]))
    ready_task.refresh_from_db()
    assert ready_task.officer == world.people["participation_officer"]


def test_a_team_not_offered_is_ignored_with_an_error(client, world, ready_task):
    client.force_login(world.people["participation_officer"])
    page = client.get(reverse("feedback:participation-list"), {"team": "999999"})
    assert page.status_code == 200
    assert "<title>Error: " in page.content.decode()


def test_the_list_takes_a_fixed_number_of_queries(client, world, django_assert_max_num_queries):
    client.force_login(world.people["qa_officer"])
    url = reverse("feedback:participation-list")
    allocate_audit(world)
    client.get(url)
    with django_assert_max_num_queries(20) as few:
        client.get(url)
    for n in range(6):
        allocate_audit(world, CaseFileFactory(case_reference=f"A1-{n}", team=world.team_a1))
    # Session, user, scope (2), teams, count, the page of tasks with attempts: never one per row.
    with django_assert_max_num_queries(len(few.captured_queries)):
        assert client.get(url).content.decode().count("data-task=") == 7


# --- attempts and the one outcome ------------------------------------------------------------------
def test_an_attempt_is_logged_and_a_future_date_is_refused(client, world, ready_task):
    client.force_login(world.people["participation_officer"])
    url = _task_url(ready_task)
    page = client.post(
        url,
        {
            "action": "attempt",
            "attempted_on_0": "1",
            "attempted_on_1": "1",
            "attempted_on_2": "2099",
            "method": "phone",
            "note": "Kept note",
        },
    )
    html = page.content.decode()
    assert "The date of the attempt must be today or in the past" in html
    assert "Kept note" in html
    response = client.post(
        url,
        {
            "action": "attempt",
            "attempted_on_0": "3",
            "attempted_on_1": "11",
            "attempted_on_2": "2026",
            "method": "phone",
            "note": "VM",
        },
    )
    assert response.status_code == 302
    attempt = ContactAttempt.objects.get(task=ready_task)
    assert (attempt.attempted_on, attempt.recorded_by) == (
        datetime.date(2026, 11, 3),
        world.people["participation_officer"],
    )


def test_no_reply_needs_an_attempt_and_then_says_how_many(client, world, ready_task):
    client.force_login(world.people["participation_officer"])
    url = _task_url(ready_task)
    page = client.post(url, {"action": "outcome", "outcome": "no_reply"})
    assert "Log at least one attempt to contact the family before recording no reply" in page.content.decode()
    for day in (3, 5, 9):
        contact_attempt_record(
            task=ready_task,
            attempted_on=datetime.date(2026, 11, day),
            method="phone",
            actor=world.people["participation_officer"],
            today=TODAY,
        )
    assert "No reply after 3 attempts" in client.get(url).content.decode()
    assert client.post(url, {"action": "outcome", "outcome": "no_reply"}).status_code == 302
    ready_task.refresh_from_db()
    assert (ready_task.status, ready_task.outcome) == (ParticipationTask.Status.CLOSED, Outcome.NO_REPLY)
    assert "No reply after 3 attempts" in client.get(url).content.decode()


def test_not_appropriate_needs_a_reason(client, world, ready_task):
    client.force_login(world.people["qa_officer"])
    url = _task_url(ready_task)
    page = client.post(url, {"action": "outcome", "outcome": "not_appropriate"})
    assert "Say why contacting this family is not appropriate" in page.content.decode()
    client.post(url, {"action": "outcome", "outcome": "not_appropriate", "reason": "The child is 2 months old."})
    ready_task.refresh_from_db()
    assert (ready_task.outcome, ready_task.outcome_reason) == (Outcome.NOT_APPROPRIATE, "The child is 2 months old.")


def test_declined_closes_the_task_and_one_outcome_is_all_there_is(world, ready_task):
    officer = world.people["participation_officer"]
    participation_outcome_record(task=ready_task, outcome=Outcome.DECLINED, actor=officer)
    ready_task.refresh_from_db()
    assert (ready_task.status, ready_task.outcome) == (ParticipationTask.Status.CLOSED, Outcome.DECLINED)
    with pytest.raises(ParticipationError, match="An outcome has already been recorded"):
        participation_outcome_record(task=ready_task, outcome=Outcome.NOT_APPROPRIATE, reason="x", actor=officer)
    with pytest.raises(ParticipationError):
        participation_safety_record(task=ready_task, safe=False, actor=world.people["team_manager_same"])


def test_completed_is_recorded_only_by_submitting_answers(world, ready_task):
    with pytest.raises(ParticipationError, match="submitting the family's answers"):
        participation_outcome_record(
            task=ready_task, outcome=Outcome.COMPLETED, actor=world.people["participation_officer"]
        )


def test_readers_see_the_task_but_cannot_record_on_it(client, world, ready_task):
    client.force_login(world.people["director"])
    html = client.get(_task_url(ready_task)).content.decode()
    assert "Record the outcome" not in html
    assert "Log the attempt" not in html
    assert client.post(_task_url(ready_task), {"action": "outcome", "outcome": "declined"}).status_code == 403
    ready_task.refresh_from_db()
    assert ready_task.status == ParticipationTask.Status.READY


# --- my work and the links ------------------------------------------------------------------------
def test_my_work_shows_each_person_their_part(client, world, feedback_audit):
    other = allocate_audit(world, world.case_b)
    make_ready(other.participation_task, world.people["team_manager_other"])
    client.force_login(world.people["team_manager_same"])
    html = client.get(reverse("home")).content.decode()
    assert "Safety checks before families are contacted: 1" in html
    assert _safety_url(feedback_audit.participation_task) in html
    assert "Where families see progress differently" in html  # the report's link
    client.force_login(world.people["participation_officer"])
    html = client.get(reverse("home")).content.decode()
    assert "Families ready to contact: 1" in html
    assert _task_url(other.participation_task) in html
    assert reverse("feedback:participation-list") in html
    assert reverse("feedback:triage-list") not in html


def test_a_second_participation_officer_sees_tasks_taken_by_others_only_in_the_list(client, world, ready_task):
    second = person_with_role(Role.PARTICIPATION_OFFICER, email="participation.two@example.test")
    client.force_login(world.people["participation_officer"])
    client.post(reverse("feedback:participation-assign", args=[ready_task.pk]))
    client.force_login(second)
    assert "Families ready to contact" not in client.get(reverse("home")).content.decode()
    assert ready_task.audit.case_reference in client.get(reverse("feedback:participation-list")).content.decode()
