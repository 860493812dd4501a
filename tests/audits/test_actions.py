"""Actions for improvement: adding, editing, status and confirmation; who may do what and when;
the list of open actions (overdue first, query count fixed).

The usual audit is of case_a: auditor team_manager_other, practitioner practitioner_own, TM
team_manager_same (tests/audits/conftest.py).
"""

from __future__ import annotations

import datetime
import html
import re
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.contrib.messages import get_messages
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from audits.models import Action, ActionStatus, AuditStatus, Grade
from audits.services import actions as svc
from audits.services.practitioner import EditConflict

from ..factories import person_with_role
from .factories import allocate, mark_submitted

LONDON = ZoneInfo("Europe/London")
TODAY = datetime.date(2026, 11, 16)


@pytest.fixture(autouse=True)
def _frozen_clock():
    with time_machine.travel(datetime.datetime(2026, 11, 16, 10, 0, tzinfo=LONDON), tick=False):
        yield


def text_of(response) -> str:
    return html.unescape(response.content.decode())


def signed_in(client, world, persona):
    client.force_login(world.people[persona])
    return client


def messages_of(response) -> list[str]:
    return [str(m) for m in get_messages(response.wsgi_request)]


def date_fields(name: str, day: datetime.date | None) -> dict[str, str]:
    if day is None:
        return {f"{name}_0": "", f"{name}_1": "", f"{name}_2": ""}
    return {f"{name}_0": str(day.day), f"{name}_1": str(day.month), f"{name}_2": str(day.year)}


def add_url(audit) -> str:
    return reverse("audits:action-add", args=[audit.pk])


def edit_url(action) -> str:
    return reverse("audits:action-edit", args=[action.pk])


def confirm_url(action) -> str:
    return reverse("audits:action-confirm", args=[action.pk])


def new_action(audit, world, *, owner="practitioner_own", due=datetime.date(2026, 12, 1), **fields) -> Action:
    """An action made directly (the service's rules are tested on their own below)."""
    action = Action.objects.create(
        audit=audit,
        description=fields.pop("description", "Update the chronology with JB"),
        owner=world.people[owner],
        due_on=due,
        created_by=audit.auditor,
        version=1,
        **fields,
    )
    return action


# --- adding ---------------------------------------------------------------------------------------
def test_the_auditor_adds_an_action_while_the_audit_is_open(client, world, audit_a):
    auditor = signed_in(client, world, "team_manager_other")
    page = text_of(auditor.get(add_url(audit_a)))
    assert "Add an action for improvement" in page

    response = auditor.post(
        add_url(audit_a),
        {
            "description": "Visit JB at school",
            "owner": world.people["practitioner_own"].pk,
            **date_fields("due_on", datetime.date(2026, 12, 14)),
            "next": "/somewhere/",
        },
    )

    assert response.status_code == 302
    assert response["Location"] == "/somewhere/"
    action = Action.objects.get()
    assert (action.description, action.owner, action.due_on, action.status) == (
        "Visit JB at school",
        world.people["practitioner_own"],
        datetime.date(2026, 12, 14),
        ActionStatus.OPEN,
    )
    assert action.created_by == world.people["team_manager_other"]
    assert action.history.get().history_user == world.people["team_manager_other"]


def test_an_off_site_next_is_ignored(client, world, audit_a):
    response = signed_in(client, world, "team_manager_other").post(
        add_url(audit_a),
        {
            "description": "Visit",
            "owner": world.people["practitioner_own"].pk,
            **date_fields("due_on", TODAY),
            "next": "https://elsewhere.example/",
        },
    )
    assert response["Location"] == reverse("audits:audit-detail", args=[audit_a.pk])


def test_the_owner_choices_are_the_team_the_practitioner_and_the_auditor(client, world, audit_a):
    page = text_of(signed_in(client, world, "team_manager_other").get(add_url(audit_a)))

    for persona in ("practitioner_own", "team_manager_same", "team_manager_other"):
        assert world.people[persona].full_name in page
    for persona in ("practitioner_other", "service_manager_other"):
        assert world.people[persona].full_name not in page


