"""Basket pages: every measure of a basket for a scope and a month, with its n, trend, benchmarks,
target (only where allowed), app estimate and an unranked comparison of counts.

Personas come from the ``world`` fixture: team_manager_same manages team A1 (area A), and so reads
A1, area A and the authority; team_manager_other reads B1, area B and the authority.
"""

from __future__ import annotations

import base64
import datetime
import re
from decimal import Decimal

import pytest
from django.core.management import call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from performance.estimates import add_months, month_end
from performance.models import (
    Basket,
    Benchmark,
    Comparator,
    Direction,
    Estimate,
    FigureOfRecord,
    Indicator,
    IndicatorType,
    Population,
)
from tests.factories import TeamFactory

LATEST = datetime.date(2025, 6, 1)


def indicator(code: str, kind: str, *, baskets: tuple[str, ...] = (Basket.FRONT_DOOR,), **fields) -> Indicator:
    defaults = {
        "name": code.replace("_", " ").capitalize(),
        "brief": f"What {code} may be showing.",
        "sources": ["annex_a"],
        "unit": "%" if kind == IndicatorType.PERCENTAGE else "",
        "position": Indicator.objects.count() * 10,
    }
    defaults.update(fields)
    return Indicator.objects.create(code=code, type=kind, baskets=list(baskets), **defaults)


def put(ind: Indicator, scope_key: str, month: datetime.date, value, numerator=None, denominator=None, model=None):
    model = model or FigureOfRecord
    return model.objects.create(
        indicator=ind,
        scope_key=scope_key,
        period_start=month,
        period_end=month_end(month),
        value=None if value is None else Decimal(str(value)),
        numerator=None if numerator is None else Decimal(str(numerator)),
        denominator=None if denominator is None else Decimal(str(denominator)),
    )


@pytest.fixture
def catalogue(world):
    return {
        "referrals": indicator("referrals", IndicatorType.FLOW, demand_measure=True, unit="referrals"),
        "in_45": indicator(
            "assessments_in_45_days_pct",
            IndicatorType.PERCENTAGE,
            baskets=(Basket.FRONT_DOOR, Basket.TEAM),
            target_allowed=True,
            target=Decimal("85"),
            direction=Direction.HIGHER,
        ),
        "re_referral": indicator("re_referral_rate", IndicatorType.PERCENTAGE),
        "rate": indicator(
            "assessments_rate",
            IndicatorType.RATE,
            demand_measure=True,
            unit="per 10,000 children aged 0–17",
            lowest_scope="authority",
        ),
        "turnover": indicator(
            "practitioner_turnover_pct", IndicatorType.PERCENTAGE, baskets=(Basket.WORKFORCE,), lowest_scope="area"
        ),
        "vacancies": indicator("vacancies", IndicatorType.STOCK, baskets=(Basket.WORKFORCE,), unit="posts (FTE)"),
        "survey": indicator(
            "staff_survey_outcomes",
            IndicatorType.NARRATIVE,
            baskets=(Basket.WORKFORCE,),
            lowest_scope="area",
            sources=["local"],
            owner="HR and workforce development",
            numerator="Themes of the annual staff survey",
        ),
        "cost": indicator(
            "placement_cost_avoidance",
            IndicatorType.MONEY,
            baskets=(Basket.CHILDREN_IN_CARE,),
            unit="£",
            sources=["local"],
            owner="Finance",
        ),
        "retired": indicator("retired_measure", IndicatorType.FLOW, active=False),
    }


def get_basket(client, user, basket="front_door", **params):
    client.force_login(user)
    return client.get(reverse("performance:basket", args=[basket]), params)


def panel(response, code: str) -> str:
    html = response.content.decode()
    match = re.search(rf'<section[^>]*data-indicator="{code}".*?</section>', html, re.S)
    assert match, f"no panel for {code}"
    return match.group(0)


