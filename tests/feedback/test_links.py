"""Secure links, the officer's side: a link only after the safety check and while the task is
open; only the token's hash is stored (nowhere else in the database, history included); the full
link is shown once; withdrawing ends it; the task page lists links without their tokens."""

from __future__ import annotations

import datetime
import re
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.core.cache import cache
from django.db import connection
from django.template.loader import render_to_string
from django.test import Client
from django.urls import reverse

from audits.models import ToolVersion
from core.models import QASettings
from feedback.models import ContactAttempt, ContactMethod, ParticipationTask, SecureLink
from feedback.services.links import (
    LinkError,
    LinkStatus,
    link_create,
    link_status,
    link_withdraw,
    links_for_task,
    token_hash,
)
from feedback.services.participation import participation_outcome_record
from tests.audits.factories import tool_version

from .conftest import allocate_audit, load_questionnaires, make_ready

LONDON = ZoneInfo("Europe/London")
NOW = datetime.datetime(2026, 11, 3, 10, 0, tzinfo=LONDON)
TOKEN_IN_URL = re.compile(r"/v/([A-Za-z0-9_-]{40,})/")


# --- helpers shared by the link and family-page tests -------------------------------------------
def make_task(world, *, case=None, safe: bool = True) -> ParticipationTask:
    """The participation task of a new audit of ``case`` (default case A); ``safe``: the team
    manager said contact is safe (READY), else it still waits for the safety check."""
    version = ToolVersion.objects.filter(tool__key="social-work").first() or tool_version()
    task = allocate_audit(world, case, version=version, today=NOW.date()).participation_task
    return make_ready(task, world.people["team_manager_same"], now=NOW) if safe else task


def make_link(world, *, task=None, audience: str = "parent", now=NOW) -> tuple[SecureLink, str]:
    questionnaires = load_questionnaires()
    return link_create(
        task=task or make_task(world),
        questionnaire=questionnaires[audience],
        actor=world.people["participation_officer"],
        now=now,
    )


@pytest.fixture(autouse=True)
def fresh_rate_limits(db):
    # Rate-limit counters live in the cache, which a rollback does not clear (Redis; and the
    # database cache's table is not flushed between live-server tests).
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def frozen():
    with time_machine.travel(NOW, tick=False) as traveller:
        yield traveller


def _client(user=None) -> Client:
    client = Client()
    if user is not None:
        client.force_login(user)
    return client


def _text_in_database(text: str) -> list[str]:
    """Every table whose rows contain ``text`` anywhere (a whole-database search)."""
    found = []
    with connection.cursor() as cursor:
        for table in connection.introspection.table_names():
            cursor.execute(f'SELECT * FROM "{table}"')  # noqa: S608 - table names from introspection
            if any(text in str(value) for row in cursor.fetchall() for value in row):
                found.append(table)
    return found


# --- the service ---------------------------------------------------------------------------------
def test_only_the_tokens_hash_is_stored(world, frozen):
    link, token = make_link(world)
    link.refresh_from_db()
    assert len(token) >= 40
    assert link.token_hash == token_hash(token)
    assert token not in {str(v) for v in SecureLink.objects.filter(pk=link.pk).values().get().values()}
    for record in link.history.all():
        assert token not in {str(getattr(record, f.attname)) for f in record._meta.fields}
    assert _text_in_database(token) == []


def test_a_link_expires_after_the_qa_settings_days_and_logs_the_contact(world, frozen):
    settings_row = QASettings.current()
    settings_row.family_link_expiry_days = 10
    settings_row.save()
    link, _ = make_link(world, audience="child")
    assert link.expires_at == NOW + datetime.timedelta(days=10)
    attempt = ContactAttempt.objects.get(task=link.task)
    assert attempt.method == ContactMethod.LINK
    assert attempt.attempted_on == NOW.date()
    assert attempt.recorded_by == world.people["participation_officer"]
    assert link.questionnaire.audience == "child"
    assert link_status(link, now=NOW) == LinkStatus.WAITING
    assert link_status(link, now=link.expires_at) == LinkStatus.EXPIRED


