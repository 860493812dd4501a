"""Practice weeks (seed 6.3), the rules: scheduling (dates, length, overlap, changes until the
week ends), logging activities (a day within the week and not in the future, a team in the
area, something found), the QA team's decision on quotes, and the aggregate summary."""

from __future__ import annotations

import datetime

import pytest

from observations.models import ActivityKind, PracticeWeek, PracticeWeekActivity, QuoteStatus
from observations.selectors_weeks import practice_week_summary
from observations.services.weeks import (
    ActivityInput,
    PracticeWeekError,
    practice_week_activity_log,
    practice_week_activity_update,
    practice_week_quote_approve,
    practice_week_quote_decline,
    practice_week_schedule,
    practice_week_update,
    quote_fingerprint,
    week_dates,
)
from tests.factories import marker

# A Wednesday in a practice week that runs from Monday 8 to Friday 12 June 2026.
TODAY = datetime.date(2026, 6, 10)
MONDAY = datetime.date(2026, 6, 8)
FRIDAY = datetime.date(2026, 6, 12)


def schedule(world, *, starts_on=MONDAY, ends_on=FRIDAY, title="Practice week, summer 2026", today=None):
    return practice_week_schedule(
        title=title,
        starts_on=starts_on,
        ends_on=ends_on,
        focus="The child's voice in plans",
        actor=world.people["qa_officer"],
        today=today or starts_on - datetime.timedelta(days=30),
    )


def activity_input(world, **changes) -> ActivityInput:
    values = {
        "kind": ActivityKind.OBSERVATION,
        "happened_on": MONDAY,
        "service_area": world.area_a,
        "team": world.team_a1,
        "strengths": "Plans written with the family.",
        "areas_to_develop": "",
        "quote": "",
    }
    return ActivityInput(**(values | changes))


def log(world, persona: str, week: PracticeWeek, **changes) -> PracticeWeekActivity:
    return practice_week_activity_log(
        week=week, leader=world.people[persona], data=activity_input(world, **changes), today=TODAY
    )


@pytest.fixture
def week(world) -> PracticeWeek:
    return schedule(world)


def fields(exc: pytest.ExceptionInfo[PracticeWeekError]) -> set[str | None]:
    return {field for field, _ in exc.value.errors}


# --- scheduling ----------------------------------------------------------------------------------
def test_the_qa_team_schedules_a_week_with_its_dates_and_focus(world, week):
    assert (week.starts_on, week.ends_on, week.focus) == (MONDAY, FRIDAY, "The child's voice in plans")
    assert week.scheduled_by == world.people["qa_officer"]
    assert week.history.get().history_user == world.people["qa_officer"]
    assert week_dates(week) == "8 to 12 June 2026"


def test_an_end_before_the_start_is_refused(world):
    with pytest.raises(PracticeWeekError, match="same as or after the start date") as exc:
        schedule(world, starts_on=FRIDAY, ends_on=MONDAY)
    assert fields(exc) == {"ends_on"}
    assert not PracticeWeek.objects.exists()


def test_a_week_lasts_at_most_14_days(world):
    schedule(world, ends_on=MONDAY + datetime.timedelta(days=13))  # 14 days, counting both
    with pytest.raises(PracticeWeekError, match="at most 14 days") as exc:
        schedule(world, starts_on=datetime.date(2026, 11, 2), ends_on=datetime.date(2026, 11, 16))
    assert fields(exc) == {"ends_on"}


def test_an_overlapping_week_is_refused_with_the_other_weeks_dates(world, week):
    with pytest.raises(PracticeWeekError, match="overlap Practice week, summer 2026 \\(8 to 12 June 2026\\)") as exc:
        schedule(world, title="Another", starts_on=FRIDAY, ends_on=FRIDAY + datetime.timedelta(days=4))
    assert fields(exc) == {"starts_on"}
    # The day after it ends is free.
    schedule(world, title="Next", starts_on=FRIDAY + datetime.timedelta(days=1), ends_on=datetime.date(2026, 6, 19))
    assert PracticeWeek.objects.count() == 2


def test_a_week_that_has_already_ended_cannot_be_scheduled(world):
    with pytest.raises(PracticeWeekError, match="has ended cannot be scheduled"):
        schedule(world, today=FRIDAY + datetime.timedelta(days=1))


