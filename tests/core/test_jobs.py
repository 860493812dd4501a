"""Job rows, in-process: enqueue once per key, run after commit, retry, fail visibly, recover.

Tasks run in-process here (conftest turns on eager mode), as in the demo. Handlers are put in
the hook registry with ``monkeypatch.setitem``, so each test's kind disappears afterwards.
"""

from __future__ import annotations

import datetime
import itertools
import threading
from collections.abc import Callable
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone
from kombu.exceptions import OperationalError

from core import hooks
from core.jobs import MAX_ATTEMPTS, RUNNING_STALE_AFTER, STALE_AFTER, JobRetry, job_enqueue, job_run
from core.models import BankHoliday, ImportBatch, Job
from core.sweeps import registered_sweeps
from organisation.models import CaseFile, Role
from tests.factories import TeamFactory, person_with_role

_kinds = itertools.count(1)


class Recorder:
    """A job handler (and failure hook) that records its calls and fails as told."""

    def __init__(self, fail_times: int = 0, result: dict[str, Any] | None = None) -> None:
        self.fail_times = fail_times
        self.result = result if result is not None else {"imported": 3}
        self.calls: list[dict[str, Any]] = []
        self.failed: list[tuple[int, str, bool]] = []

    def __call__(self, *, job: Job) -> dict[str, Any]:
        self.calls.append(dict(job.payload))
        if len(self.calls) <= self.fail_times:
            raise RuntimeError(f"the file server is down (call {len(self.calls)})")
        return self.result

    def on_failed(self, *, job: Job, final: bool) -> None:
        self.failed.append((job.pk, job.status, final))


@pytest.fixture
def register(monkeypatch: pytest.MonkeyPatch) -> Callable[..., tuple[str, Recorder]]:
    """Register a recorder under a new job kind (and its failure hook) for this test only."""

    def _register(**kwargs: Any) -> tuple[str, Recorder]:
        kind = f"test-kind-{next(_kinds)}"
        recorder = Recorder(**kwargs)
        monkeypatch.setitem(hooks._registry, f"job:{kind}", [recorder])
        monkeypatch.setitem(hooks._registry, f"job-failed:{kind}", [recorder.on_failed])
        return kind, recorder

    return _register


def _make_stale(job: Job, *, started: datetime.datetime) -> None:
    Job.objects.filter(pk=job.pk).update(status=Job.Status.RUNNING, started_at=started, attempts=job.attempts)


def _sweep(now: datetime.datetime) -> int:
    """Run the stale-job sweep as beat would: through its registration."""
    (sweep,) = [s for s in registered_sweeps() if s.name == "requeue-stale-jobs"]
    assert sweep.frequency == "hourly"
    return sweep.fn(today=timezone.localdate(now), now=now)


# --- enqueue and run ----------------------------------------------------------------------------
def test_enqueueing_the_same_key_twice_makes_one_job_and_queues_it_once(
    db, register, django_capture_on_commit_callbacks
):
    kind, recorder = register()
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        first = job_enqueue(kind=kind, key="report:7", payload={"report": 7})
        second = job_enqueue(kind=kind, key="report:7", payload={"report": 7})
    assert first.pk == second.pk
    assert Job.objects.filter(key="report:7").count() == 1
    assert len(callbacks) == 1
    assert recorder.calls == []  # nothing runs before the transaction commits


def test_enqueueing_an_unknown_kind_is_refused(db):
    with pytest.raises(ValueError, match="No handler registered"):
        job_enqueue(kind="no-such-kind", key="x:1", payload={})
    assert not Job.objects.exists()


def test_a_job_runs_after_commit_and_is_done_with_its_result(db, register, django_capture_on_commit_callbacks):
    kind, recorder = register(result={"created": 12, "updated": 3})
    actor = person_with_role(Role.QA_OFFICER)
    with django_capture_on_commit_callbacks(execute=True):
        job = job_enqueue(kind=kind, key="import:1", payload={"batch_id": 1}, actor=actor)
        assert Job.objects.get(pk=job.pk).status == Job.Status.QUEUED
    job.refresh_from_db()
    assert job.status == Job.Status.DONE
    assert job.result == {"created": 12, "updated": 3}
    assert job.attempts == 1
    assert job.error == ""
    assert job.created_by == actor
    assert job.started_at is not None
    assert job.finished_at is not None
    assert recorder.calls == [{"batch_id": 1}]


