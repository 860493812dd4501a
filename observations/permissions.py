"""Who may do what with observations and practice weeks. Predicates take a Scope (and a record)."""

from __future__ import annotations

# --- practice observations (observations/services/observations.py) ------------------------------
# An observation is a staff development record (seed 6.2): the practitioner, their line manager,
# the observer and the QA team see it; nobody else, whatever their seniority. selectors.
# observation_filter is the same rule as a query.
from organisation.models import Duty, Role
from organisation.scope import AUTHORITY_ROLES, MANAGER_ROLES, Scope

from .models import Observation, ObservationPractitioner, PracticeWeekActivity

# Who records practice observations (TMs and SMs count them towards their monthly expectation;
# senior leaders, the QA team and the PSW observe too). Practice leads hold it as a duty.
OBSERVER_ROLES = frozenset(
    {
        Role.TEAM_MANAGER,
        Role.SERVICE_MANAGER,
        Role.HEAD_OF_SERVICE,
        Role.ASSISTANT_DIRECTOR,
        Role.DIRECTOR,
        Role.QA_OFFICER,
        Role.QA_MANAGER,
        Role.PSW,
    }
)


def can_record_observation(scope: Scope) -> bool:
    return scope.has_role(*OBSERVER_ROLES) or scope.has_duty(Duty.PRACTICE_LEAD)


def observes_everyone(scope: Scope) -> bool:
    """Whole-authority roles, the PSW and practice leads may observe any practitioner; managers
    only those in their teams or service areas."""
    return scope.has_role(*AUTHORITY_ROLES, Role.PSW) or scope.has_duty(Duty.PRACTICE_LEAD)


def can_list_observations(scope: Scope) -> bool:
    """The list is for observers, practitioners (observations of them), line managers and QA."""
    return bool(
        can_record_observation(scope)
        or scope.has_role(Role.PRACTITIONER)
        or scope.managed_team_ids
        or scope.area_ids
        or scope.is_qa
    )


def can_view_team_learning(scope: Scope) -> bool:
    """The team's list of shared learning: team members, their managers and the QA team."""
    return bool(scope.member_team_ids or scope.managed_team_ids or scope.area_ids or scope.is_qa)


def is_observer(scope: Scope, observation: Observation) -> bool:
    return scope.user_id is not None and observation.observer_id == scope.user_id


def my_practitioner_row(scope: Scope, observation: Observation) -> ObservationPractitioner | None:
    """The signed-in person's own row when they were observed (uses prefetched practitioners)."""
    if scope.user_id is None:
        return None
    return next((row for row in observation.practitioners.all() if row.practitioner_id == scope.user_id), None)


def can_view_observation(scope: Scope, observation: Observation) -> bool:
    """The same rule as selectors.observation_filter, for one observation with its practitioners."""
    if scope.user_id is None:
        return False
    if scope.is_qa or is_observer(scope, observation):
        return True
    return any(
        row.practitioner_id == scope.user_id
        or row.team_id in scope.managed_team_ids
        or row.team.service_area_id in scope.area_ids
        for row in observation.practitioners.all()
    )


def can_edit_observation(scope: Scope, observation: Observation) -> bool:
    """Only the observer fills it in, records the discussion and completes it, while a draft."""
    return is_observer(scope, observation) and observation.status == Observation.Status.DRAFT


def can_choose_sharing(scope: Scope, observation: Observation) -> bool:
    """Each practitioner observed chooses, for their own row, once the observation is complete."""
    return observation.status == Observation.Status.COMPLETED and my_practitioner_row(scope, observation) is not None


# --- practice weeks (observations/services/weeks.py) --------------------------------------------
def is_practice_week_leader(scope: Scope) -> bool:
    """Leaders log what they did and found in a practice week (seed 6.3: "service leaders spend
    time with frontline practitioners, observing their practice"): the people who observe practice
    — managers, the QA team, the Principal social worker and practice leads."""
    return can_record_observation(scope)


def can_schedule_practice_week(scope: Scope) -> bool:
    """The QA team schedules practice weeks and changes their dates and focus."""
    return scope.is_qa


def can_approve_practice_week_quote(scope: Scope) -> bool:
    """Only the QA team approves (or declines) the anonymised wording of a quote."""
    return scope.is_qa


def can_log_practice_week_activity(scope: Scope) -> bool:
    return is_practice_week_leader(scope)


def can_edit_practice_week_activity(scope: Scope, activity: PracticeWeekActivity) -> bool:
    """A leader changes only what they logged themselves (the QA team reads everyone's)."""
    return is_practice_week_leader(scope) and activity.leader_id == scope.user_id


def can_view_practice_week_summary(scope: Scope) -> bool:
    """The aggregate summary: the QA team, the PSW, practice leads and managers (TM and above)."""
    return scope.is_qa or scope.has_role(Role.PSW, *MANAGER_ROLES) or scope.has_duty(Duty.PRACTICE_LEAD)


def can_view_practice_weeks(scope: Scope) -> bool:
    """The list of weeks and each week's page: leaders and summary readers."""
    return is_practice_week_leader(scope) or can_view_practice_week_summary(scope)
