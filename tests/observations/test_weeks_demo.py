"""The demo's practice weeks: a past week about five months back with activities by leaders whose
roles were active that week, quotes mostly approved (two waiting, one declined), and the next
week scheduled; deterministic and added once."""

from __future__ import annotations

import datetime

import pytest

from observations.demo_weeks import seed_practice_weeks
from observations.models import PracticeWeek, PracticeWeekActivity, QuoteStatus
from observations.selectors_weeks import practice_week_summary
from organisation.demo import demo_authority_seed
from organisation.models import Role, RoleAssignment

TODAY = datetime.date(2026, 3, 2)


@pytest.fixture
def seeded(db) -> str:
    demo_authority_seed(size="tiny", today=TODAY)
    return seed_practice_weeks(size="tiny", today=TODAY)


def test_a_past_week_and_the_next_one(seeded):
    past, upcoming = PracticeWeek.objects.order_by("starts_on")
    assert 4 <= (TODAY - past.starts_on).days / 30.4 <= 5.2
    assert 1 <= (upcoming.starts_on - TODAY).days / 30.4 <= 2
    for week in (past, upcoming):
        assert week.starts_on.weekday() == 0
        assert (week.ends_on - week.starts_on).days == 4
    assert seeded.startswith("Practice weeks: 2 scheduled")
    assert not upcoming.activities.exists()


def test_activities_by_leaders_active_that_week_across_areas(seeded):
    past = PracticeWeek.objects.order_by("starts_on").first()
    activities = list(past.activities.select_related("team"))
    assert len(activities) == 10
    leader_roles = (Role.TEAM_MANAGER, Role.SERVICE_MANAGER, Role.HEAD_OF_SERVICE, Role.ASSISTANT_DIRECTOR)
    active = set(
        RoleAssignment.objects.active_on(past.starts_on)
        .active_on(past.ends_on)
        .filter(role__in=leader_roles)
        .values_list("person_id", flat=True)
    )
    assert {a.leader_id for a in activities} <= active
    assert len({a.service_area_id for a in activities}) >= 2
    for a in activities:
        assert past.starts_on <= a.happened_on <= past.ends_on
        assert a.strengths or a.areas_to_develop
        assert a.team is None or a.team.service_area_id == a.service_area_id
    summary = practice_week_summary(week=past)
    assert summary.activities == 10
    assert summary.leaders == 6


def test_quotes_mostly_approved_two_waiting_one_declined(seeded):
    quoted = PracticeWeekActivity.objects.exclude(quote="")
    statuses = sorted(quoted.values_list("quote_status", flat=True))
    assert statuses == sorted([QuoteStatus.APPROVED] * 2 + [QuoteStatus.PROPOSED] * 2 + [QuoteStatus.DECLINED])
    for activity in quoted.filter(quote_status=QuoteStatus.APPROVED):
        assert activity.quote_approved_text
        assert activity.quote_approved_text != activity.quote  # anonymised
        assert activity.quote_approved_by_id is not None
    assert "quotes 2 approved, 2 waiting, 1 declined" in seeded


def test_a_second_run_adds_nothing(seeded):
    before = sorted(PracticeWeekActivity.objects.values_list("pk", "quote_status", "leader_id"))
    again = seed_practice_weeks(size="tiny", today=TODAY)
    assert again.startswith("Practice weeks: 0 scheduled")
    assert "0 activities logged" in again
    assert PracticeWeek.objects.count() == 2
    assert sorted(PracticeWeekActivity.objects.values_list("pk", "quote_status", "leader_id")) == before


def test_the_same_size_and_date_seed_the_same_weeks(seeded, django_db_blocker):
    rows = sorted(
        PracticeWeekActivity.objects.values_list(
            "leader__email", "kind", "happened_on", "service_area__code", "team__code", "strengths", "quote_status"
        )
    )
    PracticeWeekActivity.objects.all().delete()
    PracticeWeek.objects.all().delete()
    seed_practice_weeks(size="tiny", today=TODAY)
    assert rows == sorted(
        PracticeWeekActivity.objects.values_list(
            "leader__email", "kind", "happened_on", "service_area__code", "team__code", "strengths", "quote_status"
        )
    )