def test_the_qa_team_changes_dates_and_focus_until_the_week_ends(world, week):
    qa = world.people["qa_manager"]
    changed = practice_week_update(
        week=week, title=week.title, starts_on=MONDAY, ends_on=FRIDAY + datetime.timedelta(days=3),
        focus="Neglect", actor=qa, today=TODAY,
    )  # fmt: skip
    assert (changed.ends_on, changed.focus) == (datetime.date(2026, 6, 15), "Neglect")
    assert changed.history.first().history_user == qa
    rows = week.history.count()
    practice_week_update(
        week=week, title=week.title, starts_on=MONDAY, ends_on=changed.ends_on, focus="Neglect", actor=qa, today=TODAY
    )
    assert week.history.count() == rows  # nothing changed, nothing written
    with pytest.raises(PracticeWeekError, match="has ended"):
        practice_week_update(
            week=week, title="Late", starts_on=MONDAY, ends_on=FRIDAY, focus="", actor=qa,
            today=datetime.date(2026, 6, 16),
        )  # fmt: skip


def test_a_change_must_keep_the_activities_already_logged_inside_the_week(world, week):
    log(world, "team_manager_same", week, happened_on=MONDAY)
    with pytest.raises(PracticeWeekError, match="already logged on 8 June 2026") as exc:
        practice_week_update(
            week=week, title=week.title, starts_on=MONDAY + datetime.timedelta(days=1), ends_on=FRIDAY, focus="",
            actor=world.people["qa_officer"], today=TODAY,
        )  # fmt: skip
    assert fields(exc) == {"starts_on"}


def test_moving_a_week_onto_another_is_refused(world, week):
    other = schedule(world, title="Autumn", starts_on=datetime.date(2026, 11, 2), ends_on=datetime.date(2026, 11, 6))
    with pytest.raises(PracticeWeekError, match="overlap Practice week, summer 2026"):
        practice_week_update(
            week=other, title="Autumn", starts_on=FRIDAY, ends_on=FRIDAY, focus="",
            actor=world.people["qa_officer"], today=TODAY,
        )  # fmt: skip


# --- logging -------------------------------------------------------------------------------------
def test_a_leader_logs_an_activity_and_a_quote_waits_for_approval(world, week):
    activity = log(world, "team_manager_same", week, quote="  Things are better now.\r\nReally.  ")
    assert activity.leader == world.people["team_manager_same"]
    assert activity.quote == "Things are better now.\nReally."
    assert activity.quote_status == QuoteStatus.PROPOSED
    assert activity.history.get().history_user == world.people["team_manager_same"]
    plain = log(world, "service_manager_same", week, team=None)
    assert plain.quote_status == QuoteStatus.NONE


@pytest.mark.parametrize(
    ("day", "message"),
    [
        (MONDAY - datetime.timedelta(days=1), "within the practice week, 8 to 12 June 2026"),
        (FRIDAY + datetime.timedelta(days=3), "within the practice week"),
        (datetime.date(2026, 6, 11), "today or in the past"),  # tomorrow, inside the week
    ],
)
def test_the_date_must_be_a_day_of_the_week_that_has_come(world, week, day, message):
    with pytest.raises(PracticeWeekError, match=message) as exc:
        log(world, "team_manager_same", week, happened_on=day)
    assert fields(exc) == {"happened_on"}
    assert not PracticeWeekActivity.objects.exists()


def test_the_team_must_belong_to_the_service_area(world, week):
    with pytest.raises(PracticeWeekError, match=f"{world.team_b1.name} is not in {world.area_a.name}") as exc:
        log(world, "head_of_service", week, service_area=world.area_a, team=world.team_b1)
    assert fields(exc) == {"team"}


def test_something_must_be_found(world, week):
    with pytest.raises(PracticeWeekError, match="strengths you found, the areas to develop, or both") as exc:
        log(world, "team_manager_same", week, strengths="  ", areas_to_develop="")
    assert fields(exc) == {"strengths"}
    assert log(world, "team_manager_same", week, strengths="", areas_to_develop="Chronologies").pk


def test_several_problems_are_reported_together(world, week):
    with pytest.raises(PracticeWeekError) as exc:
        log(world, "team_manager_same", week, happened_on=FRIDAY, team=world.team_b1, strengths="")
    assert fields(exc) == {"happened_on", "team", "strengths"}


def test_nothing_is_logged_before_the_week_starts(world):
    later = schedule(world, starts_on=datetime.date(2026, 7, 6), ends_on=datetime.date(2026, 7, 10))
    with pytest.raises(PracticeWeekError, match="starts on 6 July 2026"):
        log(world, "team_manager_same", later, happened_on=datetime.date(2026, 7, 6))


