"""The indicator catalogue is framework content: loaded by ``load_framework``, each code inserted
once and never changed; every seed section 7 row is covered; a malformed file is refused whole."""

from __future__ import annotations

import copy
import io
import json
from pathlib import Path

import pytest
from django.conf import settings
from django.core.management import CommandError, call_command

from performance.models import Basket, Indicator, IndicatorType, Source

CATALOGUE = settings.BASE_DIR / "performance" / "framework" / "10-indicators.v1.json"

# The 21 measures of the seed's section 7 table, word for word.
SEED_MEASURES = [
    "Re-referral rates to Early Help",
    "Step ups and step downs between Early Help and Social Work",
    "Referrals & Assessments that lead to no further action",
    "Recording of consent in audited cases",
    "Re-referral rate",
    "Rate of sec 47 enquiries and strategy discussions",
    "% of children with S47 enquiries that do not lead to a CP plan",
    "% of strategy discussions where all 3 statutory partners involved in discussions and decision",
    "Number/percentage Workbooks opened in relevant teams",
    "Rate of CP plans",
    "Rate of entry into care as a result of abuse and neglect in the family",
    "Outcomes of pre-proceedings processes",
    "Reduced applications to family court for care orders",
    "Outcomes at conclusion of family court proceedings",
    "Increased cost avoidance due to reduction in use of children's care placements",
    "Number/rate of children who leave care to live with family",
    "Number of changes of allocated Social Worker for children in last 2 years",
    "% Practitioner turnover and vacancy levels including use of locums",
    "Rate of practitioner sickness absence",
    "Outcomes of staff survey",
    "% Satisfied with workforce learning and development offer",
]

# The codes every performance part uses (the list), with their kind.
DEMAND_CODES = {
    "contacts",
    "referrals",
    "referrals_nfa_pct",
    "assessments_completed",
    "assessments_rate",
    "assessments_nfa_pct",
    "strategy_discussions",
    "s47_enquiries",
    "s47_rate",
    "s47_not_to_plan_pct",
    "s47_to_icpc_pct",  # conference conversion: a threshold measure like its companion
    "cp_plans_started",
    "cp_plan_rate",
    "children_looked_after",
    "cla_rate",
    "care_entry_abuse_neglect_rate",
    "care_order_applications",
}
TARGET_CODES = {
    "assessments_in_45_days_pct",
    "strategy_three_partners_pct",
    "workbooks_opened_pct",
    "consent_recorded_pct",
    "visits_in_timescale_pct",
    "statutory_reviews_in_timescale_pct",
    "supervision_in_timescale_pct",
}
ESTIMATE_CODES = {
    "referrals",
    "re_referral_rate",
    "referrals_nfa_pct",
    "assessments_completed",
    "assessments_in_45_days_pct",
    "s47_enquiries",
    "s47_not_to_plan_pct",
    "s47_to_icpc_pct",
    "cp_plans_started",
    "cp_plans_second_subsequent_pct",
    "children_looked_after",
    "step_down_after_assessment",
    "step_down_at_plan_end",
}
AUTHORITY_RATES = {"assessments_rate", "s47_rate", "cp_plan_rate", "cla_rate", "care_entry_abuse_neglect_rate"}


def _load(*dirs: Path) -> str:
    out = io.StringIO()
    call_command("load_framework", *[f"--dir={d}" for d in dirs], stdout=out)
    return out.getvalue()


def _items() -> list[dict]:
    return json.loads(CATALOGUE.read_text(encoding="utf-8"))["data"]


def test_the_catalogue_covers_every_seed_row_and_the_agreed_codes(db):
    _load(CATALOGUE.parent)
    indicators = {i.code: i for i in Indicator.objects.all()}
    measures = {i.seed_measure for i in indicators.values()}
    assert [m for m in SEED_MEASURES if m not in measures] == []
    assert len(indicators) == 41
    assert {c for c, i in indicators.items() if i.demand_measure} == DEMAND_CODES
    assert {c for c, i in indicators.items() if i.target_allowed} == TARGET_CODES
    assert {c for c, i in indicators.items() if i.estimate_key} == ESTIMATE_CODES
    assert all(indicators[c].estimate_key == c for c in ESTIMATE_CODES)
    assert {c for c, i in indicators.items() if i.lowest_scope == "authority"} == AUTHORITY_RATES
    assert indicators["practitioner_turnover_pct"].lowest_scope == "area"
    assert indicators["sickness_days_per_fte"].lowest_scope == "area"
    assert indicators["vacancies"].lowest_scope == "team"
    assert indicators["placement_cost_avoidance"].type == IndicatorType.MONEY
    assert indicators["placement_cost_avoidance"].owner == "Finance"
    assert indicators["staff_survey_outcomes"].type == IndicatorType.NARRATIVE
    # The seed's "what the data may be showing", word for word.
    assert indicators["re_referral_rate"].brief.startswith("May measure effectiveness of earlier interventions.")
    for indicator in indicators.values():
        assert indicator.example_content
        assert not indicator.local
        assert set(indicator.baskets) <= set(Basket.values)
        if Source.LOCAL in indicator.sources:
            assert indicator.owner, indicator.code
        if indicator.demand_measure:
            assert indicator.target is None, indicator.code
            assert not indicator.direction, indicator.code
    for basket in Basket.values:
        assert any(basket in i.baskets for i in indicators.values()), basket


