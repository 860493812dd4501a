"""The child of concern process and the 6-week review of actions (seed 6.1.7, DESIGN section 4).

It starts when an audit's REPORTED overall grade is Inadequate: on submission (the
"audit-submitted" hook), or when moderation moves a grade to Inadequate (moderation calls
:func:`child_of_concern_on_grade_change`, which also ends it when a grade moves away from
Inadequate). Who started or ended it, and why, is recorded. The team's TM(s) and the area's
SM(s)/HoS are told at once, with a neutral sentence and a link only.

The 6-week review of actions (the framework's "re-audit") is due 42 days after the audit
conversation (or the submission, where no conversation date is recorded) and a daily sweep
allocates it 7 days before it is due to the original auditor (or a QA officer). Actions not
complied with escalate to the head of service and a further review is scheduled; the child
leaves the register only when a review closes it. Results are never emailed to a practitioner:
their team manager tells them in person.
"""

from __future__ import annotations

import datetime
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from django.db import IntegrityError, transaction
from django.db.models import Prefetch, Q, QuerySet
from django.urls import reverse

from core import clock, hooks
from core.notifications import notify
from core.sweeps import register_sweep
from organisation.models import Role, RoleAssignment
from organisation.scope import Scope

from ..models import Action, ActionReview, ActionReviewItem, Audit, ChildOfConcern, Grade
from ..permissions import AUTHORITY_AUDIT_ROLES
from .allocation import team_managers_of
from .practitioner import AUDIT_SUBMITTED_HOOK

REVIEW_DUE_DAYS = 42
ALLOCATE_BEFORE_DAYS = 7
REASON_SUBMITTED = "The audit was submitted with an overall grade of Inadequate."

# Neutral words only: these are emailed, so no grade, no initials, no case detail.
MESSAGE_STARTED_TEAM = "A child in your team has been placed on the child of concern register — please read the record"
MESSAGE_STARTED_AREA = "A child in your service area has been placed on the child of concern register"
MESSAGE_REVIEW_ALLOCATED = "A 6-week review of actions is ready for you to do — it is due by {due:%-d %B %Y}"
MESSAGE_ESCALATED = "A 6-week review of actions in your service has found actions not yet done — please read it"
MESSAGE_REVIEW_DONE = "A 6-week review of actions for a child in your team has been completed — please read it"


class ReviewError(Exception):
    """A review change the rules refuse; the message says why."""


# --- who may see and act ------------------------------------------------------------------------
def _episode_q(scope: Scope, prefix: str = "") -> Q:
    """Children of concern this person sees: their teams (TM), their areas (SM, HoS), everything
    for the whole-authority roles (restricted files: the QA manager), and reviews allocated to them."""
    if scope.user_id is None:
        return Q(pk__in=[])
    reviewer = Q(**{f"{prefix}reviews__reviewer_id": scope.user_id})
    line = Q(**{f"{prefix}audit__team_id__in": scope.managed_team_ids}) | Q(
        **{f"{prefix}audit__service_area_id__in": scope.area_ids}
    )
    if scope.has_role(Role.QA_MANAGER):
        return Q()
    if scope.has_role(*AUTHORITY_AUDIT_ROLES):
        return line | reviewer | Q(**{f"{prefix}audit__restricted": False})
    return line | reviewer


def can_view_register(scope: Scope) -> bool:
    """The register page: team managers, SMs and HoS, and the whole-authority roles."""
    return bool(scope.whole_authority or scope.managed_team_ids or scope.area_ids)


def episodes_visible(scope: Scope) -> QuerySet[ChildOfConcern]:
    ids = ChildOfConcern.objects.filter(_episode_q(scope)).values("pk")
    return ChildOfConcern.objects.filter(pk__in=ids)


