"""Reminders before an audit's due date and overdue audits told to the auditor's manager and the
QA managers — each once, however often the daily sweeps run."""

from __future__ import annotations

import datetime

import pytest

from audits.models import AuditStatus
from audits.services.reminders import audits_due_reminders_sweep, audits_overdue_to_managers_sweep
from core.models import Notification, QASettings
from organisation.models import Role
from tests.factories import person_with_role

from .factories import allocate

pytestmark = pytest.mark.django_db
NOW = datetime.datetime(2026, 11, 20, 9, 0, tzinfo=datetime.UTC)
DUE = datetime.date(2026, 11, 30)


def reminders(person):
    return list(Notification.objects.filter(recipient=person, kind="audit-due-reminder"))


def test_the_auditor_is_reminded_once_lead_days_before_the_due_date(world, audit_a):
    settings = QASettings.current()
    settings.reminder_lead_days = 5
    settings.save()
    auditor = audit_a.auditor
    assert audit_a.due_on == DUE
    assert audits_due_reminders_sweep(today=datetime.date(2026, 11, 24), now=NOW) == 0  # six days before
    assert reminders(auditor) == []
    assert audits_due_reminders_sweep(today=datetime.date(2026, 11, 25), now=NOW) == 1
    assert audits_due_reminders_sweep(today=datetime.date(2026, 11, 26), now=NOW) == 0
    (note,) = reminders(auditor)
    assert note.message == "You have an audit due by 30 November 2026"


def test_the_lead_days_are_a_setting(world, audit_a):
    settings = QASettings.current()
    settings.reminder_lead_days = 10
    settings.save()
    assert audits_due_reminders_sweep(today=datetime.date(2026, 11, 20), now=NOW) == 1


def test_submitted_or_cancelled_audits_are_not_reminded(world, audit_a):
    audit_a.status = AuditStatus.CANCELLED
    audit_a.save()
    assert audits_due_reminders_sweep(today=datetime.date(2026, 11, 28), now=NOW) == 0


def overdue_told(audit):
    return {n.recipient for n in Notification.objects.filter(key=f"audit-overdue:{audit.pk}")}


def test_an_overdue_audit_by_a_tm_goes_to_the_sm_and_hos_above_their_team_and_the_qa_managers(world, audit_a):
    # The auditor is team_manager_other, TM of team B1 in area B.
    today = datetime.date(2026, 12, 1)
    assert audits_overdue_to_managers_sweep(today=today, now=NOW) == 2
    assert audits_overdue_to_managers_sweep(today=today + datetime.timedelta(days=1), now=NOW) == 0
    assert overdue_told(audit_a) == {world.people["service_manager_other"], world.people["qa_manager"]}


def test_an_overdue_audit_by_a_practitioner_goes_to_their_tm(world, tool):
    auditor = person_with_role(Role.PRACTITIONER, team=world.team_b1, duties=("auditor",))
    audit = allocate(world.case_a, auditor, version=tool, actor=world.people["qa_officer"])
    audits_overdue_to_managers_sweep(today=datetime.date(2026, 12, 1), now=NOW)
    assert overdue_told(audit) == {world.people["team_manager_other"], world.people["qa_manager"]}
    note = Notification.objects.get(recipient=world.people["team_manager_other"], key=f"audit-overdue:{audit.pk}")
    assert note.message.startswith("An audit allocated to someone you manage is past its due date")


def test_an_overdue_audit_by_someone_else_goes_to_the_qa_managers(world, tool):
    audit = allocate(world.case_a, world.people["iro"], version=tool, actor=world.people["qa_officer"])
    audits_overdue_to_managers_sweep(today=datetime.date(2026, 12, 1), now=NOW)
    assert overdue_told(audit) == {world.people["qa_manager"]}


def test_not_overdue_on_the_due_date_itself(world, audit_a):
    assert audits_overdue_to_managers_sweep(today=DUE, now=NOW) == 0


def test_submitted_audits_are_not_overdue(world, audit_a):
    audit_a.status = AuditStatus.SUBMITTED
    audit_a.save()
    assert audits_overdue_to_managers_sweep(today=datetime.date(2026, 12, 5), now=NOW) == 0