def test_adding_checks_what_owner_and_due_date_with_the_error_summary(client, world, audit_a):
    response = signed_in(client, world, "team_manager_other").post(
        add_url(audit_a),
        {
            "description": "",
            "owner": world.people["practitioner_other"].pk,
            **date_fields("due_on", datetime.date(2026, 11, 13)),
        },
    )

    assert response.status_code == 200
    text = text_of(response)
    assert "<title>Error: " in text
    assert '<a href="#id_description">Enter what needs to happen</a>' in text
    assert '<a href="#id_owner">Choose an owner from the list</a>' in text
    assert '<a href="#id_due_on_0">The due date must be today or in the future</a>' in text
    assert not Action.objects.exists()


def test_an_impossible_date_is_an_error_and_the_input_is_kept(client, world, audit_a):
    response = signed_in(client, world, "team_manager_other").post(
        add_url(audit_a),
        {
            "description": "Keep me",
            "owner": world.people["practitioner_own"].pk,
            "due_on_0": "31",
            "due_on_1": "2",
            "due_on_2": "2027",
        },
    )
    text = text_of(response)
    assert '<a href="#id_due_on_0">Enter the due date as a real date</a>' in text
    assert "Keep me" in text
    assert 'value="31"' in text
    assert not Action.objects.exists()


@pytest.mark.parametrize(
    ("persona", "status"),
    [
        ("team_manager_same", 403),  # the TM adds actions only after submission
        ("practitioner_own", 403),
        ("qa_officer", 403),
        ("practitioner_other", 404),
        ("service_manager_other", 404),
    ],
)
def test_only_the_auditor_adds_before_submission(client, world, audit_a, persona, status):
    data = {"description": "x", "owner": world.people["practitioner_own"].pk, **date_fields("due_on", TODAY)}
    assert signed_in(client, world, persona).get(add_url(audit_a)).status_code == status
    assert signed_in(client, world, persona).post(add_url(audit_a), data).status_code == status
    assert not Action.objects.exists()


def test_after_submission_the_tm_adds_and_the_auditor_no_longer_can(client, world, audit_a):
    mark_submitted(audit_a, grade=Grade.REQUIRES_IMPROVEMENT)
    data = {"description": "Supervision to review the plan", "owner": world.people["team_manager_same"].pk}
    data |= date_fields("due_on", datetime.date(2026, 12, 1))

    assert signed_in(client, world, "team_manager_other").post(add_url(audit_a), data).status_code == 403
    response = signed_in(client, world, "team_manager_same").post(add_url(audit_a), data)

    assert response.status_code == 302
    assert Action.objects.get().created_by == world.people["team_manager_same"]


def test_a_cancelled_audit_takes_no_actions(client, world, audit_a):
    audit_a.status = AuditStatus.CANCELLED
    audit_a.save()
    assert signed_in(client, world, "team_manager_other").get(add_url(audit_a)).status_code == 403
    with pytest.raises(svc.ActionError, match="cancelled"):
        svc.action_create(
            audit=audit_a,
            actor=world.people["team_manager_other"],
            description="x",
            owner=world.people["practitioner_own"],
            due_on=TODAY,
        )


def test_adding_is_get_or_post_only(client, world, audit_a):
    assert signed_in(client, world, "team_manager_other").put(add_url(audit_a)).status_code == 405


# --- editing what, owner and due ------------------------------------------------------------------
def test_the_auditor_edits_an_action_and_a_no_op_save_writes_no_history(client, world, audit_a):
    action = new_action(audit_a, world)
    auditor = signed_in(client, world, "team_manager_other")
    data = {
        "part": "details",
        "description": "Visit JB at home",
        "owner": world.people["team_manager_same"].pk,
        "version": 1,
        **date_fields("due_on", datetime.date(2026, 12, 2)),
    }

    assert auditor.post(edit_url(action), data).status_code == 302
    action.refresh_from_db()
    assert (action.description, action.owner, action.due_on, action.version) == (
        "Visit JB at home",
        world.people["team_manager_same"],
        datetime.date(2026, 12, 2),
        2,
    )
    rows = action.history.count()
    assert action.history.first().history_user == world.people["team_manager_other"]

    assert auditor.post(edit_url(action), {**data, "version": 2}).status_code == 302
    action.refresh_from_db()
    assert action.version == 2
    assert action.history.count() == rows


