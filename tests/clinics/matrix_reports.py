"""Matrix entries for the highlight report pages (clinics.permissions).

* team-clinic for A1: written by its team manager; read by area A's SM and HoS and the
  whole-service roles (AD, director, QA team); everyone else gets 404.
* service-board for area A: written by area A's SM and HoS; read by the whole-service roles.
* assurance-board: written by the AD and director; read by the QA team, every SM and HoS, the PSW.
* practice-week: written by the QA team; read by every manager and the PSW.

Readers see the report and no form: their POST is 403. Reading never creates a report; the
writer's POST (an empty narrative) creates the draft and comes back to the page (302).
Pages that only show (the preview) are GET only; reopen and the appendix switch are POST only.
"""

from __future__ import annotations

import datetime
from typing import Any

from clinics.models import ReportKind
from clinics.services.reports import finalise, open_report
from tests.matrix import QA_TEAM, Entry, each

MONTH = "2026-10"
PERIOD = datetime.date(2026, 10, 1)
WHOLE = ("assistant_director", "director", *QA_TEAM)
AREA_A = ("service_manager_same", "head_of_service")
EVERY_SM_HOS = ("service_manager_same", "service_manager_other", "head_of_service")
MANAGERS = ("team_manager_same", "team_manager_other", *EVERY_SM_HOS, "assistant_director", "director")
# The "Highlight reports" page: managers, the PSW and the QA team.
LISTERS = (*MANAGERS, "principal_social_worker", *QA_TEAM)


def _kwargs(kind: str, code: str) -> Any:
    return lambda world: {"kind": kind, "code": code, "month": MONTH}


def _team_final(world: Any) -> dict[str, Any]:
    tm = world.people["team_manager_same"]
    report = open_report(kind=ReportKind.TEAM_CLINIC, place=world.team_a1, period=PERIOD, actor=tm)
    finalise(report=report, actor=tm)
    return {"kind": ReportKind.TEAM_CLINIC.value, "code": "a1", "month": MONTH}


TEAM = _kwargs(ReportKind.TEAM_CLINIC.value, "a1")
TEAM_READERS = (*AREA_A, *WHOLE)
TEAM_WRITER = "team_manager_same"


def _detail() -> tuple[Entry, ...]:
    return (
        Entry(
            label="team clinic",
            kwargs=TEAM,
            expect={"default": (404, 404), TEAM_WRITER: (200, 302), **each(TEAM_READERS, (200, 403))},
        ),
        Entry(
            label="service board",
            kwargs=_kwargs(ReportKind.SERVICE_BOARD.value, "area-a"),
            expect={"default": (404, 404), **each(AREA_A, (200, 302)), **each(WHOLE, (200, 403))},
        ),
        Entry(
            label="assurance board",
            kwargs=_kwargs(ReportKind.ASSURANCE_BOARD.value, "authority"),
            expect={
                "default": (404, 404),
                **each(("assistant_director", "director"), (200, 302)),
                **each((*QA_TEAM, *EVERY_SM_HOS, "principal_social_worker"), (200, 403)),
            },
        ),
        Entry(
            label="practice week",
            kwargs=_kwargs(ReportKind.PRACTICE_WEEK.value, "authority"),
            expect={
                "default": (404, 404),
                **each(QA_TEAM, (200, 302)),
                **each((*MANAGERS, "principal_social_worker"), (200, 403)),
            },
        ),
        # A bad kind, code or month is 404 for everyone signed in.
        Entry(label="bad kind", kwargs=_kwargs("no-such-kind", "a1"), expect={"default": (404, 404)}),
        Entry(label="bad code", kwargs=_kwargs(ReportKind.TEAM_CLINIC.value, "zz9"), expect={"default": (404, 404)}),
        Entry(
            label="bad month",
            kwargs=lambda world: {"kind": ReportKind.TEAM_CLINIC.value, "code": "a1", "month": "2026-13"},
            expect={"default": (404, 404)},
        ),
    )


ENTRIES: dict[str, tuple[Entry, ...]] = {
    "clinics:report-list": (Entry({"default": (403, 405), **each(LISTERS, (200, 405))}),),
    "clinics:report-detail": _detail(),
    "clinics:report-preview": (
        Entry(
            label="team clinic",
            kwargs=TEAM,
            expect={"default": (404, 405), **each((TEAM_WRITER, *TEAM_READERS), (200, 405))},
        ),
    ),
    # The writer finalises (POST, then back to the report); readers may not (403).
    "clinics:report-finalise": (
        Entry(
            label="team clinic",
            kwargs=TEAM,
            expect={"default": (404, 404), TEAM_WRITER: (200, 302), **each(TEAM_READERS, (403, 403))},
        ),
    ),
    "clinics:report-reopen": (
        Entry(
            label="final team clinic",
            kwargs=_team_final,
            expect={"default": (405, 404), TEAM_WRITER: (405, 302), **each(TEAM_READERS, (405, 403))},
        ),
    ),
    "clinics:report-appendix": (
        Entry(
            label="team clinic",
            kwargs=TEAM,
            expect={"default": (405, 404), TEAM_WRITER: (405, 302), **each(TEAM_READERS, (405, 403))},
        ),
    ),
}
