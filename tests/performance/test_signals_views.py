"""The signals pages through personas: the list (scoped, filtered, fixed query count), a signal's
decision, the ad-hoc audit it opens, and a series' baseline."""

from __future__ import annotations

import re

import pytest
from django.test import Client
from django.urls import reverse

from audits.models import ProgrammeAudit
from performance.models import Baseline, SeriesKind, Signal
from performance.services.signals import signal_confirm, signal_dismiss

from .test_signals import BASELINE, imported, make_indicator, month, put_values, signal_at


def client_for(user: object) -> Client:
    client = Client()
    client.force_login(user)
    return client


def series_with_signal(indicator: object, scope_key: str, value: float = 16) -> Signal:
    """A 15-month baseline, then one month beyond the upper limit (14.42)."""
    put_values(indicator, BASELINE, scope_key=scope_key)
    imported(indicator, scope_key)
    put_values(indicator, [value], start=15, scope_key=scope_key)
    imported(indicator, scope_key)
    return Signal.objects.get(indicator=indicator, scope_key=scope_key, month=month(15))


@pytest.fixture
def signals(world) -> dict[str, Signal]:
    """A new signal on referrals for the authority, area A and area B."""
    referrals = make_indicator()
    return {key: series_with_signal(referrals, key) for key in ("authority", "area:area-a", "area:area-b")}


def shown(response: object) -> set[int]:
    return {int(pk) for pk in re.findall(r'data-signal="(\d+)"', response.content.decode())}


# --- the list -----------------------------------------------------------------------------------------
def test_a_team_manager_reads_the_authority_and_their_areas_signals_only(world, signals):
    response = client_for(world.people["team_manager_same"]).get(reverse("performance:signal-list"))
    assert response.status_code == 200
    assert shown(response) == {signals["authority"].pk, signals["area:area-a"].pk}
    assert world.area_b.name not in response.content.decode()


def test_the_qa_team_and_bi_read_every_signal(world, signals):
    for persona in ("qa_officer", "bi_officer"):
        response = client_for(world.people[persona]).get(reverse("performance:signal-list"))
        assert shown(response) == {s.pk for s in signals.values()}


def test_people_without_performance_data_have_no_signals_page(world, signals):
    for persona in ("practitioner_own", "conference_chair", "partner_contributor"):
        assert client_for(world.people[persona]).get(reverse("performance:signal-list")).status_code == 403


def test_each_series_shows_its_chart_with_alternative_text_and_the_figures(world, signals):
    html = client_for(world.people["qa_officer"]).get(reverse("performance:signal-list")).content.decode()
    assert html.count('src="data:image/svg+xml;base64,') == 3
    assert 'alt="Line chart of Referrals, The whole authority (figure of record)' in html
    assert "Process limits 7.58 to 14.42 around a mean of 11" in html
    assert "Show the figures" in html
    assert "<script" not in html.split("<main", 1)[1].split("</main>", 1)[0]


def test_the_list_filters_by_status_series_and_indicator(world, signals):
    signal_confirm(signal=signals["area:area-a"], actor=world.people["bi_officer"])
    client = client_for(world.people["qa_officer"])
    url = reverse("performance:signal-list")
    assert shown(client.get(url, {"status": "confirmed"})) == {signals["area:area-a"].pk}
    assert shown(client.get(url, {"series": "estimate"})) == set()
    assert shown(client.get(url, {"indicator": "referrals", "status": "new"})) == {
        signals["authority"].pk,
        signals["area:area-b"].pk,
    }


def test_the_lists_queries_do_not_grow_with_signals(world, signals, django_assert_max_num_queries):
    client = client_for(world.people["qa_officer"])
    url = reverse("performance:signal-list")
    # Session and user (2), scope (2), scopes (2), indicator choices (1), the count and the page (2),
    # every signal of the page's series (1), their points (1): 11.
    with django_assert_max_num_queries(11):
        client.get(url)
    for code in ("s47_enquiries", "cp_plans_started", "children_looked_after"):
        series_with_signal(make_indicator(code, baskets=("child_protection",)), "authority")
    with django_assert_max_num_queries(11):
        response = client.get(url)
    assert len(shown(response)) == 6


