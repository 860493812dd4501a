"""Journey: the QA officer proposes this month's allocation, swaps one case with a reason and
confirms; the practitioner of a confirmed case finds the message on "my work". Each page is
checked with axe."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from audits.models import AllocationRound, Audit
from tests.audits.factories import tool_version
from tests.factories import CaseFileFactory, DutyFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_the_qa_officer_proposes_swaps_and_confirms_and_the_practitioner_is_told(page, world, sign_in_as, axe_check):
    people = world.people
    tool_version(key="social-work-case-file")
    DutyFactory(person=people["team_manager_other"])
    for team, practitioner in (
        (world.team_a1, people["practitioner_own"]),
        (world.team_b1, people["practitioner_other"]),
    ):
        CaseFileFactory(team=team, practitioner=practitioner)

    sign_in_as(people["qa_officer"])
    page.goto("/audits/allocation/")
    expect(page.locator("h1")).to_have_text("Monthly allocation")
    axe_check(page)

    page.get_by_role("button", name=re.compile(r"^Propose this month")).click()
    expect(page.locator("h1")).to_contain_text("Allocation for")
    expect(page.locator(".govuk-notification-banner")).to_contain_text("is ready to review")
    round_ = AllocationRound.objects.get()
    axe_check(page)

    # Swap the first auditor's case: without a reason first (an error), then with one.
    first = round_.proposals.select_related("auditor", "case_file").order_by("auditor__full_name", "auditor_id")[0]
    page.get_by_role("link", name=f"Swap the case for {first.auditor.full_name}").click()
    expect(page.locator("h1")).to_have_text(f"Swap the case for {first.auditor.full_name}")
    axe_check(page)
    case_select = page.get_by_label("Case file")
    case_select.select_option(index=1)
    chosen = case_select.evaluate("el => el.options[el.selectedIndex].text").split(" — ")[0]
    page.get_by_role("button", name="Swap the case").click()
    expect(page).to_have_title(re.compile(r"^Error: "))
    expect(page.locator(".govuk-error-summary")).to_contain_text("Enter why you are swapping the case")
    axe_check(page)
    page.get_by_label("Why are you swapping the case?").fill("Spread the month across both areas")
    page.get_by_role("button", name="Swap the case").click()
    expect(page.locator(".govuk-notification-banner")).to_contain_text(f"now has {chosen}")
    expect(page.locator("#proposal")).to_contain_text("Swapped: Spread the month across both areas")
    axe_check(page)

    page.get_by_role("button", name="Confirm the allocation").click()
    expect(page.locator(".govuk-notification-banner")).to_contain_text("audits allocated")
    axe_check(page)
    swapped = Audit.objects.select_related("practitioner").get(case_reference=chosen)
    assert swapped.auditor_id == first.auditor_id

    # The practitioner of the swapped-in case is told on "my work".
    page.context.clear_cookies()
    sign_in_as(swapped.practitioner)
    page.goto("/")
    messages = page.locator("#messages")
    expect(page.get_by_role("heading", name="Messages for you")).to_be_visible()
    expect(messages).to_contain_text("An audit of a child you work with has been arranged")
    axe_check(page)