def test_a_leader_changes_their_activity_and_a_changed_quote_waits_again(world, week):
    tm = world.people["team_manager_same"]
    activity = log(world, "team_manager_same", week, quote="First words")
    practice_week_quote_decline(
        activity=activity, fingerprint=quote_fingerprint("First words"), actor=world.people["qa_officer"]
    )
    same = practice_week_activity_update(
        activity=activity, data=activity_input(world, quote="First words"), actor=tm, today=TODAY
    )
    assert same.quote_status == QuoteStatus.DECLINED  # the same words: the decision stands
    changed = practice_week_activity_update(
        activity=activity,
        data=activity_input(world, quote="Other words", kind=ActivityKind.VISIT, team=None),
        actor=tm,
        today=TODAY,
    )
    assert (changed.quote, changed.quote_status, changed.kind, changed.team) == (
        "Other words", QuoteStatus.PROPOSED, ActivityKind.VISIT, None,
    )  # fmt: skip
    cleared = practice_week_activity_update(activity=activity, data=activity_input(world), actor=tm, today=TODAY)
    assert (cleared.quote, cleared.quote_status) == ("", QuoteStatus.NONE)


def test_an_approved_quote_is_locked_but_the_findings_still_change(world, week):
    tm = world.people["team_manager_same"]
    activity = log(world, "team_manager_same", week, quote="Heard it")
    practice_week_quote_approve(
        activity=activity, approved_text="Said it", fingerprint=quote_fingerprint("Heard it"),
        actor=world.people["qa_officer"],
    )  # fmt: skip
    with pytest.raises(PracticeWeekError, match="can no longer change") as exc:
        practice_week_activity_update(
            activity=activity, data=activity_input(world, quote="Heard it differently"), actor=tm, today=TODAY
        )
    assert fields(exc) == {"quote"}
    kept = practice_week_activity_update(
        activity=activity,
        data=activity_input(world, quote="Heard it", strengths="New strengths"),
        actor=tm,
        today=TODAY,
    )
    assert (kept.strengths, kept.quote_status, kept.quote_approved_text) == ("New strengths", "approved", "Said it")


def test_only_the_leader_who_logged_it_changes_an_activity(world, week):
    activity = log(world, "team_manager_same", week)
    with pytest.raises(PracticeWeekError, match="Only the leader"):
        practice_week_activity_update(
            activity=activity, data=activity_input(world), actor=world.people["qa_officer"], today=TODAY
        )


# --- quotes --------------------------------------------------------------------------------------
def test_the_qa_team_approves_an_anonymised_wording(world, week):
    activity = log(world, "team_manager_same", week, quote="Since Jo came, Kai goes to school.")
    qa = world.people["qa_officer"]
    approved = practice_week_quote_approve(
        activity=activity,
        approved_text=" Since the worker came, my child goes to school. ",
        fingerprint=quote_fingerprint(activity.quote),
        actor=qa,
    )
    assert approved.quote_status == QuoteStatus.APPROVED
    assert approved.quote_approved_text == "Since the worker came, my child goes to school."
    assert approved.quote_approved_by == qa
    assert approved.quote == "Since Jo came, Kai goes to school."  # as heard, kept for the record
    with pytest.raises(PracticeWeekError, match="no longer waiting"):
        practice_week_quote_decline(activity=activity, fingerprint=quote_fingerprint(activity.quote), actor=qa)


def test_an_empty_wording_is_refused(world, week):
    activity = log(world, "team_manager_same", week, quote="Heard it")
    with pytest.raises(PracticeWeekError, match="Enter the anonymised wording") as exc:
        practice_week_quote_approve(
            activity=activity, approved_text=" ", fingerprint=quote_fingerprint("Heard it"),
            actor=world.people["qa_officer"],
        )  # fmt: skip
    assert fields(exc) == {"approved_text"}
    activity.refresh_from_db()
    assert activity.quote_status == QuoteStatus.PROPOSED


def test_a_quote_changed_since_the_page_was_opened_is_not_approved(world, week):
    activity = log(world, "team_manager_same", week, quote="First words")
    seen = quote_fingerprint(activity.quote)
    practice_week_activity_update(
        activity=activity, data=activity_input(world, quote="Second words"), actor=activity.leader, today=TODAY
    )
    with pytest.raises(PracticeWeekError, match="changed this quote after you opened the page"):
        practice_week_quote_approve(
            activity=activity, approved_text="First words", fingerprint=seen, actor=world.people["qa_officer"]
        )
    activity.refresh_from_db()
    assert activity.quote_status == QuoteStatus.PROPOSED
    # A browser sends CRLF line breaks; the fingerprint is of the words, not of the line endings.
    assert quote_fingerprint("Second\r\nwords ") == quote_fingerprint("Second\nwords")


