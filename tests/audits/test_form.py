"""The auditor's audit form: what it shows, and who may open it."""

from __future__ import annotations

import pytest
from django.urls import reverse

from audits.models import AuditStatus, ElementAnswer
from tests.audits.conftest import AUDITOR

from .factories import allocate, mark_submitted

pytestmark = pytest.mark.django_db


def _url(audit):
    return reverse("audits:audit-edit", args=[audit.pk])


def _page(client, world, audit, persona=AUDITOR):
    client.force_login(world.people[persona])
    return client.get(_url(audit))


def test_the_form_shows_the_frozen_case_and_the_tool_version(client, world, audit_a):
    world.case_a.child_initials = "ZZ"
    world.case_a.save()  # a later change to the case file does not rewrite the audit
    response = _page(client, world, audit_a)
    assert response.status_code == 200
    html = response.content.decode()
    assert "CASE-A" in html
    assert audit_a.child_initials in html
    assert "ZZ" not in html
    assert world.team_a1.name in html
    assert world.people["practitioner_own"].full_name in html
    assert "Tool social-work, version 1" in html
    assert "Example content" in html
    assert "replace it with your council's own Appendix 2" in html


@pytest.mark.parametrize(
    ("case", "shown", "hidden"),
    [
        ("case_a", {"A1", "A2", "B1", "E"}, {"C1", "D1", "F"}),
        ("case_eh", {"A1", "A2", "F"}, {"B1", "C1", "D1", "E"}),
    ],
)
def test_only_the_elements_that_apply_to_the_case_type_are_shown(client, world, tool, case, shown, hidden):
    audit = allocate(getattr(world, case), world.people[AUDITOR], version=tool, actor=world.people["qa_officer"])
    html = _page(client, world, audit).content.decode()
    for code in shown:
        assert f'id="el-{code}"' in html, code
        assert f'name="el-{code}-version"' in html
    for code in hidden:
        assert f'id="el-{code}"' not in html, code
        assert f"Prompt one for {code}" not in html


def test_care_leaver_elements(client, world, tool):
    world.case_b.case_type = "care_leaver"
    world.case_b.save()
    audit = allocate(world.case_b, world.people["team_manager_same"], version=tool, actor=world.people["qa_officer"])
    html = _page(client, world, audit, "team_manager_same").content.decode()
    assert 'id="el-D1"' in html
    assert 'id="el-B1"' not in html
    assert 'id="el-C1"' not in html


def test_each_grade_shows_its_descriptor_and_not_applicable_reveals_a_reason(client, world, audit_a):
    html = _page(client, world, audit_a).content.decode()
    # The descriptor is the option's hint, tied to it for screen readers.
    assert 'aria-describedby="id_el-A1-grade_1_hint"' in html
    assert "Making a demonstrable, sustained difference for this child." in html
    assert "Serious or widespread failures leave the child at risk of harm." in html
    assert 'value="not_applicable" data-app-reveal="conditional-id_el-A1-grade"' in html
    assert 'name="el-A1-not_applicable_reason"' in html
    # The element's prompts and its yes/no question.
    assert "Prompt two for A1" in html
    assert "Is consent recorded?" in html
    assert 'name="el-A2-q-consent-recorded"' in html


def test_the_overall_section_shows_the_grading_rule_and_the_progress_scale(client, world, audit_a):
    html = _page(client, world, audit_a).content.decode()
    assert "minor gaps in recording do not lower a grade" in html.lower()
    assert "never an average of the element grades" in html
    assert 'name="overall-overall_grade"' in html
    for label in ("Much worse", "No change", "Much better"):
        assert label in html
    assert 'name="overall-conversation_on_0"' in html
    assert "Raise an immediate safeguarding concern".lower() in html.lower()
    assert reverse("audits:concern-raise", args=[audit_a.pk]) in html
    assert "Save and come back later" in html
    assert "Submit the audit" in html
    assert "js/autosave.js" in html


def test_stored_answers_are_shown_again(client, world, audit_a):
    element = audit_a.tool_version.elements.get(code="A1")
    ElementAnswer.objects.create(audit=audit_a, element=element, grade="good", working_well="Warm relationship with AB")
    html = _page(client, world, audit_a).content.decode()
    assert "Warm relationship with AB" in html
    assert 'id="id_el-A1-grade_2" name="el-A1-grade" type="radio" value="good" checked' in html


@pytest.mark.parametrize(
    "persona",
    [
        "practitioner_own",
        "team_manager_same",
        "service_manager_same",
        "head_of_service",
        "qa_officer",
        "qa_manager",
        "director",
    ],
)
def test_people_who_may_read_the_audit_may_not_fill_it_in(client, world, audit_a, persona):
    assert _page(client, world, audit_a, persona).status_code == 403
    client.force_login(world.people[persona])
    assert client.post(_url(audit_a), {"el-A1-working_well": "Mine"}).status_code == 403
    assert not ElementAnswer.objects.filter(audit=audit_a).exists()


@pytest.mark.parametrize(
    "persona", ["practitioner_other", "service_manager_other", "iro", "early_help_coordinator", "bi_officer"]
)
def test_someone_elses_audit_is_not_found(client, world, audit_a, persona):
    # Another team's audit answers 404, never 403, which would confirm it exists.
    assert _page(client, world, audit_a, persona).status_code == 404
    assert client.post(_url(audit_a), {"el-A1-working_well": "Mine"}).status_code == 404


def test_an_auditor_cannot_open_another_auditors_audit_of_another_team(client, world, tool, audit_a):
    other = allocate(world.case_b, world.people["qa_manager"], version=tool, actor=world.people["qa_officer"])
    # team_manager_other audits audit_a; other is of their own team B1, so they may read it, not fill it in.
    assert _page(client, world, other).status_code == 403
    practitioners_view = _page(client, world, audit_a, "practitioner_other")
    assert practitioners_view.status_code == 404


def test_a_submitted_or_cancelled_audit_cannot_be_changed(client, world, audit_a):
    mark_submitted(audit_a)
    response = _page(client, world, audit_a)
    assert response.status_code == 409
    assert "can no longer be changed" in response.content.decode()
    response = client.post(_url(audit_a), {"action": "save", "el-A1-working_well": "Late edit"})
    assert response.status_code == 409
    assert not ElementAnswer.objects.filter(audit=audit_a, working_well="Late edit").exists()

    audit_a.status = AuditStatus.CANCELLED
    audit_a.save()
    assert _page(client, world, audit_a).status_code == 409


def test_the_form_answers_only_get_and_post(client, world, audit_a):
    client.force_login(world.people[AUDITOR])
    assert client.put(_url(audit_a)).status_code == 405
    assert client.delete(_url(audit_a)).status_code == 405


def test_the_form_page_costs_the_same_queries_for_few_or_many_answers(
    client, world, audit_a, django_assert_max_num_queries
):
    client.force_login(world.people[AUDITOR])
    client.get(_url(audit_a))  # warm the session
    with django_assert_max_num_queries(20) as few:
        client.get(_url(audit_a))
    for element in audit_a.tool_version.elements.all():
        if element.applies_to_case_type(audit_a.case_type):
            ElementAnswer.objects.create(audit=audit_a, element=element, grade="good", theme_tags=[], version=1)
    with django_assert_max_num_queries(len(few.captured_queries)):
        client.get(_url(audit_a))
