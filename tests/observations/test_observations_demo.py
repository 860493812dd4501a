"""The demo's practice observations: by managers of their own practitioners over three months,
mostly complete, a few drafts, learning shared or not or still to choose; the demo sign-ins have
something to see; dip samples still to do are recorded as observations; added once."""

from __future__ import annotations

import datetime
import io
import time

import pytest
from django.core.management import call_command

from audits.demo_dip_samples import seed_dip_samples
from audits.models import DipSample
from observations.demo import seed_observations
from observations.models import CHAIRED_TYPES, Observation, ObservationPractitioner, ShareChoice
from organisation.demo import DEMO_EMAIL
from organisation.models import Role, RoleAssignment

TODAY = datetime.date(2026, 3, 12)


@pytest.fixture
def seeded(db) -> tuple[str, float]:
    call_command("seed_demo", "--size", "tiny", "--today", TODAY.isoformat(), stdout=io.StringIO())
    seed_dip_samples(size="tiny", today=TODAY)
    started = time.monotonic()
    summary = seed_observations(size="tiny", today=TODAY)
    return summary, time.monotonic() - started


def test_the_demo_has_observations_of_every_state_by_managers_of_their_own_practitioners(seeded):
    summary, seconds = seeded
    assert summary.startswith("Practice observations: ")
    assert seconds < 2
    observations = Observation.objects.all()
    assert observations.filter(status=Observation.Status.COMPLETED).count() >= 3
    assert observations.filter(status=Observation.Status.DRAFT, discussion_on__isnull=True).exists()
    months = {o.observed_on.replace(day=1) for o in observations}
    assert months == {datetime.date(2026, 1, 1), datetime.date(2026, 2, 1), datetime.date(2026, 3, 1)}
    for observation in observations.prefetch_related("practitioners"):
        assert observation.observed_on < TODAY
        assert observation.consent_by == ("chair" if observation.type in CHAIRED_TYPES else "family")
        managed = RoleAssignment.objects.active_on(TODAY).filter(
            person=observation.observer, role__in=(Role.TEAM_MANAGER, Role.SERVICE_MANAGER)
        )
        row = observation.practitioners.get()
        assert managed.filter(team=row.team).exists() or managed.filter(service_area=row.team.service_area).exists()
        if observation.status == Observation.Status.COMPLETED:
            assert observation.discussion_on is not None
            assert all(v["result"] for v in observation.criteria.values())
            assert len(observation.criteria) == len(observation.checklist.criteria)
    choices = set(ObservationPractitioner.objects.values_list("share_choice", flat=True))
    assert {ShareChoice.SHARED, ShareChoice.UNDECIDED} <= choices


def test_the_demo_sign_ins_have_something_to_see(seeded):
    tm = Observation.objects.filter(observer__email=DEMO_EMAIL[Role.TEAM_MANAGER])
    assert tm.filter(status=Observation.Status.DRAFT).exists()
    mine = ObservationPractitioner.objects.filter(
        practitioner__email=DEMO_EMAIL[Role.PRACTITIONER], observation__status=Observation.Status.COMPLETED
    )
    assert mine.filter(share_choice=ShareChoice.SHARED).exists()
    assert mine.filter(share_choice=ShareChoice.UNDECIDED).exists()


def test_a_managers_dip_sample_still_to_do_is_recorded_as_the_observation(seeded):
    this_month = DipSample.objects.filter(round__month=TODAY.replace(day=1))
    observed = set(
        Observation.objects.filter(
            status=Observation.Status.COMPLETED, observed_on__gte=TODAY.replace(day=1)
        ).values_list("observer_id", flat=True)
    )
    assert observed
    marked = this_month.filter(observation_note__startswith="Practice observation: ")
    assert set(marked.values_list("manager_id", flat=True)) == observed
    assert all(s.status == DipSample.Status.OBSERVATION for s in marked)
    # Nobody who observed this month still has their dip sample to do.
    assert not this_month.filter(manager_id__in=observed, status=DipSample.Status.DRAWN).exists()


def test_seeding_again_adds_nothing_and_is_deterministic(seeded):
    before = list(
        Observation.objects.order_by("pk").values_list("observer__email", "observed_on", "type", "status", "criteria")
    )
    summary = seed_observations(size="tiny", today=TODAY)
    assert summary.endswith("0 added.")
    after = list(
        Observation.objects.order_by("pk").values_list("observer__email", "observed_on", "type", "status", "criteria")
    )
    assert after == before
