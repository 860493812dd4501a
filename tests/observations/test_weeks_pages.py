"""Practice-week pages through personas: the QA team schedules and approves quotes, leaders log and
change their own activities, summary readers read an aggregate summary with no names in it."""

from __future__ import annotations

import datetime
import zoneinfo

import pytest
import time_machine
from django.urls import reverse

from observations.models import ActivityKind, PracticeWeek, PracticeWeekActivity, QuoteStatus
from observations.services.weeks import practice_week_quote_approve, practice_week_quote_decline, quote_fingerprint
from organisation.models import Duty, Role
from organisation.scope import scope_for
from qaframework.programme_links import programme_links
from tests.factories import person_with_role

from .test_weeks import FRIDAY, MONDAY, TODAY, log, schedule

LONDON = zoneinfo.ZoneInfo("Europe/London")


@pytest.fixture(autouse=True)
def clock():
    # Wednesday 10 June 2026, in the middle of the practice week.
    with time_machine.travel(datetime.datetime(2026, 6, 10, 10, 0, tzinfo=LONDON), tick=False):
        yield


@pytest.fixture
def week(world) -> PracticeWeek:
    return schedule(world)


def signed_in(client, world, persona: str):
    client.force_login(world.people[persona])
    return client


def date_fields(name: str, day: datetime.date) -> dict[str, str]:
    return {f"{name}_0": str(day.day), f"{name}_1": str(day.month), f"{name}_2": str(day.year)}


def activity_post(world, **changes) -> dict[str, str]:
    data = {
        "kind": ActivityKind.OBSERVATION,
        **date_fields("happened_on", MONDAY),
        "service_area": str(world.area_a.pk),
        "team": str(world.team_a1.pk),
        "strengths": "Plans are written with the family.",
        "areas_to_develop": "",
        "quote": "",
    }
    return data | changes


def week_post(title: str, starts_on: datetime.date, ends_on: datetime.date, focus: str = "") -> dict[str, str]:
    return {"title": title, **date_fields("starts_on", starts_on), **date_fields("ends_on", ends_on), "focus": focus}


# --- scheduling ----------------------------------------------------------------------------------
def test_the_qa_team_schedules_a_week_from_the_list(client, world):
    signed_in(client, world, "qa_officer")
    url = reverse("observations:practice-week-list")
    page = client.get(url).content.decode()
    assert "Practice weeks happen twice a year" in page
    assert "0 of 2</strong> practice weeks scheduled for 2026" in page
    response = client.post(
        url, week_post("Practice week, autumn 2026", datetime.date(2026, 11, 2), datetime.date(2026, 11, 6), "Neglect")
    )
    week = PracticeWeek.objects.get()
    assert response.status_code == 302
    assert response["Location"] == reverse("observations:practice-week-detail", args=[week.pk])
    assert (week.title, week.starts_on, week.ends_on, week.focus) == (
        "Practice week, autumn 2026", datetime.date(2026, 11, 2), datetime.date(2026, 11, 6), "Neglect",
    )  # fmt: skip
    assert "1 of 2</strong> practice weeks scheduled for 2026" in client.get(url).content.decode()


def test_an_overlapping_week_is_shown_again_with_a_field_error_and_what_was_typed(client, world, week):
    signed_in(client, world, "qa_manager")
    response = client.post(
        reverse("observations:practice-week-list"), week_post("Second go", FRIDAY, FRIDAY + datetime.timedelta(days=2))
    )
    body = response.content.decode()
    assert response.status_code == 200
    assert "<title>Error:" in body
    assert 'href="#id_starts_on_0"' in body  # the summary links to the start date
    assert "These dates overlap Practice week, summer 2026 (8 to 12 June 2026)" in body
    assert 'value="Second go"' in body
    assert PracticeWeek.objects.count() == 1


