"""Journey: a QA officer assigns a waiting audit to themselves from the moderation queue,
moderates it with one element disagreement (a different grade and a reason) and a changed
overall grade, and completes it; the auditor reads the outcome and responds; the team manager
sees the changed grade on the audit's page and records that they talked it through. Axe on
every page.

The usual audit: case_a (team A1, practitioner_own), auditor team_manager_other, TM
team_manager_same; qa_officer holds the moderator duty."""

from __future__ import annotations

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from audits.models import AuditStatus, Grade, Moderation
from audits.permissions import practitioner_sees_findings
from audits.services import moderation as svc
from core.models import Notification
from tests.audits.factories import allocate, mark_submitted, tool_version

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def switch_to(page, sign_in_as, person) -> None:
    page.context.clear_cookies()
    sign_in_as(person)


def section(page, part: str):
    return page.locator(f"section#{part}")


def test_qa_officer_moderates_the_auditor_responds_and_the_tm_talks_it_through(page, world, sign_in_as, axe_check):
    people = world.people
    today = timezone.localdate()
    audit = allocate(
        world.case_a, people["team_manager_other"], version=tool_version(), actor=people["qa_officer"], today=today
    )
    mark_submitted(audit, grade=Grade.GOOD, on=today)
    # The auditor's first submitted audit: chosen for moderation ("a new auditor").
    moderation = svc.on_audit_submitted(audit=audit)
    assert moderation is not None
    elements = svc.moderated_elements(moderation)
    assert len(elements) >= 2
    changed, agreed = elements[0], elements[1:]
    me = people["qa_officer"]

    # The QA officer opens the queue and assigns the audit to themselves.
    sign_in_as(me)
    page.goto("/audits/moderation/")
    expect(page.locator("h1")).to_have_text("Moderation queue")
    queue = page.locator("#moderation-queue")
    expect(queue).to_contain_text("CASE-A")
    expect(queue).to_contain_text("0 days")
    axe_check(page)
    page.get_by_role("link", name="Assign the moderation of CASE-A").click()
    expect(page.locator("h1")).to_have_text("Assign the moderation")
    axe_check(page)
    page.get_by_label(me.full_name).check()
    page.get_by_role("button", name="Assign").click()
    expect(page.locator(".govuk-notification-banner")).to_contain_text(f"The moderation is assigned to {me.full_name}")
    expect(page.locator("#moderation-queue")).to_contain_text(me.full_name)
    axe_check(page)

    # The form: the auditor's grades beside the moderator's fields.
    page.get_by_role("link", name="CASE-A", exact=True).click()
    expect(page.locator("h1")).to_have_text("Moderation of CASE-A")
    expect(page.locator(f"[data-auditor-grade='{changed.code}']")).to_have_text("Good")
    axe_check(page)
    for element in agreed:
        section(page, svc.element_part(element.code)).get_by_label("I agree with the auditor's grade").check()
    different = section(page, svc.element_part(changed.code))
    different.get_by_label("I would give a different grade").check()
    different.get_by_label("Requires improvement to be good").check()
    overall = section(page, svc.OVERALL_PART)
    overall.get_by_label("I would give a different grade").check()
    overall.get_by_label("Requires improvement to be good").check()
    overall.get_by_label("Why your overall grade is different").fill("The plan is not yet making a difference for JB")
    overall.get_by_label("Feedback to the auditor").fill(
        "JB's voice comes through clearly; the plan's impact would be even better evidenced with dates"
    )
    overall.get_by_role("group", name="The evidence supports the grade").get_by_label("Partly", exact=True).check()

    # A different grade without a reason is refused; what was chosen is kept.
    page.get_by_role("button", name="Complete the moderation").click()
    expect(page).to_have_title("Error: Moderation of CASE-A – QA Framework – Testshire Council")
    expect(page.locator(".govuk-error-summary")).to_contain_text(f"Enter why your grade for {changed.code}")
    different = section(page, svc.element_part(changed.code))
    expect(different.get_by_label("Requires improvement to be good")).to_be_checked()
    axe_check(page)
    different.get_by_label(f"Why your grade for {changed.code} {changed.title} is different").fill(
        "The record shows the visits but not what changed for JB"
    )
    page.get_by_role("button", name="Complete the moderation").click()
    expect(page.locator(".govuk-notification-banner")).to_contain_text("The moderation is complete")
    expect(page.locator("h1")).to_have_text("Moderation of CASE-A")
    axe_check(page)
    moderation.refresh_from_db()
    audit.refresh_from_db()
    assert moderation.status == Moderation.Status.DONE
    assert moderation.moderator == me
    assert [row.element.code for row in moderation.elements.filter(agrees=False)] == [changed.code]
    assert audit.overall_grade == Grade.GOOD  # both grades kept
    assert audit.reported_grade == Grade.REQUIRES_IMPROVEMENT
    assert audit.moderated
    assert audit.moderation_changed_grade
    assert audit.status == AuditStatus.SUBMITTED
    assert not practitioner_sees_findings(audit)

    # The auditor reads the outcome (from the audit's page) and responds.
    switch_to(page, sign_in_as, people["team_manager_other"])
    page.goto(f"/audits/{audit.pk}/")
    axe_check(page)
    page.get_by_role("link", name="Read the moderation").click()
    expect(page.locator("#feedback")).to_contain_text("JB's voice comes through clearly")
    differences = page.locator("#differences")
    expect(differences).to_contain_text("The record shows the visits but not what changed for JB")
    expect(differences).to_contain_text("The plan is not yet making a difference for JB")
    expect(differences.get_by_role("row", name=f"{changed.code} {changed.title}")).to_contain_text(
        "Requires improvement to be good"
    )
    axe_check(page)
    page.get_by_label("Your response to the moderation").fill("Thank you: I will show what changed for JB next time")
    page.get_by_role("button", name="Save your response").click()
    expect(page.locator(".govuk-notification-banner")).to_contain_text("Your response is saved.")
    expect(page.get_by_label("Your response to the moderation")).to_have_value(
        "Thank you: I will show what changed for JB next time"
    )
    axe_check(page)
    moderation.refresh_from_db()
    assert moderation.auditor_response == "Thank you: I will show what changed for JB next time"

    # Not the practitioner: their TM is asked to talk the change through.
    practitioner = people["practitioner_own"]
    assert Notification.objects.filter(recipient=people["team_manager_same"], kind="moderation-talk-through").exists()
    assert not Notification.objects.filter(recipient=practitioner, kind="audit-moderated-change").exists()

    # The TM sees both grades on the audit's page and records the talk.
    switch_to(page, sign_in_as, people["team_manager_same"])
    page.goto(f"/audits/{audit.pk}/")
    panel = page.locator("main")
    expect(panel.get_by_role("definition").filter(has_text="Moderated on")).to_be_visible()
    expect(page.locator("#change-talk-through")).to_contain_text("Moderation changed this audit's grade")
    expect(panel).to_contain_text("Requires improvement to be good")
    axe_check(page)
    page.get_by_role("button", name="Record that you have talked the change through").click()
    expect(page.locator(".govuk-notification-banner")).to_contain_text(
        "Recorded. The practitioner can now read the moderated grade."
    )
    expect(page.locator("#change-talk-through")).to_have_count(0)
    expect(page.locator("main")).to_contain_text("The change was talked through with the practitioner on")
    axe_check(page)
    audit.refresh_from_db()
    assert audit.change_talked_through_by == people["team_manager_same"]
    assert practitioner_sees_findings(audit)
    assert Notification.objects.filter(recipient=practitioner, kind="audit-moderated-change").exists()
