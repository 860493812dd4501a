"""Journey: the QA officer records a staff survey (first with a wrong line of results), reads it,
and a team manager finds it under each of its themes on the list, filtered by theme. Axe on every
page."""

from __future__ import annotations

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from feedback.models import VoiceEntry
from feedback.services.voices import WORKFORCE_HINT

from .test_voices import themes

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_the_qa_officer_records_a_staff_survey_and_a_manager_reads_it_by_theme(
    page, world, sign_in_as, axe_check, tab_to
):
    themes()
    today = timezone.localdate()

    sign_in_as(world.people["qa_officer"])
    page.goto("/")
    page.get_by_role("link", name="Other voices: complaints, compliments, councils and the workforce").click()
    axe_check(page)
    page.get_by_role("link", name="Record another voice").click()
    expect(page.locator("#workforce-hint")).to_contain_text(WORKFORCE_HINT)
    axe_check(page)
    page.get_by_role("radio", name="Staff survey").check()
    page.get_by_label("Day").fill(str(today.day))
    page.get_by_label("Month").fill(str(today.month))
    page.get_by_label("Year").fill(str(today.year))
    page.get_by_role("checkbox", name="Supervision").check()
    page.get_by_role("checkbox", name="Workload").check()
    page.get_by_label("Title", exact=True).fill("Annual staff survey")
    page.get_by_label("Short summary").fill("Most feel supported; caseloads are the main worry.")
    page.get_by_label("How many people answered? (staff surveys only)").fill("140")
    page.get_by_label("Results (staff surveys only)").fill(
        "I get regular supervision | 78\nMy caseload is manageable | lots"
    )
    page.get_by_role("button", name="Save the entry").click()
    assert page.title().startswith("Error:")
    expect(page.locator(".govuk-error-summary")).to_contain_text("Line 2")
    axe_check(page)
    page.get_by_label("Results (staff surveys only)").fill(
        "I get regular supervision | 78\nMy caseload is manageable | 54"
    )
    tab_to(page, "input[type=submit][value='Save the entry']", limit=80)
    page.keyboard.press("Enter")
    expect(page.locator(".govuk-notification-banner")).to_contain_text("The entry is saved")
    expect(page.locator("[data-results=shown]")).to_contain_text("54%")
    axe_check(page)
    entry = VoiceEntry.objects.get()

    page.context.clear_cookies()
    sign_in_as(world.people["team_manager_same"])
    page.goto("/feedback/voices/")
    expect(page.locator(f"[data-entry='{entry.pk}']")).to_have_count(2)
    axe_check(page)
    page.get_by_label("Theme").select_option(label="Workload")
    page.get_by_role("button", name="Show entries").click()
    expect(page.locator("section[data-theme]")).to_have_count(1)
    expect(page.locator(f"[data-entry='{entry.pk}']")).to_have_count(1)
    axe_check(page)
