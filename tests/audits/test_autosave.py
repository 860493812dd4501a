"""Saving the audit form part by part: autosave (JSON) and "Save and come back later" alike.

Versions per part: each element's answer and the overall section save on their own; a change
made from an out-of-date page is a conflict that shows both texts and overwrites nothing; a save
that changes nothing writes no history row and bumps no version.
"""

from __future__ import annotations

import datetime
import json
from typing import Any

import pytest
from django import forms
from django.urls import reverse

from audits.forms_audit import AuditForms, GovukDateField
from audits.models import Audit, AuditStatus, ElementAnswer
from audits.services.answers import AuditStateError, audit_save_draft
from tests.audits.conftest import AUDITOR

from .factories import mark_submitted

pytestmark = pytest.mark.django_db
JSON_HEADERS = {"HTTP_ACCEPT": "application/json", "HTTP_X_REQUESTED_WITH": "fetch"}


def posted(audit: Audit, changes: dict[str, Any] | None = None, *, action: str = "save") -> dict[str, Any]:
    """The whole form as a browser posts it, filled from what is stored, with ``changes``."""
    audit = Audit.objects.get(pk=audit.pk)
    data: dict[str, Any] = {"action": action}
    for form in AuditForms(audit).forms:
        for bound in form:
            if isinstance(bound.field, GovukDateField):
                for index, part in enumerate(bound.parts):
                    data[f"{bound.html_name}_{index}"] = part
            elif isinstance(bound.field, forms.MultipleChoiceField):
                data[bound.html_name] = list(bound.value() or [])  # nothing ticked: nothing posted
            else:
                value = bound.value()
                data[bound.html_name] = "" if value is None else value
    data.update(changes or {})
    return data


def url(audit: Audit) -> str:
    return reverse("audits:audit-edit", args=[audit.pk])


def autosave(client, audit: Audit, data: dict[str, Any]):
    response = client.post(url(audit), {**data, "_autosave": "1"}, **JSON_HEADERS)
    return response, json.loads(response.content)


@pytest.fixture
def auditor_client(client, world):
    client.force_login(world.people[AUDITOR])
    return client


def answer(audit: Audit, code: str) -> ElementAnswer:
    return ElementAnswer.objects.get(audit=audit, element__code=code)


def test_autosave_saves_one_part_and_bumps_only_its_version(auditor_client, audit_a):
    data = posted(audit_a, {"el-A1-working_well": "AB's views are sought at every visit"})
    response, body = autosave(auditor_client, audit_a, data)
    assert response.status_code == 200
    assert body["conflicts"] == []
    assert body["errors"] == {}
    assert body["versions"]["el-A1"] == 1
    assert body["versions"]["el-A2"] == 0
    assert body["versions"]["overall"] == 0
    assert len(body["saved_at"]) == 5
    assert body["saved_at"][2] == ":"
    assert answer(audit_a, "A1").working_well == "AB's views are sought at every visit"
    # Untouched elements get no answer row at all.
    assert ElementAnswer.objects.filter(audit=audit_a).count() == 1
    audit_a.refresh_from_db()
    assert audit_a.overall_version == 0
    # The first saved answer starts the audit.
    assert audit_a.status == AuditStatus.IN_PROGRESS


def test_a_save_that_changes_nothing_writes_no_history_and_bumps_no_version(auditor_client, audit_a):
    first = posted(
        audit_a, {"el-A1-working_well": "Warm, consistent relationship", "overall-impact_for_child": "Safer"}
    )
    autosave(auditor_client, audit_a, first)
    answer_rows = ElementAnswer.history.count()
    audit_rows = Audit.history.count()
    again = posted(audit_a)
    response, body = autosave(auditor_client, audit_a, again)
    assert response.status_code == 200
    assert body["versions"]["el-A1"] == 1
    assert body["versions"]["overall"] == 1
    assert ElementAnswer.history.count() == answer_rows
    assert Audit.history.count() == audit_rows
    # And "Save and come back later" with nothing changed is just as quiet.
    auditor_client.post(url(audit_a), again)
    assert ElementAnswer.history.count() == answer_rows
    assert Audit.history.count() == audit_rows


