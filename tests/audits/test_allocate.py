"""Allocation by hand: the QA team allocates an audit of any case it may see, with a reason;
restricted case files only by the QA manager; the case frozen as it is at allocation."""

from __future__ import annotations

import datetime

import pytest
import time_machine
from django.urls import reverse

from audits.models import Audit, AuditKind, AuditStatus
from audits.services.allocation import AllocationError, audit_allocate_by_hand
from core.models import Notification
from organisation.models import CaseFile
from tests.factories import DutyFactory

from .factories import tool_version

URL = reverse("audits:allocate")
TODAY = datetime.date(2026, 11, 2)  # a Monday
DUE = datetime.date(2026, 11, 27)


@pytest.fixture(autouse=True)
def _clock():
    with time_machine.travel(datetime.datetime(2026, 11, 2, 10, 0, tzinfo=datetime.UTC), tick=False):
        yield


@pytest.fixture
def tools(db):
    return {"social": tool_version(key="social-work-case-file"), "early_help": tool_version(key="early-help")}


@pytest.fixture
def auditor(world):
    """team_manager_other: TM of team B1, given the auditor duty."""
    person = world.people["team_manager_other"]
    DutyFactory(person=person, duty="auditor")
    return person


def _post(client, person, **overrides):
    data = {
        "case_reference": "CASE-A",
        "auditor": "",
        "kind": AuditKind.AD_HOC,
        "due_on_0": str(DUE.day),
        "due_on_1": str(DUE.month),
        "due_on_2": str(DUE.year),
        "reason": "Requested by the service manager after a complaint",
    }
    data.update({k: str(v) for k, v in overrides.items()})
    client.force_login(person)
    return client.post(URL, data)


def test_qa_officer_allocates_and_the_case_is_frozen(client, world, tools, auditor):
    response = _post(client, world.people["qa_officer"], auditor=auditor.pk)
    audit = Audit.objects.get()
    assert response.status_code == 302
    assert response["Location"] == reverse("audits:audit-detail", args=[audit.pk])
    assert audit.status == AuditStatus.ALLOCATED
    assert audit.kind == AuditKind.AD_HOC
    assert audit.auditor == auditor
    assert audit.allocated_by == world.people["qa_officer"]
    assert audit.allocation_reason == "Requested by the service manager after a complaint"
    assert audit.due_on == DUE
    assert audit.month == datetime.date(2026, 11, 1)
    assert audit.tool_version == tools["social"]
    assert (audit.team, audit.practitioner, audit.case_type) == (
        world.team_a1,
        world.people["practitioner_own"],
        "child_in_need",
    )
    # Later moves do not rewrite the audit.
    CaseFile.objects.filter(pk=world.case_a.pk).update(team=world.team_b1, case_type="child_protection")
    audit.refresh_from_db()
    assert audit.team == world.team_a1
    assert audit.service_area == world.area_a
    assert audit.case_type == "child_in_need"
    page = client.get(response["Location"], follow=True).content.decode()
    assert "allocated to" in page


def test_the_auditor_practitioner_and_team_manager_are_told(client, world, tools, auditor):
    _post(client, world.people["qa_officer"], auditor=auditor.pk)
    told = set(Notification.objects.values_list("recipient__email", flat=True))
    assert told == {auditor.email, world.people["practitioner_own"].email, world.people["team_manager_same"].email}
    # Emails carry no initials or grade: only a neutral line and a link.
    for notification in Notification.objects.all():
        assert "AB" not in notification.message
        assert "CASE-A" not in notification.message


def test_early_help_case_gets_the_early_help_tool(client, world, tools, auditor):
    _post(client, world.people["qa_officer"], auditor=auditor.pk, case_reference="case-eh")
    assert Audit.objects.get().tool_version == tools["early_help"]


def test_the_current_version_is_the_highest_published(client, world, tools, auditor):
    newer = tool_version(key="social-work-case-file", number=2)
    tool_version(key="social-work-case-file", number=3, status="draft")
    _post(client, world.people["qa_officer"], auditor=auditor.pk)
    assert Audit.objects.get().tool_version == newer


def test_restricted_case_refused_to_the_qa_officer(client, world, tools, auditor):
    response = _post(client, world.people["qa_officer"], auditor=auditor.pk, case_reference="CASE-R")
    assert response.status_code == 200
    html = response.content.decode()
    assert "<title>Error: " in html
    assert "No case file with that reference that you can see" in html
    assert not Audit.objects.exists()


def test_restricted_case_allowed_to_the_qa_manager(client, world, tools, auditor):
    response = _post(client, world.people["qa_manager"], auditor=auditor.pk, case_reference="CASE-R")
    assert response.status_code == 302
    audit = Audit.objects.get()
    assert audit.restricted
    # The auditor now sees the restricted case file through the audit.
    client.force_login(auditor)
    assert client.get(reverse("organisation:case-detail", args=["CASE-R"])).status_code == 200


