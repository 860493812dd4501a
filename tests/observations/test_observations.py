"""Practice observations (seed 6.2, DESIGN section 5): agreement first, the observer's checklist,
the reflective discussion before completion, the monthly expectation, who sees the record, the
practitioner's choice of what to share, the team's shared learning, lists and my work.

The usual observation: team_manager_same (TM of A1) observes practitioner_own (A1) at a home
visit on 10 November 2026; the clock is frozen on 16 November 2026.
"""

from __future__ import annotations

import datetime
import json
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.conf import settings
from django.db import IntegrityError, connection, transaction
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from audits.models import DipSample
from audits.services.dip_samples import dip_sample_mark_done, dip_sample_round_create
from core.models import AccessLog, Notification
from observations.links import programme_links
from observations.models import (
    ConsentBy,
    Observation,
    ObservationChecklist,
    ObservationPractitioner,
    ShareChoice,
)
from observations.mywork import my_work
from observations.selectors import observations_visible, practitioners_observable
from observations.services.observations import (
    COMPLETED_MESSAGE,
    STALE,
    CriterionAnswer,
    ObservationConflict,
    ObservationError,
    observation_complete,
    observation_record,
    observation_record_discussion,
    observation_save_checklist,
    observation_share_choose,
)
from organisation.models import Duty, Role
from organisation.scope import scope_for
from tests.audits.test_actions import date_fields, messages_of, signed_in, text_of
from tests.audits.test_dip_samples import dip_checklist
from tests.factories import CaseFileFactory, DutyFactory, RoleAssignmentFactory, marker, person_with_role

LONDON = ZoneInfo("Europe/London")
TODAY = datetime.date(2026, 11, 16)
OBSERVED_ON = datetime.date(2026, 11, 10)
CHECKLIST_FILE = Path(settings.BASE_DIR) / "observations" / "framework" / "10-observation-checklists.v1.json"

# Who sees team_manager_same's observation of practitioner_own, and who must get 404.
SEES_IT = (
    "practitioner_own",
    "team_manager_same",
    "service_manager_same",
    "head_of_service",
    "qa_officer",
    "qa_manager",
)
NOT_IT = (
    "practitioner_other",
    "team_manager_other",
    "service_manager_other",
    "principal_social_worker",
    "assistant_director",
    "director",
    "conference_chair",
    "early_help_coordinator",
)


@pytest.fixture(autouse=True)
def _frozen_clock():
    with time_machine.travel(datetime.datetime(2026, 11, 16, 10, 0, tzinfo=LONDON), tick=False):
        yield


# --- helpers (the matrix, PDF and demo tests use them too) -----------------------------------------
def load_checklists() -> None:
    """The example checklists from the framework file, as ``load_framework`` would insert them."""
    for item in json.loads(CHECKLIST_FILE.read_text())["data"]:
        ObservationChecklist.objects.get_or_create(
            key=item["key"],
            version=item["version"],
            defaults={"name": item["name"], "types": item["types"], "criteria": item["criteria"]},
        )


def record(
    world,
    *,
    observer: str = "team_manager_same",
    practitioners: tuple[str, ...] = ("practitioner_own",),
    type: str = "home_visit",
    on: datetime.date = OBSERVED_ON,
    case_file=None,
) -> Observation:
    load_checklists()
    return observation_record(
        observer=world.people[observer],
        type=type,
        observed_on=on,
        practitioners=[world.people[p] for p in practitioners],
        consent_given=True,
        case_file=case_file,
        today=TODAY,
    )


def fill(observation: Observation, *, result: str = "met", strengths: str = "", areas: str = "") -> Observation:
    answers = [CriterionAnswer(c["code"], result, f"Note {c['code']}") for c in observation.checklist.criteria]
    return observation_save_checklist(
        observation=observation,
        answers=answers,
        strengths=strengths or f"Strengths {marker()}",
        areas_to_develop=areas or f"Areas {marker()}",
        version=observation.version,
        actor=observation.observer,
    )


