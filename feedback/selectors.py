"""Reads for family feedback, already scoped (permissions.py holds the rules they reuse), each
selecting what its rows show so the number of queries never grows with the number of rows."""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field
from typing import Any

from django.db.models import Case, Count, F, IntegerField, Q, QuerySet, Value, When
from django.db.models.functions import Abs

from audits.models import Audit, AuditStatus, Progress
from audits.selectors import audits_visible
from organisation.models import Role, RoleAssignment, Team, User
from organisation.scope import Scope

from .models import Audience, Outcome, ParticipationTask, Response, Sharing, TriageItem
from .permissions import (
    can_manage_triage,
    can_triage,
    participation_filter,
    safety_filter,
    sees_every_response,
)
from .services.questionnaires import OPEN, answer_label

# The progress scale, worst to best: the number of steps between two views is the difference.
PROGRESS_STEP = {value: step for step, value in enumerate(Progress.values)}
# A family's and a practitioner's view this many steps apart is worth a conversation.
DIFFERENCE_STEPS = 2


# --- participation tasks ------------------------------------------------------------------------
def _standing(qs: QuerySet[ParticipationTask]) -> QuerySet[ParticipationTask]:
    """A cancelled audit's task drops out of every list."""
    return qs.exclude(audit__status=AuditStatus.CANCELLED)


def participation_tasks_visible(scope: Scope) -> QuerySet[ParticipationTask]:
    return _standing(ParticipationTask.objects.filter(participation_filter(scope))).select_related(
        "audit__team", "officer"
    )


def participation_teams(scope: Scope) -> QuerySet[Team]:
    """The list's team choices: teams with a task this person sees."""
    return Team.objects.filter(pk__in=participation_tasks_visible(scope).values("audit__team_id")).order_by("name")


def safety_tasks_visible(scope: Scope) -> QuerySet[ParticipationTask]:
    """Tasks whose safety check this person (the audit team's manager line) makes."""
    return _standing(ParticipationTask.objects.filter(safety_filter(scope))).select_related(
        "audit__team", "safety_checked_by"
    )


def safety_checks_waiting(scope: Scope) -> QuerySet[ParticipationTask]:
    return (
        safety_tasks_visible(scope).filter(status=ParticipationTask.Status.AWAITING_SAFETY).order_by("created_at", "pk")
    )


def participation_task_list(
    scope: Scope, *, status: str = "", outcome: str = "", team_id: int | None = None, officer: str = ""
) -> QuerySet[ParticipationTask]:
    """The officer's list, filtered. ``officer``: "me", "unassigned" or "" (anyone)."""
    qs = participation_tasks_visible(scope).annotate(attempt_count=Count("attempts"))
    if status:
        qs = qs.filter(status=status)
    if outcome:
        qs = qs.filter(outcome=outcome)
    if team_id:
        qs = qs.filter(audit__team_id=team_id)
    if officer == "me":
        qs = qs.filter(officer_id=scope.user_id)
    elif officer == "unassigned":
        qs = qs.filter(officer__isnull=True)
    return qs.order_by("-audit__month", "audit__case_reference", "pk")


def ready_to_contact(scope: Scope) -> QuerySet[ParticipationTask]:
    """Tasks ready for contact that are this officer's or nobody's yet."""
    return (
        participation_tasks_visible(scope)
        .filter(status=ParticipationTask.Status.READY)
        .filter(Q(officer_id=scope.user_id) | Q(officer__isnull=True))
        .order_by("safety_checked_at", "pk")
    )


def task_attempts(task: ParticipationTask) -> list[Any]:
    return list(task.attempts.select_related("recorded_by").order_by("attempted_on", "pk"))


def answer_rows(response: Response) -> list[tuple[str, str]]:
    """(question, answer as it reads) for every question answered, in the questionnaire's order."""
    return [
        (q["text"], answer_label(q, response.answers[q["code"]]))
        for q in response.questionnaire.questions
        if response.answers.get(q["code"])
    ]


def task_responses(task: ParticipationTask) -> list[Response]:
    return list(task.responses.select_related("questionnaire", "entered_by").order_by("created_at", "pk"))


# --- triage -------------------------------------------------------------------------------------
def triage_filter(scope: Scope) -> Q:
    """The QA team reads families' answers; restricted cases only the QA manager (and whoever an
    answer was given to)."""
    if not can_triage(scope):
        return Q(pk__in=[])
    if can_manage_triage(scope):
        return Q()
    return Q(response__task__audit__restricted=False) | Q(assigned_to_id=scope.user_id)


def triage_items_visible(scope: Scope) -> QuerySet[TriageItem]:
    return TriageItem.objects.filter(triage_filter(scope)).select_related(
        "response__task__audit__team", "response__questionnaire", "assigned_to"
    )


def _overdue_q(today: datetime.date) -> Q:
    return Q(status=TriageItem.Status.OPEN, due_on__lt=today)


def triage_item_list(
    scope: Scope, *, assigned: str = "me", status: str = "open", overdue: bool = False
) -> QuerySet[TriageItem]:
    """``assigned``: "me", "anyone" or a person's id; ``status``: "open", "done" or "" (both)."""
    qs = triage_items_visible(scope)
    if assigned == "me":
        qs = qs.filter(assigned_to_id=scope.user_id)
    elif assigned and assigned != "anyone":
        qs = qs.filter(assigned_to_id=int(assigned))
    if status:
        qs = qs.filter(status=status)
    if overdue:
        qs = qs.filter(_overdue_q(scope.today))
    return overdue_first(qs, scope.today)


