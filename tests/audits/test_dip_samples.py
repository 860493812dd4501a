"""Dip samples (seed 6.1.2): the QA team's theme, the seeded draw of 5 files per manager from their
own team or area, results and the observation alternative, and the summary for the clinic."""

from __future__ import annotations

import datetime

import pytest
from django.urls import reverse

from audits.models import AuditTool, DipSample, DipSampleItem, DipSampleRound, Element, ToolVersion
from audits.services.dip_samples import (
    DipSampleError,
    ItemAnswer,
    dip_sample_draw,
    dip_sample_draw_for,
    dip_sample_mark_done,
    dip_sample_record_observation,
    dip_sample_round_create,
    dip_sample_save,
    dip_sample_summary,
)
from organisation.models import CaseFile
from organisation.scope import scope_for
from tests.factories import CaseFileFactory, TeamFactory

TODAY = datetime.date(2026, 11, 3)
MONTH = datetime.date(2026, 11, 1)


def dip_checklist() -> ToolVersion:
    tool, _ = AuditTool.objects.get_or_create(
        key="dip-test", defaults={"name": "Dip checklist", "kinds": ["dip_sample"]}
    )
    version = ToolVersion.objects.filter(tool=tool).first()
    if version is None:
        version = ToolVersion.objects.create(tool=tool, number=1, status="published", example_content=True)
        Element.objects.create(
            tool_version=version,
            code="S1",
            section="S",
            title="Supervision is recorded",
            guidance="Look for reflective supervision.",
            prompts=["Is supervision recorded at the expected frequency?"],
            graded=False,
        )
    return version


@pytest.fixture
def files(world):
    """Eight more open files in A1, three in A2, a closed one and a restricted one in A1."""
    a1 = [CaseFileFactory(case_reference=f"A1-{n:02d}", team=world.team_a1) for n in range(8)]
    a2 = [CaseFileFactory(case_reference=f"A2-{n:02d}", team=world.team_a2) for n in range(3)]
    CaseFileFactory(case_reference="A1-CLOSED", team=world.team_a1, closed_on=datetime.date(2026, 10, 1))
    return {"a1": a1, "a2": a2}


@pytest.fixture
def round_(world, files):
    return dip_sample_round_create(
        month=MONTH, theme="Supervision", checklist=dip_checklist(), actor=world.people["qa_officer"], today=TODAY
    )


def sample_of(world, persona: str) -> DipSample:
    return DipSample.objects.get(manager=world.people[persona])


def refs(sample: DipSample) -> set[str]:
    return set(sample.items.values_list("case_file__case_reference", flat=True))


# --- the draw -------------------------------------------------------------------------------------
def test_each_hos_sm_and_tm_is_given_a_sample_due_on_the_last_working_day(world, round_):
    managers = set(DipSample.objects.filter(round=round_).values_list("manager__email", flat=True))
    assert managers == {
        "tm.same@example.test",
        "tm.other@example.test",
        "sm.same@example.test",
        "sm.other@example.test",
        "hos@example.test",
    }
    assert set(DipSample.objects.values_list("due_on", flat=True)) == {datetime.date(2026, 11, 30)}


def test_a_team_manager_gets_5_open_unrestricted_files_from_their_own_team(world, round_):
    sample = sample_of(world, "team_manager_same")
    drawn = refs(sample)
    assert len(drawn) == 5
    a1_open = set(
        CaseFile.objects.filter(team=world.team_a1, restricted=False, closed_on__isnull=True).values_list(
            "case_reference", flat=True
        )
    )
    assert drawn <= a1_open
    assert "CASE-R" not in drawn
    assert "A1-CLOSED" not in drawn
    assert sample.team == world.team_a1


def test_a_service_manager_draws_from_every_team_in_their_area(world, round_):
    sample = sample_of(world, "service_manager_same")
    assert len(refs(sample)) == 5
    teams = set(sample.items.values_list("case_file__team__service_area", flat=True))
    assert teams == {world.area_a.pk}
    assert sample.service_area == world.area_a
    assert sample.team is None


