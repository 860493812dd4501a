"""A QA officer creates a thematic audit with criteria, sees the matching count, draws the
sample and assigns two auditors; a partner contributor writes and submits their section.
Axe on every page."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from audits.models import Audit, PartnerSection, ProgrammeAudit
from audits.services.programme import partner_section_add, programme_create
from tests.factories import CaseFileFactory, DutyFactory

from ..audits.factories import tool_version

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_qa_officer_runs_a_thematic_audit(page, world, sign_in_as, axe_check):
    tool_version(key="social-work-case-file")
    for i in range(5):
        CaseFileFactory(case_reference=f"NEG-{i}", team=world.team_b1, legal_status="CP plan: neglect")
    DutyFactory(person=world.people["service_manager_same"], duty="auditor")
    sign_in_as(world.people["qa_officer"])

    page.goto("/audits/programme/new/")
    axe_check(page)
    page.get_by_label("Thematic audit").check()
    page.get_by_label("Title").fill("Neglect over 12 months")
    page.get_by_label("Audit tool").select_option(index=1)
    page.get_by_role("button", name="Create the audit").click()
    expect(page.locator("h1")).to_have_text("Neglect over 12 months")
    axe_check(page)

    page.get_by_text("Change the sample criteria").click()
    page.get_by_label("Legal status contains").fill("neglect")
    page.get_by_label("Sample size").fill("4")
    page.get_by_role("button", name="Save the criteria").click()
    expect(page.locator("#matching-count")).to_have_text("5 case files match these criteria.")
    axe_check(page)

    page.get_by_role("button", name="Draw the sample").click()
    expect(page.locator("#sampled tbody tr")).to_have_count(4)
    axe_check(page)

    page.get_by_label(world.people["team_manager_same"].full_name).check()
    page.get_by_label(world.people["service_manager_same"].full_name).check()
    page.get_by_role("button", name="Save the auditors").click()
    page.get_by_role("button", name="Allocate the sampled cases to the auditors").click()
    expect(page.locator("#programme-audits tbody tr")).to_have_count(4)
    axe_check(page)
    programme = ProgrammeAudit.objects.get(title="Neglect over 12 months")
    assert Audit.objects.filter(programme=programme).values("auditor").distinct().count() == 2


def test_partner_contributor_writes_and_submits(page, world, sign_in_as, axe_check):
    programme = programme_create(kind="multi_agency", title="Domestic abuse", actor=world.people["qa_officer"])
    section = partner_section_add(
        programme=programme,
        partner=world.people["partner_contributor"],
        agency="Police",
        title="Police involvement",
        prompt="What did the police know?",
        actor=world.people["qa_officer"],
    )
    sign_in_as(world.people["partner_contributor"])
    page.goto("/audits/partner/")
    axe_check(page)
    page.get_by_role("link", name="Domestic abuse: Police involvement").click()
    expect(page.locator("#prompt")).to_have_text("What did the police know?")
    axe_check(page)
    page.get_by_label("Your contribution").fill("Two call-outs in March; shared with children's services.")
    page.get_by_role("button", name="Save the section").click()
    expect(page.locator(".govuk-notification-banner")).to_contain_text("Your section has been saved")
    page.get_by_role("button", name="Submit the section").click()
    expect(page.locator(".govuk-panel")).to_contain_text("Submitted")
    axe_check(page)
    section.refresh_from_db()
    assert section.submitted_at is not None
    assert PartnerSection.objects.get(pk=section.pk).content.startswith("Two call-outs")
