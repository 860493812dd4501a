"""Journey: the QA officer creates a calibration exercise from a submitted audit; a participant
grades the anonymised copy and submits; the QA officer closes the exercise and sees the spread,
which the participant then reads too. Axe on every page."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from audits.models import CalibrationExercise
from organisation.models import Role
from tests.audits.factories import allocate, mark_submitted, tool_version
from tests.factories import person_with_role

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_qa_officer_runs_a_calibration_exercise(page, world, sign_in_as, axe_check):
    people = world.people
    source = mark_submitted(allocate(world.case_a, people["team_manager_other"], version=tool_version()))
    ada = person_with_role(Role.PRACTITIONER, team=world.team_b1, duties=("auditor",), full_name="Ada Lovell")
    person_with_role(Role.PRACTITIONER, team=world.team_b1, duties=("auditor",), full_name="Ben Carter")

    sign_in_as(people["qa_officer"])
    page.goto("/audits/calibration/")
    axe_check(page)
    page.get_by_role("link", name="Create an exercise").click()
    axe_check(page)
    page.get_by_role("button", name="Create the exercise").click()
    expect(page.locator(".govuk-error-summary")).to_contain_text("Enter a title")
    axe_check(page)
    page.get_by_label("Case reference of the audit to copy").fill(source.case_reference)
    page.get_by_label("Title").fill("Spring calibration")
    page.get_by_label("Ada Lovell").check()
    page.get_by_label("Ben Carter").check()
    page.get_by_role("button", name="Create the exercise").click()
    expect(page.locator(".govuk-notification-banner")).to_contain_text("Calibration exercise created")
    expect(page.locator("h1")).to_have_text("Spring calibration")
    expect(page.locator("main")).not_to_contain_text(source.case_reference)
    axe_check(page)
    exercise = CalibrationExercise.objects.get(title="Spring calibration")

    # A participant grades the copy blind: every element and overall, each with a reason.
    page.context.clear_cookies()
    sign_in_as(ada)
    page.goto("/audits/calibration/")
    axe_check(page)
    page.get_by_role("link", name="Spring calibration").click()
    axe_check(page)
    for element in exercise.anonymised["elements"]:
        code = element["code"]
        page.locator(f"input[name='el-{code}-grade'][value='good']").check()
        page.locator(f"textarea[name='el-{code}-reason']").fill(f"Plan is clear for {code}")
    page.locator("input[name='el-overall-grade'][value='requires_improvement']").check()
    page.get_by_role("button", name="Submit").click()
    expect(page.locator(".govuk-error-summary")).to_contain_text("Give a reason for your grade for the overall grade")
    axe_check(page)
    page.locator("textarea[name='el-overall-reason']").fill("Help is not yet making the difference")
    page.get_by_role("button", name="Submit").click()
    expect(page.locator(".govuk-notification-banner")).to_contain_text("Your grades are submitted")
    axe_check(page)

    # The QA officer closes the exercise and sees the spread, with names.
    page.context.clear_cookies()
    sign_in_as(people["qa_officer"])
    page.goto(f"/audits/calibration/{exercise.pk}/results/")
    axe_check(page)
    page.get_by_role("button", name="Close the exercise and share the spread").click()
    expect(page.locator(".govuk-notification-banner")).to_contain_text("Exercise closed")
    expect(page.locator("main")).to_contain_text("Help is not yet making the difference")
    expect(page.locator("main")).to_contain_text("Ada Lovell")
    axe_check(page)

    # The participant now reads the spread, without names.
    page.context.clear_cookies()
    sign_in_as(ada)
    page.goto(f"/audits/calibration/{exercise.pk}/results/")
    expect(page.locator("main")).to_contain_text("Plan is clear for A1")
    expect(page.locator("main")).not_to_contain_text("Ada Lovell")
    axe_check(page)

    # Training dates: the QA officer records one.
    page.context.clear_cookies()
    sign_in_as(people["qa_officer"])
    page.goto("/audits/calibration/training/")
    axe_check(page)
    page.get_by_label("Auditor").select_option(label="Ada Lovell")
    page.get_by_label("Date of the training").fill("2026-03-27")
    page.get_by_label("Course").fill("Auditor induction")
    page.get_by_role("button", name="Record the training").click()
    expect(page.locator(".govuk-notification-banner")).to_contain_text("Training recorded")
    expect(page.locator("main")).to_contain_text("Auditor induction")
    axe_check(page)
