"""Who may do what with family feedback, reviewing-officer alerts and other voices. Predicates take
a Scope (and a record)."""

from __future__ import annotations

from django.db.models import Q

from organisation.models import Duty, Role
from organisation.scope import MANAGER_ROLES, QA_ROLES, Scope

from .models import ParticipationTask, ReviewingOfficerAlert, TriageItem

# --- participation tasks, responses and triage ---------------------------------------------------
# The participation officer and the QA team seek and record families' views (seed 2); the AD and
# Director may read the list.
PARTICIPATION_WORKER_ROLES = (Role.PARTICIPATION_OFFICER, *QA_ROLES)
PARTICIPATION_READER_ROLES = (*PARTICIPATION_WORKER_ROLES, Role.ASSISTANT_DIRECTOR, Role.DIRECTOR)


def can_list_participation(scope: Scope) -> bool:
    return scope.has_role(*PARTICIPATION_READER_ROLES)


def can_work_participation(scope: Scope) -> bool:
    """Takes tasks, logs attempts, records outcomes and completes questionnaires with families."""
    return scope.has_role(*PARTICIPATION_WORKER_ROLES)


def participation_filter(scope: Scope) -> Q:
    """The Q over ParticipationTask for the officer's list and task pages. Restricted files (staff's
    relatives, high-profile cases) only for the QA manager, as everywhere (DESIGN section 2)."""
    if not can_list_participation(scope):
        return Q(pk__in=[])
    if scope.has_role(Role.QA_MANAGER):
        return Q()
    return Q(audit__restricted=False)


def can_check_safety(scope: Scope) -> bool:
    """The safety check is a manager's: the audit team's TM, or the SM or HoS of its area."""
    return bool(scope.managed_team_ids or scope.area_ids)


def safety_filter(scope: Scope) -> Q:
    """Tasks whose safety check this person makes: their teams' and their areas' audits."""
    if not can_check_safety(scope):
        return Q(pk__in=[])
    return Q(audit__team_id__in=scope.managed_team_ids) | Q(audit__service_area_id__in=scope.area_ids)


def sees_every_response(scope: Scope) -> bool:
    """The QA team and participation officers read every response, shared with the worker or not;
    everyone else on the audit's pages sees only those the family chose to share."""
    return scope.has_role(*PARTICIPATION_WORKER_ROLES)


def can_triage(scope: Scope) -> bool:
    return scope.is_qa


def can_manage_triage(scope: Scope) -> bool:
    """The QA manager reassigns answers and sees every overdue one."""
    return scope.has_role(Role.QA_MANAGER)


def can_mark_triage_read(scope: Scope, item: TriageItem) -> bool:
    """The named reader, or the QA manager, while the answer is still to read."""
    return (
        item.status == TriageItem.Status.OPEN
        and can_triage(scope)
        and (item.assigned_to_id == scope.user_id or can_manage_triage(scope))
    )


def can_view_progress_differences(scope: Scope) -> bool:
    """The QA team and managers (team manager and above), within their audit scope."""
    return scope.is_qa or scope.has_role(*MANAGER_ROLES)


# --- secure links ----------------------------------------------------------------------------------
# The participation officer and the QA team send families their secure links (DESIGN section 6).
LINK_SENDER_ROLES = (Role.PARTICIPATION_OFFICER, *QA_ROLES)


def can_manage_links(scope: Scope) -> bool:
    """Makes and withdraws secure links at all (whether a task allows one is its own rule)."""
    return scope.has_role(*LINK_SENDER_ROLES)


def can_send_link(scope: Scope, task: ParticipationTask) -> bool:
    """A link only after the team manager's safety check said safe, and while no outcome is recorded."""
    return can_manage_links(scope) and task.status == ParticipationTask.Status.READY and bool(task.safe_to_contact)


# --- reviewing-officer alerts and other voices -----------------------------------------------------
# Conference chairs and IROs record good-practice alerts and practice concerns (seed 6.4).
ALERT_RECORDER_ROLES = (Role.CONFERENCE_CHAIR, Role.IRO)
# The monthly summary is aggregate: these roles see the whole service's figures, service
# managers and heads of service their own areas' (by the team frozen on each alert).
ALERT_SUMMARY_WHOLE_SERVICE_ROLES = (
    *ALERT_RECORDER_ROLES,
    *QA_ROLES,
    Role.ASSISTANT_DIRECTOR,
    Role.DIRECTOR,
    Role.PSW,
)
ALERT_SUMMARY_AREA_ROLES = (Role.SERVICE_MANAGER, Role.HEAD_OF_SERVICE)
# Other voices are recorded by the QA team and the principal social worker, and read by them,
# practice leads and managers (team manager and above).
VOICE_RECORDER_ROLES = (*QA_ROLES, Role.PSW)


def can_record_alert(scope: Scope) -> bool:
    return scope.has_role(*ALERT_RECORDER_ROLES)


def can_list_alerts(scope: Scope) -> bool:
    """Everyone with a case-file list may see the alerts on their cases (often none)."""
    return scope.sees_case_files


def alert_filter(scope: Scope) -> Q:
    """The Q every alert query goes through: alerts on case files the person sees, those they
    recorded, and those frozen to them (the practitioner, or the team or area they manage, when
    the alert was recorded), so a later move of the case does not hide what was sent to them."""
    if scope.user_id is None:
        return Q(pk__in=[])
    q = (
        Q(case_file__in=scope.case_files().values("pk"))
        | Q(recorded_by_id=scope.user_id)
        | Q(practitioner_id=scope.user_id)
    )
    if scope.managed_team_ids:
        q |= Q(team_id__in=scope.managed_team_ids)
    if scope.area_ids:
        q |= Q(service_area_id__in=scope.area_ids)
    return q


def can_update_alert(scope: Scope, alert: ReviewingOfficerAlert) -> bool:
    """Only the chair or IRO who recorded it moves it on or records it resolved."""
    return can_record_alert(scope) and alert.recorded_by_id == scope.user_id


def can_view_alert_summary(scope: Scope) -> bool:
    return scope.has_role(*ALERT_SUMMARY_WHOLE_SERVICE_ROLES, *ALERT_SUMMARY_AREA_ROLES)


def alert_summary_area_ids(scope: Scope) -> frozenset[int] | None:
    """The service areas whose figures the summary counts; None for the whole service."""
    if scope.has_role(*ALERT_SUMMARY_WHOLE_SERVICE_ROLES):
        return None
    return scope.area_ids


def can_read_voices(scope: Scope) -> bool:
    return scope.has_role(*VOICE_RECORDER_ROLES, *MANAGER_ROLES) or scope.has_duty(Duty.PRACTICE_LEAD)


def can_record_voice(scope: Scope) -> bool:
    return scope.has_role(*VOICE_RECORDER_ROLES)
