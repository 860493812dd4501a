"""After moderation the REPORTED grade is the moderated one: the audit list and the CSV export
show it, marked as moderated, never the auditor's grade; the moderation queue reads in the same
number of queries whatever its length.

The usual audit (tests/audits/conftest.py) is of case_a (team A1), auditor team_manager_other;
qa_officer holds the moderator duty."""

from __future__ import annotations

import csv
import datetime
import html
import io
import re
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from audits.models import Grade, Moderation
from audits.services import moderation as svc
from organisation.models import Role
from tests.factories import CaseFileFactory, person_with_role

from .factories import allocate, mark_submitted

LONDON = ZoneInfo("Europe/London")


@pytest.fixture(autouse=True)
def _frozen_clock():
    with time_machine.travel(datetime.datetime(2026, 11, 16, 10, 0, tzinfo=LONDON), tick=False):
        yield


@pytest.fixture
def qa(client, world):
    client.force_login(world.people["qa_officer"])
    return client


def choose(audit) -> Moderation:
    moderation = svc.on_audit_submitted(audit=audit)
    assert moderation is not None
    return moderation


def moderate_to(moderation: Moderation, *, grade: str, actor) -> None:
    """Complete a moderation agreeing with every element and giving a different overall grade."""
    parts = {
        svc.element_part(e.code): {"version": 0, "agrees": True, "grade": "", "reason": ""}
        for e in svc.moderated_elements(moderation)
    }
    parts[svc.OVERALL_PART] = {
        "version": 0,
        "overall_agrees": False,
        "overall_grade": grade,
        "overall_reason": "Help is not yet making the difference for JB",
        "feedback": "A clear record of JB's views; even better with the plan's dates",
    }
    done, _, problems = svc.moderation_complete(moderation=moderation, actor=actor, parts=parts)
    assert done, problems


def list_row(page: str, case_reference: str) -> str:
    """The text of the audit list's row for one case (tags stripped)."""
    rows = re.findall(r"<tr class=\"govuk-table__row\">(.*?)</tr>", page, flags=re.S)
    found = [re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", row)) for row in rows if case_reference in row]
    assert len(found) == 1, found
    return found[0]


def test_the_audit_list_and_export_show_the_moderated_grade_marked_as_moderated(qa, world, audit_a, tool):
    mark_submitted(audit_a, grade=Grade.OUTSTANDING)
    moderate_to(choose(audit_a), grade=Grade.GOOD, actor=world.people["qa_officer"])
    # An audit nobody moderated, for contrast: its grade is the auditor's, not marked.
    other = allocate(world.case_b, world.people["team_manager_same"], version=tool, actor=world.people["qa_officer"])
    mark_submitted(other, grade=Grade.REQUIRES_IMPROVEMENT)

    page = html.unescape(qa.get(reverse("audits:audit-list")).content.decode())
    moderated_row = list_row(page, "CASE-A")
    assert "Good" in moderated_row
    assert "Moderated" in moderated_row
    assert "Outstanding" not in moderated_row
    plain_row = list_row(page, "CASE-B")
    assert "Requires improvement to be good" in plain_row
    assert "Moderated" not in plain_row

    response = qa.get(reverse("audits:audit-export"))
    assert response.status_code == 200
    rows = {row["case_reference"]: row for row in csv.DictReader(io.StringIO(response.content.decode("utf-8-sig")))}
    assert rows["CASE-A"]["reported_grade"] == "Good"
    assert rows["CASE-A"]["moderated"] == "yes"
    # The element columns keep the element grades (the moderator agreed with each of them).
    assert rows["CASE-B"]["reported_grade"] == "Requires improvement to be good"
    assert rows["CASE-B"]["moderated"] == "no"


def test_the_list_filtered_by_grade_finds_the_moderated_grade(qa, world, audit_a):
    mark_submitted(audit_a, grade=Grade.OUTSTANDING)
    moderate_to(choose(audit_a), grade=Grade.GOOD, actor=world.people["qa_officer"])
    by_moderated = html.unescape(qa.get(reverse("audits:audit-list"), {"reported_grade": "good"}).content.decode())
    by_auditors = html.unescape(
        qa.get(reverse("audits:audit-list"), {"reported_grade": "outstanding"}).content.decode()
    )
    assert "CASE-A" in by_moderated
    assert "CASE-A" not in by_auditors


def waiting_moderations(world, tool, count: int, *, start: int) -> None:
    """``count`` more waiting moderations, each by its own auditor of a case in its own team;
    every other one assigned to the QA officer (so the moderator is on the row too)."""
    qa_officer = world.people["qa_officer"]
    for n in range(start, start + count):
        team = world.team_a1 if n % 2 else world.team_a2
        case = CaseFileFactory(case_reference=f"CASE-Q{n:02d}", team=team)
        auditor = person_with_role(Role.PRACTITIONER, team=world.team_b1, duties=("auditor",), full_name=f"Auditor {n}")
        audit = allocate(case, auditor, version=tool, actor=qa_officer)
        mark_submitted(audit, grade=Grade.GOOD, on=datetime.date(2026, 11, 2) + datetime.timedelta(days=n % 10))
        moderation = choose(audit)
        if n % 2:
            svc.moderation_assign(moderation=moderation, moderator=qa_officer, actor=qa_officer)


def test_the_queue_reads_in_the_same_number_of_queries_for_2_and_12_moderations(qa, world, tool):
    url = reverse("audits:moderation-queue")
    waiting_moderations(world, tool, 2, start=0)
    qa.get(url)  # warm any per-process caches (settings, templates)
    with CaptureQueriesContext(connection) as few:
        response = qa.get(url)
    assert html.unescape(response.content.decode()).count("CASE-Q") == 2 * 2  # the case link + "Assign … of"

    waiting_moderations(world, tool, 10, start=2)
    with CaptureQueriesContext(connection) as many:
        response = qa.get(url)
    page = html.unescape(response.content.decode())
    assert page.count("CASE-Q") == 12 * 2
    assert "12 waiting" in page
    assert len(many.captured_queries) == len(few.captured_queries), [q["sql"] for q in many.captured_queries]
