"""``manage.py run_sweeps``: run the registered sweeps once, as beat would (``make demo`` uses it)."""

from __future__ import annotations

import datetime
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils import timezone

from core.sweeps import FREQUENCIES, SweepFailed, registered_sweeps, sweeps_run


def _date(value: str) -> datetime.date:
    try:
        return datetime.date.fromisoformat(value)
    except ValueError:
        raise CommandError(f"--today must be a date as YYYY-MM-DD; got {value!r}.") from None


class Command(BaseCommand):
    help = (
        "Run every registered sweep once (or only those of one frequency) and print what each did. "
        "Sweeps act on whatever is due and are safe to run again. Exits non-zero if any sweep failed."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--today", type=_date, help="The day to run as (YYYY-MM-DD; default today, Europe/London).")
        parser.add_argument("--frequency", choices=FREQUENCIES, help="Only the sweeps of this frequency.")

    def handle(self, *args: Any, today: datetime.date | None = None, frequency: str | None = None, **opts: Any) -> None:
        now = timezone.now()
        if today is not None:
            # Keep the time of day, so "now" and "today" agree as they would on that day.
            local = timezone.localtime(now)
            now = timezone.make_aware(datetime.datetime.combine(today, local.time().replace(tzinfo=None)))
        else:
            today = timezone.localdate(now)
        names = [s.name for s in registered_sweeps() if not frequency or s.frequency == frequency]
        if not names:
            self.stdout.write("No sweeps are registered" + (f" for {frequency}." if frequency else "."))
            return
        self.stdout.write(f"Running {len(names)} sweep(s) as of {today:%A %d %B %Y}.")
        try:
            done = sweeps_run(frequency=frequency, today=today, now=now)
        except SweepFailed as exc:
            for name in names:
                if name in exc.done:
                    self.stdout.write(f"{name}: acted on {exc.done[name]}")
                elif name in exc.failed:
                    self.stdout.write(self.style.ERROR(f"{name}: FAILED (see the log for the error)"))
            raise CommandError(f"{len(exc.failed)} sweep(s) failed: {', '.join(exc.failed)}") from exc
        for name in names:
            self.stdout.write(f"{name}: acted on {done[name]}")
        self.stdout.write(self.style.SUCCESS("All sweeps ran."))
