"""Other voices (seed 2, 3, 6.4): dated, themed entries from complaints, compliments, councils,
practice reviews and the workforce; survey results withheld below 10 respondents everywhere; the
list by theme and period."""

from __future__ import annotations

import datetime
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.urls import reverse
from django.utils import timezone

from audits.models import Theme
from feedback.models import VoiceEntry, VoiceSource
from feedback.services.alerts import history_version
from feedback.services.voices import (
    WITHHELD,
    WORKFORCE_HINT,
    VoiceConflict,
    VoiceData,
    VoiceError,
    results_parse,
    voice_entries,
    voice_entry_create,
    voice_entry_update,
    voice_item,
    voice_results,
    voices_by_theme,
)
from organisation.scope import scope_for
from tests.factories import marker

LONDON = ZoneInfo("Europe/London")
TODAY = datetime.date(2026, 3, 16)
RESULTS = [
    {"statement": "I get regular reflective supervision MKSTATEMENT", "percent_agree": 72},
    {"statement": "My caseload is manageable", "percent_agree": 48.5},
]


@pytest.fixture(autouse=True)
def _frozen_clock():
    with time_machine.travel(datetime.datetime(2026, 3, 16, 10, 0, tzinfo=LONDON), tick=False):
        yield


# --- helpers (the matrix uses them too) --------------------------------------------------------------
def themes() -> dict[str, Theme]:
    return {
        slug: Theme.objects.get_or_create(slug=slug, defaults={"name": name})[0]
        for slug, name in (("supervision", "Supervision"), ("workload", "Workload"), ("voice", "Voice of the child"))
    }


def record_voice(world, *, by: str = "qa_officer", today: datetime.date | None = None, **values) -> VoiceEntry:
    day = today or timezone.localdate()
    fields = {
        "source": VoiceSource.COMPLAINT,
        "happened_on": day,
        "themes": [themes()["voice"]],
        "title": f"Complaint about reports {marker()}",
        "summary": "A parent saw the report on the day of the meeting.",
        **values,
    }
    person = world.people[by]
    return voice_entry_create(scope=scope_for(person, today=day), actor=person, data=VoiceData(**fields))


def survey(world, respondents: int, **values) -> VoiceEntry:
    return record_voice(
        world,
        today=TODAY,
        source=VoiceSource.STAFF_SURVEY,
        title=values.pop("title", f"Staff survey of {respondents}"),
        respondents=respondents,
        results=RESULTS,
        themes=[themes()["supervision"]],
        **values,
    )


# --- survey results ------------------------------------------------------------------------------------
def test_results_are_parsed_one_statement_a_line():
    text = "I get supervision | 72\n\n  My caseload is manageable|48.5%  \nA | 0\nB | 100"
    assert results_parse(text) == [
        {"statement": "I get supervision", "percent_agree": 72},
        {"statement": "My caseload is manageable", "percent_agree": 48.5},
        {"statement": "A", "percent_agree": 0},
        {"statement": "B", "percent_agree": 100},
    ]
    assert results_parse("") == []


@pytest.mark.parametrize(
    ("text", "problem"),
    [
        ("No bar here 72", "Line 1: write the statement"),
        ("| 72", "Line 1: write the statement"),
        ("Fine | 50\nToo many | 101", "Line 2: the percent agreeing must be a number from 0 to 100"),
        ("Negative | -3", "from 0 to 100"),
        ("Words | most", "from 0 to 100"),
        ("x" * 201 + " | 50", "200 characters or fewer"),
    ],
)
def test_results_that_cannot_be_read_are_refused_by_line(text, problem):
    with pytest.raises(VoiceError, match=problem):
        results_parse(text)


def test_a_survey_with_fewer_than_10_respondents_keeps_and_shows_no_results(world):
    nine, ten = survey(world, 9), survey(world, 10)
    nine.refresh_from_db()
    assert (nine.respondents, nine.results, nine.results_suppressed) == (9, [], True)
    assert ten.results == RESULTS
    assert not ten.results_suppressed


def test_the_selector_withholds_results_below_10_whatever_is_stored(world):
    # Rows written some other way (an import, the admin) are withheld all the same.
    stored = {"source": VoiceSource.STAFF_SURVEY, "happened_on": TODAY, "title": "t", "summary": "s"}
    recorder = world.people["qa_officer"]
    nine = VoiceEntry.objects.create(**stored, respondents=9, results=RESULTS, recorded_by=recorder)
    ten = VoiceEntry.objects.create(**stored, respondents=10, results=RESULTS, recorded_by=recorder)
    nine.themes.set([themes()["supervision"]])
    ten.themes.set([themes()["supervision"]])
    assert voice_results(nine) == []
    assert voice_results(ten) == RESULTS
    assert voice_item(nine).results == []
    assert voice_item(nine).suppressed
    groups = voices_by_theme(first_month=TODAY, last_month=TODAY)
    by_entry = {item.entry.pk: item.results for group in groups for item in group.items}
    assert by_entry == {nine.pk: [], ten.pk: RESULTS}