def test_loading_twice_inserts_each_indicator_once_and_never_changes_an_edited_one(db):
    _load(CATALOGUE.parent)
    first = {i.code: i.pk for i in Indicator.objects.all()}
    Indicator.objects.filter(code="visits_in_timescale_pct").update(target=95, owner="Our BI team")
    assert "already loaded" in _load(CATALOGUE.parent)
    assert {i.code: i.pk for i in Indicator.objects.all()} == first
    edited = Indicator.objects.get(code="visits_in_timescale_pct")
    assert (edited.target, edited.owner) == (95, "Our BI team")
    # History is kept from the start.
    assert edited.history.count() == 1


def test_a_new_version_of_the_file_adds_only_new_codes(db, tmp_path):
    _load(CATALOGUE.parent)
    Indicator.objects.filter(code="contacts").update(brief="Our own brief")
    items = _items()
    items[0]["brief"] = "Changed in version 2"
    added = {**copy.deepcopy(items[0]), "code": "contacts_by_police", "name": "Contacts from the police"}
    _write(tmp_path, [*items, added], version="2", key="indicators")
    assert "loaded indicators v2 [indicators] (1 rows)" in _load(tmp_path)
    assert Indicator.objects.get(code="contacts").brief == "Our own brief"
    assert Indicator.objects.get(code="contacts_by_police").name == "Contacts from the police"


def _write(folder: Path, data: list, *, version: str = "1", key: str = "bad-indicators") -> None:
    document = {"key": key, "version": version, "kind": "indicators", "title": "Indicators", "data": data}
    (folder / f"10-{key}.v{version}.json").write_text(json.dumps(document), encoding="utf-8")


def _good(code: str, **changes) -> dict:
    item = {
        "code": code,
        "name": "A measure",
        "brief": "What it may show",
        "sources": ["annex_a"],
        "type": "flow",
        "numerator": "Things in the month",
        "period_rule": "Per month",
        "baskets": ["front_door"],
    }
    item.update(changes)
    return {k: v for k, v in item.items() if v is not None}


@pytest.mark.parametrize(
    ("item", "problem"),
    [
        (
            _good("demand_target", demand_measure=True, target_allowed=True, direction="higher"),
            "indicator demand_target: a demand or threshold measure takes no target",
        ),
        (_good("no_owner", sources=["local"]), "indicator no_owner: a local measure needs a named 'owner'"),
        (_good("odd_type", type="ratio"), "indicator odd_type: 'type' must be one of: stock, flow"),
        (_good("odd_source", sources=["gossip"]), "indicator odd_source: 'sources' must be a list of different"),
        (_good("no_source", sources=[]), "indicator no_source: 'sources' must be a list of different"),
        (_good("odd_basket", baskets=["housing"]), "indicator odd_basket: 'baskets' must be a list of different"),
        (_good("no_brief", brief=""), "indicator no_brief brief is empty"),
        (_good("Not A Slug"), "indicator 2: 'code' must be a slug"),
        (_good("typo", demand=True), "indicator typo: unknown field 'demand'"),
        (
            _good("target_no_direction", target_allowed=True),
            "indicator target_no_direction: a measure that takes a target needs a 'direction'",
        ),
        (_good("direction_only", direction="lower"), "indicator direction_only: only a measure that takes a target"),
        (_good("stray_target", target=90), "indicator stray_target: only a timeliness or compliance measure"),
        (
            _good(
                "big_target", type="percentage", denominator="All", target_allowed=True, direction="higher", target=101
            ),
            "indicator big_target: a percentage's target is at most 100",
        ),
        (
            _good("half_pct", type="percentage"),
            "indicator half_pct: a percentage needs a 'numerator' and a 'denominator'",
        ),
        (
            _good("team_rate", type="rate", denominator="Children", unit="per 10,000 children aged 0–17"),
            "indicator team_rate: a rate per 10,000 children is shown at authority level only",
        ),
        (_good("odd_scope", lowest_scope="street"), "indicator odd_scope: 'lowest_scope' must be one of"),
        (_good("flag_text", demand_measure="yes"), "indicator flag_text: 'demand_measure' must be true or false"),
    ],
)
def test_a_bad_row_refuses_the_whole_file_and_says_why(db, tmp_path, item, problem):
    _write(tmp_path, [_good("fine"), item])
    with pytest.raises(CommandError) as refused:
        _load(tmp_path)
    message = str(refused.value)
    assert "nothing was written" in message
    assert problem in message
    assert not Indicator.objects.exists()


def test_a_code_listed_twice_is_refused(db, tmp_path):
    _write(tmp_path, [_good("twice"), _good("twice")])
    with pytest.raises(CommandError, match="each code may be listed once: twice"):
        _load(tmp_path)
    assert not Indicator.objects.exists()
