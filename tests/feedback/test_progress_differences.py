"""The differences report: audits where the family's view of progress is two or more steps from the
practitioner's, in the viewer's audit scope, without practitioner names; answers not shared with
the worker only for the QA team."""

from __future__ import annotations

import pytest
from django.urls import reverse

from feedback.models import Sharing
from tests.audits.factories import mark_submitted
from tests.factories import CaseFileFactory

from .conftest import allocate_audit, make_ready, submit_response

pytestmark = pytest.mark.usefixtures("clock")
URL = reverse("feedback:progress-differences")


def _answered(world, questionnaires, reference, *, practitioner, family, sharing=Sharing.ANONYMOUS, team=None):
    case = CaseFileFactory(
        case_reference=reference, team=team or world.team_a1, practitioner=world.people["practitioner_own"]
    )
    audit = mark_submitted(allocate_audit(world, case), practitioner_view_of_progress=practitioner)
    task = make_ready(audit.participation_task, world.people["team_manager_same"])
    submit_response(task, questionnaires["parent"], answers={"progress": family}, sharing=sharing)
    return audit


@pytest.fixture
def answered(world, questionnaires):
    return {
        "two": _answered(world, questionnaires, "DIFF-TWO", practitioner="better", family="worse"),
        "four": _answered(world, questionnaires, "DIFF-FOUR", practitioner="much_worse", family="much_better"),
        "one": _answered(world, questionnaires, "DIFF-ONE", practitioner="better", family="much_better"),
        "hidden": _answered(
            world, questionnaires, "DIFF-HIDDEN", practitioner="much_better", family="worse", sharing=Sharing.NOT_SHARED
        ),
        "other_team": _answered(
            world, questionnaires, "DIFF-B1", practitioner="worse", family="much_better", team=world.team_b1
        ),
    }


def _rows(html: str) -> str:
    marker = 'id="progress-differences"'
    return html.split(marker, 1)[1].split("</table>", 1)[0] if marker in html else ""


def test_two_or_more_steps_are_in_one_step_is_out_and_unshared_answers_are_left_out_for_a_tm(client, world, answered):
    client.force_login(world.people["team_manager_same"])
    html = client.get(URL).content.decode()
    rows = _rows(html)
    assert "DIFF-TWO" in rows
    assert "DIFF-FOUR" in rows
    assert "DIFF-ONE" not in rows
    assert "DIFF-HIDDEN" not in rows  # the family did not share it with the worker
    assert "DIFF-B1" not in rows  # another team's audit
    assert "Answers the family chose not to share with the worker are left out" in html
    # Columns: practitioner's and family's views, the steps; never the practitioner's name.
    assert "Better" in rows
    assert "Worse" in rows
    assert ">4<" in rows
    assert world.people["practitioner_own"].full_name not in html


def test_the_qa_team_sees_every_team_and_unshared_answers(client, world, answered):
    client.force_login(world.people["qa_officer"])
    rows = _rows(client.get(URL).content.decode())
    for reference in ("DIFF-TWO", "DIFF-FOUR", "DIFF-HIDDEN", "DIFF-B1"):
        assert reference in rows
    assert "DIFF-ONE" not in rows


def test_the_month_range_filters_and_a_bad_month_is_an_error(client, world, answered):
    client.force_login(world.people["qa_officer"])
    assert "DIFF-TWO" not in _rows(client.get(URL, {"month_from": "2026-12", "month_to": "2026-12"}).content.decode())
    assert "DIFF-TWO" in _rows(client.get(URL, {"month_from": "2026-11", "month_to": "2026-11"}).content.decode())
    page = client.get(URL, {"month_from": "November"})
    html = page.content.decode()
    assert "<title>Error: " in html
    assert "Enter the first month as a year and month" in html


@pytest.mark.parametrize("persona", ["practitioner_own", "participation_officer", "conference_chair"])
def test_people_without_a_management_or_qa_role_are_refused(client, world, persona):
    client.force_login(world.people[persona])
    assert client.get(URL).status_code == 403


def test_the_report_takes_a_fixed_number_of_queries(client, world, questionnaires, django_assert_max_num_queries):
    _answered(world, questionnaires, "Q-0", practitioner="better", family="worse")
    client.force_login(world.people["qa_manager"])
    client.get(URL)
    with django_assert_max_num_queries(12) as few:
        client.get(URL)
    for n in range(1, 5):
        _answered(world, questionnaires, f"Q-{n}", practitioner="much_better", family="much_worse")
    # Session, user, scope (2), the one query of rows with their audits and teams.
    with django_assert_max_num_queries(len(few.captured_queries)):
        assert _rows(client.get(URL).content.decode()).count("<tr") == 6
