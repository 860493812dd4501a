"""Signals on the monthly series (seed 6.1.4): the baseline a series takes and keeps, detection
through the import hooks, recalculation only on request, decisions, and the ad-hoc audit a
confirmed signal opens.

The worked series is tests/performance/test_xmr.py's: 15 months with mean 11 and limits 7.58 to
14.42 (worked out by hand there)."""

from __future__ import annotations

import datetime
from collections.abc import Iterable, Sequence
from decimal import Decimal

import pytest

from audits.models import ProgrammeAudit
from audits.services.sampling import SAMPLED_KEY
from core import hooks
from performance.models import (
    AnnexAEvent,
    AnnexASnapshot,
    Baseline,
    Estimate,
    FigureOfRecord,
    Indicator,
    IndicatorType,
    SeriesKind,
    Signal,
)
from performance.services.signals import (
    ESTIMATES_COMPUTED_HOOK,
    FIGURES_IMPORTED_HOOK,
    BaselineError,
    SignalError,
    baseline_set,
    month_end,
    signal_confirm,
    signal_dismiss,
    signal_open_audit,
    signals_detect_for,
)
from tests.factories import CaseFileFactory

BASELINE = [10, 12, 11, 13, 12, 10, 11, 12, 11, 10, 12, 10, 11, 10, 10]
FIRST = datetime.date(2024, 1, 1)
NOW = datetime.datetime(2025, 6, 2, 10, 0, tzinfo=datetime.UTC)


def month(n: int) -> datetime.date:
    """The n-th month after FIRST (month(0) is January 2024)."""
    year, index = divmod(FIRST.month - 1 + n, 12)
    return datetime.date(FIRST.year + year, index + 1, 1)


def make_indicator(
    code: str = "referrals",
    *,
    type: str = IndicatorType.FLOW,
    baskets: Sequence[str] = ("front_door",),
    demand: bool = True,
    estimate_key: str = "",
) -> Indicator:
    return Indicator.objects.create(
        code=code,
        name=code.replace("_", " ").capitalize(),
        brief="What the data may be showing.",
        type=type,
        baskets=list(baskets),
        demand_measure=demand,
        estimate_key=estimate_key,
    )


def put_values(
    indicator: Indicator,
    values: Iterable[float | int | None],
    *,
    start: int = 0,
    scope_key: str = "authority",
    model: type[FigureOfRecord] | type[Estimate] = FigureOfRecord,
) -> None:
    """Monthly values from month(start) on, replacing what is held (as a re-import does)."""
    for offset, value in enumerate(values):
        first = month(start + offset)
        model.objects.update_or_create(
            indicator=indicator,
            period_start=first,
            period_end=month_end(first),
            scope_key=scope_key,
            defaults={"value": None if value is None else Decimal(str(value))},
        )


def imported(indicator: Indicator, *scope_keys: str, hook: str = FIGURES_IMPORTED_HOOK) -> None:
    """What the figures import (or the Annex A estimates) call after writing."""
    hooks.call(hook, indicator_ids=[indicator.pk], scope_keys=list(scope_keys or ["authority"]))


def signals_of(indicator: Indicator, **filters: object) -> list[tuple[str, datetime.date]]:
    return list(
        Signal.objects.filter(indicator=indicator, **filters).order_by("month", "rule").values_list("rule", "month")
    )


@pytest.fixture
def referrals(db) -> Indicator:
    """Referrals with its 15-month baseline taken at import (no signal in it)."""
    indicator = make_indicator()
    put_values(indicator, BASELINE)
    imported(indicator)
    return indicator


def signal_at(indicator: Indicator, n: int, rule: str = Signal.Rule.BEYOND_LIMITS, **kwargs: object) -> Signal:
    return Signal.objects.get(indicator=indicator, month=month(n), rule=rule, **kwargs)


# --- the baseline a series takes, and keeps ----------------------------------------------------------
def test_a_series_reaching_15_months_takes_them_as_its_baseline(referrals):
    baseline = Baseline.objects.get(indicator=referrals, scope_key="authority", series=SeriesKind.RECORD)
    assert (baseline.first_month, baseline.last_month, baseline.points) == (month(0), month(14), 15)
    assert (baseline.mean, baseline.upper_limit, baseline.lower_limit) == (
        Decimal("11.0000"),
        Decimal("14.4200"),
        Decimal("7.5800"),
    )
    assert baseline.set_by is None
    assert not Signal.objects.exists()


