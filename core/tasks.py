"""Thin Celery tasks: ids in, one service call."""

from __future__ import annotations

from celery import shared_task

from .jobs import MAX_ATTEMPTS, JobRetry, job_run

# A job that runs longer than this is stopped (the prefork pool enforces it) and counts as a
# failed attempt. It is shorter than the broker's visibility timeout (settings) and than
# core.jobs.RUNNING_STALE_AFTER, after which the sweep presumes a running job's worker dead.
SOFT_TIME_LIMIT = 50 * 60
TIME_LIMIT = 55 * 60


@shared_task(
    bind=True, max_retries=MAX_ATTEMPTS, acks_late=True, soft_time_limit=SOFT_TIME_LIMIT, time_limit=TIME_LIMIT
)
def run_job_task(self, job_id: int) -> None:  # noqa: ANN001
    if self.request.is_eager or self.request.called_directly:
        # In-process (the demo, tests, no Redis): there is no broker to retry through, so try
        # again at once until the job is done or has failed for good. Each try claims the job
        # and counts an attempt, so this ends within MAX_ATTEMPTS; nothing reaches the request.
        for _ in range(MAX_ATTEMPTS):
            try:
                job_run(job_id=job_id)
            except JobRetry:
                continue
            return
        return
    try:
        job_run(job_id=job_id)
    except JobRetry as exc:
        # Back off 30 s, 60 s, 120 s. If the retry cannot be sent (Redis down) the row stays
        # queued and the stale-job sweep queues it again.
        raise self.retry(exc=exc, countdown=30 * 2**self.request.retries) from exc


@shared_task
def run_sweeps_task(frequency: str = "hourly") -> dict[str, int]:
    from .sweeps import sweeps_run

    return sweeps_run(frequency=frequency)
