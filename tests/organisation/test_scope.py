"""The one scope mechanism (DESIGN section 1): who sees which case files, and at what cost."""

from __future__ import annotations

import datetime

import pytest
from django.db import connection
from django.db.models import Q
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from core import hooks
from organisation.models import CaseType, Role
from organisation.scope import CASE_SCOPE_HOOK, scope_for
from tests.factories import CaseFileFactory, RoleAssignmentFactory, UserFactory, person_with_role


def visible(world, persona, **kwargs):
    user = world.people[persona] if isinstance(persona, str) else persona
    return set(scope_for(user, **kwargs).case_files().values_list("case_reference", flat=True))


@pytest.fixture
def case_a2(world):
    """A case file in team A2 (area A), worked by someone who is not a persona."""
    return CaseFileFactory(case_reference="CASE-A2", team=world.team_a2, practitioner=UserFactory())


def test_team_manager_sees_their_teams_case_files_and_not_anothers(world, case_a2):
    assert visible(world, "team_manager_same") == {"CASE-A", "CASE-R"}
    assert visible(world, "team_manager_other") == {"CASE-B"}


def test_service_manager_sees_every_team_in_their_service_area(world, case_a2):
    assert visible(world, "service_manager_same") == {"CASE-A", "CASE-A2", "CASE-R"}
    assert visible(world, "head_of_service") == {"CASE-A", "CASE-A2", "CASE-R"}
    assert visible(world, "service_manager_other") == {"CASE-B"}


def test_practitioner_sees_only_their_own_cases(world):
    # A colleague's case in the same team stays out of sight: a practitioner's view is their own
    # cases, not their team's.
    CaseFileFactory(case_reference="CASE-A-COLLEAGUE", team=world.team_a1, practitioner=UserFactory())
    assert visible(world, "practitioner_own") == {"CASE-A", "CASE-R"}
    assert visible(world, "practitioner_other") == {"CASE-B"}


def test_acting_up_widens_scope_only_while_it_lasts(world, case_a2):
    today = timezone.localdate()
    yesterday, tomorrow = today - datetime.timedelta(days=1), today + datetime.timedelta(days=1)
    person = world.people["practitioner_own"]
    RoleAssignmentFactory(
        person=person, role=Role.TEAM_MANAGER, team=world.team_a2, starts_on=yesterday, ends_on=tomorrow
    )
    own = {"CASE-A", "CASE-R"}
    for day in (yesterday - datetime.timedelta(days=1), tomorrow + datetime.timedelta(days=1)):
        assert visible(world, person, today=day) == own, day
        assert world.team_a2 not in scope_for(person, today=day).teams()
    for day in (yesterday, today, tomorrow):
        assert visible(world, person, today=day) == own | {"CASE-A2"}, day
        assert list(scope_for(person, today=day).teams()) == [world.team_a2]


def test_chair_sees_the_cases_they_chair(world):
    assert visible(world, "conference_chair") == {"CASE-A"}
    assert visible(world, "iro") == set()
    CaseFileFactory(case_reference="CASE-IRO", team=world.team_b1, chair=world.people["iro"])
    assert visible(world, "iro") == {"CASE-IRO"}


def test_early_help_strategic_lead_sees_early_help_cases_wherever_they_are(world):
    CaseFileFactory(case_reference="CASE-A-EH", team=world.team_a1, case_type=CaseType.EARLY_HELP)
    assert visible(world, "early_help_strategic_lead") == {"CASE-EH", "CASE-A-EH"}
    # The co-ordinator's view is their own team.
    assert visible(world, "early_help_coordinator") == {"CASE-EH"}


@pytest.mark.parametrize(
    ("persona", "sees"),
    [
        ("qa_manager", True),
        ("practitioner_own", True),
        ("team_manager_same", True),
        ("service_manager_same", True),
        ("head_of_service", True),
        ("qa_officer", False),
        ("assistant_director", False),
        ("director", False),
        ("conference_chair", False),
        ("team_manager_other", False),
        ("service_manager_other", False),
        ("early_help_strategic_lead", False),
    ],
)
def test_restricted_case_is_seen_only_by_the_qa_manager_its_practitioner_and_their_line(world, persona, sees):
    assert ("CASE-R" in visible(world, persona)) is sees