def test_with_14_months_there_is_no_baseline_and_no_signal(db):
    indicator = make_indicator()
    put_values(indicator, [*BASELINE[:13], 40])
    imported(indicator)
    assert not Baseline.objects.exists()
    assert not Signal.objects.exists()


def test_a_first_import_of_30_months_takes_the_first_24(db):
    indicator = make_indicator()
    put_values(indicator, BASELINE + BASELINE)
    imported(indicator)
    baseline = Baseline.objects.get(indicator=indicator)
    assert (baseline.first_month, baseline.last_month, baseline.points) == (month(0), month(23), 24)


def test_a_gap_restarts_the_count_of_consecutive_months(db):
    indicator = make_indicator()
    put_values(indicator, BASELINE[:10])
    put_values(indicator, BASELINE, start=11)  # month(10) is missing
    imported(indicator)
    baseline = Baseline.objects.get(indicator=indicator)
    assert (baseline.first_month, baseline.points) == (month(11), 15)


def test_months_of_zero_before_the_first_figure_are_not_in_the_baseline(db):
    # An Annex A history starts with its first workbook: the estimates before it are zeros.
    indicator = make_indicator()
    put_values(indicator, [0, 0, 0, *BASELINE], model=Estimate)
    imported(indicator, hook=ESTIMATES_COMPUTED_HOOK)
    baseline = Baseline.objects.get(indicator=indicator)
    assert (baseline.first_month, baseline.points, baseline.mean) == (month(3), 15, Decimal("11.0000"))


def test_rare_events_get_no_limits(referrals, world):
    # 15 months of a rare count, mostly zeros: an XmR chart would signal noise.
    rare = make_indicator("step_down_at_plan_end", baskets=("early_help",), demand=False)
    put_values(rare, [1, 0, 0, 2, 0, 0, 1, 0, 0, 0, 1, 0, 3, 0, 1, 0, 0, 4])
    imported(rare)
    assert not Baseline.objects.filter(indicator=rare).exists()
    with pytest.raises(BaselineError, match="rare events"):
        baseline_set(
            indicator=rare, scope_key="authority", series=SeriesKind.RECORD, first_month=month(0),
            last_month=month(17), actor=world.people["bi_officer"],
        )  # fmt: skip


def test_a_point_beyond_the_limits_is_a_signal_and_new_data_does_not_move_the_limits(referrals):
    put_values(referrals, [15, 11, 7], start=15)
    imported(referrals)
    baseline = Baseline.objects.get(indicator=referrals)
    assert (baseline.last_month, baseline.upper_limit, baseline.lower_limit) == (
        month(14),
        Decimal("14.4200"),
        Decimal("7.5800"),
    )
    assert signals_of(referrals) == [("beyond_limits", month(15)), ("beyond_limits", month(17))]
    signal = signal_at(referrals, 15)
    assert (signal.value, signal.status, signal.series, signal.baseline) == (
        Decimal("15.00"),
        Signal.Status.NEW,
        SeriesKind.RECORD,
        baseline,
    )


def test_a_run_of_7_signals_once_at_its_7th_point(referrals):
    put_values(referrals, [12] * 9, start=15)
    imported(referrals)
    # Months 15 to 23 are all above the mean of 11: the 7th is month 21; 22 and 23 are the same run.
    assert signals_of(referrals) == [("run_of_7", month(21))]


def test_a_run_below_the_mean_broken_by_a_point_on_it(referrals):
    # The baseline ends with two points below the mean, so a run would carry on from them: month 15
    # sits on the mean and breaks it. Six below (16–21), on the mean (22), then seven below (23–29).
    put_values(referrals, [11] + [10] * 6 + [11] + [10] * 7, start=15)
    imported(referrals)
    assert signals_of(referrals) == [("run_of_7", month(29))]


