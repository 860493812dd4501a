"""The read-only audit page (who sees it, the practitioner sent to their own view, printable,
logged) and the audit's history (one entry per real change, with who made it)."""

from __future__ import annotations

import datetime
from pathlib import Path

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import NoReverseMatch, reverse
from django.utils import timezone

from audits.models import Action, ElementAnswer, ImmediateConcern
from core.models import AccessLog

from .factories import mark_submitted

ROOT = Path(__file__).resolve().parents[2]


def _url_exists(name: str) -> bool:
    try:
        reverse(name, args=[1])
    except NoReverseMatch:
        return False
    return True


def _detail(audit) -> str:
    return reverse("audits:audit-detail", args=[audit.pk])


def test_the_auditor_sees_the_frozen_case_and_only_the_applicable_elements(client, world, audit_a):
    mark_submitted(audit_a, grade="good")
    ElementAnswer.objects.filter(audit=audit_a, element__code="A2").update(
        answers={"consent-recorded": "yes"}, theme_tags=["voice-of-the-child"]
    )
    client.force_login(world.people["team_manager_other"])
    html = client.get(_detail(audit_a)).content.decode()
    assert "Audit of CASE-A" in html
    assert world.team_a1.name in html
    assert world.people["practitioner_own"].full_name in html
    assert "Child in need" in html
    # Case type child in need: A, B and E elements; not C, D or F.
    for code in ("A1", "A2", "B1", "E"):
        assert f'id="element-{code}"' in html
    for code in ("C1", "D1", "F"):
        assert f'id="element-{code}"' not in html
    # The grade with its descriptor beside it, the words, and the question's answer as a label.
    assert "The child is helped and protected; gaps are minor." in html
    assert "Working well A1" in html
    assert "Even better if A1" in html
    assert "Evidence A1" in html
    assert "Is consent recorded?" in html
    assert ">Yes<" in html
    assert "voice-of-the-child" in html
    # The tool and its version, labelled as example content.
    assert "Tool social-work, version 1" in html
    assert "Example content — replace with your own Appendix 2" in html
    assert "The impact for the child" in html


def test_the_tool_version_an_audit_used_is_shown_even_after_a_new_one(client, world, audit_a):
    from .factories import tool_version

    tool_version(number=2)
    client.force_login(world.people["team_manager_same"])
    html = client.get(_detail(audit_a)).content.decode()
    assert "Tool social-work, version 1" in html
    assert "version 2" not in html


def test_reported_grade_marked_moderated(client, world, audit_a):
    mark_submitted(audit_a, grade="good", reported_grade="requires_improvement", moderated=True)
    client.force_login(world.people["qa_officer"])
    html = client.get(_detail(audit_a)).content.decode()
    grade = html.split('id="reported-grade">', 1)[1].split("</dd>", 1)[0]
    assert "Requires improvement to be good" in grade
    assert "Moderated" in grade
    assert "Auditor's overall grade" in html


@pytest.mark.parametrize(
    "persona", ["team_manager_same", "service_manager_same", "head_of_service", "qa_officer", "director"]
)
def test_the_management_line_and_the_qa_team_see_the_page(client, world, audit_a, persona):
    client.force_login(world.people[persona])
    response = client.get(_detail(audit_a))
    assert response.status_code == 200
    assert "Continue the audit" not in response.content.decode()


@pytest.mark.parametrize(
    "persona", ["practitioner_other", "service_manager_other", "conference_chair", "iro", "bi_officer"]
)
def test_someone_elses_audit_answers_404(client, world, audit_a, persona):
    client.force_login(world.people[persona])
    assert client.get(_detail(audit_a)).status_code == 404
    assert not AccessLog.objects.filter(object_type="audit").exists()


def test_the_page_is_get_only(client, world, audit_a):
    client.force_login(world.people["team_manager_other"])
    assert client.post(_detail(audit_a)).status_code == 405


def test_the_auditor_can_continue_an_open_audit(client, world, audit_a):
    client.force_login(world.people["team_manager_other"])
    html = client.get(_detail(audit_a)).content.decode()
    if _url_exists("audits:audit-edit"):
        assert f'href="{reverse("audits:audit-edit", args=[audit_a.pk])}"' in html
        assert "Continue the audit" in html
    mark_submitted(audit_a)
    assert "Continue the audit" not in client.get(_detail(audit_a)).content.decode()


def test_the_practitioner_is_sent_to_their_own_view(client, world, audit_a):
    client.force_login(world.people["practitioner_own"])
    response = client.get(_detail(audit_a))
    if _url_exists("audits:audit-practitioner"):
        assert response.status_code == 302
        assert response["Location"] == reverse("audits:audit-practitioner", args=[audit_a.pk])
    else:
        assert response.status_code == 200
        assert "coming soon" in response.content.decode()
        assert "Working well" not in response.content.decode()


def test_viewing_is_logged(client, world, audit_a):
    client.force_login(world.people["team_manager_same"])
    client.get(_detail(audit_a))
    entry = AccessLog.objects.get(object_type="audit")
    assert (entry.user, entry.action, entry.object_ref) == (world.people["team_manager_same"], "view", "CASE-A")
    assert entry.path == _detail(audit_a)


