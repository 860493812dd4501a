"""Triage of families' free-text answers (DESIGN section 6): every open answer of a submitted
response is read by a named QA officer within one working day.

Who reads: the active QA officer with the fewest answers still to read (ties by email, so the
choice is reproducible), else a QA manager. A response's answers go to one reader, who sees the
family's words together. A daily sweep makes any item a submission missed (no QA staff that day)
and tells the QA manager(s), once per item, about each overdue one.
"""

from __future__ import annotations

import datetime
import logging
from typing import Any

from django.db import transaction
from django.db.models import Count, Q, QuerySet
from django.urls import reverse
from django.utils import timezone
from simple_history.utils import bulk_create_with_history

from audits.services.practitioner import save_with_history
from core.clock import london_date
from core.notifications import Notice, notify, notify_many
from core.sweeps import register_sweep
from core.workdays import add_working_days
from organisation.models import Role, RoleAssignment, User

from ..models import Response, TriageItem
from .questionnaires import OPEN

logger = logging.getLogger(__name__)
TRIAGE_WORKING_DAYS = 1
NOTE_MAX = 500
# How far back the daily sweep looks for submitted answers that no reader was found for.
REPAIR_DAYS = 14


class TriageError(Exception):
    """A triage change the rules refuse; the message says why."""


def qa_staff(role: str, *, today: datetime.date) -> QuerySet[User]:
    """Active people holding ``role`` today, with how many answers they still have to read."""
    holders = RoleAssignment.objects.active_on(today).filter(role=role).values("person_id")
    return (
        User.objects.filter(pk__in=holders, is_active=True)
        .annotate(open_items=Count("triage_items", filter=Q(triage_items__status=TriageItem.Status.OPEN)))
        .order_by("open_items", "email", "pk")
    )


def qa_managers(*, today: datetime.date) -> list[User]:
    return list(qa_staff(Role.QA_MANAGER, today=today))


def triage_assignee(*, today: datetime.date, restricted: bool = False) -> User | None:
    """The QA officer with the fewest open items (ties by email); a QA manager when there is no
    QA officer, or when the case is restricted (only the QA manager sees those in the QA team);
    None when there is nobody (the daily sweep tries again)."""
    officer = None if restricted else qa_staff(Role.QA_OFFICER, today=today).first()
    return officer or qa_staff(Role.QA_MANAGER, today=today).first()


def triage_due_on(submitted_on: datetime.date) -> datetime.date:
    return add_working_days(submitted_on, TRIAGE_WORKING_DAYS)


def _item_url(item: TriageItem) -> str:
    return reverse("feedback:triage-item", args=[item.pk])


@transaction.atomic
def triage_items_create(*, response: Response, today: datetime.date) -> list[TriageItem]:
    """One item per non-empty open answer of a submitted response not triaged yet, all to one
    reader, due one working day after ``today`` (the submission date); the reader is told."""
    if response.status != Response.Status.SUBMITTED:
        return []
    done = set(TriageItem.objects.filter(response=response).values_list("question_code", flat=True))
    codes = [
        q["code"]
        for q in response.questionnaire.questions
        if q.get("kind") == OPEN and str(response.answers.get(q["code"]) or "").strip() and q["code"] not in done
    ]
    if not codes:
        return []
    reader = triage_assignee(today=today, restricted=response.task.audit.restricted)
    if reader is None:
        logger.error("No active QA officer or QA manager to read response %s; the daily sweep will retry", response.pk)
        return []
    due_on = triage_due_on(today)
    bulk_create_with_history(
        [TriageItem(response=response, question_code=code, assigned_to=reader, due_on=due_on) for code in codes],
        TriageItem,
    )
    items = list(TriageItem.objects.filter(response=response, question_code__in=codes).order_by("pk"))
    notify(
        recipient=reader,
        kind="triage-assigned",
        key=f"triage-assigned:{response.pk}:{reader.pk}",
        message=f"A family's answers are waiting for you to read by {due_on:%d %B %Y}",
        url=_item_url(items[0]),
    )
    return items


def _locked_open(item: TriageItem) -> TriageItem:
    locked = TriageItem.objects.select_for_update().get(pk=item.pk)
    if locked.status != TriageItem.Status.OPEN:
        raise TriageError("This answer has already been marked as read.")
    return locked


@transaction.atomic
def triage_item_mark_read(
    *, item: TriageItem, action: str, note: str, actor: Any, now: datetime.datetime | None = None
) -> TriageItem:
    """The reader records that they read the answer and what they did about it."""
    locked = _locked_open(item)
    note = (note or "").strip()
    if action not in TriageItem.Action.values:
        raise TriageError("Choose what you did after reading the answer")
    if action == TriageItem.Action.OTHER and not note:
        raise TriageError("Say what you did in the note")
    if len(note) > NOTE_MAX:
        raise TriageError(f"The note must be {NOTE_MAX} characters or fewer")
    locked.status = TriageItem.Status.DONE
    locked.action = action
    locked.note = note
    locked.done_by = actor
    locked.done_at = now or timezone.now()
    save_with_history(locked, actor=actor, fields=["status", "action", "note", "done_by", "done_at"])
    return locked


@transaction.atomic
def triage_item_reassign(*, item: TriageItem, assignee: User, actor: Any, today: datetime.date) -> TriageItem:
    """The QA manager gives an answer still to read to another member of the QA team."""
    locked = _locked_open(item)
    restricted = Response.objects.filter(pk=locked.response_id, task__audit__restricted=True).exists()
    roles = [Role.QA_MANAGER] if restricted else [Role.QA_OFFICER, Role.QA_MANAGER]
    holders = RoleAssignment.objects.active_on(today).filter(role__in=roles)
    if not assignee.is_active or not holders.filter(person_id=assignee.pk).exists():
        raise TriageError(
            "Choose a QA manager: only they see restricted case files"
            if restricted
            else "Choose someone in the QA team"
        )
    if locked.assigned_to_id == assignee.pk:
        return locked
    locked.assigned_to = assignee
    save_with_history(locked, actor=actor, fields=["assigned_to"])
    notify(
        recipient=assignee,
        kind="triage-assigned",
        key=f"triage-reassigned:{locked.pk}:{assignee.pk}",
        message=f"A family's answer has been passed to you to read by {locked.due_on:%d %B %Y}",
        url=_item_url(locked),
    )
    return locked


def triage_overdue_sweep(*, today: datetime.date, now: datetime.datetime) -> int:
    """Daily: make the items a submission missed, then tell the QA manager(s) once about each
    answer not read by its due date. Returns how many notifications it made."""
    missing = (
        Response.objects.filter(
            status=Response.Status.SUBMITTED, submitted_at__gte=now - datetime.timedelta(days=REPAIR_DAYS)
        )
        .annotate(items=Count("triage_items"))
        .filter(items=0)
        .select_related("questionnaire", "task__audit")
        .order_by("pk")
    )
    for response in missing:
        triage_items_create(response=response, today=london_date(response.submitted_at or now))
    overdue = list(TriageItem.objects.filter(status=TriageItem.Status.OPEN, due_on__lt=today).order_by("pk"))
    managers = qa_managers(today=today)
    return notify_many(
        [
            Notice(
                manager,
                "triage-overdue",
                f"triage-overdue:{item.pk}",
                "A family's answer has not been read by its due date",
                _item_url(item),
                detail=f"Due {item.due_on:%d %B %Y}",
            )
            for item in overdue
            for manager in managers
        ]
    )


def register() -> None:
    register_sweep("feedback-triage-overdue", "daily", triage_overdue_sweep)
