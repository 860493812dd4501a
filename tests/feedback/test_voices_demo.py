"""The demo's reviewing-officer alerts and other voices: alerts over the last four months by every
chair and IRO on cases they chair, both kinds, several themes and stages, some resolved; other
voices from every source over the last year, with a 140-person survey shown and an 8-person one
withheld. Added once; the same for the same size and date."""

from __future__ import annotations

import datetime
import io

import pytest
from django.core.management import call_command

from core.models import Notification
from feedback.demo_voices import seed_voices
from feedback.models import ReviewingOfficerAlert, VoiceEntry, VoiceSource
from feedback.services.voices import voice_results
from organisation.models import Role, RoleAssignment

TODAY = datetime.date(2026, 3, 2)


@pytest.fixture
def seeded(db) -> str:
    call_command("seed_demo", "--size", "tiny", "--today", TODAY.isoformat(), stdout=io.StringIO())
    return seed_voices(size="tiny", today=TODAY)


def _alerts() -> list[tuple]:
    return list(
        ReviewingOfficerAlert.objects.order_by("case_file__case_reference", "meeting_on", "kind", "pk").values_list(
            "case_file__case_reference",
            "recorded_by__email",
            "kind",
            "meeting",
            "meeting_on",
            "theme__slug",
            "stage__key",
            "resolved_on",
            "summary",
        )
    )


def _voices() -> list[tuple]:
    return list(
        VoiceEntry.objects.order_by("source", "happened_on", "title").values_list(
            "source", "happened_on", "title", "respondents", "service_area__code", "recorded_by__email"
        )
    )


def test_every_chair_and_iro_records_alerts_on_cases_they_chair(seeded):
    alerts = ReviewingOfficerAlert.objects.select_related("case_file", "stage")
    recorders = set(
        RoleAssignment.objects.active_on(TODAY)
        .filter(role__in=(Role.CONFERENCE_CHAIR, Role.IRO))
        .values_list("person_id", flat=True)
    )
    assert set(alerts.values_list("recorded_by_id", flat=True)) == recorders
    for alert in alerts:
        assert alert.case_file.chair_id == alert.recorded_by_id
        assert TODAY - datetime.timedelta(days=120) <= alert.meeting_on <= TODAY
        assert (alert.team_id, alert.practitioner_id) == (alert.case_file.team_id, alert.case_file.practitioner_id)
        if alert.resolved_on:
            assert alert.meeting_on <= alert.resolved_on <= TODAY
    assert set(alerts.values_list("kind", flat=True)) == set(ReviewingOfficerAlert.Kind.values)
    assert alerts.values("theme").distinct().count() >= 3
    assert alerts.exclude(stage=None).values("stage").distinct().count() >= 2
    assert alerts.filter(resolved_on__isnull=False).exists()
    assert alerts.filter(resolved_on__isnull=True, kind="practice_concern").exists()
    # Concerns moved on a stage carry that in their history; the worker and TM were told.
    assert any(a.history.values("stage_id").distinct().count() > 1 for a in alerts)
    assert Notification.objects.filter(kind="reviewing_officer_alert").exists()
    assert seeded.startswith("Voices: ")


def test_other_voices_from_every_source_with_one_survey_withheld(seeded):
    entries = VoiceEntry.objects.all()
    assert set(entries.values_list("source", flat=True)) == set(VoiceSource.values)
    for entry in entries:
        assert TODAY - datetime.timedelta(days=365) <= entry.happened_on <= TODAY
        assert entry.themes.exists()
    small = entries.get(source=VoiceSource.STAFF_SURVEY, respondents=8)
    large = entries.get(source=VoiceSource.STAFF_SURVEY, respondents=140)
    assert small.results_suppressed
    assert small.results == []
    assert voice_results(small) == []
    assert len(voice_results(large)) == 5


def test_seeding_again_adds_nothing_and_the_same_date_gives_the_same_data(seeded):
    alerts, voices = _alerts(), _voices()
    again = seed_voices(size="tiny", today=TODAY)
    assert "0 reviewing-officer alerts added" in again
    assert "0 other-voice entries added" in again
    assert (_alerts(), _voices()) == (alerts, voices)
    # Built afresh on the same authority, it is the same.
    ReviewingOfficerAlert.history.all().delete()
    ReviewingOfficerAlert.objects.all().delete()
    VoiceEntry.objects.all().delete()
    seed_voices(size="tiny", today=TODAY)
    assert (_alerts(), _voices()) == (alerts, voices)