def test_no_link_before_the_safety_check(world, frozen):
    task = make_task(world, safe=False)
    with pytest.raises(LinkError, match="safe to contact"):
        make_link(world, task=task)
    assert not SecureLink.objects.exists()
    assert not ContactAttempt.objects.exists()


def test_no_link_once_the_task_is_closed(world, frozen):
    task = make_task(world)
    participation_outcome_record(
        task=task, outcome="not_appropriate", reason="Family moved away", actor=world.people["participation_officer"]
    )
    with pytest.raises(LinkError, match="outcome has already been recorded"):
        make_link(world, task=task)
    assert not SecureLink.objects.exists()


def test_withdrawing_ends_a_link_once(world, frozen):
    link, _ = make_link(world)
    link_withdraw(link=link, actor=world.people["qa_officer"], now=NOW)
    link.refresh_from_db()
    assert link.withdrawn_at == NOW
    assert link.history.first().history_user == world.people["qa_officer"]
    assert link_status(link, now=NOW) == LinkStatus.WITHDRAWN
    with pytest.raises(LinkError, match="already withdrawn"):
        link_withdraw(link=link, actor=world.people["qa_officer"], now=NOW)


def test_links_on_a_closed_task_say_so(world, frozen):
    link, _ = make_link(world)
    participation_outcome_record(
        task=link.task, outcome="declined", actor=world.people["participation_officer"], now=NOW
    )
    link.task.refresh_from_db()
    (row,) = links_for_task(task=link.task, now=NOW)
    assert row.status == LinkStatus.CLOSED
    assert not row.active


# --- making a link: the page --------------------------------------------------------------------
def _create_url(task) -> str:
    return reverse("feedback:link-create", args=[task.pk])


@pytest.mark.parametrize("persona", ["participation_officer", "qa_officer", "qa_manager"])
def test_the_officer_sees_the_full_link_once(world, frozen, persona):
    load_questionnaires()
    task = make_task(world)
    client = _client(world.people[persona])
    page = client.get(_create_url(task))
    assert page.status_code == 200
    assert "Who is the link for?" in page.content.decode()
    response = client.post(_create_url(task), {"audience": "parent"})
    assert response.status_code == 200
    html = response.content.decode()
    token = TOKEN_IN_URL.search(html).group(1)
    link = SecureLink.objects.get()
    assert link.token_hash == token_hash(token)
    assert link.questionnaire.audience == "parent"
    assert "Send it by text or email yourself" in html
    assert "The link shows nothing about the case" in html
    assert "no-store" in response["Cache-Control"]
    assert response["Referrer-Policy"] == "no-referrer"
    # The link works for the family, and the task page never shows the token again.
    assert Client().get(f"/v/{token}/").status_code == 302
    assert token not in client.get(_create_url(task)).content.decode()


def test_choosing_nobody_shows_the_error_and_makes_nothing(world, frozen):
    load_questionnaires()
    task = make_task(world)
    response = _client(world.people["participation_officer"]).post(_create_url(task), {})
    html = response.content.decode()
    assert response.status_code == 200
    assert "<title>Error: " in html
    assert "govuk-error-summary" in html
    assert "Choose who the link is for" in html
    assert not SecureLink.objects.exists()


def test_the_page_refuses_before_the_safety_check(world, frozen):
    load_questionnaires()
    task = make_task(world, safe=False)
    client = _client(world.people["participation_officer"])
    page = client.get(_create_url(task)).content.decode()
    assert "a link can only be sent after that safety check" in page
    assert 'name="audience"' not in page
    response = client.post(_create_url(task), {"audience": "parent"})
    html = response.content.decode()
    assert "There is a problem" in html
    assert "a link can only be sent after that safety check" in html
    assert not SecureLink.objects.exists()


def test_the_page_refuses_after_the_task_closes(world, frozen):
    load_questionnaires()
    task = make_task(world)
    participation_outcome_record(task=task, outcome="declined", actor=world.people["participation_officer"])
    response = _client(world.people["participation_officer"]).post(_create_url(task), {"audience": "child"})
    assert "no link can be sent" in response.content.decode()
    assert not SecureLink.objects.exists()


