"""Immediate safeguarding concerns: raised at any time by the auditor, the TM, SM and QA manager
alerted at once (with an email that carries only a link), the TM records the action taken, and
a concern with no action after one working day shows as overdue."""

from __future__ import annotations

import datetime
import re

import pytest
import time_machine
from django.core import mail
from django.core.management import call_command
from django.urls import reverse

from audits.models import AuditStatus, ImmediateConcern
from audits.services.concerns import ConcernError, concern_raise, concern_record_action, concerns_overdue_sweep
from core.models import Notification
from tests.audits.conftest import AUDITOR

from .factories import allocate, mark_submitted

pytestmark = pytest.mark.django_db
FRIDAY = datetime.datetime(2026, 12, 18, 10, 0, tzinfo=datetime.UTC)  # Friday 18 December 2026


def raise_url(audit):
    return reverse("audits:concern-raise", args=[audit.pk])


def detail_url(concern):
    return reverse("audits:concern-detail", args=[concern.pk])


def raised(world, audit, description="AB disclosed being hit at home", now=FRIDAY):
    return concern_raise(audit=audit, actor=world.people[AUDITOR], description=description, now=now)


def test_raising_a_concern_in_a_draft_alerts_the_tm_sm_and_qa_manager_at_once(
    client, world, audit_a, django_capture_on_commit_callbacks
):
    assert audit_a.status == AuditStatus.ALLOCATED  # not even started
    Notification.objects.all().delete()
    mail.outbox.clear()
    client.force_login(world.people[AUDITOR])
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(raise_url(audit_a), {"description": "AB disclosed being hit at home"})
    concern = ImmediateConcern.objects.get(audit=audit_a)
    assert response.status_code == 302
    assert response["Location"] == detail_url(concern)
    assert concern.raised_by == world.people[AUDITOR]
    assert concern.description == "AB disclosed being hit at home"

    told = {n.recipient for n in Notification.objects.filter(key=f"concern-raised:{concern.pk}")}
    people = world.people
    assert told == {
        people["team_manager_same"],
        people["service_manager_same"],
        people["head_of_service"],
        people["qa_manager"],
    }
    tm_note = Notification.objects.get(recipient=people["team_manager_same"], key=f"concern-raised:{concern.pk}")
    assert tm_note.message == (
        "An immediate safeguarding concern has been raised about a child in your team — please record the action taken"
    )
    assert tm_note.url == detail_url(concern)

    assert sorted(m.to[0] for m in mail.outbox) == sorted(p.email for p in told)
    for message in mail.outbox:
        body = f"{message.subject}\n{message.body}"
        assert detail_url(concern) in body
        # Only a neutral sentence and a link: no initials, no case reference, no description.
        assert not re.search(rf"\b{audit_a.child_initials}\b", body)
        assert audit_a.case_reference not in body
        assert "hit at home" not in body


def test_the_raise_page_and_the_history_row(client, world, audit_a):
    client.force_login(world.people[AUDITOR])
    html = client.get(raise_url(audit_a)).content.decode()
    assert "Raise an immediate safeguarding concern" in html
    assert "Use initials only; do not paste case notes." in html
    concern = raised(world, audit_a)
    row = concern.history.get()
    assert row.history_type == "+"
    assert row.history_user == world.people[AUDITOR]


def test_an_empty_concern_is_refused_with_the_error_summary(client, world, audit_a):
    client.force_login(world.people[AUDITOR])
    response = client.post(raise_url(audit_a), {"description": "  "})
    html = response.content.decode()
    assert response.status_code == 200
    assert "<title>Error: " in html
    assert '<a href="#id_description">Enter what the concern is</a>' in html
    assert not ImmediateConcern.objects.exists()


def test_a_concern_can_be_raised_after_submission_but_not_through_a_cancelled_audit(client, world, audit_a):
    client.force_login(world.people[AUDITOR])
    mark_submitted(audit_a)
    assert client.post(raise_url(audit_a), {"description": "Worried"}).status_code == 302
    audit_a.status = AuditStatus.CANCELLED
    audit_a.save()
    assert client.get(raise_url(audit_a)).status_code == 409
    assert client.post(raise_url(audit_a), {"description": "Worried again"}).status_code == 409
    assert ImmediateConcern.objects.count() == 1
    with pytest.raises(ConcernError):
        raised(world, audit_a)


@pytest.mark.parametrize("persona", ["practitioner_own", "team_manager_same", "service_manager_same", "qa_manager"])
def test_only_the_auditor_raises_a_concern(client, world, audit_a, persona):
    client.force_login(world.people[persona])
    assert client.get(raise_url(audit_a)).status_code == 403
    assert client.post(raise_url(audit_a), {"description": "Worried"}).status_code == 403
    assert not ImmediateConcern.objects.exists()


