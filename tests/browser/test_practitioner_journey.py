"""Journeys: the practitioner reflects before the audit, then reads it, reflects after it and
responds to the grade; the owner marks an action done and the team manager confirms it from
"my work". Each page is checked with axe."""

from __future__ import annotations

import datetime

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from audits.models import Action, ActionStatus, AuditStatus
from audits.services.actions import action_create
from tests.audits.factories import allocate, mark_submitted, tool_version

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def switch_to(page, sign_in_as, person) -> None:
    page.context.clear_cookies()
    sign_in_as(person)


def test_the_practitioner_reflects_reads_and_responds_and_the_tm_confirms_an_action(page, world, sign_in_as, axe_check):
    people = world.people
    today = timezone.localdate()
    audit = allocate(
        world.case_a,
        people["team_manager_other"],
        version=tool_version(),
        actor=people["qa_officer"],
        today=today,
        due_on=today + datetime.timedelta(days=14),
    )

    # Before the audit: the practitioner finds it on "my work" and reflects.
    sign_in_as(people["practitioner_own"])
    page.goto("/")
    axe_check(page)
    page.get_by_role("link", name="Reflect before the audit of CASE-A").click()
    expect(page.locator("h1")).to_have_text("Your part in the audit of CASE-A")
    axe_check(page)
    page.get_by_label("Your reflection before the audit").fill(
        "Worried about JB's attendance; keen to talk about school"
    )
    page.get_by_role("button", name="Save your reflection").click()
    expect(page.locator(".govuk-notification-banner")).to_contain_text(
        "Your reflection before the audit has been saved."
    )
    axe_check(page)

    # The auditor adds an action and submits (submission is another part's page).
    action_create(
        audit=audit,
        actor=people["team_manager_other"],
        description="Agree a school attendance plan with JB",
        owner=people["practitioner_own"],
        due_on=today + datetime.timedelta(days=21),
        today=today,
    )
    mark_submitted(audit, grade="requires_improvement", on=today)

    # The team manager sees the team's open action on "my work".
    switch_to(page, sign_in_as, people["team_manager_same"])
    page.goto("/")
    expect(page.locator("#work-team-actions")).to_contain_text("Open: 1, of which overdue: 0")
    axe_check(page)

    # After the audit: the practitioner reads it, reflects and responds.
    switch_to(page, sign_in_as, people["practitioner_own"])
    page.goto("/")
    page.get_by_role("link", name="Read the audit of CASE-A").click()
    main = page.locator("main")
    expect(main.locator("#working-well")).to_contain_text("Working well A1")
    expect(main.locator("#overall-grade")).to_contain_text("Requires improvement to be good")
    axe_check(page)
    page.get_by_label("Your reflection after the audit").fill("We agreed a plan with school; JB is attending more")
    page.locator("#after_submit").click()
    expect(page.locator(".govuk-notification-banner")).to_contain_text(
        "Your reflection after the audit has been saved."
    )
    axe_check(page)

    # A first try without a comment is refused; the choice is kept.
    page.get_by_label("I partly agree with the grade").check()
    page.get_by_role("button", name="Save your response").click()
    expect(page).to_have_title("Error: Your part in the audit of CASE-A – QA Framework – Testshire Council")
    expect(page.locator(".govuk-error-summary")).to_contain_text("Say what you see differently about the grade")
    expect(page.get_by_label("I partly agree with the grade")).to_be_checked()
    axe_check(page)
    page.get_by_label("Your comment").fill("The plan was already working; the grade reflects the record more than JB")
    page.get_by_role("button", name="Save your response").click()
    expect(page.locator(".govuk-notification-banner")).to_contain_text("Your response has been saved.")
    expect(page.locator("#response")).to_contain_text("You responded on")
    axe_check(page)
    audit.refresh_from_db()
    assert audit.response == "partly_agree"
    assert audit.status == AuditStatus.CLOSED
    assert "JB is attending more" in audit.reflection_after

    # The owner marks their action done from "my work".
    page.goto("/")
    page.get_by_role("link", name="Agree a school attendance plan with JB").click()
    expect(page.locator("h1")).to_have_text("Action for improvement")
    axe_check(page)
    page.get_by_label("Done", exact=True).check()
    page.fill("#id_completed_on_0", str(today.day))
    page.fill("#id_completed_on_1", str(today.month))
    page.fill("#id_completed_on_2", str(today.year))
    page.get_by_label("Evidence").fill("Plan on the child's record")
    page.get_by_role("button", name="Save the status").click()
    expect(page.locator("h1")).to_have_text("Actions for improvement")
    expect(page.locator(".govuk-notification-banner")).to_contain_text("Action updated.")
    axe_check(page)

    # The team manager confirms it from "my work".
    switch_to(page, sign_in_as, people["team_manager_same"])
    page.goto("/")
    to_confirm = page.locator("#work-to-confirm")
    expect(to_confirm).to_contain_text("Agree a school attendance plan with JB")
    axe_check(page)
    to_confirm.get_by_role("button", name="Confirm it is complete").click()
    expect(page.locator(".govuk-notification-banner")).to_contain_text("Action confirmed as complete.")
    expect(page.locator("#work-to-confirm")).to_have_count(0)
    axe_check(page)
    action = Action.objects.get()
    assert action.status == ActionStatus.DONE
    assert action.confirmed_by == people["team_manager_same"]


def test_the_auditor_adds_an_action_and_the_tm_changes_it_after_submission(page, world, sign_in_as, axe_check):
    people = world.people
    today = timezone.localdate()
    due = today + datetime.timedelta(days=10)
    audit = allocate(
        world.case_a, people["team_manager_other"], version=tool_version(), actor=people["qa_officer"], today=today
    )

    sign_in_as(people["team_manager_other"])
    page.goto(f"/audits/{audit.pk}/actions/new/")
    expect(page.locator("h1")).to_have_text("Add an action for improvement")
    axe_check(page)
    page.get_by_role("button", name="Save the action").click()  # nothing filled in
    expect(page.locator(".govuk-error-summary")).to_contain_text("Enter what needs to happen")
    axe_check(page)
    page.get_by_label("What needs to happen").fill("Record JB's views in the plan")
    page.get_by_label("Owner").select_option(label=people["practitioner_own"].full_name)
    page.fill("#id_due_on_0", str(due.day))
    page.fill("#id_due_on_1", str(due.month))
    page.fill("#id_due_on_2", str(due.year))
    page.get_by_role("button", name="Save the action").click()
    action = Action.objects.get()
    assert (action.owner, action.due_on) == (people["practitioner_own"], due)

    mark_submitted(audit, grade="requires_improvement", on=today)
    switch_to(page, sign_in_as, people["team_manager_same"])
    page.goto("/audits/actions/")
    expect(page.locator("#team-actions")).to_contain_text("Record JB's views in the plan")
    axe_check(page)
    page.locator("#team-actions").get_by_role("link", name="Update").click()
    expect(page.get_by_role("heading", name="Change the action")).to_be_visible()
    axe_check(page)
    page.get_by_label("What needs to happen").fill("Record JB's views in the plan and share it with JB")
    page.locator("#details_submit").click()
    expect(page.locator(".govuk-notification-banner")).to_contain_text("Action updated.")
    axe_check(page)
    action.refresh_from_db()
    assert action.description == "Record JB's views in the plan and share it with JB"
    assert action.history.first().history_user == people["team_manager_same"]
