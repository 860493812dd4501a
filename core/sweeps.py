"""Durable schedules: idempotent sweeps that act on whatever is due (DESIGN section 10).

Apps register a sweep with :func:`register_sweep`; Celery beat runs them (rows made by
``setup_schedules``) and ``run_sweeps`` runs them once by hand, as ``make demo`` does.
"""

from __future__ import annotations

import datetime
import logging
from collections.abc import Callable
from dataclasses import dataclass

from django.utils import timezone

logger = logging.getLogger(__name__)
FREQUENCIES = ("hourly", "daily")


@dataclass(frozen=True)
class Sweep:
    name: str
    frequency: str
    fn: Callable[..., int]


_sweeps: dict[str, Sweep] = {}


def register_sweep(name: str, frequency: str, fn: Callable[..., int]) -> None:
    """``fn(today=date, now=datetime)`` returns how many things it acted on."""
    if frequency not in FREQUENCIES:
        raise ValueError(f"frequency must be one of {FREQUENCIES}")
    _sweeps[name] = Sweep(name, frequency, fn)


def registered_sweeps() -> list[Sweep]:
    return sorted(_sweeps.values(), key=lambda s: s.name)


def sweeps_run(
    *, frequency: str | None = None, today: datetime.date | None = None, now: datetime.datetime | None = None
) -> dict[str, int]:
    """Run every sweep (or those of one frequency). A failing sweep is logged; the others still run."""
    now = now or timezone.now()
    today = today or timezone.localdate(now)
    done: dict[str, int] = {}
    failed: list[str] = []
    for sweep in registered_sweeps():
        if frequency and sweep.frequency != frequency:
            continue
        try:
            done[sweep.name] = sweep.fn(today=today, now=now)
        except Exception:
            logger.exception("Sweep %s failed", sweep.name)
            failed.append(sweep.name)
    if failed:
        # Raised after the others have run: the command exits non-zero and the task is marked failed
        # (beat runs it again at the next tick; sweeps are idempotent).
        raise SweepFailed(failed, done)
    return done


class SweepFailed(RuntimeError):
    def __init__(self, failed: list[str], done: dict[str, int]) -> None:
        super().__init__(f"Sweeps failed: {', '.join(failed)}")
        self.failed = failed
        self.done = done
