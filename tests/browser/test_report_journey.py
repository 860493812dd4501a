"""A team manager's clinic highlight report in a real browser: opened from the list, narrative
written (word counts and "Saved"), previewed, finalised, and the PDF downloaded. Axe on every page
visited. The PDF job runs in-process (tasks are eager in tests) once the finalise commits."""

from __future__ import annotations

import re

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from clinics.models import HighlightReport, ReportVersion
from clinics.selectors_reports import last_complete_month

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
SAVED = re.compile(r"Saved at \d\d:\d\d")


def test_team_manager_writes_previews_finalises_and_downloads_the_clinic_report(
    page, world, sign_in_as, axe_check, tab_to
):
    month = last_complete_month(timezone.localdate())
    sign_in_as(world.people["team_manager_same"])

    # The list opens on the last complete month, with the team's report not started.
    page.goto("/clinics/reports/")
    expect(page.locator("h1")).to_have_text("Highlight reports")
    expect(page.locator(".govuk-caption-l").first).to_have_text(f"{month:%B %Y}")
    axe_check(page)
    row = page.locator("tr", has_text=world.team_a1.name)
    expect(row).to_contain_text("Not started")
    row.get_by_role("link").click()
    expect(page.locator("h1")).to_contain_text("clinic highlight report")
    axe_check(page)

    # Write two boxes by keyboard: the word counts move as they type; autosave says "Saved".
    tab_to(page, "#id_working_well")
    page.keyboard.type("Visits are purposeful and children see the same worker.")
    expect(page.locator("#id_working_well-count")).to_have_text("9 words")
    tab_to(page, "#id_next_steps")
    page.keyboard.type("Review plans with the child's voice in mind.")
    expect(page.locator("#id_next_steps-count")).to_have_text("8 words")
    expect(page.locator("[data-length-words]")).to_have_text("17")
    expect(page.locator("[data-length-sides]")).to_have_text(re.compile(r"^\d+$"))
    expect(page.locator("#autosave-status")).to_have_text(SAVED)
    axe_check(page)
    report = HighlightReport.objects.get(team=world.team_a1, period=month)
    assert report.narrative["next_steps"] == "Review plans with the child's voice in mind."

    # Preview: the body as it will print, with the narrative.
    page.get_by_role("link", name="Preview").click()
    expect(page.locator("h1")).to_contain_text("clinic highlight report")
    expect(page.locator("main")).to_contain_text("Visits are purposeful and children see the same worker.")
    axe_check(page)
    page.get_by_role("link", name="Back to the report").first.click()

    # Finalise, through the confirmation page.
    page.get_by_role("link", name="Finalise").click()
    expect(page.locator("h1")).to_have_text("Finalise the report")
    axe_check(page)
    page.get_by_role("button", name="Finalise the report").click()
    expect(page.locator(".govuk-notification-banner")).to_contain_text("finalised as version 1")
    expect(page.locator("#version-note")).to_contain_text("Version 1, finalised on")
    assert ReportVersion.objects.filter(report=report, number=1).exists()

    # The PDF was made when the finalise committed: download it.
    page.reload()
    link = page.locator(".app-pdf-status").get_by_role("link", name=re.compile("Download the PDF"))
    expect(link).to_be_visible()
    axe_check(page)
    with page.expect_download() as download_info:
        link.click()
    path = download_info.value.path()
    with open(path, "rb") as pdf:
        assert pdf.read(5) == b"%PDF-"
    assert download_info.value.suggested_filename.endswith("_v1.pdf")


def test_the_length_warning_follows_the_typing_and_the_tables_can_move(page, world, sign_in_as, axe_check):
    month = last_complete_month(timezone.localdate())
    sign_in_as(world.people["team_manager_same"])
    page.goto(f"/clinics/reports/team-clinic/{world.team_a1.code}/{month:%Y-%m}/")
    warning = page.locator("#length-warning")
    expect(warning).to_be_hidden()
    # Long enough for four sides: the warning shows as the text arrives, before any save.
    page.locator("#id_working_well").fill(" ".join(["kind"] * 1950))
    expect(warning).to_be_visible()
    expect(warning).to_contain_text("You can still finalise it")
    expect(page.locator("#id_working_well-count")).to_have_text("1950 words")
    expect(page.locator("#autosave-status")).to_have_text(SAVED)
    axe_check(page)
    page.get_by_role("button", name="Move the data tables to an appendix").click()
    expect(page.get_by_role("button", name="Keep the tables in the report")).to_be_visible()
    expect(page.locator("#report-appendix")).to_be_visible()
    axe_check(page)
    # Clearing the box takes the warning away again.
    page.locator("#id_working_well").fill("")
    expect(warning).to_be_hidden()