def test_two_people_editing_one_action_see_both_texts(client, world, audit_a):
    action = new_action(audit_a, world, description="Original")
    svc.action_update(
        action=action,
        actor=world.people["team_manager_other"],
        description="Changed in another tab",
        owner=world.people["practitioner_own"],
        due_on=action.due_on,
        version=1,
    )

    response = signed_in(client, world, "team_manager_other").post(
        edit_url(action),
        {
            "part": "details",
            "description": "Changed here",
            "owner": world.people["practitioner_own"].pk,
            "version": 1,
            **date_fields("due_on", action.due_on),
        },
    )

    assert response.status_code == 409
    text = text_of(response)
    assert "Changed in another tab" in text
    assert "Changed here" in text
    action.refresh_from_db()
    assert action.description == "Changed in another tab"


def test_the_auditor_cannot_edit_after_submission_but_the_tm_can(client, world, audit_a):
    action = new_action(audit_a, world)
    mark_submitted(audit_a, grade=Grade.REQUIRES_IMPROVEMENT)

    assert signed_in(client, world, "team_manager_other").get(edit_url(action)).status_code == 403
    text = text_of(signed_in(client, world, "team_manager_same").get(edit_url(action)))
    assert "Change the action" in text
    assert "Progress" in text


def test_an_unchanged_past_due_date_may_stay_when_the_text_changes(world, audit_a):
    action = new_action(audit_a, world, due=datetime.date(2026, 11, 10))
    updated = svc.action_update(
        action=action,
        actor=world.people["team_manager_other"],
        description="Reworded",
        owner=action.owner,
        due_on=action.due_on,
        version=1,
    )
    assert updated.description == "Reworded"
    with pytest.raises(svc.ActionError, match="today or in the future"):
        svc.action_update(
            action=action,
            actor=world.people["team_manager_other"],
            description="Reworded",
            owner=action.owner,
            due_on=datetime.date(2026, 11, 11),
            version=2,
        )


# --- status -----------------------------------------------------------------------------------------
def status_data(status, completed=None, evidence="", version=1):
    return {"part": "status", "status": status, "evidence": evidence, "version": version} | date_fields(
        "completed_on", completed
    )


def test_the_owner_marks_their_action_done_with_a_date_and_evidence(client, world, audit_a):
    action = new_action(audit_a, world)
    mark_submitted(audit_a, grade=Grade.REQUIRES_IMPROVEMENT)
    owner = signed_in(client, world, "practitioner_own")
    text = text_of(owner.get(edit_url(action)))
    assert "Progress" in text
    assert "Change the action" not in text  # what, owner and due are not the owner's to change

    response = owner.post(edit_url(action), status_data("done", TODAY, "Recorded in supervision notes"))

    assert response.status_code == 302
    assert response["Location"] == reverse("audits:action-list")
    action.refresh_from_db()
    assert (action.status, action.completed_on, action.evidence) == (
        ActionStatus.DONE,
        TODAY,
        "Recorded in supervision notes",
    )
    assert action.history.first().history_user == world.people["practitioner_own"]


@pytest.mark.parametrize(
    ("data", "message", "target"),
    [
        (status_data("done"), "Enter the date the action was completed", "id_completed_on_0"),
        (
            status_data("done", datetime.date(2026, 11, 17)),
            "The completion date must be today or in the past",
            "id_completed_on_0",
        ),
        (status_data("done", TODAY, "x" * 301), "Evidence must be 300 characters or fewer", "id_evidence"),
        ({**status_data("done", TODAY), "status": ""}, "Choose the status of the action", "id_status_1"),
    ],
)
def test_status_validation(client, world, audit_a, data, message, target):
    action = new_action(audit_a, world)
    mark_submitted(audit_a)

    response = signed_in(client, world, "practitioner_own").post(edit_url(action), data)

    assert response.status_code == 200
    text = text_of(response)
    assert f'<a href="#{target}">{message}</a>' in text
    action.refresh_from_db()
    assert action.status == ActionStatus.OPEN


