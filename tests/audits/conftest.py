"""Audit fixtures. The usual audit is of ``world.case_a`` (team A1, area A, worked by
practitioner_own), allocated by the QA officer to ``team_manager_other`` (TM of team B1), so:
auditor = team_manager_other, practitioner = practitioner_own, TM = team_manager_same,
SM = service_manager_same."""

import pytest

from .factories import allocate, tool_version

AUDITOR = "team_manager_other"


@pytest.fixture
def tool(db):
    return tool_version()


@pytest.fixture
def audit_a(world, tool):
    return allocate(world.case_a, world.people[AUDITOR], version=tool, actor=world.people["qa_officer"])