def can_view_episode(scope: Scope, episode: ChildOfConcern) -> bool:
    audit = episode.audit
    if scope.user_id is None:
        return False
    if audit.team_id in scope.managed_team_ids or audit.service_area_id in scope.area_ids:
        return True
    if scope.has_role(Role.QA_MANAGER):
        return True
    if scope.has_role(*AUTHORITY_AUDIT_ROLES) and not audit.restricted:
        return True
    return episode.reviews.filter(reviewer_id=scope.user_id).exists()


def can_do_review(scope: Scope, review: ActionReview) -> bool:
    """Only the allocated reviewer completes the review, while it is allocated."""
    return review.status == ActionReview.Status.ALLOCATED and review.reviewer_id == scope.user_id


# --- who is told ----------------------------------------------------------------------------------
def _people_in_area(service_area_id: int, roles: list[str], *, today: datetime.date) -> list[Any]:
    return [
        a.person
        for a in RoleAssignment.objects.active_on(today)
        .filter(service_area_id=service_area_id, role__in=roles, person__is_active=True)
        .select_related("person")
        .order_by("person_id")
    ]


def _first_qa_officer(*, today: datetime.date) -> Any | None:
    assignment = (
        RoleAssignment.objects.active_on(today)
        .filter(role=Role.QA_OFFICER, person__is_active=True)
        .select_related("person")
        .order_by("person_id")
        .first()
    )
    return assignment.person if assignment else None


def _tell(recipients: list[tuple[Any, str, str]], *, key: str, url: str, audit: Audit) -> int:
    """One notification per person and event; never to the audit's practitioner (the TM tells
    them in person), never twice."""
    seen: set[int] = set()
    told = 0
    for person, kind, message in recipients:
        if person.pk in seen or person.pk == audit.practitioner_id:
            continue
        seen.add(person.pk)
        if notify(recipient=person, kind=kind, key=key, message=message, url=url) is not None:
            told += 1
    return told


# --- dates ------------------------------------------------------------------------------------------
def review_dates(start: datetime.date) -> tuple[datetime.date, datetime.date]:
    """(due_on, allocate_on) of a review counted from ``start``."""
    due = start + datetime.timedelta(days=REVIEW_DUE_DAYS)
    return due, due - datetime.timedelta(days=ALLOCATE_BEFORE_DAYS)


def audit_conversation_or_submission(audit: Audit, *, today: datetime.date) -> datetime.date:
    """The date the first review is counted from: the audit conversation, else the submission."""
    if audit.conversation_on:
        return audit.conversation_on
    if audit.submitted_at:
        return clock.london_date(audit.submitted_at)
    return today


def _sync_items(review: ActionReview) -> None:
    """One item per action of the audit (actions added after the review was scheduled too)."""
    have = set(review.items.values_list("action_id", flat=True))
    missing = Action.objects.filter(audit_id=review.episode.audit_id).exclude(pk__in=have).order_by("pk")
    ActionReviewItem.objects.bulk_create([ActionReviewItem(review=review, action=a) for a in missing])


def _schedule_review(*, episode: ChildOfConcern, number: int, start: datetime.date, actor: Any) -> ActionReview:
    due, allocate = review_dates(start)
    review = ActionReview(episode=episode, number=number, due_on=due, allocate_on=allocate)
    review._history_user = actor
    review.save()
    _sync_items(review)
    return review


