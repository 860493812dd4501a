"""The catalogue pages: everyone who reads performance data reads the definitions; BI and the QA
team change briefs, owners and (timeliness and compliance measures only) targets, and add local
indicators; the population is entered a year at a time or imported from a CSV."""

from __future__ import annotations

import datetime
import io
from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.urls import reverse

from performance.demo_population import seed_population
from performance.models import Indicator, Population
from performance.selectors import population_by_year, rate_per_10000
from performance.services.catalogue import (
    CatalogueError,
    LocalIndicator,
    indicator_create_local,
    indicator_update,
    indicator_version,
)
from tests.factories import marker

from .test_catalogue_loader import CATALOGUE

TODAY = datetime.date(2026, 11, 3)
LIST = reverse("performance:indicator-list")
NEW = reverse("performance:indicator-new")
POPULATION = reverse("performance:population")


def _edit(code: str) -> str:
    return reverse("performance:indicator-edit", kwargs={"code": code})


def _detail(code: str) -> str:
    return reverse("performance:indicator-detail", kwargs={"code": code})


@pytest.fixture
def catalogue(db):
    call_command("load_framework", f"--dir={CATALOGUE.parent}", stdout=io.StringIO())
    return {i.code: i for i in Indicator.objects.all()}


def _client(client, world, persona):
    client.force_login(world.people[persona])
    return client


# --- the list and the detail -------------------------------------------------------------------------
def test_the_list_groups_indicators_by_basket_and_says_which_take_no_target(world, catalogue, client):
    Indicator.objects.filter(code="visits_in_timescale_pct").update(target=95)
    html = _client(client, world, "team_manager_same").get(LIST).content.decode()
    assert "Example content — replace with your own" in html
    for caption in ("Front door", "Child protection", "Children in care", "Early help", "Workforce"):
        assert f'govuk-table__caption--m">{caption}</caption>' in html
    assert html.count("Assessments completed within 45 working days") == 2  # front door and team basics
    assert "Yes: no target, no colouring" in html
    assert "95% (higher is better)" in html
    assert "Owner: Finance" in html
    # Readers are not offered the editing pages.
    assert NEW not in html


def test_the_list_takes_the_same_queries_however_many_indicators(
    world, catalogue, client, django_assert_max_num_queries
):
    reader = _client(client, world, "bi_officer")
    # Session, user, the scope's two (roles, duties) and the indicators.
    with django_assert_max_num_queries(5) as few:
        assert reader.get(LIST).status_code == 200
    for n in range(30):
        indicator_create_local(definition=_local(code=f"extra_{n}"), actor=world.people["bi_officer"])
    with django_assert_max_num_queries(len(few.captured_queries)):
        html = reader.get(LIST).content.decode()
    assert "extra_29" in html


def test_the_detail_shows_the_definition_brief_and_owner(world, catalogue, client):
    html = _client(client, world, "service_manager_same").get(_detail("s47_not_to_plan_pct")).content.decode()
    assert "Higher rates than comparators may indicate" in html
    assert "list 5 linked to list 7 per child" in html
    assert "Annex A, CIN Census" in html
    assert "A demand or threshold measure" in html
    assert "Not used: only timeliness and compliance measures take a target" in html
    assert _edit("s47_not_to_plan_pct") not in html
    cost = _client(client, world, "qa_officer").get(_detail("placement_cost_avoidance")).content.decode()
    assert "Finance" in cost
    assert "Local monitoring" in cost
    assert _edit("placement_cost_avoidance") in cost


def test_a_rate_per_10000_links_to_the_population(world, catalogue, client):
    html = _client(client, world, "director").get(_detail("cla_rate")).content.decode()
    assert "The whole authority only" in html
    assert POPULATION in html


def test_catalogue_pages_only_show(world, catalogue, client):
    reader = _client(client, world, "qa_manager")
    assert reader.put(LIST).status_code == 405
    assert reader.delete(_detail("contacts")).status_code == 405
    assert reader.put(_edit("contacts")).status_code == 405
    assert reader.get(_detail("no_such_code")).status_code == 404


# --- editing an indicator ------------------------------------------------------------------------------
def _edit_data(indicator: Indicator, **changes) -> dict:
    data = {
        "brief": indicator.brief,
        "owner": indicator.owner,
        "target": "",
        "direction": "",
        "version": indicator_version(indicator),
    }
    data.update(changes)
    return data


