"""Early help audits (seed 4): only the early help strategic lead chooses files; only files open
at least the minimum period (2 months by default), not restricted, not audited this month; only
early help co-ordinators and operational managers audit them, with the early help tool."""

from __future__ import annotations

import datetime

import pytest
import time_machine
from django.urls import reverse

from audits.models import Audit
from audits.services.early_help import (
    EarlyHelpError,
    early_help_allocate,
    early_help_auditors,
    early_help_candidates,
)
from core.models import Notification, QASettings
from organisation.models import CaseType, Role
from organisation.scope import scope_for
from tests.factories import CaseFileFactory, TeamFactory, person_with_role

from .factories import tool_version

TODAY = datetime.date(2026, 11, 2)
URL = reverse("audits:early-help-allocate")


@pytest.fixture(autouse=True)
def _clock():
    with time_machine.travel(datetime.datetime(2026, 11, 2, 10, 0, tzinfo=datetime.UTC), tick=False):
        yield


@pytest.fixture
def eh(world):
    tool_version(key="early-help")
    files = {
        "old": CaseFileFactory(
            case_reference="EH-OLD",
            team=world.team_eh1,
            case_type=CaseType.EARLY_HELP,
            opened_on=datetime.date(2026, 9, 2),
        ),
        "young": CaseFileFactory(
            case_reference="EH-YOUNG",
            team=world.team_eh1,
            case_type=CaseType.EARLY_HELP,
            opened_on=datetime.date(2026, 9, 3),
        ),
        "restricted": CaseFileFactory(
            case_reference="EH-R",
            team=world.team_eh1,
            case_type=CaseType.EARLY_HELP,
            opened_on=datetime.date(2025, 1, 1),
            restricted=True,
        ),
        "closed": CaseFileFactory(
            case_reference="EH-CLOSED",
            team=world.team_eh1,
            case_type=CaseType.EARLY_HELP,
            opened_on=datetime.date(2025, 1, 1),
            closed_on=datetime.date(2026, 10, 1),
        ),
        "social": CaseFileFactory(case_reference="SW-1", team=world.team_a1, opened_on=datetime.date(2025, 1, 1)),
    }
    files["ops_manager"] = person_with_role(Role.TEAM_MANAGER, team=world.team_eh1, email="ehops@example.test")
    return files


def _refs(qs):
    return [c.case_reference for c in qs]


def test_candidates_are_open_two_months_not_restricted_early_help(world, eh):
    # CASE-EH (opened 2024) qualifies; EH-OLD opened exactly two months ago does; EH-YOUNG a day short does not.
    assert _refs(early_help_candidates(today=TODAY)) == ["CASE-EH", "EH-OLD"]


def test_minimum_period_is_the_qa_setting(world, eh):
    settings = QASettings.current()
    settings.min_open_months_early_help = 1
    settings.save()
    assert "EH-YOUNG" in _refs(early_help_candidates(today=TODAY))


def test_only_early_help_coordinators_and_operational_managers_audit(world, eh):
    auditors = set(early_help_auditors(today=TODAY))
    assert auditors == {world.people["early_help_coordinator"], eh["ops_manager"]}
    lead = world.people["early_help_strategic_lead"]
    with pytest.raises(EarlyHelpError, match="not an early help co-ordinator"):
        early_help_allocate(
            case_files=[eh["old"]],
            auditor=world.people["team_manager_same"],
            actor_scope=scope_for(lead, today=TODAY),
            actor=lead,
            today=TODAY,
        )


def test_only_the_strategic_lead_allocates(world, eh):
    qa = world.people["qa_manager"]
    with pytest.raises(EarlyHelpError, match="Only the early help strategic lead"):
        early_help_allocate(
            case_files=[eh["old"]],
            auditor=world.people["early_help_coordinator"],
            actor_scope=scope_for(qa, today=TODAY),
            actor=qa,
            today=TODAY,
        )


def test_ineligible_file_is_refused(world, eh):
    lead = world.people["early_help_strategic_lead"]
    with pytest.raises(EarlyHelpError, match="EH-YOUNG"):
        early_help_allocate(
            case_files=[eh["young"]],
            auditor=world.people["early_help_coordinator"],
            actor_scope=scope_for(lead, today=TODAY),
            actor=lead,
            today=TODAY,
        )


def test_lead_allocates_through_the_page(client, world, eh):
    lead = world.people["early_help_strategic_lead"]
    # A co-ordinator of another early help team: never a file from the team they co-ordinate.
    coordinator = person_with_role(Role.EH_COORDINATOR, team=TeamFactory(code="eh2", service_area=world.area_eh))
    client.force_login(lead)
    page = client.get(URL).content.decode()
    assert "EH-OLD" in page
    assert "EH-YOUNG" not in page
    assert "EH-R" not in page
    assert "SW-1" not in page
    response = client.post(URL, {"case_files": [str(eh["old"].pk), str(world.case_eh.pk)], "auditor": coordinator.pk})
    assert response.status_code == 302
    audits = Audit.objects.filter(auditor=coordinator).order_by("case_reference")
    assert [a.case_reference for a in audits] == ["CASE-EH", "EH-OLD"]
    assert {a.kind for a in audits} == {"early_help"}
    assert {a.tool_version.tool.key for a in audits} == {"early-help"}
    assert {a.due_on for a in audits} == {datetime.date(2026, 11, 30)}
    assert Notification.objects.filter(recipient=coordinator, kind="audit-allocated").count() == 2
    # Audited this month: no longer offered.
    assert "EH-OLD" not in client.get(URL).content.decode()


def test_a_coordinator_is_never_given_a_file_from_their_own_team(client, world, eh):
    client.force_login(world.people["early_help_strategic_lead"])
    own = world.people["early_help_coordinator"]  # co-ordinates team EH1, where EH-OLD is
    response = client.post(URL, {"case_files": [str(eh["old"].pk)], "auditor": own.pk})
    assert response.status_code == 200
    assert "manages the team of EH-OLD" in response.content.decode()
    assert not Audit.objects.filter(auditor=own).exists()


def test_page_errors_are_summarised(client, world, eh):
    client.force_login(world.people["early_help_strategic_lead"])
    response = client.post(URL, {"case_files": [], "auditor": ""})
    page = response.content.decode()
    assert "<title>Error:" in page
    assert "Choose at least one case file" in page
    assert "Choose the auditor" in page


@pytest.mark.parametrize("persona", ["qa_manager", "early_help_coordinator", "team_manager_same", "practitioner_own"])
def test_others_may_not_open_the_page(client, world, eh, persona):
    client.force_login(world.people[persona])
    assert client.get(URL).status_code == 403
