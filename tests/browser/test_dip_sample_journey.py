"""Journey: the QA team sets the month's theme; a team manager opens their dip sample, records a
result for all 5 files by keyboard and marks it done; the summary shows the counts. Axe on every
page."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from audits.models import DipSample
from tests.audits.test_dip_samples import dip_checklist
from tests.factories import CaseFileFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_a_team_manager_completes_their_dip_sample_by_keyboard(page, world, sign_in_as, axe_check, tab_to):
    for n in range(6):
        CaseFileFactory(case_reference=f"A1-{n:02d}", team=world.team_a1)
    checklist = dip_checklist()
    people = world.people

    # The QA team sets the month's theme: every manager is given their sample.
    sign_in_as(people["qa_officer"])
    page.goto("/audits/dip-samples/")
    axe_check(page)
    page.get_by_label("Theme").fill("Supervision and oversight")
    page.get_by_label("Checklist").select_option(str(checklist.pk))
    page.locator("input[name=month]").first.check()
    page.get_by_role("button", name="Set the theme and draw the samples").click()
    expect(page.locator(".govuk-notification-banner")).to_contain_text("managers were given their sample")
    axe_check(page)

    # The team manager finds their sample and records every file by keyboard.
    page.context.clear_cookies()
    sign_in_as(people["team_manager_same"])
    page.goto("/audits/dip-samples/mine/")
    axe_check(page)
    page.get_by_role("link", name="open the dip sample").click()
    expect(page.locator("h1")).to_have_text("Supervision and oversight")
    axe_check(page)
    sample = DipSample.objects.get(manager=people["team_manager_same"])
    items = list(sample.items.order_by("position"))
    assert len(items) == 5
    results = ["met", "met", "partly_met", "not_met", "met"]
    for item, result in zip(items, results, strict=True):
        # Tab to the group's first radio, then arrow keys choose within the group.
        tab_to(page, f"input[name='item-{item.pk}-result']", limit=200)
        page.keyboard.press("Space")
        steps = {"met": 0, "partly_met": 1, "not_met": 2}[result]
        for _ in range(steps):
            page.keyboard.press("ArrowRight")
        expect(page.locator(f"input[name='item-{item.pk}-result'][value='{result}']")).to_be_checked()
        page.keyboard.press("Tab")
        page.keyboard.type("Initials only: supervision seen")
    tab_to(page, "button[value=done]", limit=50)
    page.keyboard.press("Enter")
    expect(page.locator(".govuk-notification-banner")).to_contain_text("Dip sample marked as done")
    axe_check(page)
    sample.refresh_from_db()
    assert sample.status == DipSample.Status.DONE

    # The summary shows the team's counts for its clinic.
    page.goto(f"/audits/dip-samples/summary/?month={sample.round.month:%Y-%m}")
    axe_check(page)
    row = page.locator("tr[data-team='a1']")
    expect(row.locator("td").nth(1)).to_have_text("3")
    expect(row.locator("td").nth(2)).to_have_text("1")
    expect(row.locator("td").nth(3)).to_have_text("1")