def discuss(observation: Observation, *, learning: str = "", on: datetime.date = TODAY) -> Observation:
    return observation_record_discussion(
        observation=observation,
        discussion_on=on,
        notes=f"Discussion notes {marker()}",
        agreed_learning=learning or f"Learning {marker()}",
        training_needs=f"Training {marker()}",
        version=observation.version,
        actor=observation.observer,
        today=TODAY,
    )


def completed(world, **kwargs) -> Observation:
    observation = discuss(fill(record(world, **kwargs)))
    return observation_complete(observation=observation, actor=observation.observer)


def start_data(world, **overrides) -> dict[str, object]:
    data = {
        "consent": "yes",
        "type": "home_visit",
        **date_fields("observed_on", OBSERVED_ON),
        "practitioners": [world.people["practitioner_own"].pk],
        "case_reference": "",
    }
    data.update(overrides)
    return data


def checklist_data(observation: Observation, *, result: str = "met", version: int | None = None, **extra) -> dict:
    data = {
        "strengths": extra.pop("strengths", "Warm and clear with the family"),
        "areas_to_develop": extra.pop("areas_to_develop", "Agree next steps in writing"),
        "version": observation.version if version is None else version,
    }
    for criterion in observation.checklist.criteria:
        data[f"result_{criterion['code']}"] = result
        data[f"note_{criterion['code']}"] = ""
    data.update(extra)
    return data


def url(name: str, observation: Observation) -> str:
    return reverse(f"observations:{name}", args=[observation.pk])


# --- agreement first ---------------------------------------------------------------------------------
def test_without_agreement_nothing_is_saved_and_the_page_says_so(client, world):
    load_checklists()
    signed_in(client, world, "team_manager_same")
    response = client.post(reverse("observations:observation-new"), start_data(world, consent="no"))
    body = text_of(response)
    assert response.status_code == 200
    assert "Without their agreement there is no observation" in body
    assert "nothing has been saved" in body
    assert not Observation.objects.exists()
    assert not ObservationPractitioner.objects.exists()
    with pytest.raises(ObservationError, match="nothing was saved"):
        observation_record(
            observer=world.people["team_manager_same"],
            type="home_visit",
            observed_on=OBSERVED_ON,
            practitioners=[world.people["practitioner_own"]],
            consent_given=False,
            today=TODAY,
        )
    assert not Observation.objects.exists()


def test_with_agreement_a_draft_is_saved_with_the_team_frozen_and_the_checklist_for_the_type(client, world):
    load_checklists()
    signed_in(client, world, "team_manager_same")
    response = client.post(reverse("observations:observation-new"), start_data(world, case_reference="case-a"))
    observation = Observation.objects.get()
    assert response.status_code == 302
    assert response["Location"] == url("observation-edit", observation)
    assert (observation.status, observation.consent_by, observation.case_file) == ("draft", "family", world.case_a)
    assert (observation.team, observation.service_area) == (world.team_a1, world.area_a)
    assert observation.checklist.key == "visits"
    assert list(observation.practitioners.values_list("practitioner", "team")) == [
        (world.people["practitioner_own"].pk, world.team_a1.pk)
    ]
    assert Observation.history.filter(history_user=world.people["team_manager_same"]).exists()


def test_the_chair_agrees_for_meetings_a_chair_runs_and_meetings_use_the_section_e_checklist(world):
    conference = record(world, type="cp_conference")
    assert conference.consent_by == ConsentBy.CHAIR
    assert conference.checklist.key == "meetings"
    multi_agency = record(world, type="multi_agency")
    assert multi_agency.consent_by == ConsentBy.FAMILY


def test_bad_input_is_shown_again_with_the_summary_and_what_was_typed(client, world):
    load_checklists()
    signed_in(client, world, "team_manager_same")
    data = start_data(
        world,
        consent="",
        practitioners=[],
        case_reference="CASE-B",
        **date_fields("observed_on", datetime.date(2026, 11, 17)),
    )
    response = client.post(reverse("observations:observation-new"), data)
    body = text_of(response)
    assert response.status_code == 200
    assert "<title>Error:" in body
    assert "govuk-error-summary" in body
    assert "Choose yes if the family (or the chair) agreed to an observer" in body
    assert "The date of the observation must be today or in the past" in body
    assert "Choose the practitioner you observed" in body
    # Another team's case file is not confirmed to exist.
    assert "No case file found with that reference that you can see" in body
    assert 'value="CASE-B"' in body
    assert 'value="17"' in body
    assert not Observation.objects.exists()