def test_chairing_a_restricted_case_does_not_open_it(world):
    # DESIGN section 2 lists who sees a restricted file; the chair is not among them.
    CaseFileFactory(
        case_reference="CASE-R2", team=world.team_b1, chair=world.people["conference_chair"], restricted=True
    )
    assert "CASE-R2" not in visible(world, "conference_chair")


def test_a_relationship_from_a_higher_app_opens_a_restricted_case(world, monkeypatch):
    # "Whoever is allocated an audit of it" sees a restricted file: the audits app adds that
    # relationship through the case_scope hook.
    officer = world.people["qa_officer"]

    def allocated_audits(scope):
        return Q(pk=world.case_restricted.pk) if scope.user_id == officer.pk else Q(pk__in=[])

    monkeypatch.setitem(hooks._registry, CASE_SCOPE_HOOK, [allocated_audits])
    assert "CASE-R" in visible(world, "qa_officer")
    assert "CASE-R" not in visible(world, "director")


def test_service_manager_filter_choices_are_their_areas_teams_only(world, client):
    scope = scope_for(world.people["service_manager_same"])
    assert set(scope.teams()) == {world.team_a1, world.team_a2}
    assert set(scope_for(world.people["service_manager_other"]).teams()) == {world.team_b1}

    client.force_login(world.people["service_manager_same"])
    html = client.get(reverse("organisation:case-list")).content.decode()
    assert world.team_a1.name in html
    assert world.team_a2.name in html
    assert world.team_b1.name not in html
    # Asking for another area's team by hand shows nothing of it.
    html = client.get(reverse("organisation:case-list"), {"team": world.team_b1.pk}).content.decode()
    assert "CASE-B" not in html


def test_scope_is_built_in_two_queries(world, django_assert_num_queries):
    person = world.people["service_manager_same"]
    # Someone covering a second team as well: still two queries.
    RoleAssignmentFactory(person=person, role=Role.TEAM_MANAGER, team=world.team_b1)
    with django_assert_num_queries(2):
        # 1. the role assignments active today, with their team and service area
        # 2. the duties active today
        scope = scope_for(person)
        assert scope.role_places  # names of teams and areas come with query 1
    assert scope.area_ids == {world.area_a.pk}
    assert scope.managed_team_ids == {world.team_b1.pk}


def _case_list_queries(client, expected_count):
    with CaptureQueriesContext(connection) as queries:
        response = client.get(reverse("organisation:case-list"))
    assert response.status_code == 200
    assert f"{expected_count} case files" in response.content.decode()
    return len(queries)


@pytest.mark.parametrize("persona", ["team_manager_same", "qa_officer"])
def test_case_list_queries_do_not_grow_with_the_number_of_case_files(world, client, persona):
    client.force_login(world.people[persona])
    already = len(visible(world, persona))
    # Each with its own practitioner, so a per-row lookup of the practitioner would show.
    for _ in range(5):
        CaseFileFactory(team=world.team_a1, practitioner=UserFactory())
    few = _case_list_queries(client, already + 5)
    for _ in range(45):
        CaseFileFactory(team=world.team_a1, practitioner=UserFactory())
    many = _case_list_queries(client, already + 50)
    # 1. the session, 2. the user, 3. role assignments and 4. duties (the scope), 5. the count
    # for the paginator, 6. the team filter's choices, 7. one page of case files with their
    # team and practitioner.
    assert few == many == 7


@pytest.mark.parametrize("role", [Role.PARTICIPATION_OFFICER, Role.PSW, Role.BI_OFFICER, Role.ADMINISTRATOR])
def test_roles_without_case_work_see_no_case_files(world, role):
    assert visible(world, person_with_role(role)) == set()
