"""The demo's learning loop: themes on completed dip samples and observations, 6 learning summaries
over the year and 8 reflective discussions, so the learning page is full; added once."""

from __future__ import annotations

import datetime
import io

import pytest
from django.core.management import call_command
from django.urls import reverse

from audits.models import DipSample
from boards.demo_learning import seed_learning
from boards.models import LearningSummary, ReflectiveDiscussion
from boards.selectors_learning import default_period
from clinics.themes import period_themes
from observations.models import Observation
from organisation.demo import DEMO_EMAIL
from organisation.models import Role, User

TODAY = datetime.date(2026, 3, 12)


@pytest.fixture
def seeded(db) -> str:
    call_command("seed_demo", "--size", "tiny", "--today", TODAY.isoformat(), stdout=io.StringIO())
    return seed_learning(size="tiny", today=TODAY)


def test_the_demo_fills_the_learning_page_and_is_added_once(client, seeded):
    assert seeded.startswith("Learning: 6 learning summaries, 8 reflective discussions")
    assert LearningSummary.objects.count() == 6
    assert ReflectiveDiscussion.objects.count() == 8
    assert LearningSummary.objects.filter(service_area__isnull=True).exists()
    assert LearningSummary.objects.filter(service_area__isnull=False).exists()
    tagged = DipSample.objects.filter(themes__isnull=False).distinct().count()
    tagged += Observation.objects.filter(themes__isnull=False).distinct().count()
    assert tagged > 0
    for discussion in ReflectiveDiscussion.objects.all():
        assert discussion.held_on < TODAY
    first, last = default_period(TODAY)
    assert period_themes(first=first, last=last).findings > 0
    again = seed_learning(size="tiny", today=TODAY)
    assert again.endswith("0 added.")
    assert LearningSummary.objects.count() == 6
    psw = User.objects.get(email=DEMO_EMAIL[Role.PSW])
    client.force_login(psw)
    import time_machine

    with time_machine.travel(datetime.datetime(2026, 3, 12, 12, tzinfo=datetime.UTC), tick=False):
        body = client.get(reverse("boards:learning")).content.decode()
    assert "Learning summary" in body
    assert "Reflective discussion" in body
    assert "None found" not in body