def test_the_practitioners_offered_follow_the_observers_line(world):
    own, other = world.people["practitioner_own"], world.people["practitioner_other"]

    def offered(persona: str) -> set:
        return set(practitioners_observable(scope_for(world.people[persona], today=TODAY)))

    assert offered("team_manager_same") == {own}
    assert offered("team_manager_other") == {other}
    assert offered("service_manager_same") == {own}
    assert offered("head_of_service") == {own}
    for everyone in ("principal_social_worker", "qa_officer", "assistant_director", "director"):
        assert offered(everyone) == {own, other}
    lead = person_with_role(Role.CONFERENCE_CHAIR, email="lead@example.test")
    DutyFactory(person=lead, duty=Duty.PRACTICE_LEAD)
    assert offered("conference_chair") == set()  # the page is 403 for them; nobody offered anyway
    assert set(practitioners_observable(scope_for(lead, today=TODAY))) == {own, other}


def test_an_observer_cannot_observe_themselves(client, world):
    load_checklists()
    both = person_with_role(Role.TEAM_MANAGER, team=world.team_a1, email="both@example.test")
    RoleAssignmentFactory(person=both, role=Role.PRACTITIONER, team=world.team_a1)
    assert both not in practitioners_observable(scope_for(both, today=TODAY))
    with pytest.raises(ObservationError, match="cannot observe yourself"):
        observation_record(
            observer=both,
            type="home_visit",
            observed_on=OBSERVED_ON,
            practitioners=[both],
            consent_given=True,
            today=TODAY,
        )
    client.force_login(both)
    response = client.post(reverse("observations:observation-new"), start_data(world, practitioners=[both.pk]))
    assert "Choose practitioners from the list" in text_of(response)
    assert not Observation.objects.exists()


def test_someone_without_an_observer_role_cannot_record(client, world):
    for persona in ("practitioner_own", "conference_chair", "iro", "bi_officer"):
        signed_in(client, world, persona)
        assert client.get(reverse("observations:observation-new")).status_code == 403
        assert client.post(reverse("observations:observation-new"), start_data(world)).status_code == 403
    assert not Observation.objects.exists()
    # Observing is also a practice lead's duty, whatever their role.
    lead = person_with_role(Role.PRACTITIONER, team=world.team_b1, email="lead@example.test")
    DutyFactory(person=lead, duty=Duty.PRACTICE_LEAD)
    client.force_login(lead)
    assert client.get(reverse("observations:observation-new")).status_code == 200


# --- the observer's record -------------------------------------------------------------------------------
def test_the_observer_records_results_notes_strengths_and_areas(client, world):
    observation = record(world)
    signed_in(client, world, "team_manager_same")
    page = text_of(client.get(url("observation-edit", observation)))
    assert "V2. The child is seen and heard, alone where that is right" in page
    assert "Not seen at this observation" in page
    assert "Example content — replace with your own" in page
    data = checklist_data(observation, result="partly_met", note_V3="Warm with the younger child")
    response = client.post(url("observation-edit", observation), data)
    assert response.status_code == 302
    observation.refresh_from_db()
    assert observation.criteria["V3"] == {"result": "partly_met", "note": "Warm with the younger child"}
    assert observation.strengths == "Warm and clear with the family"
    assert observation.version == 1