def test_other_sources_keep_no_survey_figures(world):
    entry = record_voice(world, today=TODAY, source=VoiceSource.FOCUS_GROUP, respondents=40, results=RESULTS)
    assert (entry.respondents, entry.results) == (None, [])


def test_the_recording_rules(world):
    with pytest.raises(VoiceError, match="at least one theme"):
        record_voice(world, today=TODAY, themes=[])
    with pytest.raises(VoiceError, match="today or in the past"):
        record_voice(world, today=TODAY, happened_on=TODAY + datetime.timedelta(days=1))
    with pytest.raises(VoiceError, match="how many people answered"):
        record_voice(world, today=TODAY, source=VoiceSource.STAFF_SURVEY)
    retired = Theme.objects.create(slug="retired", name="Retired", active=False)
    with pytest.raises(VoiceError, match="themes from the list"):
        record_voice(world, today=TODAY, themes=[retired])
    with pytest.raises(VoiceError, match="Only the QA team"):
        record_voice(world, today=TODAY, by="team_manager_same")
    assert (
        record_voice(world, today=TODAY, by="principal_social_worker").recorded_by
        == world.people["principal_social_worker"]
    )


def test_a_correction_is_versioned_and_kept_in_history(world):
    entry = record_voice(world, today=TODAY)
    qa = world.people["qa_officer"]
    scope = scope_for(qa, today=TODAY)
    version = history_version(entry)
    data = VoiceData(
        source=entry.source,
        happened_on=entry.happened_on,
        themes=[themes()["voice"], themes()["workload"]],
        title="Corrected title",
        summary=entry.summary,
    )
    voice_entry_update(scope=scope, entry=entry, actor=qa, data=data, version=version)
    entry.refresh_from_db()
    assert entry.title == "Corrected title"
    assert {t.slug for t in entry.themes.all()} == {"voice", "workload"}
    assert entry.history.count() == 2
    with pytest.raises(VoiceConflict):
        voice_entry_update(scope=scope, entry=entry, actor=qa, data=data, version=version)
    # Saving the same again writes nothing.
    voice_entry_update(scope=scope, entry=entry, actor=qa, data=data, version=history_version(entry))
    assert entry.history.count() == 2


# --- by theme and period -------------------------------------------------------------------------------
def test_entries_are_grouped_under_each_theme_newest_first(world):
    t = themes()
    old = record_voice(world, today=TODAY, happened_on=datetime.date(2025, 6, 1), themes=[t["workload"]])
    both = record_voice(
        world, today=TODAY, happened_on=datetime.date(2026, 1, 5), themes=[t["supervision"], t["workload"]]
    )
    newest = record_voice(world, today=TODAY, happened_on=datetime.date(2026, 3, 1), themes=[t["workload"]])
    groups = voices_by_theme(first_month=datetime.date(2025, 4, 1), last_month=datetime.date(2026, 3, 1))
    assert [g.theme.name for g in groups] == ["Supervision", "Workload"]
    assert [i.entry.pk for i in groups[0].items] == [both.pk]
    assert [i.entry.pk for i in groups[1].items] == [newest.pk, both.pk, old.pk]
    only = voices_by_theme(
        first_month=datetime.date(2025, 4, 1), last_month=datetime.date(2026, 3, 1), theme_id=t["supervision"].pk
    )
    assert [(g.theme.slug, [i.entry.pk for i in g.items]) for g in only] == [("supervision", [both.pk])]


def test_the_period_takes_whole_months_at_both_ends(world):
    first = record_voice(world, today=TODAY, happened_on=datetime.date(2025, 4, 1))
    before = record_voice(world, today=TODAY, happened_on=datetime.date(2025, 3, 31))
    last = record_voice(world, today=TODAY, happened_on=datetime.date(2025, 6, 30))
    after = record_voice(world, today=TODAY, happened_on=datetime.date(2025, 7, 1))
    found = set(
        voice_entries(first_month=datetime.date(2025, 4, 1), last_month=datetime.date(2025, 6, 1)).values_list(
            "pk", flat=True
        )
    )
    assert found == {first.pk, last.pk}
    assert not found & {before.pk, after.pk}


