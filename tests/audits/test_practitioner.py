"""The practitioner's part: what they see and when, reflections, the response, the TM's
talk-through of an Inadequate grade, closing, and the notifications on submission.

The usual audit (tests/audits/conftest.py) is of case_a: auditor team_manager_other,
practitioner practitioner_own, TM team_manager_same.
"""

from __future__ import annotations

import datetime
import html
import re
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.contrib.messages import get_messages
from django.core import mail
from django.urls import reverse

from audits.models import Audit, AuditStatus, ElementAnswer, Grade
from audits.services import practitioner as svc
from core import hooks
from core.models import Notification
from core.sweeps import registered_sweeps

from .factories import mark_submitted

LONDON = ZoneInfo("Europe/London")
# A Monday; mark_submitted's default day is the Tuesday before (10 November 2026).
TODAY = datetime.date(2026, 11, 16)


@pytest.fixture(autouse=True)
def _frozen_clock():
    with time_machine.travel(datetime.datetime(2026, 11, 16, 10, 0, tzinfo=LONDON), tick=False):
        yield


def url(audit: Audit) -> str:
    return reverse("audits:audit-practitioner", args=[audit.pk])


def text_of(response) -> str:
    return html.unescape(response.content.decode())


def signed_in(client, world, persona):
    client.force_login(world.people[persona])
    return client


@pytest.fixture
def practitioner(client, world):
    return signed_in(client, world, "practitioner_own")


def history_count(audit: Audit) -> int:
    return audit.history.count()


def messages_of(response) -> list[str]:
    return [str(m) for m in get_messages(response.wsgi_request)]


# --- who sees what ----------------------------------------------------------------------------------
def test_before_submission_the_practitioner_sees_the_case_and_the_reflection_prompt_but_no_findings(
    practitioner, world, audit_a
):
    element = audit_a.tool_version.elements.get(code="A1")
    ElementAnswer.objects.create(audit=audit_a, element=element, grade=Grade.GOOD, working_well="DRAFT-FINDING")

    response = practitioner.get(url(audit_a))

    assert response.status_code == 200
    text = text_of(response)
    assert "Before the audit" in text
    assert "CASE-A" in text
    assert world.people["team_manager_other"].full_name in text  # the auditor
    assert "30 November 2026" in text  # the audit's due date
    assert "What is working well for this child? What are you worried about?" in text
    assert "Use initials; do not paste case notes." in text
    assert "DRAFT-FINDING" not in text
    assert "Your response to the grade" not in text


@pytest.mark.parametrize(
    ("persona", "status"),
    [
        ("team_manager_other", 403),  # the auditor: sees the audit, not the practitioner's page
        ("team_manager_same", 403),
        ("service_manager_same", 403),
        ("qa_officer", 403),
        ("practitioner_other", 404),  # another team's audit: as if it did not exist
        ("service_manager_other", 404),
        ("iro", 404),
    ],
)
def test_only_the_audits_practitioner_has_the_page(client, world, audit_a, persona, status):
    response = signed_in(client, world, persona).get(url(audit_a))
    assert response.status_code == status


def test_wrong_method_is_refused(practitioner, audit_a):
    assert practitioner.put(url(audit_a)).status_code == 405


def test_an_inadequate_grade_is_hidden_until_the_tm_records_the_talk_through(client, world, audit_a):
    mark_submitted(audit_a, grade=Grade.INADEQUATE)
    prac = signed_in(client, world, "practitioner_own")

    text = text_of(prac.get(url(audit_a)))
    assert "Your team manager will talk the audit through with you" in text
    assert "Inadequate" not in text
    assert "Working well A1" not in text
    assert "Your response to the grade" not in text

    tm = signed_in(client, world, "team_manager_same")
    response = tm.post(reverse("audits:talked-through", args=[audit_a.pk]))
    assert response.status_code == 302
    audit_a.refresh_from_db()
    assert audit_a.talked_through_by == world.people["team_manager_same"]

    text = text_of(signed_in(client, world, "practitioner_own").get(url(audit_a)))
    assert "Working well A1" in text
    assert "Inadequate" in text
    assert "Your response to the grade" in text


