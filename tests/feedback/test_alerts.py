"""Good-practice alerts and practice concerns from conference chairs and IROs (seed 6.4): the rules
for recording one, who is told and what they are told, who sees it, moving a concern on and
resolving it, configurable dispute stages, the list, and the monthly summary."""

from __future__ import annotations

import datetime
import json
import shutil
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.core import mail
from django.urls import reverse

from audits.models import Theme
from core.framework import FrameworkContent, framework_load
from core.models import AccessLog, FrameworkFile, Notification
from feedback.forms_alerts import AlertForm, AlertUpdateForm
from feedback.framework_loaders import dispute_stages_load
from feedback.models import DisputeStage, MeetingKind, ReviewingOfficerAlert
from feedback.services.alerts import (
    AlertConflict,
    AlertError,
    alert_record,
    alert_summary,
    alert_update,
    alerts_visible,
    history_version,
)
from organisation.models import CaseFile, Role
from organisation.scope import scope_for
from tests.factories import CaseFileFactory, marker, person_with_role

LONDON = ZoneInfo("Europe/London")
TODAY = datetime.date(2026, 3, 16)
FRAMEWORK_FILE = Path(__file__).resolve().parents[2] / "feedback" / "framework" / "20-dispute-stages.v1.json"
Kind = ReviewingOfficerAlert.Kind


@pytest.fixture(autouse=True)
def _frozen_clock():
    with time_machine.travel(datetime.datetime(2026, 3, 16, 10, 0, tzinfo=LONDON), tick=False):
        yield


# --- helpers (the matrix and the browser tests use them too) --------------------------------------
def make_themes() -> dict[str, Theme]:
    return {
        "voice": Theme.objects.get_or_create(slug="voice-of-the-child", defaults={"name": "Voice of the child"})[0],
        "oversight": Theme.objects.get_or_create(
            slug="management-oversight", defaults={"name": "Management oversight"}
        )[0],
    }


def make_stages() -> list[DisputeStage]:
    """The example stages, as the framework file has them."""
    for item in json.loads(FRAMEWORK_FILE.read_text())["data"]:
        DisputeStage.objects.get_or_create(
            key=item["key"], defaults={"name": item["name"], "position": item["position"]}
        )
    return list(DisputeStage.objects.order_by("position"))


def record_alert(world, *, by: str = "conference_chair", case=None, today: datetime.date = TODAY, **values):
    """An alert recorded through the service (a good-practice alert on case A by default)."""
    themes = make_themes()
    stages = make_stages()
    kind = values.pop("kind", Kind.GOOD_PRACTICE)
    fields = {
        "meeting": MeetingKind.CP_REVIEW,
        "meeting_on": today,
        "theme": themes["voice"],
        "stage": stages[0] if kind == Kind.PRACTICE_CONCERN else None,
        "summary": f"Child's views clear in the plan {marker()}",
        **values,
    }
    person = world.people[by]
    return alert_record(
        scope=scope_for(person, today=today), actor=person, kind=kind, case_file=case or world.case_a, **fields
    )


def _update(alert, person, **values):
    fields = {"stage": alert.stage, "resolved_on": None, "resolution": "", "version": history_version(alert)}
    fields.update(values)
    return alert_update(scope=scope_for(person, today=TODAY), alert=alert, actor=person, **fields)


# --- recording rules --------------------------------------------------------------------------------
def test_a_practice_concern_needs_a_stage_and_a_good_practice_alert_has_none(world):
    with pytest.raises(AlertError, match="stage"):
        record_alert(world, kind=Kind.PRACTICE_CONCERN, stage=None)
    stages = make_stages()
    good = record_alert(world, kind=Kind.GOOD_PRACTICE, stage=stages[2])
    assert good.stage is None
    concern = record_alert(world, kind=Kind.PRACTICE_CONCERN, stage=stages[1])
    assert concern.stage == stages[1]


def test_a_case_outside_the_recorders_scope_is_refused_like_an_unknown_one(world):
    # The chair chairs case A only; the IRO chairs nothing.
    with pytest.raises(AlertError, match="whose conference or review you chair") as outside:
        record_alert(world, case=world.case_b)
    with pytest.raises(AlertError) as for_iro:
        record_alert(world, by="iro")
    assert str(outside.value) == str(for_iro.value)
    assert not ReviewingOfficerAlert.objects.exists()