def test_a_stale_save_is_refused_kindly_and_keeps_what_was_typed(client, world):
    observation = record(world)
    signed_in(client, world, "team_manager_same")
    opened_version = observation.version
    # Saved from another tab after this page was opened.
    fill(observation, strengths="Saved in the other tab")
    mine = checklist_data(observation, version=opened_version, strengths="Typed on this page")
    response = client.post(url("observation-edit", observation), mine)
    body = text_of(response)
    assert response.status_code == 200
    assert "<title>Error:" in body
    assert "Someone else saved this observation since you opened it" in body
    assert "Typed on this page" in body
    observation.refresh_from_db()
    assert observation.strengths == "Saved in the other tab"
    # Saving again (having seen the message) keeps what was typed.
    current = response.context["form"].data["version"]
    again = client.post(url("observation-edit", observation), {**mine, "version": current})
    assert again.status_code == 302
    observation.refresh_from_db()
    assert observation.strengths == "Typed on this page"
    with pytest.raises(ObservationConflict):
        observation_save_checklist(
            observation=observation,
            answers=[],
            strengths="x",
            areas_to_develop="",
            version=0,
            actor=observation.observer,
        )
    assert STALE.startswith("Someone else saved this observation since you opened it")


def test_only_the_observer_edits_and_only_while_a_draft(client, world):
    observation = record(world)
    for persona in ("service_manager_same", "practitioner_own", "qa_officer"):
        signed_in(client, world, persona)
        assert client.get(url("observation-edit", observation)).status_code == 403
        assert client.post(url("observation-discussion", observation), {}).status_code == 403
        assert client.post(url("observation-complete", observation)).status_code == 403
    with pytest.raises(ObservationError, match="Only the observer"):
        observation_save_checklist(
            observation=observation,
            answers=[],
            strengths="x",
            areas_to_develop="",
            version=observation.version,
            actor=world.people["service_manager_same"],
        )
    done = observation_complete(observation=discuss(fill(observation)), actor=observation.observer)
    signed_in(client, world, "team_manager_same")
    response = client.post(url("observation-edit", done), checklist_data(done, strengths="Changed afterwards"))
    assert response.status_code == 302
    assert "This observation is complete: it can no longer change." in messages_of(response)
    done.refresh_from_db()
    assert done.strengths != "Changed afterwards"


def test_the_discussion_date_must_fall_on_or_after_the_observation_and_not_in_the_future(client, world):
    observation = record(world)
    signed_in(client, world, "team_manager_same")
    target = url("observation-discussion", observation)
    data = {
        **date_fields("discussion_on", datetime.date(2026, 11, 9)),
        "discussion_notes": "",
        "agreed_learning": "Keep the child's words in the record",
        "training_needs": "",
        "version": observation.version,
    }
    body = text_of(client.post(target, data))
    assert "The date of the discussion must be on or after the observation (10 November 2026)" in body
    assert "Enter notes of the discussion" in body
    assert "Keep the child's words in the record" in body
    data |= {**date_fields("discussion_on", datetime.date(2026, 11, 17)), "discussion_notes": "Talked it through"}
    assert "must be today or in the past" in text_of(client.post(target, data))
    data |= date_fields("discussion_on", TODAY)
    assert client.post(target, data).status_code == 302
    observation.refresh_from_db()
    assert (observation.discussion_on, observation.discussion_notes) == (TODAY, "Talked it through")


# --- completing ---------------------------------------------------------------------------------------
def test_completion_is_refused_until_the_reflective_discussion_is_recorded(client, world):
    observation = fill(record(world))
    signed_in(client, world, "team_manager_same")
    refused = client.post(url("observation-complete", observation))
    body = text_of(refused)
    assert refused.status_code == 200
    assert "<title>Error:" in body
    assert "govuk-error-summary" in body
    assert "Record the reflective discussion with the practitioner before completing the observation" in body
    observation.refresh_from_db()
    assert observation.status == Observation.Status.DRAFT
    assert not Notification.objects.exists()
    # The database backs the rule.
    with pytest.raises(IntegrityError), transaction.atomic():
        Observation.objects.filter(pk=observation.pk).update(status="completed")

    discuss(observation)
    response = client.post(url("observation-complete", observation))
    assert response.status_code == 302
    observation.refresh_from_db()
    assert observation.status == Observation.Status.COMPLETED
    assert observation.completed_at is not None


def test_every_checklist_item_needs_a_result_before_completing(world):
    observation = record(world)
    discuss(observation)
    with pytest.raises(ObservationError, match="Choose a result for every item"):
        observation_complete(observation=observation, actor=observation.observer)


