"""The learning page and recording learning (DESIGN section 9): themes by service area and over
time, never by practitioner; small counts suppressed; learning labelled with its source; the PSW
records learning summaries and reflective discussions; scope."""

from __future__ import annotations

import datetime

import pytest
import time_machine
from django.urls import reverse

from audits.models import Theme
from boards.models import LearningSummary, ReflectiveDiscussion
from boards.selectors_learning import learning_summaries
from feedback.models import DisputeStage, ReviewingOfficerAlert, VoiceEntry, VoiceSource
from observations.models import ObservationPractitioner
from organisation.models import Role
from tests.factories import person_with_role

from .test_themes import observation, tagged, themes  # noqa: F401 (fixture)

# The page's clock: the last 3 complete months are August to October 2026, the fixture's period.
NOW = datetime.datetime(2026, 11, 20, 12, 0, tzinfo=datetime.UTC)
PERIOD = {"first": "2026-08", "last": "2026-10"}
READERS = (
    "principal_social_worker",
    "qa_officer",
    "qa_manager",
    "head_of_service",
    "assistant_director",
    "director",
)
NOT_READERS = (
    "practitioner_own",
    "team_manager_same",
    "service_manager_same",
    "conference_chair",
    "bi_officer",
    "participation_officer",
    "administrator",
)


@pytest.fixture(autouse=True)
def _clock():
    with time_machine.travel(NOW, tick=False):
        yield


@pytest.fixture
def practice_lead(world):
    # A senior practitioner with the practice lead duty: reads and records, like the PSW.
    return person_with_role(Role.PRACTITIONER, team=world.team_a2, email="lead@example.test", duties=("practice_lead",))


def page(client, user, **params) -> str:
    client.force_login(user)
    response = client.get(reverse("boards:learning"), params)
    assert response.status_code == 200
    return response.content.decode()


def _cell(body: str, table_id: str) -> str:
    start = body.index(f'id="{table_id}"')
    return body[start : body.index("</table>", start)]


# --- who sees it --------------------------------------------------------------------------------------------
@pytest.mark.parametrize("persona", READERS)
def test_the_psw_qa_team_and_senior_leaders_read_the_learning_page(client, world, persona):
    page(client, world.people[persona])


def test_a_practice_lead_reads_it_and_may_record(client, world, practice_lead):
    body = page(client, practice_lead)
    assert reverse("boards:learning-summary-new") in body
    assert client.get(reverse("boards:learning-summary-new")).status_code == 200


@pytest.mark.parametrize("persona", NOT_READERS)
def test_others_are_refused(client, world, persona):
    client.force_login(world.people[persona])
    assert client.get(reverse("boards:learning")).status_code == 403


# --- themes by area and over time ------------------------------------------------------------------------------
@pytest.mark.usefixtures("tagged")
def test_themes_by_area_side_by_side_and_the_whole_service(client, world):
    body = page(client, world.people["principal_social_worker"])
    table = _cell(body, "themes-by-area")
    for name in (world.area_a.name, world.area_b.name, world.area_eh.name, "The whole service"):
        assert name in table
    assert "Child&#x27;s voice" in table
    assert "Planning" in table
    # The default period is the last 3 complete months.
    assert "August 2026 to October 2026" in body
    trend = _cell(body, "themes-over-time")
    for quarter in ("Nov 2025 to Jan 2026", "Feb 2026 to Apr 2026", "May 2026 to Jul 2026", "Aug 2026 to Oct 2026"):
        assert quarter in trend
    assert "Strength" in trend
    assert "Area to develop" in trend


@pytest.mark.usefixtures("tagged")
def test_never_by_named_practitioner(client, world):
    # An observed practitioner and every observer, manager and practitioner of the world: none
    # is named on the page (the viewer's own name is in the header).
    tagged_observation = observation(world, on=datetime.date(2026, 9, 3), team=world.team_a1, tags=[themes()["voice"]])
    ObservationPractitioner.objects.create(
        observation=tagged_observation, practitioner=world.people["practitioner_own"], team=world.team_a1
    )
    viewer = world.people["principal_social_worker"]
    body = page(client, viewer)
    for person in world.people.values():
        if person != viewer:
            assert person.full_name not in body