def test_an_end_before_the_start_is_shown_again_with_its_error(client, world):
    signed_in(client, world, "qa_officer")
    response = client.post(
        reverse("observations:practice-week-list"),
        week_post("Backwards", datetime.date(2026, 11, 6), datetime.date(2026, 11, 2)),
    )
    body = response.content.decode()
    assert "<title>Error:" in body
    assert 'href="#id_ends_on_0"' in body
    assert "The end date must be the same as or after the start date" in body
    assert not PracticeWeek.objects.exists()


def test_only_the_qa_team_schedules_but_leaders_read_the_list(client, world, week):
    url = reverse("observations:practice-week-list")
    signed_in(client, world, "team_manager_same")
    page = client.get(url)
    assert page.status_code == 200
    assert "Schedule a practice week" not in page.content.decode()
    assert (
        client.post(url, week_post("Mine", datetime.date(2026, 11, 2), datetime.date(2026, 11, 6))).status_code == 403
    )
    signed_in(client, world, "practitioner_own")
    assert client.get(url).status_code == 403


def test_the_qa_team_changes_the_focus_until_the_week_ends(client, world, week):
    signed_in(client, world, "qa_officer")
    url = reverse("observations:practice-week-edit", args=[week.pk])
    assert client.post(url, week_post(week.title, MONDAY, FRIDAY, "Chronologies")).status_code == 302
    week.refresh_from_db()
    assert week.focus == "Chronologies"
    with time_machine.travel(datetime.datetime(2026, 6, 13, 10, 0, tzinfo=LONDON), tick=False):
        signed_in(client, world, "qa_officer")  # a new day, a new session
        ended = client.post(url, week_post(week.title, MONDAY, FRIDAY, "Too late"), follow=True)
    assert "has ended: its dates and focus can no longer change" in ended.content.decode()
    week.refresh_from_db()
    assert week.focus == "Chronologies"


# --- logging -------------------------------------------------------------------------------------
def test_a_leader_logs_an_activity_from_the_weeks_page(client, world, week):
    signed_in(client, world, "team_manager_same")
    detail = client.get(reverse("observations:practice-week-detail", args=[week.pk])).content.decode()
    new_url = reverse("observations:practice-week-activity-new", args=[week.pk])
    assert f'href="{new_url}"' in detail
    form = client.get(new_url).content.decode()
    assert "Leave out names and anything that identifies a child, family or worker" in form
    assert "Use initials; do not paste case notes." in form
    response = client.post(new_url, activity_post(world, quote="It feels different now"))
    assert response.status_code == 302
    activity = PracticeWeekActivity.objects.get()
    assert (activity.leader, activity.kind, activity.team, activity.quote_status) == (
        world.people["team_manager_same"], ActivityKind.OBSERVATION, world.team_a1, QuoteStatus.PROPOSED,
    )  # fmt: skip
    detail = client.get(reverse("observations:practice-week-detail", args=[week.pk])).content.decode()
    assert reverse("observations:practice-week-activity-edit", args=[activity.pk]) in detail
    assert "Waiting for approval" in detail


@pytest.mark.parametrize(
    ("changes", "field", "message"),
    [
        (lambda w: date_fields("happened_on", datetime.date(2026, 6, 5)), "happened_on_0", "within the practice week"),
        (lambda w: {"team": str(w.team_b1.pk)}, "team", "is not in"),
        (lambda w: {"strengths": "", "areas_to_develop": ""}, "strengths", "the areas to develop, or both"),
    ],
)
def test_bad_input_is_shown_again_with_its_error_and_what_was_typed(client, world, week, changes, field, message):
    signed_in(client, world, "service_manager_same")
    data = activity_post(world, **changes(world), quote="Words I heard")
    response = client.post(reverse("observations:practice-week-activity-new", args=[week.pk]), data)
    body = response.content.decode()
    assert response.status_code == 200
    assert "<title>Error:" in body
    assert f'href="#id_{field}"' in body
    assert message in body
    assert "Words I heard</textarea>" in body
    assert not PracticeWeekActivity.objects.exists()


