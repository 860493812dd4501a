"""Journey: a conference chair records a practice concern (first with a mistake), reads it, moves it
to the next stage and records it resolved; the team manager reads it from the list; the PSW reads
the monthly summary. By keyboard where it matters; axe on every page."""

from __future__ import annotations

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from feedback.models import ReviewingOfficerAlert

from .test_alerts import make_stages, make_themes

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_a_chair_records_and_resolves_a_practice_concern(page, world, sign_in_as, axe_check, tab_to):
    make_themes()
    stages = make_stages()
    today = timezone.localdate()
    people = world.people

    sign_in_as(people["conference_chair"])
    page.goto("/")
    page.get_by_role("link", name="Record a good-practice alert or practice concern").click()
    axe_check(page)
    page.get_by_label("Practice concern").check()
    page.get_by_label("Case reference").fill("CASE-A")
    page.get_by_label("Child protection review conference").check()
    page.get_by_label("Day").first.fill(str(today.day))
    page.get_by_label("Month").first.fill(str(today.month))
    page.get_by_label("Year").first.fill(str(today.year))
    page.get_by_label("Theme").select_option(label="Voice of the child")
    page.get_by_label("Summary").fill("Report not shared with the family before the conference")
    # No stage chosen: the page says so, keeps what was typed, and the summary links to the field.
    page.get_by_role("button", name="Record the alert").click()
    assert page.title().startswith("Error:")
    expect(page.locator(".govuk-error-summary")).to_contain_text("Choose the dispute-resolution stage")
    expect(page.get_by_label("Summary")).to_have_value("Report not shared with the family before the conference")
    axe_check(page)
    page.locator(".govuk-error-summary a").first.click()
    page.get_by_label(stages[0].name).check()
    page.get_by_role("button", name="Record the alert").click()
    expect(page.locator(".govuk-notification-banner")).to_contain_text("sent a link to it")
    axe_check(page)
    alert = ReviewingOfficerAlert.objects.get()
    assert alert.stage == stages[0]

    # Moved on a stage, then resolved, by keyboard.
    page.get_by_role("link", name="Move the concern to another stage or record it resolved").click()
    axe_check(page)
    page.get_by_label(stages[1].name).check()
    tab_to(page, "#id_submit", limit=40)
    page.keyboard.press("Enter")
    expect(page.locator(".govuk-notification-banner")).to_contain_text("The alert is updated")
    page.get_by_role("link", name="Move the concern to another stage or record it resolved").click()
    page.get_by_label("Day").fill(str(today.day))
    page.get_by_label("Month").fill(str(today.month))
    page.get_by_label("Year").fill(str(today.year))
    page.get_by_label("Resolution note (optional)").fill("Report now shared before every conference")
    page.get_by_role("button", name="Save the changes").click()
    expect(page.locator("#alert-history")).to_be_visible()
    axe_check(page)
    alert.refresh_from_db()
    assert (alert.stage, alert.resolved_on) == (stages[1], today)

    # The team manager finds it on the list; the PSW reads the month's figures.
    page.context.clear_cookies()
    sign_in_as(people["team_manager_same"])
    page.goto("/feedback/alerts/")
    axe_check(page)
    page.get_by_label("Open or resolved").select_option("resolved")
    page.get_by_role("button", name="Filter").click()
    expect(page.locator("#alert-count")).to_have_text("1 alert")
    page.get_by_role("link", name="CASE-A").click()
    expect(page.locator("h1")).to_have_text("Practice concern")
    axe_check(page)

    page.context.clear_cookies()
    sign_in_as(people["principal_social_worker"])
    page.goto("/feedback/alerts/summary/")
    axe_check(page)
    expect(page.locator("[data-figure=resolved]")).to_have_text("1")
    expect(page.locator("#alert-themes")).to_contain_text("Voice of the child")
    expect(page.locator("main")).not_to_contain_text("CASE-A")
