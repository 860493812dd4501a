"""Thin Celery tasks of the audits app: ids in, one service call."""

from __future__ import annotations

import datetime

from celery import shared_task
from django.utils import timezone


@shared_task
def allocation_propose_task(month: str) -> int:
    """Propose the allocation for ``month`` (YYYY-MM); returns the round's id."""
    from .services.monthly import allocation_propose

    day = datetime.datetime.strptime(month, "%Y-%m").date()
    return allocation_propose(month=day).pk


@shared_task
def allocation_confirm_task(round_id: int, actor_id: int | None = None) -> int:
    """Confirm a round; safe to run twice or from two workers at once. Returns audits allocated."""
    from organisation.models import User

    from .models import AllocationRound
    from .services.monthly import allocation_confirm

    actor = User.objects.filter(pk=actor_id).first() if actor_id else None
    round_ = AllocationRound.objects.get(pk=round_id)
    return allocation_confirm(round=round_, actor=actor, today=timezone.localdate())