def test_a_no_op_save_of_an_allocated_audit_leaves_it_allocated(auditor_client, audit_a):
    response, _ = autosave(auditor_client, audit_a, posted(audit_a))
    assert response.status_code == 200
    audit_a.refresh_from_db()
    assert audit_a.status == AuditStatus.ALLOCATED
    assert not ElementAnswer.objects.filter(audit=audit_a).exists()


def test_each_real_change_is_one_history_row_by_the_auditor(auditor_client, world, audit_a):
    autosave(auditor_client, audit_a, posted(audit_a, {"el-A1-grade": "good"}))
    autosave(auditor_client, audit_a, posted(audit_a, {"el-A1-evidence": "Plan reviewed with AB's mother"}))
    rows = list(answer(audit_a, "A1").history.order_by("history_id"))
    assert [r.version for r in rows] == [1, 2]
    assert all(r.history_user == world.people[AUDITOR] for r in rows)
    assert rows[-1].evidence == "Plan reviewed with AB's mother"
    status_row = Audit.history.filter(id=audit_a.pk, status=AuditStatus.IN_PROGRESS).earliest("history_id")
    assert status_row.history_user == world.people[AUDITOR]


def test_two_edits_of_one_element_from_out_of_date_pages_conflict_and_keep_both_texts(auditor_client, audit_a):
    # Two pages opened on the same version of the audit (two people at one account, or two tabs).
    first_page = posted(audit_a)
    second_page = posted(audit_a)
    first_page["el-A1-working_well"] = "First text: regular direct work"
    response, _ = autosave(auditor_client, audit_a, first_page)
    assert response.status_code == 200

    second_page["el-A1-working_well"] = "Second text: the plan is clear"
    response, body = autosave(auditor_client, audit_a, second_page)
    assert response.status_code == 409
    [conflict] = body["conflicts"]
    assert conflict["part"] == "el-A1"
    assert conflict["version"] == 1
    [field] = conflict["fields"]
    assert field == {
        "field": "working_well",
        "label": "What is working well",
        "yours": "Second text: the plan is clear",
        "theirs": "First text: regular direct work",
    }
    # Nothing of the conflicting part is saved, and its version is not handed back.
    assert answer(audit_a, "A1").working_well == "First text: regular direct work"
    assert answer(audit_a, "A1").version == 1
    assert "el-A1" not in body["versions"]

    # Having seen both, the person keeps their own text deliberately with the stored version.
    second_page["el-A1-version"] = str(conflict["version"])
    response, body = autosave(auditor_client, audit_a, second_page)
    assert response.status_code == 200
    assert answer(audit_a, "A1").working_well == "Second text: the plan is clear"
    assert body["versions"]["el-A1"] == 2


def test_the_overall_section_and_an_element_edited_at_once_from_two_tabs_both_save(auditor_client, audit_a):
    tab_one = posted(audit_a)
    tab_two = posted(audit_a)
    tab_two["overall-impact_for_child"] = "AB now attends school every day"
    response, _ = autosave(auditor_client, audit_a, tab_two)
    assert response.status_code == 200
    # Tab one still carries the old overall section and its old version, untouched by this person.
    tab_one["el-A1-even_better_if"] = "Even better if the chronology were up to date"
    response, body = autosave(auditor_client, audit_a, tab_one)
    assert response.status_code == 200
    assert body["conflicts"] == []
    audit_a.refresh_from_db()
    assert audit_a.impact_for_child == "AB now attends school every day"
    assert audit_a.overall_version == 1
    assert answer(audit_a, "A1").even_better_if == "Even better if the chronology were up to date"


