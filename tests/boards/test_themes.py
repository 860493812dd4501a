"""The theme roll-up (DESIGN section 9): tagged dip samples and practice observations counted by
service area and period, as strengths or areas to develop, with a fixed number of queries.

The fixture's figures are counted by hand in ``tagged`` below."""

from __future__ import annotations

import datetime
import itertools

import pytest

from audits.models import DipSample, DipSampleItem, DipSampleRound, Theme
from clinics.themes import period_themes
from observations.models import Observation
from tests.audits.test_dip_samples import dip_checklist
from tests.factories import CaseFileFactory

FIRST = datetime.date(2026, 8, 1)
LAST = datetime.date(2026, 10, 1)
MET, PARTLY, NOT_MET = DipSampleItem.Result.MET, DipSampleItem.Result.PARTLY, DipSampleItem.Result.NOT_MET
_seq = itertools.count()


def themes() -> dict[str, Theme]:
    return {
        "voice": Theme.objects.get_or_create(slug="child-voice", defaults={"name": "Child's voice"})[0],
        "planning": Theme.objects.get_or_create(slug="planning", defaults={"name": "Planning"})[0],
        "supervision": Theme.objects.get_or_create(slug="supervision", defaults={"name": "Supervision"})[0],
    }


def dip_sample(
    world,
    *,
    month: datetime.date,
    manager: str,
    results: list[str],
    tags: list[Theme],
    team=None,
    area=None,
    done: bool = True,
) -> DipSample:
    """A dip sample made directly: its round, its files with results, its themes."""
    round_, _ = DipSampleRound.objects.get_or_create(
        month=month,
        defaults={"theme": "Supervision", "checklist": dip_checklist(), "set_by": world.people["qa_officer"]},
    )
    sample = DipSample.objects.create(
        round=round_,
        manager=world.people[manager],
        team=team,
        service_area=area,
        due_on=month + datetime.timedelta(days=27),
        status=DipSample.Status.DONE if done else DipSample.Status.DRAWN,
    )
    for position, result in enumerate(results):
        # Whose files they are does not matter to the roll-up: the sample's place does.
        case = CaseFileFactory(case_reference=f"DIP-{next(_seq):04d}", team=team or world.team_a1)
        DipSampleItem.objects.create(sample=sample, case_file=case, position=position, result=result)
    sample.themes.set(tags)
    return sample


def observation(
    world,
    *,
    on: datetime.date,
    team,
    tags: list[Theme],
    criteria: dict | None = None,
    completed: bool = True,
    observer: str = "team_manager_same",
) -> Observation:
    item = Observation.objects.create(
        type="home_visit",
        observed_on=on,
        observer=world.people[observer],
        team=team,
        service_area=team.service_area,
        consent_by="family",
        criteria=criteria or {},
        discussion_on=on if completed else None,
        status=Observation.Status.COMPLETED if completed else Observation.Status.DRAFT,
    )
    item.themes.set(tags)
    return item


@pytest.fixture
def tagged(world):
    """Counted by hand (period August to October 2026):

    dip samples — S1 (A1, Sep): 2 of 3 met → strength: voice, planning. S2 (area A, Oct): 2 of 4
    met, not most → to develop: planning. S5 (B1, Sep): 1 of 1 → strength: supervision. Ignored:
    S3 not done, S4 in July, S6 untagged.
    observations — O1 (A1, Sep, all met) → strength: voice. O2 (A2, Oct, 1 met, 2 not yet) → to
    develop: supervision, voice. O4 (B1, no checklist) → strength: planning. Ignored: O3 a draft,
    O5 in November.
    Whole service: strengths voice 2, planning 2, supervision 1; to develop planning 1,
    supervision 1, voice 1; 6 findings. Area A: strengths voice 2, planning 1; to develop planning,
    supervision, voice 1 each; 4 findings. Area B: strengths planning 1, supervision 1.
    Team A1: strengths voice 2, planning 1; 2 findings.
    """
    t = themes()
    sep, octo = datetime.date(2026, 9, 1), datetime.date(2026, 10, 1)
    a1, a2, b1 = world.team_a1, world.team_a2, world.team_b1
    dip_sample(
        world,
        month=sep,
        manager="team_manager_same",
        team=a1,
        results=[MET, MET, PARTLY],
        tags=[t["voice"], t["planning"]],
    )
    dip_sample(
        world,
        month=octo,
        manager="service_manager_same",
        area=world.area_a,
        results=[MET, NOT_MET, PARTLY, MET],
        tags=[t["planning"]],
    )
    dip_sample(
        world, month=octo, manager="head_of_service", area=world.area_a, results=[MET], tags=[t["voice"]], done=False
    )
    dip_sample(
        world, month=datetime.date(2026, 7, 1), manager="team_manager_same", team=a1, results=[MET], tags=[t["voice"]]
    )
    dip_sample(world, month=sep, manager="team_manager_other", team=b1, results=[MET], tags=[t["supervision"]])
    dip_sample(world, month=sep, manager="service_manager_same", area=world.area_a, results=[NOT_MET], tags=[])
    observation(world, on=datetime.date(2026, 9, 10), team=a1, tags=[t["voice"]], criteria={"V1": {"result": "met"}})
    observation(
        world,
        on=datetime.date(2026, 10, 5),
        team=a2,
        tags=[t["supervision"], t["voice"]],
        criteria={"V1": {"result": "met"}, "V2": {"result": "not_met"}, "V3": {"result": "partly_met"}},
    )
    observation(world, on=datetime.date(2026, 9, 12), team=a1, tags=[t["planning"]], completed=False)
    observation(world, on=datetime.date(2026, 8, 20), team=b1, tags=[t["planning"]])
    observation(world, on=datetime.date(2026, 11, 2), team=a1, tags=[t["planning"]])
    return t