@pytest.mark.parametrize("persona", ["practitioner_other", "team_manager_same"])
def test_someone_elses_audit_is_not_found_for_raising(client, world, tool, persona):
    audit_b = allocate(world.case_b, world.people["qa_manager"], version=tool, actor=world.people["qa_officer"])
    client.force_login(world.people["team_manager_same"])
    assert client.post(raise_url(audit_b), {"description": "Worried"}).status_code == 404
    assert not ImmediateConcern.objects.exists()


def test_raising_is_get_or_post_only(client, world, audit_a):
    client.force_login(world.people[AUDITOR])
    assert client.put(raise_url(audit_a)).status_code == 405


def test_action_is_due_one_working_day_later_and_overdue_after_it(world, audit_a):
    concern = raised(world, audit_a)
    assert concern.action_due_on == datetime.date(2026, 12, 21)  # Monday
    assert not concern.is_overdue(datetime.date(2026, 12, 21))
    assert concern.is_overdue(datetime.date(2026, 12, 22))


def test_over_christmas_the_due_day_skips_the_bank_holidays(world, audit_a):
    call_command("load_framework", verbosity=0)
    concern = raised(world, audit_a, now=datetime.datetime(2026, 12, 24, 16, 0, tzinfo=datetime.UTC))
    assert concern.action_due_on == datetime.date(2026, 12, 29)


@pytest.mark.parametrize("persona", ["service_manager_same", "qa_officer", "qa_manager", "team_manager_same"])
def test_an_overdue_concern_is_marked_and_listed_first(client, world, audit_a, tool, persona):
    overdue = raised(world, audit_a, description="First")
    other = allocate(world.case_a, world.people["qa_officer"], version=tool, actor=world.people["qa_manager"])
    recent = concern_raise(
        audit=other,
        actor=world.people["qa_officer"],
        description="Second",
        now=datetime.datetime(2026, 12, 22, 9, 0, tzinfo=datetime.UTC),
    )
    with time_machine.travel(datetime.datetime(2026, 12, 22, 12, 0, tzinfo=datetime.UTC)):
        client.force_login(world.people[persona])  # sessions expire: sign in on the day
        html = client.get(reverse("audits:concern-list")).content.decode()
        detail = client.get(detail_url(overdue)).content.decode()
    rows = re.findall(r'href="/audits/concerns/(\d+)/"', html)
    assert rows == [str(overdue.pk), str(recent.pk)]
    first_row = html[html.index(f"/audits/concerns/{overdue.pk}/") : html.index(f"/audits/concerns/{recent.pk}/")]
    assert "Overdue" in first_row
    assert html.count(">Overdue</strong>") == 1
    assert "Overdue" in detail
    assert "No action has been recorded and it was due by 21 December 2026" in detail


def test_the_list_filters_open_overdue_and_all(client, world, audit_a):
    done = raised(world, audit_a, description="Done")
    concern_record_action(concern=done, actor=world.people["team_manager_same"], action_taken="Strategy meeting held")
    waiting = raised(
        world, audit_a, description="Waiting", now=datetime.datetime(2026, 12, 22, 9, 0, tzinfo=datetime.UTC)
    )
    with time_machine.travel(datetime.datetime(2026, 12, 22, 12, 0, tzinfo=datetime.UTC)):
        client.force_login(world.people["qa_manager"])

        def listed(show: str) -> list[str]:
            page = client.get(reverse("audits:concern-list"), {"show": show}).content.decode()
            return re.findall(r'href="/audits/concerns/(\d+)/"', page)

        assert listed("open") == [str(waiting.pk)]
        assert listed("overdue") == []
        assert listed("all") == [str(waiting.pk), str(done.pk)]


def test_another_teams_concerns_are_not_listed(client, world, audit_a):
    raised(world, audit_a)
    for persona in ("team_manager_same", "service_manager_same"):
        client.force_login(world.people[persona])
        assert "CASE-A" in client.get(reverse("audits:concern-list")).content.decode()
    for persona in ("service_manager_other", "practitioner_other", "iro"):
        client.force_login(world.people[persona])
        html = client.get(reverse("audits:concern-list")).content.decode()
        assert "CASE-A" not in html
        assert world.team_a1.name not in html
        assert "There are no concerns to show here." in html


