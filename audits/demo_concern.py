"""Demo: the child of concern register, built through the real services after the demo's audits
exist. Every submitted Inadequate audit without an episode is put on the register; then, so the
demo shows each state, one review is allocated and due soon, one is overdue, and one is done with
an action not complied with (escalated, a further review scheduled). Idempotent and
deterministic: the same database and date give the same result; a second run changes nothing."""

from __future__ import annotations

import datetime
import random

from django.db import transaction
from django.utils import timezone

from .models import DONE_STATUSES, ActionReview, Audit, ChildOfConcern, Grade
from .services.concern_process import (
    REASON_SUBMITTED,
    ItemAnswer,
    action_review_complete,
    action_reviews_allocate_sweep,
    child_of_concern_start,
)


def _at(day: datetime.date, hour: int = 10) -> datetime.datetime:
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time(hour, 0)))


def _move(review: ActionReview, due: datetime.date) -> None:
    # The demo's clock: shift a scheduled review so that it is due now (history is not needed for
    # a demo fixture's dates, so a plain update is enough).
    ActionReview.objects.filter(pk=review.pk, status=ActionReview.Status.SCHEDULED).update(
        due_on=due, allocate_on=due - datetime.timedelta(days=7)
    )


@transaction.atomic
def seed_concern(*, size: str, today: datetime.date) -> str:
    """Put the demo's Inadequate audits on the register, with reviews in each state."""
    rng = random.Random(f"demo-concern:{size}:{today.isoformat()}")
    started = 0
    missing = (
        Audit.objects.filter(status__in=DONE_STATUSES, reported_grade=Grade.INADEQUATE)
        .exclude(concern_episodes__isnull=False)
        .select_related("auditor")
        .order_by("pk")
    )
    for audit in missing:
        moment = audit.submitted_at or _at(today)
        if child_of_concern_start(audit=audit, actor=audit.auditor, reason=REASON_SUBMITTED, now=moment):
            started += 1

    now = _at(today, 9)
    reviews = ActionReview.objects.filter(episode__status=ChildOfConcern.Status.OPEN)
    scheduled = list(
        reviews.filter(status=ActionReview.Status.SCHEDULED, number=1).select_related("episode").order_by("pk")
    )
    rng.shuffle(scheduled)
    notes = []
    if not reviews.filter(escalated_at__isnull=False).exists() and scheduled:
        review = scheduled.pop()
        _move(review, today - datetime.timedelta(days=3))
        action_reviews_allocate_sweep(today=today, now=now)
        review.refresh_from_db()
        if review.reviewer_id:
            rows = list(review.items.order_by("action__due_on", "action_id"))
            items = {
                row.action_id: ItemAnswer(
                    complied=n != 0, note="Not yet done; discussed in supervision." if n == 0 else "Done."
                )
                for n, row in enumerate(rows)
            }
            action_review_complete(
                review=review,
                actor=review.reviewer,
                items=items,
                notes="Progress on most actions; the first is still outstanding.",
                new_grade=Grade.REQUIRES_IMPROVEMENT,
                outcome=ActionReview.Outcome.FURTHER_REVIEW,
                now=now,
            )
            notes.append("one done and escalated")
    overdue = reviews.filter(status=ActionReview.Status.ALLOCATED, due_on__lt=today)
    if not overdue.exists() and scheduled:
        _move(scheduled.pop(), today - datetime.timedelta(days=4))
        notes.append("one overdue")
    due_soon = reviews.filter(status=ActionReview.Status.ALLOCATED, due_on__gte=today)
    if not due_soon.exists() and scheduled:
        _move(scheduled.pop(), today + datetime.timedelta(days=4))
        notes.append("one due soon")
    allocated = action_reviews_allocate_sweep(today=today, now=now)
    on_register = ChildOfConcern.objects.filter(status=ChildOfConcern.Status.OPEN).count()
    extra = f" ({', '.join(notes)})" if notes else ""
    return (
        f"Children of concern: {started} put on the register, {on_register} on it now; "
        f"{allocated} reviews allocated{extra}."
    )
