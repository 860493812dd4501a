"""The audit CSV export: columns, free text left out unless asked for, formulas neutralised,
every export logged, and only audits within the person's scope."""

from __future__ import annotations

import csv
import io

import pytest
from django.urls import reverse

from audits.models import Audit, ElementAnswer
from core.models import AccessLog

from .factories import allocate, mark_submitted

EXPORT = reverse("audits:audit-export")
FREE_TEXT = ("Working well A1", "Even better if A1", "Evidence A1", "The impact for the child")


@pytest.fixture
def submitted(world, tool):
    audit = allocate(world.case_a, world.people["team_manager_other"], version=tool, actor=world.people["qa_officer"])
    return mark_submitted(audit, grade="good")


@pytest.fixture
def other_team(world, tool):
    return allocate(world.case_b, world.people["director"], version=tool, actor=world.people["qa_officer"])


def _csv(client, person, **params) -> tuple[list[str], list[dict[str, str]], str]:
    client.force_login(person)
    response = client.get(EXPORT, params)
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/csv")
    assert "attachment" in response["Content-Disposition"]
    text = response.content.decode()
    reader = csv.DictReader(io.StringIO(text))
    return list(reader.fieldnames or []), list(reader), text


def test_columns_and_values_without_free_text_by_default(client, world, submitted):
    header, rows, text = _csv(client, world.people["qa_officer"])
    assert header[:13] == [
        "audit_id",
        "kind",
        "month",
        "status",
        "case_reference",
        "case_type",
        "team",
        "service_area",
        "auditor",
        "due_on",
        "submitted_on",
        "reported_grade",
        "moderated",
    ]
    # Element grades, one column each, for the elements that apply to a child in need case.
    assert header[13:] == ["A1 grade", "A2 grade", "B1 grade", "E grade"]
    (row,) = rows
    assert row["audit_id"] == str(submitted.pk)
    assert row["case_reference"] == "CASE-A"
    assert row["kind"] == "Monthly case-file audit"
    assert row["month"] == "2026-11"
    assert row["status"] == "Submitted"
    assert row["case_type"] == "Child in need"
    assert row["team"] == world.team_a1.name
    assert row["service_area"] == world.area_a.name
    assert row["auditor"] == world.people["team_manager_other"].full_name
    assert row["due_on"] == "2026-11-30"
    assert row["submitted_on"] == "2026-11-10"
    assert row["reported_grade"] == "Good"
    assert row["moderated"] == "no"
    assert row["A1 grade"] == "Good"
    for text_value in FREE_TEXT:
        assert text_value not in text


def test_free_text_only_when_asked_for_explicitly(client, world, submitted):
    qa = world.people["qa_officer"]
    _, _, without = _csv(client, qa, include_text="on")
    assert not any(value in without for value in FREE_TEXT)
    header, rows, _text = _csv(client, qa, include_text="1")
    assert "A1 working well" in header
    assert "A1 even better if" in header
    assert "A1 evidence" in header
    assert header[-1] == "impact for the child"
    assert rows[0]["A1 working well"] == "Working well A1"
    assert rows[0]["impact for the child"] == "The impact for the child"


def test_not_applicable_elements_say_so(client, world, submitted):
    ElementAnswer.objects.filter(audit=submitted, element__code="E").update(
        grade="", not_applicable=True, not_applicable_reason="No conference yet"
    )
    _, rows, _ = _csv(client, world.people["qa_officer"])
    assert rows[0]["E grade"] == "Not applicable"


def test_formula_looking_text_is_neutralised(client, world, submitted):
    Audit.objects.filter(pk=submitted.pk).update(impact_for_child='=HYPERLINK("http://example.test","x")')
    ElementAnswer.objects.filter(audit=submitted, element__code="A1").update(working_well="+SUM(A1:A2)")
    _, rows, _ = _csv(client, world.people["qa_officer"], include_text="1")
    assert rows[0]["impact for the child"].startswith("'=HYPERLINK")
    assert rows[0]["A1 working well"] == "'+SUM(A1:A2)"


def test_every_export_is_logged_with_its_query(client, world, submitted):
    qa = world.people["qa_officer"]
    _csv(client, qa, status="submitted", include_text="1")
    entry = AccessLog.objects.get(object_type="audit-export")
    assert entry.user == qa
    assert entry.action == AccessLog.Action.EXPORT
    assert entry.object_ref == "status=submitted&include_text=1"
    _csv(client, qa)
    assert AccessLog.objects.filter(object_type="audit-export").count() == 2


def test_export_follows_the_filters_and_the_scope(client, world, submitted, other_team):
    _, rows, text = _csv(client, world.people["team_manager_same"])
    assert [row["case_reference"] for row in rows] == ["CASE-A"]
    assert "CASE-B" not in text
    assert world.team_b1.name not in text
    _, rows, _ = _csv(client, world.people["qa_officer"], status="allocated")
    assert [row["case_reference"] for row in rows] == ["CASE-B"]


def test_export_refused_to_people_without_the_lists(client, world, submitted):
    client.force_login(world.people["practitioner_own"])
    assert client.get(EXPORT).status_code == 403
    assert not AccessLog.objects.filter(object_type="audit-export").exists()


def test_the_list_offers_the_export_with_its_filters_and_text_unticked(client, world, submitted):
    client.force_login(world.people["qa_officer"])
    html = client.get(reverse("audits:audit-list"), {"status": "submitted", "sort": "due"}).content.decode()
    form = html.split(f'action="{EXPORT}"', 1)[1].split("</form>", 1)[0]
    assert '<input type="hidden" name="status" value="submitted">' in form
    assert 'name="sort"' not in form
    assert 'name="include_text" type="checkbox" value="1"' in form
    assert "checked" not in form