def test_a_job_that_fails_once_is_retried_and_ends_done(db, register, django_capture_on_commit_callbacks):
    kind, recorder = register(fail_times=1)
    with django_capture_on_commit_callbacks(execute=True):
        job = job_enqueue(kind=kind, key="flaky:1", payload={})
    job.refresh_from_db()
    assert job.status == Job.Status.DONE
    assert job.attempts == 2
    assert job.error == ""
    assert job.result == {"imported": 3}
    assert len(recorder.calls) == 2
    assert recorder.failed == []  # a failure that was retried is not reported as final


def test_a_job_that_always_fails_ends_failed_with_its_error_shown(db, register, django_capture_on_commit_callbacks):
    kind, recorder = register(fail_times=99)
    with django_capture_on_commit_callbacks(execute=True):
        job = job_enqueue(kind=kind, key="broken:1", payload={})
    job.refresh_from_db()
    assert job.status == Job.Status.FAILED
    assert job.attempts == MAX_ATTEMPTS
    assert len(recorder.calls) == MAX_ATTEMPTS
    assert job.error == f"RuntimeError: the file server is down (call {MAX_ATTEMPTS})"
    assert job.finished_at is not None
    assert recorder.failed == [(job.pk, Job.Status.FAILED, True)]


def test_a_failed_attempt_is_undone_before_the_retry(db, register, monkeypatch, django_capture_on_commit_callbacks):
    """A handler that fails half-way leaves nothing behind: its writes roll back with it."""
    kind, _ = register()

    def half_way(*, job: Job) -> dict[str, Any]:
        BankHoliday.objects.create(date=datetime.date(2031, 1, 1), name="Written before the failure")
        raise RuntimeError("failed half-way")

    monkeypatch.setitem(hooks._registry, f"job:{kind}", [half_way])
    with django_capture_on_commit_callbacks(execute=True):
        job = job_enqueue(kind=kind, key="half:1", payload={})
    job.refresh_from_db()
    assert job.status == Job.Status.FAILED
    assert not BankHoliday.objects.filter(date=datetime.date(2031, 1, 1)).exists()


def test_a_failing_failure_hook_still_leaves_the_job_failed_and_says_so(db, register, monkeypatch):
    kind, _ = register(fail_times=99)

    def broken_hook(*, job: Job, final: bool) -> None:
        raise ValueError("batch row is locked")

    monkeypatch.setitem(hooks._registry, f"job-failed:{kind}", [broken_hook])
    job = Job.objects.create(kind=kind, key="hook:1", attempts=MAX_ATTEMPTS - 1)
    job_run(job_id=job.pk)
    job.refresh_from_db()
    assert job.status == Job.Status.FAILED
    assert "RuntimeError: the file server is down" in job.error
    assert "The failure could not be passed on: ValueError: batch row is locked" in job.error


def test_a_job_whose_handler_is_missing_fails_instead_of_sticking(db):
    """A worker started without the app that handles a kind must not leave the row running."""
    job = Job.objects.create(kind="kind-with-no-handler", key="orphan:1", attempts=MAX_ATTEMPTS - 1)
    job_run(job_id=job.pk)
    job.refresh_from_db()
    assert job.status == Job.Status.FAILED
    assert "No handler registered for job kind 'kind-with-no-handler'" in job.error


# --- claims -------------------------------------------------------------------------------------
def test_a_claimed_job_is_not_run_again(db, register):
    kind, recorder = register()
    job = Job.objects.create(kind=kind, key="claimed:1", status=Job.Status.RUNNING, attempts=1)
    assert job_run(job_id=job.pk) is None
    job.refresh_from_db()
    assert recorder.calls == []
    assert job.status == Job.Status.RUNNING
    assert job.attempts == 1


def test_a_done_job_is_not_run_again(db, register):
    kind, recorder = register()
    job = Job.objects.create(kind=kind, key="done:1")
    job_run(job_id=job.pk)
    assert job_run(job_id=job.pk) is None
    assert len(recorder.calls) == 1