def test_a_manager_with_fewer_than_5_files_gets_what_there_is(world, round_):
    # Team B1 holds one open file: case_b.
    assert refs(sample_of(world, "team_manager_other")) == {"CASE-B"}


def test_restricted_files_are_never_drawn(world, files):
    for n in range(10):
        CaseFileFactory(case_reference=f"R-{n}", team=world.team_a1, restricted=True)
    dip_sample_round_create(
        month=MONTH, theme="T", checklist=dip_checklist(), actor=world.people["qa_officer"], today=TODAY
    )
    assert not DipSampleItem.objects.filter(case_file__restricted=True).exists()


def test_the_draw_is_seeded_from_the_month_and_manager_over_ordered_candidates(world, round_):
    tm = world.people["team_manager_same"]
    candidates = list(
        CaseFile.objects.filter(team=world.team_a1, restricted=False, closed_on__isnull=True)
        .order_by("case_reference")
        .values_list("pk", flat=True)
    )
    expected = dip_sample_draw_for(month=MONTH, manager_id=tm.pk, candidates=candidates)
    items = list(
        DipSampleItem.objects.filter(sample__manager=tm).order_by("position").values_list("case_file_id", flat=True)
    )
    assert items == expected
    # A different month draws differently from the same files (in general; fixed here by the seed).
    assert dip_sample_draw_for(month=datetime.date(2026, 12, 1), manager_id=tm.pk, candidates=candidates) != expected


def test_drawing_again_adds_nothing_and_setting_the_month_again_is_refused(world, round_):
    before = list(DipSampleItem.objects.order_by("pk").values_list("sample__manager_id", "case_file_id"))
    assert dip_sample_draw(round=round_, today=TODAY) == 0
    after = list(DipSampleItem.objects.order_by("pk").values_list("sample__manager_id", "case_file_id"))
    assert after == before
    with pytest.raises(DipSampleError, match="already set"):
        dip_sample_round_create(
            month=MONTH, theme="Again", checklist=dip_checklist(), actor=world.people["qa_officer"], today=TODAY
        )
    assert DipSampleRound.objects.count() == 1


def test_a_manager_who_starts_mid_month_is_given_a_sample_by_the_sweep(world, round_):
    from audits.services.dip_samples import dip_sample_draw_sweep
    from organisation.models import Role
    from tests.factories import person_with_role

    new_tm = person_with_role(Role.TEAM_MANAGER, team=world.team_a2, email="new.tm@example.test")
    assert dip_sample_draw_sweep(today=TODAY) == 1
    assert refs(DipSample.objects.get(manager=new_tm)) == {"A2-00", "A2-01", "A2-02"}
    assert dip_sample_draw_sweep(today=TODAY) == 0


def test_only_a_published_dip_sample_checklist_can_be_chosen(world, files, tool):
    with pytest.raises(DipSampleError, match="checklist"):
        dip_sample_round_create(month=MONTH, theme="T", checklist=tool, actor=world.people["qa_officer"], today=TODAY)


# --- results --------------------------------------------------------------------------------------
def answers(sample: DipSample, result: str = "met", note: str = "") -> list[ItemAnswer]:
    return [ItemAnswer(item_id=i.pk, result=result, note=note, version=i.version) for i in sample.items.all()]


def test_results_are_saved_per_file_and_a_save_that_changes_nothing_writes_no_history(world, round_):
    sample = sample_of(world, "team_manager_same")
    tm = world.people["team_manager_same"]
    outcome = dip_sample_save(sample=sample, answers=answers(sample, "partly_met", "Supervision monthly"), actor=tm)
    assert outcome.changed == 5
    history = DipSampleItem.history.count()
    again = dip_sample_save(sample=sample, answers=answers(sample, "partly_met", "Supervision monthly"), actor=tm)
    assert again.changed == 0
    assert DipSampleItem.history.count() == history
    assert set(sample.items.values_list("result", "version")) == {("partly_met", 1)}
    assert DipSampleItem.history.filter(history_user=tm).count() == 5


