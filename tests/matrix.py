"""Building blocks of the permission matrix (tests/test_permission_matrix.py).

Each part of the app keeps its pages' entries in a ``matrix_<part>.py`` module next to its tests
(``ENTRIES: dict[str, tuple[Entry, ...]]``); the matrix test gathers them all.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any

from .conftest import PERSONAS, World

ANONYMOUS = "anonymous"
ALL_PERSONAS = (ANONYMOUS, *PERSONAS)
# Not a status code: "302 to the sign-in page".
SIGN_IN = "302→sign-in"

Status = int | str
Expect = dict[str, tuple[Status, Status]]

# Groups of personas, from DESIGN section 1.
QA_TEAM = ("qa_officer", "qa_manager")
# Roles with no case-file list of their own: participation officer (questionnaires), PSW
# (themes and aggregates), BI (performance data), partner contributor (assigned sections
# only) and administrator (administration).
NO_CASE_LIST = (
    "participation_officer",
    "principal_social_worker",
    "bi_officer",
    "partner_contributor",
    "administrator",
)

# Which of the world's case files each persona may open (DESIGN sections 1 and 2). case_a is
# in team A1 (area A), worked by practitioner_own and chaired by conference_chair; case_b is in
# team B1 (area B); case_restricted is in A1, worked by practitioner_own, and restricted: only
# the QA manager, its practitioner and their management line see it; case_eh is early help.
SEES: dict[str, frozenset[str]] = {
    "practitioner_own": frozenset({"case_a", "case_restricted"}),
    "practitioner_other": frozenset({"case_b"}),
    "team_manager_same": frozenset({"case_a", "case_restricted"}),
    "team_manager_other": frozenset({"case_b"}),
    "service_manager_same": frozenset({"case_a", "case_restricted"}),
    "service_manager_other": frozenset({"case_b"}),
    "head_of_service": frozenset({"case_a", "case_restricted"}),
    "assistant_director": frozenset({"case_a", "case_b", "case_eh"}),
    "director": frozenset({"case_a", "case_b", "case_eh"}),
    "conference_chair": frozenset({"case_a"}),
    "iro": frozenset(),
    "qa_officer": frozenset({"case_a", "case_b", "case_eh"}),
    "qa_manager": frozenset({"case_a", "case_b", "case_restricted", "case_eh"}),
    "participation_officer": frozenset(),
    "principal_social_worker": frozenset(),
    "bi_officer": frozenset(),
    "early_help_coordinator": frozenset({"case_eh"}),
    "early_help_strategic_lead": frozenset({"case_eh"}),
    "partner_contributor": frozenset(),
    "administrator": frozenset(),
}
CASES = ("case_a", "case_b", "case_restricted", "case_eh")


def each(personas: Iterable[str], statuses: tuple[Status, Status]) -> Expect:
    return dict.fromkeys(personas, statuses)


@dataclass(frozen=True)
class Entry:
    """Expected (GET, POST) statuses for one page, with how to build its URL from the world."""

    expect: Expect
    kwargs: Callable[[World], dict[str, Any]] = lambda world: {}
    data: Callable[[World], dict[str, Any]] | None = None
    label: str = ""

    def expected(self, persona: str) -> tuple[Status, Status]:
        if persona in self.expect:
            return self.expect[persona]
        if persona == ANONYMOUS:
            return (SIGN_IN, SIGN_IN)
        return self.expect["default"]