def test_bi_sets_a_target_on_a_compliance_measure_with_history(world, catalogue, client):
    indicator = catalogue["visits_in_timescale_pct"]
    response = _client(client, world, "bi_officer").post(
        _edit(indicator.code), _edit_data(indicator, target="92.5", direction="higher", owner="BI team")
    )
    assert response.status_code == 302
    assert response["Location"] == _detail(indicator.code)
    indicator.refresh_from_db()
    assert (indicator.target, indicator.direction, indicator.owner) == (Decimal("92.5"), "higher", "BI team")
    latest = indicator.history.order_by("-history_id").first()
    assert latest.history_user == world.people["bi_officer"]
    assert "92.5% (higher is better)" in client.get(_detail(indicator.code)).content.decode()


def test_a_demand_measure_is_not_offered_a_target_and_a_posted_one_is_ignored(world, catalogue, client):
    indicator = catalogue["referrals"]
    qa = _client(client, world, "qa_officer")
    page = qa.get(_edit(indicator.code)).content.decode()
    assert 'name="target"' not in page
    assert 'name="direction"' not in page
    assert "A demand or threshold measure takes no target" in page
    brief = f"Referrals: demand, not performance {marker()}"
    response = qa.post(_edit(indicator.code), _edit_data(indicator, brief=brief, target="50", direction="lower"))
    assert response.status_code == 302
    indicator.refresh_from_db()
    assert indicator.brief == brief
    assert indicator.target is None
    assert indicator.direction == ""


def test_the_service_refuses_a_target_on_a_demand_measure(world, catalogue):
    indicator = catalogue["children_looked_after"]
    with pytest.raises(CatalogueError, match="takes no target"):
        indicator_update(
            indicator_id=indicator.pk,
            version=indicator_version(indicator),
            brief=indicator.brief,
            owner="",
            target=Decimal(400),
            direction="lower",
            actor=world.people["qa_manager"],
        )
    indicator.refresh_from_db()
    assert indicator.target is None


def test_bad_input_is_shown_again_with_an_error_summary(world, catalogue, client):
    indicator = catalogue["supervision_in_timescale_pct"]
    typed = f"Typed brief {marker()}"
    response = _client(client, world, "qa_manager").post(
        _edit(indicator.code), _edit_data(indicator, brief=typed, target="105", direction="higher")
    )
    html = response.content.decode()
    assert response.status_code == 200
    assert "<title>Error: " in html
    assert "govuk-error-summary" in html
    assert "A percentage&#x27;s target must be 100 or less" in html
    assert typed in html
    assert 'value="105"' in html
    indicator.refresh_from_db()
    assert indicator.target is None


def test_a_target_needs_a_direction_and_a_local_measure_an_owner(world, catalogue, client):
    qa = _client(client, world, "qa_officer")
    indicator = catalogue["workbooks_opened_pct"]
    html = qa.post(_edit(indicator.code), _edit_data(indicator, target="80", direction="", owner="")).content.decode()
    assert "Choose whether higher or lower is better" in html
    assert "A local measure needs a named owner" not in html  # one problem at a time from the form
    html = qa.post(_edit(indicator.code), _edit_data(indicator, owner="  ")).content.decode()
    assert "A local measure needs a named owner" in html
    indicator.refresh_from_db()
    assert indicator.owner == "Family Safeguarding service manager"


def test_a_stale_edit_is_refused_kindly_and_overwrites_nothing(world, catalogue, client):
    indicator = catalogue["assessments_in_45_days_pct"]
    opened = _edit_data(indicator, target="90", direction="higher")
    indicator_update(
        indicator_id=indicator.pk,
        version=indicator_version(indicator),
        brief="Someone else's brief",
        owner="",
        target=Decimal(85),
        direction="higher",
        actor=world.people["bi_officer"],
    )
    html = _client(client, world, "qa_officer").post(_edit(indicator.code), opened).content.decode()
    assert "Someone else changed this indicator after you opened the page" in html
    assert "Someone else&#x27;s brief" in html  # the saved values, beside what was typed
    indicator.refresh_from_db()
    assert (indicator.brief, indicator.target) == ("Someone else's brief", Decimal(85))
    # Saving again is deliberate: the form now carries the new version.
    assert f'value="{indicator_version(indicator)}"' in html