def overdue_first(qs: QuerySet[TriageItem], today: datetime.date) -> QuerySet[TriageItem]:
    return qs.annotate(
        overdue_rank=Case(When(_overdue_q(today), then=Value(0)), default=Value(1), output_field=IntegerField())
    ).order_by("overdue_rank", "due_on", "pk")


def triage_overdue(scope: Scope) -> QuerySet[TriageItem]:
    return triage_items_visible(scope).filter(_overdue_q(scope.today)).order_by("due_on", "pk")


def qa_team(*, today: datetime.date) -> QuerySet[User]:
    """People an answer can be given to: the QA team today."""
    holders = RoleAssignment.objects.active_on(today).filter(role__in=[Role.QA_OFFICER, Role.QA_MANAGER])
    return User.objects.filter(pk__in=holders.values("person_id"), is_active=True).order_by("full_name", "pk")


def question_of(item: TriageItem) -> dict[str, Any]:
    return next(
        (q for q in item.response.questionnaire.questions if q.get("code") == item.question_code),
        {"code": item.question_code, "text": item.question_code},
    )


# --- the family's view on the audit's pages -----------------------------------------------------
@dataclass
class FamilyView:
    """One submitted response as a viewer may see it."""

    who: str
    respondent: str
    channel: str
    submitted_at: datetime.datetime | None
    progress: str
    progress_label: str
    steps: int | None
    sharing: str
    sharing_label: str
    open_answers: list[tuple[str, str]] = field(default_factory=list)


def _who(response: Response, *, every: bool) -> tuple[str, str]:
    """The respondent as this viewer may see them: a name only when shared with it."""
    audience = Audience(response.questionnaire.audience).label
    if response.sharing == Sharing.NAMED and response.respondent_name:
        return response.respondent_name, response.respondent
    return audience, response.respondent if every else ""


def steps_between(a: str, b: str) -> int | None:
    if a in PROGRESS_STEP and b in PROGRESS_STEP:
        return abs(PROGRESS_STEP[a] - PROGRESS_STEP[b])
    return None


def family_views(scope: Scope, audit: Audit) -> dict[str, Any] | None:
    """The family's view beside the practitioner's, for the audit's pages: every submitted response
    for the QA team and participation officers (marked when not shared with the worker); only
    shared ones for everyone else, named only when the family chose so. None without a task."""
    task = ParticipationTask.objects.filter(audit=audit).first()
    if task is None:
        return None
    every = sees_every_response(scope)
    responses = task.responses.filter(status=Response.Status.SUBMITTED).select_related("questionnaire")
    if not every:
        responses = responses.exclude(sharing=Sharing.NOT_SHARED)
    views = []
    for response in responses.order_by("submitted_at", "pk"):
        who, respondent = _who(response, every=every)
        questions = {q["code"]: q for q in response.questionnaire.questions}
        views.append(
            FamilyView(
                who=who,
                respondent=respondent,
                channel=response.get_channel_display(),
                submitted_at=response.submitted_at,
                progress=response.view_of_progress,
                progress_label=response.get_view_of_progress_display(),
                steps=steps_between(response.view_of_progress, audit.practitioner_view_of_progress),
                sharing=response.sharing,
                sharing_label=response.get_sharing_display(),
                open_answers=[
                    (q["text"], answer_label(q, response.answers[code]))
                    for code, q in questions.items()
                    if q.get("kind") == OPEN and response.answers.get(code)
                ],
            )
        )
    return {
        "task": task,
        "views": views,
        "every": every,
        "practitioner_view": audit.get_practitioner_view_of_progress_display(),
        "show_reason": every and task.outcome != Outcome.COMPLETED,
    }


PANEL_TEMPLATE = "feedback/partials/audit_panel.html"


def audit_family_panel(*, scope: Scope, audit: Audit, **_: Any) -> dict[str, Any] | None:
    """The audit pages' panel (audits.panels.AUDIT_PANELS_HOOK): "The family's view"."""
    views = family_views(scope, audit)
    return None if views is None else {"template": PANEL_TEMPLATE, **views}


# --- differences between the family's and the practitioner's view of progress -------------------
def _step(expression: str) -> Case:
    return Case(
        *(When(**{expression: value}, then=Value(step)) for value, step in PROGRESS_STEP.items()),
        output_field=IntegerField(),
    )


def progress_differences(scope: Scope, *, month_from: datetime.date, month_to: datetime.date) -> QuerySet[Response]:
    """Submitted responses whose view of progress is at least two steps from the practitioner's,
    on audits this person may see, in the months given. Outside the QA team, answers the family
    did not share with the worker are left out. One query."""
    audits = (
        audits_visible(scope)
        .exclude(status=AuditStatus.CANCELLED)
        .exclude(practitioner_view_of_progress="")
        .filter(month__gte=month_from, month__lte=month_to)
    )
    qs = Response.objects.filter(
        status=Response.Status.SUBMITTED, task__audit__in=audits.values("pk"), view_of_progress__in=Progress.values
    ).filter(task__audit__practitioner_view_of_progress__in=Progress.values)
    if not scope.is_qa:
        qs = qs.exclude(sharing=Sharing.NOT_SHARED)
    return (
        qs.annotate(
            family_step=_step("view_of_progress"),
            practitioner_step=_step("task__audit__practitioner_view_of_progress"),
        )
        .annotate(steps=Abs(F("family_step") - F("practitioner_step")))
        .filter(steps__gte=DIFFERENCE_STEPS)
        .select_related("task__audit__team", "questionnaire")
        .order_by("-task__audit__month", "task__audit__case_reference", "pk")
    )