@pytest.mark.usefixtures("tagged")
def test_counts_below_five_are_shown_as_fewer_than_five(client, world):
    body = page(client, world.people["principal_social_worker"])
    table = _cell(body, "themes-by-area")
    assert "(theme: fewer than 5)" in table
    assert "(theme: 2)" not in table
    # Five completed observations in area B tagged with supervision: now the count shows.
    for day in range(1, 6):
        observation(world, on=datetime.date(2026, 10, day), team=world.team_b1, tags=[themes()["supervision"]])
    table = _cell(page(client, world.people["principal_social_worker"]), "themes-by-area")
    # Area B and the whole service: the 5 and the September sample in B1.
    assert table.count("(theme: 6)") == 2


@pytest.mark.usefixtures("tagged")
def test_filter_by_area_and_period(client, world):
    body = page(client, world.people["principal_social_worker"], area=str(world.area_b.pk), **PERIOD)
    table = _cell(body, "themes-by-area")
    assert world.area_b.name in table
    assert world.area_a.name not in table
    assert f"Over time: {world.area_b.name}" in body
    # A period with nothing tagged.
    empty = page(client, world.people["principal_social_worker"], first="2025-01", last="2025-02")
    assert "None found" in empty


def test_a_bad_period_is_explained_and_the_default_shown(client, world):
    body = page(client, world.people["principal_social_worker"], first="2026-10", last="2026-08")
    assert "govuk-error-summary" in body
    assert "The last month must be the same as or after the first month" in body
    assert "August 2026 to October 2026" in body


@pytest.mark.usefixtures("tagged")
def test_area_choices_are_only_those_the_person_sees(client, world):
    hos = world.people["head_of_service"]
    body = page(client, hos)
    select = body[body.index('name="area"') : body.index("</select>", body.index('name="area"'))]
    assert world.area_a.name in select
    assert world.area_b.name not in select
    table = _cell(body, "themes-by-area")
    assert world.area_b.name not in table
    assert "The whole service" not in table
    # Asking for another area is refused as a choice, not shown.
    other = page(client, hos, area=str(world.area_b.pk))
    assert "Choose a service area from the list" in other
    assert world.area_b.name not in _cell(other, "themes-by-area")
    psw = page(client, world.people["principal_social_worker"])
    select = psw[psw.index('name="area"') : psw.index("</select>", psw.index('name="area"'))]
    assert world.area_b.name in select


# --- learning with its source ---------------------------------------------------------------------------------
@pytest.fixture
def learning(world):
    t = themes()
    psw = world.people["principal_social_worker"]
    summary = LearningSummary.objects.create(
        period_from=datetime.date(2026, 7, 1),
        period_to=datetime.date(2026, 9, 1),
        title="Plans that children can read",
        summary="Plans written for the child are clearer.",
        written_by=psw,
    )
    summary.themes.set([t["planning"]])
    ReflectiveDiscussion.objects.create(
        held_on=datetime.date(2026, 10, 14),
        service_area=world.area_a,
        led_by=ReflectiveDiscussion.LedBy.PRACTICE_LEAD,
        facilitator=psw,
        topic="Stalled plans",
        attended=7,
        learning="Agree one next step at each visit.",
    )
    ReflectiveDiscussion.objects.create(
        held_on=datetime.date(2026, 10, 15),
        service_area=world.area_b,
        led_by=ReflectiveDiscussion.LedBy.QA_TEAM,
        facilitator=psw,
        topic="Area B only discussion",
        attended=3,
        learning="Something learnt in area B.",
    )
    for source, title in (
        (VoiceSource.PRACTICE_REVIEW, "Review: information sharing"),
        (VoiceSource.COMPLAINT, "Complaint: missed call backs"),
        (VoiceSource.OFSTED_NOTIFICATION, "Ofsted notification: serious incident"),
        (VoiceSource.COMPLIMENT, "Compliment: kind worker"),
    ):
        entry = VoiceEntry.objects.create(
            source=source,
            happened_on=datetime.date(2026, 9, 20),
            title=title,
            summary=f"About {title}",
            recorded_by=psw,
        )
        entry.themes.set([t["voice"]])
    stage = DisputeStage.objects.create(key="informal", name="Informal")
    for n, kind in enumerate(["good_practice"] * 6 + ["practice_concern"] * 2):
        ReviewingOfficerAlert.objects.create(
            kind=kind,
            case_file=world.case_a,
            team=world.team_a1,
            service_area=world.area_a,
            meeting="cp_conference",
            meeting_on=datetime.date(2026, 9, 1 + n),
            theme=t["voice"],
            stage=stage if kind == "practice_concern" else None,
            summary=f"Alert text {n} about CASE-A",
            recorded_by=world.people["conference_chair"],
        )
    return summary