# --- the list -------------------------------------------------------------------------------------------
def test_the_basket_list_links_every_basket_with_its_measures(client, world, catalogue):
    client.force_login(world.people["team_manager_same"])
    response = client.get(reverse("performance:basket-list"))
    assert response.status_code == 200
    html = response.content.decode()
    for basket in Basket.values:
        assert reverse("performance:basket", args=[basket]) in html
    # Front door holds referrals, timeliness, re-referrals and the rate; the retired one is not counted.
    assert re.search(r'data-basket="front_door".*?4 measures', html, re.S)


def test_practitioners_have_no_baskets(client, world, catalogue):
    client.force_login(world.people["practitioner_own"])
    assert client.get(reverse("performance:basket-list")).status_code == 403
    assert client.get(reverse("performance:basket", args=["front_door"])).status_code == 403


def test_the_pages_only_show(client, world, catalogue):
    client.force_login(world.people["team_manager_same"])
    assert client.post(reverse("performance:basket-list")).status_code == 405
    assert client.post(reverse("performance:basket", args=["front_door"])).status_code == 405


def test_my_work_links_to_the_baskets_for_readers_only(client, world):
    client.force_login(world.people["team_manager_same"])
    assert reverse("performance:basket-list") in client.get(reverse("home")).content.decode()
    client.force_login(world.people["practitioner_own"])
    assert reverse("performance:basket-list") not in client.get(reverse("home")).content.decode()


# --- scope ------------------------------------------------------------------------------------------------
def test_a_team_manager_starts_on_their_own_team(client, world, catalogue):
    put(catalogue["referrals"], "team:a1", LATEST, 31)
    put(catalogue["referrals"], "authority", LATEST, 402)
    response = get_basket(client, world.people["team_manager_same"])
    assert response.status_code == 200
    assert world.team_a1.name in response.content.decode()
    assert "31" in panel(response, "referrals")
    assert "402" not in panel(response, "referrals")


def test_a_team_without_figures_in_the_basket_starts_on_its_service_area_then_the_authority(client, world, catalogue):
    # Team A1 has no front-door figures: the team manager first sees area A's, or else the authority's.
    put(catalogue["referrals"], "authority", LATEST, 402)
    response = get_basket(client, world.people["team_manager_same"])
    assert "402" in panel(response, "referrals")
    put(catalogue["referrals"], f"area:{world.team_a1.service_area.code}", LATEST, 57)
    response = get_basket(client, world.people["team_manager_same"])
    assert "57" in panel(response, "referrals")
    assert "402" not in panel(response, "referrals")


def test_the_scope_choices_are_only_what_the_person_may_read(client, world, catalogue):
    response = get_basket(client, world.people["team_manager_same"])
    options = re.findall(r'<option value="([^"]+)"', response.content.decode())
    assert [o for o in options if not re.match(r"\d{4}-\d{2}", o)] == ["authority", "area:area-a", "team:a1"]


@pytest.mark.parametrize("scope_key", ["team:b1", "area:area-b", "team:nowhere", "area:"])
def test_another_teams_or_an_unknown_scope_is_404(client, world, catalogue, scope_key):
    response = get_basket(client, world.people["team_manager_same"], scope=scope_key)
    assert response.status_code == 404


def test_an_unknown_basket_is_404(client, world, catalogue):
    assert get_basket(client, world.people["team_manager_same"], basket="sweets").status_code == 404


def test_whole_service_roles_and_bi_read_any_team(client, world, catalogue):
    put(catalogue["referrals"], "team:b1", LATEST, 17)
    for persona in ("assistant_director", "bi_officer", "principal_social_worker", "qa_officer"):
        response = get_basket(client, world.people[persona], scope="team:b1")
        assert response.status_code == 200, persona
        assert "17" in panel(response, "referrals")


# --- values, n and greying ----------------------------------------------------------------------------
def test_the_latest_month_is_shown_by_default_with_its_n(client, world, catalogue):
    put(catalogue["in_45"], "team:a1", add_months(LATEST, -1), 70, 14, 20)
    put(catalogue["in_45"], "team:a1", LATEST, "82.5", 33, 40)
    response = get_basket(client, world.people["team_manager_same"])
    current = re.search(r"data-current>(.*?)</dd>", panel(response, "assessments_in_45_days_pct"), re.S).group(1)
    assert "82.5%" in current
    assert "33 of 40" in current
    assert "June 2025" in response.content.decode()


