"""My work, for audits: each persona sees their own real items and nothing of another team's.

The scene (built by ``scene``): in team A1, a draft audit of case_a (reflection before due, an
immediate concern with no action, overdue), a submitted audit of the restricted case (to read
and respond to, its "after" reflection due, two actions), and an Inadequate audit of case_a to
talk through; in team B1, a draft audit of case_b allocated to team_manager_same and a
submitted audit of case_b with an action and an overdue concern.
"""

from __future__ import annotations

import datetime
import html
import re
from dataclasses import dataclass
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from audits.models import Action, ActionStatus, Audit, Grade, ImmediateConcern
from audits.mywork import my_work
from organisation.scope import scope_for

from ..factories import marker
from .factories import allocate, mark_submitted

LONDON = ZoneInfo("Europe/London")
TODAY = datetime.date(2026, 11, 16)


@pytest.fixture(autouse=True)
def _frozen_clock():
    with time_machine.travel(datetime.datetime(2026, 11, 16, 10, 0, tzinfo=LONDON), tick=False):
        yield


@dataclass
class Scene:
    draft_a: Audit
    done_r: Audit
    inadequate_a: Audit
    draft_b: Audit
    done_b: Audit
    own_action: str
    done_action: str
    b_action: str


def concern(audit, *, due: datetime.date) -> ImmediateConcern:
    return ImmediateConcern.objects.create(
        audit=audit,
        raised_by=audit.auditor,
        raised_at=datetime.datetime.combine(due - datetime.timedelta(days=1), datetime.time(9), tzinfo=LONDON),
        description=f"Concern {marker()}",
        action_due_on=due,
    )


def action(audit, owner, description, *, due, **fields) -> Action:
    return Action.objects.create(
        audit=audit, description=description, owner=owner, due_on=due, created_by=audit.auditor, **fields
    )


@pytest.fixture
def scene(world, tool) -> Scene:
    p = world.people
    qa = p["qa_officer"]
    draft_a = allocate(world.case_a, p["team_manager_other"], version=tool, actor=qa)
    done_r = allocate(world.case_restricted, p["team_manager_other"], version=tool, actor=qa)
    mark_submitted(done_r, grade=Grade.REQUIRES_IMPROVEMENT, on=datetime.date(2026, 10, 12))
    inadequate_a = allocate(world.case_a, p["team_manager_other"], version=tool, actor=qa)
    mark_submitted(inadequate_a, grade=Grade.INADEQUATE)
    draft_b = allocate(world.case_b, p["team_manager_same"], version=tool, actor=qa)
    done_b = allocate(world.case_b, p["qa_manager"], version=tool, actor=qa)
    mark_submitted(done_b)
    s = Scene(
        draft_a=draft_a,
        done_r=done_r,
        inadequate_a=inadequate_a,
        draft_b=draft_b,
        done_b=done_b,
        own_action=f"Own action {marker()}",
        done_action=f"Done action {marker()}",
        b_action=f"B action {marker()}",
    )
    action(done_r, p["practitioner_own"], s.own_action, due=datetime.date(2026, 11, 13))
    action(done_r, p["team_manager_same"], s.done_action, due=TODAY, status=ActionStatus.DONE, completed_on=TODAY)
    action(done_b, p["practitioner_other"], s.b_action, due=datetime.date(2026, 12, 1))
    concern(draft_a, due=datetime.date(2026, 11, 13))
    concern(done_b, due=datetime.date(2026, 11, 12))
    return s


def home(client, world, persona) -> str:
    client.force_login(world.people[persona])
    response = client.get(reverse("home"))
    assert response.status_code == 200
    return html.unescape(response.content.decode())


def section(text: str, list_id: str) -> str:
    found = re.search(rf'<ul class="govuk-list govuk-list--spaced" id="{list_id}">(.*?)</ul>', text, re.S)
    assert found, f"{list_id} is not on the page"
    return found.group(1)


def test_the_practitioner_sees_what_to_reflect_on_read_and_respond_to_and_their_actions(client, world, scene):
    text = home(client, world, "practitioner_own")

    assert "Reflect before the audit of CASE-A" in section(text, "work-reflect-before")
    respond = section(text, "work-to-respond")
    assert "Read the audit of CASE-R" in respond
    assert "respond by 19 October 2026" in respond
    assert "Date passed" in respond
    # The Inadequate audit waits for the talk-through.
    assert respond.count("Read the audit of") == 1
    assert "Reflect on the audit of CASE-R" in section(text, "work-reflect-after")
    mine = section(text, "work-my-actions")
    assert scene.own_action in mine
    assert "Overdue" in mine
    assert scene.done_action not in text
    for foreign in ("CASE-B", scene.b_action, world.team_b1.name, world.area_b.name):
        assert foreign not in text


def test_the_team_manager_sees_the_teams_actions_talk_throughs_concerns_and_their_own_audit(client, world, scene):
    text = home(client, world, "team_manager_same")

    assert "Audit of CASE-B" in section(text, "work-to-audit")  # allocated to them as auditor
    assert "Open: 1, of which overdue: 1" in text
    confirm = section(text, "work-to-confirm")
    assert scene.done_action in confirm
    assert "Confirm it is complete" in confirm
    talk = section(text, "work-talk-through")
    assert "Audit of CASE-A" in talk
    assert "Record that you have talked it through" in talk
    concerns = section(text, "work-concerns-to-action")
    assert "Concern about CASE-A" in concerns
    assert "Concern about CASE-B" not in text
    for foreign in (
        scene.b_action,
        world.team_b1.name,
        world.area_b.name,
        world.people["practitioner_other"].full_name,
    ):
        assert foreign not in text