def test_the_practitioners_reflection_never_clashes_with_the_auditors_parts(auditor_client, audit_a):
    page = posted(audit_a)
    # The practitioner reflects meanwhile (their own part, with its own version).
    Audit.objects.filter(pk=audit_a.pk).update(
        reflection_before="I want to talk about AB's school", reflection_version=1
    )
    page["overall-impact_for_child"] = "The family feel listened to"
    page["el-A2-q-consent-recorded"] = "yes"
    response, body = autosave(auditor_client, audit_a, page)
    assert response.status_code == 200
    assert body["conflicts"] == []
    audit_a.refresh_from_db()
    assert audit_a.impact_for_child == "The family feel listened to"
    assert audit_a.reflection_before == "I want to talk about AB's school"
    assert audit_a.reflection_version == 1
    assert answer(audit_a, "A2").answers == {"consent-recorded": "yes"}
    # And the other way round: a reflection saved after the auditor's save is not undone by the next one.
    Audit.objects.filter(pk=audit_a.pk).update(reflection_before="Updated reflection", reflection_version=2)
    response, _ = autosave(auditor_client, audit_a, posted(audit_a, {"overall-impact_for_child": "Safer at home"}))
    assert response.status_code == 200
    audit_a.refresh_from_db()
    assert audit_a.reflection_before == "Updated reflection"
    assert audit_a.impact_for_child == "Safer at home"


def test_autosave_when_signed_out_answers_401_json(client, audit_a):
    response = client.post(url(audit_a), {"_autosave": "1", "el-A1-working_well": "x"}, **JSON_HEADERS)
    assert response.status_code == 401
    assert json.loads(response.content)["error"] == "signed-out"
    assert not ElementAnswer.objects.exists()


def test_draft_rules_refuse_a_bad_date_but_save_the_rest(auditor_client, audit_a):
    data = posted(
        audit_a,
        {
            "overall-conversation_on_0": "31",
            "overall-conversation_on_1": "2",
            "overall-conversation_on_2": "2026",
            "overall-impact_for_child": "Not saved with a bad date in its part",
            "el-B1-working_well": "The assessment is thorough",
        },
    )
    response, body = autosave(auditor_client, audit_a, data)
    assert response.status_code == 400
    assert body["errors"] == {"overall-conversation_on": ["Date of the audit conversation must be a real date"]}
    assert body["versions"]["el-B1"] == 1
    assert "overall" not in body["versions"]
    audit_a.refresh_from_db()
    assert audit_a.conversation_on is None
    assert audit_a.impact_for_child == ""
    assert answer(audit_a, "B1").working_well == "The assessment is thorough"


def test_draft_rules_refuse_text_over_10000_characters(auditor_client, audit_a):
    response, body = autosave(auditor_client, audit_a, posted(audit_a, {"el-A1-evidence": "x" * 10_001}))
    assert response.status_code == 400
    assert body["errors"]["el-A1-evidence"] == [
        "Evidence for A1 Reasons for involvement and proportionality must be 10,000 characters or fewer"
    ]
    assert not ElementAnswer.objects.filter(audit=audit_a).exists()


def test_a_part_filled_date_is_an_error_not_a_blank(auditor_client, audit_a):
    data = posted(audit_a, {"overall-conversation_on_0": "12", "overall-conversation_on_2": "2026"})
    response, body = autosave(auditor_client, audit_a, data)
    assert response.status_code == 400
    assert body["errors"]["overall-conversation_on"] == ["Date of the audit conversation must include a month"]


def test_draft_rules_accept_an_incomplete_audit(auditor_client, audit_a):
    data = posted(
        audit_a,
        {
            "overall-conversation_on_0": "3",
            "overall-conversation_on_1": "11",
            "overall-conversation_on_2": "2026",
            "overall-participants": ["practitioner", "other"],
            "overall-participants_other": "School nurse",
        },
    )
    response, _body = autosave(auditor_client, audit_a, data)
    assert response.status_code == 200
    audit_a.refresh_from_db()
    assert audit_a.conversation_on == datetime.date(2026, 11, 3)
    assert audit_a.participants == ["other", "practitioner"]
    assert audit_a.participants_other == "School nurse"
    assert audit_a.overall_grade == ""
    assert audit_a.status == AuditStatus.IN_PROGRESS


def test_not_applicable_with_a_reason_is_stored_without_a_grade(auditor_client, audit_a):
    data = posted(audit_a, {"el-B1-grade": "not_applicable", "el-B1-not_applicable_reason": "No assessment yet"})
    response, _ = autosave(auditor_client, audit_a, data)
    assert response.status_code == 200
    b1 = answer(audit_a, "B1")
    assert b1.not_applicable is True
    assert b1.grade == ""
    assert b1.not_applicable_reason == "No assessment yet"


