"""Journey: a team manager opens the front-door basket from my work, reads their team's figures,
opens "Show the figures" by keyboard, then looks at their service area. Axe on every page."""

from __future__ import annotations

import datetime
import os
from decimal import Decimal

import pytest
from django.core.management import call_command
from playwright.sync_api import expect

from performance.estimates import add_months, month_end
from performance.models import Benchmark, Comparator, FigureOfRecord, Indicator

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

LATEST = datetime.date(2025, 6, 1)


def _front_door_figures(world) -> None:
    call_command("load_framework", verbosity=0)
    codes = {i.code: i for i in Indicator.objects.filter(code__in=["referrals", "assessments_in_45_days_pct"])}
    Indicator.objects.filter(code="assessments_in_45_days_pct").update(target=Decimal("85"))
    rows = []
    for n in range(24):
        month = add_months(LATEST, -n)
        for key, scale in (("team:a1", 1), ("team:a2", 2), ("area:area-a", 3), ("authority", 9)):
            rows.append(
                FigureOfRecord(
                    indicator=codes["referrals"],
                    scope_key=key,
                    period_start=month,
                    period_end=month_end(month),
                    value=Decimal(scale * (20 + n % 5)),
                )
            )
            denominator = Decimal(scale * (8 + n % 6))
            numerator = (denominator * Decimal("0.8")).quantize(Decimal("1"))
            rows.append(
                FigureOfRecord(
                    indicator=codes["assessments_in_45_days_pct"],
                    scope_key=key,
                    period_start=month,
                    period_end=month_end(month),
                    value=(numerator * 100 / denominator).quantize(Decimal("0.1")),
                    numerator=numerator,
                    denominator=denominator,
                )
            )
    FigureOfRecord.objects.bulk_create(rows)
    Benchmark.objects.create(
        indicator=codes["assessments_in_45_days_pct"],
        comparator=Comparator.ENGLAND,
        period_start=datetime.date(2024, 4, 1),
        period_end=datetime.date(2025, 3, 31),
        value=Decimal("82.1"),
    )


def test_a_team_manager_reads_the_front_door_basket(page, world, sign_in_as, axe_check, tab_to):
    _front_door_figures(world)
    sign_in_as(world.people["team_manager_same"])

    page.goto("/")
    axe_check(page)
    page.get_by_role("link", name="Performance baskets").click()
    expect(page.locator("h1")).to_have_text("Performance baskets")
    axe_check(page)

    page.get_by_role("link", name="Front door").click()
    expect(page.locator("h1")).to_have_text("Front door")
    expect(page.locator("#showing")).to_have_text(f"{world.team_a1.name}, June 2025")
    axe_check(page)

    timeliness = page.locator("section[data-indicator='assessments_in_45_days_pct']")
    expect(timeliness.locator("[data-benchmark='england']")).to_contain_text("82.1%")
    expect(timeliness.locator("[data-target]")).to_contain_text("85%")
    alt = timeliness.locator("img[data-chart]").get_attribute("alt")
    assert "July 2023 to June 2025" in alt
    referrals = page.locator("section[data-indicator='referrals']")
    expect(referrals.locator("[data-target]")).to_have_count(0)

    # "Show the figures" opens by keyboard and shows the table beside the chart.
    summary = "section[data-indicator='referrals'] summary"
    tab_to(page, summary, limit=200)
    page.keyboard.press("Enter")
    table = referrals.locator("table[data-trend]")
    expect(table).to_be_visible()
    expect(table.locator("tbody tr")).to_have_count(24)
    axe_check(page)

    # Their service area, through the filter: their team is compared with the area's other team.
    page.get_by_label("Where").select_option("area:area-a")
    page.get_by_role("button", name="Show the basket").click()
    expect(page.locator("#showing")).to_contain_text("June 2025")
    comparison = referrals.locator("table[data-comparison] tbody tr")
    expect(comparison).to_have_count(2)
    axe_check(page)
    if os.environ.get("QA_SCREENSHOTS"):
        page.screenshot(path=os.environ["QA_SCREENSHOTS"], full_page=True)
