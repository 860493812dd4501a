"""Running the confirmation twice at once allocates each auditor exactly one audit a month: two
threads held at the same point (PostgreSQL), and the same task on two real Celery workers."""

from __future__ import annotations

import datetime
import threading

import pytest
from django.db import connection, connections

from audits.models import AllocationRound, Audit
from audits.services import monthly
from organisation.models import CaseFile, Role
from tests.conftest import running_celery_worker, wait_for
from tests.factories import CaseFileFactory, TeamFactory, person_with_role

from .factories import tool_version

MONTH = datetime.date(2026, 11, 1)
TODAY = datetime.date(2026, 11, 2)


def _proposal(world, auditors: int = 4) -> AllocationRound:
    tool_version(key="social-work-case-file")
    CaseFile.objects.update(closed_on=datetime.date(2025, 1, 1))
    world.people["team_manager_same"].duties.all().delete()
    team = TeamFactory()
    for _ in range(auditors):
        person_with_role(Role.PRACTITIONER, team=team, duties=("auditor",))
        CaseFileFactory()
    return monthly.allocation_propose(month=MONTH, today=TODAY)


def _one_per_auditor(round_: AllocationRound, auditors: int) -> None:
    live = Audit.objects.filter(month=MONTH, kind="monthly").exclude(status="cancelled")
    assert live.count() == auditors
    assert live.values("auditor_id").distinct().count() == auditors
    assert live.values("case_file_id").distinct().count() == auditors


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_two_confirmations_held_at_the_same_point(world, monkeypatch):
    round_ = _proposal(world)
    barrier = threading.Barrier(2, timeout=30)
    # Both confirmations have read the proposal and wait here, so both try every insert.
    monkeypatch.setattr(monthly, "before_confirm_inserts", barrier.wait)
    results: list[int] = []
    errors: list[BaseException] = []

    def confirm() -> None:
        try:
            results.append(
                monthly.allocation_confirm(round=AllocationRound.objects.get(pk=round_.pk), actor=None, today=TODAY)
            )
        except BaseException as exc:  # noqa: BLE001 - reported by the assertion below
            errors.append(exc)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=confirm) for _ in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=60)
    assert not errors, errors
    assert sorted(results) == [0, 4]
    _one_per_auditor(round_, 4)


@pytest.fixture
def second_worker(celery_worker):
    """A second real worker beside the celery_worker fixture's, on the same Redis and database."""
    with running_celery_worker("worker2") as proc:
        yield proc


@pytest.mark.worker
@pytest.mark.django_db(transaction=True)
def test_the_same_confirmation_on_two_workers(world, celery_worker, second_worker):
    from audits.tasks import allocation_confirm_task

    round_ = _proposal(world)
    connection.close()  # the workers must see the committed proposal
    allocation_confirm_task.delay(round_.pk)
    allocation_confirm_task.delay(round_.pk)
    from qaframework.celery import app

    nodes = [celery_worker.node, second_worker.node]

    def idle() -> bool:
        # No result backend: both workers have received a task and hold none now.
        inspect = app.control.inspect(destination=nodes, timeout=1)
        busy = [*(inspect.active() or {}).values(), *(inspect.reserved() or {}).values()]
        with app.connection_for_read() as conn:
            queued = conn.default_channel.client.llen("celery")
        return not queued and len(busy) == 2 * len(nodes) and not any(busy)

    assert wait_for(lambda: AllocationRound.objects.filter(pk=round_.pk, status="confirmed").exists() and idle(), 60)
    connection.close()
    _one_per_auditor(round_, 4)