def test_a_stale_page_never_overwrites_a_file_saved_since(world, round_):
    sample = sample_of(world, "team_manager_same")
    tm = world.people["team_manager_same"]
    stale = answers(sample, "not_met", "mine")
    dip_sample_save(sample=sample, answers=answers(sample, "met", "theirs")[:1], actor=tm)
    outcome = dip_sample_save(sample=sample, answers=stale, actor=tm)
    assert len(outcome.conflicts) == 1
    first = sample.items.order_by("position").first()
    assert (first.result, first.note) == ("met", "theirs")


def test_done_needs_every_file_answered(world, round_):
    sample = sample_of(world, "team_manager_same")
    tm = world.people["team_manager_same"]
    dip_sample_save(sample=sample, answers=answers(sample)[:4], actor=tm)
    with pytest.raises(DipSampleError, match="every file"):
        dip_sample_mark_done(sample=sample, actor=tm)
    dip_sample_save(sample=sample, answers=answers(sample), actor=tm)
    done = dip_sample_mark_done(sample=sample, actor=tm)
    assert done.status == DipSample.Status.DONE
    assert done.completed_at is not None
    with pytest.raises(DipSampleError):
        dip_sample_save(sample=sample, answers=answers(sample, "not_met"), actor=tm)


def test_a_practice_observation_instead_needs_a_note_and_finishes_the_sample(world, round_):
    sample = sample_of(world, "service_manager_same")
    sm = world.people["service_manager_same"]
    with pytest.raises(DipSampleError, match="observed"):
        dip_sample_record_observation(sample=sample, note=" ", actor=sm)
    done = dip_sample_record_observation(sample=sample, note="Observed a core group", actor=sm)
    assert (done.status, done.observation_note) == (DipSample.Status.OBSERVATION, "Observed a core group")
    with pytest.raises(DipSampleError):
        dip_sample_mark_done(sample=sample, actor=sm)


# --- the summary ----------------------------------------------------------------------------------
def _complete(world, persona: str, results: list[str], note: str = "") -> DipSample:
    sample = sample_of(world, persona)
    items = list(sample.items.order_by("position"))
    dip_sample_save(
        sample=sample,
        answers=[ItemAnswer(i.pk, r, note, i.version) for i, r in zip(items, results, strict=False)],
        actor=world.people[persona],
    )
    return sample


def test_the_summary_counts_results_per_team_of_the_file_and_is_scoped(world, round_):
    _complete(world, "team_manager_same", ["met", "met", "partly_met", "not_met", "met"], note="Seen in supervision")
    _complete(world, "team_manager_other", ["not_met"], note="No supervision since June")
    qa = dip_sample_summary(scope=scope_for(world.people["qa_officer"], today=TODAY), month=MONTH)
    by_team = {s.team.code: s for s in qa.teams}
    a1 = by_team["a1"]
    # The SM and HoS samples also draw A1 files, not yet looked at.
    assert (a1.met, a1.partly_met, a1.not_met) == (3, 1, 1)
    assert (by_team["b1"].met, by_team["b1"].not_met) == (0, 1)
    assert qa.round.theme == "Supervision"

    tm = dip_sample_summary(scope=scope_for(world.people["team_manager_same"], today=TODAY), month=MONTH)
    assert {s.team.code for s in tm.teams} == {"a1"}
    assert all("No supervision since June" not in note for s in tm.teams for _, _, note in s.notes)
    assert any(note == "Seen in supervision" for s in tm.teams for _, _, note in s.notes)


# --- pages ----------------------------------------------------------------------------------------
def test_the_qa_team_sets_the_theme_on_the_rounds_page(client, world, files):
    checklist = dip_checklist()
    client.force_login(world.people["qa_officer"])
    url = reverse("audits:dip-sample-rounds")
    page = client.get(url)
    assert page.status_code == 200
    assert "Dip checklist" in page.content.decode()
    month = datetime.date.today().replace(day=1)
    response = client.post(url, {"month": month.isoformat(), "theme": "Chronologies", "checklist": checklist.pk})
    assert response.status_code == 302
    round_ = DipSampleRound.objects.get()
    assert (round_.theme, round_.month) == ("Chronologies", month)
    assert DipSample.objects.filter(round=round_).count() == 5