def test_a_month_can_be_chosen(client, world, catalogue):
    put(catalogue["in_45"], "team:a1", add_months(LATEST, -1), 70, 14, 20)
    put(catalogue["in_45"], "team:a1", LATEST, "82.5", 33, 40)
    response = get_basket(client, world.people["team_manager_same"], month="2025-05")
    current = re.search(r"data-current>(.*?)</dd>", panel(response, "assessments_in_45_days_pct"), re.S).group(1)
    assert "70%" in current
    assert "14 of 20" in current


def test_a_month_without_figures_is_refused_with_an_error_summary(client, world, catalogue):
    put(catalogue["in_45"], "team:a1", LATEST, "82.5", 33, 40)
    response = get_basket(client, world.people["team_manager_same"], month="2019-01")
    html = response.content.decode()
    assert response.status_code == 200
    assert "<title>Error: " in html
    assert "govuk-error-summary" in html
    assert "there are no figures for that month" in html
    # The latest month is still shown.
    assert "82.5%" in panel(response, "assessments_in_45_days_pct")


def test_percentages_with_n_below_10_are_greyed_and_say_so(client, world, catalogue):
    put(catalogue["in_45"], "team:a1", LATEST, "87.5", 7, 8)
    put(catalogue["re_referral"], "team:a1", LATEST, "25", 3, 12)
    response = get_basket(client, world.people["team_manager_same"])
    greyed = panel(response, "assessments_in_45_days_pct")
    current = re.search(r"data-current>(.*?)</dd>", greyed, re.S).group(1)
    assert "app-low-n" in current
    assert "n below 10: read with care" in current
    ten_or_more = re.search(r"data-current>(.*?)</dd>", panel(response, "re_referral_rate"), re.S).group(1)
    assert "app-low-n" not in ten_or_more
    assert "read with care" not in ten_or_more


def test_a_percentage_without_a_value_is_worked_out_from_its_n(client, world, catalogue):
    put(catalogue["re_referral"], "team:a1", LATEST, None, 5, 20)
    response = get_basket(client, world.people["team_manager_same"])
    assert "25% <span" in panel(response, "re_referral_rate")


# --- targets only where allowed; demand measures without colouring ------------------------------------
def test_demand_measures_carry_no_target_and_no_colouring(client, world, catalogue):
    put(catalogue["referrals"], "team:a1", LATEST, 31)
    response = get_basket(client, world.people["team_manager_same"])
    referrals = panel(response, "referrals")
    assert "data-target" not in referrals
    assert "Target" not in referrals
    assert "govuk-tag" not in referrals
    assert "no target and no good or bad reading" in referrals


def test_a_measure_that_may_not_have_a_target_shows_none(client, world, catalogue):
    put(catalogue["re_referral"], "team:a1", LATEST, "25", 3, 12)
    response = get_basket(client, world.people["team_manager_same"])
    re_referral = panel(response, "re_referral_rate")
    assert "Target" not in re_referral
    assert "govuk-tag" not in re_referral


@pytest.mark.parametrize(("value", "wording"), [("88", "Target met"), ("80", "Target not met")])
def test_a_timeliness_measure_shows_its_target_met_or_not(client, world, catalogue, value, wording):
    put(catalogue["in_45"], "team:a1", LATEST, value, 40, 50)
    response = get_basket(client, world.people["team_manager_same"])
    timeliness = panel(response, "assessments_in_45_days_pct")
    target = re.search(r"data-target>(.*?)</dd>", timeliness, re.S).group(1)
    assert "85% (higher is better)" in target
    assert f">{wording}</strong>" in target


def test_no_target_set_means_no_target_shown(client, world, catalogue):
    Indicator.objects.filter(pk=catalogue["in_45"].pk).update(target=None)
    put(catalogue["in_45"], "team:a1", LATEST, "88", 44, 50)
    response = get_basket(client, world.people["team_manager_same"])
    assert "data-target" not in panel(response, "assessments_in_45_days_pct")


