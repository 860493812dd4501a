"""Calibration exercises and auditors' training (DESIGN section 4, Moderation)."""

from __future__ import annotations

import datetime
import json
import re

import pytest
from django.urls import reverse

from audits.models import AuditorTraining, CalibrationExercise, CalibrationResponse, ElementAnswer
from audits.services.calibration import (
    CalibrationConflict,
    CalibrationError,
    ResponseInput,
    calibration_close,
    calibration_create,
    calibration_response_save,
    calibration_results,
)
from organisation.models import Role
from tests.factories import person_with_role

from .conftest import AUDITOR
from .factories import mark_submitted

pytestmark = pytest.mark.django_db


def _auditor(name: str):
    return person_with_role(Role.PRACTITIONER, duties=("auditor",), full_name=name)


def _markers(world, audit) -> list[str]:
    """Every identifying string of the source audit: references, initials, legal status, and the
    full names and distinctive name parts of the practitioner, auditor and team manager."""
    people = [audit.practitioner, audit.auditor, world.people["team_manager_same"]]
    names = [p.full_name for p in people]
    parts = [part for name in names for part in name.split() if "MK" in part]
    return [
        audit.case_reference,
        world.case_a.family_reference,
        audit.legal_status,
        *names,
        *parts,
    ]


@pytest.fixture
def source(world, audit_a):
    """A submitted audit whose free text names everyone it should not."""
    audit = mark_submitted(audit_a, grade="good")
    tm = world.people["team_manager_same"]
    first, last = audit.practitioner.full_name.split()
    text = (
        f"AB ({audit.case_reference}, family {world.case_a.family_reference}, {audit.legal_status}) was seen by "
        f"{audit.practitioner.full_name}; {first} and {last.lower()} visited. A.B. said so to "
        f"{audit.auditor.full_name} and {tm.full_name.upper()}."
    )
    ElementAnswer.objects.filter(audit=audit).update(working_well=text, even_better_if=text, evidence=text)
    audit.impact_for_child = text
    audit.save()
    return audit


@pytest.fixture
def participants():
    return [_auditor("Ada Lovell"), _auditor("Ben Carter"), _auditor("Cleo Dunn")]


@pytest.fixture
def exercise(world, source, participants):
    return calibration_create(
        source_audit=source, title="Spring calibration", participants=participants, actor=world.people["qa_officer"]
    )


def _answer(exercise, grade="good", reason="The plan is clear and the child is seen.") -> ResponseInput:
    codes = [e["code"] for e in exercise.anonymised["elements"]]
    return ResponseInput(
        element_grades={c: {"grade": grade, "reason": reason} for c in codes},
        overall_grade=grade,
        overall_reason=reason,
        version=0,
    )


# --- anonymisation ---------------------------------------------------------------------------
def test_the_copy_carries_no_identifying_string_of_the_original(world, source, exercise, participants, client):
    copied = json.dumps(exercise.anonymised)
    for marker in _markers(world, source):
        assert marker.lower() not in copied.lower(), marker
    assert not re.search(r"\bA\.?\s?B\b", copied)
    # The text itself is kept, with neutral placeholders.
    element = exercise.anonymised["elements"][0]
    assert (
        "the child ([reference], family [family reference], [legal status]) was seen by the practitioner"
        in (element["working_well"])
    )
    assert "the auditor" in element["evidence"]
    assert "the team manager" in element["evidence"]

    client.force_login(participants[0])
    page = client.get(reverse("audits:calibration-exercise", kwargs={"exercise_id": exercise.pk})).content.decode()
    for marker in _markers(world, source):
        assert marker.lower() not in page.lower(), marker
    assert not re.search(r"\bA\.?\s?B\b", page)
    assert "the practitioner" in page


def test_the_copy_has_no_grades_ids_dates_or_people(source, exercise):
    copy = exercise.anonymised
    assert set(copy) == {"tool_version_id", "tool_name", "case_type", "case_type_label", "elements", "impact_for_child"}
    flat = json.dumps(copy)
    assert "good" not in flat.lower().replace("good to", "")  # the auditor graded every element Good
    assert all("grade" not in key for e in copy["elements"] for key in e)
    assert "2026-11" not in flat
    # Only elements that apply to a child in need case are copied.
    assert [e["code"] for e in copy["elements"]] == ["A1", "A2", "B1", "E"]


def test_only_a_submitted_audit_is_copied_and_never_by_its_own_auditor(world, audit_a, participants):
    qa = world.people["qa_officer"]
    with pytest.raises(CalibrationError):
        calibration_create(source_audit=audit_a, title="x", participants=participants, actor=qa)
    mark_submitted(audit_a)
    with pytest.raises(CalibrationError):
        calibration_create(source_audit=audit_a, title="x", participants=[audit_a.auditor], actor=qa)


