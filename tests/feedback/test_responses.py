"""A family member's answers (DESIGN section 6): consent first, drafts that keep what was typed and
refuse stale saves, submit only with consent and a sharing choice, and what submitting does."""

from __future__ import annotations

import datetime

import pytest
from django.urls import reverse
from django.utils import timezone

from feedback.models import Channel, Outcome, ParticipationTask, Response, Sharing, TriageItem
from feedback.services.responses import (
    ResponseConflict,
    ResponseError,
    response_save,
    response_start,
    response_submit,
)

from .conftest import submit_response

NOW = timezone.make_aware(datetime.datetime(2026, 11, 20, 11, 0))

pytestmark = pytest.mark.usefixtures("clock")


@pytest.fixture
def draft(world, questionnaires, ready_task) -> Response:
    return response_start(
        task=ready_task,
        questionnaire=questionnaires["parent"],
        channel=Channel.PHONE,
        entered_by=world.people["participation_officer"],
    )


# --- the services -----------------------------------------------------------------------------------
def test_submitting_needs_consent_and_a_sharing_choice(world, draft):
    with pytest.raises(ResponseError) as refused:
        response_submit(response=draft, actor=None, now=NOW)
    assert refused.value.messages == [
        "Answers can only be submitted when the person has agreed to answer",
        "Choose who can see the answers",
    ]
    response_save(response=draft, consent_given=True)
    with pytest.raises(ResponseError, match="Choose who can see the answers"):
        response_submit(response=draft, actor=None, now=NOW)
    draft.refresh_from_db()
    assert draft.status == Response.Status.DRAFT


def test_submitting_reads_the_view_of_progress_completes_the_task_and_sends_open_answers_to_triage(
    world, questionnaires, ready_task
):
    response = submit_response(
        ready_task,
        questionnaires["parent"],
        answers={"changed": "Calmer", "assessment": "", "helped": "The family meeting", "progress": "much_better"},
        now=NOW,
    )
    assert (response.status, response.view_of_progress, response.submitted_at) == ("submitted", "much_better", NOW)
    ready_task.refresh_from_db()
    assert (ready_task.status, ready_task.outcome) == (ParticipationTask.Status.CLOSED, Outcome.COMPLETED)
    assert sorted(TriageItem.objects.values_list("question_code", flat=True)) == ["changed", "helped"]
    with pytest.raises(ResponseError, match="already been submitted"):
        response_submit(response=response, actor=None, now=NOW)
    with pytest.raises(ResponseError, match="cannot change"):
        response_save(response=response, answers={"changed": "Edited"})


def test_a_second_family_member_may_answer_after_the_first(world, questionnaires, ready_task):
    submit_response(ready_task, questionnaires["parent"])
    child = submit_response(ready_task, questionnaires["child"], answers={"tell_us": "Thanks"})
    assert child.status == Response.Status.SUBMITTED
    ready_task.refresh_from_db()
    assert ready_task.outcome == Outcome.COMPLETED


def test_answers_are_checked_against_the_questionnaire_version(world, draft):
    saved = response_save(response=draft, answers={"changed": " Calmer ", "not_a_question": "x", "involved": "partly"})
    assert saved.answers == {"changed": "Calmer", "involved": "partly"}
    with pytest.raises(ResponseError, match="choose one of the answers"):
        response_save(response=draft, answers={"involved": "always"})
    with pytest.raises(ResponseError, match="2,000 characters or fewer"):
        response_save(response=draft, answers={"changed": "x" * 2001})


def test_a_stale_save_is_refused_and_a_save_that_changes_nothing_writes_nothing(world, draft):
    first = response_save(response=draft, answers={"changed": "Calmer"}, expected_version=0)
    assert first.version == 1
    with pytest.raises(ResponseConflict) as conflict:
        response_save(response=draft, answers={"changed": "Something else"}, expected_version=0)
    assert conflict.value.version == 1
    history = draft.history.count()
    again = response_save(response=draft, answers={"changed": "Calmer"}, expected_version=0)
    assert again.version == 1
    assert draft.history.count() == history


def test_a_name_is_dropped_unless_the_answers_are_shared_with_it(world, draft):
    saved = response_save(response=draft, sharing=Sharing.NAMED, respondent_name="Jo")
    assert saved.respondent_name == "Jo"
    saved = response_save(response=draft, sharing=Sharing.ANONYMOUS)
    assert saved.respondent_name == ""


def test_no_answers_after_another_outcome(world, questionnaires, draft, ready_task):
    from feedback.services.participation import participation_outcome_record

    response_save(response=draft, consent_given=True, sharing=Sharing.ANONYMOUS)
    participation_outcome_record(task=ready_task, outcome=Outcome.DECLINED, actor=world.people["participation_officer"])
    with pytest.raises(ResponseError, match="“Declined” has already been recorded"):
        response_submit(response=draft, actor=None, now=NOW)
    with pytest.raises(ResponseError):
        response_start(task=ready_task, questionnaire=questionnaires["child"], channel=Channel.PHONE, entered_by=None)


