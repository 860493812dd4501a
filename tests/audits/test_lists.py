"""My audits, the team/service/authority audit list: scope per persona, filter choices only from
scope, sorting, pagination and a query count that does not grow with rows."""

from __future__ import annotations

import datetime
import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from audits.models import Audit, AuditStatus
from tests.factories import CaseFileFactory

from .factories import allocate, mark_submitted

LIST = reverse("audits:audit-list")


@pytest.fixture
def audits(world, tool):
    """audit_a: case_a (team A1) audited by team_manager_other, November 2026, submitted Good.
    audit_b: case_b (team B1) audited by the director, October 2026, in progress.
    audit_eh: case_eh (early help) audited by the assistant director, November 2026."""
    people = world.people
    audit_a = allocate(world.case_a, people["team_manager_other"], version=tool, actor=people["qa_officer"])
    mark_submitted(audit_a, grade="good")
    audit_b = allocate(
        world.case_b,
        people["director"],
        version=tool,
        actor=people["qa_officer"],
        today=datetime.date(2026, 10, 5),
        due_on=datetime.date(2026, 10, 30),
    )
    Audit.objects.filter(pk=audit_b.pk).update(status=AuditStatus.IN_PROGRESS)
    audit_eh = allocate(world.case_eh, people["assistant_director"], version=tool, actor=people["qa_officer"])
    return {"a": audit_a, "b": audit_b, "eh": audit_eh}


def _page(client, person, **params):
    client.force_login(person)
    response = client.get(LIST, params)
    assert response.status_code == 200
    return response.content.decode()


def _rows(html: str) -> list[str]:
    table = html.split('id="audit-table"', 1)[1].split("</table>", 1)[0] if 'id="audit-table"' in html else ""
    return re.findall(r'href="/audits/\d+/">([^<]+)</a>', table)


@pytest.mark.parametrize(
    ("persona", "sees"),
    [
        ("team_manager_same", {"CASE-A"}),
        # The auditor of team A1's audit sees it besides their own team's.
        ("team_manager_other", {"CASE-A", "CASE-B"}),
        ("service_manager_same", {"CASE-A"}),
        ("service_manager_other", {"CASE-B"}),
        ("early_help_coordinator", {"CASE-EH"}),
        ("early_help_strategic_lead", {"CASE-EH"}),
        ("qa_officer", {"CASE-A", "CASE-B", "CASE-EH"}),
        ("director", {"CASE-A", "CASE-B", "CASE-EH"}),
    ],
)
def test_each_persona_lists_only_the_audits_in_their_scope(client, world, audits, persona, sees):
    html = _page(client, world.people[persona])
    assert set(_rows(html)) == sees
    assert f">{len(sees)} audit{'s' if len(sees) != 1 else ''}<" in html


@pytest.mark.parametrize("persona", ["practitioner_own", "conference_chair", "bi_officer", "partner_contributor"])
def test_people_without_a_management_or_qa_role_are_refused_the_list(client, world, audits, persona):
    client.force_login(world.people[persona])
    assert client.get(LIST).status_code == 403


def test_filter_choices_come_only_from_the_persons_scope(client, world, audits):
    html = _page(client, world.people["team_manager_same"])
    team_select = html.split('id="id_team"', 1)[1].split("</select>", 1)[0]
    area_select = html.split('id="id_service_area"', 1)[1].split("</select>", 1)[0]
    auditor_select = html.split('id="id_auditor"', 1)[1].split("</select>", 1)[0]
    month_select = html.split('id="id_month"', 1)[1].split("</select>", 1)[0]
    assert world.team_a1.name in team_select
    # A team manager's teams are the ones they manage: not the rest of the area, not area B.
    assert world.team_a2.name not in team_select
    assert "<option" in area_select  # the empty choice only: a TM has no service area
    assert world.area_a.name not in area_select
    # Auditors: only people auditing audits this person can see.
    assert world.people["team_manager_other"].full_name in auditor_select
    assert world.people["director"].full_name not in auditor_select
    assert world.people["assistant_director"].full_name not in auditor_select
    # Months that have audits this person can see: November only (audit_b is October, team B).
    assert "November 2026" in month_select
    assert "October 2026" not in month_select
    # Nothing of another team anywhere on the page.
    markers = {
        "CASE-B": "case_b's reference",
        "CASE-EH": "case_eh's reference",
        world.team_b1.name: "team B1",
        world.team_eh1.name: "team EH1",
        world.area_b.name: "area B",
        world.area_eh.name: "the early help area",
        world.people["practitioner_other"].full_name: "team B's practitioner",
        world.case_b.legal_status: "case_b's legal status",
        world.case_b.family_reference: "case_b's family reference",
    }
    leaks = [what for marker, what in markers.items() if marker in html]
    assert not leaks, leaks


