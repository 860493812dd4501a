"""App estimates from Annex A events, each against answers worked out by hand: the 45-working-day
boundary across bank holidays and weekends, re-referrals either side of 12 calendar months (29
February included), the section 47 to plan link, a month-end stock, step-downs; then the writer
of Estimate rows and the hook it calls."""

from __future__ import annotations

import datetime
from decimal import Decimal
from typing import Any

import pytest

from core import hooks
from core.models import BankHoliday
from performance.estimates import (
    ESTIMATE_KEYS,
    ESTIMATES_COMPUTED_HOOK,
    PERCENTAGE_KEYS,
    Event,
    Value,
    add_months,
    assessment_estimates,
    compute_estimates,
    estimate_months,
    estimates_recompute,
    is_nfa_outcome,
    is_re_referral,
    is_step_down_at_plan_end,
    looked_after_estimates,
    plan_estimates,
    referral_estimates,
    s47_estimates,
    step_down_estimates,
)
from performance.models import AnnexAEvent, AnnexASnapshot, Estimate, Indicator, IndicatorType

D = datetime.date
AUTHORITY = "authority"
# Team 1 is in area "x"; team 2 in area "y"; any other team is unknown (the authority only).
TEAM_SCOPES = {1: (AUTHORITY, "area:x", "team:t1"), 2: (AUTHORITY, "area:y", "team:t2")}


def scopes_of(team_id: int | None) -> tuple[str, ...]:
    return TEAM_SCOPES.get(team_id, (AUTHORITY,))


def ev(
    number: int, child: str, day: datetime.date, end: datetime.date | None = None, team: int | None = 1, **codes: Any
) -> Event:
    return Event(number, child, day, end, codes, team)


def months(first: datetime.date, last: datetime.date) -> list[datetime.date]:
    found, month = [], first
    while month <= last:
        found.append(month)
        month = add_months(month, 1)
    return found


def estimate_indicators() -> dict[str, Indicator]:
    """The catalogue's estimated indicators, made directly (codes as the issue names them)."""
    made = {}
    for position, key in enumerate(ESTIMATE_KEYS):
        kind = IndicatorType.PERCENTAGE if key in PERCENTAGE_KEYS else IndicatorType.FLOW
        if key == "children_looked_after":
            kind = IndicatorType.STOCK
        made[key], _ = Indicator.objects.get_or_create(
            code=key,
            defaults={"name": key.replace("_", " ").capitalize(), "brief": "b", "type": kind, "estimate_key": key,
                      "position": position},
        )  # fmt: skip
    return made


# --- calendar rules ---------------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("day", "months_back", "expected"),
    [
        (D(2024, 2, 29), -12, D(2023, 2, 28)),  # no 29 February in 2023: the month's last day
        (D(2025, 2, 28), -12, D(2024, 2, 28)),
        (D(2025, 3, 1), -12, D(2024, 3, 1)),
        (D(2024, 3, 31), -1, D(2024, 2, 29)),
        (D(2026, 1, 15), 2, D(2026, 3, 15)),
    ],
)
def test_months_are_calendar_months_clamped_to_the_last_day(day, months_back, expected):
    assert add_months(day, months_back) == expected


@pytest.mark.parametrize(
    ("previous", "referral", "expected"),
    [
        # 29 Feb 2024 less 12 months is 28 Feb 2023: a referral then is within.
        (D(2023, 2, 28), D(2024, 2, 29), True),
        (D(2023, 2, 27), D(2024, 2, 29), False),
        # 28 Feb 2025 less 12 months is 28 Feb 2024: 29 Feb 2024 is after it, so within.
        (D(2024, 2, 29), D(2025, 2, 28), True),
        # 1 Mar 2025 less 12 months is 1 Mar 2024: 29 Feb 2024 is the day before, so not.
        (D(2024, 2, 29), D(2025, 3, 1), False),
        (D(2024, 6, 15), D(2025, 6, 15), True),  # the same date 12 months before counts
        (D(2024, 6, 14), D(2025, 6, 15), False),
        (None, D(2025, 6, 15), False),
    ],
)
def test_a_re_referral_is_on_or_after_the_same_date_12_calendar_months_before(previous, referral, expected):
    assert is_re_referral(previous, referral) is expected