def test_the_view_opens_with_working_well_and_impact_then_even_better_if_then_the_grades(practitioner, audit_a):
    mark_submitted(audit_a, grade=Grade.GOOD)

    text = text_of(practitioner.get(url(audit_a)))

    positions = [
        text.index(marker)
        for marker in (
            "Working well A1",
            "The impact for the child",
            "Even better if A1",
            "Overall grade",
            "The child is helped and protected; gaps are minor.",  # the grade's descriptor
            "Actions for improvement",
            "Your reflection after the audit",
            "Your response to the grade",
        )
    ]
    assert positions == sorted(positions)
    # Only the elements that apply to a child in need: A1, A2, B1, E — not C1, D1 or F.
    assert "Working well B1" in text
    assert "Working well C1" not in text
    assert "Working well F" not in text


# --- reflections ---------------------------------------------------------------------------------
def post_part(client, audit, part, **data):
    return client.post(url(audit), {"part": part, **data})


def test_the_reflection_before_is_saved_with_its_version_and_one_history_row(practitioner, world, audit_a):
    before = history_count(audit_a)

    response = post_part(
        practitioner, audit_a, "before", reflection_before="Worried about JB's school moves", version=0
    )

    assert response.status_code == 302
    assert "Your reflection before the audit has been saved." in messages_of(response)
    audit_a.refresh_from_db()
    assert audit_a.reflection_before == "Worried about JB's school moves"
    assert audit_a.reflection_version == 1
    assert history_count(audit_a) == before + 1
    assert audit_a.history.first().history_user == world.people["practitioner_own"]

    # The same text again changes nothing and writes no history row.
    response = post_part(
        practitioner, audit_a, "before", reflection_before="Worried about JB's school moves", version=1
    )
    assert response.status_code == 302
    audit_a.refresh_from_db()
    assert audit_a.reflection_version == 1
    assert history_count(audit_a) == before + 1


def test_an_empty_reflection_is_refused_with_the_error_summary(practitioner, audit_a):
    response = post_part(practitioner, audit_a, "before", reflection_before="", version=0)

    assert response.status_code == 200
    text = text_of(response)
    assert "<title>Error: " in text
    assert '<a href="#id_reflection_before">Enter your reflection before the audit</a>' in text


def test_a_too_long_reflection_is_refused_and_the_text_kept(practitioner, audit_a):
    long_text = "x" * 5001

    response = post_part(practitioner, audit_a, "before", reflection_before=long_text, version=0)

    text = text_of(response)
    assert "Your reflection must be 5000 characters or fewer" in text
    assert long_text in text
    audit_a.refresh_from_db()
    assert audit_a.reflection_before == ""


def test_a_stale_reflection_with_different_text_shows_both_texts_and_overwrites_nothing(practitioner, world, audit_a):
    svc.reflection_save(audit=audit_a, actor=world.people["practitioner_own"], before="Saved in another tab", version=0)

    response = post_part(practitioner, audit_a, "before", reflection_before="Typed in this tab", version=0)

    assert response.status_code == 409
    text = text_of(response)
    assert "Someone else saved a different version of this since you opened the page" in text
    assert "Saved in another tab" in text
    assert "Typed in this tab" in text
    audit_a.refresh_from_db()
    assert audit_a.reflection_before == "Saved in another tab"
    # The form now carries the saved version: saving again keeps this text, on purpose.
    assert 'name="version" value="1"' in text
    response = post_part(practitioner, audit_a, "before", reflection_before="Typed in this tab", version=1)
    assert response.status_code == 302
    audit_a.refresh_from_db()
    assert audit_a.reflection_before == "Typed in this tab"


def test_a_stale_save_of_the_same_text_is_not_a_conflict(world, audit_a):
    actor = world.people["practitioner_own"]
    svc.reflection_save(audit=audit_a, actor=actor, before="Same words", version=0)
    rows = history_count(audit_a)

    saved = svc.reflection_save(audit=audit_a, actor=actor, before="Same words", version=0)

    assert saved.reflection_version == 1
    assert history_count(audit_a) == rows


