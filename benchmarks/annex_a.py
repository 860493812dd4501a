"""Benchmark: importing a generated Annex A workbook of 200,000 rows.

A standalone script (``make bench`` runs ``python benchmarks/annex_a.py``): it sets Django up on a
throwaway SQLite file under .cache/, loads the framework content (the indicator catalogue and the
bank holidays), makes 60 teams, generates a fictional 200,000-row workbook (not timed), then times
``annex_a_import`` on an empty event store three times (reading, the snapshot, the merge and the
app estimates) and prints the median. Target: under 60 s.
"""

from __future__ import annotations

import datetime
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from bench_env import bench_database

DB = bench_database("annex-a")

ROWS = 200_000
RUNS = 3
TODAY = datetime.date(2026, 11, 2)
AS_OF = datetime.date(2026, 10, 31)
TARGET_SECONDS = 60


def build() -> list[str]:
    from django.core.management import call_command

    from organisation.models import ServiceArea, Team

    DB.parent.mkdir(exist_ok=True)
    DB.unlink(missing_ok=True)
    call_command("migrate", verbosity=0)
    call_command("load_framework", verbosity=0)
    areas = ServiceArea.objects.bulk_create(ServiceArea(code=f"area-{i}", name=f"Area {i}") for i in range(6))
    teams = Team.objects.bulk_create(
        Team(code=f"team-{i}", name=f"Team {i}", service_area=areas[i % len(areas)]) for i in range(60)
    )
    return [team.code for team in teams]


def main() -> None:
    import django

    django.setup()
    from django.db import transaction

    from performance.annex_a_workbook import annex_a_workbook_bytes
    from performance.models import AnnexAEvent, AnnexASnapshot, AnnexAUpload, Estimate, Signal
    from performance.services.annex_a import annex_a_import

    teams = build()
    began = time.perf_counter()
    data = annex_a_workbook_bytes(rows=ROWS, today=AS_OF, seed="bench-annex-a", team_codes=teams)
    generated = time.perf_counter() - began
    times: list[float] = []
    outcome = None
    for _ in range(RUNS):
        with transaction.atomic():
            Signal.objects.all().delete()
            Estimate.objects.all().delete()
            AnnexAUpload.objects.all().delete()
            AnnexAEvent.objects.all().delete()
            AnnexASnapshot.objects.all().delete()
        began = time.perf_counter()
        outcome = annex_a_import(data=data, file_name="bench.xlsx", today=TODAY)
        times.append(time.perf_counter() - began)
    assert outcome is not None
    snapshot = outcome.snapshot
    print(
        f"annex a: a generated workbook of {snapshot.rows_read:,} rows ({len(data) / 1e6:.1f} MB, made in "
        f"{generated:.1f} s), {RUNS} runs: {snapshot.events_added:,} events, {outcome.estimates:,} estimates, "
        f"{len(snapshot.problems)} problems"
    )
    median = statistics.median(times)
    verdict = "ok" if median < TARGET_SECONDS else "TOO SLOW"
    print(f"  import (read, snapshot, merge, estimates) median {median:.2f} s (target {TARGET_SECONDS} s): {verdict}")


if __name__ == "__main__":
    main()