# --- referrals ----------------------------------------------------------------------------------------
def test_re_referral_rate_either_side_of_12_months_across_29_february():
    referrals = [
        ev(3, "R0", D(2023, 1, 10)),  # the earliest referral held: months from Feb 2024 can look back 12 months
        ev(3, "R1", D(2023, 2, 28)),
        ev(3, "R1", D(2024, 2, 29)),  # re-referral (28 Feb 2023 is the same date 12 months before)
        ev(3, "R2", D(2023, 2, 27)),
        ev(3, "R2", D(2024, 2, 29)),  # not (a day too early)
        ev(3, "R3", D(2024, 2, 29)),  # a first referral
        ev(3, "R3", D(2025, 2, 28)),  # re-referral
        ev(3, "R4", D(2024, 2, 29)),  # a first referral
        ev(3, "R4", D(2025, 3, 1)),  # not
    ]
    found = referral_estimates(referrals, months=months(D(2023, 1, 1), D(2025, 3, 1)), scopes_of=scopes_of)
    rate = found["re_referral_rate"]
    # February 2024: R1 again, R2 not, R3 and R4 first: 1 of 4.
    assert rate[(AUTHORITY, D(2024, 2, 1))] == Value(Decimal("25.00"), 1, 4)
    assert rate[(AUTHORITY, D(2025, 2, 1))] == Value(Decimal("100.00"), 1, 1)
    assert rate[(AUTHORITY, D(2025, 3, 1))] == Value(Decimal("0.00"), 0, 1)
    # January 2024 looks back to 1 January 2023, before the earliest referral held: not estimated.
    assert (AUTHORITY, D(2023, 2, 1)) not in rate
    assert all(month >= D(2024, 2, 1) for _, month in rate)
    assert found["referrals"][(AUTHORITY, D(2024, 2, 1))] == Value(Decimal(4))
    assert found["referrals"][(AUTHORITY, D(2023, 6, 1))] == Value(Decimal(0))  # a month with none is 0


def test_referrals_ending_in_no_further_action():
    referrals = [
        ev(3, "A", D(2026, 3, 2), nfa=True),
        ev(3, "B", D(2026, 3, 3), nfa=False),
        ev(3, "C", D(2026, 3, 4), nfa=True),
        ev(3, "D", D(2026, 3, 5)),  # no flag or outcome: not counted as no further action
    ]
    found = referral_estimates(referrals, months=[D(2026, 3, 1)], scopes_of=scopes_of)
    assert found["referrals_nfa_pct"][(AUTHORITY, D(2026, 3, 1))] == Value(Decimal("50.00"), 2, 4)


@pytest.mark.parametrize(
    ("outcome", "expected"), [("NFA", True), ("No further action", True), ("n.f.a.", True), ("Assessment", False)]
)
def test_an_outcome_is_read_as_no_further_action_or_not(outcome, expected):
    assert is_nfa_outcome(outcome) is expected


def test_events_count_for_their_team_its_area_and_the_authority():
    referrals = [
        ev(3, "A", D(2026, 3, 2), team=1),
        ev(3, "B", D(2026, 3, 3), team=2),
        ev(3, "C", D(2026, 3, 4), team=None),
    ]
    counts = referral_estimates(referrals, months=[D(2026, 3, 1)], scopes_of=scopes_of)["referrals"]
    march = D(2026, 3, 1)
    assert counts[(AUTHORITY, march)].value == 3
    assert counts[("area:x", march)].value == 1
    assert counts[("team:t1", march)].value == 1
    assert counts[("team:t2", march)].value == 1