def test_the_practitioner_reflecting_never_clashes_with_the_auditor_grading(world, audit_a):
    # Both opened the audit at the same time; the auditor saves the overall section first.
    practitioners_copy = Audit.objects.get(pk=audit_a.pk)
    auditors_copy = Audit.objects.get(pk=audit_a.pk)
    auditors_copy.impact_for_child = "The auditor's words"
    auditors_copy.overall_version = 1
    auditors_copy.save(update_fields=["impact_for_child", "overall_version"])

    svc.reflection_save(
        audit=practitioners_copy, actor=world.people["practitioner_own"], before="The practitioner's words", version=0
    )

    audit_a.refresh_from_db()
    assert audit_a.impact_for_child == "The auditor's words"
    assert audit_a.reflection_before == "The practitioner's words"


def test_the_reflection_before_cannot_be_changed_after_submission(practitioner, audit_a):
    mark_submitted(audit_a)

    response = post_part(practitioner, audit_a, "before", reflection_before="Too late", version=0)

    assert response.status_code == 302
    assert "That part of the audit cannot be changed now." in messages_of(response)
    audit_a.refresh_from_db()
    assert audit_a.reflection_before == ""


def test_only_the_practitioner_can_reflect(world, audit_a):
    with pytest.raises(svc.PractitionerPartError):
        svc.reflection_save(audit=audit_a, actor=world.people["team_manager_same"], before="Not mine", version=0)
    audit_a.refresh_from_db()
    assert audit_a.reflection_before == ""


def test_the_reflection_after_is_due_four_weeks_on_and_can_be_written_any_time_after_submission(practitioner, audit_a):
    mark_submitted(audit_a)

    text = text_of(practitioner.get(url(audit_a)))
    assert "Please add your reflection by 8 December 2026" in text

    response = post_part(practitioner, audit_a, "after", reflection_after="We now see JB weekly", version=0)

    assert response.status_code == 302
    audit_a.refresh_from_db()
    assert audit_a.reflection_after == "We now see JB weekly"
    assert audit_a.reflection_version == 1


def test_the_reflection_after_waits_for_the_findings(world, audit_a):
    with pytest.raises(svc.PractitionerPartError, match="once you can read it"):
        svc.reflection_save(audit=audit_a, actor=world.people["practitioner_own"], after="Early", version=0)


def test_the_after_reflection_prompt_goes_once_when_it_is_due(world, audit_a):
    mark_submitted(audit_a)  # due 8 December 2026

    assert svc.reflection_after_prompts_send(today=datetime.date(2026, 12, 7)) == 0
    assert svc.reflection_after_prompts_send(today=datetime.date(2026, 12, 8)) == 1
    assert svc.reflection_after_prompts_send(today=datetime.date(2026, 12, 9)) == 0
    prompt = Notification.objects.get(kind="reflection-after-due")
    assert prompt.recipient == world.people["practitioner_own"]
    assert prompt.url == url(audit_a)


# --- the response ----------------------------------------------------------------------------------
def test_the_response_is_saved_and_closes_the_submitted_audit(practitioner, world, audit_a):
    mark_submitted(audit_a)
    text = text_of(practitioner.get(url(audit_a)))
    assert "Please respond by 17 November 2026." in text

    response = post_part(practitioner, audit_a, "response", response="agree", response_comment="", version=0)

    assert response.status_code == 302
    audit_a.refresh_from_db()
    assert audit_a.response == "agree"
    assert audit_a.responded_at is not None
    assert audit_a.response_version == 1
    assert audit_a.status == AuditStatus.CLOSED
    assert audit_a.history.first().history_user == world.people["practitioner_own"]
    text = text_of(practitioner.get(url(audit_a)))
    assert "You responded on 16 November 2026." in text
    assert "Late" not in text