# --- benchmarks, estimates, the brief and the prompt -----------------------------------------------------
def test_benchmarks_for_the_period_are_shown(client, world, catalogue):
    put(catalogue["re_referral"], "authority", LATEST, "21.4", 86, 402)
    for comparator, value in ((Comparator.STATISTICAL_NEIGHBOURS, "20.1"), (Comparator.ENGLAND, "22.4")):
        Benchmark.objects.create(
            indicator=catalogue["re_referral"],
            comparator=comparator,
            period_start=datetime.date(2024, 4, 1),
            period_end=datetime.date(2025, 3, 31),
            value=Decimal(value),
        )
    # An older England figure is not the one shown.
    Benchmark.objects.create(
        indicator=catalogue["re_referral"],
        comparator=Comparator.ENGLAND,
        period_start=datetime.date(2023, 4, 1),
        period_end=datetime.date(2024, 3, 31),
        value=Decimal("30.9"),
    )
    response = get_basket(client, world.people["director"])
    html = panel(response, "re_referral_rate")
    assert re.search(r'data-benchmark="statistical_neighbours">20.1%', html)
    assert re.search(r'data-benchmark="england">22.4%', html)
    assert "30.9" not in html
    assert "Statistical neighbours" in html


def test_the_app_estimate_is_shown_beside_the_figure_of_record(client, world, catalogue):
    put(catalogue["referrals"], "authority", LATEST, 402)
    put(catalogue["referrals"], "authority", LATEST, 396, model=Estimate)
    response = get_basket(client, world.people["director"])
    html = panel(response, "referrals")
    assert "App estimate" in html
    assert re.search(r"data-estimate>\s*<span[^>]*>396", html)
    assert re.search(r"data-current>\s*<span[^>]*>402", html)


def test_every_measure_shows_its_brief_and_the_prompt(client, world, catalogue):
    response = get_basket(client, world.people["team_manager_same"])
    for code in ("referrals", "assessments_in_45_days_pct", "re_referral_rate", "assessments_rate"):
        html = panel(response, code)
        assert f"What {code} may be showing." in html
        assert "What else would we need to know?" in html
    assert "retired_measure" not in response.content.decode()


# --- the trend ---------------------------------------------------------------------------------------------
def test_the_trend_is_a_chart_image_with_its_table(client, world, catalogue):
    for n in range(30):
        put(catalogue["referrals"], "authority", add_months(LATEST, -n), 300 + n)
    response = get_basket(client, world.people["director"])
    html = panel(response, "referrals")
    image = re.search(r'<img class="app-chart" src="([^"]+)" alt="([^"]+)"', html)
    assert image
    src, alt = image.groups()
    assert src.startswith("data:image/svg+xml;base64,")
    assert base64.b64decode(src.split(",", 1)[1]).lstrip().startswith(b"<?xml")
    # 24 months: from July 2023 (323) to June 2025 (300); the highest and lowest named.
    assert "July 2023 to June 2025" in alt
    assert "323 in July 2023 and 300 in June 2025" in alt
    assert "highest 323 in July 2023, lowest 300 in June 2025" in alt
    table = re.search(r"<table[^>]*data-trend>.*?</table>", html, re.S).group(0)
    assert "Show the figures" in html
    assert table.count("<tr") == 25  # header and 24 months
    assert "Jun 2023" not in table


# --- comparison: counts, name order, never a ranking -------------------------------------------------------
def test_the_area_compares_its_teams_in_name_order_not_by_value(client, world, catalogue):
    world.team_a1.name = "Beech team"
    world.team_a1.save()
    world.team_a2.name = "Alder team"
    world.team_a2.save()
    cedar = TeamFactory(code="a3", name="Cedar team", service_area=world.area_a)
    put(catalogue["referrals"], "area:area-a", LATEST, 16)
    put(catalogue["referrals"], "team:a1", LATEST, 9)
    put(catalogue["referrals"], "team:a2", LATEST, 5)
    put(catalogue["referrals"], f"team:{cedar.code}", LATEST, 2)
    response = get_basket(client, world.people["service_manager_same"], scope="area:area-a")
    table = re.search(r"<table[^>]*data-comparison>.*?</table>", panel(response, "referrals"), re.S).group(0)
    rows = re.findall(r'data-scope="([^"]+)"', table)
    assert rows == ["team:a2", "team:a1", "team:a3"]
    assert "not a ranking" in table
    values = re.findall(r'<td class="govuk-table__cell govuk-table__cell--numeric"><span[^>]*>(\d+)', table)
    assert values == ["5", "9", "2"]
    assert world.team_b1.name not in response.content.decode()


