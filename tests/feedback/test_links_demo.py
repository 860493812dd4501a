"""The demo's secure links: one answered and sent through the link (task completed, a free-text
answer to read), one started and saved, one expired unused, one withdrawn; no token anywhere;
the same links for the same day; added once."""

from __future__ import annotations

import datetime
import io

import pytest
from django.core.management import call_command
from django.utils import timezone

from feedback.demo_links import seed_family_links
from feedback.models import Channel, Outcome, ParticipationTask, Response, SecureLink, TriageItem
from feedback.services.links import LinkStatus, link_status

TODAY = datetime.date(2026, 3, 2)


@pytest.fixture
def seeded(db) -> str:
    """The tiny demo (seed_demo runs the links' seeder after the family feedback's); returns what
    the links' part of it said."""
    out = io.StringIO()
    call_command("seed_demo", "--size", "tiny", "--today", TODAY.isoformat(), stdout=out)
    return next(line.strip() for line in out.getvalue().splitlines() if line.strip().startswith("Secure links:"))


def _statuses() -> dict[str, SecureLink]:
    now = timezone.make_aware(datetime.datetime.combine(TODAY, datetime.time(12)))
    return {
        link_status(link, now=now): link
        for link in SecureLink.objects.select_related("task", "response", "questionnaire")
    }


def test_one_link_of_each_kind(seeded):
    assert seeded.startswith("Secure links: 4 made")
    links = _statuses()
    assert set(links) == {LinkStatus.SUBMITTED, LinkStatus.STARTED, LinkStatus.EXPIRED, LinkStatus.WITHDRAWN}
    sent = links[LinkStatus.SUBMITTED]
    assert sent.response.status == Response.Status.SUBMITTED
    assert sent.response.channel == Channel.LINK
    assert sent.questionnaire.audience == "parent"
    assert sent.task.outcome == Outcome.COMPLETED
    assert TriageItem.objects.filter(response=sent.response, question_code="changed").exists()
    started = links[LinkStatus.STARTED]
    assert started.response.status == Response.Status.DRAFT
    assert started.response.answers["changed"]
    assert started.expires_at.date() > TODAY
    assert links[LinkStatus.EXPIRED].visits == 0
    assert links[LinkStatus.EXPIRED].response is None
    assert links[LinkStatus.WITHDRAWN].withdrawn_at is not None
    # Made before today, as the demo tells it.
    assert all(link.created_at.date() < TODAY for link in links.values())


def test_running_again_adds_nothing(seeded):
    before = (SecureLink.objects.count(), Response.objects.count(), TriageItem.objects.count())
    assert "nothing added" in seed_family_links(size="tiny", today=TODAY)
    assert (SecureLink.objects.count(), Response.objects.count(), TriageItem.objects.count()) == before


def _described() -> list[tuple[str, str, int, str]]:
    return sorted(
        (
            link.task.audit.case_reference,
            str(link.expires_at),
            link.visits,
            str(link.response and link.response.answers),
        )
        for link in SecureLink.objects.select_related("task__audit", "response")
    )


def test_the_same_day_gives_the_same_links_but_new_tokens(seeded):
    first = _described()
    hashes = set(SecureLink.objects.values_list("token_hash", flat=True))
    SecureLink.objects.filter(response__isnull=False).update(response=None)
    TriageItem.objects.all().delete()
    Response.objects.filter(channel=Channel.LINK).delete()
    SecureLink.objects.all().delete()
    # The task the link's answers completed waits for the family again, as before the seeding.
    ParticipationTask.objects.filter(outcome=Outcome.COMPLETED, responses__isnull=True).update(
        status="ready", outcome="", outcome_recorded_at=None, outcome_recorded_by=None
    )
    assert seed_family_links(size="tiny", today=TODAY) == seeded
    assert _described() == first
    assert hashes.isdisjoint(SecureLink.objects.values_list("token_hash", flat=True))