def test_completing_tells_each_practitioner_neutrally_with_a_link_only(world, django_capture_on_commit_callbacks):
    second = person_with_role(Role.PRACTITIONER, team=world.team_a1, email="second@example.test")
    observation = discuss(fill(record(world, practitioners=("practitioner_own",))))
    ObservationPractitioner.objects.create(observation=observation, practitioner=second, team=world.team_a1)
    with django_capture_on_commit_callbacks(execute=True):
        observation_complete(observation=observation, actor=observation.observer)
    notes = Notification.objects.order_by("recipient__email")
    assert {n.recipient for n in notes} == {world.people["practitioner_own"], second}
    for note in notes:
        assert note.message == COMPLETED_MESSAGE
        assert note.url == url("observation-detail", observation)
        for private in (observation.strengths, observation.areas_to_develop, observation.agreed_learning):
            assert private not in note.message
            assert private not in note.detail
    assert not Notification.objects.filter(recipient=observation.observer).exists()


# --- the monthly expectation ------------------------------------------------------------------------------
def _november_round(world):
    return dip_sample_round_create(
        month=TODAY, theme="Supervision", checklist=dip_checklist(), actor=world.people["qa_officer"], today=TODAY
    )


def test_completing_counts_as_the_observers_dip_sample_for_that_month(world):
    _november_round(world)
    sample = DipSample.objects.get(manager=world.people["team_manager_same"])
    assert sample.status == DipSample.Status.DRAWN
    completed(world)
    sample.refresh_from_db()
    assert sample.status == DipSample.Status.OBSERVATION
    assert sample.observation_note == "Practice observation: Home visit on 10 November 2026"
    # Another month's observation, or a sample already done, is left alone.
    other = DipSample.objects.get(manager=world.people["service_manager_same"])
    other_sm = completed(world, observer="service_manager_same", on=datetime.date(2026, 10, 30))
    other.refresh_from_db()
    assert other.status == DipSample.Status.DRAWN
    assert other_sm.status == Observation.Status.COMPLETED


def test_a_dip_sample_already_done_stays_done(world):
    from audits.services.dip_samples import ItemAnswer, dip_sample_save

    CaseFileFactory(team=world.team_a1)
    _november_round(world)
    sample = DipSample.objects.get(manager=world.people["team_manager_same"])
    tm = world.people["team_manager_same"]
    dip_sample_save(
        sample=sample, answers=[ItemAnswer(i.pk, "met", "", i.version) for i in sample.items.all()], actor=tm
    )
    dip_sample_mark_done(sample=sample, actor=tm)
    completed(world)
    sample.refresh_from_db()
    assert (sample.status, sample.observation_note) == (DipSample.Status.DONE, "")


# --- who sees it ---------------------------------------------------------------------------------------
def test_only_the_practitioner_their_line_the_observer_and_qa_see_it(client, world):
    observation = completed(world)
    for persona in SEES_IT:
        signed_in(client, world, persona)
        assert client.get(url("observation-detail", observation)).status_code == 200, persona
        assert client.get(url("observation-pdf", observation)).status_code == 200, persona
    for persona in NOT_IT:
        signed_in(client, world, persona)
        for name in ("observation-detail", "observation-pdf", "observation-edit", "observation-share"):
            assert client.get(url(name, observation)).status_code == 404, (persona, name)
        assert client.post(url("observation-complete", observation)).status_code == 404, persona
        assert observation not in observations_visible(scope_for(world.people[persona], today=TODAY))


def test_the_predicate_and_the_selector_agree_for_every_persona(world):
    from observations.permissions import can_view_observation
    from tests.conftest import PERSONAS

    observation = Observation.objects.prefetch_related("practitioners__team").get(pk=completed(world).pk)
    for persona in PERSONAS:
        scope = scope_for(world.people[persona], today=TODAY)
        visible = observations_visible(scope).filter(pk=observation.pk).exists()
        assert can_view_observation(scope, observation) == visible == (persona in SEES_IT), persona