def test_an_empty_theme_is_shown_again_with_the_error(client, world, files):
    dip_checklist()
    client.force_login(world.people["qa_officer"])
    response = client.post(reverse("audits:dip-sample-rounds"), {"month": "", "theme": ""})
    body = response.content.decode()
    assert response.status_code == 200
    assert "<title>Error:" in body
    assert "Enter the month&#x27;s theme" in body
    assert not DipSampleRound.objects.exists()


def test_the_manager_records_results_and_marks_the_sample_done(client, world, round_):
    sample = sample_of(world, "team_manager_same")
    client.force_login(world.people["team_manager_same"])
    url = reverse("audits:dip-sample", args=[sample.pk])
    page = client.get(url)
    assert page.status_code == 200
    assert "Is supervision recorded at the expected frequency?" in page.content.decode()
    data = {"action": "done"}
    for item in sample.items.all():
        data |= {f"item-{item.pk}-result": "met", f"item-{item.pk}-note": "", f"item-{item.pk}-version": "0"}
    first = sample.items.order_by("position").first()
    partial = {**data, f"item-{first.pk}-result": ""}
    refused = client.post(url, partial)
    assert refused.status_code == 200
    assert "every file" in refused.content.decode()
    assert client.post(url, data).status_code == 302
    sample.refresh_from_db()
    assert sample.status == DipSample.Status.DONE


def test_someone_in_the_line_reads_but_cannot_change_and_others_get_404(client, world, round_):
    sample = sample_of(world, "team_manager_same")
    url = reverse("audits:dip-sample", args=[sample.pk])
    client.force_login(world.people["service_manager_same"])
    assert client.get(url).status_code == 200
    assert client.post(url, {"action": "save"}).status_code == 403
    client.force_login(world.people["team_manager_other"])
    assert client.get(url).status_code == 404


def test_the_observation_instead_from_the_page(client, world, round_):
    sample = sample_of(world, "team_manager_other")
    client.force_login(world.people["team_manager_other"])
    url = reverse("audits:dip-sample", args=[sample.pk])
    empty = client.post(url, {"action": "observation", "observation_note": ""})
    assert "<title>Error:" in empty.content.decode()
    assert client.post(url, {"action": "observation", "observation_note": "A home visit"}).status_code == 302
    sample.refresh_from_db()
    assert sample.status == DipSample.Status.OBSERVATION


def test_my_dip_samples_lists_only_mine(client, world, round_):
    client.force_login(world.people["team_manager_same"])
    body = client.get(reverse("audits:my-dip-samples")).content.decode()
    assert body.count("open the dip sample") == 1
    assert "0 of 5" in body


def test_summary_page_shows_counts_and_refuses_people_without_teams(client, world, round_):
    _complete(world, "team_manager_same", ["met", "met", "partly_met", "not_met", "met"])
    client.force_login(world.people["team_manager_same"])
    body = client.get(reverse("audits:dip-sample-summary"), {"month": "2026-11"}).content.decode()
    assert "Supervision" in body
    assert 'data-team="a1"' in body
    assert 'data-team="b1"' not in body
    client.force_login(world.people["practitioner_own"])
    assert client.get(reverse("audits:dip-sample-summary")).status_code == 403


def test_the_draw_takes_a_fixed_number_of_queries(world, files, django_assert_max_num_queries):
    checklist = dip_checklist()
    round_ = DipSampleRound.objects.create(
        month=MONTH, theme="T", checklist=checklist, set_by=world.people["qa_officer"]
    )
    # Samples taken, role assignments, candidate files, the samples' insert and their history,
    # the samples read back, the items' insert and their history, and the savepoints around them.
    with django_assert_max_num_queries(15) as few:
        dip_sample_draw(round=round_, today=TODAY)
    DipSample.objects.all().delete()
    from organisation.models import Role
    from tests.factories import person_with_role

    for n in range(20):
        team = TeamFactory(code=f"extra-{n}", service_area=world.area_a)
        CaseFileFactory(team=team)
        person_with_role(Role.TEAM_MANAGER, team=team, email=f"tm{n}@example.test")
    with django_assert_max_num_queries(len(few.captured_queries)):
        assert dip_sample_draw(round=round_, today=TODAY) == 25
