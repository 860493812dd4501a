"""Journey: the PSW opens the learning page, filters it to one service area, and records a learning
summary (a mistake first: the error summary keeps what was typed); the summary then appears on the
learning page with its source. Axe on every page."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from boards.models import LearningSummary
from tests.boards.test_themes import tagged  # noqa: F401 (fixture)

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True), pytest.mark.usefixtures("tagged")]


def test_the_psw_reads_the_themes_by_area_and_records_a_learning_summary(page, world, sign_in_as, axe_check):
    sign_in_as(world.people["principal_social_worker"])
    page.goto("/boards/learning/?first=2026-08&last=2026-10")
    expect(page.locator("h1")).to_have_text("Learning from practice")
    by_area = page.locator("#themes-by-area")
    expect(by_area).to_contain_text(world.area_a.name)
    expect(by_area).to_contain_text("The whole service")
    expect(by_area).to_contain_text("fewer than 5")
    axe_check(page)

    # Filter to area B: only its themes, and its trend over the last 4 quarters.
    page.get_by_label("Service area").select_option(label=world.area_b.name)
    page.get_by_role("button", name="Show").click()
    expect(page.locator("#over-time")).to_contain_text(world.area_b.name)
    expect(by_area).not_to_contain_text(world.area_a.name)
    expect(by_area).to_contain_text("Supervision")
    axe_check(page)

    # Record a learning summary: without a title first.
    page.get_by_role("link", name="Record a learning summary").click()
    expect(page.locator("h1")).to_have_text("Record a learning summary")
    axe_check(page)
    page.get_by_label("First month").fill("2026-08")
    page.get_by_label("Last month").fill("2026-10")
    page.get_by_label("Learning summary").fill("Supervision is a strength in area B: keep protecting the time.")
    page.get_by_role("button", name="Save the learning summary").click()
    expect(page.locator(".govuk-error-summary")).to_contain_text("Enter a title")
    assert page.title().startswith("Error: ")
    expect(page.get_by_label("Learning summary")).to_have_value(
        "Supervision is a strength in area B: keep protecting the time."
    )
    axe_check(page)
    page.get_by_label("Title").fill("Supervision in area B")
    page.get_by_label("Service area").select_option(label=world.area_b.name)
    page.get_by_label("Supervision").check()
    page.get_by_role("button", name="Save the learning summary").click()
    expect(page.locator(".govuk-notification-banner")).to_contain_text("The learning summary is saved.")
    expect(page.locator("h1")).to_have_text("Supervision in area B")
    axe_check(page)
    summary = LearningSummary.objects.get()
    assert summary.service_area == world.area_b
    assert list(summary.themes.values_list("slug", flat=True)) == ["supervision"]

    # It is on the learning page, labelled with its source.
    page.goto(f"/boards/learning/?first=2026-08&last=2026-10&area={world.area_b.pk}")
    items = page.locator("#learning-items")
    expect(items).to_contain_text("Learning summary")
    expect(items).to_contain_text("Supervision in area B")
    axe_check(page)