def test_nothing_is_logged_before_the_week_starts(client, world):
    later = schedule(world, starts_on=datetime.date(2026, 7, 6), ends_on=datetime.date(2026, 7, 10))
    signed_in(client, world, "team_manager_same")
    url = reverse("observations:practice-week-activity-new", args=[later.pk])
    response = client.post(url, activity_post(world, **date_fields("happened_on", datetime.date(2026, 7, 6))))
    assert response.status_code == 302
    assert not PracticeWeekActivity.objects.exists()
    page = client.get(url, follow=True).content.decode()
    assert "starts on 6 July 2026: log activities from then" in page
    assert f'href="{url}"' not in page  # no "Log an activity" button yet


def test_only_leaders_log_and_get_is_the_only_read(client, world, week):
    url = reverse("observations:practice-week-activity-new", args=[week.pk])
    for persona in ("practitioner_own", "conference_chair", "bi_officer"):
        signed_in(client, world, persona)
        assert client.get(url).status_code == 403
        assert client.post(url, activity_post(world)).status_code == 403
    assert not PracticeWeekActivity.objects.exists()
    signed_in(client, world, "principal_social_worker")
    assert client.post(url, activity_post(world)).status_code == 302
    signed_in(client, world, "team_manager_same")
    assert client.post(reverse("observations:practice-week-detail", args=[week.pk])).status_code == 405


def test_a_leader_changes_only_their_own_activity(client, world, week):
    activity = log(world, "team_manager_same", week)
    url = reverse("observations:practice-week-activity-edit", args=[activity.pk])
    for persona in ("team_manager_other", "service_manager_same", "qa_officer"):
        signed_in(client, world, persona)
        assert client.get(url).status_code == 404
        assert client.post(url, activity_post(world, strengths="Not mine")).status_code == 404
    signed_in(client, world, "team_manager_same")
    assert client.get(url).status_code == 200
    response = client.post(url, activity_post(world, strengths="Changed strengths"))
    assert response.status_code == 302
    activity.refresh_from_db()
    assert activity.strengths == "Changed strengths"


def test_the_qa_team_sees_every_activity_and_a_leader_only_their_own(client, world, week):
    log(world, "team_manager_same", week)
    log(world, "team_manager_other", week, service_area=world.area_b, team=world.team_b1)
    url = reverse("observations:practice-week-detail", args=[week.pk])
    signed_in(client, world, "qa_officer")
    page = client.get(url).content.decode()
    assert world.people["team_manager_same"].full_name in page
    assert world.people["team_manager_other"].full_name in page
    signed_in(client, world, "team_manager_same")
    page = client.get(url).content.decode()
    assert world.team_a1.name in page
    assert world.team_b1.name not in page
    assert world.people["team_manager_other"].full_name not in page


def test_an_approved_quote_is_shown_locked_on_the_leaders_form(client, world, week):
    activity = log(world, "team_manager_same", week, quote="Heard it")
    client.force_login(world.people["qa_officer"])
    client.post(
        reverse("observations:practice-week-quotes", args=[week.pk]),
        {
            f"quote-{activity.pk}-approved_text": "Said it",
            f"quote-{activity.pk}-fingerprint": quote_fingerprint("Heard it"),
            f"quote-{activity.pk}-decision": "approve",
        },
    )
    signed_in(client, world, "team_manager_same")
    url = reverse("observations:practice-week-activity-edit", args=[activity.pk])
    body = client.get(url).content.decode()
    assert "approved an anonymised wording of this quote, so it can no longer change" in body
    assert "disabled" in body
    # A forged post cannot change it: the field is disabled, so the stored quote is kept.
    assert client.post(url, activity_post(world, quote="Something else")).status_code == 302
    activity.refresh_from_db()
    assert (activity.quote, activity.quote_approved_text) == ("Heard it", "Said it")


# --- quotes --------------------------------------------------------------------------------------
def decision(activity: PracticeWeekActivity, choice: str, wording: str | None = None, seen: str | None = None):
    return {
        f"quote-{activity.pk}-approved_text": activity.quote if wording is None else wording,
        f"quote-{activity.pk}-fingerprint": quote_fingerprint(activity.quote) if seen is None else seen,
        f"quote-{activity.pk}-decision": choice,
    }