def test_partly_agreeing_needs_a_comment_and_keeps_the_choice(practitioner, audit_a):
    mark_submitted(audit_a)

    response = post_part(practitioner, audit_a, "response", response="partly_agree", response_comment="", version=0)

    assert response.status_code == 200
    text = text_of(response)
    assert "<title>Error: " in text
    assert '<a href="#id_response_comment">Say what you see differently about the grade</a>' in text
    assert re.search(r'value="partly_agree"[^>]*checked', text)
    audit_a.refresh_from_db()
    assert audit_a.response == ""


def test_no_choice_is_an_error_linked_to_the_first_option(practitioner, audit_a):
    mark_submitted(audit_a)

    text = text_of(post_part(practitioner, audit_a, "response", response_comment="Some thoughts", version=0))

    assert '<a href="#id_response_1">Choose whether you agree, partly agree or disagree with the grade</a>' in text
    assert "Some thoughts" in text


def test_a_late_response_is_accepted_and_marked_late(practitioner, audit_a):
    mark_submitted(audit_a, response_due_on=datetime.date(2026, 11, 13))
    text = text_of(practitioner.get(url(audit_a)))
    assert "The date has passed, but your response is still welcome." in text

    response = post_part(
        practitioner, audit_a, "response", response="disagree", response_comment="I see it as good", version=0
    )

    assert response.status_code == 302
    audit_a.refresh_from_db()
    assert audit_a.response == "disagree"
    assert svc.response_is_late(audit_a)
    text = text_of(practitioner.get(url(audit_a)))
    assert re.search(
        r"You responded on 16 November 2026\s*<strong class=\"govuk-tag govuk-tag--yellow\">Late</strong>", text
    )


def test_a_stale_response_with_different_values_shows_both(practitioner, world, audit_a):
    mark_submitted(audit_a)
    svc.response_save(
        audit=audit_a, actor=world.people["practitioner_own"], response="agree", comment="First thoughts", version=0
    )

    response = post_part(practitioner, audit_a, "response", response="disagree", response_comment="Second", version=0)

    assert response.status_code == 409
    text = text_of(response)
    assert "I agree with the grade" in text
    assert "I disagree with the grade" in text
    assert "First thoughts" in text
    assert "Second" in text
    audit_a.refresh_from_db()
    assert (audit_a.response, audit_a.response_comment) == ("agree", "First thoughts")


def test_an_unchanged_response_writes_no_history(world, audit_a):
    mark_submitted(audit_a)
    actor = world.people["practitioner_own"]
    svc.response_save(audit=audit_a, actor=actor, response="agree", comment="", version=0)
    rows = history_count(audit_a)

    svc.response_save(audit=audit_a, actor=actor, response="agree", comment="", version=1)

    assert history_count(audit_a) == rows


def test_the_response_waits_for_the_findings(world, audit_a):
    with pytest.raises(svc.PractitionerPartError):
        svc.response_save(
            audit=audit_a, actor=world.people["practitioner_own"], response="agree", comment="", version=0
        )
    mark_submitted(audit_a, grade=Grade.INADEQUATE)
    with pytest.raises(svc.PractitionerPartError):
        svc.response_save(
            audit=audit_a, actor=world.people["practitioner_own"], response="agree", comment="", version=0
        )


# --- closing -----------------------------------------------------------------------------------------
def test_the_sweep_closes_an_audit_once_the_five_working_days_have_passed(audit_a):
    mark_submitted(audit_a, response_due_on=datetime.date(2026, 11, 17))

    assert svc.audits_close_due(today=datetime.date(2026, 11, 17)) == 0
    audit_a.refresh_from_db()
    assert audit_a.status == AuditStatus.SUBMITTED

    rows = history_count(audit_a)
    assert svc.audits_close_due(today=datetime.date(2026, 11, 18)) == 1
    audit_a.refresh_from_db()
    assert audit_a.status == AuditStatus.CLOSED
    assert audit_a.closed_at is not None
    assert history_count(audit_a) == rows + 1
    assert audit_a.history.first().history_change_reason == "Closed: 5 working days passed"

    # Idempotent: a second run changes nothing and writes nothing.
    assert svc.audits_close_due(today=datetime.date(2026, 11, 19)) == 0
    assert history_count(audit_a) == rows + 1


