"""Asynchronous work as rows (STYLE.md 16): enqueue after commit, claim by conditional update.

A higher app registers the function that does a kind of job under the hook ``job:<kind>``;
the function takes ``job=`` and returns a JSON-able result. A failure is retried (up to
``MAX_ATTEMPTS``) and then shown on the row, never dropped: the ``job-failed:<kind>`` hooks are
called with ``job=`` and ``final=True`` when a job has failed for good.

Each run holds its claim by the attempt number it set. The handler's writes and the DONE mark
commit in one transaction, and only while that claim still holds, so a run whose job was taken
away (its worker was presumed dead and the job handed to another) changes nothing.
"""

from __future__ import annotations

import datetime
import logging
from typing import Any

from django.db import transaction
from django.db.models import F, Q, QuerySet
from django.utils import timezone

from . import hooks
from .models import Job

logger = logging.getLogger(__name__)
MAX_ATTEMPTS = 3
# A queued job untouched for this long has lost its message (Redis was down, or a retry could not
# be sent): the sweep queues it again. Retries wait at most a minute or two, well inside this.
STALE_AFTER = datetime.timedelta(minutes=10)
# A job still running after this long has lost its worker (killed, or the machine restarted):
# the sweep hands it back to the queue, or fails it if it has had its tries. Generous, and well
# beyond the task's hard time limit (core.tasks), so a job that is really running is never taken.
RUNNING_STALE_AFTER = datetime.timedelta(hours=2)
_ERROR_LIMIT = 2000


class JobRetry(Exception):
    """The job failed and will be tried again."""


class _ClaimLost(Exception):
    """This run no longer holds the job: its work is rolled back."""


def _queue(job_id: int) -> None:
    from .tasks import run_job_task

    run_job_task.delay(job_id)


def queue_job_on_commit(job_id: int) -> None:
    """Queue a job row written in bulk (rows made with :func:`job_enqueue` are queued already)."""
    _queue_on_commit(job_id)


def _queue_on_commit(job_id: int) -> None:
    # robust: if the broker is down the page (or the sweep) still finishes; the row stays
    # queued and the next sweep queues it again.
    transaction.on_commit(lambda: _queue(job_id), robust=True)


def job_enqueue(*, kind: str, key: str, payload: dict[str, Any], actor: Any = None) -> Job:
    """Create the job row (once per key) and queue it when the transaction commits."""
    if not hooks.registered(f"job:{kind}"):
        raise ValueError(f"No handler registered for job kind {kind!r}")
    job, created = Job.objects.get_or_create(key=key, defaults={"kind": kind, "payload": payload, "created_by": actor})
    if created:
        _queue_on_commit(job.pk)
    return job


def _held(job: Job) -> QuerySet[Job]:
    """The rows of ``job`` as long as this run (its attempt number) still holds it."""
    return Job.objects.filter(pk=job.pk, status=Job.Status.RUNNING, attempts=job.attempts)


def _call_failed_hooks(job: Job) -> None:
    """Tell the job's owner it has failed for good. A hook that fails is logged and noted on the
    row; the job stays failed either way (the hooks run in a savepoint of the caller's
    transaction)."""
    try:
        with transaction.atomic():
            hooks.call(f"job-failed:{job.kind}", job=job, final=True)
    except Exception as exc:
        logger.exception("The failure hook of job %s (%s) failed", job.pk, job.kind)
        note = f"{job.error}\nThe failure could not be passed on: {type(exc).__name__}: {exc}"[:_ERROR_LIMIT]
        Job.objects.filter(pk=job.pk).update(error=note)