def test_a_run_carries_on_from_the_baseline_months(referrals):
    # Months 13 and 14 of the baseline are below the mean: five more below make the 7th at month 19.
    put_values(referrals, [10] * 5, start=15)
    imported(referrals)
    assert signals_of(referrals) == [("run_of_7", month(19))]


def test_detection_is_idempotent(referrals):
    put_values(referrals, [15] + [12] * 7, start=15)
    imported(referrals)
    before = list(Signal.objects.order_by("pk").values_list("pk", "rule", "month"))
    history = Signal.history.count()
    assert signals_detect_for(series=SeriesKind.RECORD) == 0
    imported(referrals)
    assert list(Signal.objects.order_by("pk").values_list("pk", "rule", "month")) == before
    assert Signal.history.count() == history
    # Beyond the limits at 15; the 15 and the 12s are one run above the mean, its 7th at 21.
    assert [(rule, m) for _pk, rule, m in before] == [("beyond_limits", month(15)), ("run_of_7", month(21))]


def test_demand_measures_get_signals_too(referrals):
    assert referrals.demand_measure
    put_values(referrals, [20], start=15)
    imported(referrals)
    assert signals_of(referrals) == [("beyond_limits", month(15))]


def test_team_figures_never_signal(db, world):
    indicator = make_indicator()
    put_values(indicator, [*BASELINE, 40, 1], scope_key="team:a1")
    imported(indicator, "team:a1")
    signals_detect_for(series=SeriesKind.RECORD)
    assert not Baseline.objects.exists()
    assert not Signal.objects.exists()


def test_service_area_series_signal_on_their_own(db, world):
    indicator = make_indicator()
    put_values(indicator, BASELINE, scope_key="area:area-a")
    imported(indicator, "area:area-a")
    put_values(indicator, [30], start=15, scope_key="area:area-a")
    imported(indicator, "area:area-a")
    assert list(Signal.objects.values_list("scope_key", "month")) == [("area:area-a", month(15))]


def test_quarterly_or_yearly_figures_are_not_monthly_points(referrals):
    FigureOfRecord.objects.create(
        indicator=referrals, period_start=month(15), period_end=month_end(month(17)), scope_key="authority", value=99
    )
    imported(referrals)
    assert not Signal.objects.exists()


def test_a_narrative_measure_has_no_series(db):
    indicator = make_indicator("staff_survey_outcomes", type=IndicatorType.NARRATIVE, demand=False)
    put_values(indicator, BASELINE)
    imported(indicator)
    assert not Baseline.objects.exists()


def test_estimates_are_a_separate_series_marked_as_such(referrals):
    put_values(referrals, BASELINE, model=Estimate)
    imported(referrals, hook=ESTIMATES_COMPUTED_HOOK)
    put_values(referrals, [3], start=15, model=Estimate)
    imported(referrals, hook=ESTIMATES_COMPUTED_HOOK)
    assert Baseline.objects.filter(indicator=referrals).count() == 2
    assert signals_of(referrals, series=SeriesKind.ESTIMATE) == [("beyond_limits", month(15))]
    assert signals_of(referrals, series=SeriesKind.RECORD) == []


def test_a_corrected_figure_withdraws_a_signal_still_to_look_at(referrals):
    put_values(referrals, [15], start=15)
    imported(referrals)
    put_values(referrals, [12], start=15)  # BI re-imports the month with a corrected figure
    imported(referrals)
    assert not Signal.objects.exists()
    assert Signal.history.filter(history_type="-").count() == 1


# --- recalculation, only on request ------------------------------------------------------------------
def test_recalculating_moves_the_limits_and_checks_new_signals_again_but_keeps_decisions(referrals, world):
    bi = world.people["bi_officer"]
    put_values(referrals, [15, 15, 15, 15] + [15] * 11, start=15)  # the service changed in month 15
    imported(referrals)
    assert ("beyond_limits", month(15)) in signals_of(referrals)
    signal_confirm(signal=signal_at(referrals, 15), actor=bi)
    # BI starts a new baseline after the change: months 15 to 29, all 15, so mean 15 and no range.
    baseline = baseline_set(
        indicator=referrals, scope_key="authority", series=SeriesKind.RECORD, first_month=month(15),
        last_month=month(29), actor=bi,
    )  # fmt: skip
    assert (baseline.mean, baseline.upper_limit, baseline.lower_limit, baseline.set_by) == (
        Decimal("15.0000"),
        Decimal("15.0000"),
        Decimal("15.0000"),
        bi,
    )
    # The confirmed signal stays; those still to look at that the new limits no longer show went.
    assert signals_of(referrals) == [("beyond_limits", month(15))]
    assert Baseline.history.filter(history_user=bi).count() == 1