@pytest.mark.parametrize("persona", ["practitioner_own", "team_manager_same", "director", "iro"])
def test_other_roles_cannot_make_links(world, frozen, persona):
    load_questionnaires()
    task = make_task(world)
    client = _client(world.people[persona])
    assert client.get(_create_url(task)).status_code == 403
    assert client.post(_create_url(task), {"audience": "parent"}).status_code == 403
    assert not SecureLink.objects.exists()


def test_a_restricted_cases_task_is_404_to_all_but_the_qa_manager(world, frozen):
    load_questionnaires()
    task = make_task(world, case=world.case_restricted)
    assert _client(world.people["participation_officer"]).get(_create_url(task)).status_code == 404
    assert _client(world.people["qa_officer"]).post(_create_url(task), {"audience": "parent"}).status_code == 404
    assert _client(world.people["qa_manager"]).get(_create_url(task)).status_code == 200
    assert not SecureLink.objects.exists()


def test_an_unknown_task_is_404_and_other_methods_405(world, frozen):
    client = _client(world.people["participation_officer"])
    assert client.post(reverse("feedback:link-create", args=[999999]), {"audience": "parent"}).status_code == 404
    task = make_task(world)
    assert client.put(_create_url(task)).status_code == 405


# --- withdrawing: the page ---------------------------------------------------------------------
def test_the_officer_withdraws_a_link_and_it_stops_working(world, frozen):
    link, token = make_link(world)
    client = _client(world.people["participation_officer"])
    url = reverse("feedback:link-withdraw", args=[link.pk])
    assert client.get(url).status_code == 405
    response = client.post(url)
    assert response.status_code == 302
    assert response["Location"] == reverse("feedback:participation-task", args=[link.task_id])
    link.refresh_from_db()
    assert link.withdrawn_at is not None
    assert Client().get(f"/v/{token}/").status_code == 404
    # A second withdrawal says why not and changes nothing.
    again = client.post(url, follow=True)
    assert "already withdrawn" in again.content.decode()


def test_other_roles_cannot_withdraw(world, frozen):
    link, _ = make_link(world)
    url = reverse("feedback:link-withdraw", args=[link.pk])
    assert _client(world.people["team_manager_same"]).post(url).status_code == 403
    assert _client(world.people["qa_officer"]).post(reverse("feedback:link-withdraw", args=[999999])).status_code == 404
    link.refresh_from_db()
    assert link.withdrawn_at is None


# --- the task page's list ------------------------------------------------------------------------
def test_the_task_page_lists_links_without_tokens(world, frozen, django_assert_max_num_queries):
    task = make_task(world)
    tokens = [make_link(world, task=task, audience=a)[1] for a in ("parent", "child", "parent")]
    first = SecureLink.objects.order_by("pk").first()
    link_withdraw(link=first, actor=world.people["qa_officer"], now=NOW)
    task = ParticipationTask.objects.select_related("audit").get(pk=task.pk)
    # One query for the links, whatever their number (the task page loads the task with its audit).
    with django_assert_max_num_queries(1):
        html = render_to_string("feedback/links/_task_links.html", {"task": task, "can_send_link": True})
    assert [r.status for r in links_for_task(task=task, now=NOW)] == [
        LinkStatus.WAITING,
        LinkStatus.WAITING,
        LinkStatus.WITHDRAWN,
    ]
    assert html.count("Withdraw<span") == 2  # only active links can be withdrawn
    assert "Withdrawn" in html
    assert "Send a secure link" in html
    # The officer's task page shows the same list, and never a token or its hash.
    page = _client(world.people["participation_officer"]).get(reverse("feedback:participation-task", args=[task.pk]))
    assert page.status_code == 200
    assert page.content.decode().count("Withdraw<span") == 2
    for token in tokens:
        for text in (html, page.content.decode()):
            assert token not in text
            assert token_hash(token) not in text
