"""Asynchronous work as rows (STYLE.md 16): enqueue after commit, claim by conditional update.

A higher app registers the function that does a kind of job under the hook ``job:<kind>``;
the function takes ``job=`` and returns a JSON-able result. A failure is retried (up to
``MAX_ATTEMPTS``) and then shown on the row, never dropped.
"""

from __future__ import annotations

import datetime
import logging
from typing import Any

from django.db import transaction
from django.db.models import F
from django.utils import timezone

from . import hooks
from .models import Job

logger = logging.getLogger(__name__)
MAX_ATTEMPTS = 3
# A queued job older than this whose message never arrived (Redis down) is queued again.
STALE_AFTER = datetime.timedelta(minutes=10)


def _queue(job_id: int) -> None:
    from .tasks import run_job_task

    run_job_task.delay(job_id)


def job_enqueue(*, kind: str, key: str, payload: dict[str, Any], actor: Any = None) -> Job:
    """Create the job row (once per key) and queue it when the transaction commits."""
    if not hooks.registered(f"job:{kind}"):
        raise ValueError(f"No handler registered for job kind {kind!r}")
    job, created = Job.objects.get_or_create(key=key, defaults={"kind": kind, "payload": payload, "created_by": actor})
    if created:
        # robust: if the broker is down the page still answers; the sweep queues it later.
        transaction.on_commit(lambda: _queue(job.pk), robust=True)
    return job


class JobRetry(Exception):
    """The job failed and will be tried again."""


def job_run(*, job_id: int) -> Job | None:
    """Claim and run one queued job. Returns the job, or None if someone else claimed it."""
    now = timezone.now()
    claimed = Job.objects.filter(pk=job_id, status=Job.Status.QUEUED).update(
        status=Job.Status.RUNNING, started_at=now, attempts=F("attempts") + 1
    )
    if not claimed:
        return None
    job = Job.objects.get(pk=job_id)
    handler = hooks.registered(f"job:{job.kind}")[0]
    try:
        with transaction.atomic():
            result = handler(job=job)
    except Exception as exc:
        logger.exception("Job %s (%s) failed on attempt %s", job.pk, job.kind, job.attempts)
        final = job.attempts >= MAX_ATTEMPTS
        job.status = Job.Status.FAILED if final else Job.Status.QUEUED
        job.error = f"{type(exc).__name__}: {exc}"[:2000]
        job.finished_at = timezone.now() if final else None
        job.save(update_fields=["status", "error", "finished_at"])
        hooks.call(f"job-failed:{job.kind}", job=job, final=final)
        if not final:
            raise JobRetry(job.error) from exc
        return job
    job.status = Job.Status.DONE
    job.result = result or {}
    job.error = ""
    job.finished_at = timezone.now()
    job.save(update_fields=["status", "result", "error", "finished_at"])
    return job


def jobs_requeue_stale(*, now: datetime.datetime | None = None) -> int:
    """Sweep: queue again jobs whose message was lost. Safe to run at any time."""
    cutoff = (now or timezone.now()) - STALE_AFTER
    ids = list(Job.objects.filter(status=Job.Status.QUEUED, created_at__lt=cutoff).values_list("pk", flat=True))
    for job_id in ids:
        transaction.on_commit(lambda job_id=job_id: _queue(job_id), robust=True)
    return len(ids)