def test_setting_the_same_baseline_again_records_nothing(referrals, world):
    bi = world.people["bi_officer"]
    kwargs = {"indicator": referrals, "scope_key": "authority", "series": SeriesKind.RECORD, "actor": bi}
    baseline_set(first_month=month(0), last_month=month(14), **kwargs)
    history = Baseline.history.count()
    baseline_set(first_month=month(0), last_month=month(14), **kwargs)
    assert Baseline.history.count() == history


@pytest.mark.parametrize(
    ("first", "last", "scope_key", "message"),
    [
        (0, 13, "authority", "at least 15 monthly figures"),
        (14, 0, "authority", "same as or after the first month"),
        (0, 20, "authority", "no figure for"),
        (0, 14, "team:a1", "authority and service areas only"),
    ],
)
def test_a_baseline_is_refused_without_15_consecutive_months(referrals, world, first, last, scope_key, message):
    put_values(referrals, [11] * 4, start=17)  # months 15 and 16 are missing
    with pytest.raises(BaselineError, match=message):
        baseline_set(
            indicator=referrals, scope_key=scope_key, series=SeriesKind.RECORD, first_month=month(first),
            last_month=month(last), actor=world.people["bi_officer"],
        )  # fmt: skip
    assert Baseline.objects.get(indicator=referrals).last_month == month(14)


# --- decisions ----------------------------------------------------------------------------------------
@pytest.fixture
def signal(referrals) -> Signal:
    put_values(referrals, [15], start=15)
    imported(referrals)
    return signal_at(referrals, 15)


def test_confirming_records_who_and_when(signal, world):
    qa = world.people["qa_officer"]
    signal_confirm(signal=signal, actor=qa, note="Matches the new MASH rota", now=NOW)
    signal.refresh_from_db()
    assert (signal.status, signal.decided_by, signal.decided_at, signal.note) == (
        Signal.Status.CONFIRMED,
        qa,
        NOW,
        "Matches the new MASH rota",
    )
    assert signal.history.first().history_user == qa


def test_dismissing_needs_a_note(signal, world):
    with pytest.raises(SignalError, match="Say why"):
        signal_dismiss(signal=signal, actor=world.people["bi_officer"], note="  ")
    signal_dismiss(signal=signal, actor=world.people["bi_officer"], note="A recording change in March")
    signal.refresh_from_db()
    assert signal.status == Signal.Status.DISMISSED


def test_a_decided_signal_cannot_be_decided_again(signal, world):
    signal_dismiss(signal=signal, actor=world.people["bi_officer"], note="Known cause")
    with pytest.raises(SignalError, match="already been dismissed"):
        signal_confirm(signal=signal, actor=world.people["qa_officer"])


def test_a_decided_signal_stays_when_the_data_changes(signal, world):
    signal_dismiss(signal=signal, actor=world.people["bi_officer"], note="Known cause")
    put_values(signal.indicator, [12], start=15)
    imported(signal.indicator)
    assert Signal.objects.filter(pk=signal.pk, status=Signal.Status.DISMISSED).exists()


# --- the ad-hoc audit ---------------------------------------------------------------------------------
def test_a_confirmed_signal_opens_an_ad_hoc_audit_with_criteria_from_the_indicator(signal, world):
    qa = world.people["qa_officer"]
    signal_confirm(signal=signal, actor=qa)
    programme = signal_open_audit(signal=signal, scope_label="The whole authority", actor=qa, today=NOW.date())
    assert (programme.kind, programme.reason, programme.created_by) == (
        ProgrammeAudit.Kind.AD_HOC,
        ProgrammeAudit.Reason.SIGNAL,
        qa,
    )
    # Front door → children in need; the signal's month (April 2025); the authority: no area.
    assert programme.criteria == {
        "case_types": ["child_in_need"],
        "opened_from": "2025-04-01",
        "opened_to": "2025-04-30",
    }
    assert programme.status == ProgrammeAudit.Status.PLANNING  # the QA team draws the sample
    assert programme.title == "Referrals: The whole authority, April 2025"
    assert "A point beyond the process limits" in programme.reason_detail
    signal.refresh_from_db()
    assert signal.programme_audit == programme