# --- the officer's pages ----------------------------------------------------------------------------
def test_the_officer_asks_by_phone_consent_first_then_saves_and_submits(client, world, questionnaires, ready_task):
    client.force_login(world.people["participation_officer"])
    start = client.post(
        reverse("feedback:response-new", args=[ready_task.pk]), {"audience": "child", "channel": "phone"}
    )
    response = Response.objects.get()
    assert start["Location"] == reverse("feedback:response-edit", args=[response.pk])
    url = start["Location"]
    html = client.get(url).content.decode()
    assert "Has the person agreed to answer?" in html
    assert "What has changed for you" not in html
    assert client.post(url, {"action": "consent", "consent": "yes"}).status_code == 302
    html = client.get(url).content.decode()
    assert "What has changed for you since your worker started to help?" in html

    # Save: a draft, without a sharing choice yet.
    saved = client.post(url, {"action": "save", "version": "1", "q_changed": "Calmer at home", "q_progress": "better"})
    assert saved.status_code == 302
    response.refresh_from_db()
    assert response.answers == {"changed": "Calmer at home", "progress": "better"}
    assert response.status == Response.Status.DRAFT

    # Submit without a sharing choice: the error, and what was typed kept.
    page = client.post(url, {"action": "submit", "version": "2", "q_changed": "Calmer still", "q_tell_us": "Kept"})
    html = page.content.decode()
    assert page.status_code == 200
    assert "<title>Error: " in html
    assert "Choose who can see the answers" in html
    assert "Calmer still" in html
    assert "Kept" in html

    done = client.post(
        url,
        {
            "action": "submit",
            "version": "2",
            "q_changed": "Calmer still",
            "q_progress": "better",
            "sharing": "anonymous",
            "respondent": "The young person",
            "respondent_name": "Dropped",
        },
    )
    assert done["Location"] == reverse("feedback:participation-task", args=[ready_task.pk])
    response.refresh_from_db()
    assert (response.status, response.sharing, response.respondent_name) == ("submitted", "anonymous", "")
    assert response.entered_by == world.people["participation_officer"]


def test_a_conflicting_save_keeps_what_was_typed(client, world, draft):
    response_save(response=draft, consent_given=True)
    response_save(response=draft, answers={"changed": "Saved by someone else"})
    client.force_login(world.people["participation_officer"])
    url = reverse("feedback:response-edit", args=[draft.pk])
    page = client.post(url, {"action": "save", "version": "1", "q_changed": "My typing"})
    html = page.content.decode()
    assert page.status_code == 409
    assert "Someone else saved these answers after you opened the page" in html
    assert "My typing" in html
    draft.refresh_from_db()
    assert draft.answers == {"changed": "Saved by someone else"}


def test_no_consent_explains_and_offers_to_record_declined(client, world, draft, ready_task):
    client.force_login(world.people["participation_officer"])
    url = reverse("feedback:response-edit", args=[draft.pk])
    html = client.post(url, {"action": "consent", "consent": "no"}).content.decode()
    assert "The person has not agreed to answer" in html
    assert "Record that the family declined" in html
    assert client.post(url, {"action": "decline"}).status_code == 302
    ready_task.refresh_from_db()
    assert (ready_task.status, ready_task.outcome) == (ParticipationTask.Status.CLOSED, Outcome.DECLINED)


def test_consent_must_be_answered(client, world, draft):
    client.force_login(world.people["qa_officer"])
    page = client.post(reverse("feedback:response-edit", args=[draft.pk]), {"action": "consent"})
    html = page.content.decode()
    assert "<title>Error: " in html
    assert "Select yes if the person has agreed to answer" in html


def test_a_submitted_response_is_read_only(client, world, questionnaires, ready_task):
    response = submit_response(ready_task, questionnaires["parent"])
    client.force_login(world.people["participation_officer"])
    url = reverse("feedback:response-edit", args=[response.pk])
    html = client.get(url).content.decode()
    assert "Things are calmer at home" in html
    assert "Submit the answers" not in html
    assert client.post(url, {"action": "save", "q_changed": "Changed"}).status_code == 302
    response.refresh_from_db()
    assert response.answers["changed"] == "Things are calmer at home"


@pytest.mark.parametrize(
    ("persona", "status"), [("team_manager_same", 403), ("director", 403), ("practitioner_own", 403)]
)
def test_only_participation_officers_and_qa_open_a_response(client, world, draft, persona, status):
    client.force_login(world.people[persona])
    assert client.get(reverse("feedback:response-edit", args=[draft.pk])).status_code == status


def test_a_restricted_cases_response_is_404_to_the_participation_officer(client, world, questionnaires):
    from .conftest import allocate_audit, make_ready

    audit = allocate_audit(world, world.case_restricted)
    task = make_ready(audit.participation_task, world.people["team_manager_same"])
    response = response_start(task=task, questionnaire=questionnaires["parent"], channel="phone", entered_by=None)
    client.force_login(world.people["participation_officer"])
    assert client.get(reverse("feedback:response-edit", args=[response.pk])).status_code == 404
    client.force_login(world.people["qa_manager"])
    assert client.get(reverse("feedback:response-edit", args=[response.pk])).status_code == 200