# --- the summary ---------------------------------------------------------------------------------
@pytest.fixture
def logged(world, week) -> dict[str, PracticeWeekActivity]:
    """Six activities by five leaders in three service areas; three quotes: approved, declined,
    still proposed."""
    qa = world.people["qa_officer"]
    a = {
        "one": log(world, "team_manager_same", week, kind=ActivityKind.OBSERVATION, team=world.team_a1,
                   strengths="Strength one", areas_to_develop="", quote="Jo said it was better"),
        "two": log(world, "team_manager_same", week, kind=ActivityKind.VISIT, team=world.team_a2,
                   strengths="", areas_to_develop="Develop one", quote="Declined words"),
        "three": log(world, "service_manager_same", week, kind=ActivityKind.OBSERVATION, team=None,
                     strengths="Strength two", areas_to_develop="Develop two", quote="Proposed words"),
        "four": log(world, "head_of_service", week, kind=ActivityKind.CONVERSATION, service_area=world.area_b,
                    team=world.team_b1, strengths="Strength three"),
        "five": log(world, "assistant_director", week, kind=ActivityKind.OBSERVATION, service_area=world.area_b,
                    team=None, strengths="Strength four", happened_on=TODAY),
        "six": log(world, "qa_officer", week, kind=ActivityKind.AUDIT_ALONGSIDE, service_area=world.area_eh,
                   team=world.team_eh1, strengths="", areas_to_develop="Develop three"),
    }  # fmt: skip
    practice_week_quote_approve(
        activity=a["one"], approved_text="A parent said things are better", actor=qa,
        fingerprint=quote_fingerprint(a["one"].quote),
    )  # fmt: skip
    practice_week_quote_decline(activity=a["two"], fingerprint=quote_fingerprint(a["two"].quote), actor=qa)
    return a


def test_the_summary_counts_activities_by_kind_and_service_area(world, week, logged):
    summary = practice_week_summary(week=week)
    assert summary.kinds == (
        "Observing practice",
        "An audit alongside a social worker",
        "A meeting observed",
        "A visit to a team or workplace",
        "A conversation with practitioners or managers",
    )
    # Worked out by hand from the fixture: (observation, audit alongside, meeting, visit, conversation).
    rows = {row.service_area: (row.counts, row.total) for row in summary.rows}
    assert rows == {
        world.area_a.name: ((2, 0, 0, 1, 0), 3),
        world.area_b.name: ((1, 0, 0, 0, 1), 2),
        world.area_eh.name: ((0, 1, 0, 0, 0), 1),
    }
    assert [row.service_area for row in summary.rows] == sorted(rows)
    assert summary.kind_totals == (3, 1, 0, 1, 1)
    assert summary.activities == 6
    # Five leaders took part (the team manager logged two activities).
    assert summary.leaders == 5


def test_the_summary_groups_findings_by_area_and_shows_only_approved_wording(world, week, logged):
    summary = practice_week_summary(week=week)
    findings = {f.service_area: (f.strengths, f.areas_to_develop) for f in summary.findings}
    assert findings == {
        world.area_a.name: (("Strength one", "Strength two"), ("Develop one", "Develop two")),
        world.area_b.name: (("Strength three", "Strength four"), ()),
        world.area_eh.name: ((), ("Develop three",)),
    }
    assert summary.quotes == ("A parent said things are better",)


def test_a_week_with_nothing_logged_has_an_empty_summary(world, week):
    summary = practice_week_summary(week=week)
    assert (summary.rows, summary.activities, summary.leaders, summary.quotes) == ((), 0, 0, ())
    assert summary.kind_totals == (0, 0, 0, 0, 0)


def test_the_summary_takes_one_query_whatever_the_number_of_activities(world, week, logged, django_assert_num_queries):
    with django_assert_num_queries(1):
        practice_week_summary(week=week)
    for n in range(30):
        log(world, "director", week, strengths=f"More {marker()}", quote=f"Quote {n}")
    with django_assert_num_queries(1):
        assert practice_week_summary(week=week).activities == 36