def test_each_learning_item_is_labelled_with_its_source(client, world, learning):
    body = page(client, world.people["principal_social_worker"])
    items = body[body.index('id="learning-items"') : body.index("</ul>", body.index('id="learning-items"'))]
    for label, title in (
        ("Learning summary", "Plans that children can read"),
        ("Reflective discussion led by a practice lead", "Stalled plans"),
        ("Learning from a practice review", "Review: information sharing"),
        ("Complaint", "Complaint: missed call backs"),
        ("Ofsted notification", "Ofsted notification: serious incident"),
    ):
        assert label in items
        assert title in items
    assert "Compliment: kind worker" not in items


def test_reviewing_officers_are_counted_by_theme_and_kind_without_their_text(client, world, learning):
    body = page(client, world.people["principal_social_worker"])
    table = _cell(body, "reviewing-officer-alerts")
    assert "Child&#x27;s voice" in table
    assert ">6<" in table  # good-practice alerts
    assert "fewer than 5" in table  # 2 practice concerns
    assert "Alert text" not in body
    assert "CASE-A" not in body


def test_a_head_of_service_sees_their_area_and_the_whole_service_learning_only(client, world, learning):
    body = page(client, world.people["head_of_service"])
    assert "Stalled plans" in body
    assert "Plans that children can read" in body
    assert "Area B only discussion" not in body
    other = ReflectiveDiscussion.objects.get(topic="Area B only discussion")
    url = reverse("boards:reflective-discussion-detail", args=[other.pk])
    assert client.get(url).status_code == 404
    assert client.get(reverse("boards:learning-summary-detail", args=[learning.pk])).status_code == 200


def test_learning_summaries_for_the_board_reports(world, learning):
    area_b = LearningSummary.objects.create(
        service_area=world.area_b,
        period_from=datetime.date(2026, 10, 1),
        period_to=datetime.date(2026, 10, 1),
        title="Area B",
        summary="B",
        written_by=world.people["qa_officer"],
    )
    october = datetime.date(2026, 10, 1)
    assert learning_summaries(first=october, last=october) == [area_b]
    assert learning_summaries(first=datetime.date(2026, 9, 1), last=october, service_area_id=world.area_a.pk) == [
        learning
    ]
    assert learning_summaries(first=datetime.date(2026, 6, 1), last=datetime.date(2026, 6, 1)) == []


def test_the_page_takes_the_same_queries_whatever_the_data(client, world, django_assert_max_num_queries):
    client.force_login(world.people["principal_social_worker"])
    url = reverse("boards:learning")
    with django_assert_max_num_queries(80) as few:
        client.get(url)
    t = themes()
    for day in range(1, 9):
        observation(world, on=datetime.date(2026, 9, day), team=world.team_a1, tags=list(t.values()))
    with django_assert_max_num_queries(len(few.captured_queries)):
        client.get(url)


# --- recording ----------------------------------------------------------------------------------------------------
def summary_post(world, **changes) -> dict:
    data = {
        "title": "Chronologies are improving",
        "service_area": str(world.area_a.pk),
        "first": "2026-08",
        "last": "2026-10",
        "themes": [str(themes()["planning"].pk)],
        "summary": "Most files now have a chronology. Keep it up.",
        "version": "0",
    }
    data.update(changes)
    return data


def test_the_psw_records_a_learning_summary_and_a_bad_form_keeps_what_was_typed(client, world):
    psw = world.people["principal_social_worker"]
    client.force_login(psw)
    url = reverse("boards:learning-summary-new")
    bad = client.post(url, summary_post(world, title="", last="2026-07"))
    assert bad.status_code == 200
    body = bad.content.decode()
    assert "govuk-error-summary" in body
    assert "Enter a title" in body
    assert "The last month must be the same as or after the first month" in body
    assert "Most files now have a chronology. Keep it up." in body
    assert not LearningSummary.objects.exists()
    response = client.post(url, summary_post(world))
    summary = LearningSummary.objects.get()
    assert response.url == reverse("boards:learning-summary-detail", args=[summary.pk])
    assert (summary.period_from, summary.period_to) == (datetime.date(2026, 8, 1), datetime.date(2026, 10, 1))
    assert summary.written_by == psw
    assert summary.service_area == world.area_a
    assert list(summary.themes.values_list("slug", flat=True)) == ["planning"]
    detail = client.get(response.url).content.decode()
    assert "Chronologies are improving" in detail
    assert "Use initials; do not paste case notes." in client.get(url).content.decode()
    # It appears on the learning page with its source.
    assert "Learning summary" in page(client, psw)