@pytest.mark.postgres
def test_a_run_that_lost_its_claim_writes_nothing(transactional_db, register, monkeypatch):
    """The sweep handed the job back to the queue while this run was still going (its worker was
    presumed dead): this run's writes are rolled back, so the work is never committed twice.

    PostgreSQL only: the sweep writes from another connection while the run's transaction is
    open, which SQLite (one writer at a time) would make wait.
    """
    from django.db import connection

    kind, _ = register()

    def sweep_meanwhile(job_id: int) -> None:
        try:
            Job.objects.filter(pk=job_id).update(status=Job.Status.QUEUED)
        finally:
            connection.close()

    def slow(*, job: Job) -> dict[str, Any]:
        BankHoliday.objects.create(date=datetime.date(2032, 1, 1), name="Written by the old run")
        other = threading.Thread(target=sweep_meanwhile, args=(job.pk,))
        other.start()
        other.join(timeout=30)
        return {"imported": 1}

    monkeypatch.setitem(hooks._registry, f"job:{kind}", [slow])
    job = Job.objects.create(kind=kind, key="lost:1")
    assert job_run(job_id=job.pk) is None
    assert not BankHoliday.objects.filter(date=datetime.date(2032, 1, 1)).exists()
    job.refresh_from_db()
    assert job.status == Job.Status.QUEUED  # left for the next run, not marked done
    assert job.result == {}


# --- the worker path (a real worker retries through the broker) ---------------------------------
def test_in_a_worker_a_failed_attempt_is_queued_again_with_a_delay(db, register, monkeypatch):
    from core.tasks import run_job_task

    kind, _ = register(fail_times=1)
    job = Job.objects.create(kind=kind, key="worker-retry:1")
    retries: list[dict[str, Any]] = []

    def fake_retry(*, exc: Exception, countdown: int) -> Exception:
        retries.append({"exc": exc, "countdown": countdown})
        return exc

    monkeypatch.setattr(run_job_task, "retry", fake_retry)
    run_job_task.push_request(called_directly=False, is_eager=False, retries=0)
    try:
        with pytest.raises(JobRetry):
            run_job_task.run(job.pk)
    finally:
        run_job_task.pop_request()
    job.refresh_from_db()
    assert job.status == Job.Status.QUEUED
    assert job.attempts == 1
    assert "the file server is down" in job.error
    assert len(retries) == 1
    assert retries[0]["countdown"] > 0


# --- lost messages and dead workers -------------------------------------------------------------
def test_a_job_whose_message_was_lost_is_queued_again_by_the_sweep(
    db, register, monkeypatch, django_capture_on_commit_callbacks
):
    from core.tasks import run_job_task

    kind, recorder = register()

    def broker_down(*args: object, **kwargs: object) -> None:
        raise OperationalError("Error 111 connecting to 127.0.0.1:6379. Connection refused.")

    with monkeypatch.context() as m:
        m.setattr(run_job_task, "delay", broker_down)
        with django_capture_on_commit_callbacks(execute=True):
            job = job_enqueue(kind=kind, key="outage:1", payload={})
        job.refresh_from_db()
        assert job.status == Job.Status.QUEUED
        assert recorder.calls == []

    # The sweep leaves a job that may still be on its way alone...
    with django_capture_on_commit_callbacks(execute=True):
        assert _sweep(timezone.now()) == 0
    job.refresh_from_db()
    assert job.status == Job.Status.QUEUED

    # ...and queues it again once it is stale; Redis is back, so it runs.
    with django_capture_on_commit_callbacks(execute=True):
        assert _sweep(timezone.now() + STALE_AFTER + datetime.timedelta(minutes=1)) == 1
    job.refresh_from_db()
    assert job.status == Job.Status.DONE
    assert recorder.calls == [{}]


def test_a_job_stuck_running_after_its_worker_died_is_recovered(db, register, django_capture_on_commit_callbacks):
    kind, recorder = register()
    job = Job.objects.create(kind=kind, key="stuck:1", attempts=1)
    now = timezone.now()
    _make_stale(job, started=now - RUNNING_STALE_AFTER - datetime.timedelta(minutes=5))
    recent = Job.objects.create(kind=kind, key="stuck:2", attempts=1)
    _make_stale(recent, started=now - datetime.timedelta(minutes=30))

    with django_capture_on_commit_callbacks(execute=True):
        assert _sweep(now) == 1
    job.refresh_from_db()
    assert job.status == Job.Status.DONE
    assert job.attempts == 2
    # A job that has been running for half an hour may still be running: left alone.
    recent.refresh_from_db()
    assert recent.status == Job.Status.RUNNING
    assert recent.attempts == 1
    assert len(recorder.calls) == 1