# --- one signal -----------------------------------------------------------------------------------------
def test_bi_confirms_a_signal(world, signals):
    signal = signals["authority"]
    url = reverse("performance:signal-detail", args=[signal.pk])
    response = client_for(world.people["bi_officer"]).post(url, {"decision": "confirm", "note": ""}, follow=True)
    assert response.redirect_chain == [(url, 302)]
    assert "The signal has been confirmed." in response.content.decode()
    signal.refresh_from_db()
    assert (signal.status, signal.decided_by) == (Signal.Status.CONFIRMED, world.people["bi_officer"])


def test_dismissing_without_a_note_shows_the_error_and_keeps_the_choice(world, signals):
    signal = signals["authority"]
    url = reverse("performance:signal-detail", args=[signal.pk])
    response = client_for(world.people["qa_manager"]).post(url, {"decision": "dismiss", "note": ""})
    html = response.content.decode()
    assert response.status_code == 200
    assert "<title>Error: " in html
    assert "govuk-error-summary" in html
    assert "Say why the signal is dismissed" in html
    assert re.search(r'value="dismiss"[^>]*checked', html)
    signal.refresh_from_db()
    assert signal.status == Signal.Status.NEW


def test_a_decided_signal_cannot_be_decided_again_from_a_stale_page(world, signals):
    signal = signals["authority"]
    signal_dismiss(signal=signal, actor=world.people["bi_officer"], note="Known cause")
    url = reverse("performance:signal-detail", args=[signal.pk])
    response = client_for(world.people["qa_officer"]).post(url, {"decision": "confirm"}, follow=True)
    assert response.redirect_chain == [(url, 302)]
    html = response.content.decode()
    assert f"This signal has already been dismissed by {world.people['bi_officer'].full_name}" in html
    assert 'name="decision"' not in html
    signal.refresh_from_db()
    assert signal.status == Signal.Status.DISMISSED


def test_a_team_manager_reads_a_signal_but_cannot_decide(world, signals):
    signal = signals["area:area-a"]
    client = client_for(world.people["team_manager_same"])
    url = reverse("performance:signal-detail", args=[signal.pk])
    html = client.get(url).content.decode()
    assert "What the data may be showing" in html
    assert "What else would we need to know?" in html
    assert 'name="decision"' not in html
    assert "Open an ad-hoc audit" not in html
    assert client.post(url, {"decision": "confirm"}).status_code == 403


def test_another_areas_signal_is_not_found(world, signals):
    url = reverse("performance:signal-detail", args=[signals["area:area-b"].pk])
    assert client_for(world.people["team_manager_same"]).get(url).status_code == 404
    assert client_for(world.people["service_manager_same"]).get(url).status_code == 404


def test_a_demand_measure_signal_is_worded_neutrally(world, signals):
    html = client_for(world.people["qa_officer"]).get(
        reverse("performance:signal-detail", args=[signals["authority"].pk])
    )
    text = html.content.decode()
    assert "a change worth understanding" in text
    assert "neither good nor bad" in text
    for judgement in ("worse", "better", "govuk-tag--red", "govuk-tag--green"):
        assert judgement not in text


def test_the_decisions_are_kept_as_history(world, signals):
    signal = signals["authority"]
    signal_confirm(signal=signal, actor=world.people["qa_manager"], note="Seen in the clinic too")
    html = client_for(world.people["bi_officer"]).get(reverse("performance:signal-detail", args=[signal.pk]))
    table = html.content.decode().split('id="signal-history"', 1)[1]
    assert world.people["qa_manager"].full_name in table
    assert "Seen in the clinic too" in table


# --- the ad-hoc audit -------------------------------------------------------------------------------------
def test_the_qa_team_opens_an_ad_hoc_audit_from_a_confirmed_signal(world, signals):
    signal = signals["area:area-a"]
    qa = world.people["qa_officer"]
    signal_confirm(signal=signal, actor=qa)
    detail = reverse("performance:signal-detail", args=[signal.pk])
    client = client_for(qa)
    assert "Open an ad-hoc audit" in client.get(detail).content.decode()
    response = client.post(reverse("performance:signal-open-audit", args=[signal.pk]))
    programme = ProgrammeAudit.objects.get()
    assert response["Location"] == reverse("audits:programme-detail", args=[programme.pk])
    assert programme.criteria["service_area_ids"] == [world.area_a.pk]
    html = client.get(detail).content.decode()
    assert "Open an ad-hoc audit" not in html
    assert reverse("audits:programme-detail", args=[programme.pk]) in html


