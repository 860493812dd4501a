"""Journey: a BI officer uploads a figures CSV with a mistake, sees the problem by row and column,
uploads the corrected file from the same page, confirms and sees the result. Axe on every page."""

from __future__ import annotations

import datetime
import re

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from performance.models import FigureOfRecord
from tests.performance.test_figures_import import csv_text, figure, make_catalogue

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_bi_fixes_a_refused_file_and_imports_it(page, world, sign_in_as, axe_check, tmp_path):
    make_catalogue()
    end = timezone.localdate().replace(day=1) - datetime.timedelta(days=1)
    month = {"period_start": f"{end:%Y-%m-01}", "period_end": end.isoformat()}
    wrong = tmp_path / "figures.csv"
    wrong.write_text(csv_text([figure(**month), figure(**month, scope="a9", value="41")]), encoding="utf-8")
    fixed = tmp_path / "figures-fixed.csv"
    fixed.write_text(csv_text([figure(**month), figure(**month, scope="a1", value="41")]), encoding="utf-8")

    sign_in_as(world.people["bi_officer"])
    page.goto("/")
    page.get_by_role("link", name="Figures of record and benchmarks").click()
    expect(page.locator("h1")).to_have_text("Import figures of record and benchmarks")
    axe_check(page)

    # The first file has a team code that does not exist.
    page.get_by_label("Figures or benchmarks CSV file").set_input_files(str(wrong))
    page.get_by_role("button", name="Check the file").click()
    expect(page.locator(".govuk-error-summary")).to_contain_text("The file was refused: 1 problem to fix")
    expect(page).to_have_title(re.compile(r"^Error: Figures of record import: figures\.csv"))
    problem = page.locator("#problems tbody tr")
    expect(problem).to_have_count(1)
    expect(problem.locator("td")).to_have_text(
        ["3", "scope", "'a9' is not authority, a service-area code or a team code"]
    )
    expect(page.get_by_role("button", name="Confirm and import")).to_have_count(0)
    axe_check(page)
    assert not FigureOfRecord.objects.exists()

    # The corrected file, uploaded from the same page.
    page.get_by_label("Figures or benchmarks CSV file").set_input_files(str(fixed))
    page.get_by_role("button", name="Check the file").click()
    expect(page.locator("h2", has_text="What this import will change")).to_be_visible()
    expect(page.locator("#changes tbody tr[data-indicator='referrals'] td")).to_have_text(["2", "0", "0"])
    axe_check(page)

    page.get_by_role("button", name="Confirm and import").click()
    expect(page.locator(".govuk-notification-banner")).to_contain_text("Import complete.")
    expect(page.locator(".govuk-panel")).to_contain_text("2 added, 0 replaced, 0 unchanged")
    axe_check(page)
    assert set(FigureOfRecord.objects.values_list("scope_key", flat=True)) == {"authority", "team:a1"}

    # The figures held, filtered to the team.
    page.get_by_role("link", name="See the figures of record held").click()
    page.get_by_label("Scope").select_option("team:a1")
    page.get_by_role("button", name="Filter").click()
    expect(page.get_by_role("status")).to_have_text("1 figure")
    axe_check(page)
