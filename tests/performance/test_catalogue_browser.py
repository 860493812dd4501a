"""The catalogue in a real browser: a team manager reads the catalogue and a definition; BI sets a
target (a mistake first, by keyboard), adds a local indicator, and imports a population CSV with
an error, then fixed. Axe on every page."""

from __future__ import annotations

import io

import pytest
from django.core.management import call_command
from playwright.sync_api import expect

from performance.models import Indicator, Population

from .test_catalogue_loader import CATALOGUE

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_reading_and_changing_the_catalogue(page, world, sign_in_as, axe_check, tab_to, tmp_path):
    call_command("load_framework", f"--dir={CATALOGUE.parent}", stdout=io.StringIO())
    people = world.people

    # A team manager reads the catalogue and a demand measure's definition; no edit links.
    sign_in_as(people["team_manager_same"])
    page.goto("/performance/indicators/")
    expect(page.locator("h1")).to_have_text("Indicator catalogue")
    expect(page.locator("caption", has_text="Front door")).to_be_visible()
    axe_check(page)
    page.get_by_role("link", name="Section 47 enquiries started").click()
    expect(page.locator(".govuk-warning-text")).to_contain_text("takes no target")
    expect(page.get_by_role("link", name="Change the")).to_have_count(0)
    axe_check(page)

    # BI sets a target by keyboard: over 100% first, shown back with the error summary.
    page.context.clear_cookies()
    sign_in_as(people["bi_officer"])
    page.goto("/performance/indicators/visits_in_timescale_pct/")
    axe_check(page)
    tab_to(page, "a:has-text('Change the target')", limit=80)
    page.keyboard.press("Enter")
    expect(page.locator("h1")).to_have_text("Change the indicator")
    axe_check(page)
    tab_to(page, "input[name=target]")
    page.keyboard.type("120")
    tab_to(page, "input[name=direction]")
    page.keyboard.press("Space")
    page.get_by_role("button", name="Save the indicator").click()
    expect(page.locator(".govuk-error-summary")).to_contain_text("must be 100 or less")
    assert page.title().startswith("Error: ")
    expect(page.get_by_label("Target (optional)")).to_have_value("120")
    axe_check(page)
    page.get_by_label("Target (optional)").fill("95")
    page.get_by_role("button", name="Save the indicator").click()
    expect(page.locator(".govuk-notification-banner")).to_contain_text("saved")
    assert Indicator.objects.get(code="visits_in_timescale_pct").target == 95

    # BI adds a local indicator: without an owner first.
    page.goto("/performance/indicators/new/")
    axe_check(page)
    page.get_by_label("Name").fill("Missing episodes")
    page.get_by_label("Code").fill("missing_episodes")
    page.get_by_label("What the data may be showing").fill("How often children in care go missing.")
    page.get_by_label("Flow (a count per month)").check()
    page.get_by_label("What it counts").fill("Missing episodes reported in the month")
    page.get_by_label("Period").fill("Count per calendar month")
    page.get_by_label("Children in care").check()
    page.get_by_label("A demand or threshold measure").check()
    page.get_by_role("button", name="Add the indicator").click()
    expect(page.locator(".govuk-error-summary")).to_contain_text("Enter the owner")
    expect(page.get_by_label("Name")).to_have_value("Missing episodes")
    axe_check(page)
    page.get_by_label("Owner").fill("Missing children co-ordinator")
    page.get_by_role("button", name="Add the indicator").click()
    expect(page.locator("h1")).to_have_text("Missing episodes")
    assert Indicator.objects.get(code="missing_episodes").local

    # BI imports the population: a bad row first (nothing imported), then the fixed file.
    page.goto("/performance/population/")
    axe_check(page)
    bad, good = tmp_path / "bad.csv", tmp_path / "good.csv"
    bad.write_text("year,aged_0_to_17\n2025,52300\n2026,lots\n", encoding="utf-8")
    good.write_text("year,aged_0_to_17\n2025,52300\n2026,52600\n", encoding="utf-8")
    page.get_by_label("Population CSV file").set_input_files(str(bad))
    page.get_by_role("button", name="Import the file").click()
    expect(page.locator("#problems")).to_contain_text("'lots' is not a whole number")
    assert page.title().startswith("Error: ")
    assert not Population.objects.exists()
    axe_check(page)
    page.get_by_label("Population CSV file").set_input_files(str(good))
    page.get_by_role("button", name="Import the file").click()
    expect(page.locator(".govuk-notification-banner")).to_contain_text("2 year(s) added")
    expect(page.locator("table")).to_contain_text("52600")
    axe_check(page)