# --- grading blind, then the spread ----------------------------------------------------------
def test_participants_grade_and_see_the_spread_only_once_closed(world, exercise, participants, client):
    a, b, c = participants
    calibration_response_save(exercise=exercise, auditor=a, data=_answer(exercise, "good", "Ada reason"), submit=True)
    calibration_response_save(
        exercise=exercise, auditor=b, data=_answer(exercise, "requires_improvement", "Ben reason"), submit=True
    )
    client.force_login(c)
    url = reverse("audits:calibration-exercise", kwargs={"exercise_id": exercise.pk})
    page = client.get(url).content.decode()
    assert "Ada reason" not in page
    assert "Ben reason" not in page
    assert "Ada Lovell" not in page
    results_url = reverse("audits:calibration-results", kwargs={"exercise_id": exercise.pk})
    assert client.get(results_url).status_code == 403
    # The source audit stays out of reach.
    assert client.get(reverse("audits:audit-detail", kwargs={"audit_id": exercise.source_audit_id})).status_code in (
        403,
        404,
    )

    calibration_close(exercise=exercise, actor=world.people["qa_officer"])
    page = client.get(results_url).content.decode()
    assert "Ada reason" in page
    assert "Ben reason" in page
    assert "Ada Lovell" not in page  # names are for the QA team only

    client.force_login(world.people["qa_officer"])
    page = client.get(results_url).content.decode()
    assert "Ada Lovell" in page
    assert "Ben Carter" in page


def test_results_count_each_grade_per_element_and_overall(exercise, participants):
    a, b, c = participants
    calibration_response_save(exercise=exercise, auditor=a, data=_answer(exercise, "good"), submit=True)
    calibration_response_save(exercise=exercise, auditor=b, data=_answer(exercise, "good"), submit=True)
    calibration_response_save(exercise=exercise, auditor=c, data=_answer(exercise, "inadequate"))  # not submitted
    results = calibration_results(exercise=exercise, with_names=False)
    assert results["responses"] == 2
    assert results["participants"] == 3
    assert dict(results["overall"].counts) == {
        "Outstanding": 0,
        "Good": 2,
        "Requires improvement to be good": 0,
        "Inadequate": 0,
    }
    assert all(r["name"] == "" for r in results["overall"].reasons)
    assert len(results["elements"]) == 4


def test_participant_grades_through_the_page_with_reasons_required(exercise, participants, client):
    a = participants[0]
    client.force_login(a)
    url = reverse("audits:calibration-exercise", kwargs={"exercise_id": exercise.pk})
    data = {"version": "0", "action": "submit", "el-A1-grade": "good"}
    response = client.post(url, data)
    assert response.status_code == 200
    body = response.content.decode()
    assert "<title>Error:" in body
    assert "Give a reason for your grade for A1" in body
    assert "Choose a grade for A2" in body
    assert not CalibrationResponse.objects.filter(submitted_at__isnull=False).exists()

    # Save a draft, then submit.
    data = {"version": "0", "action": "save", "el-A1-grade": "good", "el-A1-reason": "Seen often"}
    assert client.post(url, data).status_code == 302
    saved = CalibrationResponse.objects.get(auditor=a)
    assert saved.element_grades["A1"] == {"grade": "good", "reason": "Seen often"}
    assert saved.version == 1
    full = {"version": "1", "action": "submit"}
    for code in ["A1", "A2", "B1", "E", "overall"]:
        full[f"el-{code}-grade"] = "good"
        full[f"el-{code}-reason"] = f"Reason {code}"
    assert client.post(url, full).status_code == 302
    saved.refresh_from_db()
    assert saved.submitted_at is not None
    assert saved.overall_reason == "Reason overall"
    # Submitted grades are final.
    assert client.post(url, full).status_code == 403


def test_a_stale_save_is_refused_and_nothing_overwritten(exercise, participants, client):
    a = participants[0]
    calibration_response_save(exercise=exercise, auditor=a, data=_answer(exercise, "good", "First"))
    with pytest.raises(CalibrationConflict):
        calibration_response_save(exercise=exercise, auditor=a, data=_answer(exercise, "inadequate", "Stale"))
    assert CalibrationResponse.objects.get(auditor=a).overall_reason == "First"
    client.force_login(a)
    url = reverse("audits:calibration-exercise", kwargs={"exercise_id": exercise.pk})
    response = client.post(url, {"version": "0", "action": "save", "el-overall-grade": "good"})
    assert response.status_code == 200
    assert "saved in another window" in response.content.decode()


def test_a_save_that_changes_nothing_adds_no_history(exercise, participants):
    a = participants[0]
    calibration_response_save(exercise=exercise, auditor=a, data=_answer(exercise))
    again = _answer(exercise)
    again.version = 1
    calibration_response_save(exercise=exercise, auditor=a, data=again)
    assert CalibrationResponse.objects.get(auditor=a).history.count() == 1


def test_no_grading_after_close(world, exercise, participants):
    calibration_close(exercise=exercise, actor=world.people["qa_officer"])
    with pytest.raises(CalibrationError):
        calibration_response_save(exercise=exercise, auditor=participants[0], data=_answer(exercise))
    with pytest.raises(CalibrationError):
        calibration_close(exercise=exercise, actor=world.people["qa_officer"])