# --- starting and ending ----------------------------------------------------------------------------
def _start(*, audit: Audit, actor: Any, reason: str, moment: datetime.datetime) -> ChildOfConcern:
    today = clock.london_date(moment)
    locked = Audit.objects.select_for_update().select_related("team").get(pk=audit.pk)
    existing = ChildOfConcern.objects.filter(audit=locked, status=ChildOfConcern.Status.OPEN).first()
    if existing is not None:
        return existing
    episode = ChildOfConcern(
        case_file_id=locked.case_file_id,
        audit=locked,
        started_at=moment,
        started_by=actor,
        start_reason=(reason or REASON_SUBMITTED)[:300],
    )
    episode._history_user = actor
    try:
        # The constraint is the real guard: two workers racing make one episode.
        with transaction.atomic():
            episode.save()
    except IntegrityError:
        return ChildOfConcern.objects.get(audit=locked, status=ChildOfConcern.Status.OPEN)
    _schedule_review(
        episode=episode, number=1, start=audit_conversation_or_submission(locked, today=today), actor=actor
    )
    url = reverse("audits:concern-episode", args=[episode.pk])
    recipients = [
        (p, "concern-started-team", MESSAGE_STARTED_TEAM) for p in team_managers_of(locked.team_id, today=today)
    ]
    recipients += [
        (p, "concern-started-area", MESSAGE_STARTED_AREA)
        for p in _people_in_area(locked.service_area_id, [Role.SERVICE_MANAGER, Role.HEAD_OF_SERVICE], today=today)
    ]
    _tell(recipients, key=f"concern-started:{episode.pk}", url=url, audit=locked)
    return episode


@transaction.atomic
def child_of_concern_start(
    *, audit: Audit, actor: Any, reason: str, now: datetime.datetime | None = None
) -> ChildOfConcern | None:
    """Put the child on the register when the audit's reported overall grade is Inadequate.

    Idempotent: an audit has at most one open episode (a constraint and a check). Returns the
    open episode, or None when the reported grade is not Inadequate.
    """
    reported = audit.reported_grade or audit.overall_grade
    if reported != Grade.INADEQUATE:
        return None
    return _start(audit=audit, actor=actor, reason=reason, moment=now or clock.now())


@transaction.atomic
def child_of_concern_end(
    *, episode: ChildOfConcern, actor: Any, reason: str, now: datetime.datetime | None = None
) -> ChildOfConcern:
    """End an open episode because the grade changed (status ENDED); its pending reviews are
    cancelled. An episode already ended or closed is left as it is."""
    moment = now or clock.now()
    locked = ChildOfConcern.objects.select_for_update().get(pk=episode.pk)
    if locked.status != ChildOfConcern.Status.OPEN:
        return locked
    locked.status = ChildOfConcern.Status.ENDED
    locked.ended_at = moment
    locked.ended_by = actor
    locked.end_reason = reason[:300]
    locked._history_user = actor
    locked.save(update_fields=["status", "ended_at", "ended_by", "end_reason"])
    for review in ActionReview.objects.select_for_update().filter(
        episode=locked, status__in=[ActionReview.Status.SCHEDULED, ActionReview.Status.ALLOCATED]
    ):
        review.status = ActionReview.Status.CANCELLED
        review._history_user = actor
        review.save(update_fields=["status"])
    return locked


@transaction.atomic
def child_of_concern_on_grade_change(
    *,
    audit: Audit,
    old_grade: str,
    new_grade: str,
    actor: Any,
    reason: str,
    now: datetime.datetime | None = None,
) -> ChildOfConcern | None:
    """Moderation moved the reported grade: to Inadequate starts the process, from Inadequate
    ends it (recording who and why); any other change does nothing. Returns the episode touched."""
    moment = now or clock.now()
    if new_grade == old_grade:
        return None
    if new_grade == Grade.INADEQUATE:
        return _start(audit=audit, actor=actor, reason=reason, moment=moment)
    if old_grade == Grade.INADEQUATE:
        episode = ChildOfConcern.objects.filter(audit=audit, status=ChildOfConcern.Status.OPEN).first()
        if episode is None:
            return None
        return child_of_concern_end(episode=episode, actor=actor, reason=reason, now=moment)
    return None


def _on_audit_submitted(*, audit: Audit, **_: Any) -> None:
    child_of_concern_start(audit=audit, actor=audit.auditor, reason=REASON_SUBMITTED)


