"""The auditor's audit form in a real browser: filled by keyboard only, autosaved, left and
returned to, submitted with an error, fixed and submitted. Axe on every page visited."""

from __future__ import annotations

import re

import pytest
from django.conf import settings
from playwright.sync_api import expect

from audits.models import AuditStatus, ElementAnswer
from audits.services.answers import audit_save_draft
from tests.audits.factories import allocate, tool_version

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
AUDITOR = "team_manager_other"
SAVED = re.compile(r"Saved at \d\d:\d\d")


@pytest.fixture
def audit(world):
    return allocate(world.case_a, world.people[AUDITOR], version=tool_version(), actor=world.people["qa_officer"])


def edit_url(audit) -> str:
    return f"/audits/{audit.pk}/edit/"


def test_auditor_fills_an_audit_by_keyboard_leaves_returns_and_submits(
    page, world, audit, sign_in_as, axe_check, tab_to
):
    sign_in_as(world.people[AUDITOR])
    page.goto(edit_url(audit))
    expect(page.locator("h1")).to_have_text("Audit of CASE-A")
    axe_check(page)
    status = page.locator("#autosave-status")

    # A1: a grade (space chooses the focused option) and what is working well.
    tab_to(page, "#id_el-A1-grade_1")
    page.keyboard.press("Space")
    tab_to(page, "#id_el-A1-working_well")
    page.keyboard.type("AB's wishes shape the plan")
    # A2: a grade and the yes/no question.
    tab_to(page, "#id_el-A2-grade_1")
    page.keyboard.press("ArrowDown")  # arrows move the choice within a radio group: Good
    tab_to(page, "#id_el-A2-q-consent-recorded_1")
    page.keyboard.press("Space")
    # B1 graded; E not applicable, which reveals the reason.
    tab_to(page, "#id_el-B1-grade_1")
    page.keyboard.press("Space")
    tab_to(page, "#id_el-E-grade_1")
    page.keyboard.press("ArrowUp")  # from the first option round to the last: Not applicable
    expect(page.locator("#id_el-E-grade_5")).to_be_checked()
    expect(page.locator("#id_el-E-not_applicable_reason")).to_be_visible()
    page.keyboard.press("Tab")
    expect(page.locator("#id_el-E-not_applicable_reason")).to_be_focused()
    page.keyboard.type("No conference has been held yet")
    # The overall section: the conversation date by keyboard; the overall grade left out.
    tab_to(page, "#id_overall-conversation_on_0")
    page.keyboard.type("3")
    page.keyboard.press("Tab")
    page.keyboard.type("11")
    page.keyboard.press("Tab")
    page.keyboard.type("2026")
    tab_to(page, "#id_overall-participants_1")
    page.keyboard.press("Space")
    expect(status).to_have_text(SAVED)
    axe_check(page)

    # Leave the page, then come back to the draft: everything typed was autosaved.
    page.goto("/audits/concerns/")
    axe_check(page)
    page.goto(edit_url(audit))
    expect(page.locator("#id_el-A1-grade_1")).to_be_checked()
    expect(page.locator("#id_el-A1-working_well")).to_have_value("AB's wishes shape the plan")
    expect(page.locator("#id_el-A2-grade_2")).to_be_checked()
    expect(page.locator("#id_el-A2-q-consent-recorded_1")).to_be_checked()
    expect(page.locator("#id_el-E-grade_5")).to_be_checked()
    expect(page.locator("#id_el-E-not_applicable_reason")).to_have_value("No conference has been held yet")
    expect(page.locator("#id_overall-conversation_on_2")).to_have_value("2026")
    expect(page.locator("#id_overall-participants_1")).to_be_checked()
    audit.refresh_from_db()
    assert audit.status == AuditStatus.IN_PROGRESS
    axe_check(page)

    # Submit without the overall grade: the error summary, with a link to the field.
    tab_to(page, "button[value=submit]", limit=200)
    page.keyboard.press("Enter")
    summary = page.locator(".govuk-error-summary")
    expect(summary).to_contain_text("Choose the overall grade")
    expect(page).to_have_title(re.compile(r"^Error: "))
    axe_check(page)
    link = summary.get_by_role("link", name="Choose the overall grade")
    tab_to(page, '.govuk-error-summary a[href="#id_overall-overall_grade_1"]')
    page.keyboard.press("Enter")
    expect(page.locator("#id_overall-overall_grade_1")).to_be_focused()
    assert link.count() == 1
    page.keyboard.press("ArrowDown")  # Good
    expect(page.locator("#id_overall-overall_grade_2")).to_be_checked()
    # Nothing typed was lost by the failed submission.
    expect(page.locator("#id_el-A1-working_well")).to_have_value("AB's wishes shape the plan")
    tab_to(page, "button[value=submit]", limit=100)
    page.keyboard.press("Enter")
    expect(page.locator(".govuk-notification-banner--success")).to_contain_text("The audit is submitted")
    assert page.url.endswith(f"/audits/{audit.pk}/")
    axe_check(page)
    audit.refresh_from_db()
    # Submitted; a new auditor's first audits also go to moderation.
    assert audit.status in (AuditStatus.SUBMITTED, AuditStatus.IN_MODERATION)
    assert audit.submitted_at is not None
    assert audit.reported_grade == "good"
    assert ElementAnswer.objects.get(audit=audit, element__code="E").not_applicable