def test_the_qa_team_approves_and_declines_quotes(client, world, week):
    first = log(world, "team_manager_same", week, quote="Since Jo came, Kai is happier")
    second = log(world, "service_manager_same", week, team=None, quote="Another thing heard")
    url = reverse("observations:practice-week-quotes", args=[week.pk])
    signed_in(client, world, "qa_officer")
    page = client.get(url).content.decode()
    assert "Since Jo came, Kai is happier</textarea>" in page  # prefilled with the quote as heard
    assert client.post(url, decision(first, "approve", "Since the worker came, my child is happier")).status_code == 302
    assert client.post(url, decision(second, "decline")).status_code == 302
    first.refresh_from_db()
    second.refresh_from_db()
    assert (first.quote_status, first.quote_approved_text, first.quote_approved_by) == (
        QuoteStatus.APPROVED, "Since the worker came, my child is happier", world.people["qa_officer"],
    )  # fmt: skip
    assert second.quote_status == QuoteStatus.DECLINED
    assert "No quotes are waiting for approval." in client.get(url).content.decode()
    # Deciding again is not possible: the quote is no longer waiting.
    again = client.post(url, decision(second, "approve"), follow=True)
    assert "no longer waiting" in again.content.decode()


def test_a_stale_or_empty_wording_is_shown_again_with_its_error(client, world, week):
    activity = log(world, "team_manager_same", week, quote="First words")
    url = reverse("observations:practice-week-quotes", args=[week.pk])
    signed_in(client, world, "qa_manager")
    empty = client.post(url, decision(activity, "approve", wording=""))
    assert "<title>Error:" in empty.content.decode()
    assert "Enter the anonymised wording to use" in empty.content.decode()
    stale = client.post(url, decision(activity, "approve", wording="My wording", seen=quote_fingerprint("Old words")))
    body = stale.content.decode()
    assert "changed this quote after you opened the page" in body
    assert "My wording</textarea>" in body
    activity.refresh_from_db()
    assert activity.quote_status == QuoteStatus.PROPOSED


def test_only_the_qa_team_decides_on_quotes(client, world, week):
    activity = log(world, "team_manager_same", week, quote="Words")
    url = reverse("observations:practice-week-quotes", args=[week.pk])
    for persona in ("team_manager_same", "principal_social_worker", "director"):
        signed_in(client, world, persona)
        assert client.get(url).status_code == 403
        assert client.post(url, decision(activity, "approve")).status_code == 403
    activity.refresh_from_db()
    assert activity.quote_status == QuoteStatus.PROPOSED


# --- the summary ---------------------------------------------------------------------------------
@pytest.fixture
def activities(world, week):
    qa = world.people["qa_officer"]
    approved = log(world, "team_manager_same", week, quote="Raw words from Jo", strengths="Warm relationships")
    practice_week_quote_approve(
        activity=approved, approved_text="Approved wording here", fingerprint=quote_fingerprint(approved.quote),
        actor=qa,
    )  # fmt: skip
    declined = log(world, "team_manager_other", week, service_area=world.area_b, team=world.team_b1,
                   kind=ActivityKind.VISIT, quote="Declined words", areas_to_develop="Chronologies")  # fmt: skip
    practice_week_quote_decline(activity=declined, fingerprint=quote_fingerprint(declined.quote), actor=qa)
    log(world, "head_of_service", week, team=world.team_a2, quote="Proposed words", strengths="Good plans")
    return week


def test_the_summary_is_aggregate_with_approved_wording_only_and_no_names(client, world, activities):
    signed_in(client, world, "principal_social_worker")
    response = client.get(reverse("observations:practice-week-summary", args=[activities.pk]))
    body = response.content.decode()
    assert response.status_code == 200
    assert 'id="summary-activities">3<' in body
    assert 'id="summary-leaders">3<' in body
    assert "Activities by kind and service area</caption>" in body
    assert "Warm relationships" in body
    assert "Chronologies" in body
    assert "Approved wording here" in body
    for hidden in ("Raw words from Jo", "Declined words", "Proposed words"):
        assert hidden not in body
    for persona in ("team_manager_same", "team_manager_other", "head_of_service", "qa_officer"):
        assert world.people[persona].full_name not in body
    for team in (world.team_a1, world.team_a2, world.team_b1):
        assert team.name not in body
    assert "Print this page" in body
    assert (
        "A PDF of this summary for the Practice and Performance Assurance Board will come with the highlight reports."
        in body
    )