# --- assessments within 45 working days ------------------------------------------------------------
@pytest.fixture
def easter_2026(db):
    # Good Friday, Easter Monday and the early May bank holiday, 2026.
    for day, name in ((D(2026, 4, 3), "Good Friday"), (D(2026, 4, 6), "Easter Monday"), (D(2026, 5, 4), "May Day")):
        BankHoliday.objects.create(date=day, name=name)


def test_45_working_days_across_bank_holidays_and_weekends(easter_2026):
    # Started Monday 2 March 2026 (not counted). Working days: 3–31 March 21; April 20 (22 weekdays
    # less Good Friday and Easter Monday), 41; Friday 1 May 42; Monday 4 May is a bank holiday;
    # 5, 6, 7 May make 45. So authorised Thursday 7 May is within, Friday 8 May (46) is not.
    assessments = [
        ev(4, "A", D(2026, 3, 2), D(2026, 5, 7)),
        ev(4, "B", D(2026, 3, 2), D(2026, 5, 8)),
        ev(4, "C", D(2026, 5, 20), D(2026, 5, 20)),  # started and authorised the same day: 0 working days
        ev(4, "D", D(2026, 5, 21), None),  # not authorised yet: not completed
    ]
    found = assessment_estimates(assessments, months=[D(2026, 5, 1)], scopes_of=scopes_of)
    may = (AUTHORITY, D(2026, 5, 1))
    assert found["assessments_completed"][may] == Value(Decimal(3))
    assert found["assessments_in_45_days_pct"][may] == Value(Decimal("66.67"), 2, 3)


def test_without_the_bank_holidays_the_same_assessment_is_within(db):
    # No holidays held: 2 March to 7 May is 48 weekdays, but 2 March to 4 May is 45.
    assessments = [ev(4, "A", D(2026, 3, 2), D(2026, 5, 4)), ev(4, "B", D(2026, 3, 2), D(2026, 5, 5))]
    found = assessment_estimates(assessments, months=[D(2026, 5, 1)], scopes_of=scopes_of)
    assert found["assessments_in_45_days_pct"][(AUTHORITY, D(2026, 5, 1))] == Value(Decimal("50.00"), 1, 2)


# --- section 47 enquiries and plans -------------------------------------------------------------------
def test_section_47_to_plan_is_linked_per_child_within_90_days():
    enquiries = [
        ev(5, "S1", D(2026, 1, 5), icpc_date="2026-01-15"),
        ev(5, "S2", D(2026, 1, 10), icpc_date="2026-02-01"),
        ev(5, "S3", D(2026, 1, 12)),
        ev(5, "S4", D(2026, 1, 20), icpc_date="2026-01-30"),
        ev(5, "S5", D(2026, 1, 3)),
        ev(5, "S5", D(2026, 1, 25), icpc_date="2026-01-28"),
        ev(5, "S6", D(2026, 2, 10)),
        ev(5, "S7", D(2026, 3, 2)),
    ]
    plans = [
        ev(7, "S1", D(2026, 1, 20)),  # 15 days after: led to a plan
        ev(7, "S2", D(2026, 4, 10)),  # 10 January + 90 days is 10 April: still within
        ev(7, "S3", D(2026, 4, 13)),  # 12 January + 91 days: not
        ev(7, "S4", D(2025, 12, 1)),  # before the enquiry: not
        ev(7, "S5", D(2026, 2, 1)),
    ]
    found = s47_estimates(
        enquiries, plans, months=months(D(2026, 1, 1), D(2026, 5, 1)), as_of=D(2026, 5, 31), scopes_of=scopes_of
    )
    january = (AUTHORITY, D(2026, 1, 1))
    assert found["s47_enquiries"][january] == Value(Decimal(6))  # S5 had two enquiries
    # Five children: S3 and S4 did not lead to a plan.
    assert found["s47_not_to_plan_pct"][january] == Value(Decimal("40.00"), 2, 5)
    # S1, S2, S4 and S5 reached an initial conference; S3 did not.
    assert found["s47_to_icpc_pct"][january] == Value(Decimal("80.00"), 4, 5)
    # February ended 28 Feb; + 90 days is 29 May, before the data's 31 May: shown. March is not yet.
    assert found["s47_not_to_plan_pct"][(AUTHORITY, D(2026, 2, 1))] == Value(Decimal("100.00"), 1, 1)
    assert (AUTHORITY, D(2026, 3, 1)) not in found["s47_not_to_plan_pct"]
    assert (AUTHORITY, D(2026, 3, 1)) not in found["s47_to_icpc_pct"]
    assert found["s47_enquiries"][(AUTHORITY, D(2026, 3, 1))] == Value(Decimal(1))