def test_autosave_says_saved_at_in_the_live_region(page, world, audit, sign_in_as, axe_check):
    sign_in_as(world.people[AUDITOR])
    page.goto(edit_url(audit))
    status = page.get_by_role("status")
    expect(status).to_have_attribute("id", "autosave-status")
    page.locator("#id_overall-impact_for_child").fill("AB feels listened to")
    expect(status).to_have_text(SAVED)
    audit.refresh_from_db()
    assert audit.impact_for_child == "AB feels listened to"
    assert page.locator("input[name=overall-version]").input_value() == "1"
    axe_check(page)


def test_a_conflict_shows_both_texts_and_the_auditor_keeps_theirs(page, world, audit, sign_in_as, axe_check):
    sign_in_as(world.people[AUDITOR])
    page.goto(edit_url(audit))
    # Someone else (another tab) saves the same element first.
    audit_save_draft(audit=audit, actor=world.people[AUDITOR], parts={"el-A1": {"version": 0, "evidence": "Theirs"}})
    page.locator("#id_el-A1-evidence").fill("Mine")
    panel = page.locator("#autosave-conflicts")
    expect(panel).to_be_visible()
    expect(panel).to_contain_text("Mine")
    expect(panel).to_contain_text("Theirs")
    expect(page.locator("#autosave-status")).to_contain_text("Not saved")
    assert ElementAnswer.objects.get(audit=audit, element__code="A1").evidence == "Theirs"
    # The browser logs the 409 answer as a failed resource: here it is the expected conflict.
    assert page.console_errors == ["Failed to load resource: the server responded with a status of 409 (Conflict)"]
    page.console_errors.clear()
    axe_check(page)
    panel.get_by_role("button", name=re.compile("Keep my text")).click()
    expect(page.locator("#autosave-status")).to_have_text(SAVED)
    expect(panel).to_be_hidden()
    assert ElementAnswer.objects.get(audit=audit, element__code="A1").evidence == "Mine"


def test_signed_out_autosave_says_the_changes_are_not_saved(page, world, audit, sign_in_as, axe_check):
    sign_in_as(world.people[AUDITOR])
    page.goto(edit_url(audit))
    axe_check(page)
    # The session ends (the CSRF cookie stays, as when a session times out).
    page.context.clear_cookies(name=settings.SESSION_COOKIE_NAME)
    page.locator("#id_el-A1-working_well").fill("Typed after the session ended")
    expect(page.locator("#autosave-status")).to_have_text(
        "You have been signed out. Your last changes are not saved: copy them, then sign in again."
    )
    assert not ElementAnswer.objects.filter(audit=audit).exists()
    assert page.console_errors == ["Failed to load resource: the server responded with a status of 401 (Unauthorized)"]