# --- pages and scope ---------------------------------------------------------------------------
def test_qa_officer_creates_an_exercise_from_a_case_reference(world, source, participants, client):
    client.force_login(world.people["qa_officer"])
    url = reverse("audits:calibration-new")
    page = client.get(url).content.decode()
    assert "Ada Lovell" in page
    assert "Cleo Dunn" in page
    bad = client.post(url, {"case_reference": "CASE-NOPE", "title": "", "participants": []})
    body = bad.content.decode()
    assert "<title>Error:" in body
    assert "There is no submitted audit" in body
    assert "Enter a title" in body
    response = client.post(
        url,
        {
            "case_reference": "case-a",
            "title": "Autumn calibration",
            "participants": [str(participants[0].pk), str(participants[1].pk)],
        },
    )
    exercise = CalibrationExercise.objects.get(title="Autumn calibration")
    assert response.status_code == 302
    assert exercise.source_audit == source
    assert set(exercise.participants.all()) == {participants[0], participants[1]}


def test_own_auditor_cannot_be_chosen(world, source, client):
    client.force_login(world.people["qa_officer"])
    auditor = world.people[AUDITOR]
    from organisation.models import DutyAssignment

    DutyAssignment.objects.create(person=auditor, duty="auditor", starts_on=datetime.date(2020, 1, 1))
    response = client.post(
        reverse("audits:calibration-new"),
        {"case_reference": "CASE-A", "title": "T", "participants": [str(auditor.pk)]},
    )
    assert "cannot take part" in response.content.decode()
    assert not CalibrationExercise.objects.exists()


def test_scope_of_the_pages(world, exercise, participants, client):
    outsider = _auditor("Dee Evans")
    ex_url = reverse("audits:calibration-exercise", kwargs={"exercise_id": exercise.pk})
    res_url = reverse("audits:calibration-results", kwargs={"exercise_id": exercise.pk})
    close_url = reverse("audits:calibration-close", kwargs={"exercise_id": exercise.pk})

    client.force_login(outsider)  # an auditor not taking part: the exercise does not exist for them
    assert client.get(reverse("audits:calibration-list")).status_code == 200
    assert "Spring calibration" not in client.get(reverse("audits:calibration-list")).content.decode()
    assert client.get(ex_url).status_code == 404
    assert client.get(res_url).status_code == 404
    assert client.post(close_url).status_code == 404

    client.force_login(participants[0])
    assert "Spring calibration" in client.get(reverse("audits:calibration-list")).content.decode()
    assert client.get(reverse("audits:calibration-new")).status_code == 403
    assert client.post(close_url).status_code == 403

    client.force_login(world.people["practitioner_own"])  # no auditor duty, not QA
    assert client.get(reverse("audits:calibration-list")).status_code == 403
    assert client.get(ex_url).status_code == 404

    client.force_login(world.people["qa_manager"])
    assert client.get(ex_url).status_code == 200
    assert client.post(ex_url, {"version": "0"}).status_code == 403  # the QA team reads, does not grade
    assert client.post(close_url).status_code == 302
    exercise.refresh_from_db()
    assert exercise.status == "closed"


def test_the_new_page_offers_only_audits_in_scope(world, participants, client, tool):
    from .factories import allocate

    restricted = allocate(world.case_restricted, world.people[AUDITOR], version=tool, actor=world.people["qa_manager"])
    mark_submitted(restricted)
    client.force_login(world.people["qa_officer"])
    response = client.post(
        reverse("audits:calibration-new"),
        {"case_reference": "CASE-R", "title": "T", "participants": [str(participants[0].pk)]},
    )
    assert "There is no submitted audit" in response.content.decode()


# --- training ----------------------------------------------------------------------------------
def test_qa_team_records_training_and_an_auditor_sees_only_their_own(world, participants, client):
    a, b, _ = participants
    client.force_login(world.people["qa_officer"])
    url = reverse("audits:auditor-training")
    bad = client.post(url, {"person": "", "trained_on": "2099-01-01", "course": ""})
    body = bad.content.decode()
    assert "<title>Error:" in body
    assert "Choose the auditor" in body
    assert "Enter the course" in body
    response = client.post(
        url, {"person": str(a.pk), "trained_on": "2026-03-27", "course": "Auditor induction", "notes": "Day one"}
    )
    assert response.status_code == 302
    client.post(url, {"person": str(b.pk), "trained_on": "2026-04-02", "course": "Grading refresher"})
    training = AuditorTraining.objects.get(person=a)
    assert training.trained_on == datetime.date(2026, 3, 27)
    assert training.recorded_by == world.people["qa_officer"]
    page = client.get(url).content.decode()
    assert "Auditor induction" in page
    assert "Grading refresher" in page

    client.force_login(a)
    page = client.get(url).content.decode()
    assert "Auditor induction" in page
    assert "27 March 2026" in page
    assert "Grading refresher" not in page
    assert client.post(url, {"person": str(a.pk), "trained_on": "2026-03-27", "course": "x"}).status_code == 403

    client.force_login(world.people["practitioner_own"])
    assert client.get(url).status_code == 403