def test_status_cannot_change_before_submission(client, world, audit_a):
    action = new_action(audit_a, world)

    assert signed_in(client, world, "practitioner_own").get(edit_url(action)).status_code == 403
    response = signed_in(client, world, "practitioner_own").post(edit_url(action), status_data("done", TODAY))
    assert response.status_code == 403
    with pytest.raises(svc.ActionError, match="once the audit is submitted"):
        svc.action_set_status(
            action=action,
            actor=world.people["practitioner_own"],
            status="done",
            completed_on=TODAY,
            evidence="",
            version=1,
        )
    action.refresh_from_db()
    assert action.status == ActionStatus.OPEN


def test_an_owner_waits_for_the_talk_through_of_an_inadequate_grade(client, world, audit_a):
    action = new_action(audit_a, world)
    mark_submitted(audit_a, grade=Grade.INADEQUATE)

    assert signed_in(client, world, "practitioner_own").get(edit_url(action)).status_code == 403
    assert signed_in(client, world, "team_manager_same").get(edit_url(action)).status_code == 200


def test_an_owner_outside_the_audits_line_reaches_their_action_but_not_others(client, world, audit_a):
    colleague = person_with_role("practitioner", team=world.team_a1, email="colleague@example.test")
    mine = Action.objects.create(
        audit=audit_a, description="Mine", owner=colleague, due_on=TODAY, created_by=audit_a.auditor, version=1
    )
    theirs = new_action(audit_a, world)
    mark_submitted(audit_a)
    client.force_login(colleague)

    assert client.get(edit_url(mine)).status_code == 200
    assert client.get(edit_url(theirs)).status_code == 404


@pytest.mark.parametrize(("persona", "status"), [("practitioner_other", 404), ("team_manager_other", 403)])
def test_someone_elses_action_is_refused(client, world, audit_a, persona, status):
    action = new_action(audit_a, world)
    mark_submitted(audit_a)
    response = signed_in(client, world, persona).post(edit_url(action), status_data("done", TODAY))
    assert response.status_code == status
    action.refresh_from_db()
    assert action.status == ActionStatus.OPEN


def test_a_status_change_undoes_a_confirmation(world, audit_a):
    action = new_action(audit_a, world)
    mark_submitted(audit_a)
    actor = world.people["practitioner_own"]
    action = svc.action_set_status(
        action=action, actor=actor, status="done", completed_on=TODAY, evidence="", version=1
    )
    action = svc.action_confirm(action=action, actor=world.people["team_manager_same"])
    assert action.confirmed_by == world.people["team_manager_same"]

    action = svc.action_set_status(
        action=action, actor=actor, status="open", completed_on=None, evidence="", version=action.version
    )

    assert action.confirmed_at is None
    assert action.completed_on is None


def test_a_stale_status_change_is_a_conflict(world, audit_a):
    action = new_action(audit_a, world)
    mark_submitted(audit_a)
    svc.action_set_status(
        action=action,
        actor=world.people["team_manager_same"],
        status="not_done",
        completed_on=None,
        evidence="",
        version=1,
    )
    with pytest.raises(EditConflict) as caught:
        svc.action_set_status(
            action=action,
            actor=world.people["practitioner_own"],
            status="done",
            completed_on=TODAY,
            evidence="",
            version=1,
        )
    assert {(c.label, c.theirs, c.yours) for c in caught.value.clashes} >= {("Status", "Not done", "Done")}


# --- confirming -------------------------------------------------------------------------------------
def test_the_tm_confirms_a_done_action(client, world, audit_a):
    action = new_action(audit_a, world, status=ActionStatus.DONE, completed_on=TODAY)
    mark_submitted(audit_a)

    response = signed_in(client, world, "team_manager_same").post(confirm_url(action))

    assert response.status_code == 302
    assert "Action confirmed as complete." in messages_of(response)
    action.refresh_from_db()
    assert action.confirmed_by == world.people["team_manager_same"]
    assert action.confirmed_at is not None
    assert action.history.first().history_user == world.people["team_manager_same"]


