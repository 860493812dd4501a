"""``manage.py setup_schedules``: the beat schedule rows, one per sweep frequency."""

from __future__ import annotations

import json
from typing import Any

from django.core.management.base import BaseCommand
from django.db import transaction
from django_celery_beat.models import CrontabSchedule, PeriodicTask

SWEEP_TASK = "core.tasks.run_sweeps_task"
SCHEDULE_TIMEZONE = "Europe/London"
# The hourly sweeps run at five past (not on the hour, when other jobs pile up); the daily ones
# at 02:30 London time, after midnight's date change and outside the working day.
SCHEDULES: dict[str, dict[str, str]] = {
    "hourly": {"minute": "5", "hour": "*"},
    "daily": {"minute": "30", "hour": "2"},
}


def task_name(frequency: str) -> str:
    return f"QA Framework sweeps ({frequency})"


@transaction.atomic
def schedules_set_up() -> list[str]:
    """Create or correct one periodic task per sweep frequency. Safe to run on every deploy:
    the schedules live in the database (durable), and a second run leaves the same rows."""
    report = []
    for frequency, times in SCHEDULES.items():
        fields = {**times, "day_of_week": "*", "day_of_month": "*", "month_of_year": "*"}
        crontab = CrontabSchedule.objects.filter(**fields, timezone=SCHEDULE_TIMEZONE).order_by("pk").first()
        if crontab is None:
            crontab = CrontabSchedule.objects.create(**fields, timezone=SCHEDULE_TIMEZONE)
        wanted = {
            "task": SWEEP_TASK,
            "crontab": crontab,
            "interval": None,
            "solar": None,
            "clocked": None,
            "kwargs": json.dumps({"frequency": frequency}),
            "args": "[]",
            "enabled": True,
            "one_off": False,
        }
        name = task_name(frequency)
        task = PeriodicTask.objects.filter(name=name).first()
        if task is None:
            PeriodicTask.objects.create(name=name, **wanted)
            action = "created"
        elif any(getattr(task, field) != value for field, value in wanted.items()):
            for field, value in wanted.items():
                setattr(task, field, value)
            task.save()
            action = "updated"
        else:
            action = "unchanged"
        report.append(f"{name}: {action} ({crontab.minute} {crontab.hour} * * * {SCHEDULE_TIMEZONE})")
    return report


class Command(BaseCommand):
    help = (
        "Create or update the Celery beat schedule: one periodic task per sweep frequency (hourly at five past, "
        "daily at 02:30 Europe/London) running core.tasks.run_sweeps_task. Running it again changes nothing."
    )

    def handle(self, *args: Any, **options: Any) -> None:
        for line in schedules_set_up():
            self.stdout.write(line)