def test_service_manager_filters_by_their_areas_teams(client, world, audits):
    html = _page(client, world.people["service_manager_same"])
    team_select = html.split('id="id_team"', 1)[1].split("</select>", 1)[0]
    assert world.team_a1.name in team_select
    assert world.team_a2.name in team_select
    assert world.team_b1.name not in team_select
    assert world.area_a.name in html.split('id="id_service_area"', 1)[1].split("</select>", 1)[0]


def test_there_is_no_practitioner_filter_and_no_per_person_totals(client, world, audits):
    html = _page(client, world.people["qa_manager"])
    assert 'name="practitioner"' not in html
    assert world.people["practitioner_own"].full_name not in html
    assert "rank" not in html.lower().replace("never ranks", "")


@pytest.mark.parametrize(
    ("params", "expected"),
    [
        ({"month": "2026-10"}, {"CASE-B"}),
        ({"status": "submitted"}, {"CASE-A"}),
        ({"reported_grade": "good"}, {"CASE-A"}),
        ({"reported_grade": "none"}, {"CASE-B", "CASE-EH"}),
        ({"case_type": "early_help"}, {"CASE-EH"}),
        ({"kind": "monthly"}, {"CASE-A", "CASE-B", "CASE-EH"}),
        ({"kind": "thematic"}, set()),
    ],
)
def test_filters_narrow_the_list(client, world, audits, params, expected):
    assert set(_rows(_page(client, world.people["qa_officer"], **params))) == expected


def test_filters_by_team_area_and_auditor(client, world, audits):
    qa = world.people["qa_officer"]
    assert set(_rows(_page(client, qa, team=world.team_b1.pk))) == {"CASE-B"}
    assert set(_rows(_page(client, qa, service_area=world.area_a.pk))) == {"CASE-A"}
    assert set(_rows(_page(client, qa, auditor=world.people["assistant_director"].pk))) == {"CASE-EH"}


def test_another_teams_id_in_the_filter_shows_nothing_of_that_team(client, world, audits):
    html = _page(client, world.people["team_manager_same"], team=world.team_b1.pk)
    assert "CASE-B" not in html
    assert world.team_b1.name not in html


def test_sorting_by_due_date_and_case_reference_with_aria_sort(client, world, audits):
    qa = world.people["qa_officer"]
    html = _page(client, qa, sort="due")
    assert _rows(html)[0] == "CASE-B"  # due 30 October, the others 30 November
    assert re.search(r'aria-sort="ascending"><a class="govuk-link" href="\?sort=-due">Due</a>', html)
    assert 'aria-sort="none"><a class="govuk-link" href="?sort=case">Case reference</a>' in html
    assert _rows(_page(client, qa, sort="-due"))[-1] == "CASE-B"
    assert _rows(_page(client, qa, sort="case")) == ["CASE-A", "CASE-B", "CASE-EH"]
    assert _rows(_page(client, qa, sort="-case")) == ["CASE-EH", "CASE-B", "CASE-A"]
    # Grades best first, ungraded last; an unknown sort falls back to the default.
    assert _rows(_page(client, qa, sort="grade"))[0] == "CASE-A"
    assert set(_rows(_page(client, qa, sort="'; drop table"))) == {"CASE-A", "CASE-B", "CASE-EH"}


def test_sort_links_keep_the_filters(client, world, audits):
    html = _page(client, world.people["qa_officer"], status="submitted", sort="case")
    assert 'href="?status=submitted&amp;sort=-case"' in html


