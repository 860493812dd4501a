"""run_sweeps (the sweeps once, by hand) and setup_schedules (the beat rows for them)."""

import datetime
import io
import json

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.utils import timezone
from django_celery_beat.models import CrontabSchedule, PeriodicTask

from core import sweeps
from core.tasks import run_sweeps_task


@pytest.fixture
def registry(monkeypatch):
    """A private copy of the sweep registry, so test sweeps never leak into other tests."""
    monkeypatch.setattr(sweeps, "_sweeps", {})
    return sweeps


def run(*args: str) -> str:
    out = io.StringIO()
    call_command("run_sweeps", *args, stdout=out)
    return out.getvalue()


def test_run_sweeps_runs_each_sweep_once_as_of_the_given_day_and_says_what_it_did(db, registry):
    seen = []

    def reminders(*, today, now):
        seen.append((today, timezone.localdate(now)))
        return 3

    registry.register_sweep("send-reminders", "daily", reminders)
    registry.register_sweep("mark-overdue", "hourly", lambda today, now: 0)

    output = run("--today", "2026-12-18")

    assert seen == [(datetime.date(2026, 12, 18), datetime.date(2026, 12, 18))]
    assert "send-reminders: acted on 3" in output
    assert "mark-overdue: acted on 0" in output
    assert "Friday 18 December 2026" in output


def test_run_sweeps_with_a_frequency_runs_only_those_sweeps(db, registry):
    ran = []
    registry.register_sweep("daily-one", "daily", lambda today, now: ran.append("daily") or 1)
    registry.register_sweep("hourly-one", "hourly", lambda today, now: ran.append("hourly") or 1)

    output = run("--frequency", "daily")

    assert ran == ["daily"]
    assert "hourly-one" not in output


def test_a_failing_sweep_makes_the_command_fail_after_the_others_have_run(db, registry):
    ran = []

    def broken(*, today, now):
        raise RuntimeError("the database went away")

    registry.register_sweep("a-broken", "daily", broken)
    registry.register_sweep("b-works", "daily", lambda today, now: ran.append("b") or 2)
    out = io.StringIO()

    with pytest.raises(CommandError, match="a-broken"):
        call_command("run_sweeps", stdout=out)

    assert ran == ["b"]
    assert "b-works: acted on 2" in out.getvalue()
    assert "a-broken: FAILED" in out.getvalue()


def test_run_sweeps_refuses_a_date_it_cannot_read(db, registry):
    with pytest.raises(CommandError, match="YYYY-MM-DD"):
        run("--today", "18/12/2026")


def test_the_core_sweep_is_registered_and_runs(db):
    assert "requeue-stale-jobs: acted on 0" in run("--frequency", "hourly")


def test_the_scheduled_task_runs_the_sweeps_of_its_frequency(db, registry):
    registry.register_sweep("daily-one", "daily", lambda today, now: 4)
    registry.register_sweep("hourly-one", "hourly", lambda today, now: 5)

    result = run_sweeps_task.apply(kwargs={"frequency": "daily"}).get()

    assert result == {"daily-one": 4}


def schedule_rows():
    return sorted(
        (
            task.name,
            task.task,
            json.loads(task.kwargs),
            task.enabled,
            task.crontab.minute,
            task.crontab.hour,
            task.crontab.day_of_week,
            str(task.crontab.timezone),
        )
        for task in PeriodicTask.objects.select_related("crontab")
    )


def test_setup_schedules_makes_one_task_per_frequency_and_running_it_twice_changes_nothing(db):
    first = io.StringIO()
    call_command("setup_schedules", stdout=first)
    rows = schedule_rows()
    crontabs = CrontabSchedule.objects.count()

    second = io.StringIO()
    call_command("setup_schedules", stdout=second)

    task = "core.tasks.run_sweeps_task"
    assert rows == [
        ("QA Framework sweeps (daily)", task, {"frequency": "daily"}, True, "30", "2", "*", "Europe/London"),
        ("QA Framework sweeps (hourly)", task, {"frequency": "hourly"}, True, "5", "*", "*", "Europe/London"),
    ]
    assert schedule_rows() == rows
    assert PeriodicTask.objects.count() == 2
    assert CrontabSchedule.objects.count() == crontabs == 2
    assert first.getvalue().count("created") == 2
    assert second.getvalue().count("unchanged") == 2


def test_setup_schedules_puts_back_a_schedule_someone_changed(db):
    call_command("setup_schedules", stdout=io.StringIO())
    rows = schedule_rows()
    task = PeriodicTask.objects.get(name="QA Framework sweeps (daily)")
    task.enabled = False
    task.crontab = CrontabSchedule.objects.create(minute="0", hour="12", timezone="UTC")
    task.kwargs = "{}"
    task.save()
    out = io.StringIO()

    call_command("setup_schedules", stdout=out)

    assert "QA Framework sweeps (daily): updated" in out.getvalue()
    assert schedule_rows() == rows
    assert PeriodicTask.objects.count() == 2
