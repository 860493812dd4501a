"""Journey: the team manager says contact is safe; the participation officer takes the task and asks
a young person the questions by phone, by keyboard; the QA officer reads the answer; the audit
shows the family's view. Axe on every page."""

from __future__ import annotations

import pytest
from django.urls import reverse
from playwright.sync_api import expect

from feedback.models import ParticipationTask, Response, TriageItem

from .conftest import allocate_audit, load_questionnaires

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_from_the_safety_check_to_the_family_view(page, world, sign_in_as, axe_check, tab_to):
    load_questionnaires()
    audit = allocate_audit(world)
    task = audit.participation_task
    people = world.people

    # The team manager's safety check: an error first, then the check.
    sign_in_as(people["team_manager_same"])
    page.goto("/")
    page.get_by_role("link", name=f"Is it safe to contact the family of {audit.case_reference}?").click()
    axe_check(page)
    page.locator("input[name=safe][value=yes]").check()
    page.get_by_role("button", name="Save the safety check").click()
    assert page.title().startswith("Error: ")
    expect(page.locator(".govuk-error-summary")).to_contain_text("Say which adults may be contacted")
    axe_check(page)
    page.get_by_label("Which adults may be contacted?").fill("Mum (AB)")
    page.locator("input[name=interpreter_needed][value=no]").check()
    page.locator("input[name=domestic_abuse_risk][value=no]").check()
    page.get_by_role("button", name="Save the safety check").click()
    expect(page.locator(".govuk-notification-banner")).to_contain_text("can now contact the family")
    task.refresh_from_db()
    assert task.status == ParticipationTask.Status.READY

    # The participation officer takes the task and asks the questions, by keyboard.
    page.context.clear_cookies()
    sign_in_as(people["participation_officer"])
    page.goto("/feedback/participation/")
    axe_check(page)
    page.get_by_role("button", name=f"Assign to me the task for {audit.case_reference}").click()
    page.get_by_role("link", name=audit.case_reference).click()
    axe_check(page)
    page.get_by_role("link", name="Ask the questions by phone or in person").click()
    axe_check(page)
    tab_to(page, "input[name=audience]")
    page.keyboard.press("ArrowDown")  # the second option: a parent or carer; back up to the child
    page.keyboard.press("ArrowUp")
    expect(page.locator("input[name=audience][value=child]")).to_be_checked()
    page.locator("input[name=channel][value=phone]").check()
    page.get_by_role("button", name="Start the questionnaire").click()
    axe_check(page)
    page.locator("input[name=consent][value=yes]").check()
    page.get_by_role("button", name="Continue").click()
    axe_check(page)
    tab_to(page, "textarea[name=q_changed]")
    page.keyboard.type("I feel safer at home now")
    page.locator("input[name=q_progress][value=better]").check()
    page.locator("input[name=sharing][value=anonymous]").check()
    page.get_by_role("button", name="Submit the answers").click()
    expect(page.locator(".govuk-notification-banner")).to_contain_text("The answers are submitted")
    axe_check(page)
    response = Response.objects.get()
    assert response.answers["changed"] == "I feel safer at home now"

    # The QA officer reads it and records what they did.
    item = TriageItem.objects.get()
    page.context.clear_cookies()
    sign_in_as(people["qa_officer"])
    page.goto("/feedback/triage/")
    axe_check(page)
    page.locator(f"tr[data-item='{item.pk}'] a").click()
    axe_check(page)
    page.locator("input[name=taken][value=none]").check()
    page.get_by_role("button", name="Mark as read").click()
    expect(page.locator(".govuk-notification-banner")).to_contain_text("Marked as read")
    item.refresh_from_db()
    assert item.status == TriageItem.Status.DONE

    # The audit shows the family's view; the differences report is reachable and accessible.
    page.goto(reverse("audits:audit-detail", args=[audit.pk]))
    expect(page.locator("#family-view")).to_contain_text("I feel safer at home now")
    axe_check(page)
    page.goto("/feedback/reports/progress-differences/")
    axe_check(page)