def test_a_run_of_7_samples_the_months_of_the_run_in_the_service_area(db, world):
    indicator = make_indicator("cp_plans_started", baskets=("child_protection",))
    put_values(indicator, BASELINE, scope_key="area:area-a")
    imported(indicator, "area:area-a")
    put_values(indicator, [12] * 7, start=15, scope_key="area:area-a")
    imported(indicator, "area:area-a")
    signal = signal_at(indicator, 21, Signal.Rule.RUN_OF_7)
    qa = world.people["qa_manager"]
    signal_confirm(signal=signal, actor=qa)
    programme = signal_open_audit(signal=signal, scope_label="Area A", actor=qa, today=NOW.date())
    assert programme.criteria == {
        "case_types": ["child_protection"],
        "opened_from": month(15).isoformat(),
        "opened_to": month_end(month(21)).isoformat(),
        "service_area_ids": [world.area_a.pk],
    }


def test_an_estimate_samples_the_case_files_of_the_episodes_behind_the_point(db, world):
    indicator = make_indicator(estimate_key="referrals")
    put_values(indicator, BASELINE, scope_key="area:area-a", model=Estimate)
    imported(indicator, "area:area-a", hook=ESTIMATES_COMPUTED_HOOK)
    put_values(indicator, [16], start=15, scope_key="area:area-a", model=Estimate)
    imported(indicator, "area:area-a", hook=ESTIMATES_COMPUTED_HOOK)
    signal = signal_at(indicator, 15, series=SeriesKind.ESTIMATE)
    snapshot = AnnexASnapshot.objects.create(file_name="a.xlsx", sha256="0" * 64, extracted_on=month(16))
    in_month = month(15) + datetime.timedelta(days=9)
    extra_a1 = CaseFileFactory(case_reference="A1-EXTRA", team=world.team_a1)

    def event(child: str, case: object, team: object, day: datetime.date = in_month, list_number: int = 3) -> None:
        AnnexAEvent.objects.create(
            list_number=list_number, child_id=child, event_date=day, case_file=case, team=team,
            first_snapshot=snapshot, last_snapshot=snapshot,
        )  # fmt: skip

    event("C1", world.case_a, world.team_a1)
    event("C2", extra_a1, world.team_a1)
    event("C3", world.case_restricted, world.team_a1)  # the QA officer does not see it
    event("C4", world.case_b, world.team_b1)  # another service area
    event("C5", None, world.team_a1)  # no case file yet: on the unmatched list
    event("C6", world.case_a, world.team_a1, day=month(14))  # another month
    event("C7", world.case_a, world.team_a1, list_number=5)  # another list
    qa = world.people["qa_officer"]
    signal_confirm(signal=signal, actor=qa)
    programme = signal_open_audit(signal=signal, scope_label="Area A", actor=qa, today=NOW.date())
    assert programme.criteria[SAMPLED_KEY] == [extra_a1.pk, world.case_a.pk]  # by case reference
    assert programme.sample_size == 2
    assert programme.status == ProgrammeAudit.Status.SAMPLED
    assert "The sample is 2 of the 2 case files behind the points" in programme.reason_detail


def test_only_a_confirmed_signal_opens_an_audit_and_only_once(signal, world):
    qa = world.people["qa_officer"]
    with pytest.raises(SignalError, match="Confirm the signal"):
        signal_open_audit(signal=signal, scope_label="x", actor=qa, today=NOW.date())
    signal_confirm(signal=signal, actor=qa)
    signal_open_audit(signal=signal, scope_label="x", actor=qa, today=NOW.date())
    with pytest.raises(SignalError, match="already been opened"):
        signal_open_audit(signal=signal, scope_label="x", actor=qa, today=NOW.date())
    assert ProgrammeAudit.objects.count() == 1
