"""Journey in a real browser: BI uploads a file that is not a workbook (the error is shown), then a
generated Annex A workbook, sees it imported with its snapshot, compares the app estimates with
the figures of record and lists the children with no case file. Axe on every page."""

from __future__ import annotations

import datetime

import pytest
from playwright.sync_api import expect

from performance.models import AnnexASnapshot

from .test_annex_a_reading import xlsx
from .test_estimates import estimate_indicators

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def test_bi_imports_a_workbook_and_reads_the_estimates(page, world, sign_in_as, axe_check, tab_to):
    estimate_indicators()
    sign_in_as(world.people["bi_officer"])
    page.goto("/performance/annex-a/")
    expect(page.locator("h1")).to_have_text("Annex A workbooks")
    axe_check(page)

    page.set_input_files("#id_file", files=[{"name": "referrals.csv", "mimeType": "text/csv", "buffer": b"a,b\n1,2\n"}])
    page.get_by_role("button", name="Import the workbook").click()
    expect(page.locator(".govuk-error-summary")).to_contain_text("The file must be an Excel workbook (.xlsx)")
    assert page.title().startswith("Error: ")
    axe_check(page)

    last_month = datetime.date.today().replace(day=1) - datetime.timedelta(days=1)
    rows = [["Child ID", "Sex", "Date of referral", "Allocated team"], ["CASE-A", "F", last_month, "a1"]]
    rows += [["NX1", "M", last_month, "a1"], ["NX2", "M", "not a date", "b1"]]
    data = xlsx({"List 3 - Referrals": rows})
    page.set_input_files("#id_file", files=[{"name": "annex-a.xlsx", "mimeType": XLSX, "buffer": data}])
    tab_to(page, "input[type=submit][value='Import the workbook']", limit=20)
    page.keyboard.press("Enter")
    expect(page.locator(".govuk-notification-banner")).to_contain_text("annex-a.xlsx is being imported")
    expect(page.locator("#uploads")).to_contain_text("Imported")
    assert AnnexASnapshot.objects.get().rows_read == 2
    page.get_by_role("link", name="1 problems in annex-a.xlsx").click()
    expect(page.locator("details[open]")).to_contain_text("'not a date' is not a date we can read")
    axe_check(page)

    page.get_by_role("link", name="compare the app estimates with BI's figures").click()
    expect(page.locator("h1")).to_have_text("App estimates beside BI's figures")
    expect(page.locator("table[data-indicator=referrals]")).to_be_visible()
    page.locator("#id_scope").select_option("authority")
    page.get_by_role("button", name="Show").click()
    expect(page.locator("table[data-indicator=referrals] caption")).to_contain_text("Referrals")
    axe_check(page)

    page.goto("/performance/annex-a/unmatched/")
    expect(page.locator("#unmatched caption")).to_contain_text("1 child without a case file")
    expect(page.locator("#unmatched")).to_contain_text("NX1")
    axe_check(page)