def test_the_page_prints_without_navigation_or_buttons(client, world, audit_a):
    client.force_login(world.people["qa_officer"])
    html = client.get(_detail(audit_a)).content.decode()
    assert 'href="/static/build/app.css"' in html
    # Links and buttons that make no sense on paper carry the no-print class.
    assert 'class="govuk-button-group app-no-print"' in html
    scss = (ROOT / "static" / "scss" / "_print.scss").read_text()
    assert "@media print" in scss
    assert '@import "print"' in (ROOT / "static" / "scss" / "app.scss").read_text()
    hidden = scss.split("@media print", 1)[1].split("display: none", 1)[0]
    for selector in (".govuk-header", ".govuk-service-navigation", ".govuk-phase-banner", ".govuk-footer"):
        assert selector in hidden
    assert ".govuk-button" in hidden
    assert "size: A4" in scss
    built = ROOT / "static" / "build" / "app.css"
    if built.exists():
        assert "size:A4" in built.read_text().replace(" ", "")


def test_history_link_only_for_the_qa_team(client, world, audit_a):
    history = reverse("audits:audit-history", args=[audit_a.pk])
    client.force_login(world.people["qa_officer"])
    assert history in client.get(_detail(audit_a)).content.decode()
    client.force_login(world.people["team_manager_same"])
    assert history not in client.get(_detail(audit_a)).content.decode()


# --- history --------------------------------------------------------------------------------
def _history_rows(client, world, audit) -> list[str]:
    client.force_login(world.people["qa_officer"])
    response = client.get(reverse("audits:audit-history", args=[audit.pk]))
    assert response.status_code == 200
    body = response.content.decode().split('id="history"', 1)[1].split("</tbody>", 1)[0]
    return body.split('<tr class="govuk-table__row">')[2:]  # after the header row


def test_history_shows_each_real_change_with_who_made_it_and_no_noop_saves(client, world, audit_a):
    auditor = world.people["team_manager_other"]
    qa = world.people["qa_officer"]
    audit_a.impact_for_child = "First thoughts about the impact"
    audit_a._history_user = auditor
    audit_a.save()
    # A save that changes nothing (as a careless caller might do) is not shown as a change.
    audit_a._history_user = auditor
    audit_a.save()
    element = audit_a.tool_version.elements.get(code="A1")
    answer = ElementAnswer(audit=audit_a, element=element, grade="good", working_well="Clear plan")
    answer._history_user = auditor
    answer.save()
    answer.grade = "outstanding"
    answer._history_user = qa
    answer.save()
    action = Action(
        audit=audit_a,
        description="Update the chronology",
        owner=world.people["practitioner_own"],
        due_on=datetime.date(2026, 12, 18),
        created_by=auditor,
    )
    action._history_user = auditor
    action.save()
    concern = ImmediateConcern(
        audit=audit_a,
        raised_by=auditor,
        raised_at=timezone.now(),
        description="Concern about AB",
        action_due_on=datetime.date(2026, 11, 4),
    )
    concern._history_user = auditor
    concern.save()

    rows = _history_rows(client, world, audit_a)
    # Newest first: concern, action, the grade change, the answer, the impact, the allocation.
    assert len(rows) == 6
    assert "Immediate concern" in rows[0]
    assert "Created" in rows[0]
    assert "Action" in rows[1]
    assert auditor.full_name in rows[1]
    assert "Element A1" in rows[2]
    assert "Good → Outstanding" in rows[2]
    assert qa.full_name in rows[2]
    assert "Element A1" in rows[3]
    assert "Created" in rows[3]
    assert "Impact for child" in rows[4]
    assert "(blank) → First thoughts about the impact" in rows[4]
    assert auditor.full_name in rows[4]
    assert "The audit" in rows[5]
    assert "Created" in rows[5]


def test_history_shortens_long_text_and_names_people_not_ids(client, world, audit_a):
    audit_a.impact_for_child = "word " * 100
    audit_a._history_user = world.people["team_manager_other"]
    audit_a.save()
    audit_a.auditor = world.people["team_manager_same"]
    audit_a._history_user = world.people["qa_manager"]
    audit_a.save()
    rows = _history_rows(client, world, audit_a)
    assert "…" in rows[1]
    assert ("word " * 40) not in rows[1]
    assert f"{world.people['team_manager_other'].full_name} → {world.people['team_manager_same'].full_name}" in rows[0]


def test_history_query_count_is_fixed(client, world, audit_a):
    qa = world.people["qa_officer"]

    def change(n: int) -> None:
        for i in range(n):
            audit_a.impact_for_child = f"Version {audit_a.pk}-{i}-{n}"
            audit_a.auditor = world.people["team_manager_other" if i % 2 else "director"]
            audit_a._history_user = qa
            audit_a.save()

    def count() -> int:
        client.force_login(qa)
        with CaptureQueriesContext(connection) as captured:
            assert client.get(reverse("audits:audit-history", args=[audit_a.pk])).status_code == 200
        return len(captured)

    change(1)
    few = count()
    change(20)
    assert count() == few


def test_history_is_the_qa_teams(client, world, audit_a):
    url = reverse("audits:audit-history", args=[audit_a.pk])
    client.force_login(world.people["team_manager_same"])
    assert client.get(url).status_code == 403
    client.force_login(world.people["practitioner_other"])
    assert client.get(url).status_code == 404
    client.force_login(world.people["qa_manager"])
    assert client.get(url).status_code == 200
    assert client.post(url).status_code == 405