def test_a_psw_who_observed_sees_their_own_and_nothing_else(client, world):
    by_tm = completed(world)
    by_psw = completed(world, observer="principal_social_worker", practitioners=("practitioner_other",))
    signed_in(client, world, "principal_social_worker")
    assert client.get(url("observation-detail", by_psw)).status_code == 200
    assert client.get(url("observation-detail", by_tm)).status_code == 404
    listed = client.get(reverse("observations:observation-list"))
    assert [o.pk for o in listed.context["page"].object_list] == [by_psw.pk]
    # team_manager_other manages the practitioner observed by the PSW: in the line.
    signed_in(client, world, "team_manager_other")
    assert client.get(url("observation-detail", by_psw)).status_code == 200


def test_the_line_is_the_practitioners_team_when_observed(world):
    observation = completed(world)
    sm_other = scope_for(world.people["service_manager_other"], today=TODAY)
    assert observation not in observations_visible(sm_other)
    # The practitioner moves to B1 later: the record stays with the A1 line it was made in.
    ObservationPractitioner.objects.filter(observation=observation).update(team=world.team_b1)
    assert observation in observations_visible(sm_other)


def test_the_lists_show_only_what_each_person_may_see(client, world):
    observation = completed(world)
    strengths = observation.strengths
    for persona in SEES_IT:
        signed_in(client, world, persona)
        response = client.get(reverse("observations:observation-list"))
        assert [o.pk for o in response.context["page"].object_list] == [observation.pk], persona
    for persona in ("practitioner_other", "team_manager_other", "service_manager_other", "principal_social_worker"):
        signed_in(client, world, persona)
        response = client.get(reverse("observations:observation-list"))
        body = text_of(response)
        assert response.status_code == 200
        assert not response.context["page"].object_list
        assert world.people["practitioner_own"].full_name not in body
        assert strengths not in body
    # The AD and Director may record (so have the list) but see only their own.
    signed_in(client, world, "assistant_director")
    assert not client.get(reverse("observations:observation-list")).context["page"].object_list
    for persona in ("conference_chair", "iro", "participation_officer", "bi_officer", "administrator"):
        signed_in(client, world, persona)
        assert client.get(reverse("observations:observation-list")).status_code == 403, persona


def test_the_detail_page_shows_the_record_and_logs_the_access(client, world):
    observation = completed(world, case_file=None)
    signed_in(client, world, "service_manager_same")
    body = text_of(client.get(url("observation-detail", observation)))
    for text in (observation.strengths, observation.areas_to_develop, observation.discussion_notes, "Note V1"):
        assert text in body
    assert "Change what you saw" not in body
    log = AccessLog.objects.get()
    assert (log.user, log.action, log.object_type, log.object_ref) == (
        world.people["service_manager_same"],
        "view",
        "observation",
        str(observation.pk),
    )


def test_the_list_filters_offer_only_months_in_scope_and_filter(client, world):
    november = completed(world)
    october = completed(world, on=datetime.date(2026, 10, 20))
    draft = record(world, type="supervision")
    signed_in(client, world, "team_manager_same")
    response = client.get(reverse("observations:observation-list"))
    months = [value for value, _ in response.context["filters"].fields["month"].choices]
    assert months == ["", "2026-11", "2026-10"]

    def listed(**params) -> list[int]:
        return [o.pk for o in client.get(reverse("observations:observation-list"), params).context["page"]]

    assert listed(month="2026-10") == [october.pk]
    assert listed(status="draft") == [draft.pk]
    assert listed(type="home_visit", month="2026-11") == [november.pk]
    assert listed(month="1999-01") == [draft.pk, november.pk, october.pk]  # not a choice: ignored
    signed_in(client, world, "team_manager_other")
    other_months = client.get(reverse("observations:observation-list")).context["filters"].fields["month"].choices
    assert other_months == [("", "Any month")]