# --- pages -----------------------------------------------------------------------------------------------
def _list(client, **params):
    response = client.get(reverse("feedback:voice-list"), params)
    assert response.status_code == 200
    return response


def _listed(response) -> dict[str, list[int]]:
    return {g.theme.slug: [i.entry.pk for i in g.items] for g in response.context["groups"]}


def test_the_list_defaults_to_the_last_12_months_and_filters_by_period_theme_and_source(client, world):
    t = themes()
    in_year = record_voice(world, today=TODAY, happened_on=datetime.date(2025, 4, 2), themes=[t["voice"]])
    too_old = record_voice(world, today=TODAY, happened_on=datetime.date(2025, 3, 31), themes=[t["voice"]])
    focus = record_voice(
        world, today=TODAY, source=VoiceSource.FOCUS_GROUP, happened_on=TODAY, themes=[t["supervision"], t["voice"]]
    )
    client.force_login(world.people["team_manager_same"])
    default = _list(client)
    assert _listed(default) == {"supervision": [focus.pk], "voice": [focus.pk, in_year.pk]}
    body = default.content.decode()
    assert "from April 2025 to March 2026" in body
    assert body.count(f'data-entry="{focus.pk}"') == 2  # under both of its themes
    assert _listed(_list(client, from_month="2025-03", to_month="2025-03")) == {"voice": [too_old.pk]}
    assert _listed(_list(client, theme=t["supervision"].pk)) == {"supervision": [focus.pk]}
    assert _listed(_list(client, source=VoiceSource.COMPLAINT)) == {"voice": [in_year.pk]}
    # A wrong period is shown with its error (what was typed kept) and the last 12 months.
    wrong = _list(client, from_month="2026-03", to_month="2025-01")
    text = wrong.content.decode()
    assert "<title>Error:" in text
    assert "The last month must be the same as or after the first month" in text
    assert 'value="2025-01"' in text
    assert _listed(wrong) == _listed(default)
    assert "<title>Error:" in _list(client, from_month="March").content.decode()


def test_survey_results_are_withheld_on_the_list_and_the_detail_below_10(client, world):
    nine, ten = survey(world, 9, title="Small team pulse"), survey(world, 10, title="Whole service survey")
    # Even if results were stored for nine (written some other way), the pages withhold them.
    VoiceEntry.objects.filter(pk=nine.pk).update(results=RESULTS)
    client.force_login(world.people["principal_social_worker"])
    body = _list(client).content.decode()
    assert body.count(WITHHELD) == 1
    assert body.count("MKSTATEMENT") == 1
    nine_page = client.get(reverse("feedback:voice-detail", args=[nine.pk])).content.decode()
    assert WITHHELD in nine_page
    assert "MKSTATEMENT" not in nine_page
    assert "48.5%" not in nine_page
    ten_page = client.get(reverse("feedback:voice-detail", args=[ten.pk])).content.decode()
    assert WITHHELD not in ten_page
    assert "MKSTATEMENT" in ten_page
    assert "48.5%" in ten_page


def test_the_workforce_hint_is_on_the_form_and_workforce_entries(client, world):
    client.force_login(world.people["qa_officer"])
    assert WORKFORCE_HINT in client.get(reverse("feedback:voice-new")).content.decode()
    focus = record_voice(world, today=TODAY, source=VoiceSource.EXIT_INTERVIEW)
    complaint = record_voice(world, today=TODAY)
    assert WORKFORCE_HINT in client.get(reverse("feedback:voice-detail", args=[focus.pk])).content.decode()
    assert WORKFORCE_HINT not in client.get(reverse("feedback:voice-detail", args=[complaint.pk])).content.decode()


def _form_data(**overrides) -> dict[str, object]:
    t = themes()
    data = {
        "source": VoiceSource.STAFF_SURVEY,
        "happened_on_0": "2",
        "happened_on_1": "3",
        "happened_on_2": "2026",
        "service_area": "",
        "themes": [str(t["supervision"].pk), str(t["workload"].pk)],
        "title": "Annual staff survey",
        "summary": "Most feel supported; caseloads are the main worry.",
        "respondents": "140",
        "results": "I get regular supervision | 78\nMy caseload is manageable | 54",
    }
    data.update(overrides)
    return data


