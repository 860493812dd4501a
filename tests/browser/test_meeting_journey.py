"""Journey through a team's practice and performance clinic in a real browser: a service manager
creates this month's clinic, records attendance (a mistake first), adds an action; at the next
clinic the action is carried forward and they mark it done. Axe on every page."""

from __future__ import annotations

import datetime

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from clinics.models import ActionStatus, Meeting, MeetingAction
from tests.clinics.test_meetings import make_terms

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def fill_date(page, name: str, day: datetime.date) -> None:
    page.fill(f"#id_{name}_0", str(day.day))
    page.fill(f"#id_{name}_1", str(day.month))
    page.fill(f"#id_{name}_2", str(day.year))


def create_clinic(page, world, held_on: datetime.date, axe_check) -> Meeting:
    page.goto("/clinics/meetings/")
    axe_check(page)
    page.get_by_role("link", name="Create a meeting").click()
    expect(page.locator("h1")).to_have_text("Create a meeting")
    axe_check(page)
    page.get_by_label("Practice and performance clinic").check()
    page.locator("#id_team").select_option(label=str(world.team_a1))
    fill_date(page, "held_on", held_on)
    page.get_by_role("button", name="Create meeting").click()
    expect(page.locator(".govuk-notification-banner")).to_contain_text("The meeting is created")
    axe_check(page)
    return Meeting.objects.get(held_on=held_on)


def test_a_service_manager_records_a_clinic_and_closes_its_action_at_the_next(
    page, world, sign_in_as, axe_check, tab_to
):
    make_terms()
    people = world.people
    today = timezone.localdate()
    last_month = today - datetime.timedelta(days=28)
    sign_in_as(people["service_manager_same"])

    first = create_clinic(page, world, last_month, axe_check)

    # Attendance: nothing chosen and no name is shown back with its error.
    page.get_by_role("link", name="Record attendance").click()
    expect(page.locator("h1")).to_have_text("Attendance")
    axe_check(page)
    page.get_by_role("button", name="Add to the attendance list").click()
    expect(page.locator(".govuk-error-summary")).to_contain_text("Choose a person or enter a name")
    assert page.title().startswith("Error: ")
    axe_check(page)
    page.locator("#id_person").select_option(label=people["team_manager_same"].full_name)
    page.get_by_label("Role (optional)").fill("Team manager")
    page.get_by_role("button", name="Add to the attendance list").click()
    expect(page.locator("#attendee-table")).to_contain_text(people["team_manager_same"].full_name)
    axe_check(page)
    page.get_by_label("Name (if not in the list)").fill("Sam Practice-Lead")
    page.get_by_label("Apologies").check()
    page.get_by_role("button", name="Add to the attendance list").click()
    expect(page.locator("#attendee-table")).to_contain_text("Sam Practice-Lead")
    page.get_by_role("link", name="Back to the meeting").click()
    expect(page.locator("#attendance")).to_contain_text("Sam Practice-Lead: Apologies")
    axe_check(page)

    # A paper tabled.
    page.get_by_role("link", name="Add a paper tabled").click()
    expect(page.locator("h1")).to_have_text("Add a paper tabled")
    axe_check(page)
    page.get_by_label("Title").fill("Team baskets and audit summary")
    page.get_by_role("button", name="Add the paper").click()
    expect(page.locator("#papers")).to_contain_text("Team baskets and audit summary")
    axe_check(page)

    # An action, added by keyboard alone.
    tab_to(page, "a:has-text('Add an action')", limit=80)
    page.keyboard.press("Enter")
    expect(page.locator("h1")).to_have_text("Add an action")
    axe_check(page)
    page.get_by_label("What is the action?").fill("Book a reflective session on the audit learning")
    page.locator("#id_owner").select_option(label=people["team_manager_same"].full_name)
    fill_date(page, "due_on", today + datetime.timedelta(days=14))
    tab_to(page, "input[type=submit][value='Add the action']", limit=20)
    page.keyboard.press("Enter")
    expect(page.locator("#new-actions")).to_contain_text("Book a reflective session")
    axe_check(page)
    action = MeetingAction.objects.get()
    assert action.raised_at == first

    # The next clinic: the open action is carried forward; mark it done there.
    second = create_clinic(page, world, today, axe_check)
    expect(page.locator("#carried-actions")).to_contain_text("Book a reflective session")
    page.get_by_role("link", name="Update action: Book a reflective session").click()
    expect(page.locator("h1")).to_have_text("Update an action")
    axe_check(page)
    page.get_by_label("Done").check()
    page.get_by_label("Notes").fill("Session held; learning shared with the team.")
    page.get_by_role("button", name="Save the action").click()
    expect(page.locator(".govuk-notification-banner")).to_contain_text("The action is saved")
    expect(page.locator("#carried-actions")).to_contain_text("Closed at this meeting")
    axe_check(page)
    action.refresh_from_db()
    assert (action.status, action.closed_at) == (ActionStatus.DONE, second)
    assert not page.console_errors
