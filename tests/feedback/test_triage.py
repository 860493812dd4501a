"""Triage (DESIGN section 6): every free-text answer of a submitted response is read by a named QA
officer within one working day; the QA manager sees what is overdue and is told once about it."""

from __future__ import annotations

import datetime

import pytest
from django.urls import reverse
from django.utils import timezone

from core.models import BankHoliday, Notification
from core.workdays import clear_cache
from feedback.models import TriageItem
from feedback.services.triage import TriageError, triage_item_mark_read, triage_item_reassign, triage_overdue_sweep
from organisation.models import Role, RoleAssignment
from tests.factories import CaseFileFactory, person_with_role

from .conftest import allocate_audit, make_ready, submit_response

FRIDAY = timezone.make_aware(datetime.datetime(2026, 11, 20, 16, 0))
PARENT_ANSWERS = {"changed": "Calmer", "assessment": "Mostly right", "helped": "The worker", "progress": "better"}

pytestmark = pytest.mark.usefixtures("clock")


def _submitted(world, questionnaires, *, case=None, answers=None, now=FRIDAY, audience="parent"):
    audit = allocate_audit(world, case or CaseFileFactory(team=world.team_a1))
    task = make_ready(audit.participation_task, world.people["team_manager_same"])
    return submit_response(task, questionnaires[audience], answers=answers or PARENT_ANSWERS, now=now)


def test_every_open_answer_becomes_an_item_for_a_named_reader_due_the_next_working_day(world, questionnaires):
    response = _submitted(world, questionnaires)
    items = list(response.triage_items.order_by("question_code"))
    assert [i.question_code for i in items] == ["assessment", "changed", "helped"]  # not the closed ones
    assert {i.assigned_to for i in items} == {world.people["qa_officer"]}
    # Submitted on a Friday: due on the Monday.
    assert {i.due_on for i in items} == {datetime.date(2026, 11, 23)}
    notice = Notification.objects.get(recipient=world.people["qa_officer"], kind="triage-assigned")
    assert "Calmer" not in notice.message
    assert response.task.audit.case_reference not in notice.message


def test_the_due_date_skips_a_bank_holiday(world, questionnaires):
    BankHoliday.objects.create(date=datetime.date(2026, 11, 23), name="An invented holiday")
    clear_cache()
    response = _submitted(world, questionnaires)
    assert {i.due_on for i in response.triage_items.all()} == {datetime.date(2026, 11, 24)}


def test_the_reader_is_the_qa_officer_with_fewest_to_read_ties_by_email(world, questionnaires):
    second = person_with_role(Role.QA_OFFICER, email="a.second.qa@example.test")
    first = _submitted(world, questionnaires)
    assert {i.assigned_to for i in first.triage_items.all()} == {second}  # tie: the earlier email
    later = _submitted(world, questionnaires)
    assert {i.assigned_to for i in later.triage_items.all()} == {world.people["qa_officer"]}


def test_a_qa_manager_reads_when_there_is_no_qa_officer_and_for_restricted_cases(world, questionnaires):
    restricted = _submitted(world, questionnaires, case=world.case_restricted)
    assert {i.assigned_to for i in restricted.triage_items.all()} == {world.people["qa_manager"]}
    RoleAssignment.objects.filter(role=Role.QA_OFFICER).update(ends_on=datetime.date(2026, 1, 1))
    response = _submitted(world, questionnaires)
    assert {i.assigned_to for i in response.triage_items.all()} == {world.people["qa_manager"]}


def test_no_answers_in_their_own_words_means_nothing_to_triage(world, questionnaires):
    response = _submitted(world, questionnaires, answers={"progress": "better", "involved": "yes"})
    assert not response.triage_items.exists()


# --- the list ---------------------------------------------------------------------------------------
def test_the_list_defaults_to_mine_to_read_overdue_first_with_a_red_tag(client, world, questionnaires):
    older = _submitted(world, questionnaires, now=FRIDAY - datetime.timedelta(days=14))
    _submitted(world, questionnaires)
    client.force_login(world.people["qa_officer"])
    html = client.get(reverse("feedback:triage-list")).content.decode()
    assert html.count('data-item="') == 6
    first_row = html.split('data-item="', 1)[1]
    assert first_row.startswith(str(older.triage_items.order_by("pk").first().pk))
    assert "Overdue" in first_row.split("</tr>", 1)[0]
    # Someone else's list is not mine.
    client.force_login(world.people["qa_manager"])
    html = client.get(reverse("feedback:triage-list"), {"assigned": "me"}).content.decode()
    assert 'id="triage-items"' not in html


def test_the_qa_manager_sees_every_overdue_answer(client, world, questionnaires):
    older = _submitted(world, questionnaires, now=FRIDAY - datetime.timedelta(days=14))
    _submitted(world, questionnaires)  # due in the future: not overdue
    client.force_login(world.people["qa_manager"])
    html = client.get(reverse("feedback:triage-list")).content.decode()
    overdue = html.split('id="triage-overdue"', 1)[1].split("</table>", 1)[0]
    assert overdue.count('data-item="') == 3
    assert all(f'data-item="{i.pk}"' in overdue for i in older.triage_items.all())
    html = client.get(reverse("feedback:triage-list"), {"assigned": "anyone", "overdue": "on"}).content.decode()
    assert html.split('id="triage-items"', 1)[1].count('data-item="') == 3
    home = client.get(reverse("home")).content.decode()
    assert "Families' answers not read by their due date: 3" in home