def test_a_team_is_compared_with_the_teams_of_its_area(client, world, catalogue):
    put(catalogue["in_45"], "team:a1", LATEST, "90", 36, 40)
    put(catalogue["in_45"], "team:a2", LATEST, "75", 6, 8)
    response = get_basket(client, world.people["team_manager_same"])
    table = re.search(r"<table[^>]*data-comparison>.*?</table>", panel(response, "assessments_in_45_days_pct"), re.S)
    html = table.group(0)
    assert "(this team)" in html
    assert "36 of 40" in html
    # Counts with their n; the small one greyed.
    assert re.search(r'data-scope="team:a2".*?app-low-n.*?6 of 8', html, re.S)


def test_the_authority_compares_its_service_areas(client, world, catalogue):
    put(catalogue["referrals"], "authority", LATEST, 40)
    put(catalogue["referrals"], "area:area-b", LATEST, 12)
    response = get_basket(client, world.people["director"], scope="authority")
    table = re.search(r"<table[^>]*data-comparison>.*?</table>", panel(response, "referrals"), re.S).group(0)
    assert re.findall(r'data-scope="([^"]+)"', table) == sorted(
        ["area:area-a", "area:area-b", "area:early-help"],
        key=lambda key: (
            {"area:area-a": world.area_a, "area:area-b": world.area_b, "area:early-help": world.area_eh}[key].name
        ),
    )


# --- rates at the right level -------------------------------------------------------------------------------
def test_workforce_rates_are_not_shown_for_a_team(client, world, catalogue):
    put(catalogue["turnover"], "team:a1", LATEST, "12", 3, 25)  # should never be loaded; never shown
    put(catalogue["vacancies"], "team:a1", LATEST, 2)
    response = get_basket(client, world.people["team_manager_same"], basket="workforce")
    turnover = panel(response, "practitioner_turnover_pct")
    assert "service areas and the whole authority only" in turnover
    assert "12%" not in turnover
    assert "data-chart" not in turnover
    # Teams see vacancy counts.
    assert re.search(r"data-current>\s*<span[^>]*>2<", panel(response, "vacancies"))


def test_workforce_rates_compare_service_areas_but_never_teams(client, world, catalogue):
    put(catalogue["turnover"], "area:area-a", LATEST, "14", 7, 50)
    put(catalogue["turnover"], "authority", LATEST, "13", 13, 100)
    put(catalogue["vacancies"], "area:area-a", LATEST, 3)
    put(catalogue["vacancies"], "team:a2", LATEST, 1)
    area = get_basket(client, world.people["service_manager_same"], basket="workforce", scope="area:area-a")
    assert "14%" in panel(area, "practitioner_turnover_pct")
    assert "data-comparison" not in panel(area, "practitioner_turnover_pct")
    assert "data-comparison" in panel(area, "vacancies")
    authority = get_basket(client, world.people["service_manager_same"], basket="workforce", scope="authority")
    assert "data-comparison" in panel(authority, "practitioner_turnover_pct")


def test_rates_per_10000_are_for_the_authority_only(client, world, catalogue):
    put(catalogue["rate"], "authority", LATEST, "512.3")
    put(catalogue["referrals"], "area:area-a", LATEST, 10)
    area = get_basket(client, world.people["service_manager_same"], scope="area:area-a")
    assert "whole authority only" in panel(area, "assessments_rate")
    assert "512.3" not in area.content.decode()
    authority = get_basket(client, world.people["service_manager_same"], scope="authority")
    rate = panel(authority, "assessments_rate")
    assert "512.3" in rate
    assert "data-comparison" not in rate


