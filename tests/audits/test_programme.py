"""The annual audit plan and its reviews; thematic audits from criteria to allocation among
several auditors; findings and the action plan; ad-hoc audits opened from the child page."""

from __future__ import annotations

import datetime

import pytest
import time_machine
from django.urls import reverse

from audits.models import Audit, AuditPlan, AuditPlanReview, ProgrammeAudit
from audits.services.programme import programme_allocate, programme_create, programme_set_auditors
from audits.services.sampling import sample_draw
from core.models import Notification
from tests.factories import CaseFileFactory, DutyFactory

from .factories import tool_version

TODAY = datetime.date(2026, 11, 2)


@pytest.fixture(autouse=True)
def _clock():
    with time_machine.travel(datetime.datetime(2026, 11, 2, 10, 0, tzinfo=datetime.UTC), tick=False):
        yield


def test_qa_team_adds_plan_items_and_records_reviews(client, world):
    qa = world.people["qa_officer"]
    client.force_login(qa)
    url = reverse("audits:audit-plan")
    response = client.post(
        url,
        {
            "action": "item",
            "item-theme": "Neglect",
            "item-month": "2027-01-01",
            "item-lead": qa.pk,
            "item-scope": "Children on a plan for neglect over 12 months",
            "item-status": "planned",
        },
    )
    assert response.status_code == 302
    plan = AuditPlan.objects.get(year_starting=2026)
    assert [i.theme for i in plan.items.all()] == ["Neglect"]
    for body in ("qa_team", "senior_leadership", "board"):
        response = client.post(
            url,
            {
                "action": "review",
                "review-body": body,
                "review-reviewed_on_0": "1",
                "review-reviewed_on_1": "10",
                "review-reviewed_on_2": "2026",
                "review-notes": f"Agreed by {body}",
            },
        )
        assert response.status_code == 302
    assert sorted(plan.reviews.values_list("body", flat=True)) == sorted(AuditPlanReview.Body.values)
    page = client.get(url).content.decode()
    assert "Neglect" in page
    assert "Practice and performance board" in page
    assert "Agreed by board" in page


def test_plan_form_errors_keep_input_and_title(client, world):
    client.force_login(world.people["qa_manager"])
    response = client.post(
        reverse("audits:audit-plan"),
        {"action": "review", "review-body": "", "review-notes": "kept text"},
    )
    page = response.content.decode()
    assert response.status_code == 200
    assert "<title>Error:" in page
    assert "Choose who reviewed the plan" in page
    assert "kept text" in page


def test_managers_read_the_plan_but_cannot_change_it(client, world):
    client.force_login(world.people["service_manager_same"])
    url = reverse("audits:audit-plan")
    assert client.get(url).status_code == 200
    assert client.post(url, {"action": "item"}).status_code == 403
    client.force_login(world.people["practitioner_own"])
    assert client.get(url).status_code == 403


@pytest.fixture
def thematic(world):
    for i in range(6):
        CaseFileFactory(case_reference=f"T-{i}", team=world.team_b1, legal_status="CP plan: neglect")
    return programme_create(
        kind=ProgrammeAudit.Kind.THEMATIC,
        title="Neglect over 12 months",
        tool_version=tool_version(),
        criteria={"legal_status_contains": "neglect"},
        sample_size=4,
        actor=world.people["qa_officer"],
    )


def test_page_shows_matching_count_before_drawing(client, world, thematic):
    client.force_login(world.people["qa_officer"])
    url = reverse("audits:programme-detail", args=[thematic.pk])
    assert "6 case files match these criteria" in client.get(url).content.decode()
    response = client.post(
        url,
        {
            "action": "criteria",
            "criteria-legal_status_contains": "neglect",
            "criteria-team_ids": [str(world.team_b1.pk)],
            "criteria-open_state": "open",
            "criteria-previous_audits": "any",
            "criteria-sample_size": "3",
        },
    )
    assert response.status_code == 302
    thematic.refresh_from_db()
    assert thematic.criteria["team_ids"] == [world.team_b1.pk]
    assert thematic.sample_size == 3
    client.post(url, {"action": "draw"})
    thematic.refresh_from_db()
    assert len(thematic.criteria["sampled"]) == 3
    assert "match these criteria" not in client.get(url).content.decode()


def test_sample_allocated_round_robin_among_auditors(world, thematic):
    a1 = world.people["team_manager_same"]  # TM of A1: may audit the B1 files
    a2 = world.people["service_manager_other"]  # SM of area B
    DutyFactory(person=a2, duty="auditor")
    sample_draw(programme=thematic, today=TODAY)
    programme_set_auditors(programme=thematic, auditors=[a1, a2], actor=world.people["qa_officer"])
    made = programme_allocate(programme=thematic, actor=world.people["qa_officer"], today=TODAY)
    assert len(made) == 4
    audits = Audit.objects.filter(programme=thematic)
    assert audits.count() == 4
    assert set(audits.values_list("kind", flat=True)) == {"thematic"}
    counts = sorted(audits.filter(auditor=p).count() for p in (a1, a2))
    assert counts == [2, 2]
    # Allocating again adds nothing.
    assert programme_allocate(programme=thematic, actor=world.people["qa_officer"], today=TODAY) == []
    thematic.refresh_from_db()
    assert thematic.status == ProgrammeAudit.Status.IN_PROGRESS
    assert Notification.objects.filter(recipient=a1, kind="audit-allocated").count() == 2