def counts(items) -> dict[str, int]:
    return {i.key: i.count for i in items}


def test_the_whole_service_counts_each_tagged_sample_and_observation_once(tagged):
    rollup = period_themes(first=FIRST, last=LAST)
    assert rollup.findings == 6
    assert counts(rollup.strengths) == {"theme:child-voice": 2, "theme:planning": 2, "theme:supervision": 1}
    assert counts(rollup.to_develop) == {"theme:planning": 1, "theme:supervision": 1, "theme:child-voice": 1}


def test_by_service_area(world, tagged):
    area_a = period_themes(first=FIRST, last=LAST, service_area_id=world.area_a.pk)
    assert area_a.findings == 4
    assert counts(area_a.strengths) == {"theme:child-voice": 2, "theme:planning": 1}
    assert counts(area_a.to_develop) == {"theme:planning": 1, "theme:supervision": 1, "theme:child-voice": 1}
    area_b = period_themes(first=FIRST, last=LAST, service_area_id=world.area_b.pk)
    assert counts(area_b.strengths) == {"theme:planning": 1, "theme:supervision": 1}
    assert area_b.to_develop == []


def test_by_team(world, tagged):
    team = period_themes(first=FIRST, last=LAST, team_id=world.team_a1.pk)
    assert team.findings == 2
    assert counts(team.strengths) == {"theme:child-voice": 2, "theme:planning": 1}
    assert team.to_develop == []


def test_the_period_decides_what_counts(tagged):
    july = period_themes(first=datetime.date(2026, 7, 1), last=datetime.date(2026, 7, 1))
    assert counts(july.strengths) == {"theme:child-voice": 1}
    november = period_themes(first=datetime.date(2026, 11, 1), last=datetime.date(2026, 11, 1))
    assert counts(november.strengths) == {"theme:planning": 1}


def test_limit_keeps_the_top_ones_ties_by_label(tagged):
    rollup = period_themes(first=FIRST, last=LAST, limit=1)
    assert [(t.key, t.count) for t in rollup.strengths] == [("theme:child-voice", 2)]
    assert len(rollup.to_develop) == 1


def test_labels_and_sources_come_from_the_themes(tagged):
    rollup = period_themes(first=FIRST, last=LAST)
    voice = next(t for t in rollup.strengths if t.key == "theme:child-voice")
    assert (voice.label, voice.source) == ("Child's voice", "Theme")
    assert rollup.as_json()["strengths"][0] == {
        "key": "theme:child-voice",
        "label": "Child's voice",
        "source": "Theme",
        "count": 2,
    }


def test_a_sample_with_half_its_files_met_is_an_area_to_develop(world):
    t = themes()
    dip_sample(
        world,
        month=FIRST,
        manager="team_manager_same",
        team=world.team_a1,
        results=[MET, NOT_MET],
        tags=[t["planning"]],
    )
    rollup = period_themes(first=FIRST, last=LAST)
    assert rollup.strengths == []
    assert counts(rollup.to_develop) == {"theme:planning": 1}


def test_the_query_count_is_fixed_whatever_the_data(world, django_assert_num_queries):
    # 1 audit answers, 1 dip samples (counts by subquery), 1 observations, 1 pillar labels,
    # 1 theme labels.
    with django_assert_num_queries(5):
        period_themes(first=FIRST, last=LAST)
    t = themes()
    for n in range(4):
        dip_sample(
            world,
            month=FIRST,
            manager=["team_manager_same", "team_manager_other", "service_manager_same", "head_of_service"][n],
            team=world.team_a1,
            results=[MET, PARTLY, NOT_MET],
            tags=list(t.values()),
        )
        observation(world, on=datetime.date(2026, 9, 1 + n), team=world.team_a2, tags=list(t.values()))
    with django_assert_num_queries(5):
        rollup = period_themes(first=FIRST, last=LAST, service_area_id=world.area_a.pk)
    assert rollup.findings == 8
