"""What "my work" shows about audits for one person — only real things — and the reads behind
the "Actions for improvement" page. Every query is scoped (selectors.audits_visible, or the
person's own records) and selects what its rows show, so the number of queries never grows with
the number of rows."""

from __future__ import annotations

import datetime
from typing import Any

from django.db.models import Case, Count, IntegerField, Q, QuerySet, Value, When

from organisation.scope import Scope

from .models import DONE_STATUSES, OPEN_STATUSES, Action, ActionStatus, Audit, AuditStatus, Grade, ImmediateConcern
from .selectors import audits_visible
from .services.actions import action_is_live_q
from .services.concern_process import concern_register, reviews_for_reviewer
from .services.practitioner import findings_released_q

# "A short list": more than this shows the first few and a link to the full list.
SHORT_LIST = 10


# --- actions ------------------------------------------------------------------------------------
def actions_visible(scope: Scope) -> QuerySet[Action]:
    """Actions on audits this person may see, and actions they own (an owner in the team may
    not see the audit itself)."""
    if scope.user_id is None:
        return Action.objects.none()
    return Action.objects.filter(
        Q(audit__in=audits_visible(scope).values("pk")) | (Q(owner_id=scope.user_id) & action_is_live_q())
    )


def _overdue_first(qs: QuerySet[Action], today: datetime.date) -> QuerySet[Action]:
    return qs.annotate(
        overdue_rank=Case(When(due_on__lt=today, then=Value(0)), default=Value(1), output_field=IntegerField())
    ).order_by("overdue_rank", "due_on", "pk")


def actions_owned_open(scope: Scope, *, today: datetime.date) -> QuerySet[Action]:
    """This person's open actions on submitted audits, overdue first."""
    qs = Action.objects.filter(action_is_live_q(), owner_id=scope.user_id, status=ActionStatus.OPEN)
    return _overdue_first(qs.select_related("audit"), today)


def team_actions(scope: Scope) -> QuerySet[Action]:
    """Actions on submitted audits of the teams this person manages."""
    if not scope.managed_team_ids:
        return Action.objects.none()
    return Action.objects.filter(
        audit__in=audits_visible(scope)
        .filter(team_id__in=scope.managed_team_ids, status__in=DONE_STATUSES)
        .values("pk")
    )


def team_actions_open(scope: Scope, *, today: datetime.date) -> QuerySet[Action]:
    return _overdue_first(
        team_actions(scope).filter(status=ActionStatus.OPEN).select_related("audit", "owner", "audit__team"), today
    )


def team_actions_to_confirm(scope: Scope) -> QuerySet[Action]:
    """Done, waiting for the TM to confirm."""
    return (
        team_actions(scope)
        .filter(status=ActionStatus.DONE, confirmed_at__isnull=True)
        .select_related("audit", "owner", "audit__team")
        .order_by("completed_on", "pk")
    )


# --- my work --------------------------------------------------------------------------------------
def _short(qs: QuerySet[Any]) -> list[Any]:
    return list(qs[:SHORT_LIST])


def my_work(scope: Scope, *, today: datetime.date) -> dict[str, Any]:
    """Context for templates/audits/partials/my_work.html (empty lists where nothing is due)."""
    work: dict[str, Any] = {"today": today}
    if scope.user_id is None:
        return work
    mine = Audit.objects.filter(practitioner_id=scope.user_id).exclude(status=AuditStatus.CANCELLED)

    # As auditor: audits to complete.
    work["to_audit"] = list(
        Audit.objects.filter(auditor_id=scope.user_id, status__in=OPEN_STATUSES).order_by("due_on", "pk")
    )
    # As practitioner: before, read and respond, after.
    work["reflect_before"] = list(
        mine.filter(status__in=OPEN_STATUSES, reflection_before="").select_related("auditor").order_by("due_on", "pk")
    )
    released = mine.filter(findings_released_q())
    # Until the audit closes (responded, or 5 working days on); a late response is still taken
    # on the audit's own page.
    work["to_respond"] = list(
        released.filter(response="").exclude(status=AuditStatus.CLOSED).order_by("response_due_on", "pk")
    )
    work["reflect_after"] = list(
        released.filter(reflection_after="", reflection_after_due_on__lte=today).order_by(
            "reflection_after_due_on", "pk"
        )
    )
    # Actions they own.
    owned = actions_owned_open(scope, today=today)
    work["my_actions"] = _short(owned)
    work["my_actions_count"] = owned.count() if len(work["my_actions"]) == SHORT_LIST else len(work["my_actions"])

    if scope.managed_team_ids:
        team_open = team_actions(scope).filter(status=ActionStatus.OPEN)
        counts = team_open.aggregate(total=Count("pk"), overdue=Count("pk", filter=Q(due_on__lt=today)))
        work["team_actions_open"] = counts["total"]
        work["team_actions_overdue"] = counts["overdue"]
        work["team_actions_to_confirm"] = _short(team_actions_to_confirm(scope))
        managed = audits_visible(scope).filter(team_id__in=scope.managed_team_ids)
        work["to_talk_through"] = list(
            managed.filter(
                status__in=DONE_STATUSES, reported_grade=Grade.INADEQUATE, talked_through_at__isnull=True
            ).order_by("submitted_at", "pk")
        )
        work["concerns_to_action"] = list(
            ImmediateConcern.objects.filter(
                audit__in=managed.values("pk"), action_recorded_at__isnull=True
            ).select_related("audit")
        )
    if scope.is_qa or scope.area_ids:
        # The SM and the QA team see concerns still without a recorded action a working day on.
        concerns = ImmediateConcern.objects.filter(
            audit__in=_oversight_audits(scope).values("pk"), action_recorded_at__isnull=True, action_due_on__lt=today
        )
        work["concerns_overdue"] = _short(concerns.select_related("audit").order_by("action_due_on", "pk"))
    work["reviews_to_do"] = _short(reviews_for_reviewer(scope))
    if scope.managed_team_ids:
        # A grade changed by moderation reaches the practitioner only after the TM's talk.
        work["changes_to_talk_through"] = _short(
            Audit.objects.filter(
                team_id__in=scope.managed_team_ids,
                moderation_changed_grade=True,
                change_talked_through_at__isnull=True,
            ).order_by("pk")
        )
    if scope.managed_team_ids:
        work["team_children_of_concern"] = _short(
            concern_register(scope).filter(audit__team_id__in=scope.managed_team_ids)
        )
    work["has_items"] = any(value for key, value in work.items() if key not in {"today", "my_actions_count"} and value)
    return work


def _oversight_audits(scope: Scope) -> QuerySet[Audit]:
    visible = audits_visible(scope)
    if scope.is_qa:
        return visible
    return visible.filter(service_area_id__in=scope.area_ids)