def test_plans_second_or_subsequent_from_history_or_the_previous_plans_column():
    plans = [
        ev(7, "Q1", D(2025, 1, 1), D(2025, 9, 1)),
        ev(7, "Q1", D(2026, 3, 1)),  # the app holds an earlier plan
        ev(7, "Q2", D(2026, 3, 5), previous_plans=2),  # the workbook says so
        ev(7, "Q3", D(2026, 3, 10), previous_plans=0),
    ]
    found = plan_estimates(plans, months=[D(2026, 3, 1)], scopes_of=scopes_of)
    march = (AUTHORITY, D(2026, 3, 1))
    assert found["cp_plans_started"][march] == Value(Decimal(3))
    assert found["cp_plans_second_subsequent_pct"][march] == Value(Decimal("66.67"), 2, 3)


# --- children looked after at month end ------------------------------------------------------------
def test_children_looked_after_at_each_month_end():
    episodes = [
        ev(8, "C1", D(2026, 1, 10)),
        ev(8, "C2", D(2025, 12, 5), D(2026, 1, 31)),  # ceased on the month's last day: not looked after at it
        ev(8, "C3", D(2026, 1, 15), D(2026, 2, 1)),
        ev(8, "C4", D(2026, 1, 31)),  # started on the last day: counted
        ev(8, "C5", D(2026, 1, 1), D(2026, 1, 10)),
        ev(8, "C5", D(2026, 1, 20), team=2),  # two episodes: one child
        ev(8, "C6", D(2026, 2, 1)),
    ]
    stock = looked_after_estimates(episodes, months=months(D(2025, 12, 1), D(2026, 2, 1)), scopes_of=scopes_of)[
        "children_looked_after"
    ]
    assert stock[(AUTHORITY, D(2025, 12, 1))].value == 1  # C2
    assert stock[(AUTHORITY, D(2026, 1, 1))].value == 4  # C1, C3, C4, C5
    assert stock[(AUTHORITY, D(2026, 2, 1))].value == 4  # C1, C4, C5, C6 (C3 ceased on 1 February)
    assert stock[("team:t2", D(2026, 1, 1))].value == 1  # C5's open episode is team 2's
    assert stock[("team:t2", D(2025, 12, 1))].value == 0


# --- step-downs --------------------------------------------------------------------------------------
def test_step_down_after_assessment_is_rc9_once_per_child_and_at_plan_end_by_reason():
    assessments = [ev(4, "T1", D(2026, 2, 1), D(2026, 3, 20), closure_reason="RC9")]
    cin = [
        ev(6, "T1", D(2026, 2, 1), D(2026, 3, 20), closure_reason="RC9"),  # the same child and month: once
        ev(6, "T2", D(2026, 2, 1), D(2026, 3, 21), closure_reason="RC8"),  # no further action: not a step-down
        ev(6, "T3", D(2026, 2, 1), D(2026, 4, 3), closure_reason="rc9"),
        ev(6, "P3", D(2025, 6, 1), D(2026, 3, 15), step_down=True),
    ]
    plans = [
        ev(7, "P1", D(2025, 5, 1), D(2026, 3, 10), step_down=True),
        ev(7, "P2", D(2025, 5, 1), D(2026, 3, 11), step_down=False),  # e.g. to child in need: still social work
    ]
    found = step_down_estimates(
        assessments, cin, plans, months=months(D(2026, 3, 1), D(2026, 4, 1)), scopes_of=scopes_of
    )
    assert found["step_down_after_assessment"][(AUTHORITY, D(2026, 3, 1))].value == 1
    assert found["step_down_after_assessment"][(AUTHORITY, D(2026, 4, 1))].value == 1
    assert found["step_down_at_plan_end"][(AUTHORITY, D(2026, 3, 1))].value == 2  # P1 and P3


