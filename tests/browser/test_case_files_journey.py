"""Journeys a person clicks through: a team manager finds a case file; the QA team imports the
caseload, fixing a refused file first. Each page is checked with axe."""

import pytest
from playwright.sync_api import expect

from organisation.models import CaseFile

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_team_manager_finds_their_teams_case_and_not_another_teams(page, world, sign_in_as, axe_check, tab_to):
    sign_in_as(world.people["team_manager_same"])
    page.goto("/")
    axe_check(page)
    tab_to(page, "a.govuk-service-navigation__link >> text=Case files")
    page.keyboard.press("Enter")
    expect(page.locator("h1")).to_have_text("Case files")
    axe_check(page)
    table = page.locator("table.govuk-table")
    expect(table).to_contain_text("CASE-A")
    expect(table).not_to_contain_text("CASE-B")
    # Team filter choices hold only what this person can see.
    options = page.locator("#id_team option").all_inner_texts()
    assert world.team_a1.name in options
    assert world.team_b1.name not in options
    page.get_by_role("link", name="CASE-A").click()
    expect(page.locator("h1")).to_have_text("CASE-A")
    axe_check(page)
    # Another team's case answers "Page not found", never "forbidden".
    response = page.goto("/cases/CASE-B/")
    assert response.status == 404
    expect(page.locator("h1")).to_have_text("Page not found")


def test_qa_officer_fixes_a_refused_file_then_imports_it(page, world, sign_in_as, axe_check, tmp_path):
    sign_in_as(world.people["qa_officer"])
    page.goto("/caseload/import/")
    axe_check(page)
    header = "case_reference,child_initials,birth_year,case_type,team_code,opened_on,practitioner_email\n"
    bad = tmp_path / "caseload.csv"
    bad.write_text(header + "NEW-1,CD,2016,child_in_need,nope,2024-02-30,\n")
    page.set_input_files("#id_file", str(bad))
    page.get_by_role("button", name="Check the file").click()
    problems = page.locator("#problems")
    expect(problems).to_contain_text("row 2, column team_code: 'nope' is not a team in the app")
    expect(problems).to_contain_text("row 2, column opened_on: '2024-02-30' is not a real date")
    expect(page.get_by_role("button", name="Confirm and import")).to_have_count(0)
    axe_check(page)
    assert not CaseFile.objects.filter(case_reference="NEW-1").exists()

    good = tmp_path / "caseload-fixed.csv"
    good.write_text(header + "NEW-1,CD,2016,child_in_need,a1,2024-02-28,\n")
    page.goto("/caseload/import/")
    page.set_input_files("#id_file", str(good))
    page.get_by_role("button", name="Check the file").click()
    expect(page.locator("main")).to_contain_text("New case files")
    expect(page.locator("#warnings")).to_contain_text("row 2, column practitioner_email: blank")
    axe_check(page)
    page.get_by_role("button", name="Confirm and import").click()
    expect(page.locator(".govuk-panel")).to_contain_text("Import complete")
    axe_check(page)
    case = CaseFile.objects.get(case_reference="NEW-1")
    assert case.team == world.team_a1
    assert case.practitioner is None
