"""Journey: a team manager records a practice observation (agreement first), fills in the
checklist, strengths and areas to develop, records the reflective discussion and completes it;
the practitioner then chooses to share the learning, which their team's list shows. Axe on every
page."""

from __future__ import annotations

import datetime

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from observations.models import Observation, ShareChoice
from tests.observations.test_observations import load_checklists

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def _fill_date(page, legend: str, day: datetime.date) -> None:
    group = page.get_by_role("group", name=legend)
    group.get_by_label("Day").fill(str(day.day))
    group.get_by_label("Month").fill(str(day.month))
    group.get_by_label("Year").fill(str(day.year))


def test_a_team_manager_records_and_completes_an_observation(page, world, sign_in_as, axe_check):
    load_checklists()
    people = world.people
    today = timezone.localdate()
    observed_on = today - datetime.timedelta(days=3)
    practitioner = people["practitioner_own"]

    sign_in_as(people["team_manager_same"])
    page.goto("/observations/")
    axe_check(page)
    page.get_by_role("link", name="Record a practice observation").click()
    expect(page.locator("h1")).to_have_text("Record a practice observation")
    axe_check(page)

    # Agreement first, then what was observed, when and of whom.
    page.get_by_role("group", name="Did the family agree to an observer?").get_by_label("Yes").check()
    page.get_by_label("Home visit").check()
    _fill_date(page, "Date of the observation", observed_on)
    page.get_by_label(practitioner.full_name, exact=False).check()
    page.get_by_role("button", name="Save and continue to the checklist").click()
    expect(page.locator("h1")).to_have_text("What you saw")
    expect(page.locator(".govuk-notification-banner")).to_contain_text("Observation saved as a draft")
    axe_check(page)

    observation = Observation.objects.get()
    for n, criterion in enumerate(observation.checklist.criteria):
        result = "partly_met" if n == 2 else "met"
        page.locator(f"input[name='result_{criterion['code']}'][value='{result}']").check()
    page.get_by_label("Note on V2 (optional)").fill("Saw the younger child alone in their room")
    page.get_by_label("Strengths").fill("Warm, clear explanation of why we were there")
    page.get_by_label("Areas to develop").fill("Agree next steps in writing before leaving")
    page.get_by_role("button", name="Save", exact=True).click()
    expect(page.locator(".govuk-notification-banner")).to_contain_text("Observation saved.")
    expect(page.locator("#observation-strengths")).to_contain_text("Warm, clear explanation")
    expect(page.locator("#completion-problems")).to_contain_text("Record the reflective discussion")
    axe_check(page)

    page.get_by_role("link", name="Record the reflective discussion").click()
    expect(page.locator("h1")).to_have_text("Reflective discussion")
    axe_check(page)
    _fill_date(page, "Date of the discussion", today)
    page.get_by_label("Notes of the discussion").fill("Talked it through; the practitioner reflected on pace")
    page.get_by_label("Learning agreed").fill("Plan time with the child alone before each visit")
    page.get_by_role("button", name="Save the reflective discussion").click()
    expect(page.locator(".govuk-notification-banner")).to_contain_text("Reflective discussion saved.")
    axe_check(page)

    page.get_by_role("button", name="Complete the observation").click()
    expect(page.locator(".govuk-notification-banner")).to_contain_text("Observation complete.")
    axe_check(page)
    observation.refresh_from_db()
    assert observation.status == Observation.Status.COMPLETED
    assert observation.criteria["V3"]["result"] == "partly_met"
    assert observation.criteria["V2"]["note"] == "Saw the younger child alone in their room"

    # The practitioner finds it on "my work" and shares the learning with the team.
    page.context.clear_cookies()
    sign_in_as(practitioner)
    page.goto("/")
    axe_check(page)
    page.locator("#work-observation-share a").first.click()
    axe_check(page)
    page.get_by_role("link", name="Choose what to share").click()
    expect(page.locator("h1")).to_have_text("What to share with your team")
    axe_check(page)
    page.get_by_label(ShareChoice.SHARED.label).check()
    page.get_by_label("The learning you will share").fill("Time alone with the child first changes the visit")
    page.get_by_role("button", name="Save my choice").click()
    expect(page.locator(".govuk-notification-banner")).to_contain_text("Your choice is saved.")
    axe_check(page)
    page.goto("/observations/learning/")
    expect(page.locator("#shared-learning")).to_contain_text("Time alone with the child first changes the visit")
    expect(page.locator("#shared-learning")).to_contain_text(f"Presented by {practitioner.full_name}")
    axe_check(page)
