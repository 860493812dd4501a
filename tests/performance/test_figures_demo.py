"""The demo's figures of record and benchmarks: 24 months ending last month, adding up from teams
to areas to the authority, with the two deliberate signals; written through the validated import,
added once, the same for the same size and date."""

from __future__ import annotations

import datetime
import io
import itertools
from decimal import Decimal

import pytest
from django.core.management import call_command

from core.models import ImportBatch
from organisation.demo import DEMO_EMAIL, demo_authority_seed
from organisation.models import Role, Team
from performance.demo_figures import MONTHS, seed_figures
from performance.demo_population import seed_population
from performance.models import Benchmark, Comparator, FigureOfRecord, Indicator, IndicatorType
from tests.factories import ServiceAreaFactory, TeamFactory, person_with_role

TODAY = datetime.date(2026, 3, 2)
FIRST_MONTH = datetime.date(2024, 3, 1)
LAST_MONTH = datetime.date(2026, 2, 1)
HistoricalFigure = FigureOfRecord.history.model


# A small authority with the demo's area codes: the front door, Family Safeguarding, children in
# care and early help, and the demo's BI officer (who "uploads" the demo's files).
TEAMS = {
    "front-door": ("fd-1", "fd-2"),
    "family-safeguarding": ("fs-1", "fs-2", "fs-3"),
    "children-in-care": ("cic-1",),
    "early-help": ("eh-1",),
}


def _catalogue() -> None:
    call_command("load_framework", stdout=io.StringIO())
    seed_population(size="demo", today=TODAY)


@pytest.fixture
def demo(db) -> str:
    _catalogue()
    for area_code, team_codes in TEAMS.items():
        area = ServiceAreaFactory(code=area_code)
        for code in team_codes:
            TeamFactory(code=code, service_area=area)
    person_with_role(Role.BI_OFFICER, email=DEMO_EMAIL[Role.BI_OFFICER])
    return seed_figures(size="demo", today=TODAY)


def series(code: str, scope_key: str = "authority") -> list[FigureOfRecord]:
    return list(FigureOfRecord.objects.filter(indicator__code=code, scope_key=scope_key).order_by("period_start"))


def test_every_numeric_indicator_has_24_months_ending_last_month_at_authority_level(demo):
    assert demo.startswith("Figures of record: ")
    numeric = Indicator.objects.filter(active=True).exclude(type=IndicatorType.NARRATIVE)
    assert numeric.count() >= 40
    for indicator in numeric:
        months = [f.period_start for f in series(indicator.code)]
        assert len(months) == MONTHS, indicator.code
        assert (months[0], months[-1]) == (FIRST_MONTH, LAST_MONTH), indicator.code
    # Periods are calendar months.
    february = series("referrals")[-1]
    assert february.period_end == datetime.date(2026, 2, 28)
    assert not FigureOfRecord.objects.filter(indicator__type=IndicatorType.NARRATIVE).exists()


def test_teams_add_up_to_their_area_and_areas_to_the_authority(demo):
    month = datetime.date(2025, 10, 1)
    held = {
        f.scope_key: f.value for f in FigureOfRecord.objects.filter(indicator__code="referrals", period_start=month)
    }
    front_door_teams = list(Team.objects.filter(service_area__code="front-door").values_list("code", flat=True))
    assert front_door_teams
    assert held["area:front-door"] == sum(held[f"team:{code}"] for code in front_door_teams)
    # Referrals are the front door's work: no other area holds them.
    assert {key for key in held if key.startswith("area:")} == {"area:front-door"}
    assert held["authority"] == held["area:front-door"]


def test_percentages_carry_their_n_and_agree_with_it(demo):
    figures = FigureOfRecord.objects.filter(indicator__type=IndicatorType.PERCENTAGE)
    assert figures.count() > 300
    for figure in figures:
        assert figure.denominator > 0
        assert 0 <= figure.numerator <= figure.denominator
        assert abs(figure.value - 100 * figure.numerator / figure.denominator) <= Decimal("0.05")


def test_rates_per_10000_are_for_the_authority_only_and_workforce_rates_for_areas(demo):
    assert set(
        FigureOfRecord.objects.filter(indicator__code="cla_rate").values_list("scope_key", flat=True).distinct()
    ) == {"authority"}
    rate = series("cla_rate")[-1]
    looked_after = series("children_looked_after")[-1]
    assert rate.numerator == looked_after.value
    assert abs(rate.value - rate.numerator * 10_000 / rate.denominator) <= Decimal("0.005")
    sickness = set(
        FigureOfRecord.objects.filter(indicator__code="sickness_days_per_fte").values_list("scope_key", flat=True)
    )
    assert "authority" in sickness
    assert any(key.startswith("area:") for key in sickness)
    assert not any(key.startswith("team:") for key in sickness)
    # Teams see vacancy and agency counts.
    vacancies = FigureOfRecord.objects.filter(indicator__code="vacancies", scope_key__startswith="team:")
    assert vacancies.exists()