# --- local indicators -------------------------------------------------------------------------------------
def _local(**changes) -> LocalIndicator:
    values = {
        "code": "missing_episodes",
        "name": "Missing episodes",
        "brief": "How often children go missing.",
        "type": "flow",
        "unit": "episodes",
        "numerator": "Missing episodes reported in the month",
        "denominator": "",
        "period_rule": "Count per calendar month",
        "baskets": ["children_in_care"],
        "owner": "Missing children co-ordinator",
        "demand_measure": True,
        "target_allowed": False,
        "lowest_scope": "team",
    }
    values.update(changes)
    return LocalIndicator(**values)


def _new_data(**changes) -> dict:
    data = {
        "name": "Return home interviews in 72 hours",
        "code": "return_interviews_72h_pct",
        "brief": "Whether children who were missing are offered a timely interview.",
        "owner": "Missing children co-ordinator",
        "type": "percentage",
        "unit": "%",
        "numerator": "Interviews held within 72 hours of return",
        "denominator": "Returns from a missing episode",
        "period_rule": "Per calendar month",
        "baskets": ["children_in_care", "team"],
        "measure_kind": "target",
        "target": "90",
        "direction": "higher",
        "lowest_scope": "team",
    }
    data.update(changes)
    return data


def test_qa_adds_a_local_indicator_with_a_target(world, catalogue, client):
    response = _client(client, world, "qa_officer").post(NEW, _new_data())
    assert response.status_code == 302
    indicator = Indicator.objects.get(code="return_interviews_72h_pct")
    assert response["Location"] == _detail(indicator.code)
    assert indicator.sources == ["local"]
    assert indicator.local
    assert not indicator.example_content
    assert not indicator.demand_measure
    assert (indicator.target_allowed, indicator.target, indicator.direction) == (True, Decimal(90), "higher")
    assert indicator.baskets == ["children_in_care", "team"]
    assert indicator.position > catalogue["supervision_in_timescale_pct"].position
    assert indicator.history.get().history_user == world.people["qa_officer"]
    assert "Added here" in client.get(LIST).content.decode()


def test_a_local_indicator_needs_an_owner_and_an_unused_code(world, catalogue, client):
    bi = _client(client, world, "bi_officer")
    html = bi.post(NEW, _new_data(owner="")).content.decode()
    assert "<title>Error: " in html
    assert "Enter the owner" in html
    assert "Return home interviews in 72 hours" in html  # what was typed is kept
    html = bi.post(NEW, _new_data(code="referrals")).content.decode()
    assert "An indicator with this code exists" in html
    assert not Indicator.objects.filter(local=True).exists()
    with pytest.raises(CatalogueError, match="named owner"):
        indicator_create_local(definition=_local(owner=" "), actor=world.people["bi_officer"])


def test_a_local_demand_measure_takes_no_target(world, catalogue, client):
    html = (
        _client(client, world, "qa_manager")
        .post(NEW, _new_data(measure_kind="demand", target="10", direction="higher"))
        .content.decode()
    )
    assert "Only a timeliness or compliance measure can have a target" in html
    assert not Indicator.objects.filter(code="return_interviews_72h_pct").exists()
    with pytest.raises(CatalogueError, match="takes no target"):
        indicator_create_local(
            definition=_local(target=Decimal(5), direction="lower"), actor=world.people["qa_manager"]
        )
    with pytest.raises(CatalogueError, match="whole authority only"):
        indicator_create_local(
            definition=_local(
                code="missing_rate",
                type="rate",
                unit="per 10,000 children aged 0–17",
                denominator="Children aged 0–17",
            ),
            actor=world.people["qa_manager"],
        )


# --- population --------------------------------------------------------------------------------------------
def test_bi_enters_and_changes_a_year_and_readers_see_it(world, client):
    bi = _client(client, world, "bi_officer")
    form = {"action": "save", "population-year": "2025", "population-aged_0_to_17": "52300", "population-source": "ONS"}
    assert bi.post(POPULATION, form).status_code == 302
    assert bi.post(POPULATION, {**form, "population-aged_0_to_17": "52,4"}).status_code == 200
    assert bi.post(POPULATION, {**form, "population-aged_0_to_17": "52400"}).status_code == 302
    row = Population.objects.get(year=2025)
    assert row.aged_0_to_17 == 52400
    assert row.updated_by == world.people["bi_officer"]
    assert row.history.count() == 2
    client.logout()
    html = _client(client, world, "team_manager_other").get(POPULATION).content.decode()
    assert "52400" in html
    assert 'name="population-year"' not in html
    assert client.post(POPULATION, form).status_code == 403


