"""Themes tagged on dip samples (by the manager) and practice observations (by the observer): saved
with the form, shown on the detail page, and counted once complete."""

from __future__ import annotations

import datetime

import pytest
from django.urls import reverse

from audits.models import DipSample
from clinics.themes import period_themes
from observations.models import Observation
from tests.audits.test_dip_samples import (  # noqa: F401 (fixtures)
    MONTH,
    files,
    round_,
    sample_of,
)
from tests.observations.test_observations import checklist_data, discuss, fill, record

from .test_themes import themes

pytestmark = pytest.mark.usefixtures("round_")


def _dip_post(sample: DipSample, action: str, theme_ids: list[int]) -> dict:
    data: dict = {"action": action, "themes-themes": [str(pk) for pk in theme_ids]}
    for item in sample.items.all():
        data |= {f"item-{item.pk}-result": "met", f"item-{item.pk}-note": "", f"item-{item.pk}-version": "0"}
    return data


def test_the_manager_tags_the_dip_sample_and_it_counts_once_done(client, world):
    t = themes()
    sample = sample_of(world, "team_manager_same")
    client.force_login(world.people["team_manager_same"])
    url = reverse("audits:dip-sample", args=[sample.pk])
    page = client.get(url).content.decode()
    assert "Child&#x27;s voice" in page
    assert client.post(url, _dip_post(sample, "save", [t["voice"].pk])).status_code == 302
    assert set(sample.themes.values_list("slug", flat=True)) == {"child-voice"}
    # Not done yet: nothing counts.
    assert period_themes(first=MONTH, last=MONTH).strengths == []
    assert client.post(url, _dip_post(sample, "done", [t["voice"].pk, t["planning"].pk])).status_code == 302
    sample.refresh_from_db()
    assert sample.status == DipSample.Status.DONE
    shown = client.get(url).content.decode()
    assert 'id="dip-sample-themes"' in shown
    assert "Planning" in shown
    rollup = period_themes(first=MONTH, last=MONTH)
    assert {(c.key, c.count) for c in rollup.strengths} == {("theme:child-voice", 1), ("theme:planning", 1)}


def test_a_theme_that_is_not_offered_is_refused_and_the_results_are_kept(client, world):
    themes()
    sample = sample_of(world, "team_manager_same")
    client.force_login(world.people["team_manager_same"])
    url = reverse("audits:dip-sample", args=[sample.pk])
    response = client.post(url, _dip_post(sample, "save", [999_999]))
    assert response.status_code == 200
    body = response.content.decode()
    assert "govuk-error-summary" in body
    assert "Themes: choose from the options shown" in body
    # What was typed is kept: the files' results are still chosen.
    assert body.count('checked="checked"') == sample.items.count()
    assert not sample.themes.exists()


def test_the_observer_tags_the_observation_and_it_shows_on_the_detail_page(client, world):
    t = themes()
    observation = record(world)
    client.force_login(observation.observer)
    url = reverse("observations:observation-edit", args=[observation.pk])
    data = checklist_data(observation, themes=[str(t["supervision"].pk)])
    assert client.post(url, data).status_code == 302
    observation.refresh_from_db()
    assert list(observation.themes.values_list("slug", flat=True)) == ["supervision"]
    assert observation.version == 1
    detail = client.get(reverse("observations:observation-detail", args=[observation.pk])).content.decode()
    assert 'id="observation-themes"' in detail
    assert "Supervision" in detail
    # Changing only the themes is a change too (a new version, so stale pages are refused).
    data = checklist_data(observation, themes=[str(t["voice"].pk)])
    assert client.post(url, data).status_code == 302
    observation.refresh_from_db()
    assert observation.version == 2
    assert list(observation.themes.values_list("slug", flat=True)) == ["child-voice"]


def test_a_completed_observation_counts_its_themes_as_strengths(world):
    t = themes()
    observation = fill(record(world))
    observation.themes.set([t["voice"]])
    day = observation.observed_on.replace(day=1)
    assert period_themes(first=day, last=day).findings == 0  # a draft does not count
    observation = discuss(observation)
    from observations.services.observations import observation_complete

    observation_complete(observation=observation, actor=observation.observer)
    assert Observation.objects.get(pk=observation.pk).status == Observation.Status.COMPLETED
    rollup = period_themes(first=day, last=day)
    assert [(c.key, c.count) for c in rollup.strengths] == [("theme:child-voice", 1)]
    assert rollup.to_develop == []
    assert isinstance(day, datetime.date)