@pytest.mark.parametrize(
    ("reason", "expected"),
    [("Step down to early help", True), ("EH", True), ("sd", True), ("Step down to CIN", False), ("", False)],
)
def test_step_down_codes_at_plan_end(reason, expected):
    assert is_step_down_at_plan_end(reason) is expected


# --- months and the whole computation ----------------------------------------------------------------
def test_months_run_from_the_first_flow_event_to_the_latest_data():
    events = [ev(8, "C", D(2015, 1, 1)), ev(3, "A", D(2025, 11, 20)), ev(1, "B", D(2025, 12, 1))]
    assert estimate_months(events, as_of=D(2026, 2, 10)) == months(D(2025, 11, 1), D(2026, 2, 1))
    assert estimate_months([ev(8, "C", D(2015, 1, 1))], as_of=D(2026, 2, 10)) == []


def test_compute_estimates_gives_every_key():
    found = compute_estimates([ev(3, "A", D(2026, 3, 2))], as_of=D(2026, 3, 31), scopes_of=scopes_of)
    assert set(found) == set(ESTIMATE_KEYS)


# --- writing Estimate rows -----------------------------------------------------------------------------
def _event(snapshot: AnnexASnapshot, number: int, child: str, day: datetime.date, **fields: Any) -> AnnexAEvent:
    return AnnexAEvent.objects.create(
        list_number=number, child_id=child, event_date=day, first_snapshot=snapshot, last_snapshot=snapshot, **fields
    )


def test_recompute_replaces_the_estimates_and_tells_the_signals_part(world, monkeypatch):
    indicators = estimate_indicators()
    calls = []
    monkeypatch.setitem(hooks._registry, ESTIMATES_COMPUTED_HOOK, [lambda **kw: calls.append(kw)])
    snapshot = AnnexASnapshot.objects.create(file_name="a.xlsx", sha256="1" * 64, extracted_on=D(2026, 3, 31))
    _event(snapshot, 3, "A", D(2026, 3, 2), team=world.team_a1)
    _event(snapshot, 3, "B", D(2026, 3, 3), team=world.team_b1)
    _event(snapshot, 3, "C", D(2026, 3, 4))
    stale = Estimate.objects.create(
        indicator=indicators["referrals"], period_start=D(2020, 1, 1), period_end=D(2020, 1, 31), scope_key=AUTHORITY
    )
    run = estimates_recompute()
    assert not Estimate.objects.filter(pk=stale.pk).exists()
    referrals = {
        e.scope_key: e for e in Estimate.objects.filter(indicator=indicators["referrals"], period_start=D(2026, 3, 1))
    }
    assert {key: e.value for key, e in referrals.items()} == {
        "authority": 3,
        "area:area-a": 1,
        "team:a1": 1,
        "area:area-b": 1,
        "team:b1": 1,
    }
    assert referrals["team:a1"].team == world.team_a1
    assert referrals["area:area-a"].service_area == world.area_a
    assert referrals["authority"].period_end == D(2026, 3, 31)
    assert calls == [{"indicator_ids": run.indicator_ids, "scope_keys": run.scope_keys, "actor": None}]
    assert set(run.scope_keys) == set(referrals)
    # The same events again: the same rows, no more.
    count = Estimate.objects.count()
    estimates_recompute()
    assert Estimate.objects.count() == count


def test_nothing_is_written_without_estimated_indicators_in_the_catalogue(world):
    snapshot = AnnexASnapshot.objects.create(file_name="a.xlsx", sha256="2" * 64, extracted_on=D(2026, 3, 31))
    _event(snapshot, 3, "A", D(2026, 3, 2))
    assert estimates_recompute().rows == 0
    assert not Estimate.objects.exists()
