"""Submitting an audit: completeness checked only now, every problem in the GOV.UK error summary
linking to its field, nothing typed lost, and the guarded transition to submitted."""

from __future__ import annotations

import datetime
import re
from typing import Any

import pytest
import time_machine
from django.core.management import call_command
from django.urls import reverse

from audits.models import Action, Audit, AuditStatus, ElementAnswer
from audits.services import answers as answer_services
from audits.services.answers import AUDIT_SUBMITTED_HOOK, AuditStateError, audit_submit
from core import hooks
from tests.audits.conftest import AUDITOR

from .factories import mark_submitted
from .test_autosave import JSON_HEADERS, posted, url

pytestmark = pytest.mark.django_db
APPLICABLE = ("A1", "A2", "B1", "E")  # case_a is a child in need case


# Submitted: waiting for the practitioner, or chosen for moderation (a new auditor's first three).
SUBMITTED = (AuditStatus.SUBMITTED, AuditStatus.IN_MODERATION)


def complete(audit: Audit, grade: str = "good", **changes: Any) -> dict[str, Any]:
    """The form with everything a submission needs."""
    values: dict[str, Any] = {f"el-{code}-grade": grade for code in APPLICABLE}
    values.update(
        {
            "overall-overall_grade": grade,
            "overall-conversation_on_0": "3",
            "overall-conversation_on_1": "11",
            "overall-conversation_on_2": "2026",
            "overall-participants": ["practitioner", "team_manager"],
            "overall-impact_for_child": "AB is safer and attending school",
        }
    )
    values.update(changes)
    return posted(audit, values, action="submit")


@pytest.fixture
def auditor_client(client, world):
    client.force_login(world.people[AUDITOR])
    return client


def summary_links(html: str) -> list[tuple[str, str]]:
    summary = html[html.index('class="govuk-error-summary"') : html.index("</ul>", html.index("govuk-error-summary"))]
    return re.findall(r'<a href="#([^"]+)">([^<]+)</a>', summary)


@time_machine.travel(datetime.datetime(2026, 11, 10, 12, 0, tzinfo=datetime.UTC), tick=False)
def test_every_missing_answer_is_in_the_error_summary_linking_to_its_field(auditor_client, audit_a):
    response = auditor_client.post(url(audit_a), posted(audit_a, action="submit"))
    assert response.status_code == 200
    html = response.content.decode()
    assert "<title>Error: " in html
    assert summary_links(html) == [
        (
            "id_el-A1-grade_1",
            "Choose a grade for A1 Reasons for involvement and proportionality, or choose not applicable",
        ),
        ("id_el-A2-grade_1", "Choose a grade for A2 Consent, or choose not applicable"),
        ("id_el-B1-grade_1", "Choose a grade for B1 Assessment, or choose not applicable"),
        ("id_el-E-grade_1", "Choose a grade for E Conferences, reviews and core groups, or choose not applicable"),
        (
            "id_overall-conversation_on_0",
            "Enter the date of the audit conversation, or say why the practitioner could not take part",
        ),
        ("id_overall-overall_grade_1", "Choose the overall grade"),
    ]
    # Each link target exists on the page, and the message is shown by the field too.
    for target, _message in summary_links(html):
        assert f'id="{target}"' in html
    assert html.count("Choose the overall grade") == 2
    audit_a.refresh_from_db()
    assert audit_a.status == AuditStatus.ALLOCATED


def test_not_applicable_needs_a_reason(auditor_client, audit_a):
    data = complete(audit_a, **{"el-E-grade": "not_applicable"})
    html = auditor_client.post(url(audit_a), data).content.decode()
    assert summary_links(html) == [
        ("id_el-E-not_applicable_reason", "Say why E Conferences, reviews and core groups is not applicable")
    ]
    # The page shown again carries the saved versions; posting it with the reason submits.
    data = complete(
        audit_a, **{"el-E-grade": "not_applicable", "el-E-not_applicable_reason": "No conference has been held"}
    )
    response = auditor_client.post(url(audit_a), data)
    assert response.status_code == 302
    audit_a.refresh_from_db()
    assert audit_a.status in SUBMITTED  # a new auditor's first audits go to moderation


def test_the_reason_the_practitioner_could_not_take_part_stands_in_for_the_date(auditor_client, audit_a):
    data = complete(
        audit_a,
        **{
            "overall-conversation_on_0": "",
            "overall-conversation_on_1": "",
            "overall-conversation_on_2": "",
            "overall-practitioner_absence": "left",
        },
    )
    assert auditor_client.post(url(audit_a), data).status_code == 302
    audit_a.refresh_from_db()
    assert audit_a.status in SUBMITTED  # a new auditor's first audits go to moderation
    assert audit_a.practitioner_absence == "left"


