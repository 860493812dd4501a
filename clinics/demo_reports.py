"""Synthetic highlight reports for the demo (DESIGN section 8): finalised reports for the last three
complete months before the last one and drafts, with some narrative, for the last complete month
(the one this month's clinics discuss), at every level — each
team's clinic report (at size "large" a sample of two teams an area), each service area's board
report, the assurance board and the practice-week summary.

Everything goes through :mod:`clinics.services.reports`, written by the person whose report it is
(the team's team manager, the area's service manager or head of service, the assistant director,
a QA officer), so each month starts from the last one's narrative as it does for real. Versions
are finalised **without queuing a PDF** (``queue_pdf=False``): rendering a PDF for every version
would slow the seed for nothing (a version's page offers "Make the PDF", and ``render_report``
renders any of them). Two things are rendered, so the downloads are there to try: the demo
team manager's "every team report" batch for the last finalised month, and the assurance
board's latest version (run in the seed, whatever the broker).

Narrative is invented, strengths-based, and never names a child, family or practitioner.
Deterministic: choices come from ``random.Random(f"demo-reports:{size}:{today}")`` over places
ordered by code. Idempotent: a report already final is left alone; a draft keeps its text.
"""

from __future__ import annotations

import datetime
import random
from typing import Any

from django.db import transaction
from django.utils import timezone

from organisation.models import Role, RoleAssignment, ServiceArea, Team, User
from organisation.scope import Scope, scope_for

from .models import HighlightReport, ReportKind
from .permissions import Place, can_write_report
from .report_kinds import KINDS
from .services.reports import finalise, open_report, save_narrative

FINAL_MONTHS = 3
LARGE_TEAMS_PER_AREA = 2

PHRASES: dict[str, tuple[str, ...]] = {
    "performance": (
        "Visits within timescale held steady this month and remain above our statistical neighbours.",
        "Assessments completed within 45 working days improved for the third month running.",
        "Re-referrals fell slightly; the team thinks earlier help from partners is making a difference.",
    ),
    "quality": (
        "Audits found children's voices clear in plans, with direct work recorded well.",
        "Moderation agreed with most grades; where it did not, the learning was about analysis, not effort.",
        "Dip samples showed supervision records that reflect on the child's lived experience.",
    ),
    "voice": (
        "Families told us they felt listened to and understood what the plan was for.",
        "Young people said they liked seeing the same worker and knowing what would happen next.",
    ),
    "workforce": (
        "The team is stable, with one vacancy covered by an experienced agency worker.",
        "Supervision is happening on time and new starters describe a supportive induction.",
    ),
    "teams": (
        "Teams share good practice at the monthly clinic; two teams have adopted the same chronology template.",
        "Differences between teams are mostly about demand, and managers are moving work to balance it.",
    ),
    "themes": (
        "The period's themes are the child's voice and working with fathers; both show steady progress.",
        "Analysis in assessments is the main area to develop and is the focus of next month's workshop.",
    ),
    "escalations": (
        "No escalations this month; the board is asked to note the recruitment plan.",
        "The board is asked to support a short-term increase in family time capacity.",
    ),
    "financial": ("Placement costs are within forecast; demand for edge-of-care support is rising.",),
    "findings": (
        "Practitioners knew their children well and spoke about them warmly.",
        "Plans were written with families in language they understood.",
    ),
    "working_well": (
        "Relationships with families are warm and purposeful, and partners describe the team as responsive.",
        "Managers know their children and plans well, and reflective supervision is valued.",
    ),
    "worried_about": (
        "Caseloads in one team rose this month; we are watching the effect on visit timeliness.",
        "Some plans do not yet say clearly what will be different for the child.",
    ),
    "next_steps": (
        "Team managers will review plans with the child's voice in mind before the next clinic.",
        "Share the chronology template across the service and check its use in next month's audits.",
    ),
}


def _months(today: datetime.date) -> tuple[list[datetime.date], datetime.date]:
    """The draft is the last complete month's (the one this month's clinic discusses, and the one
    the reports list opens on); the three months before it are finalised."""
    current = (today.replace(day=1) - datetime.timedelta(days=1)).replace(day=1)
    finals = []
    month = current
    for _ in range(FINAL_MONTHS):
        month = (month - datetime.timedelta(days=1)).replace(day=1)
        finals.append(month)
    return sorted(finals), current


def _finalised_at(period: datetime.date, rng: random.Random) -> datetime.datetime:
    # Written in the first fortnight of the following month, in office hours.
    following = (period + datetime.timedelta(days=32)).replace(day=1)
    day = following + datetime.timedelta(days=rng.randint(2, 12))
    moment = datetime.datetime.combine(day, datetime.time(rng.randint(9, 16), rng.choice((0, 15, 30, 45))))
    return timezone.make_aware(moment)


