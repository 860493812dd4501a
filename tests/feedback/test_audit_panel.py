"""The family's view beside the practitioner's on the audit's pages (DESIGN section 6), respecting
what each family chose: named, without a name, or not shared with the worker at all."""

from __future__ import annotations

import pytest
from django.urls import reverse

from feedback.models import Outcome, Sharing
from feedback.services.participation import participation_outcome_record
from tests.audits.factories import mark_submitted

from .conftest import submit_response

pytestmark = pytest.mark.usefixtures("clock")

NAMED = "Named parent words MK-N"
ANONYMOUS = "Anonymous child words MK-A"
NOT_SHARED = "Words kept from the worker MK-X"


@pytest.fixture
def answered(world, questionnaires, ready_task):
    """Three answers to one audit: a parent named, a child anonymous, a parent not shared."""
    mark_submitted(ready_task.audit, practitioner_view_of_progress="no_change")
    parent, child = questionnaires["parent"], questionnaires["child"]
    submit_response(
        ready_task,
        parent,
        answers={"changed": NAMED, "progress": "much_better"},
        sharing=Sharing.NAMED,
        respondent="Mum",
        respondent_name="Jo Invented",
    )
    submit_response(ready_task, child, answers={"changed": ANONYMOUS, "progress": "better"}, sharing=Sharing.ANONYMOUS)
    submit_response(
        ready_task,
        parent,
        answers={"changed": NOT_SHARED, "progress": "much_worse"},
        sharing=Sharing.NOT_SHARED,
        respondent="Grandad",
        respondent_name="Ignored",
    )
    return ready_task.audit


def _panel(client, url):
    html = client.get(url).content.decode()
    assert 'id="family-view"' in html, "the panel is missing"
    return html.split('id="family-view"', 1)[1].split("</section>", 1)[0]


@pytest.mark.parametrize("persona", ["team_manager_other", "team_manager_same", "service_manager_same"])
def test_the_auditor_and_managers_see_only_shared_answers_named_only_when_chosen(client, world, answered, persona):
    client.force_login(world.people[persona])
    panel = _panel(client, reverse("audits:audit-detail", args=[answered.pk]))
    assert NAMED in panel
    assert "Jo Invented (Mum)" in panel
    assert ANONYMOUS in panel
    assert "A child or young person" in panel
    assert NOT_SHARED not in panel
    assert "Much worse" not in panel
    assert "Grandad" not in panel
    assert "Not shared with the worker" not in panel
    # The family's view beside the practitioner's, with the gap marked.
    assert "Much better" in panel
    assert "No change" in panel
    assert "2 steps apart" in panel


def test_the_practitioner_sees_the_same_on_their_own_page(client, world, answered):
    client.force_login(world.people["practitioner_own"])
    panel = _panel(client, reverse("audits:audit-practitioner", args=[answered.pk]))
    assert NAMED in panel
    assert "Jo Invented" in panel
    assert ANONYMOUS in panel
    assert NOT_SHARED not in panel
    assert "Grandad" not in panel


def test_the_qa_team_sees_every_answer_marked_when_not_shared(client, world, answered):
    client.force_login(world.people["qa_officer"])
    panel = _panel(client, reverse("audits:audit-detail", args=[answered.pk]))
    assert NAMED in panel
    assert ANONYMOUS in panel
    assert NOT_SHARED in panel
    assert "Not shared with the worker" in panel
    assert "Much worse" in panel
    # Who answered, in their words, but a name only where the family gave one to share.
    assert "A parent or carer (Grandad)" in panel
    assert "Ignored" not in panel


def test_only_unshared_answers_tell_the_worker_no_more_than_that(client, world, questionnaires, ready_task):
    mark_submitted(ready_task.audit, practitioner_view_of_progress="better")
    submit_response(ready_task, questionnaires["parent"], answers={"changed": NOT_SHARED}, sharing=Sharing.NOT_SHARED)
    client.force_login(world.people["practitioner_own"])
    panel = _panel(client, reverse("audits:audit-practitioner", args=[ready_task.audit_id]))
    assert "chose not to share them with the worker" in panel
    assert NOT_SHARED not in panel


def test_without_a_response_the_panel_shows_where_things_are(client, world, feedback_audit):
    client.force_login(world.people["team_manager_same"])
    url = reverse("audits:audit-detail", args=[feedback_audit.pk])
    assert "Waiting for the team manager" in _panel(client, url)
    task = feedback_audit.participation_task
    from .conftest import make_ready

    make_ready(task, world.people["team_manager_same"])
    participation_outcome_record(
        task=task, outcome=Outcome.NOT_APPROPRIATE, reason="Private reason MK-R", actor=world.people["qa_officer"]
    )
    panel = _panel(client, url)
    assert "Outcome: Not appropriate" in panel
    assert "Private reason MK-R" not in panel
    client.force_login(world.people["qa_officer"])
    assert "Private reason MK-R" in _panel(client, url)


def test_a_re_audit_has_no_panel(client, world):
    from .conftest import allocate_audit

    audit = allocate_audit(world, kind="re_audit")
    client.force_login(world.people["qa_officer"])
    assert 'id="family-view"' not in client.get(reverse("audits:audit-detail", args=[audit.pk])).content.decode()