def test_the_list_takes_a_fixed_number_of_queries(client, world, questionnaires, django_assert_max_num_queries):
    _submitted(world, questionnaires)
    client.force_login(world.people["qa_manager"])
    url = reverse("feedback:triage-list")
    params = {"assigned": "anyone", "status": "all"}
    client.get(url, params)
    with django_assert_max_num_queries(20) as few:
        client.get(url, params)
    for _ in range(4):
        _submitted(world, questionnaires)
    # Session, user, scope (2), the QA team, overdue, count, one page of items: never one per row.
    with django_assert_max_num_queries(len(few.captured_queries)):
        assert client.get(url, params).content.decode().count('data-item="') == 15


@pytest.mark.parametrize("persona", ["participation_officer", "team_manager_same", "director"])
def test_only_the_qa_team_triages(client, world, persona):
    client.force_login(world.people[persona])
    assert client.get(reverse("feedback:triage-list")).status_code == 403


# --- one answer ---------------------------------------------------------------------------------------
def test_the_reader_marks_an_answer_read_with_what_they_did(client, world, questionnaires):
    response = _submitted(world, questionnaires)
    item = response.triage_items.get(question_code="changed")
    client.force_login(world.people["qa_officer"])
    url = reverse("feedback:triage-item", args=[item.pk])
    html = client.get(url).content.decode()
    for shown in ("What has changed for you and your child?", "Calmer", response.task.audit.case_reference):
        assert shown in html
    assert reverse("audits:audit-detail", args=[response.task.audit_id]) in html
    page = client.post(url, {"note": "Kept"})
    html = page.content.decode()
    assert "<title>Error: " in html
    assert "Choose what you did after reading the answer" in html
    assert "Kept" in html
    page = client.post(url, {"taken": "other", "note": ""})
    assert "Say what you did in the note" in page.content.decode()
    assert client.post(url, {"taken": "safeguarding", "note": "Referral made"}).status_code == 302
    item.refresh_from_db()
    assert (item.status, item.action, item.note) == ("done", "safeguarding", "Referral made")
    assert client.post(url, {"taken": "none"}).status_code == 403  # read already


def test_something_else_needs_a_note(world, questionnaires):
    item = _submitted(world, questionnaires).triage_items.first()
    with pytest.raises(TriageError, match="Say what you did in the note"):
        triage_item_mark_read(item=item, action="other", note=" ", actor=world.people["qa_officer"])
    done = triage_item_mark_read(item=item, action="passed_to_tm", note="", actor=world.people["qa_officer"])
    assert (done.status, done.done_by) == (TriageItem.Status.DONE, world.people["qa_officer"])
    with pytest.raises(TriageError, match="already been marked as read"):
        triage_item_mark_read(item=item, action="none", note="", actor=world.people["qa_officer"])


def test_another_qa_officer_reads_but_cannot_mark_and_the_qa_manager_reassigns(client, world, questionnaires):
    second = person_with_role(Role.QA_OFFICER, email="z.second.qa@example.test")
    item = _submitted(world, questionnaires).triage_items.first()
    url = reverse("feedback:triage-item", args=[item.pk])
    client.force_login(second)
    assert client.get(url).status_code == 200
    assert client.post(url, {"taken": "none"}).status_code == 403
    assert client.post(url, {"action": "reassign", "assignee": second.pk}).status_code == 403
    client.force_login(world.people["qa_manager"])
    assert client.post(url, {"action": "reassign", "assignee": second.pk}).status_code == 302
    item.refresh_from_db()
    assert item.assigned_to == second
    assert Notification.objects.filter(recipient=second, kind="triage-assigned").exists()


def test_a_restricted_cases_answer_goes_only_to_a_qa_manager(world, questionnaires):
    item = _submitted(world, questionnaires, case=world.case_restricted).triage_items.first()
    with pytest.raises(TriageError, match="Choose a QA manager"):
        triage_item_reassign(
            item=item, assignee=world.people["qa_officer"], actor=world.people["qa_manager"], today=FRIDAY.date()
        )


def test_another_qa_officer_never_sees_a_restricted_cases_answer(client, world, questionnaires):
    item = _submitted(world, questionnaires, case=world.case_restricted).triage_items.first()
    client.force_login(world.people["qa_officer"])
    assert client.get(reverse("feedback:triage-item", args=[item.pk])).status_code == 404


# --- the sweep ----------------------------------------------------------------------------------------
def test_the_sweep_tells_the_qa_managers_once_about_each_overdue_answer(world, questionnaires):
    response = _submitted(world, questionnaires)
    due = datetime.date(2026, 11, 23)
    now = timezone.make_aware(datetime.datetime(2026, 11, 25, 7, 0))
    assert triage_overdue_sweep(today=due, now=now) == 0  # due today: not overdue yet
    assert triage_overdue_sweep(today=due + datetime.timedelta(days=1), now=now) == 3
    assert triage_overdue_sweep(today=due + datetime.timedelta(days=2), now=now) == 0
    notices = Notification.objects.filter(kind="triage-overdue")
    assert {n.recipient for n in notices} == {world.people["qa_manager"]}
    assert all("Calmer" not in n.message and response.task.audit.case_reference not in n.message for n in notices)


def test_the_sweep_makes_items_a_submission_missed(world, questionnaires):
    RoleAssignment.objects.filter(role__in=[Role.QA_OFFICER, Role.QA_MANAGER]).update(ends_on=datetime.date(2026, 1, 1))
    response = _submitted(world, questionnaires)
    assert not response.triage_items.exists()
    RoleAssignment.objects.filter(role=Role.QA_OFFICER).update(ends_on=None)
    triage_overdue_sweep(today=FRIDAY.date(), now=FRIDAY)
    assert response.triage_items.count() == 3