def test_editing_keeps_history_and_refuses_a_stale_page(client, world):
    client.force_login(world.people["principal_social_worker"])
    client.post(reverse("boards:learning-summary-new"), summary_post(world))
    summary = LearningSummary.objects.get()
    url = reverse("boards:learning-summary-edit", args=[summary.pk])
    form = client.get(url).content.decode()
    assert "Chronologies are improving" in form
    version = str(summary.history.latest("history_id").history_id)
    assert client.post(url, summary_post(world, title="Chronologies: better", version=version)).status_code == 302
    summary.refresh_from_db()
    assert summary.title == "Chronologies: better"
    assert summary.history.count() == 2
    stale = client.post(url, summary_post(world, title="My older change", version=version))
    assert stale.status_code == 200
    body = stale.content.decode()
    assert "Someone else changed this" in body
    assert "My older change" in body
    summary.refresh_from_db()
    assert summary.title == "Chronologies: better"
    # Saving the same again writes no history row.
    latest = str(summary.history.latest("history_id").history_id)
    client.post(url, summary_post(world, title="Chronologies: better", version=latest))
    assert summary.history.count() == 2


def discussion_post(world, facilitator, **changes) -> dict:
    data = {
        "held_on_0": "14",
        "held_on_1": "10",
        "held_on_2": "2026",
        "service_area": "",
        "led_by": "psw",
        "facilitator": str(facilitator.pk),
        "topic": "Working with fathers",
        "themes": [str(themes()["voice"].pk)],
        "attended": "12",
        "learning": "Invite fathers to every review.",
        "version": "0",
    }
    data.update(changes)
    return data


def test_the_psw_records_a_reflective_discussion(client, world):
    psw = world.people["principal_social_worker"]
    client.force_login(psw)
    url = reverse("boards:reflective-discussion-new")
    form = client.get(url).content.decode()
    # The facilitator defaults to the person recording it.
    assert f'value="{psw.pk}" selected' in form
    bad = client.post(url, discussion_post(world, psw, attended="a dozen", topic=""))
    body = bad.content.decode()
    assert "govuk-error-summary" in body
    assert "Enter how many took part as a whole number" in body
    assert "Enter the topic" in body
    assert "Invite fathers to every review." in body
    future = client.post(url, discussion_post(world, psw, held_on_0="30", held_on_1="11"))
    assert "The date of the discussion must be today or in the past" in future.content.decode()
    assert not ReflectiveDiscussion.objects.exists()
    response = client.post(url, discussion_post(world, psw))
    discussion = ReflectiveDiscussion.objects.get()
    assert response.url == reverse("boards:reflective-discussion-detail", args=[discussion.pk])
    assert (discussion.held_on, discussion.attended, discussion.facilitator) == (datetime.date(2026, 10, 14), 12, psw)
    assert discussion.service_area is None
    body = page(client, psw)
    assert "Reflective discussion led by the principal social worker" in body
    assert "Working with fathers" in body


def test_readers_who_are_not_recorders_cannot_write(client, world):
    psw = world.people["principal_social_worker"]
    client.force_login(psw)
    client.post(reverse("boards:learning-summary-new"), summary_post(world))
    summary = LearningSummary.objects.get()
    for persona in ("head_of_service", "assistant_director", "director"):
        client.force_login(world.people[persona])
        assert client.get(reverse("boards:learning-summary-new")).status_code == 403
        assert client.post(reverse("boards:reflective-discussion-new"), {}).status_code == 403
        assert client.get(reverse("boards:learning-summary-edit", args=[summary.pk])).status_code == 403
        assert client.get(reverse("boards:learning-summary-detail", args=[summary.pk])).status_code == 200
    client.force_login(world.people["team_manager_same"])
    assert client.get(reverse("boards:learning-summary-detail", args=[summary.pk])).status_code == 403


def test_the_facilitator_must_be_someone_who_leads_learning(client, world):
    psw = world.people["principal_social_worker"]
    client.force_login(psw)
    response = client.post(
        reverse("boards:reflective-discussion-new"), discussion_post(world, world.people["team_manager_same"])
    )
    assert "Choose the facilitator from the list" in response.content.decode()
    assert Theme.objects.exists()