@time_machine.travel(datetime.datetime(2026, 11, 10, 12, 0, tzinfo=datetime.UTC), tick=False)
def test_the_conversation_cannot_be_in_the_future(auditor_client, audit_a):
    data = complete(audit_a, **{"overall-conversation_on_0": "11", "overall-conversation_on_1": "11"})
    html = auditor_client.post(url(audit_a), data).content.decode()
    assert summary_links(html) == [
        ("id_overall-conversation_on_0", "The date of the audit conversation must be today or in the past")
    ]


def test_a_failed_submission_keeps_every_field_typed(auditor_client, audit_a):
    data = complete(
        audit_a,
        **{
            "overall-overall_grade": "",
            "el-A1-working_well": "Direct work with AB is creative",
            "el-A1-even_better_if": "Even better if AB's father were involved",
            "overall-participants_other": "School nurse",
        },
    )
    html = auditor_client.post(url(audit_a), data).content.decode()
    assert summary_links(html) == [("id_overall-overall_grade_1", "Choose the overall grade")]
    for text in ("Direct work with AB is creative", "Even better if AB&#x27;s father were involved", "School nurse"):
        assert text in html
    assert 'id="id_el-B1-grade_2" name="el-B1-grade" type="radio" value="good" checked' in html
    assert 'name="overall-conversation_on_0" type="text" inputmode="numeric" value="3"' in html
    # What was typed is saved too, and the page carries the new versions.
    assert (
        ElementAnswer.objects.get(audit=audit_a, element__code="A1").working_well == "Direct work with AB is creative"
    )
    assert 'name="el-A1-version" value="1"' in html
    audit_a.refresh_from_db()
    assert audit_a.status == AuditStatus.IN_PROGRESS


@pytest.mark.parametrize("grade", ["requires_improvement", "inadequate"])
def test_requires_improvement_or_inadequate_needs_an_action(auditor_client, world, audit_a, grade):
    data = complete(audit_a, grade=grade)
    html = auditor_client.post(url(audit_a), data).content.decode()
    label = "Requires improvement to be good" if grade == "requires_improvement" else "Inadequate"
    assert summary_links(html) == [
        ("actions", f"Add at least one action for improvement: the overall grade is {label}")
    ]
    assert 'id="actions"' in html
    Action.objects.create(
        audit=audit_a,
        description="Update the chronology",
        owner=world.people["practitioner_own"],
        due_on=datetime.date(2026, 12, 15),
        created_by=world.people[AUDITOR],
    )
    response = auditor_client.post(url(audit_a), complete(audit_a, grade=grade))
    assert response.status_code == 302
    audit_a.refresh_from_db()
    assert audit_a.status in SUBMITTED  # a new auditor's first audits go to moderation
    assert audit_a.reported_grade == grade


def test_a_good_grade_needs_no_action(auditor_client, audit_a):
    assert auditor_client.post(url(audit_a), complete(audit_a, grade="good")).status_code == 302


@time_machine.travel(datetime.datetime(2026, 11, 10, 12, 0, tzinfo=datetime.UTC), tick=False)
def test_a_successful_submission(auditor_client, world, audit_a):
    response = auditor_client.post(url(audit_a), complete(audit_a, grade="outstanding"))
    assert response.status_code == 302
    assert response["Location"] == reverse("audits:audit-detail", args=[audit_a.pk])
    audit_a.refresh_from_db()
    assert audit_a.status in SUBMITTED  # a new auditor's first audits go to moderation
    assert audit_a.overall_grade == "outstanding"
    assert audit_a.reported_grade == "outstanding"
    assert audit_a.submitted_at == datetime.datetime(2026, 11, 10, 12, 0, tzinfo=datetime.UTC)
    assert audit_a.response_due_on == datetime.date(2026, 11, 17)
    assert audit_a.conversation_on == datetime.date(2026, 11, 3)
    # Four weeks after the audit: the conversation with the practitioner, not the submission.
    assert audit_a.reflection_after_due_on == datetime.date(2026, 12, 1)
    assert ElementAnswer.objects.filter(audit=audit_a, grade="outstanding").count() == len(APPLICABLE)
    # The submission is one history row, by the auditor.
    row = Audit.history.filter(id=audit_a.pk).latest("history_id")
    assert row.status in SUBMITTED
    assert row.history_user == world.people[AUDITOR]
    # The form is closed now.
    assert auditor_client.get(url(audit_a)).status_code == 409


