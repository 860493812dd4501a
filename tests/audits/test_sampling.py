"""Thematic and ad-hoc sample criteria: each criterion narrows the case files correctly, over open
AND closed files; the draw is seeded from the programme and idempotent."""

from __future__ import annotations

import datetime

import pytest

from audits.models import ProgrammeAudit
from audits.services.programme import programme_create
from audits.services.sampling import SamplingError, cases_matching, sample_draw, sampled_case_ids
from organisation.models import CaseType
from organisation.scope import scope_for
from tests.factories import CaseFileFactory

from .factories import allocate, tool_version

TODAY = datetime.date(2026, 11, 2)


@pytest.fixture
def cases(world):
    """Besides the world's four files: open and closed files of several kinds in teams A1, A2, B1."""
    made = {
        "cp_neglect_open": CaseFileFactory(
            case_reference="S-01",
            team=world.team_a1,
            case_type=CaseType.CHILD_PROTECTION,
            legal_status="CP plan: Neglect",
            opened_on=datetime.date(2024, 6, 1),
        ),
        "cp_neglect_closed": CaseFileFactory(
            case_reference="S-02",
            team=world.team_a2,
            case_type=CaseType.CHILD_PROTECTION,
            legal_status="CP plan: neglect",
            opened_on=datetime.date(2023, 3, 1),
            closed_on=datetime.date(2026, 5, 10),
        ),
        "cic_closed": CaseFileFactory(
            case_reference="S-03",
            team=world.team_b1,
            case_type=CaseType.CHILD_IN_CARE,
            legal_status="s31 care order",
            opened_on=datetime.date(2025, 9, 1),
            closed_on=datetime.date(2026, 9, 30),
        ),
        "cin_open_new": CaseFileFactory(
            case_reference="S-04",
            team=world.team_b1,
            case_type=CaseType.CHILD_IN_NEED,
            legal_status="s17",
            opened_on=datetime.date(2026, 10, 1),
        ),
    }
    return made


def _refs(criteria, world, who="qa_officer"):
    scope = scope_for(world.people[who], today=TODAY)
    return [c.case_reference for c in cases_matching(criteria, scope_for_qa=scope, today=TODAY)]


def test_no_criteria_gives_every_file_in_scope_open_and_closed(world, cases):
    # The QA officer does not see the restricted file; the QA manager does.
    assert _refs({}, world) == ["CASE-A", "CASE-B", "CASE-EH", "S-01", "S-02", "S-03", "S-04"]
    assert "CASE-R" in _refs({}, world, "qa_manager")


def test_case_types(world, cases):
    assert _refs({"case_types": ["child_protection", "child_in_care"]}, world) == ["S-01", "S-02", "S-03"]


def test_legal_status_contains_ignores_case(world, cases):
    assert _refs({"legal_status_contains": "NEGLECT"}, world) == ["S-01", "S-02"]


def test_team_and_service_area(world, cases):
    assert _refs({"team_ids": [world.team_a2.pk]}, world) == ["S-02"]
    assert _refs({"service_area_ids": [world.area_b.pk]}, world) == ["CASE-B", "S-03", "S-04"]
    # Either a listed team or a listed area.
    assert _refs({"team_ids": [world.team_a2.pk], "service_area_ids": [world.area_b.pk]}, world) == [
        "CASE-B",
        "S-02",
        "S-03",
        "S-04",
    ]


def test_dates_opened(world, cases):
    assert _refs({"opened_from": "2025-01-01"}, world) == ["S-03", "S-04"]
    assert _refs({"opened_to": "2023-12-31"}, world) == ["S-02"]


def test_open_closed_and_closed_between(world, cases):
    assert _refs({"open_state": "closed"}, world) == ["S-02", "S-03"]
    assert "S-02" not in _refs({"open_state": "open"}, world)
    assert _refs({"closed_from": "2026-06-01", "closed_to": "2026-12-31"}, world) == ["S-03"]


def test_previous_audits(world, cases):
    version = tool_version()
    # S-01 audited this month; S-02 audited long ago (allocated in 2025).
    allocate(cases["cp_neglect_open"], world.people["team_manager_other"], version=version, today=TODAY)
    allocate(
        cases["cp_neglect_closed"],
        world.people["team_manager_other"],
        version=version,
        today=datetime.date(2025, 1, 6),
        kind="thematic",
    )
    from audits.models import Audit

    Audit.objects.filter(case_reference="S-02").update(
        allocated_at=datetime.datetime(2025, 1, 6, 10, tzinfo=datetime.UTC)
    )
    neglect = {"legal_status_contains": "neglect"}
    assert _refs({**neglect, "previous_audits": "at_least_one"}, world) == ["S-01", "S-02"]
    assert _refs({**neglect, "previous_audits": "none_recent", "previous_months": 6}, world) == ["S-02"]
    assert _refs({**neglect, "previous_audits": "none_recent", "previous_months": 24}, world) == []


def _programme(world, **kw):
    return programme_create(kind=ProgrammeAudit.Kind.THEMATIC, title="Neglect", actor=world.people["qa_officer"], **kw)


def test_draw_is_seeded_and_idempotent(world, cases):
    for i in range(20):
        CaseFileFactory(case_reference=f"X-{i:02d}", team=world.team_a1, legal_status="Neglect")
    programme = _programme(world, criteria={"legal_status_contains": "neglect"}, sample_size=5)
    drawn = sample_draw(programme=programme, today=TODAY)
    assert len(drawn) == 5
    programme.refresh_from_db()
    assert programme.status == ProgrammeAudit.Status.SAMPLED
    assert sampled_case_ids(programme) == drawn
    # Drawing again adds nothing.
    assert sample_draw(programme=programme, today=TODAY) == []
    programme.refresh_from_db()
    assert sampled_case_ids(programme) == drawn

    # The same inputs give the same draw: reproduce it for the same programme id.
    import random

    from organisation.models import CaseFile

    candidates = list(
        CaseFile.objects.filter(legal_status__icontains="neglect", restricted=False)
        .order_by("case_reference")
        .values_list("pk", flat=True)
    )
    assert random.Random(f"programme:{programme.pk}").sample(candidates, 5) == drawn


def test_draw_takes_everything_when_fewer_match_and_refuses_when_none(world, cases):
    programme = _programme(world, criteria={"legal_status_contains": "neglect"}, sample_size=10)
    assert len(sample_draw(programme=programme, today=TODAY)) == 2
    empty = _programme(world, criteria={"legal_status_contains": "nothing like this"})
    with pytest.raises(SamplingError):
        sample_draw(programme=empty, today=TODAY)