def _xmr(values: list[float], baseline: int = 16) -> tuple[float, float, float]:
    """Mean and natural process limits (NHS "Making Data Count": mean ± 2.66 × mean moving range)."""
    base = values[:baseline]
    mean = sum(base) / len(base)
    moving = sum(abs(b - a) for a, b in itertools.pairwise(base)) / (len(base) - 1)
    return mean, mean - 2.66 * moving, mean + 2.66 * moving


def test_two_series_move_on_purpose_so_the_signals_page_has_signals(demo):
    referrals = [float(f.value) for f in series("referrals")]
    mean, _, _ = _xmr(referrals)
    # The last 8 months all above the baseline's mean: a run of 7 (and more) on one side.
    assert all(value > mean for value in referrals[-8:])
    timeliness = [float(f.value) for f in series("assessments_in_45_days_pct")]
    mean, lower, _ = _xmr(timeliness)
    # Two months ago a point below the lower limit; the months either side are back in.
    assert timeliness[-2] < lower
    assert timeliness[-1] > lower
    assert timeliness[-3] > lower


def test_benchmarks_for_national_percentages_and_rates_per_quarter(demo):
    held = Benchmark.objects.filter(indicator__code="assessments_in_45_days_pct")
    assert set(held.values_list("comparator", flat=True)) == {Comparator.STATISTICAL_NEIGHBOURS, Comparator.ENGLAND}
    quarters = sorted(set(held.values_list("period_start", "period_end")))
    assert quarters[0] == (datetime.date(2024, 4, 1), datetime.date(2024, 6, 30))
    assert len(quarters) == 7
    assert Benchmark.objects.filter(indicator__code="cla_rate").exists()
    # Counts and local measures have no national comparator.
    assert not Benchmark.objects.filter(indicator__code__in=["referrals", "strategy_three_partners_pct"]).exists()


def test_written_through_the_import_by_the_demo_bi_officer(demo):
    bi = DEMO_EMAIL[Role.BI_OFFICER]
    assert not HistoricalFigure.objects.exclude(history_user__email=bi).exists()
    batches = ImportBatch.objects.filter(uploaded_by__email=bi).order_by("kind")
    assert [(b.kind, b.status) for b in batches] == [
        (ImportBatch.Kind.BENCHMARKS, ImportBatch.Status.IMPORTED),
        (ImportBatch.Kind.INDICATORS, ImportBatch.Status.IMPORTED),
    ]
    batch = batches.get(kind=ImportBatch.Kind.INDICATORS)
    assert FigureOfRecord.objects.filter(import_batch=batch).count() == FigureOfRecord.objects.count()


def test_seeding_again_adds_nothing_and_the_same_day_gives_the_same_values(demo):
    figures = dict(FigureOfRecord.objects.values_list("pk", "value"))
    counts = (HistoricalFigure.objects.count(), Benchmark.objects.count(), ImportBatch.objects.count())

    again = seed_figures(size="demo", today=TODAY)

    assert "0 added" in again
    assert f"{len(figures)} already held" in again
    assert dict(FigureOfRecord.objects.values_list("pk", "value")) == figures
    assert (HistoricalFigure.objects.count(), Benchmark.objects.count(), ImportBatch.objects.count()) == counts

    # Values removed are put back exactly as they were: the same size and day, the same values.
    def referrals() -> set[tuple]:
        figures = FigureOfRecord.objects.filter(indicator__code="referrals")
        return set(figures.values_list("scope_key", "period_start", "value"))

    before = referrals()
    FigureOfRecord.objects.filter(indicator__code="referrals").delete()
    assert "96 added" in seed_figures(size="demo", today=TODAY)
    assert referrals() == before


@pytest.mark.parametrize("size", ["tiny", "demo", "large"])
def test_every_size_seeds_the_tiny_demo_authority(db, size):
    # The tiny authority has no front-door area: its Family Safeguarding teams take the front door's work.
    _catalogue()
    demo_authority_seed(size="tiny", today=TODAY)
    summary = seed_figures(size=size, today=TODAY)
    assert summary.startswith("Figures of record: ")
    assert len(series("referrals", "area:family-safeguarding")) == MONTHS
    assert len(series("referrals")) == MONTHS


def test_without_a_catalogue_it_says_so(db):
    assert seed_figures(size="tiny", today=TODAY) == (
        "Figures of record: skipped (no indicator catalogue; run load_framework first)."
    )