def _narrative(kind: str, rng: random.Random, *, partial: bool) -> dict[str, str]:
    boxes = KINDS[kind].boxes
    chosen = boxes[: max(1, len(boxes) // 2)] if partial else boxes
    return {box.key: rng.choice(PHRASES.get(box.key, PHRASES["working_well"])) for box in chosen}


def _writer(kind: str, place: Place, today: datetime.date, scopes: dict[int, Scope]) -> tuple[User, Scope] | None:
    """The first person (by email) active today whose role writes this report."""
    roles = {
        ReportKind.TEAM_CLINIC: (Role.TEAM_MANAGER,),
        ReportKind.SERVICE_BOARD: (Role.SERVICE_MANAGER, Role.HEAD_OF_SERVICE),
        ReportKind.ASSURANCE_BOARD: (Role.ASSISTANT_DIRECTOR, Role.DIRECTOR),
        ReportKind.PRACTICE_WEEK: (Role.QA_OFFICER, Role.QA_MANAGER),
    }[kind]
    assignments = RoleAssignment.objects.active_on(today).filter(role__in=roles, person__is_active=True)
    if isinstance(place, Team):
        assignments = assignments.filter(team=place)
    elif isinstance(place, ServiceArea):
        assignments = assignments.filter(service_area=place)
    for assignment in assignments.select_related("person").order_by("person__email", "pk"):
        person = assignment.person
        if person.pk not in scopes:
            scopes[person.pk] = scope_for(person, today=today)
        if can_write_report(scopes[person.pk], kind, place):
            return person, scopes[person.pk]
    return None


def _places(size: str) -> list[tuple[str, Place]]:
    places: list[tuple[str, Place]] = [(ReportKind.ASSURANCE_BOARD, None), (ReportKind.PRACTICE_WEEK, None)]
    for area in ServiceArea.objects.order_by("code"):
        places.append((ReportKind.SERVICE_BOARD, area))
        teams = list(Team.objects.filter(service_area=area).order_by("code"))
        if size == "large":
            teams = teams[:LARGE_TEAMS_PER_AREA]
        places += [(ReportKind.TEAM_CLINIC, team) for team in teams]
    return places


def _seed_place(
    kind: str, place: Place, today: datetime.date, rng: random.Random, scopes: dict[int, Scope], counts: dict[str, Any]
) -> None:
    found = _writer(kind, place, today, scopes)
    if found is None:
        counts["no_writer"] += 1
        return
    person, scope = found
    finals, current = _months(today)
    for period in finals:
        report = open_report(kind=kind, place=place, period=period, actor=person, scope=scope)
        if report.status == HighlightReport.Status.FINAL:
            continue
        save_narrative(
            report=report,
            boxes=_narrative(kind, rng, partial=False),
            version=report.narrative_version,
            actor=person,
            scope=scope,
        )
        finalise(report=report, actor=person, scope=scope, now=_finalised_at(period, rng), queue_pdf=False)
        counts["final"] += 1
    report = open_report(kind=kind, place=place, period=current, actor=person, scope=scope)
    # A draft someone (or an earlier seed) has written in keeps its text.
    if report.status == HighlightReport.Status.DRAFT and report.narrative_version == 0:
        save_narrative(
            report=report,
            boxes=_narrative(kind, rng, partial=True),
            version=report.narrative_version,
            actor=person,
            scope=scope,
        )
        counts["draft"] += 1


def seed_reports(*, size: str, today: datetime.date) -> str:
    """Seed the demo's highlight reports for ``size`` and ``today``; returns a one-line summary."""
    rng = random.Random(f"demo-reports:{size}:{today}")
    scopes: dict[int, Scope] = {}
    counts: dict[str, Any] = {"final": 0, "draft": 0, "no_writer": 0}
    with transaction.atomic():
        for kind, place in _places(size):
            _seed_place(kind, place, today, rng, scopes, counts)
    pdfs = _seed_pdfs(today)
    skipped = f"; {counts['no_writer']} with nobody to write them" if counts["no_writer"] else ""
    return (
        f"Highlight reports: {HighlightReport.objects.count()} ({counts['final']} versions finalised and "
        f"{counts['draft']} drafts written this run{skipped}; {pdfs} PDFs rendered)."
    )


def _seed_pdfs(today: datetime.date) -> int:
    """The demo team manager's batch of team reports for the last finalised month and a PDF of the
    assurance board's latest version, each rendered here (jobs run in this process: no worker is
    needed). Only once: nothing when a batch exists already."""
    from core.jobs import job_run
    from core.models import Job
    from organisation.demo import DEMO_EMAIL

    from .models import ReportBatch
    from .pdf_jobs import batch_start, queue_report_pdf

    manager = User.objects.filter(email=DEMO_EMAIL.get(Role.TEAM_MANAGER, "")).first()
    if manager is None or ReportBatch.objects.exists():
        return 0
    finals, _current = _months(today)
    job_ids: list[int] = []
    with transaction.atomic():
        batch = batch_start(scope=scope_for(manager, today=today), period=finals[-1], actor=manager)
        job_ids += [int(item["job"]) for item in batch.items]
        board = (
            HighlightReport.objects.filter(kind=ReportKind.ASSURANCE_BOARD, status=HighlightReport.Status.FINAL)
            .order_by("-period")
            .first()
        )
        version = board.versions.order_by("-number").first() if board else None
        if version is not None:
            job_ids.append(queue_report_pdf(report=board, version=version, actor=version.finalised_by).pk)
    for job_id in job_ids:
        # Already run when tasks run in-process (the claim then fails and this does nothing).
        job_run(job_id=job_id)
    return Job.objects.filter(pk__in=job_ids, status=Job.Status.DONE).count()