def test_the_qa_officer_refused_even_a_restricted_case_they_can_see(world, tools, auditor):
    from audits.forms_allocate import AllocateForm
    from organisation.scope import Scope

    # A QA officer who can see the file through a relationship still cannot allocate it.
    scope = Scope(user_id=world.people["qa_officer"].pk, today=TODAY, roles=frozenset({"qa_officer"}))
    form = AllocateForm(
        {
            "case_reference": "CASE-R",
            "auditor": auditor.pk,
            "kind": "monthly",
            "due_on_0": "27",
            "due_on_1": "11",
            "due_on_2": "2026",
            "reason": "x",
        },
        scope=scope,
    )
    CaseFile.objects.filter(pk=world.case_restricted.pk).update(practitioner=world.people["qa_officer"])
    assert not form.is_valid()
    assert form.errors["case_reference"] == ["Only the QA manager allocates an audit of a restricted case file"]


def test_own_case_refused(client, world, tools):
    practitioner = world.people["practitioner_own"]
    DutyFactory(person=practitioner, duty="auditor")
    response = _post(client, world.people["qa_officer"], auditor=practitioner.pk)
    assert response.status_code == 200
    assert "An auditor cannot audit a case they work with themselves." in response.content.decode()
    assert not Audit.objects.exists()


def test_own_team_and_chaired_cases_refused(client, world, tools):
    manager = world.people["team_manager_same"]  # TM of team A1, auditor duty
    response = _post(client, world.people["qa_officer"], auditor=manager.pk)
    assert "An auditor cannot audit a case in a team they manage directly." in response.content.decode()
    chair = world.people["conference_chair"]
    DutyFactory(person=chair, duty="auditor")
    response = _post(client, world.people["qa_officer"], auditor=chair.pk)
    assert "An auditor cannot audit a case they chair or review." in response.content.decode()
    assert not Audit.objects.exists()


def test_only_people_with_the_auditor_duty_are_offered(client, world, tools, auditor):
    client.force_login(world.people["qa_officer"])
    html = client.get(URL).content.decode()
    select = html.split('id="id_auditor"', 1)[1].split("</select>", 1)[0]
    assert auditor.full_name in select
    assert world.people["team_manager_same"].full_name in select
    assert world.people["practitioner_other"].full_name not in select
    response = _post(client, world.people["qa_officer"], auditor=world.people["practitioner_other"].pk)
    assert "Choose an auditor from the list" in response.content.decode()


def test_the_due_date_defaults_to_the_last_working_day_of_the_month(client, world, tools):
    client.force_login(world.people["qa_officer"])
    html = client.get(URL).content.decode()
    # 30 November 2026 is a Monday.
    assert 'name="due_on_0" value="30"' in html
    assert 'name="due_on_1" value="11"' in html
    assert 'name="due_on_2" value="2026"' in html


@pytest.mark.parametrize(
    ("overrides", "message"),
    [
        ({"case_reference": ""}, "Enter the case reference"),
        ({"case_reference": "NOPE-1"}, "No case file with that reference that you can see"),
        # case_b is in team B1, which this auditor manages.
        ({"case_reference": "CASE-B"}, "An auditor cannot audit a case in a team they manage directly."),
        ({"reason": ""}, "Enter why you are allocating this audit by hand"),
        ({"due_on_0": "31", "due_on_1": "2"}, "The due date must be a real date"),
        ({"due_on_0": "1", "due_on_1": "10"}, "The due date must be today or in the future"),
        ({"due_on_0": "", "due_on_1": "", "due_on_2": ""}, "Enter the due date"),
    ],
)
def test_validation_messages_in_the_error_summary_and_input_kept(client, world, tools, auditor, overrides, message):
    response = _post(client, world.people["qa_officer"], auditor=auditor.pk, **overrides)
    html = response.content.decode()
    assert response.status_code == 200
    summary = html.split('class="govuk-error-summary"', 1)[1].split("</div>\n</div>", 1)[0]
    assert message in summary
    assert "<title>Error: " in html
    assert "Requested by the service manager after a complaint" in html or overrides.get("reason") == ""
    assert not Audit.objects.exists()


def test_no_tool_loaded_says_so(client, world, auditor):
    client.force_login(world.people["qa_officer"])
    html = client.get(URL).content.decode()
    assert "no published tool is loaded" in html
    response = _post(client, world.people["qa_officer"], auditor=auditor.pk)
    assert "No audit tool for child in need cases is loaded yet" in response.content.decode()
    assert not Audit.objects.exists()


@pytest.mark.parametrize("persona", ["team_manager_same", "service_manager_same", "director", "practitioner_own"])
def test_wrong_role_is_refused(client, world, tools, auditor, persona):
    client.force_login(world.people[persona])
    assert client.get(URL).status_code == 403
    assert _post(client, world.people[persona], auditor=auditor.pk).status_code == 403
    assert not Audit.objects.exists()


def test_wrong_method(client, world):
    client.force_login(world.people["qa_officer"])
    assert client.put(URL).status_code == 405


def test_the_service_refuses_a_restricted_rule_breach_and_a_blank_reason(world, tools, auditor):
    with pytest.raises(AllocationError, match="Enter why"):
        audit_allocate_by_hand(
            case_file=world.case_a,
            auditor=auditor,
            kind="monthly",
            due_on=DUE,
            reason="  ",
            actor=world.people["qa_officer"],
            today=TODAY,
        )
    with pytest.raises(AllocationError, match="auditor duty"):
        audit_allocate_by_hand(
            case_file=world.case_a,
            auditor=world.people["practitioner_other"],
            kind="monthly",
            due_on=DUE,
            reason="Cover",
            actor=world.people["qa_officer"],
            today=TODAY,
        )
    assert not Audit.objects.exists()