def test_an_open_action_cannot_be_confirmed(client, world, audit_a):
    action = new_action(audit_a, world)
    mark_submitted(audit_a)

    response = signed_in(client, world, "team_manager_same").post(confirm_url(action))

    assert response.status_code == 302
    assert "Only an action marked done can be confirmed." in messages_of(response)
    action.refresh_from_db()
    assert action.confirmed_at is None


def test_confirming_twice_is_refused(world, audit_a):
    action = new_action(audit_a, world, status=ActionStatus.DONE, completed_on=TODAY)
    mark_submitted(audit_a)
    svc.action_confirm(action=action, actor=world.people["team_manager_same"])
    with pytest.raises(svc.ActionError, match="already been confirmed"):
        svc.action_confirm(action=action, actor=world.people["team_manager_same"])


@pytest.mark.parametrize(
    ("persona", "status"),
    [
        ("practitioner_own", 403),
        ("team_manager_other", 403),
        ("service_manager_same", 403),
        ("practitioner_other", 404),
    ],
)
def test_only_the_tm_confirms(client, world, audit_a, persona, status):
    action = new_action(audit_a, world, status=ActionStatus.DONE, completed_on=TODAY)
    mark_submitted(audit_a)
    assert signed_in(client, world, persona).post(confirm_url(action)).status_code == status
    action.refresh_from_db()
    assert action.confirmed_at is None


def test_confirming_is_post_only(client, world, audit_a):
    action = new_action(audit_a, world, status=ActionStatus.DONE, completed_on=TODAY)
    mark_submitted(audit_a)
    assert signed_in(client, world, "team_manager_same").get(confirm_url(action)).status_code == 405


def test_confirming_waits_for_submission(world, audit_a):
    action = new_action(audit_a, world, status=ActionStatus.DONE, completed_on=TODAY)
    with pytest.raises(svc.ActionError):
        svc.action_confirm(action=action, actor=world.people["team_manager_same"])


# --- the list ----------------------------------------------------------------------------------------
LIST_URL = reverse("audits:action-list")


def test_the_owner_sees_their_open_actions_overdue_first(client, world, audit_a):
    new_action(audit_a, world, description="Later one", due=datetime.date(2026, 12, 20))
    new_action(audit_a, world, description="Overdue one", due=datetime.date(2026, 11, 12))
    new_action(audit_a, world, description="Done one", status=ActionStatus.DONE, completed_on=TODAY)
    mark_submitted(audit_a)

    text = text_of(signed_in(client, world, "practitioner_own").get(LIST_URL))

    own = re.search(r'<table class="govuk-table" id="own-actions">(.*?)</table>', text, re.S).group(1)
    assert own.index("Overdue one") < own.index("Later one")
    assert re.search(r"12 Nov 2026\s*<strong class=\"govuk-tag govuk-tag--red\">Overdue</strong>", own)
    assert "Done one" not in own
    assert "Your team's open actions" not in text


def test_the_tm_sees_the_teams_open_overdue_and_done_actions(client, world, audit_a):
    new_action(audit_a, world, description="Open team action", due=datetime.date(2026, 12, 20))
    new_action(audit_a, world, description="Overdue team action", due=datetime.date(2026, 11, 2))
    new_action(audit_a, world, description="Done team action", status=ActionStatus.DONE, completed_on=TODAY)
    mark_submitted(audit_a)

    text = text_of(signed_in(client, world, "team_manager_same").get(LIST_URL))

    team = re.search(r'<table class="govuk-table" id="team-actions">(.*?)</table>', text, re.S).group(1)
    assert team.index("Overdue team action") < team.index("Open team action")
    assert "Overdue</strong>" in team
    confirm = re.search(r'<table class="govuk-table" id="to-confirm">(.*?)</table>', text, re.S).group(1)
    assert "Done team action" in confirm
    assert "Confirm" in confirm


