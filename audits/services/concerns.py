"""Audit services: immediate safeguarding concerns.

At any time, even in a draft, the auditor can raise an immediate safeguarding concern about the
child (DESIGN section 4): the team manager, the service manager (and head of service) and every
QA manager are alerted at once — in the app and by an email that carries only a neutral
sentence and a link — and the team manager records the action taken within one working day.
A concern with no action recorded after that shows as overdue, and a daily sweep tells the
service manager and the QA managers once.
"""

from __future__ import annotations

import datetime
from typing import Any

from django.db import transaction
from django.db.models import Case, IntegerField, Q, QuerySet, Value, When
from django.urls import reverse

from core import clock
from core.notifications import notify
from core.sweeps import register_sweep
from core.workdays import add_working_days
from organisation.models import Role, RoleAssignment
from organisation.scope import Scope

from ..models import Audit, AuditStatus, ImmediateConcern
from ..permissions import can_view_audit, is_auditor, is_team_manager
from ..selectors import audits_visible
from .allocation import team_managers_of

ACTION_WORKING_DAYS = 1
# Neutral words only: these are emailed, so no initials, no grade, no case detail.
MESSAGE_TEAM_MANAGER = (
    "An immediate safeguarding concern has been raised about a child in your team — please record the action taken"
)
MESSAGE_AREA = "An immediate safeguarding concern has been raised about a child in your service area"
MESSAGE_QA = "An immediate safeguarding concern has been raised in an audit"
MESSAGE_OVERDUE = "An immediate safeguarding concern has no action recorded yet — please check it"


class ConcernError(Exception):
    """A concern change the rules refuse; the message says why."""


# --- who may see and act ------------------------------------------------------------------------------
def can_view_concern(scope: Scope, concern: ImmediateConcern) -> bool:
    """Whoever may see the audit sees its concerns (the same rule as the list)."""
    return can_view_audit(scope, concern.audit)


def can_raise_concern(scope: Scope, audit: Audit) -> bool:
    """The auditor, at any time until the audit is cancelled — a draft included."""
    return is_auditor(scope, audit) and audit.status != AuditStatus.CANCELLED


def can_record_concern_action(scope: Scope, concern: ImmediateConcern) -> bool:
    """A team manager of the audit's team records what was done."""
    return is_team_manager(scope, concern.audit)


def concerns_visible(scope: Scope, queryset: QuerySet[ImmediateConcern] | None = None) -> QuerySet[ImmediateConcern]:
    """The concerns of the audits this person may see (audits.selectors.audits_visible)."""
    qs = ImmediateConcern.objects.all() if queryset is None else queryset
    return qs.filter(audit__in=audits_visible(scope).values("pk"))


def concern_list(scope: Scope, *, today: datetime.date, show: str = "open") -> QuerySet[ImmediateConcern]:
    """Overdue first, then awaiting action, then those with action recorded; newest first within."""
    overdue = Q(action_recorded_at__isnull=True, action_due_on__lt=today)
    qs = concerns_visible(scope).annotate(
        urgency=Case(
            When(overdue, then=Value(0)),
            When(action_recorded_at__isnull=True, then=Value(1)),
            default=Value(2),
            output_field=IntegerField(),
        )
    )
    if show == "overdue":
        qs = qs.filter(overdue)
    elif show == "open":
        qs = qs.filter(action_recorded_at__isnull=True)
    return qs.select_related("audit__team", "raised_by", "action_recorded_by").order_by("urgency", "-raised_at", "-pk")


# --- raising and acting -------------------------------------------------------------------------------
def _area_managers(audit: Audit, *, today: datetime.date) -> list[Any]:
    return [
        a.person
        for a in RoleAssignment.objects.active_on(today)
        .filter(
            service_area_id=audit.service_area_id,
            role__in=[Role.SERVICE_MANAGER, Role.HEAD_OF_SERVICE],
            person__is_active=True,
        )
        .select_related("person")
        .order_by("person_id")
    ]


def _qa_managers(*, today: datetime.date) -> list[Any]:
    return [
        a.person
        for a in RoleAssignment.objects.active_on(today)
        .filter(role=Role.QA_MANAGER, person__is_active=True)
        .select_related("person")
        .order_by("person_id")
    ]