def test_the_list_takes_the_same_queries_for_few_and_many(client, world, django_assert_max_num_queries):
    completed(world)
    signed_in(client, world, "service_manager_same")
    list_url = reverse("observations:observation-list")
    client.get(list_url)  # warm the session
    with CaptureQueriesContext(connection) as few:
        client.get(list_url)
    for n in range(12):
        extra = person_with_role(Role.PRACTITIONER, team=world.team_a2, email=f"extra{n}@example.test")
        load_checklists()
        observation_record(
            observer=world.people["team_manager_same"],
            type="office_visit",
            observed_on=OBSERVED_ON,
            practitioners=[extra, world.people["practitioner_own"]],
            consent_given=True,
            today=TODAY,
        )
    # Session, user, scope (2), the months, the count, the page and its practitioners.
    with django_assert_max_num_queries(len(few.captured_queries)):
        response = client.get(list_url)
    assert response.context["page"].paginator.count == 13


# --- the practitioner's choice and the team's list ------------------------------------------------------
def test_the_practitioner_chooses_to_share_and_the_team_sees_only_that_learning(client, world):
    observation = completed(world)
    teammate = person_with_role(Role.PRACTITIONER, team=world.team_a1, email="teammate@example.test")
    signed_in(client, world, "practitioner_own")
    page = client.get(url("observation-share", observation))
    assert page.status_code == 200
    # Prefilled with the learning agreed in the discussion.
    assert observation.agreed_learning in text_of(page)
    learning = f"Talking to the child first {marker()}"
    response = client.post(
        url("observation-share", observation),
        {
            "share_choice": "shared",
            "shared_learning": learning,
            **date_fields("presented_on", TODAY),
            "version": 0,
        },
    )
    assert response.status_code == 302
    row = ObservationPractitioner.objects.get(observation=observation)
    assert (row.share_choice, row.shared_learning, row.presented_on) == ("shared", learning, TODAY)

    client.force_login(teammate)
    team_page = client.get(reverse("observations:team-learning"))
    body = text_of(team_page)
    assert learning in body
    assert f"Presented by {world.people['practitioner_own'].full_name}" in body
    assert "Home visit, November 2026" in body
    for private in (
        observation.strengths,
        observation.areas_to_develop,
        observation.discussion_notes,
        observation.agreed_learning,
        observation.training_needs,
        "Note V1",
        world.people["team_manager_same"].full_name,
    ):
        assert private not in body
    # The record itself is still not theirs to read.
    assert client.get(url("observation-detail", observation)).status_code == 404

    signed_in(client, world, "practitioner_other")
    assert learning not in text_of(client.get(reverse("observations:team-learning")))


def test_learning_kept_between_them_never_reaches_the_team_list(client, world):
    observation = completed(world)
    row = observation.practitioners.get()
    observation_share_choose(
        row=row,
        choice=ShareChoice.NOT_SHARED,
        learning="Not for the team",
        presented_on=None,
        version=row.version,
        actor=world.people["practitioner_own"],
        today=TODAY,
    )
    row.refresh_from_db()
    assert (row.share_choice, row.shared_learning) == ("not_shared", "")
    for persona in ("practitioner_own", "team_manager_same", "qa_officer"):
        signed_in(client, world, persona)
        response = client.get(reverse("observations:team-learning"))
        assert not response.context["page"].object_list


def test_each_practitioner_chooses_only_for_their_own_row(client, world):
    second = person_with_role(Role.PRACTITIONER, team=world.team_a1, email="second@example.test")
    observation = discuss(fill(record(world)))
    ObservationPractitioner.objects.create(observation=observation, practitioner=second, team=world.team_a1)
    observation_complete(observation=observation, actor=observation.observer)
    client.force_login(second)
    response = client.post(
        url("observation-share", observation),
        {"share_choice": "shared", "shared_learning": "Mine", **date_fields("presented_on", None), "version": 0},
    )
    assert response.status_code == 302
    choices = dict(observation.practitioners.values_list("practitioner__email", "share_choice"))
    assert choices == {"prac.own@example.test": "", "second@example.test": "shared"}
    with pytest.raises(ObservationError, match="Only the practitioner observed"):
        observation_share_choose(
            row=observation.practitioners.get(practitioner=world.people["practitioner_own"]),
            choice="shared",
            learning="Not theirs to choose",
            presented_on=None,
            version=0,
            actor=second,
            today=TODAY,
        )
    # Others who see the observation may not choose for the practitioner.
    for persona in ("team_manager_same", "service_manager_same", "qa_officer"):
        signed_in(client, world, persona)
        assert client.get(url("observation-share", observation)).status_code == 403