def _job_attempt_failed(job: Job, exc: BaseException) -> Job | None:
    final = job.attempts >= MAX_ATTEMPTS
    error = f"{type(exc).__name__}: {exc}"[:_ERROR_LIMIT]
    # One transaction: a job is never left failed without its owner having been told.
    with transaction.atomic():
        updated = _held(job).update(
            status=Job.Status.FAILED if final else Job.Status.QUEUED,
            error=error,
            finished_at=timezone.now() if final else None,
        )
        if updated and final:
            job.refresh_from_db()
            _call_failed_hooks(job)
    if not updated:
        logger.warning("Job %s (%s) failed after it was taken from this run; left as it is", job.pk, job.kind)
        return None
    if not final:
        raise JobRetry(error) from exc
    job.refresh_from_db()
    return job


def job_run(*, job_id: int) -> Job | None:
    """Claim and run one queued job. Returns the job, or None if it was not ours to run.

    Raises :class:`JobRetry` when the attempt failed and the job is queued again.
    """
    claimed = Job.objects.filter(pk=job_id, status=Job.Status.QUEUED).update(
        status=Job.Status.RUNNING, started_at=timezone.now(), attempts=F("attempts") + 1
    )
    if not claimed:
        return None
    job = Job.objects.get(pk=job_id)
    try:
        handlers = hooks.registered(f"job:{job.kind}")
        if not handlers:
            raise LookupError(f"No handler registered for job kind {job.kind!r}")
        with transaction.atomic():
            result = handlers[0](job=job)
            done = _held(job).update(status=Job.Status.DONE, result=result or {}, error="", finished_at=timezone.now())
            if not done:
                raise _ClaimLost
    except _ClaimLost:
        logger.warning("Job %s (%s) was taken from this run before it finished; its work was undone", job.pk, job.kind)
        return None
    except Exception as exc:
        logger.exception("Job %s (%s) failed on attempt %s", job.pk, job.kind, job.attempts)
        return _job_attempt_failed(job, exc)
    job.refresh_from_db()
    return job


def _jobs_recover_running(*, cutoff: datetime.datetime) -> tuple[list[int], int]:
    """Jobs left running by a worker that died: queue them again, or fail them after their tries.
    Returns the ids to queue again and how many were failed."""
    requeued: list[int] = []
    failed = 0
    stuck = Job.objects.filter(status=Job.Status.RUNNING, started_at__lt=cutoff).order_by("pk")
    for job in stuck:
        final = job.attempts >= MAX_ATTEMPTS
        error = f"The worker stopped while running this job (attempt {job.attempts} of {MAX_ATTEMPTS})."
        with transaction.atomic():
            # Conditional on the same attempt, so a job claimed again meanwhile is left alone.
            updated = _held(job).update(
                status=Job.Status.FAILED if final else Job.Status.QUEUED,
                error=error,
                finished_at=timezone.now() if final else None,
            )
            if updated and final:
                job.refresh_from_db()
                _call_failed_hooks(job)
        if not updated:
            continue
        logger.warning("Job %s (%s) was stuck running; %s", job.pk, job.kind, "failed" if final else "queued again")
        if final:
            failed += 1
        else:
            requeued.append(job.pk)
    return requeued, failed


def jobs_requeue_stale(*, now: datetime.datetime | None = None) -> int:
    """Sweep: queue again jobs whose message was lost, and recover jobs whose worker died.

    Safe to run at any time: queuing a job twice is harmless (only one run can claim it).
    Returns how many jobs it acted on.
    """
    now = now or timezone.now()
    recovered, failed = _jobs_recover_running(cutoff=now - RUNNING_STALE_AFTER)
    cutoff = now - STALE_AFTER
    # A job queued again after a failed attempt was last touched when that attempt started.
    lost = list(
        Job.objects.filter(status=Job.Status.QUEUED)
        .filter(Q(started_at__isnull=True, created_at__lt=cutoff) | Q(started_at__lt=cutoff))
        .exclude(pk__in=recovered)
        .order_by("pk")
        .values_list("pk", flat=True)
    )
    for job_id in [*recovered, *lost]:
        _queue_on_commit(job_id)
    return len(recovered) + failed + len(lost)
