"""Journey through a practice week in a real browser: the QA team schedules the week (a mistake
first), a team manager logs an activity by keyboard (a date outside the week first), the QA team
approves an anonymised wording of the quote, and the PSW reads and can print the summary. Axe on
every page."""

from __future__ import annotations

import datetime

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from observations.models import PracticeWeek, PracticeWeekActivity, QuoteStatus

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def fill_date(page, name: str, day: datetime.date) -> None:
    page.fill(f"#id_{name}_0", str(day.day))
    page.fill(f"#id_{name}_1", str(day.month))
    page.fill(f"#id_{name}_2", str(day.year))


def test_a_practice_week_from_schedule_to_summary(page, world, sign_in_as, axe_check, tab_to):
    people = world.people
    today = timezone.localdate()
    starts_on, ends_on = today - datetime.timedelta(days=1), today + datetime.timedelta(days=3)

    # The QA team schedules the week: an end before the start is shown back with its error.
    sign_in_as(people["qa_officer"])
    page.goto("/observations/practice-weeks/")
    expect(page.locator("#weeks-this-year")).to_contain_text(f"0 of 2 practice weeks scheduled for {today.year}")
    axe_check(page)
    page.get_by_label("Title").fill("Practice week, browser test")
    fill_date(page, "starts_on", starts_on)
    fill_date(page, "ends_on", starts_on - datetime.timedelta(days=1))
    page.get_by_role("button", name="Schedule the practice week").click()
    expect(page.locator(".govuk-error-summary")).to_contain_text("The end date must be the same as or after")
    assert page.title().startswith("Error: ")
    expect(page.get_by_label("Title")).to_have_value("Practice week, browser test")
    axe_check(page)
    fill_date(page, "ends_on", ends_on)
    page.get_by_role("button", name="Schedule the practice week").click()
    expect(page.locator(".govuk-notification-banner")).to_contain_text("is scheduled for")
    axe_check(page)
    week = PracticeWeek.objects.get()

    # A team manager logs an activity by keyboard alone.
    page.context.clear_cookies()
    sign_in_as(people["team_manager_same"])
    page.goto(f"/observations/practice-weeks/{week.pk}/")
    axe_check(page)
    tab_to(page, "a:has-text('Log an activity')", limit=80)
    page.keyboard.press("Enter")
    expect(page.locator("h1")).to_have_text("Log an activity")
    axe_check(page)
    tab_to(page, "input[name=kind]", limit=80)
    page.keyboard.press("Space")
    page.keyboard.press("ArrowDown")  # the second kind: an audit alongside a social worker
    expect(page.locator("input[name=kind][value=audit_alongside]")).to_be_checked()
    before = starts_on - datetime.timedelta(days=3)
    for part in (str(before.day), str(before.month), str(before.year)):
        page.keyboard.press("Tab")
        page.keyboard.type(part)
    page.keyboard.press("Tab")
    page.keyboard.press("Tab")  # the service area select has focus
    page.locator("#id_service_area").select_option(label=world.area_a.name)
    tab_to(page, "#id_strengths", limit=10)
    page.keyboard.type("Warm, purposeful visits.")
    tab_to(page, "#id_quote", limit=10)
    page.keyboard.type("Since Jo came round things are calmer")
    tab_to(page, "input[type=submit][value='Save the activity']", limit=10)
    page.keyboard.press("Enter")
    expect(page.locator(".govuk-error-summary")).to_contain_text("The date must be within the practice week")
    expect(page.locator("#id_quote")).to_have_value("Since Jo came round things are calmer")
    axe_check(page)
    page.fill("#id_happened_on_0", str(today.day))
    page.fill("#id_happened_on_1", str(today.month))
    page.fill("#id_happened_on_2", str(today.year))
    tab_to(page, "input[type=submit][value='Save the activity']", limit=80)
    page.keyboard.press("Enter")
    expect(page.locator(".govuk-notification-banner")).to_contain_text("Activity logged")
    expect(page.locator("#activities")).to_contain_text("Waiting for approval")
    axe_check(page)
    activity = PracticeWeekActivity.objects.get()
    assert (activity.kind, activity.quote_status) == ("audit_alongside", QuoteStatus.PROPOSED)

    # The QA team approves an anonymised wording.
    page.context.clear_cookies()
    sign_in_as(people["qa_manager"])
    page.goto(f"/observations/practice-weeks/{week.pk}/quotes/")
    axe_check(page)
    wording = page.locator(f"#id_quote-{activity.pk}-approved_text")
    expect(wording).to_have_value("Since Jo came round things are calmer")
    wording.fill("Since the worker came round things are calmer")
    page.get_by_role("button", name="Approve this wording").click()
    expect(page.locator(".govuk-notification-banner")).to_contain_text("Wording approved")
    expect(page.locator("#no-quotes-waiting")).to_be_visible()
    axe_check(page)

    # The PSW reads the summary: counts, no names, the approved wording only; it can be printed.
    page.context.clear_cookies()
    sign_in_as(people["principal_social_worker"])
    page.goto(f"/observations/practice-weeks/{week.pk}/summary/")
    expect(page.locator("#summary-leaders")).to_have_text("1")
    expect(page.locator("#summary-totals")).to_contain_text("1")
    expect(page.locator("#summary-quotes")).to_contain_text("Since the worker came round things are calmer")
    expect(page.locator("main")).not_to_contain_text("Since Jo came round")
    expect(page.locator("main")).not_to_contain_text(people["team_manager_same"].full_name)
    expect(page.get_by_role("link", name="Print this page")).to_be_visible()
    axe_check(page)
