"""Benchmark: highlight-report PDFs on the demo authority (issue 8, "Performance").

A standalone script (``make bench`` runs ``python benchmarks/reports.py``). It builds the demo
authority (``seed_demo --size demo``) in its own SQLite file under .cache/ (kept between runs;
``--fresh`` rebuilds it), then times:

1. building and rendering one team clinic report PDF with a long narrative (about three sides,
   with its charts): the median of 5 runs, target under 1.5 s. The first run (which imports
   WeasyPrint and draws the charts) is printed on its own;
2. every team report of the demo authority through Celery with a real worker on Redis
   (``REDIS_URL``, default ``redis://127.0.0.1:6379/15``): wall time from queuing the jobs to all
   done, target under 30 s.
"""

from __future__ import annotations

import datetime
import io
import os
import shutil
import statistics
import subprocess
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from bench_env import ROOT, bench_database

DB = bench_database("reports")
REDIS_URL = os.environ.get("BENCH_REDIS_URL", "redis://127.0.0.1:6379/15")
os.environ["REDIS_URL"] = REDIS_URL
RUNS = 5
TARGET_ONE_S = 1.5
TARGET_ALL_S = 30.0
# One worker process: the bench database is SQLite, which takes one writer at a time.
WORKER_CONCURRENCY = 1
PARAGRAPH = (
    "The team has kept visits to children in need within timescales for the third month running, and "
    "supervision records show reflective discussion of risk in most files sampled. Re-referrals rose "
    "slightly; the team manager has looked at the twelve children concerned and found no common cause, "
    "but will review the step-down plans with early help at the next clinic. "
)


def build(fresh: bool) -> None:
    from django.core.management import call_command

    from organisation.models import Team

    DB.parent.mkdir(exist_ok=True)
    if fresh:
        DB.unlink(missing_ok=True)
    call_command("migrate", verbosity=0)
    if Team.objects.exists():
        return
    call_command("createcachetable", verbosity=0)
    call_command("load_framework", stdout=io.StringIO())
    call_command("seed_demo", size="demo", stdout=io.StringIO())


def _period() -> datetime.date:
    from django.utils import timezone

    today = timezone.localdate()
    last = today.replace(day=1) - datetime.timedelta(days=1)
    return last.replace(day=1)


def time_one(period: datetime.date) -> tuple[float, list[float], int]:
    from clinics.models import ReportKind
    from clinics.report_kinds import KINDS
    from organisation.models import Team
    from qaframework.report_render import render_report_pdf

    team = Team.objects.select_related("service_area").order_by("pk").first()
    spec = KINDS[ReportKind.TEAM_CLINIC]
    narrative = {box.key: f"{PARAGRAPH}\n\n{PARAGRAPH}" for box in spec.boxes}
    times = []
    pages = 0
    for _ in range(RUNS + 1):
        started = time.perf_counter()
        context = spec.build(team, period)
        _pdf, pages = render_report_pdf(
            context=context,
            narrative=narrative,
            tables_in_appendix=False,
            author_name="Bench Author",
            status="draft",
            finalised_at=None,
        )
        times.append(time.perf_counter() - started)
    return times[0], times[1:], pages


def _start_worker() -> subprocess.Popen:
    from qaframework.celery import app

    env = {**os.environ, "CONN_MAX_AGE": "0"}
    celery = shutil.which("celery", path=str(Path(sys.executable).parent)) or "celery"
    node = f"bench-reports-{os.getpid()}@qa-bench"
    log = open(ROOT / ".cache" / "bench-reports-worker.log", "w")  # noqa: SIM115 - closed with the process
    proc = subprocess.Popen(  # noqa: S603 - our own celery with fixed arguments
        [
            celery,
            "-A",
            "qaframework",
            "worker",
            "--pool=solo",
            "--without-mingle",
            "--without-gossip",
            "--loglevel=WARNING",
            "-n",
            node,
        ],
        cwd=ROOT,
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    deadline = time.monotonic() + 90
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise RuntimeError(f"The Celery worker exited; see {log.name}")
        if app.control.ping(destination=[node], timeout=0.5):
            return proc
    proc.terminate()
    raise RuntimeError("The Celery worker did not answer within 90 s")


def time_all(period: datetime.date) -> tuple[float, int, int, list[str]]:
    from django.db import transaction

    from clinics.models import HighlightReport, ReportKind, ReportVersion
    from clinics.pdf_jobs import queue_report_pdf, queue_team_draft_pdf
    from core.models import Job
    from organisation.models import Team
    from qaframework.celery import app

    app.control.purge()
    worker = _start_worker()
    try:
        teams = list(Team.objects.order_by("pk"))
        reports = {r.team_id: r for r in HighlightReport.objects.filter(kind=ReportKind.TEAM_CLINIC, period=period)}
        started = time.perf_counter()
        with transaction.atomic():
            ids = []
            for team in teams:
                report = reports.get(team.pk)
                if report is None:
                    ids.append(queue_team_draft_pdf(team=team, period=period, actor=None).pk)
                    continue
                version = (
                    ReportVersion.objects.filter(report=report).order_by("-number").first()
                    if report.status == HighlightReport.Status.FINAL
                    else None
                )
                ids.append(queue_report_pdf(report=report, version=version, actor=None).pk)
        while True:
            left = Job.objects.filter(pk__in=ids, status__in=[Job.Status.QUEUED, Job.Status.RUNNING]).count()
            if not left or time.perf_counter() - started > 600:
                break
            time.sleep(0.5)
        elapsed = time.perf_counter() - started
        failed = list(Job.objects.filter(pk__in=ids, status=Job.Status.FAILED).values_list("error", flat=True))
        done = Job.objects.filter(pk__in=ids, status=Job.Status.DONE).count()
        return elapsed, done, len(ids), failed
    finally:
        worker.terminate()
        try:
            worker.wait(timeout=30)
        except subprocess.TimeoutExpired:
            worker.kill()


def main() -> None:
    import django

    django.setup()
    build("--fresh" in sys.argv)
    period = _period()
    first, times, pages = time_one(period)
    median = statistics.median(times)
    print(
        f"reports: one team clinic report PDF ({pages} pages, long narrative, charts): first {first:.2f} s, "
        f"median of {RUNS} {median:.2f} s (target < {TARGET_ONE_S} s) {'OK' if median < TARGET_ONE_S else 'SLOW'}"
    )
    elapsed, done, total, failed = time_all(period)
    print(
        f"reports: every team report through Celery ({done} of {total} done, worker concurrency "
        f"{WORKER_CONCURRENCY}): {elapsed:.1f} s (target < {TARGET_ALL_S:.0f} s) "
        f"{'OK' if elapsed < TARGET_ALL_S and done == total else 'SLOW'}"
    )
    for error in failed[:3]:
        print(f"  failed: {error[:200]}")


if __name__ == "__main__":
    main()
