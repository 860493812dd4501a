"""Thin Celery tasks: ids in, one service call."""

from __future__ import annotations

from celery import shared_task

from .jobs import JobRetry, job_run


@shared_task(bind=True, max_retries=5, acks_late=True)
def run_job_task(self, job_id: int) -> None:  # noqa: ANN001
    try:
        job_run(job_id=job_id)
    except JobRetry as exc:
        raise self.retry(exc=exc, countdown=30 * (self.request.retries + 1)) from exc


@shared_task
def run_sweeps_task(frequency: str = "hourly") -> dict[str, int]:
    from .sweeps import sweeps_run

    return sweeps_run(frequency=frequency)