def test_the_list_costs_the_same_queries_for_few_or_many_concerns(
    client, world, audit_a, django_assert_max_num_queries
):
    raised(world, audit_a)
    client.force_login(world.people["qa_manager"])
    client.get(reverse("audits:concern-list"))
    # session, user, role assignments, duties, the count, the page of concerns (with audit and team)
    with django_assert_max_num_queries(6) as few:
        client.get(reverse("audits:concern-list"))
    for number in range(15):
        raised(world, audit_a, description=f"Concern {number}")
    with django_assert_max_num_queries(len(few.captured_queries)):
        client.get(reverse("audits:concern-list"))


def test_the_team_manager_records_the_action_taken_once(client, world, audit_a):
    concern = raised(world, audit_a)
    tm = world.people["team_manager_same"]
    client.force_login(tm)
    html = client.get(detail_url(concern)).content.decode()
    assert "Record the action taken" in html
    assert "AB disclosed being hit at home" in html
    response = client.post(detail_url(concern), {"action_taken": "Strategy discussion with police; AB safe"})
    assert response.status_code == 302
    concern.refresh_from_db()
    assert concern.action_taken == "Strategy discussion with police; AB safe"
    assert concern.action_recorded_by == tm
    assert concern.action_recorded_at is not None
    row = concern.history.latest("history_id")
    assert row.history_user == tm
    # Once recorded, it is never overwritten silently.
    response = client.post(detail_url(concern), {"action_taken": "Something else"})
    assert response.status_code == 409
    assert "already been recorded" in response.content.decode()
    concern.refresh_from_db()
    assert concern.action_taken == "Strategy discussion with police; AB safe"
    with pytest.raises(ConcernError):
        concern_record_action(concern=concern, actor=tm, action_taken="Again")
    html = client.get(detail_url(concern)).content.decode()
    assert "Action recorded" in html
    assert 'name="action_taken"' not in html


def test_recording_the_action_needs_text(client, world, audit_a):
    concern = raised(world, audit_a)
    client.force_login(world.people["team_manager_same"])
    html = client.post(detail_url(concern), {"action_taken": ""}).content.decode()
    assert '<a href="#id_action_taken">Enter the action taken</a>' in html
    concern.refresh_from_db()
    assert concern.action_recorded_at is None


@pytest.mark.parametrize("persona", [AUDITOR, "service_manager_same", "qa_manager", "practitioner_own"])
def test_others_who_see_the_concern_cannot_record_the_action(client, world, audit_a, persona):
    concern = raised(world, audit_a)
    client.force_login(world.people[persona])
    html = client.get(detail_url(concern)).content.decode()
    assert 'name="action_taken"' not in html
    assert client.post(detail_url(concern), {"action_taken": "Done"}).status_code == 403
    concern.refresh_from_db()
    assert concern.action_recorded_at is None


@pytest.mark.parametrize("persona", ["team_manager_other", "service_manager_other", "practitioner_other", "iro"])
def test_another_teams_concern_is_not_found(client, world, tool, persona):
    audit = allocate(world.case_a, world.people["qa_officer"], version=tool, actor=world.people["qa_manager"])
    concern = concern_raise(audit=audit, actor=world.people["qa_officer"], description="Worried", now=FRIDAY)
    client.force_login(world.people[persona])
    assert client.get(detail_url(concern)).status_code == 404
    assert client.post(detail_url(concern), {"action_taken": "Done"}).status_code == 404


def test_the_detail_page_is_get_or_post_only(client, world, audit_a):
    concern = raised(world, audit_a)
    client.force_login(world.people["team_manager_same"])
    assert client.put(detail_url(concern)).status_code == 405


def test_the_overdue_sweep_tells_the_sm_and_qa_managers_once(world, audit_a):
    concern = raised(world, audit_a)
    key = f"concern-overdue:{concern.pk}"
    assert concerns_overdue_sweep(today=datetime.date(2026, 12, 21), now=FRIDAY) == 0
    told = concerns_overdue_sweep(today=datetime.date(2026, 12, 22), now=FRIDAY)
    people = {n.recipient for n in Notification.objects.filter(key=key)}
    assert people == {world.people["service_manager_same"], world.people["head_of_service"], world.people["qa_manager"]}
    assert told == 3
    assert concerns_overdue_sweep(today=datetime.date(2026, 12, 23), now=FRIDAY) == 0


def test_the_summary_partial_on_the_audit_form_links_each_concern(client, world, audit_a):
    concern = raised(world, audit_a)
    client.force_login(world.people[AUDITOR])
    html = client.get(reverse("audits:audit-edit", args=[audit_a.pk])).content.decode()
    assert "Immediate safeguarding concerns" in html
    assert f'href="{detail_url(concern)}"' in html