# --- allocating the review ------------------------------------------------------------------------
def action_reviews_allocate_sweep(*, today: datetime.date, now: datetime.datetime) -> int:
    """Allocate every scheduled review whose allocation day has come: to the original auditor
    if their account is active, else to a QA officer; the reviewer is told once."""
    allocated = 0
    due = (
        ActionReview.objects.filter(
            status=ActionReview.Status.SCHEDULED,
            allocate_on__lte=today,
            episode__status=ChildOfConcern.Status.OPEN,
        )
        .order_by("allocate_on", "pk")
        .values_list("pk", flat=True)
    )
    for review_id in list(due):
        with transaction.atomic():
            review = (
                ActionReview.objects.select_for_update()
                .select_related("episode__audit__auditor")
                .filter(pk=review_id, status=ActionReview.Status.SCHEDULED)
                .first()
            )
            if review is None:
                continue  # another worker allocated it
            auditor = review.episode.audit.auditor
            reviewer = auditor if auditor.is_active else _first_qa_officer(today=today)
            if reviewer is None:
                continue
            review.status = ActionReview.Status.ALLOCATED
            review.reviewer = reviewer
            review.allocated_at = now
            review._history_user = None
            review.save(update_fields=["status", "reviewer", "allocated_at"])
            _sync_items(review)
            notify(
                recipient=reviewer,
                kind="action-review-allocated",
                key=f"action-review-allocated:{review.pk}",
                message=MESSAGE_REVIEW_ALLOCATED.format(due=review.due_on),
                url=reverse("audits:action-review", args=[review.pk]),
            )
            allocated += 1
    return allocated


# --- doing the review -------------------------------------------------------------------------------
@dataclass(frozen=True)
class ItemAnswer:
    complied: bool | None
    note: str = ""


@transaction.atomic
def action_review_complete(
    *,
    review: ActionReview,
    actor: Any,
    items: Mapping[int, ItemAnswer],
    notes: str,
    new_grade: str,
    outcome: str,
    version: int | None = None,
    now: datetime.datetime | None = None,
) -> ActionReview:
    """Record the review: each action complied with or not (keyed by action id), notes, a new
    overall grade, and the outcome. Actions not complied with escalate to the head(s) of service
    and need a further review, due 42 days on; only a review that closes it takes the child off
    the register. The practitioner is not told by email (the TM tells them in person)."""
    moment = now or clock.now()
    today = clock.london_date(moment)
    locked = ActionReview.objects.select_for_update().select_related("episode__audit").get(pk=review.pk)
    if locked.status != ActionReview.Status.ALLOCATED:
        raise ReviewError("This 6-week review is not open for recording; nothing has been changed.")
    if locked.reviewer_id != actor.pk:
        raise ReviewError("Only the reviewer allocated to this 6-week review can record it.")
    if version is not None and version != locked.version:
        raise ReviewError("Someone else has saved this review since you opened it. Please check it and try again.")
    episode = ChildOfConcern.objects.select_for_update().get(pk=locked.episode_id)
    if episode.status != ChildOfConcern.Status.OPEN:
        raise ReviewError("This child is no longer on the register; the review has not been recorded.")
    _sync_items(locked)
    rows = list(locked.items.select_related("action").order_by("action__due_on", "action_id"))
    problems = [
        f"Say whether action {n} was complied with"
        for n, row in enumerate(rows, 1)
        if items.get(row.action_id) is None or items[row.action_id].complied is None
    ]
    if new_grade not in Grade.values:
        problems.append("Choose the overall grade now")
    if outcome not in ActionReview.Outcome.values:
        problems.append("Choose what happens next")
    not_complied = [row for row in rows if items.get(row.action_id) and items[row.action_id].complied is False]
    if not_complied and outcome == ActionReview.Outcome.CLOSE:
        problems.append(
            "An action was not complied with, so a further review is needed before the child leaves the register"
        )
    if problems:
        raise ReviewError("; ".join(problems))
    for row in rows:
        answer = items[row.action_id]
        if row.complied != answer.complied or row.note != answer.note:
            row.complied = answer.complied
            row.note = answer.note.strip()
            row._history_user = actor
            row.save(update_fields=["complied", "note"])
    locked.status = ActionReview.Status.DONE
    locked.notes = notes.strip()
    locked.new_grade = new_grade
    locked.outcome = outcome
    locked.completed_at = moment
    locked.version += 1
    fields = ["status", "notes", "new_grade", "outcome", "completed_at", "version"]
    if not_complied:
        locked.escalated_at = moment
        fields.append("escalated_at")
    locked._history_user = actor
    locked.save(update_fields=fields)

    audit = episode.audit
    episode_url = reverse("audits:concern-episode", args=[episode.pk])
    if not_complied:
        heads = _people_in_area(audit.service_area_id, [Role.HEAD_OF_SERVICE], today=today)
        _tell(
            [(p, "action-review-escalated", MESSAGE_ESCALATED) for p in heads],
            key=f"action-review-escalated:{locked.pk}",
            url=reverse("audits:action-review", args=[locked.pk]),
            audit=audit,
        )
    if outcome == ActionReview.Outcome.FURTHER_REVIEW:
        _schedule_review(episode=episode, number=locked.number + 1, start=today, actor=actor)
    else:
        episode.status = ChildOfConcern.Status.CLOSED
        episode.ended_at = moment
        episode.ended_by = actor
        episode.end_reason = f"Closed by 6-week review {locked.number}."
        episode._history_user = actor
        episode.save(update_fields=["status", "ended_at", "ended_by", "end_reason"])
    _tell(
        [
            (p, "action-review-done", MESSAGE_REVIEW_DONE)
            for p in team_managers_of(audit.team_id, today=today)
            if p.pk != actor.pk
        ],
        key=f"action-review-done:{locked.pk}",
        url=episode_url,
        audit=audit,
    )
    for name in fields:
        setattr(review, name, getattr(locked, name))
    return review