def test_sharing_needs_the_learning_and_waits_for_completion(client, world):
    observation = fill(record(world))
    signed_in(client, world, "practitioner_own")
    early = client.get(url("observation-share", observation))
    assert early.status_code == 302
    assert "once the observation is complete" in messages_of(early)[0]
    discuss(observation)
    observation_complete(observation=observation, actor=observation.observer)
    response = client.post(
        url("observation-share", observation),
        {"share_choice": "shared", "shared_learning": " ", **date_fields("presented_on", None), "version": 0},
    )
    body = text_of(response)
    assert response.status_code == 200
    assert "<title>Error:" in body
    assert "Enter the learning you will share with the team" in body
    assert observation.practitioners.get().share_choice == ""


def test_the_team_list_is_for_team_members_managers_and_qa(client, world):
    for persona, status in (
        ("practitioner_own", 200),
        ("team_manager_other", 200),
        ("service_manager_same", 200),
        ("qa_manager", 200),
        ("assistant_director", 403),
        ("conference_chair", 403),
        ("bi_officer", 403),
    ):
        signed_in(client, world, persona)
        assert client.get(reverse("observations:team-learning")).status_code == status, persona
    signed_in(client, world, "team_manager_same")
    teams = client.get(reverse("observations:team-learning")).context["filters"].fields["team"].queryset
    assert list(teams) == [world.team_a1]


# --- my work and links -------------------------------------------------------------------------------
def test_my_work_shows_drafts_to_the_observer_and_choices_to_the_practitioner(client, world):
    draft = record(world, type="office_visit")
    done = completed(world)
    observer = my_work(scope_for(world.people["team_manager_same"], today=TODAY))
    assert [o.pk for o in observer["drafts"]] == [draft.pk]
    practitioner = my_work(scope_for(world.people["practitioner_own"], today=TODAY))
    assert [o.pk for o in practitioner["to_choose"]] == [done.pk]
    assert my_work(scope_for(world.people["team_manager_other"], today=TODAY)) == {}

    signed_in(client, world, "practitioner_own")
    home = text_of(client.get(reverse("home")))
    assert "Observations of your practice: choose what learning to share" in home
    assert url("observation-detail", done) in home

    row = done.practitioners.get()
    observation_share_choose(
        row=row,
        choice="not_shared",
        learning="",
        presented_on=None,
        version=row.version,
        actor=world.people["practitioner_own"],
        today=TODAY,
    )
    assert my_work(scope_for(world.people["practitioner_own"], today=TODAY)) == {}


def test_my_work_takes_two_queries_however_many(world, django_assert_num_queries):
    for _ in range(3):
        record(world)
        completed(world)
    scope = scope_for(world.people["team_manager_same"], today=TODAY)
    with django_assert_num_queries(2):
        work = my_work(scope)
    assert len(work["drafts"]) == 3


def test_links_for_observers_practitioners_and_nobody_else(world):
    def labels(persona: str) -> list[str]:
        scope = scope_for(world.people[persona], today=TODAY)
        mine = ("observations:observation-list", "observations:team-learning")
        return [label for label, name, allowed in programme_links(scope) if allowed and name in mine]

    assert labels("team_manager_same") == ["Practice observations", "Learning shared by practitioners"]
    assert labels("practitioner_own") == ["Practice observations", "Learning shared by practitioners"]
    assert labels("principal_social_worker") == ["Practice observations"]
    assert labels("conference_chair") == []


def test_pages_that_only_show_refuse_other_methods(client, world):
    observation = completed(world)
    signed_in(client, world, "team_manager_same")
    assert client.get(url("observation-complete", observation)).status_code == 405
    assert client.post(url("observation-detail", observation)).status_code == 405
    assert client.post(url("observation-pdf", observation)).status_code == 405
    assert client.post(reverse("observations:observation-list")).status_code == 405
    assert client.post(reverse("observations:team-learning")).status_code == 405
