"""Journey through the agreement statistics: a QA officer opens the figures for a period,
switches to one service, then opens an auditor's own figures. Axe checks every page."""

from __future__ import annotations

import datetime

import pytest
from playwright.sync_api import expect

from tests.audits.factories import tool_version
from tests.audits.test_agreement import G, O, R, moderate

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def moderated(world):
    tool = tool_version(key="social-work-case-file")
    october, november = datetime.date(2026, 10, 1), datetime.date(2026, 11, 1)
    for grades, month in (((G, G), october), ((G, R), october), ((O, G), november), ((R, R), november)):
        moderate(
            world,
            tool,
            case="case_a",
            auditor="team_manager_other",
            month=month,
            auditor_grade=grades[0],
            moderator_grade=grades[1],
        )
    for _ in range(3):
        moderate(world, tool, case="case_b", auditor="team_manager_same", auditor_grade=G, moderator_grade=G)


def test_qa_officer_reads_agreement_for_a_period_and_a_service(page, world, moderated, sign_in_as, axe_check):
    sign_in_as(world.people["qa_officer"])
    page.goto("/audits/agreement/")
    expect(page.locator("h1")).to_have_text("Agreement statistics")
    axe_check(page)

    page.fill("#id_from_month", "2026-09")
    page.fill("#id_to_month", "2026-11")
    page.get_by_role("button", name="Show figures").click()
    expect(page.locator("#figure-count")).to_have_text("7")
    expect(page.locator("#read-with-care")).to_be_visible()
    expect(page.locator("#confusion-matrix caption")).to_contain_text("Auditor's overall grade")
    chart = page.locator("#trend-chart")
    expect(chart).to_have_attribute(
        "alt",
        "Line chart of agreement by month for the whole authority, September 2026 to November 2026. "
        "Exact agreement on the overall grade was 50% in October 2026 and 80% in November 2026; "
        "agreement within one grade was 100% and 100%. The table that follows gives every month's figures.",
    )
    # The image really draws (a broken data URI has no natural width).
    assert chart.evaluate("img => img.naturalWidth") > 0
    expect(page.locator("#trend-table")).to_contain_text("Oct 2026")
    axe_check(page)

    page.select_option("#id_service_area", label=world.area_b.name)
    page.get_by_role("button", name="Show figures").click()
    expect(page.locator("#level-heading")).to_contain_text(world.area_b.name)
    expect(page.locator("#figure-count")).to_have_text("3")
    expect(page.locator("#figure-exact")).to_have_text("100%")
    expect(page.locator("#figure-kappa")).to_have_text("Not defined: only one grade used")
    axe_check(page)

    # A mistyped month is shown back with its error.
    page.fill("#id_from_month", "September")
    page.get_by_role("button", name="Show figures").click()
    expect(page.locator(".govuk-error-summary")).to_contain_text("Enter the first month")
    assert page.title().startswith("Error: ")
    expect(page.locator("#id_from_month")).to_have_value("September")
    axe_check(page)

    auditor = world.people["team_manager_other"]
    page.goto(f"/audits/agreement/auditor/{auditor.pk}/?from_month=2026-09&to_month=2026-11")
    expect(page.locator("#figures-hidden")).to_contain_text("Figures are shown once 10 or more audits")
    axe_check(page)