def test_reported_grade_is_marked_moderated(client, world, audits):
    Audit.objects.filter(pk=audits["a"].pk).update(reported_grade="requires_improvement", moderated=True)
    html = _page(client, world.people["qa_officer"])
    row = html.split(">CASE-A</a>", 1)[1].split("</tr>", 1)[0]
    assert "Requires improvement to be good" in row
    assert "Moderated" in row


def test_the_list_is_paginated_by_50(client, world, tool):
    for n in range(53):
        case = CaseFileFactory(case_reference=f"PAGE-{n:03d}", team=world.team_a1)
        allocate(case, world.people["team_manager_other"], version=tool, actor=world.people["qa_officer"])
    client.force_login(world.people["qa_officer"])
    first = client.get(LIST, {"sort": "case"}).content.decode()
    assert len(_rows(first)) == 50
    assert ">53 audits<" in first
    assert "Page 1 of 2" in first
    second = client.get(LIST, {"sort": "case", "page": 2}).content.decode()
    assert _rows(second) == ["PAGE-050", "PAGE-051", "PAGE-052"]
    assert 'href="?sort=case&amp;page=1"' in second


def _queries_for_list(client, person) -> int:
    client.force_login(person)
    with CaptureQueriesContext(connection) as captured:
        response = client.get(LIST, {"sort": "due"})
    assert response.status_code == 200
    return len(captured)


def test_list_query_count_does_not_grow_with_rows(client, world, tool):
    qa = world.people["qa_officer"]
    auditors = [world.people["team_manager_other"], world.people["director"], world.people["assistant_director"]]

    def add(n: int, start: int) -> None:
        for i in range(start, start + n):
            case = CaseFileFactory(case_reference=f"Q-{i:03d}", team=world.team_a1 if i % 2 else world.team_a2)
            audit = allocate(case, auditors[i % 3], version=tool, actor=qa)
            if i % 2:
                mark_submitted(audit, grade="good")

    add(3, 0)
    few = _queries_for_list(client, qa)
    add(27, 3)
    many = _queries_for_list(client, qa)
    # Session and user, the person's roles and duties, the month, team, area and auditor
    # choices, the count and one page of rows (teams, areas and auditors joined).
    assert few == many
    assert many <= 12


def test_my_audits_lists_to_do_first_by_due_date_then_done(client, world, tool):
    auditor = world.people["team_manager_other"]
    later = allocate(world.case_a, auditor, version=tool, due_on=datetime.date(2026, 11, 30))
    sooner = allocate(world.case_b, auditor, version=tool, due_on=datetime.date(2026, 11, 16))
    done_case = CaseFileFactory(case_reference="DONE-1", team=world.team_a2)
    done = mark_submitted(allocate(done_case, auditor, version=tool))
    someone_elses = allocate(world.case_eh, world.people["director"], version=tool)
    client.force_login(auditor)
    html = client.get(reverse("audits:my-audits")).content.decode()
    to_do, rest = html.split(">Done<", 1)
    assert to_do.index(sooner.case_reference) < to_do.index(later.case_reference)
    assert done.case_reference in rest
    assert done.case_reference not in to_do
    assert someone_elses.case_reference not in html
    assert "2 audits to complete" in html


def test_my_audits_is_empty_but_kind_for_someone_with_none(client, world):
    client.force_login(world.people["practitioner_own"])
    html = client.get(reverse("audits:my-audits")).content.decode()
    assert "You have no audits to complete." in html


@pytest.mark.parametrize("name", ["audits:my-audits", "audits:audit-list", "audits:audit-export"])
def test_lists_are_get_only(client, world, name):
    client.force_login(world.people["qa_officer"])
    assert client.post(reverse(name)).status_code == 405


def test_my_audits_query_count_does_not_grow_with_rows(client, world, tool):
    auditor = world.people["team_manager_other"]

    def add(n: int, start: int) -> None:
        for i in range(start, start + n):
            case = CaseFileFactory(case_reference=f"M-{i:03d}", team=world.team_a1 if i % 2 else world.team_a2)
            audit = allocate(case, auditor, version=tool)
            if i % 3 == 0:
                mark_submitted(audit)

    def count() -> int:
        client.force_login(auditor)
        with CaptureQueriesContext(connection) as captured:
            assert client.get(reverse("audits:my-audits")).status_code == 200
        return len(captured)

    add(3, 0)
    few = count()
    add(27, 3)
    assert count() == few