def test_save_and_come_back_later_without_javascript_shows_a_success_banner(auditor_client, audit_a):
    data = posted(audit_a, {"el-A1-working_well": "Saved without JavaScript"})
    response = auditor_client.post(url(audit_a), data, follow=True)
    assert response.redirect_chain == [(url(audit_a), 302)]
    html = response.content.decode()
    assert "Your answers are saved" in html
    assert "Saved without JavaScript" in html
    assert answer(audit_a, "A1").working_well == "Saved without JavaScript"


def test_a_conflict_without_javascript_shows_both_texts_and_keeps_what_was_typed(auditor_client, audit_a):
    stale = posted(audit_a)
    autosave(auditor_client, audit_a, posted(audit_a, {"el-A1-working_well": "Their text"}))
    stale["el-A1-working_well"] = "My text"
    response = auditor_client.post(url(audit_a), stale)
    assert response.status_code == 200
    html = response.content.decode()
    assert "Someone else saved changes to one part of this audit" in html
    panel = html[html.index('id="conflicts"') : html.index('id="audit-form"')]
    assert "My text" in panel
    assert "Their text" in panel
    # The form keeps what this person typed, and now carries the stored version.
    form = html[html.index('id="audit-form"') :]
    assert "My text" in form
    assert 'name="el-A1-version" value="1"' in form
    assert answer(audit_a, "A1").working_well == "Their text"
    # Saving again is the deliberate choice to keep their text.
    again = dict(stale, **{"el-A1-version": "1"})
    response = auditor_client.post(url(audit_a), again)
    assert response.status_code == 302
    assert answer(audit_a, "A1").working_well == "My text"


def test_a_draft_error_without_javascript_uses_the_error_summary(auditor_client, audit_a):
    data = posted(
        audit_a,
        {"overall-conversation_on_0": "40", "overall-conversation_on_1": "1", "overall-conversation_on_2": "2026"},
    )
    data["el-A1-working_well"] = "Kept and saved"
    response = auditor_client.post(url(audit_a), data)
    assert response.status_code == 200
    html = response.content.decode()
    assert "<title>Error: " in html
    assert '<a href="#id_overall-conversation_on_0">Date of the audit conversation must be a real date</a>' in html
    assert 'value="40"' in html
    assert "Kept and saved" in html
    assert 'name="el-A1-version" value="1"' in html
    assert answer(audit_a, "A1").working_well == "Kept and saved"


def test_autosave_after_submission_is_refused_as_json(auditor_client, audit_a):
    page = posted(audit_a)
    mark_submitted(audit_a)
    response, body = autosave(auditor_client, audit_a, dict(page, **{"el-A1-working_well": "Too late"}))
    assert response.status_code == 409
    assert body["error"] == "not-editable"
    assert answer(audit_a, "A1").working_well != "Too late"


def test_the_service_refuses_a_submitted_audit_and_unknown_parts(world, audit_a):
    auditor = world.people[AUDITOR]
    with pytest.raises(ValueError, match="not part of this audit"):
        audit_save_draft(audit=audit_a, actor=auditor, parts={"el-F": {"version": 0, "working_well": "x"}})
    with pytest.raises(ValueError, match="unknown fields"):
        audit_save_draft(audit=audit_a, actor=auditor, parts={"overall": {"version": 0, "status": "closed"}})
    mark_submitted(audit_a)
    with pytest.raises(AuditStateError):
        audit_save_draft(audit=audit_a, actor=auditor, parts={"el-A1": {"version": 1, "working_well": "x"}})


def test_a_partial_part_leaves_the_other_fields_as_they_are(world, audit_a):
    auditor = world.people[AUDITOR]
    audit_save_draft(audit=audit_a, actor=auditor, parts={"el-A1": {"version": 0, "grade": "good", "evidence": "E"}})
    result = audit_save_draft(audit=audit_a, actor=auditor, parts={"el-A1": {"version": 1, "evidence": "More"}})
    assert result.saved == ["el-A1"]
    a1 = answer(audit_a, "A1")
    assert (a1.grade, a1.evidence, a1.version) == ("good", "More", 2)