def test_opening_an_audit_is_post_only_qa_only_and_needs_a_confirmed_signal(world, signals):
    signal = signals["authority"]
    url = reverse("performance:signal-open-audit", args=[signal.pk])
    assert client_for(world.people["qa_officer"]).get(url).status_code == 405
    response = client_for(world.people["qa_officer"]).post(url, follow=True)
    assert "Confirm the signal before opening an ad-hoc audit" in response.content.decode()
    signal_confirm(signal=signal, actor=world.people["bi_officer"])
    assert client_for(world.people["bi_officer"]).post(url).status_code == 403
    assert client_for(world.people["team_manager_same"]).post(url).status_code == 403
    other = reverse("performance:signal-open-audit", args=[signals["area:area-b"].pk])
    assert client_for(world.people["team_manager_same"]).post(other).status_code == 404
    assert not ProgrammeAudit.objects.exists()


# --- baselines ---------------------------------------------------------------------------------------------
def baseline_url(code: str = "referrals", scope_key: str = "authority", series: str = "record") -> str:
    return reverse("performance:baseline", kwargs={"indicator_code": code, "scope_key": scope_key, "series": series})


def test_bi_recalculates_a_baseline(world, signals):
    put_values(signals["authority"].indicator, [16] * 14, start=16)
    client = client_for(world.people["bi_officer"])
    response = client.post(baseline_url(), {"first_month": f"{month(15):%Y-%m}", "last_month": f"{month(29):%Y-%m}"})
    assert response.status_code == 302
    baseline = Baseline.objects.get(indicator__code="referrals", scope_key="authority", series=SeriesKind.RECORD)
    assert (baseline.first_month, baseline.last_month, baseline.set_by) == (
        month(15),
        month(29),
        world.people["bi_officer"],
    )
    html = client.get(baseline_url()).content.decode()
    assert "Recalculate the limits" in html
    assert world.people["bi_officer"].full_name in html


def test_a_baseline_of_too_few_months_shows_the_error_and_keeps_the_input(world, signals):
    response = client_for(world.people["qa_officer"]).post(
        baseline_url(), {"first_month": f"{month(0):%Y-%m}", "last_month": f"{month(10):%Y-%m}"}
    )
    html = response.content.decode()
    assert response.status_code == 200
    assert "<title>Error: " in html
    assert "A baseline needs at least 15 monthly figures" in html
    assert f'value="{month(10):%Y-%m}"' in html
    assert Baseline.objects.get(indicator__code="referrals", scope_key="authority").last_month == month(14)


def test_a_badly_typed_month_is_an_error(world, signals):
    response = client_for(world.people["qa_officer"]).post(baseline_url(), {"first_month": "May", "last_month": ""})
    html = response.content.decode()
    assert "Enter the first month as a year and month" in html
    assert "Enter the last month" in html


def test_baselines_are_for_bi_and_the_qa_team_only(world, signals):
    for persona in ("team_manager_same", "assistant_director", "principal_social_worker"):
        client = client_for(world.people[persona])
        assert client.get(baseline_url()).status_code == 403
        assert client.get(reverse("performance:baseline-list")).status_code == 403


@pytest.mark.parametrize(
    "url_kwargs",
    [
        {"scope_key": "team:a1"},
        {"scope_key": "area:nowhere"},
        {"code": "no_such_indicator"},
        {"series": "guesses"},
    ],
)
def test_a_series_that_cannot_have_a_baseline_is_not_found(world, signals, url_kwargs):
    assert client_for(world.people["bi_officer"]).get(baseline_url(**url_kwargs)).status_code == 404


def test_the_baselines_list_shows_every_series_held(world, signals):
    html = client_for(world.people["bi_officer"]).get(reverse("performance:baseline-list")).content.decode()
    for key in ("authority", "area:area-a", "area:area-b"):
        assert baseline_url(scope_key=key) in html
    assert "Jan 2024 to Mar 2025" in html


# --- my work ---------------------------------------------------------------------------------------------
def test_my_work_links_to_signals_for_readers_only(world):
    signals_url = reverse("performance:signal-list")
    assert signals_url in client_for(world.people["team_manager_same"]).get(reverse("home")).content.decode()
    assert signals_url not in client_for(world.people["practitioner_own"]).get(reverse("home")).content.decode()


def test_signal_at_helper_reads_the_fixture(world, signals):
    # The helper the browser journey uses finds the same signal the pages show.
    assert signal_at(signals["authority"].indicator, 15, scope_key="authority") == signals["authority"]