def test_the_summary_is_for_managers_the_psw_and_the_qa_team(client, world, activities):
    url = reverse("observations:practice-week-summary", args=[activities.pk])
    for persona in ("team_manager_other", "director", "qa_manager", "principal_social_worker"):
        signed_in(client, world, persona)
        assert client.get(url).status_code == 200
        assert client.post(url).status_code == 405
    for persona in ("practitioner_own", "iro", "participation_officer", "partner_contributor"):
        signed_in(client, world, persona)
        assert client.get(url).status_code == 403


def test_the_summary_page_takes_the_same_queries_for_3_or_40_activities(
    client, world, activities, django_assert_max_num_queries
):
    signed_in(client, world, "director")
    url = reverse("observations:practice-week-summary", args=[activities.pk])
    # Session and user, the scope's role assignments and duties, the week, the summary's one query,
    # the navigation's reads.
    with django_assert_max_num_queries(12) as few:
        client.get(url)
    for n in range(37):
        log(world, "director", activities, strengths=f"Strength {n}", quote=f"Quote {n}")
    with django_assert_max_num_queries(len(few.captured_queries)):
        assert 'id="summary-activities">40<' in client.get(url).content.decode()


def test_the_list_takes_the_same_queries_for_1_or_8_weeks(client, world, week, django_assert_max_num_queries):
    signed_in(client, world, "qa_officer")
    url = reverse("observations:practice-week-list")
    with django_assert_max_num_queries(12) as few:
        client.get(url)
    for n in range(7):
        start = datetime.date(2027 + n, 3, 1)
        schedule(world, title=f"Week {n}", starts_on=start, ends_on=start + datetime.timedelta(days=4))
    with django_assert_max_num_queries(len(few.captured_queries)):
        assert client.get(url).content.decode().count("Week ") >= 7


def test_the_weeks_page_takes_the_same_queries_for_few_or_many_activities(
    client, world, week, django_assert_max_num_queries
):
    log(world, "qa_officer", week)
    signed_in(client, world, "qa_officer")
    url = reverse("observations:practice-week-detail", args=[week.pk])
    with django_assert_max_num_queries(14) as few:
        client.get(url)
    for persona in ("team_manager_same", "service_manager_same", "head_of_service", "director"):
        log(world, persona, week, quote="Words")
    with django_assert_max_num_queries(len(few.captured_queries)):
        client.get(url)


def test_leaders_and_summary_readers_have_the_link(world):
    for persona, expected in (
        ("team_manager_same", True),
        ("qa_officer", True),
        ("principal_social_worker", True),
        ("assistant_director", True),
        ("practitioner_own", False),
        ("participation_officer", False),
    ):
        links = dict(programme_links(scope_for(world.people[persona], today=TODAY)))
        assert (links.get("Practice weeks") == reverse("observations:practice-week-list")) is expected, persona


def test_a_practice_lead_logs_and_reads_the_summary(client, world, week):
    lead = person_with_role(
        Role.PRACTITIONER, team=world.team_a1, email="lead@example.test", duties=(Duty.PRACTICE_LEAD,)
    )
    client.force_login(lead)
    response = client.post(reverse("observations:practice-week-activity-new", args=[week.pk]), activity_post(world))
    assert response.status_code == 302
    assert PracticeWeekActivity.objects.get().leader == lead
    assert client.get(reverse("observations:practice-week-summary", args=[week.pk])).status_code == 200
    # Without the duty, the same practitioner has neither.
    signed_in(client, world, "practitioner_own")
    assert client.get(reverse("observations:practice-week-summary", args=[week.pk])).status_code == 403