def test_due_dates_count_working_days_over_christmas(world, audit_a):
    call_command("load_framework", verbosity=0)
    friday = datetime.date(2026, 12, 18)
    parts = {f"el-{code}": {"version": 0, "grade": "good"} for code in APPLICABLE}
    parts["overall"] = {"version": 0, "overall_grade": "good", "conversation_on": friday}
    result = audit_submit(
        audit=audit_a,
        actor=world.people[AUDITOR],
        parts=parts,
        today=friday,
        now=datetime.datetime(2026, 12, 18, 15, 0, tzinfo=datetime.UTC),
    )
    assert result.submitted, result.problems
    audit_a.refresh_from_db()
    # Christmas Day (Friday) and the Boxing Day substitute (Monday 28th) are not working days.
    assert audit_a.response_due_on == datetime.date(2026, 12, 29)
    assert audit_a.reflection_after_due_on == datetime.date(2027, 1, 15)


def test_submission_calls_the_audit_submitted_hook_once(monkeypatch, auditor_client, audit_a):
    called: list[int] = []
    monkeypatch.setitem(hooks._registry, AUDIT_SUBMITTED_HOOK, [lambda audit: called.append(audit.status)])
    html = auditor_client.post(url(audit_a), posted(audit_a, action="submit")).content.decode()
    assert "There is a problem" in html
    assert called == []  # not for a refused submission
    auditor_client.post(url(audit_a), complete(audit_a))
    assert called == [AuditStatus.SUBMITTED]


@pytest.mark.parametrize("state", ["submitted", "cancelled"])
def test_a_submitted_or_cancelled_audit_cannot_be_submitted_again(auditor_client, world, audit_a, state):
    data = complete(audit_a)
    if state == "submitted":
        mark_submitted(audit_a, grade="good")
    else:
        Audit.objects.filter(pk=audit_a.pk).update(status=AuditStatus.CANCELLED)
    response = auditor_client.post(url(audit_a), dict(data, **{"overall-overall_grade": "inadequate"}))
    assert response.status_code == 409
    assert "can no longer be changed" in response.content.decode()
    audit_a.refresh_from_db()
    assert audit_a.status == state
    assert audit_a.overall_grade != "inadequate"
    with pytest.raises(AuditStateError):
        audit_submit(audit=audit_a, actor=world.people[AUDITOR], parts={})


def test_the_service_refuses_once_the_audit_was_submitted_meanwhile(world, audit_a):
    stale = Audit.objects.get(pk=audit_a.pk)  # loaded before another request submitted it
    mark_submitted(audit_a)
    with pytest.raises(AuditStateError, match="can no longer be changed"):
        answer_services.audit_submit(audit=stale, actor=world.people[AUDITOR], parts={})


@pytest.mark.parametrize("persona", ["practitioner_own", "team_manager_same", "qa_manager"])
def test_only_the_auditor_submits(client, world, audit_a, persona):
    data = complete(audit_a)
    client.force_login(world.people[persona])
    assert client.post(url(audit_a), data).status_code == 403
    audit_a.refresh_from_db()
    assert audit_a.status == AuditStatus.ALLOCATED


def test_someone_elses_audit_cannot_be_submitted(client, world, audit_a):
    data = complete(audit_a)
    client.force_login(world.people["practitioner_other"])
    assert client.post(url(audit_a), data).status_code == 404
    audit_a.refresh_from_db()
    assert audit_a.status == AuditStatus.ALLOCATED


def test_submitting_is_post_only(auditor_client, audit_a):
    assert auditor_client.put(url(audit_a), complete(audit_a)).status_code == 405
    audit_a.refresh_from_db()
    assert audit_a.status == AuditStatus.ALLOCATED


def test_autosave_never_submits(auditor_client, audit_a):
    response = auditor_client.post(url(audit_a), {**complete(audit_a), "_autosave": "1"}, **JSON_HEADERS)
    assert response.status_code == 200
    audit_a.refresh_from_db()
    assert audit_a.status == AuditStatus.IN_PROGRESS


def test_a_conflict_stops_the_submission_and_shows_both_texts(auditor_client, audit_a):
    stale = complete(audit_a, **{"el-A1-working_well": "My version"})
    auditor_client.post(url(audit_a), posted(audit_a, {"el-A1-working_well": "Their version"}))
    html = auditor_client.post(url(audit_a), stale).content.decode()
    assert (
        "id_el-A1-working_well",
        "A1 Reasons for involvement and proportionality was changed by someone else: choose which text to keep",
    ) in summary_links(html)
    assert "Their version" in html
    assert "My version" in html
    audit_a.refresh_from_db()
    assert audit_a.status == AuditStatus.IN_PROGRESS