def test_a_rate_per_10000_is_worked_out_from_the_years_population(client, world, catalogue):
    Population.objects.create(year=2025, aged_0_to_17=52_000)
    put(catalogue["rate"], "authority", LATEST, None, numerator=2600)
    response = get_basket(client, world.people["director"])
    assert "500" in re.search(r"data-current>(.*?)</dd>", panel(response, "assessments_rate"), re.S).group(1)


def test_a_rate_without_a_population_says_so(client, world, catalogue):
    put(catalogue["rate"], "authority", LATEST, None, numerator=2600)
    response = get_basket(client, world.people["director"])
    assert "No population for 2025" in panel(response, "assessments_rate")


# --- money and narrative ---------------------------------------------------------------------------------------
def test_money_is_shown_in_pounds(client, world, catalogue):
    put(catalogue["cost"], "authority", LATEST, "125000")
    response = get_basket(client, world.people["director"], basket="children_in_care")
    assert "£125,000" in panel(response, "placement_cost_avoidance")


def test_a_narrative_measure_shows_its_text_without_a_figure(client, world, catalogue):
    put(catalogue["vacancies"], "authority", LATEST, 4)
    response = get_basket(client, world.people["director"], basket="workforce")
    survey = panel(response, "staff_survey_outcomes")
    assert "Themes of the annual staff survey" in survey
    assert "HR and workforce development" in survey
    assert "data-chart" not in survey


def test_a_basket_without_figures_says_so(client, world, catalogue):
    response = get_basket(client, world.people["team_manager_same"])
    assert response.status_code == 200
    assert 'id="no-figures"' in response.content.decode()


def test_the_real_catalogue_renders_every_basket(client, world):
    call_command("load_framework", verbosity=0)
    assert Indicator.objects.filter(baskets__isnull=False).count() >= 40
    for basket in Basket.values:
        response = get_basket(client, world.people["director"], basket=basket, scope="authority")
        assert response.status_code == 200, basket
        assert "What else would we need to know?" in response.content.decode()


# --- query counts do not grow with data ------------------------------------------------------------------------
def _fill(catalogue: dict[str, Indicator], keys: list[str], months: range) -> None:
    rows = []
    for n in months:
        month = add_months(LATEST, -n)
        for key in keys:
            for code in ("referrals", "in_45", "re_referral"):
                counted = code != "referrals"
                rows.append(
                    FigureOfRecord(
                        indicator=catalogue[code],
                        scope_key=key,
                        period_start=month,
                        period_end=month_end(month),
                        value=Decimal(50 + n),
                        numerator=Decimal(5 + n) if counted else None,
                        denominator=Decimal(20 + n) if counted else None,
                    )
                )
        rows.append(
            Estimate(
                indicator=catalogue["referrals"],
                scope_key=keys[0],
                period_start=month,
                period_end=month_end(month),
                value=Decimal(40 + n),
            )
        )
    FigureOfRecord.objects.bulk_create([row for row in rows if isinstance(row, FigureOfRecord)])
    Estimate.objects.bulk_create([row for row in rows if isinstance(row, Estimate)])


def _queries(client) -> int:
    with CaptureQueriesContext(connection) as queries:
        response = client.get(reverse("performance:basket", args=["front_door"]), {"scope": "area:area-a"})
    assert response.status_code == 200
    return len(queries)


def test_the_basket_page_query_count_does_not_grow_with_data(client, world, catalogue, django_assert_max_num_queries):
    client.force_login(world.people["service_manager_same"])
    keys = ["area:area-a", "authority", "team:a1", "team:a2"]
    _fill(catalogue, keys, range(3))
    small = _queries(client)
    # Ten times the months and four times the teams.
    more_teams = [f"team:{TeamFactory(code=f'x{n}', service_area=world.area_a).code}" for n in range(12)]
    _fill(catalogue, keys, range(3, 30))
    _fill(catalogue, ["area:area-b", *more_teams], range(30))
    assert _queries(client) == small
    # Session and user; role assignments and duties (the scope); areas and teams (scopes);
    # indicators; months with figures, months with estimates; figures; estimates; benchmarks.
    with django_assert_max_num_queries(12):
        client.get(reverse("performance:basket", args=["front_door"]), {"scope": "area:area-a"})