def test_a_missing_due_date_counts_five_working_days_from_submission(audit_a):
    mark_submitted(audit_a, response_due_on=None)  # submitted Tuesday 10 November: due Tuesday 17th

    assert not svc.audit_close_if_due(audit=audit_a, today=datetime.date(2026, 11, 17))
    assert svc.audit_close_if_due(audit=audit_a, today=datetime.date(2026, 11, 18))


def test_an_audit_in_moderation_does_not_close(audit_a):
    mark_submitted(audit_a, status=AuditStatus.IN_MODERATION, response_due_on=datetime.date(2026, 11, 12))

    assert svc.audits_close_due(today=datetime.date(2026, 11, 20)) == 0
    audit_a.refresh_from_db()
    assert audit_a.status == AuditStatus.IN_MODERATION


def test_an_inadequate_audit_waits_for_the_talk_through_before_its_days_run(world, audit_a):
    mark_submitted(audit_a, grade=Grade.INADEQUATE, response_due_on=datetime.date(2026, 11, 17))

    assert svc.audits_close_due(today=datetime.date(2026, 11, 25)) == 0

    svc.audit_record_talked_through(audit=audit_a, actor=world.people["team_manager_same"])
    audit_a.refresh_from_db()
    # Five working days from the talk-through (Monday 16 November).
    assert audit_a.response_due_on == datetime.date(2026, 11, 23)
    assert svc.audits_close_due(today=datetime.date(2026, 11, 24)) == 1


def test_the_daily_sweeps_are_registered():
    names = {sweep.name for sweep in registered_sweeps()}
    assert {"audits-close-due", "audits-reflection-after-prompts"} <= names


# --- notifications on submission -------------------------------------------------------------------
def submit(audit, capture, **fields):
    mark_submitted(audit, **fields)
    with capture(execute=True):
        hooks.call("audit-submitted", audit=audit)


def emails_to(address: str) -> list:
    return [m for m in mail.outbox if address in m.to]


def test_on_submission_the_practitioner_is_told_with_a_neutral_email(
    world, audit_a, django_capture_on_commit_callbacks
):
    mail.outbox.clear()
    submit(audit_a, django_capture_on_commit_callbacks, grade=Grade.REQUIRES_IMPROVEMENT)

    [email] = emails_to("prac.own@example.test")
    body = email.subject + email.body
    assert "An audit of a child you work with is complete — please read it and add your reflection" in body
    assert url(audit_a) in body
    for secret in ("Requires improvement", "requires_improvement", audit_a.child_initials, audit_a.case_reference):
        assert secret not in body
    assert not emails_to("tm.same@example.test")  # told only for an Inadequate grade


def test_an_inadequate_grade_tells_the_tm_and_not_the_practitioner_until_talked_through(
    client, world, audit_a, django_capture_on_commit_callbacks
):
    mail.outbox.clear()
    submit(audit_a, django_capture_on_commit_callbacks, grade=Grade.INADEQUATE)

    assert not emails_to("prac.own@example.test")
    assert not Notification.objects.filter(recipient=world.people["practitioner_own"], kind="audit-findings").exists()
    # The TM is also told the child is on the child of concern register (another part's email).
    tm_emails = emails_to("tm.same@example.test")
    [email] = [e for e in tm_emails if "talk it through" in e.body]
    assert "An audit needs you to talk it through with the practitioner before they see it" in email.body
    assert all("Inadequate" not in e.subject + e.body for e in tm_emails)

    tm = signed_in(client, world, "team_manager_same")
    with django_capture_on_commit_callbacks(execute=True):
        response = tm.post(reverse("audits:talked-through", args=[audit_a.pk]))
    assert response.status_code == 302
    [email] = emails_to("prac.own@example.test")
    assert "An audit of a child you work with is complete" in email.body
    assert "Inadequate" not in email.subject + email.body