def test_bad_population_input_keeps_what_was_typed(world, client):
    html = (
        _client(client, world, "qa_officer")
        .post(POPULATION, {"action": "save", "population-year": "1850", "population-aged_0_to_17": "-3"})
        .content.decode()
    )
    assert "<title>Error: " in html
    assert "Enter a year from 1990" in html
    assert "The number of children must be more than 0" in html
    assert 'value="1850"' in html
    assert not Population.objects.exists()


def _upload(client, text: str):
    upload = SimpleUploadedFile("population.csv", text.encode("utf-8"), content_type="text/csv")
    return client.post(POPULATION, {"action": "import", "upload-file": upload})


def test_a_population_csv_adds_and_replaces_years(world, client):
    Population.objects.create(year=2024, aged_0_to_17=51000)
    Population.objects.create(year=2023, aged_0_to_17=50800)
    bi = _client(client, world, "bi_officer")
    response = _upload(bi, "year,aged_0_to_17,source\n2024,52100,ONS mid-2024\n2025,52350,ONS\n2023,50800,\n")
    assert response.status_code == 302
    assert population_by_year() == {2023: 50800, 2024: 52100, 2025: 52350}
    message = bi.get(POPULATION).content.decode()
    assert "1 year(s) added, 1 changed, 1 unchanged" in message
    # The same file again changes nothing.
    _upload(bi, "year,aged_0_to_17,source\n2024,52100,ONS mid-2024\n2025,52350,ONS\n2023,50800,\n")
    assert Population.objects.get(year=2024).history.count() == 2  # created, then changed once


def test_a_population_csv_with_problems_is_refused_whole_listing_each(world, client):
    Population.objects.create(year=2024, aged_0_to_17=51000)
    text = (
        "year,aged_0_to_17,source\n"
        "2024,52100,ONS\n"  # fine, but the file is refused whole
        "twenty,52000,ONS\n"
        "2025,-5,ONS\n"
        "2026,=1+1,ONS\n"
        "2024,52000,ONS\n"
        "2027,53000,=HYPERLINK()\n"
    )
    response = _upload(_client(client, world, "qa_manager"), text)
    html = response.content.decode()
    assert response.status_code == 200
    assert "<title>Error: " in html
    assert "The file has 5 problem(s) and was not imported" in html
    for row, column, words in (
        (3, "year", "&#x27;twenty&#x27; is not a whole number"),
        (4, "aged_0_to_17", "-5 is not a number of children aged 0–17"),
        (5, "aged_0_to_17", "&#x27;=1+1&#x27; is not a whole number"),
        (6, "year", "2024 is also on row 2"),
        (7, "source", "formulas are not accepted"),
    ):
        assert f'<td class="govuk-table__cell">{row}</td>' in html
        assert f'<td class="govuk-table__cell">{column}</td>' in html
        assert words in html
    assert population_by_year() == {2024: 51000}


def test_a_population_csv_without_its_columns_is_refused(world, client):
    html = _upload(_client(client, world, "bi_officer"), "year,children\n2024,5\n").content.decode()
    assert "required column is missing" in html
    assert not Population.objects.exists()


def test_rates_per_10000_need_the_year_population(db):
    assert rate_per_10000(120, 2025) is None
    Population.objects.create(year=2025, aged_0_to_17=52_000)
    assert rate_per_10000(120, 2025) == Decimal("23.1")
    assert rate_per_10000(None, 2025) is None
    assert rate_per_10000(120, 2024, populations=population_by_year()) is None
    assert rate_per_10000(Decimal(52), 2025, populations=population_by_year()) == Decimal("10.0")


# --- demo --------------------------------------------------------------------------------------------------
def test_the_demo_population_is_three_plausible_years_seeded_once(db):
    summary = seed_population(size="demo", today=TODAY)
    assert "3 year(s) added (2024–2026)" in summary
    first = population_by_year()
    assert sorted(first) == [2024, 2025, 2026]
    assert all(52_000 <= n <= 54_000 for n in first.values())
    assert first[2024] < first[2025] < first[2026]
    assert "0 year(s) added" in seed_population(size="demo", today=TODAY)
    assert population_by_year() == first
    Population.objects.all().delete()
    seed_population(size="demo", today=TODAY)
    assert population_by_year() == first  # deterministic
    seed_population(size="large", today=TODAY)
    assert Population.objects.count() == 3