def test_the_other_teams_manager_sees_only_their_teams_items(client, world, scene):
    text = home(client, world, "team_manager_other")

    # Allocated to them as auditor (a team A case): the one thing of team A they see.
    assert "Audit of CASE-A" in section(text, "work-to-audit")
    assert "Open: 1, of which overdue: 0" in text
    assert "Concern about CASE-B" in section(text, "work-concerns-to-action")
    # (They audited CASE-R themselves, so its allocation message may name it; nothing else of
    # team A's work is theirs to see.)
    assert "Audit of CASE-R" not in section(text, "work-to-audit")
    for foreign in (
        "Concern about CASE-A",
        scene.own_action,
        scene.done_action,
        world.team_a1.name,
        world.area_a.name,
        world.people["practitioner_own"].full_name,
    ):
        assert foreign not in text
    assert 'id="work-talk-through"' not in text


@pytest.mark.parametrize(
    ("persona", "sees", "not_sees"),
    [
        ("service_manager_same", "Concern about CASE-A", "Concern about CASE-B"),
        ("service_manager_other", "Concern about CASE-B", "Concern about CASE-A"),
    ],
)
def test_service_managers_see_overdue_concerns_in_their_area(client, world, scene, persona, sees, not_sees):
    text = home(client, world, persona)
    overdue = section(text, "work-concerns-overdue")
    assert sees in overdue
    assert "Overdue" in overdue
    assert not_sees not in text


def test_the_qa_team_sees_every_overdue_concern(client, world, scene):
    overdue = section(home(client, world, "qa_officer"), "work-concerns-overdue")
    assert "Concern about CASE-A" in overdue
    assert "Concern about CASE-B" in overdue


def test_a_concern_is_not_overdue_on_its_due_day_and_leaves_once_actioned(client, world, scene):
    concern(scene.draft_b, due=TODAY)  # raised yesterday: its action is due today
    overdue = section(home(client, world, "service_manager_other"), "work-concerns-overdue")
    assert overdue.count("Concern about CASE-B") == 1  # only done_b's, due on the 12th

    ImmediateConcern.objects.filter(audit=scene.done_b).update(
        action_taken="Strategy discussion held", action_recorded_at=datetime.datetime(2026, 11, 13, tzinfo=LONDON)
    )
    assert 'id="work-concerns-overdue"' not in home(client, world, "service_manager_other")
    # The TM still sees the new one, waiting for their action.
    assert "Concern about CASE-B" in section(home(client, world, "team_manager_other"), "work-concerns-to-action")


def test_the_other_practitioner_sees_their_action_and_nothing_of_team_a(client, world, scene):
    text = home(client, world, "practitioner_other")
    assert scene.b_action in section(text, "work-my-actions")
    for foreign in ("CASE-A", "CASE-R", scene.own_action, world.team_a1.name, world.area_a.name):
        assert foreign not in text


@pytest.mark.parametrize("persona", ["iro", "participation_officer", "bi_officer", "administrator"])
def test_people_with_nothing_to_do_see_no_audit_section(client, world, scene, persona):
    text = home(client, world, persona)
    assert "Audits and actions" not in text
    assert "CASE-" not in text


def test_overdue_audits_to_complete_are_marked(client, world, scene):
    Audit.objects.filter(pk=scene.draft_b.pk).update(due_on=datetime.date(2026, 11, 13))
    to_audit = section(home(client, world, "team_manager_same"), "work-to-audit")
    assert re.search(r"due 13 November 2026\s*<strong class=\"govuk-tag govuk-tag--red\">Overdue</strong>", to_audit)


def _queries(scope) -> int:
    with CaptureQueriesContext(connection) as queries:
        my_work(scope, today=TODAY)
    return len(queries)


@pytest.mark.parametrize("persona", ["practitioner_own", "team_manager_same", "service_manager_same", "qa_officer"])
def test_my_work_makes_the_same_number_of_queries_for_few_and_many_rows(world, scene, tool, persona):
    scope = scope_for(world.people[persona], today=TODAY)
    few = _queries(scope)

    p = world.people
    for n in range(8):
        extra = allocate(world.case_restricted, p["team_manager_other"], version=tool, actor=p["qa_officer"])
        mark_submitted(extra, grade=Grade.INADEQUATE if n % 2 else Grade.GOOD, on=datetime.date(2026, 10, 12))
        action(extra, p["practitioner_own"], f"Extra {n}", due=datetime.date(2026, 11, 1))
        action(extra, p["team_manager_same"], f"Done {n}", due=TODAY, status=ActionStatus.DONE, completed_on=TODAY)
        concern(extra, due=datetime.date(2026, 11, 2))
        allocate(world.case_a, p["team_manager_other"], version=tool, actor=p["qa_officer"])
    many = _queries(scope)

    # One query per list or count, whatever the number of rows (no query per row).
    assert many == few


def test_a_closed_audit_no_longer_asks_for_a_response(client, world, scene):
    Audit.objects.filter(pk=scene.done_r.pk).update(status="closed")
    text = home(client, world, "practitioner_own")
    assert 'id="work-to-respond"' not in text
    assert "Reflect on the audit of CASE-R" in section(text, "work-reflect-after")