def test_submission_fills_in_the_practitioners_due_dates_when_missing(audit_a, django_capture_on_commit_callbacks):
    submit(
        audit_a,
        django_capture_on_commit_callbacks,
        response_due_on=None,
        reflection_after_due_on=None,
        conversation_on=datetime.date(2026, 11, 9),
    )

    audit_a.refresh_from_db()
    assert audit_a.response_due_on == datetime.date(2026, 11, 17)  # 5 working days after the 10th
    assert audit_a.reflection_after_due_on == datetime.date(2026, 12, 7)  # 4 weeks after the conversation


def test_the_submission_hook_is_registered():
    assert svc.on_audit_submitted in hooks.registered("audit-submitted")


# --- the talk-through ------------------------------------------------------------------------------
def talk(client, world, persona, audit):
    return signed_in(client, world, persona).post(reverse("audits:talked-through", args=[audit.pk]))


def test_talked_through_refuses_the_wrong_role_and_someone_elses_audit(client, world, audit_a):
    mark_submitted(audit_a, grade=Grade.INADEQUATE)

    assert talk(client, world, "team_manager_other", audit_a).status_code == 403  # the auditor
    assert talk(client, world, "practitioner_own", audit_a).status_code == 403
    assert talk(client, world, "service_manager_same", audit_a).status_code == 403
    assert talk(client, world, "practitioner_other", audit_a).status_code == 404
    assert talk(client, world, "service_manager_other", audit_a).status_code == 404
    audit_a.refresh_from_db()
    assert audit_a.talked_through_at is None


def test_talked_through_is_post_only(client, world, audit_a):
    mark_submitted(audit_a, grade=Grade.INADEQUATE)
    response = signed_in(client, world, "team_manager_same").get(reverse("audits:talked-through", args=[audit_a.pk]))
    assert response.status_code == 405


def test_talked_through_refuses_a_draft_and_a_second_time(client, world, audit_a):
    response = talk(client, world, "team_manager_same", audit_a)
    assert response.status_code == 302
    assert "The audit has not been submitted yet." in messages_of(response)
    audit_a.refresh_from_db()
    assert audit_a.talked_through_at is None

    mark_submitted(audit_a, grade=Grade.INADEQUATE)
    assert talk(client, world, "team_manager_same", audit_a).status_code == 302
    audit_a.refresh_from_db()
    first = audit_a.talked_through_at
    rows = history_count(audit_a)
    response = talk(client, world, "team_manager_same", audit_a)
    assert "It was already recorded as talked through on 16 November 2026." in messages_of(response)
    audit_a.refresh_from_db()
    assert audit_a.talked_through_at == first
    assert history_count(audit_a) == rows
    assert audit_a.history.first().history_user == world.people["team_manager_same"]


def test_viewing_the_practitioners_page_is_logged(practitioner, world, audit_a):
    from core.models import AccessLog

    practitioner.get(url(audit_a))

    log = AccessLog.objects.get(object_type="audit")
    assert (log.user, log.object_ref, log.path) == (world.people["practitioner_own"], "CASE-A", url(audit_a))


def test_the_talk_through_button_partial_shows_only_to_the_tm_while_it_waits(rf, world, audit_a):
    from django.template.loader import render_to_string

    from organisation.scope import scope_for

    def render(persona):
        request = rf.get("/audits/1/")
        request.user = world.people[persona]
        request.scope = scope_for(request.user, today=TODAY)
        return render_to_string("audits/practitioner/talked_through_form.html", {"audit": audit_a}, request=request)

    assert "Record that you have talked it through" not in render("team_manager_same")  # a draft
    mark_submitted(audit_a, grade=Grade.INADEQUATE)
    assert "Record that you have talked it through" in render("team_manager_same")
    assert "Record that you have talked it through" not in render("team_manager_other")
    svc.audit_record_talked_through(audit=audit_a, actor=world.people["team_manager_same"])
    audit_a.refresh_from_db()
    assert "Record that you have talked it through" not in render("team_manager_same")