def test_the_qa_team_records_a_survey_from_the_page(client, world):
    client.force_login(world.people["qa_officer"])
    response = client.post(reverse("feedback:voice-new"), _form_data(service_area=str(world.area_a.pk)))
    entry = VoiceEntry.objects.get()
    assert response.status_code == 302
    assert response["Location"] == reverse("feedback:voice-detail", args=[entry.pk])
    assert (entry.respondents, entry.service_area, entry.happened_on) == (140, world.area_a, datetime.date(2026, 3, 2))
    assert entry.results == [
        {"statement": "I get regular supervision", "percent_agree": 78},
        {"statement": "My caseload is manageable", "percent_agree": 54},
    ]
    assert {t.slug for t in entry.themes.all()} == {"supervision", "workload"}
    assert "The entry is saved." in client.get(response["Location"]).content.decode()


def test_a_small_survey_is_saved_without_its_results_and_says_so(client, world):
    client.force_login(world.people["principal_social_worker"])
    response = client.post(reverse("feedback:voice-new"), _form_data(respondents="8"), follow=True)
    entry = VoiceEntry.objects.get()
    assert (entry.respondents, entry.results) == (8, [])
    body = response.content.decode()
    assert "Its results were not kept" in body
    assert WITHHELD in body


def test_bad_input_is_shown_again_with_what_was_typed(client, world):
    client.force_login(world.people["qa_officer"])
    response = client.post(
        reverse("feedback:voice-new"),
        _form_data(themes=[], respondents="", results="Supervision | lots", title="Typed title MKTYPED"),
    )
    body = response.content.decode()
    assert response.status_code == 200
    assert "<title>Error:" in body
    assert "Choose at least one theme" in body
    assert "Enter how many people answered the survey" in body
    assert "Line 1: the percent agreeing must be a number from 0 to 100" in body
    assert "Typed title MKTYPED" in body
    assert "Supervision | lots" in body
    future = client.post(reverse("feedback:voice-new"), _form_data(happened_on_0="17"))
    assert "The date must be today or in the past" in future.content.decode()
    assert not VoiceEntry.objects.exists()


def test_a_correction_from_the_page_and_a_stale_one(client, world):
    entry = survey(world, 12)
    url = reverse("feedback:voice-edit", args=[entry.pk])
    client.force_login(world.people["qa_officer"])
    page = client.get(url).content.decode()
    assert "I get regular reflective supervision MKSTATEMENT | 72" in page
    version = str(history_version(entry))
    data = _form_data(title="Staff survey (corrected)", version=version)
    assert client.post(url, data).status_code == 302
    entry.refresh_from_db()
    assert entry.title == "Staff survey (corrected)"
    stale = client.post(url, _form_data(title="From a stale page", version=version))
    assert "changed after you opened the page" in stale.content.decode()
    entry.refresh_from_db()
    assert entry.title == "Staff survey (corrected)"


def test_who_may_read_and_record(client, world):
    entry = record_voice(world, today=TODAY)
    for persona in ("practitioner_own", "conference_chair", "participation_officer", "bi_officer"):
        client.force_login(world.people[persona])
        assert client.get(reverse("feedback:voice-list")).status_code == 403, persona
        assert client.get(reverse("feedback:voice-detail", args=[entry.pk])).status_code == 403, persona
    client.force_login(world.people["team_manager_same"])
    assert client.get(reverse("feedback:voice-detail", args=[entry.pk])).status_code == 200
    assert client.post(reverse("feedback:voice-new"), _form_data()).status_code == 403
    assert client.post(reverse("feedback:voice-edit", args=[entry.pk]), _form_data()).status_code == 403
    assert client.post(reverse("feedback:voice-list")).status_code == 405
    assert client.post(reverse("feedback:voice-detail", args=[entry.pk])).status_code == 405
    client.force_login(world.people["qa_officer"])
    assert client.get(reverse("feedback:voice-edit", args=[entry.pk + 1000])).status_code == 404
    assert not VoiceEntry.objects.exclude(pk=entry.pk).exists()


def test_the_list_takes_the_same_queries_however_many_entries(client, world, django_assert_max_num_queries):
    survey(world, 50)
    client.force_login(world.people["director"])
    url = reverse("feedback:voice-list")
    client.get(url)
    # Session, user, scope, the theme choices, the entries and their themes, the header's count.
    with django_assert_max_num_queries(12) as few:
        client.get(url)
    t = themes()
    for n in range(15):
        record_voice(world, today=TODAY, happened_on=datetime.date(2025, 5, n + 1), themes=[t["voice"], t["workload"]])
    with django_assert_max_num_queries(len(few.captured_queries)):
        assert client.get(url).context["entries"] == 16