def test_draft_actions_are_not_listed_for_owners_or_the_tm(client, world, audit_a):
    new_action(audit_a, world, description="Draft action")
    for persona in ("practitioner_own", "team_manager_same"):
        assert "Draft action" not in text_of(signed_in(client, world, persona).get(LIST_URL))


def test_another_teams_actions_are_not_listed(client, world, audit_a):
    new_action(audit_a, world, description="Team A action")
    mark_submitted(audit_a)
    for persona in ("practitioner_other", "team_manager_other", "service_manager_other"):
        text = text_of(signed_in(client, world, persona).get(LIST_URL))
        assert "Team A action" not in text
        assert "CASE-A" not in text


def test_the_list_is_get_only(client, world):
    assert signed_in(client, world, "practitioner_own").post(LIST_URL).status_code == 405


def _list_queries(client, world) -> int:
    with CaptureQueriesContext(connection) as queries:
        response = client.get(LIST_URL)
    assert response.status_code == 200
    return len(queries)


def test_the_list_makes_the_same_number_of_queries_for_few_and_many_actions(client, world, audit_a, tool):
    mark_submitted(audit_a)
    client.force_login(world.people["team_manager_same"])
    new_action(audit_a, world, owner="team_manager_same")
    new_action(audit_a, world, status=ActionStatus.DONE, completed_on=TODAY)
    few = _list_queries(client, world)

    second = allocate(world.case_restricted, world.people["team_manager_other"], version=tool)
    mark_submitted(second)
    for n in range(10):
        new_action(second, world, owner="team_manager_same", description=f"Own {n}")
        new_action(second, world, owner="practitioner_own", description=f"Team {n}", due=TODAY - datetime.timedelta(n))
        new_action(second, world, status=ActionStatus.DONE, completed_on=TODAY, description=f"Done {n}")
    many = _list_queries(client, world)

    # Session and user, the scope (role assignments, duties), the own list, the team page (count
    # and rows), the list to confirm — whatever the number of rows.
    assert many == few


def test_owners_are_reminded_once_when_an_action_passes_its_due_date(world, audit_a):
    from core.models import Notification

    draft_action = new_action(audit_a, world, due=datetime.date(2026, 11, 10))
    assert svc.action_overdue_reminders_send(today=TODAY) == 0  # the audit is still a draft
    mark_submitted(audit_a)
    due_today = new_action(audit_a, world, due=TODAY)

    assert svc.action_overdue_reminders_send(today=TODAY) == 1
    assert svc.action_overdue_reminders_send(today=TODAY + datetime.timedelta(days=1)) == 1  # the second one
    assert svc.action_overdue_reminders_send(today=TODAY + datetime.timedelta(days=2)) == 0
    reminders = Notification.objects.filter(kind="action-overdue").order_by("pk")
    assert [n.url for n in reminders] == [edit_url(draft_action), edit_url(due_today)]
    assert {n.recipient for n in reminders} == {world.people["practitioner_own"]}
    assert all("CASE-A" not in n.message for n in reminders)


def test_an_owner_who_has_left_the_team_stays_when_only_the_text_changes(client, world, audit_a):
    leaver = person_with_role(
        "practitioner", team=world.team_a1, email="leaver@example.test", ends_on=datetime.date(2026, 11, 1)
    )
    action = Action.objects.create(
        audit=audit_a, description="Before", owner=leaver, due_on=TODAY, created_by=audit_a.auditor, version=1
    )
    auditor = signed_in(client, world, "team_manager_other")
    assert leaver.full_name in text_of(auditor.get(edit_url(action)))

    response = auditor.post(
        edit_url(action),
        {"part": "details", "description": "After", "owner": leaver.pk, "version": 1, **date_fields("due_on", TODAY)},
    )

    assert response.status_code == 302
    action.refresh_from_db()
    assert (action.description, action.owner) == ("After", leaver)
    with pytest.raises(svc.ActionError, match="Choose an owner"):
        svc.action_create(
            audit=audit_a, actor=world.people["team_manager_other"], description="x", owner=leaver, due_on=TODAY
        )