def test_only_chairs_and_iros_record_alerts(world):
    with pytest.raises(AlertError, match="Only conference chairs"):
        record_alert(world, by="team_manager_same")
    with pytest.raises(AlertError, match="Only conference chairs"):
        record_alert(world, by="qa_officer")


def test_dates_in_the_future_and_a_resolution_before_the_meeting_are_refused(world):
    with pytest.raises(AlertError, match="meeting must be today or in the past"):
        record_alert(world, meeting_on=TODAY + datetime.timedelta(days=1))
    with pytest.raises(AlertError, match="on or after the date of the meeting"):
        record_alert(world, meeting_on=TODAY, resolved_on=TODAY - datetime.timedelta(days=1))
    with pytest.raises(AlertError, match="resolved must be today or in the past"):
        record_alert(
            world, meeting_on=TODAY - datetime.timedelta(days=5), resolved_on=TODAY + datetime.timedelta(days=1)
        )
    with pytest.raises(AlertError, match="summary"):
        record_alert(world, summary="   ")
    assert not ReviewingOfficerAlert.objects.exists()


def test_an_inactive_theme_is_refused(world):
    retired = Theme.objects.create(slug="retired", name="Retired theme", active=False)
    with pytest.raises(AlertError, match="theme"):
        record_alert(world, theme=retired)


def test_the_team_area_and_practitioner_are_frozen_when_recorded(world):
    alert = record_alert(world)
    assert (alert.team, alert.service_area, alert.practitioner) == (
        world.team_a1,
        world.area_a,
        world.people["practitioner_own"],
    )
    assert alert.recorded_by == world.people["conference_chair"]
    assert alert.history.get().history_user == world.people["conference_chair"]
    # The case moves to team B1 and another worker: the alert keeps what was true, and the
    # worker and team manager it was sent to still see it.
    world.case_a.team = world.team_b1
    world.case_a.practitioner = world.people["practitioner_other"]
    world.case_a.save()
    alert.refresh_from_db()
    assert alert.team == world.team_a1
    for persona in ("practitioner_own", "team_manager_same", "practitioner_other", "team_manager_other"):
        assert alerts_visible(scope_for(world.people[persona], today=TODAY)).filter(pk=alert.pk).exists()


# --- who is told --------------------------------------------------------------------------------------
def test_the_worker_and_their_team_manager_are_told_with_no_case_details(world, django_capture_on_commit_callbacks):
    # A team manager whose assignment ended is not told; nor is the chair who recorded it.
    ended = person_with_role(
        Role.TEAM_MANAGER,
        team=world.team_a1,
        email="tm.ended@example.test",
        ends_on=TODAY - datetime.timedelta(days=30),
    )
    summary = f"Reports shared late {marker()}"
    with django_capture_on_commit_callbacks(execute=True):
        alert = record_alert(world, kind=Kind.PRACTICE_CONCERN, summary=summary)
    told = set(Notification.objects.filter(key=f"ro-alert:{alert.pk}").values_list("recipient__email", flat=True))
    assert told == {"prac.own@example.test", "tm.same@example.test"}
    assert ended.email not in told
    url = reverse("feedback:alert-detail", args=[alert.pk])
    assert set(Notification.objects.filter(key=f"ro-alert:{alert.pk}").values_list("url", flat=True)) == {url}
    assert sorted(m.to[0] for m in mail.outbox) == ["prac.own@example.test", "tm.same@example.test"]
    secrets = [
        "CASE-A",
        world.case_a.child_initials,
        summary,
        "Voice of the child",
        world.case_a.family_reference,
        world.people["conference_chair"].full_name,
    ]
    for message in mail.outbox:
        text = f"{message.subject}\n{message.body}"
        assert url in message.body
        assert "practice concern" in message.subject
        leaked = [s for s in secrets if s in text]
        assert not leaked, f"the email carries case details: {leaked}"
    in_app = Notification.objects.filter(key=f"ro-alert:{alert.pk}").values_list("message", "detail")
    for message, detail in in_app:
        assert not [s for s in secrets if s in message or s in detail]


