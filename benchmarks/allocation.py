"""Benchmark: the monthly allocation for 400 auditors over 12,000 eligible case files.

A standalone script (``make bench`` runs ``python benchmarks/allocation.py``): it sets Django up on a
throwaway SQLite file under .cache/, bulk-creates a synthetic authority, then times the proposal
(the draw) and the confirmation and prints their medians. Target: the allocation under 2 s.
"""

from __future__ import annotations

import datetime
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from bench_env import bench_database

DB = bench_database("allocation")

AUDITORS = 400
CASES = 12_000
RUNS = 5
MONTH = datetime.date(2026, 11, 1)
TODAY = datetime.date(2026, 11, 2)


def build() -> None:
    from django.core.management import call_command

    from audits.models import AuditTool, ToolVersion
    from organisation.models import CaseFile, CaseType, DutyAssignment, Role, RoleAssignment, ServiceArea, Team, User

    DB.parent.mkdir(exist_ok=True)
    DB.unlink(missing_ok=True)
    call_command("migrate", verbosity=0)
    tool = AuditTool.objects.create(key="social-work-case-file", name="Social work case file audit", kinds=["monthly"])
    ToolVersion.objects.create(
        tool=tool, number=1, status="published", published_at=datetime.datetime(2026, 1, 1, tzinfo=datetime.UTC)
    )
    areas = ServiceArea.objects.bulk_create(ServiceArea(code=f"area-{i}", name=f"Area {i}") for i in range(6))
    teams = Team.objects.bulk_create(
        Team(code=f"team-{i}", name=f"Team {i}", service_area=areas[i % len(areas)]) for i in range(80)
    )
    users = User.objects.bulk_create(
        User(email=f"auditor{i}@example.test", full_name=f"Auditor {i:03d}", password="!")  # noqa: S106 - an unusable password
        for i in range(AUDITORS)
    )
    start = datetime.date(2020, 1, 1)
    RoleAssignment.objects.bulk_create(
        RoleAssignment(
            person=u,
            role=Role.TEAM_MANAGER if i % 4 == 0 else Role.PRACTITIONER,
            team=teams[i % len(teams)],
            starts_on=start,
        )
        for i, u in enumerate(users)
    )
    DutyAssignment.objects.bulk_create(DutyAssignment(person=u, duty="auditor", starts_on=start) for u in users)
    types = [CaseType.CHILD_IN_NEED, CaseType.CHILD_PROTECTION, CaseType.CHILD_IN_CARE, CaseType.CARE_LEAVER]
    CaseFile.objects.bulk_create(
        (
            CaseFile(
                case_reference=f"BENCH-{i:06d}",
                child_initials="XY",
                birth_year=2012,
                case_type=types[i % len(types)],
                team=teams[(i * 7) % len(teams)],
                practitioner=users[i % AUDITORS] if i % 3 == 0 else None,
                family_reference=f"FAM-{i // 2}",
                opened_on=datetime.date(2025, 1, 1),
            )
            for i in range(CASES)
        ),
        batch_size=2000,
    )


def main() -> None:
    import django

    django.setup()
    from django.core import mail  # noqa: F401 - emails go to the console backend in DEBUG
    from django.db import transaction

    from audits.models import AllocationRound, Audit
    from audits.services.monthly import allocation_confirm, allocation_propose
    from core.models import Job, Notification
    from qaframework.celery import app

    # As in production: the notification emails are queued for the workers (here an in-memory
    # broker), not sent inside the confirmation.
    app.conf.task_always_eager = False
    build()
    propose_times: list[float] = []
    confirm_times: list[float] = []
    totals: list[float] = []
    allocated = 0
    for _ in range(RUNS):
        with transaction.atomic():
            Notification.objects.all().delete()
            Job.objects.all().delete()
            Audit.history.model.objects.all().delete()
            Audit.objects.all().delete()
            AllocationRound.objects.all().delete()
        began = time.perf_counter()
        round_ = allocation_propose(month=MONTH, today=TODAY)
        propose_times.append(time.perf_counter() - began)
        began = time.perf_counter()
        allocated = allocation_confirm(round=round_, actor=None, today=TODAY)
        confirm_times.append(time.perf_counter() - began)
        totals.append(propose_times[-1] + confirm_times[-1])
    print(f"allocation: {AUDITORS} auditors, {CASES:,} eligible case files, {RUNS} runs, {allocated} audits allocated")
    print(f"  proposal (the draw) median {statistics.median(propose_times):.2f} s (target under 2 s)")
    print(
        "  confirmation (audits, history, notification rows, emails queued) median "
        f"{statistics.median(confirm_times):.2f} s"
    )
    print(f"  allocation in all (proposal + confirmation) median {statistics.median(totals):.2f} s (target under 2 s)")


if __name__ == "__main__":
    main()
