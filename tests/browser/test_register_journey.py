"""The 6-week review of actions in a real browser: the reviewer opens the allocated review from
the child of concern register, marks one action not complied with, and submits; the register
then shows the further review. Axe on every page visited."""

from __future__ import annotations

import datetime

import pytest
from playwright.sync_api import expect

from audits.models import ActionReview
from audits.services.concern_process import action_reviews_allocate_sweep
from tests.audits.factories import tool_version
from tests.audits.test_child_of_concern import inadequate_audit, start

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
AUDITOR = "team_manager_other"


def test_reviewer_records_a_review_with_an_action_not_complied_and_the_register_shows_the_further_review(
    page, world, sign_in_as, axe_check
):
    audit = inadequate_audit(world, tool_version())
    episode = start(world, audit)
    first = episode.reviews.get(number=1)
    # The review is allocated on its day (7 days before it is due), as the daily sweep does.
    action_reviews_allocate_sweep(
        today=first.allocate_on, now=datetime.datetime.combine(first.allocate_on, datetime.time(9), datetime.UTC)
    )

    sign_in_as(world.people[AUDITOR])
    page.goto("/audits/register/")
    expect(page.locator("h1")).to_have_text("Child of concern register")
    axe_check(page)
    page.get_by_role("link", name="CASE-A").click()
    expect(page.locator("h1")).to_have_text("CASE-A")
    axe_check(page)
    page.get_by_role("link", name="Review 1").click()
    expect(page.locator("h1")).to_have_text("6-week review of actions")
    axe_check(page)

    items = list(first.items.order_by("action__due_on", "action_id"))
    page.locator(f"#id_complied_{items[0].action_id}_1").check()
    page.locator(f"#id_complied_{items[1].action_id}_2").check()
    page.locator(f"#id_note_{items[1].action_id}").fill("The chronology is still not up to date")
    page.locator("#id_new_grade_4").check()
    page.locator("#id_outcome_2").check()
    page.get_by_role("button", name="Record the 6-week review").click()

    expect(page.locator("h1")).to_have_text("CASE-A")
    expect(page.locator(".govuk-notification-banner, .govuk-body").first).to_be_visible()
    expect(page.get_by_text("Escalated to the head of service")).to_be_visible()
    expect(page.get_by_role("link", name="Review 2")).to_be_visible()
    axe_check(page)

    page.goto("/audits/register/")
    expect(page.locator("tbody")).to_contain_text("(review 2)")
    axe_check(page)
    assert episode.reviews.get(number=1).status == ActionReview.Status.DONE
