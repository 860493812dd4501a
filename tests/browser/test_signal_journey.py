"""Journey: a QA officer finds a signal from my work, reads the series and its limits, confirms the
signal with a note and opens an ad-hoc audit from it, then finds the audit linked from the signal.
Axe on every page."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from audits.models import ProgrammeAudit
from performance.models import Signal
from tests.performance.test_signals_views import make_indicator, series_with_signal

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_qa_confirms_a_signal_and_opens_an_ad_hoc_audit(page, world, sign_in_as, axe_check, tab_to):
    signal = series_with_signal(make_indicator(), "authority")
    sign_in_as(world.people["qa_officer"])

    page.goto("/")
    axe_check(page)
    page.get_by_role("link", name="Performance signals").click()
    expect(page.locator("h1")).to_have_text("Signals")
    expect(page.locator("#signal-count")).to_have_text("1 signal")
    axe_check(page)
    chart = page.locator("img.app-chart").first
    expect(chart).to_have_attribute("alt", "Line chart of Referrals, The whole authority (figure of record), " + (
        "January 2024 to April 2025. Figure of record: 10 in January 2024 and 16 in April 2025; highest 16 in "
        "April 2025, lowest 10 in January 2024. Process limits 7.58 to 14.42 around a mean of 11. The table of "
        "figures beside the chart gives every month."
    ))  # fmt: skip
    page.get_by_text("Show the figures").first.click()
    expect(page.locator("table tbody tr").filter(has_text="April 2025").first).to_contain_text("16")

    page.locator(f"[data-signal='{signal.pk}'] a").click()
    expect(page.locator("h1")).to_have_text("Referrals")
    axe_check(page)

    # By keyboard: the first radio, Space to choose it, then the note.
    tab_to(page, "input[name=decision][value=confirm]", limit=120)
    page.keyboard.press("Space")
    expect(page.locator("input[name=decision][value=confirm]")).to_be_checked()
    page.get_by_label("Note").fill("Referrals rose after the new MASH rota")
    page.get_by_role("button", name="Save the decision").click()
    expect(page.locator(".govuk-notification-banner")).to_contain_text("The signal has been confirmed.")
    expect(page.locator("#signal-status")).to_contain_text("Confirmed, by")
    axe_check(page)

    page.get_by_role("button", name="Open an ad-hoc audit").click()
    programme = ProgrammeAudit.objects.get()
    expect(page.locator("h1")).to_have_text(programme.title)
    expect(page.locator(".govuk-notification-banner")).to_contain_text("An ad-hoc audit has been opened")
    axe_check(page)
    assert programme.criteria["case_types"] == ["child_in_need"]

    page.goto(f"/performance/signals/{signal.pk}/")
    expect(page.locator("#signal-audit a")).to_have_text(programme.title)
    expect(page.get_by_role("button", name="Open an ad-hoc audit")).to_have_count(0)
    axe_check(page)
    signal.refresh_from_db()
    assert (signal.status, signal.programme_audit) == (Signal.Status.CONFIRMED, programme)
