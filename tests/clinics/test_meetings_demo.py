"""The demo's meetings: a year of clinics for every team, boards every two months, quarterly
assurance boards with a ChAT extract, action logs with carried, closed and overdue actions; the
same for the same size and date, and added once."""

from __future__ import annotations

import datetime
import io

import pytest
from django.core.management import call_command

from clinics.demo_meetings import seed_meetings
from clinics.models import (
    ActionStatus,
    Meeting,
    MeetingAction,
    MeetingAttachment,
    MeetingAttendee,
    MeetingKind,
)
from clinics.selectors_meetings import meeting_actions
from organisation.models import ServiceArea, Team

TODAY = datetime.date(2026, 3, 12)


def _clear() -> None:
    # If seed_demo already seeds meetings, start again so this test sees one run of its own.
    MeetingAction.objects.all().delete()
    Meeting.objects.all().delete()


@pytest.fixture
def seeded(db) -> str:
    call_command("seed_demo", "--size", "tiny", "--today", TODAY.isoformat(), stdout=io.StringIO())
    call_command("load_framework", stdout=io.StringIO())
    _clear()
    return seed_meetings(size="tiny", today=TODAY)


def test_the_demo_has_a_year_of_meetings_with_action_logs(seeded):
    assert seeded.startswith("Meetings: ")
    clinics = Meeting.objects.filter(kind=MeetingKind.CLINIC)
    assert {m.team_id for m in clinics} == set(Team.objects.values_list("pk", flat=True))
    team = Team.objects.order_by("code").first()
    months = {m.held_on.replace(day=1) for m in clinics.filter(team=team)}
    assert len(months) >= 11
    assert all(m.held_on <= TODAY for m in Meeting.objects.all())
    boards = Meeting.objects.filter(kind=MeetingKind.BOARD)
    assert {m.service_area_id for m in boards} == set(ServiceArea.objects.values_list("pk", flat=True))
    assurance = Meeting.objects.filter(kind=MeetingKind.ASSURANCE)
    assert assurance.count() == 3  # quarterly; March's is still to come on 12 March
    assert MeetingAttachment.objects.filter(meeting__kind=MeetingKind.ASSURANCE).count() == 3
    assert MeetingAttendee.objects.filter(meeting__in=clinics).exists()
    actions = MeetingAction.objects.all()
    assert actions.filter(status=ActionStatus.DONE, closed_at__isnull=False).exists()
    assert actions.filter(status__in=["open", "in_progress"], due_on__lt=TODAY).exists()
    # Closed actions were closed at a later meeting of their own series.
    for action in actions.filter(closed_at__isnull=False).select_related("raised_at", "closed_at")[:50]:
        assert action.closed_at.held_on > action.raised_at.held_on
        assert (action.closed_at.kind, action.closed_at.team_id) == (action.kind, action.team_id)
    # Some meeting page shows actions carried forward from earlier meetings.
    latest = clinics.filter(team=team).order_by("-held_on").first()
    assert meeting_actions(latest, today=TODAY).carried
    assert Meeting.history.exists()


def test_the_demo_meetings_are_added_once_and_the_same_each_time(seeded):
    count = Meeting.objects.count()
    first = sorted(MeetingAction.objects.values_list("raised_at__held_on", "what", "status", "due_on"))
    assert "nothing added" in seed_meetings(size="tiny", today=TODAY)
    assert Meeting.objects.count() == count
    _clear()
    seed_meetings(size="tiny", today=TODAY)
    assert sorted(MeetingAction.objects.values_list("raised_at__held_on", "what", "status", "due_on")) == first