def test_an_auditor_never_gets_a_case_of_a_team_they_manage(world, thematic):
    tm_b1 = world.people["team_manager_other"]  # manages B1: every sampled case
    DutyFactory(person=tm_b1, duty="auditor")
    other = world.people["team_manager_same"]
    sample_draw(programme=thematic, today=TODAY)
    programme_set_auditors(programme=thematic, auditors=[tm_b1, other], actor=world.people["qa_officer"])
    programme_allocate(programme=thematic, actor=world.people["qa_officer"], today=TODAY)
    assert not Audit.objects.filter(programme=thematic, auditor=tm_b1).exists()
    assert Audit.objects.filter(programme=thematic, auditor=other).count() == 4


def test_assigned_auditor_sees_their_programme_and_others_do_not(client, world, thematic):
    auditor = world.people["team_manager_same"]
    thematic.auditors.add(auditor)
    client.force_login(auditor)
    url = reverse("audits:programme-detail", args=[thematic.pk])
    assert client.get(url).status_code == 200
    assert client.post(url, {"action": "draw"}).status_code == 403
    client.force_login(world.people["practitioner_other"])
    assert client.get(url).status_code == 404
    client.force_login(world.people["partner_contributor"])
    assert client.get(url).status_code == 404


def test_findings_and_action_plan(client, world, thematic):
    client.force_login(world.people["qa_officer"])
    url = reverse("audits:programme-detail", args=[thematic.pk])
    response = client.post(
        url,
        {
            "action": "findings",
            "findings-findings": "Plans were clear",
            "findings-recommendations": "Review chronologies",
            "findings-partnership_themes": "",
            "findings-version": "0",
        },
    )
    assert response.status_code == 302
    # A stale version is refused kindly, showing the text saved meanwhile.
    response = client.post(
        url,
        {"action": "findings", "findings-findings": "Other", "findings-recommendations": "", "findings-version": "0"},
    )
    assert response.status_code == 200
    assert "Plans were clear" in response.content.decode()
    owner = world.people["service_manager_same"]
    response = client.post(
        url,
        {
            "action": "action",
            "action-description": "Refresh neglect training",
            "action-owner": owner.pk,
            "action-due_on_0": "31",
            "action-due_on_1": "1",
            "action-due_on_2": "2027",
        },
    )
    assert response.status_code == 302
    thematic.refresh_from_db()
    assert thematic.status == ProgrammeAudit.Status.REPORTED
    assert thematic.actions.get().owner == owner
    assert Notification.objects.filter(recipient=owner, kind="programme-action").exists()
    assert "Refresh neglect training" in client.get(url).content.decode()


def test_qa_creates_a_thematic_audit(client, world):
    client.force_login(world.people["qa_officer"])
    response = client.post(
        reverse("audits:programme-new"), {"kind": "thematic", "title": "Voice of the child", "reason": "plan"}
    )
    programme = ProgrammeAudit.objects.get(title="Voice of the child")
    assert response.status_code == 302
    assert response.url == reverse("audits:programme-detail", args=[programme.pk])
    # An ad-hoc audit needs a reason other than the plan.
    response = client.post(reverse("audits:programme-new"), {"kind": "ad_hoc", "title": "X", "reason": "plan"})
    assert response.status_code == 200
    assert "Choose why this ad-hoc audit is being opened" in response.content.decode()


def test_ad_hoc_audit_from_the_child_page(client, world):
    client.force_login(world.people["qa_officer"])
    url = reverse("audits:programme-new-for-child", args=["CASE-A"])
    assert client.get(url).status_code == 200
    response = client.post(url, {"reason_detail": "Raised by the IRO after a review"})
    programme = ProgrammeAudit.objects.get(case_file=world.case_a)
    assert response.status_code == 302
    assert programme.kind == "ad_hoc"
    assert programme.reason == "child"
    assert programme.criteria["sampled"] == [world.case_a.pk]
    # A case outside the QA officer's scope (restricted) is not found; other roles may not start one.
    assert client.get(reverse("audits:programme-new-for-child", args=["CASE-R"])).status_code == 404
    client.force_login(world.people["team_manager_same"])
    assert client.get(url).status_code == 403


def test_demo_seed_is_idempotent(db):
    import io

    from django.core.management import call_command

    from audits.demo_programme import seed_programme
    from audits.models import AuditPlan, PartnerSection

    today = datetime.date(2026, 3, 2)
    call_command("seed_demo", "--size", "tiny", "--today", today.isoformat(), stdout=io.StringIO())
    first = seed_programme(size="tiny", today=today)
    counts = (ProgrammeAudit.objects.count(), Audit.objects.count(), PartnerSection.objects.count())
    assert seed_programme(size="tiny", today=today).split(",")[0] == first.split(",")[0]
    assert (ProgrammeAudit.objects.count(), Audit.objects.count(), PartnerSection.objects.count()) == counts
    plan = AuditPlan.objects.get(year_starting=2025)
    assert 4 <= plan.items.count() <= 6
    assert plan.reviews.filter(body="qa_team").exists()
    assert ProgrammeAudit.objects.filter(kind="ad_hoc", reason="child").exists()
    assert PartnerSection.objects.count() == 2
    print(first)
