"""The child page: searched by POST, everything about one child within scope, 404 outside it,
logged, and a fixed number of queries however many audits the child has."""

from __future__ import annotations

import datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from audits.models import Action, Audit, ImmediateConcern
from core.models import AccessLog
from tests.audits.factories import allocate, mark_submitted, tool_version
from tests.factories import CaseFileFactory

URL = reverse("child-search")


@pytest.fixture
def tool(db):
    return tool_version()


def _add_audit(world, tool, *, grade: str = "good", submitted: bool = True) -> Audit:
    audit = allocate(world.case_a, world.people["team_manager_other"], version=tool, actor=world.people["qa_officer"])
    if submitted:
        mark_submitted(audit, grade=grade)
    Action.objects.create(
        audit=audit,
        description=f"Refresh the chronology {audit.pk}",
        owner=world.people["practitioner_own"],
        due_on=datetime.date(2026, 12, 1),
        created_by=world.people["team_manager_other"],
    )
    ImmediateConcern.objects.create(
        audit=audit,
        raised_by=world.people["team_manager_other"],
        raised_at=timezone.now(),
        description="Concern",
        action_due_on=datetime.date(2026, 11, 3),
    )
    return audit


def test_get_shows_the_search_form_only(client, world):
    client.force_login(world.people["team_manager_same"])
    response = client.get(URL)
    assert response.status_code == 200
    html = response.content.decode()
    assert "Find a child" in html
    assert 'method="post"' in html
    assert 'name="case_reference"' in html


def test_search_by_post_shows_audits_actions_and_concerns(client, world, tool):
    audit = _add_audit(world, tool)
    client.force_login(world.people["team_manager_same"])
    response = client.post(URL, {"case_reference": "case-a"})
    assert response.status_code == 200
    html = response.content.decode()
    assert "Child CASE-A" in html
    assert reverse("audits:audit-detail", args=[audit.pk]) in html
    assert "Good" in html.split('id="child-audits"', 1)[1]
    assert f"Refresh the chronology {audit.pk}" in html
    assert "Overdue" in html.split('id="child-concerns"', 1)[1]
    assert world.case_a.family_reference in html
    # The reference never goes into an address.
    assert "case_reference=" not in html


def test_siblings_within_scope_are_listed_and_others_are_not(client, world):
    CaseFileFactory(case_reference="SIB-SAME", team=world.team_a1, family_reference=world.case_a.family_reference)
    CaseFileFactory(case_reference="SIB-OTHER", team=world.team_b1, family_reference=world.case_a.family_reference)
    client.force_login(world.people["team_manager_same"])
    html = client.post(URL, {"case_reference": "CASE-A"}).content.decode()
    assert "SIB-SAME" in html
    assert "SIB-OTHER" not in html


@pytest.mark.parametrize("persona", ["team_manager_other", "service_manager_other", "practitioner_other", "iro"])
def test_outside_scope_is_not_found(client, world, tool, persona):
    _add_audit(world, tool)
    Audit.objects.update(auditor=world.people["director"])  # so team_manager_other has no link to it
    client.force_login(world.people[persona])
    response = client.post(URL, {"case_reference": "CASE-A"})
    assert response.status_code == 404
    html = response.content.decode()
    assert "No case file found that you can see" in html
    assert "Refresh the chronology" not in html
    assert world.case_a.family_reference not in html
    assert not AccessLog.objects.filter(object_type="child").exists()


def test_an_unknown_reference_gets_the_same_answer(client, world):
    client.force_login(world.people["qa_manager"])
    response = client.post(URL, {"case_reference": "NO-SUCH"})
    assert response.status_code == 404
    assert "No case file found that you can see" in response.content.decode()


def test_restricted_child_only_within_scope(client, world):
    client.force_login(world.people["qa_officer"])
    assert client.post(URL, {"case_reference": "CASE-R"}).status_code == 404
    client.force_login(world.people["qa_manager"])
    assert client.post(URL, {"case_reference": "CASE-R"}).status_code == 200


def test_an_auditor_sees_only_the_audits_they_may_see(client, world, tool):
    mine = _add_audit(world, tool)
    other = allocate(world.case_a, world.people["director"], version=tool)
    client.force_login(world.people["team_manager_other"])
    html = client.post(URL, {"case_reference": "CASE-A"}).content.decode()
    assert reverse("audits:audit-detail", args=[mine.pk]) in html
    assert reverse("audits:audit-detail", args=[other.pk]) not in html


def test_the_practitioner_does_not_see_findings_before_they_are_shared(client, world, tool):
    _add_audit(world, tool, grade="inadequate")
    client.force_login(world.people["practitioner_own"])
    html = client.post(URL, {"case_reference": "CASE-A"}).content.decode()
    assert "Not shared yet" in html
    assert "Inadequate" not in html
    assert "Refresh the chronology" not in html


def test_the_search_is_logged(client, world):
    client.force_login(world.people["team_manager_same"])
    client.post(URL, {"case_reference": "CASE-A"})
    entry = AccessLog.objects.get(object_type="child")
    assert (entry.user, entry.action, entry.object_ref) == (world.people["team_manager_same"], "view", "CASE-A")


def test_empty_search_shows_the_error_summary(client, world):
    client.force_login(world.people["team_manager_same"])
    response = client.post(URL, {"case_reference": "  "})
    html = response.content.decode()
    assert response.status_code == 200
    assert "<title>Error: " in html
    assert '<a href="#id_case_reference">Enter the child&#x27;s case reference</a>' in html


def test_query_count_is_fixed_however_many_audits(client, world, tool):
    person = world.people["team_manager_same"]

    def count() -> int:
        client.force_login(person)
        with CaptureQueriesContext(connection) as captured:
            assert client.post(URL, {"case_reference": "CASE-A"}).status_code == 200
        return len(captured)

    _add_audit(world, tool)
    few = count()
    for _ in range(9):
        _add_audit(world, tool)
    many = count()
    assert few == many
    assert many <= 14


def test_wrong_method(client, world):
    client.force_login(world.people["team_manager_same"])
    assert client.put(URL).status_code == 405