def _alert(recipients: list[tuple[Any, str, str]], *, actor: Any, key: str, url: str) -> int:
    """One notification per person (the first role that reaches them wins), never to the actor.
    Returns how many people were told now (a repeat tells nobody twice)."""
    seen: set[int] = set()
    told = 0
    for person, kind, message in recipients:
        if person.pk in seen or (actor is not None and person.pk == actor.pk):
            continue
        seen.add(person.pk)
        if notify(recipient=person, kind=kind, key=key, message=message, url=url) is not None:
            told += 1
    return told


@transaction.atomic
def concern_raise(
    *, audit: Audit, actor: Any, description: str, now: datetime.datetime | None = None
) -> ImmediateConcern:
    """Record an immediate safeguarding concern and alert the TM, SM/HoS and QA managers at once."""
    moment = now or clock.now()
    today = clock.london_date(moment)
    locked = Audit.objects.select_for_update().get(pk=audit.pk)
    if locked.status == AuditStatus.CANCELLED:
        raise ConcernError("This audit has been cancelled, so a concern cannot be raised through it.")
    text = description.strip()
    if not text:
        raise ConcernError("Enter what the concern is.")
    concern = ImmediateConcern(
        audit=locked,
        raised_by=actor,
        raised_at=moment,
        description=text,
        action_due_on=add_working_days(today, ACTION_WORKING_DAYS),
    )
    concern._history_user = actor
    concern.save()
    url = reverse("audits:concern-detail", args=[concern.pk])
    recipients = [
        (p, "concern-raised-manager", MESSAGE_TEAM_MANAGER) for p in team_managers_of(locked.team_id, today=today)
    ]
    recipients += [(p, "concern-raised-area", MESSAGE_AREA) for p in _area_managers(locked, today=today)]
    recipients += [(p, "concern-raised-qa", MESSAGE_QA) for p in _qa_managers(today=today)]
    _alert(recipients, actor=actor, key=f"concern-raised:{concern.pk}", url=url)
    return concern


@transaction.atomic
def concern_record_action(
    *, concern: ImmediateConcern, actor: Any, action_taken: str, now: datetime.datetime | None = None
) -> ImmediateConcern:
    """The team manager records the action taken. Once recorded it is never overwritten."""
    moment = now or clock.now()
    locked = ImmediateConcern.objects.select_for_update().get(pk=concern.pk)
    if locked.action_recorded_at is not None:
        raise ConcernError(
            f"The action taken was already recorded by {locked.action_recorded_by} on "
            f"{clock.london_date(locked.action_recorded_at):%d %B %Y}; it has not been changed."
        )
    text = action_taken.strip()
    if not text:
        raise ConcernError("Enter the action taken.")
    locked.action_taken = text
    locked.action_recorded_by = actor
    locked.action_recorded_at = moment
    locked._history_user = actor
    locked.save(update_fields=["action_taken", "action_recorded_by", "action_recorded_at"])
    for name in ("action_taken", "action_recorded_by", "action_recorded_at"):
        setattr(concern, name, getattr(locked, name))
    return concern


def concerns_overdue_sweep(*, today: datetime.date, now: datetime.datetime) -> int:
    """Tell the SM/HoS and the QA managers, once, about each concern whose action is overdue."""
    told = 0
    overdue = (
        ImmediateConcern.objects.filter(action_recorded_at__isnull=True, action_due_on__lt=today)
        .select_related("audit")
        .order_by("pk")
    )
    qa = _qa_managers(today=today)
    for concern in overdue:
        recipients = [
            (p, "concern-overdue", MESSAGE_OVERDUE) for p in (*_area_managers(concern.audit, today=today), *qa)
        ]
        with transaction.atomic():
            told += _alert(
                recipients,
                actor=None,
                key=f"concern-overdue:{concern.pk}",
                url=reverse("audits:concern-detail", args=[concern.pk]),
            )
    return told


def register() -> None:
    """Hooks, loaders and sweeps of this part (called once at start-up)."""
    register_sweep("audit-concerns-overdue", "daily", concerns_overdue_sweep)