def test_a_job_stuck_running_on_its_last_try_is_failed_and_reported(db, register, django_capture_on_commit_callbacks):
    kind, recorder = register()
    job = Job.objects.create(kind=kind, key="stuck:3", attempts=MAX_ATTEMPTS)
    now = timezone.now()
    _make_stale(job, started=now - RUNNING_STALE_AFTER - datetime.timedelta(minutes=5))

    with django_capture_on_commit_callbacks(execute=True):
        assert _sweep(now) == 1
    job.refresh_from_db()
    assert job.status == Job.Status.FAILED
    assert "worker stopped while running this job" in job.error
    assert recorder.calls == []
    assert recorder.failed == [(job.pk, Job.Status.FAILED, True)]


# --- what a QA officer sees (in-process, as in the demo) ----------------------------------------
CLEAN_CSV = (
    "case_reference,child_initials,birth_year,case_type,team_code,opened_on\n"
    "JOB-001,AB,2015,child_in_need,j1,2024-01-10\n"
    "JOB-002,CD,2016,child_protection,j1,2024-02-11\n"
)


@pytest.fixture
def qa_client(client):
    TeamFactory(code="j1")
    client.force_login(person_with_role(Role.QA_OFFICER))
    return client


def _upload_and_confirm(client) -> ImportBatch:
    upload = SimpleUploadedFile("caseload.csv", CLEAN_CSV.encode(), content_type="text/csv")
    response = client.post(reverse("organisation:caseload-import"), {"file": upload})
    assert response.status_code == 302
    batch = ImportBatch.objects.get()
    assert batch.status == ImportBatch.Status.CHECKED
    response = client.post(reverse("organisation:caseload-batch-confirm", args=[batch.pk]))
    assert response.status_code == 302
    batch.refresh_from_db()
    return batch


def test_with_the_broker_down_the_confirm_page_still_answers_and_the_import_happens_later(
    transactional_db, qa_client, monkeypatch
):
    from core.tasks import run_job_task

    def broker_down(*args: object, **kwargs: object) -> None:
        raise OperationalError("Error 111 connecting to 127.0.0.1:6379. Connection refused.")

    with monkeypatch.context() as m:
        m.setattr(run_job_task, "delay", broker_down)
        batch = _upload_and_confirm(qa_client)
    assert batch.status == ImportBatch.Status.QUEUED
    assert Job.objects.get().status == Job.Status.QUEUED
    assert not CaseFile.objects.exists()
    page = qa_client.get(reverse("organisation:caseload-batch", args=[batch.pk]))
    assert "The import is queued or running" in page.content.decode()

    _sweep(timezone.now() + STALE_AFTER + datetime.timedelta(minutes=1))
    assert set(CaseFile.objects.values_list("case_reference", flat=True)) == {"JOB-001", "JOB-002"}
    page = qa_client.get(reverse("organisation:caseload-batch", args=[batch.pk]))
    assert "Import complete" in page.content.decode()


def test_an_import_that_keeps_failing_is_shown_as_failed_and_the_page_still_answers(
    transactional_db, qa_client, monkeypatch
):
    from organisation.services import CASELOAD_JOB

    def always_fails(*, job: Job) -> dict[str, Any]:
        raise RuntimeError("disk full")

    monkeypatch.setitem(hooks._registry, f"job:{CASELOAD_JOB}", [always_fails])
    # The job runs in-process during the confirm request itself (after its commit).
    batch = _upload_and_confirm(qa_client)
    assert batch.status == ImportBatch.Status.FAILED
    job = Job.objects.get()
    assert job.status == Job.Status.FAILED
    assert job.error == "RuntimeError: disk full"
    page = qa_client.get(reverse("organisation:caseload-batch", args=[batch.pk]))
    assert "The import failed after several tries" in page.content.decode()