def test_an_unallocated_case_tells_the_team_manager_only(world, django_capture_on_commit_callbacks):
    case = CaseFileFactory(team=world.team_a1, practitioner=None, chair=world.people["iro"])
    with django_capture_on_commit_callbacks(execute=True):
        record_alert(world, by="iro", case=case)
    assert [m.to for m in mail.outbox] == [["tm.same@example.test"]]


def test_an_alert_recorded_without_email_is_shown_in_the_app_only(world, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        alert = record_alert(world, email=False)
    assert Notification.objects.filter(key=f"ro-alert:{alert.pk}").count() == 2
    assert mail.outbox == []


# --- who sees it --------------------------------------------------------------------------------------
SEES_ALERT_ON_CASE_A = {
    "practitioner_own",
    "team_manager_same",
    "service_manager_same",
    "head_of_service",
    "assistant_director",
    "director",
    "conference_chair",
    "qa_officer",
    "qa_manager",
}


def test_an_alert_is_seen_through_the_case_files_scope_and_by_its_recorder(world):
    alert = record_alert(world)
    for persona, person in world.people.items():
        visible = alerts_visible(scope_for(person, today=TODAY)).filter(pk=alert.pk).exists()
        assert visible == (persona in SEES_ALERT_ON_CASE_A), persona
    # The recorder keeps seeing it after they stop chairing the case.
    world.case_a.chair = world.people["iro"]
    world.case_a.save()
    assert alerts_visible(scope_for(world.people["conference_chair"], today=TODAY)).filter(pk=alert.pk).exists()
    assert alerts_visible(scope_for(world.people["iro"], today=TODAY)).filter(pk=alert.pk).exists()


def test_the_detail_page_shows_the_alert_to_the_worker_and_404s_for_another_team(client, world):
    alert = record_alert(world, summary="Plan written with the family MKDETAIL")
    url = reverse("feedback:alert-detail", args=[alert.pk])
    client.force_login(world.people["practitioner_own"])
    page = client.get(url)
    assert page.status_code == 200
    assert "Plan written with the family MKDETAIL" in page.content.decode()
    assert AccessLog.objects.filter(object_type="reviewing_officer_alert", object_ref=str(alert.pk)).count() == 1
    # The worker reads it but cannot change it.
    assert "alert-update" not in page.content.decode()
    assert client.get(reverse("feedback:alert-update", args=[alert.pk])).status_code == 403
    for persona in ("team_manager_other", "practitioner_other", "iro", "principal_social_worker"):
        client.force_login(world.people[persona])
        assert client.get(url).status_code == 404, persona
        assert client.post(reverse("feedback:alert-update", args=[alert.pk])).status_code == 404, persona
    assert client.post(url).status_code == 405


# --- moving a concern on and resolving it ----------------------------------------------------------
def test_the_recorder_moves_a_concern_on_and_records_it_resolved_with_history(world):
    stages = make_stages()
    chair = world.people["conference_chair"]
    alert = record_alert(world, kind=Kind.PRACTICE_CONCERN, meeting_on=TODAY - datetime.timedelta(days=20))
    alert = _update(alert, chair, stage=stages[1])
    assert alert.stage == stages[1]
    # A save that changes nothing writes no history row.
    before = alert.history.count()
    _update(alert, chair)
    assert alert.history.count() == before == 2
    alert = _update(alert, chair, resolved_on=TODAY - datetime.timedelta(days=2), resolution="Plan revised")
    assert (alert.resolved_on, alert.resolution) == (TODAY - datetime.timedelta(days=2), "Plan revised")
    rows = list(alert.history.order_by("history_id").values_list("stage_id", "resolved_on", "history_user_id"))
    assert rows == [
        (stages[0].pk, None, chair.pk),
        (stages[1].pk, None, chair.pk),
        (stages[1].pk, TODAY - datetime.timedelta(days=2), chair.pk),
    ]
    # Resolved is final.
    with pytest.raises(AlertError, match="resolved on"):
        _update(alert, chair, stage=stages[3])


def test_a_stale_page_never_overwrites_and_only_the_recorder_updates(world):
    stages = make_stages()
    chair = world.people["conference_chair"]
    alert = record_alert(world, kind=Kind.PRACTICE_CONCERN)
    stale = history_version(alert)
    _update(alert, chair, stage=stages[1])
    with pytest.raises(AlertConflict):
        _update(alert, chair, stage=stages[2], version=stale)
    alert.refresh_from_db()
    assert alert.stage == stages[1]
    # Someone who sees it but did not record it cannot change it.
    world.case_a.chair = world.people["iro"]
    world.case_a.save()
    with pytest.raises(AlertError, match="who recorded this alert"):
        _update(alert, world.people["iro"], stage=stages[2])


# --- configurable stages -------------------------------------------------------------------------------
def test_an_inactive_stage_is_not_offered_or_accepted_but_an_alert_keeps_its_own(world):
    stages = make_stages()
    alert = record_alert(world, kind=Kind.PRACTICE_CONCERN, stage=stages[1])
    stages[1].active = False
    stages[1].save()
    form = AlertForm(cases=CaseFile.objects.all(), today=TODAY)
    offered = [value.value for value, _ in form.fields["stage"].choices]
    assert stages[1].pk not in offered
    assert stages[0].pk in offered
    with pytest.raises(AlertError, match="stage from the list"):
        record_alert(world, kind=Kind.PRACTICE_CONCERN, stage=stages[1])
    # The concern already at that stage keeps it, and its update form still offers it.
    update = AlertUpdateForm(alert=alert, version=history_version(alert), today=TODAY)
    assert stages[1].pk in [value.value for value, _ in update.fields["stage"].choices]
    assert _update(alert, world.people["conference_chair"], resolution="", stage=stages[1]).stage == stages[1]


def test_the_stage_loader_inserts_only_new_keys_and_never_changes_an_edited_stage(db, tmp_path):
    shutil.copy(FRAMEWORK_FILE, tmp_path / FRAMEWORK_FILE.name)
    first = framework_load(dirs=[tmp_path])
    assert [(o.status, o.rows) for o in first] == [("loaded", 5)]
    assert list(DisputeStage.objects.order_by("position").values_list("key", flat=True)) == [
        "informal",
        "team-manager",
        "service-manager",
        "head-of-service",
        "director",
    ]
    # The Administrator renames one stage and retires another.
    DisputeStage.objects.filter(key="informal").update(name="Stage 1: informal (our words)")
    DisputeStage.objects.filter(key="director").update(active=False)
    assert [o.status for o in framework_load(dirs=[tmp_path])] == ["already loaded"]
    # A new version of the file adds its new key only; edited rows stay as edited.
    document = json.loads(FRAMEWORK_FILE.read_text())
    document["version"] = "2"
    document["data"].append({"key": "cafcass", "name": "Referred to Cafcass", "position": 6})
    content = FrameworkContent(
        path=tmp_path / "v2.json",
        source="v2.json",
        key=document["key"],
        version="2",
        kind="dispute_stages",
        title=document["title"],
        data=document["data"],
        sha256="x",
    )
    framework_file = FrameworkFile.objects.create(key=document["key"], version="2", source="v2.json", sha256="x")
    assert dispute_stages_load(content=content, framework_file=framework_file) == 1
    assert dispute_stages_load(content=content, framework_file=framework_file) == 0
    assert DisputeStage.objects.get(key="informal").name == "Stage 1: informal (our words)"
    assert DisputeStage.objects.get(key="director").active is False
    assert DisputeStage.objects.count() == 6


# --- pages: recording ----------------------------------------------------------------------------------
def _form_data(world, **overrides) -> dict[str, str]:
    themes = make_themes()
    stages = make_stages()
    data = {
        "kind": Kind.PRACTICE_CONCERN,
        "case_reference": "case-a",
        "meeting": MeetingKind.CP_CONFERENCE,
        "meeting_on_0": "9",
        "meeting_on_1": "3",
        "meeting_on_2": "2026",
        "theme": str(themes["oversight"].pk),
        "stage": str(stages[0].pk),
        "summary": "Report not shared before the conference",
        "resolved_on_0": "",
        "resolved_on_1": "",
        "resolved_on_2": "",
        "resolution": "",
    }
    data.update(overrides)
    return data


def test_a_chair_records_a_concern_from_the_page(client, world, django_capture_on_commit_callbacks):
    client.force_login(world.people["conference_chair"])
    url = reverse("feedback:alert-new")
    page = client.get(url, {"case": "CASE-A"})
    assert page.status_code == 200
    assert 'value="CASE-A"' in page.content.decode()
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(url, _form_data(world))
    alert = ReviewingOfficerAlert.objects.get()
    assert response.status_code == 302
    assert response["Location"] == reverse("feedback:alert-detail", args=[alert.pk])
    assert (alert.kind, alert.case_file, alert.meeting_on, alert.stage.key) == (
        Kind.PRACTICE_CONCERN,
        world.case_a,
        datetime.date(2026, 3, 9),
        "informal",
    )
    assert len(mail.outbox) == 2
    body = client.get(response["Location"]).content.decode()
    assert "sent a link to it" in body
    assert "Report not shared before the conference" in body


def test_a_concern_without_a_stage_and_a_future_date_are_shown_again_with_what_was_typed(client, world):
    client.force_login(world.people["conference_chair"])
    response = client.post(
        reverse("feedback:alert-new"),
        _form_data(world, stage="", meeting_on_0="17", summary="Typed summary MKKEEP"),
    )
    body = response.content.decode()
    assert response.status_code == 200
    assert "<title>Error:" in body
    assert "Choose the dispute-resolution stage of the practice concern" in body
    assert "The date of the meeting must be today or in the past" in body
    assert "Typed summary MKKEEP" in body
    assert 'class="govuk-error-summary"' in body
    assert not ReviewingOfficerAlert.objects.exists()


def test_a_case_the_chair_does_not_chair_is_refused_on_the_page(client, world):
    client.force_login(world.people["conference_chair"])
    for reference in ("CASE-B", "NO-SUCH-CASE", "CASE-R"):
        body = client.post(reverse("feedback:alert-new"), _form_data(world, case_reference=reference)).content.decode()
        assert "Enter the case reference of a child whose conference or review you chair" in body
        assert f'value="{reference}"' in body
    assert not ReviewingOfficerAlert.objects.exists()


def test_other_roles_cannot_record_and_methods_are_limited(client, world):
    for persona in ("team_manager_same", "practitioner_own", "qa_officer", "principal_social_worker"):
        client.force_login(world.people[persona])
        assert client.get(reverse("feedback:alert-new")).status_code == 403
        assert client.post(reverse("feedback:alert-new"), _form_data(world)).status_code == 403
    client.force_login(world.people["conference_chair"])
    assert client.delete(reverse("feedback:alert-new")).status_code == 405
    assert client.post(reverse("feedback:alert-list")).status_code == 405
    assert client.post(reverse("feedback:alert-summary")).status_code == 405
    assert not ReviewingOfficerAlert.objects.exists()


# --- pages: updating -----------------------------------------------------------------------------------
def _update_data(alert, **overrides) -> dict[str, str]:
    data = {
        "stage": str(alert.stage_id or ""),
        "resolved_on_0": "",
        "resolved_on_1": "",
        "resolved_on_2": "",
        "resolution": "",
        "version": str(history_version(alert)),
    }
    data.update(overrides)
    return data


def test_the_recorder_moves_a_concern_on_and_resolves_it_from_the_page(client, world):
    stages = make_stages()
    alert = record_alert(world, kind=Kind.PRACTICE_CONCERN, meeting_on=datetime.date(2026, 3, 2))
    url = reverse("feedback:alert-update", args=[alert.pk])
    client.force_login(world.people["conference_chair"])
    assert client.get(url).status_code == 200
    assert client.post(url, _update_data(alert, stage=str(stages[2].pk))).status_code == 302
    alert.refresh_from_db()
    assert alert.stage == stages[2]
    resolve = _update_data(alert, resolved_on_0="1", resolved_on_1="3", resolved_on_2="2026")
    refused = client.post(url, resolve)
    assert refused.status_code == 200
    assert "on or after the date of the meeting" in refused.content.decode()
    resolve.update(resolved_on_0="12", resolution="Revised plan agreed")
    assert client.post(url, resolve).status_code == 302
    alert.refresh_from_db()
    assert alert.resolved_on == datetime.date(2026, 3, 12)
    detail = client.get(reverse("feedback:alert-detail", args=[alert.pk])).content.decode()
    assert 'id="alert-history"' in detail
    # Resolved is final: the page sends the recorder back and nothing changes.
    again = client.post(url, _update_data(alert, stage=str(stages[4].pk)))
    assert again.status_code == 302
    alert.refresh_from_db()
    assert alert.stage == stages[2]
    assert "can no longer change" in client.get(again["Location"]).content.decode()


def test_a_stale_update_page_is_refused_kindly(client, world):
    stages = make_stages()
    alert = record_alert(world, kind=Kind.PRACTICE_CONCERN)
    stale = _update_data(alert, stage=str(stages[3].pk))
    _update(alert, world.people["conference_chair"], stage=stages[1])
    client.force_login(world.people["conference_chair"])
    response = client.post(reverse("feedback:alert-update", args=[alert.pk]), stale)
    body = response.content.decode()
    assert response.status_code == 200
    assert "<title>Error:" in body
    assert "changed after you opened the page" in body
    alert.refresh_from_db()
    assert alert.stage == stages[1]
    # Without a version at all, the page says it is out of date.
    del stale["version"]
    assert "out of date" in client.post(reverse("feedback:alert-update", args=[alert.pk]), stale).content.decode()


def test_a_good_practice_alert_has_no_stage_to_move(client, world):
    alert = record_alert(world)
    client.force_login(world.people["conference_chair"])
    page = client.get(reverse("feedback:alert-update", args=[alert.pk])).content.decode()
    assert 'name="stage"' not in page
    data = _update_data(alert, resolved_on_0="16", resolved_on_1="3", resolved_on_2="2026")
    assert client.post(reverse("feedback:alert-update", args=[alert.pk]), data).status_code == 302
    alert.refresh_from_db()
    assert (alert.stage, alert.resolved_on) == (None, TODAY)


# --- the list ------------------------------------------------------------------------------------------
@pytest.fixture
def listed(world):
    """Alerts on case A (team A1) in February and March, and one on case B (team B1)."""
    themes, stages = make_themes(), make_stages()
    world.case_b.chair = world.people["iro"]
    world.case_b.save()
    feb = record_alert(world, meeting_on=datetime.date(2026, 2, 10), theme=themes["oversight"])
    concern = record_alert(world, kind=Kind.PRACTICE_CONCERN, meeting_on=datetime.date(2026, 3, 3), stage=stages[1])
    resolved = record_alert(
        world,
        kind=Kind.PRACTICE_CONCERN,
        meeting_on=datetime.date(2026, 3, 4),
        resolved_on=datetime.date(2026, 3, 10),
        theme=themes["oversight"],
    )
    other = Theme.objects.create(slug="b-only", name="A theme used only in team B MKBONLY")
    on_b = record_alert(world, by="iro", case=world.case_b, theme=other)
    return {"feb": feb, "concern": concern, "resolved": resolved, "on_b": on_b, "other": other}


def _listed_pks(response) -> set[int]:
    return {a.pk for a in response.context["page"].object_list}


def test_the_list_filters_by_kind_month_theme_stage_and_status(client, world, listed):
    client.force_login(world.people["qa_officer"])
    url = reverse("feedback:alert-list")
    everything = client.get(url)
    assert _listed_pks(everything) == {a.pk for a in listed.values() if hasattr(a, "kind")}
    assert _listed_pks(client.get(url, {"kind": Kind.PRACTICE_CONCERN})) == {
        listed["concern"].pk,
        listed["resolved"].pk,
    }
    assert _listed_pks(client.get(url, {"month": "2026-02"})) == {listed["feb"].pk}
    oversight = make_themes()["oversight"].pk
    assert _listed_pks(client.get(url, {"theme": oversight})) == {listed["feb"].pk, listed["resolved"].pk}
    assert _listed_pks(client.get(url, {"stage": listed["concern"].stage_id})) == {listed["concern"].pk}
    assert _listed_pks(client.get(url, {"status": "resolved"})) == {listed["resolved"].pk}
    assert listed["resolved"].pk not in _listed_pks(client.get(url, {"status": "open"}))


def test_the_list_and_its_choices_show_only_alerts_in_scope(client, world, listed):
    client.force_login(world.people["team_manager_same"])
    response = client.get(reverse("feedback:alert-list"))
    body = response.content.decode()
    assert listed["on_b"].pk not in _listed_pks(response)
    assert "CASE-B" not in body
    assert "MKBONLY" not in body
    assert "February 2026" in body
    client.force_login(world.people["practitioner_other"])
    assert _listed_pks(client.get(reverse("feedback:alert-list"))) == {listed["on_b"].pk}
    for persona in ("participation_officer", "principal_social_worker", "bi_officer", "administrator"):
        client.force_login(world.people[persona])
        assert client.get(reverse("feedback:alert-list")).status_code == 403


def test_the_list_takes_the_same_queries_however_many_alerts(client, world, listed, django_assert_max_num_queries):
    client.force_login(world.people["qa_officer"])
    url = reverse("feedback:alert-list")
    client.get(url)  # warm the session and the content types
    # Session, user, scope (roles, duties), the filter choices, the count, the page of alerts, and
    # the notifications' count in the page's header at most.
    with django_assert_max_num_queries(12) as few:
        client.get(url)
    for n in range(12):
        record_alert(world, meeting_on=datetime.date(2026, 1, n + 1))
    with django_assert_max_num_queries(len(few.captured_queries)):
        assert len(client.get(url).context["page"].object_list) == 16


# --- the monthly summary ------------------------------------------------------------------------------
@pytest.fixture
def month_of_alerts(world):
    """Hand-counted: March 2026 in area A (case A) and area B (case B); see each test's counts."""
    themes, stages = make_themes(), make_stages()
    voice, oversight = themes["voice"], themes["oversight"]
    world.case_b.chair = world.people["iro"]
    world.case_b.save()
    concern = Kind.PRACTICE_CONCERN
    made = {
        "a": record_alert(world, meeting_on=datetime.date(2026, 3, 2), theme=voice),
        "b": record_alert(world, meeting_on=datetime.date(2026, 3, 5), theme=voice),
        "c": record_alert(world, kind=concern, meeting_on=datetime.date(2026, 3, 3), theme=oversight),
        "d": record_alert(
            world,
            kind=concern,
            meeting_on=datetime.date(2026, 3, 10),
            theme=voice,
            stage=stages[1],
            resolved_on=datetime.date(2026, 3, 12),
        ),
        # February's concern resolved in March; January's still open.
        "e": record_alert(
            world,
            kind=concern,
            meeting_on=datetime.date(2026, 2, 10),
            theme=oversight,
            resolved_on=datetime.date(2026, 3, 4),
        ),
        "f": record_alert(world, kind=concern, meeting_on=datetime.date(2026, 1, 20), theme=oversight),
        "g": record_alert(
            world, by="iro", case=world.case_b, kind=concern, meeting_on=datetime.date(2026, 3, 9), theme=voice
        ),
    }
    return made


def _themes(summary) -> dict[str, tuple[int, int]]:
    return {row.theme: (row.good_practice, row.practice_concerns) for row in summary.by_theme}


def test_the_monthly_summary_for_the_whole_service(world, month_of_alerts):
    summary = alert_summary(scope=scope_for(world.people["qa_officer"], today=TODAY), month=datetime.date(2026, 3, 9))
    assert summary.month == datetime.date(2026, 3, 1)
    assert summary.whole_service
    assert _themes(summary) == {"Management oversight": (0, 1), "Voice of the child": (2, 2)}
    assert [(s.stage, s.concerns) for s in summary.by_stage] == [
        ("Stage 1: raised informally with the social worker", 2),
        ("Stage 2: raised with the team manager", 1),
    ]
    assert (summary.good_practice, summary.practice_concerns, summary.total) == (2, 3, 5)
    assert (summary.resolved_in_month, summary.open_at_month_end) == (2, 3)  # d, e; c, f, g
    february = alert_summary(scope=scope_for(world.people["iro"], today=TODAY), month=datetime.date(2026, 2, 1))
    assert _themes(february) == {"Management oversight": (0, 1)}
    assert (february.resolved_in_month, february.open_at_month_end) == (0, 2)  # e and f open at 28 February


def test_service_managers_see_their_own_areas_figures(world, month_of_alerts):
    summary = alert_summary(scope=scope_for(world.people["service_manager_same"], today=TODAY), month=TODAY)
    assert not summary.whole_service
    assert summary.areas == [world.area_a.name]
    assert _themes(summary) == {"Management oversight": (0, 1), "Voice of the child": (2, 1)}
    assert [s.concerns for s in summary.by_stage] == [1, 1]
    assert (summary.resolved_in_month, summary.open_at_month_end) == (2, 2)
    other = alert_summary(scope=scope_for(world.people["service_manager_other"], today=TODAY), month=TODAY)
    assert _themes(other) == {"Voice of the child": (0, 1)}


def test_the_summary_page_shows_figures_and_no_case_references_or_names(client, world, month_of_alerts):
    client.force_login(world.people["principal_social_worker"])
    response = client.get(reverse("feedback:alert-summary"), {"month": "2026-03"})
    body = response.content.decode()
    assert response.status_code == 200
    assert 'data-figure="resolved">2<' in body
    assert 'data-figure="open">3<' in body
    private = ["CASE-A", "CASE-B", world.case_a.child_initials + "<"]
    private += [a.summary for a in month_of_alerts.values()]
    private += [
        world.people[p].full_name for p in ("practitioner_own", "practitioner_other", "conference_chair", "iro")
    ]
    private += [world.team_a1.name, world.team_b1.name]
    leaked = [p for p in private if p in body]
    assert not leaked
    bad = client.get(reverse("feedback:alert-summary"), {"month": "March"})
    assert "<title>Error:" in bad.content.decode()
    for persona in ("team_manager_same", "practitioner_own", "participation_officer", "bi_officer"):
        client.force_login(world.people[persona])
        assert client.get(reverse("feedback:alert-summary")).status_code == 403


def test_the_summary_takes_the_same_queries_however_many_alerts(
    client, world, month_of_alerts, django_assert_max_num_queries
):
    client.force_login(world.people["service_manager_same"])
    url = reverse("feedback:alert-summary")
    client.get(url)
    with django_assert_max_num_queries(12) as few:
        client.get(url)
    for n in range(10):
        record_alert(world, kind=Kind.PRACTICE_CONCERN, meeting_on=datetime.date(2026, 3, n + 1))
    with django_assert_max_num_queries(len(few.captured_queries)):
        client.get(url)
    # The service call itself: areas' names, themes, stages and the concern figures.
    scope = scope_for(world.people["service_manager_same"], today=TODAY)
    with django_assert_max_num_queries(4):
        alert_summary(scope=scope, month=TODAY)


# --- links on "my work" -------------------------------------------------------------------------------
def test_chairs_and_iros_are_offered_recording_and_readers_the_summary(world):
    from feedback.links import programme_links

    def labels(persona: str) -> set[str]:
        scope = scope_for(world.people[persona], today=TODAY)
        return {label for label, _, allowed in programme_links(scope) if allowed}

    record, alerts, summary = (
        "Record a good-practice alert or practice concern",
        "Alerts from reviewing officers and chairs",
        "Reviewing officers' monthly summary",
    )
    assert {record, alerts, summary} <= labels("conference_chair")
    assert {record, alerts, summary} <= labels("iro")
    assert summary in labels("service_manager_same")
    assert summary in labels("principal_social_worker")
    assert record not in labels("qa_officer")
    assert summary not in labels("team_manager_same")
    assert not {record, alerts, summary} & labels("practitioner_own")


# --- administration -----------------------------------------------------------------------------------
def test_the_administrator_edits_stages_and_only_reads_alerts_and_voices(client, world):
    make_stages()
    alert = record_alert(world)
    admin_user = world.people["administrator"]
    admin_user.is_superuser = True
    admin_user.save()
    client.force_login(admin_user)
    stages = client.get(reverse("admin:feedback_disputestage_changelist"))
    assert stages.status_code == 200
    assert "Stage 2: raised with the team manager" in stages.content.decode()
    stage = DisputeStage.objects.get(key="director")
    changed = client.post(
        reverse("admin:feedback_disputestage_change", args=[stage.pk]),
        {"key": "director", "name": stage.name, "description": "", "position": 5},
    )
    assert changed.status_code == 302
    stage.refresh_from_db()
    assert stage.active is False
    assert client.get(reverse("admin:feedback_reviewingofficeralert_add")).status_code == 403
    assert client.get(reverse("admin:feedback_voiceentry_add")).status_code == 403
    assert client.post(reverse("admin:feedback_reviewingofficeralert_delete", args=[alert.pk])).status_code == 403
    assert ReviewingOfficerAlert.objects.filter(pk=alert.pk).exists()