# --- reads ------------------------------------------------------------------------------------------
REVIEW_DUE_SOON = "due soon"
REVIEW_OVERDUE = "overdue"
REVIEW_DONE = "done"
REVIEW_SCHEDULED = "scheduled"
REVIEW_CANCELLED = "cancelled"


def review_state(review: ActionReview | None, *, today: datetime.date) -> str:
    """How a review reads on the register: due soon, overdue, done (or scheduled, cancelled)."""
    if review is None:
        return ""
    if review.status == ActionReview.Status.DONE:
        return REVIEW_DONE
    if review.status == ActionReview.Status.CANCELLED:
        return REVIEW_CANCELLED
    if review.due_on < today:
        return REVIEW_OVERDUE
    if review.status == ActionReview.Status.ALLOCATED or review.allocate_on <= today:
        return REVIEW_DUE_SOON
    return REVIEW_SCHEDULED


def concern_register(scope: Scope, *, show: str = "open") -> QuerySet[ChildOfConcern]:
    """Every child of concern this person sees, newest first; three queries whatever the rows
    (episodes with their audit and team, and their reviews)."""
    qs = episodes_visible(scope)
    if show == "open":
        qs = qs.filter(status=ChildOfConcern.Status.OPEN)
    return (
        qs.select_related("audit__team", "audit__service_area")
        .prefetch_related(Prefetch("reviews", queryset=ActionReview.objects.order_by("number")))
        .order_by("-started_at", "-pk")
    )


def reviews_for_reviewer(scope: Scope) -> QuerySet[ActionReview]:
    """6-week reviews allocated to this person and not yet done (for "my work")."""
    return (
        ActionReview.objects.filter(reviewer_id=scope.user_id, status=ActionReview.Status.ALLOCATED)
        .select_related("episode__audit")
        .order_by("due_on", "pk")
    )


def register() -> None:
    """Hooks, loaders and sweeps of this part (called once at start-up)."""
    hooks.register(AUDIT_SUBMITTED_HOOK, _on_audit_submitted)
    register_sweep("audits-action-reviews", "daily", action_reviews_allocate_sweep)
