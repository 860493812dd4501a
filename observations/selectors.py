"""Reads for practice observations, already scoped.

An observation is a staff development record (seed 6.2, DESIGN section 5): only the practitioner
observed, their line manager, the observer and the QA team see it. Every list, detail page, PDF
and "my work" query starts from :func:`observations_visible`, so a list and its detail page can
never disagree. The team's list of shared learning is narrower still: only what a practitioner
chose to share, never the record itself.
"""

from __future__ import annotations

import datetime

from django.db.models import OuterRef, Prefetch, Q, QuerySet, Subquery

from organisation.models import Role, RoleAssignment, Team, User
from organisation.scope import Scope

from .models import CriterionResult, Observation, ObservationChecklist, ObservationPractitioner, ShareChoice
from .permissions import observes_everyone


def observation_filter(scope: Scope) -> Q:
    """The Q every observation query goes through (see permissions.can_view_observation)."""
    if scope.user_id is None:
        return Q(pk__in=[])
    if scope.is_qa:
        return Q()
    # The practitioner observed, or their line: a manager of the team they were in when observed.
    people = Q(practitioner_id=scope.user_id)
    if scope.managed_team_ids:
        people |= Q(team_id__in=scope.managed_team_ids)
    if scope.area_ids:
        people |= Q(team__service_area_id__in=scope.area_ids)
    observed = ObservationPractitioner.objects.filter(people).values("observation_id")
    return Q(observer_id=scope.user_id) | Q(pk__in=observed)


def observations_visible(scope: Scope, queryset: QuerySet[Observation] | None = None) -> QuerySet[Observation]:
    qs = Observation.objects.all() if queryset is None else queryset
    return qs.filter(observation_filter(scope))


def _practitioners_prefetch() -> Prefetch:
    return Prefetch(
        "practitioners",
        queryset=ObservationPractitioner.objects.select_related("practitioner", "team").order_by(
            "practitioner__full_name", "pk"
        ),
    )


def observation_for_page(scope: Scope, observation_id: int) -> Observation | None:
    """One observation this person may see, with what its pages show (three queries)."""
    return (
        observations_visible(scope)
        .select_related("observer", "case_file", "team", "service_area", "checklist")
        .prefetch_related(_practitioners_prefetch())
        .filter(pk=observation_id)
        .first()
    )


def observation_list(
    scope: Scope,
    *,
    month: datetime.date | None = None,
    type: str = "",
    status: str = "",
) -> QuerySet[Observation]:
    """What the "Practice observations" list shows, newest first (two queries for any number)."""
    qs = observations_visible(scope)
    if month is not None:
        qs = qs.filter(observed_on__year=month.year, observed_on__month=month.month)
    if type:
        qs = qs.filter(type=type)
    if status:
        qs = qs.filter(status=status)
    return (
        qs.select_related("observer", "team")
        .prefetch_related(_practitioners_prefetch())
        .order_by("-observed_on", "-pk")
    )


def observation_months(scope: Scope) -> list[datetime.date]:
    """Months that have an observation this person may see, newest first (filter choices)."""
    days = observations_visible(scope).dates("observed_on", "month", order="DESC")
    return list(days)


def checklist_for_type(type: str) -> ObservationChecklist | None:
    """The newest checklist version whose types include this observation type. Filtered in
    Python: SQLite (the demo) has no JSON ``__contains``; there are few checklists."""
    matching = [c for c in ObservationChecklist.objects.order_by("key", "-version") if type in (c.types or [])]
    return max(matching, key=lambda c: (c.version, c.pk)) if matching else None


# --- who may be observed ---------------------------------------------------------------------------
def _practitioner_roles(today: datetime.date) -> QuerySet[RoleAssignment]:
    return RoleAssignment.objects.active_on(today).filter(role=Role.PRACTITIONER, team__isnull=False)


def practitioners_observable(scope: Scope) -> QuerySet[User]:
    """People with an active Practitioner role the observer may choose, each with ``team_name``
    (their team today): a TM their teams', SM and HoS their areas', whole-authority roles, the PSW
    and practice leads everyone. Never the observer themselves. Two queries at most."""
    roles = _practitioner_roles(scope.today)
    if not observes_everyone(scope):
        roles = roles.filter(Q(team_id__in=scope.managed_team_ids) | Q(team__service_area_id__in=scope.area_ids))
    team_name = _practitioner_roles(scope.today).filter(person_id=OuterRef("pk")).order_by("starts_on", "pk")
    return (
        User.objects.filter(is_active=True, pk__in=roles.values("person_id"))
        .exclude(pk=scope.user_id)
        .annotate(team_name=Subquery(team_name.values("team__name")[:1]))
        .order_by("full_name", "pk")
    )


def practitioner_teams_today(person_ids: list[int], *, today: datetime.date) -> dict[int, Team]:
    """Each person's team from their active Practitioner role today (the earliest, when several):
    frozen on the observation like an audit's team."""
    teams: dict[int, Team] = {}
    assignments = (
        _practitioner_roles(today)
        .filter(person_id__in=person_ids)
        .select_related("team")
        .order_by("person_id", "starts_on", "pk")
    )
    for assignment in assignments:
        teams.setdefault(assignment.person_id, assignment.team)
    return teams


# --- the team's shared learning --------------------------------------------------------------------
def learning_teams(scope: Scope) -> QuerySet[Team]:
    """Teams whose shared learning this person may read: their own teams, the teams they manage or
    whose area they manage; the QA team every team."""
    if scope.is_qa:
        return Team.objects.select_related("service_area").order_by("name", "pk")
    q = Q(pk__in=scope.member_team_ids) | Q(pk__in=scope.managed_team_ids) | Q(service_area_id__in=scope.area_ids)
    return Team.objects.filter(q).select_related("service_area").order_by("name", "pk")


def shared_learning(scope: Scope, *, team: Team | None = None) -> QuerySet[ObservationPractitioner]:
    """Learning practitioners chose to share, for the teams this person may read (newest first).
    Only completed observations; the rows carry what the list shows and nothing else."""
    teams = learning_teams(scope)
    qs = ObservationPractitioner.objects.filter(
        share_choice=ShareChoice.SHARED,
        observation__status=Observation.Status.COMPLETED,
        team__in=teams if team is None else teams.filter(pk=team.pk),
    )
    return (
        qs.select_related("practitioner", "team", "observation")
        .only(
            "pk",
            "shared_learning",
            "presented_on",
            "practitioner__full_name",
            "team__name",
            "observation__type",
            "observation__observed_on",
        )
        .order_by("-observation__observed_on", "-pk")
    )


def observation_criteria_rows(observation: Observation) -> list[dict[str, str]]:
    """Each item of the observation's checklist with its result in words and the note."""
    saved = observation.criteria or {}
    labels = dict(CriterionResult.choices)
    rows = []
    for criterion in observation.checklist.criteria if observation.checklist else []:
        answer = saved.get(criterion["code"], {})
        result = answer.get("result", "")
        rows.append(
            {
                "code": criterion["code"],
                "text": criterion["text"],
                "result": result,
                "result_label": labels.get(result, ""),
                "note": answer.get("note", ""),
            }
        )
    return rows
