"""Who may do what with an audit. Small predicates over a person's scope and the audit;
selectors reuse the same rules for lists (audits.selectors.audit_filter), so a list and its
detail page never disagree."""

from __future__ import annotations

from organisation.models import Role
from organisation.scope import Scope

from .models import DONE_STATUSES, OPEN_STATUSES, Audit, Grade

# People who see audits across the whole service (restricted cases aside).
AUTHORITY_AUDIT_ROLES = frozenset({Role.ASSISTANT_DIRECTOR, Role.DIRECTOR, Role.QA_OFFICER, Role.QA_MANAGER})


def is_auditor(scope: Scope, audit: Audit) -> bool:
    return audit.auditor_id == scope.user_id


def is_practitioner(scope: Scope, audit: Audit) -> bool:
    return audit.practitioner_id is not None and audit.practitioner_id == scope.user_id


def is_team_manager(scope: Scope, audit: Audit) -> bool:
    """A team manager of the audit's (frozen) team today."""
    return audit.team_id in scope.managed_team_ids


def in_management_line(scope: Scope, audit: Audit) -> bool:
    return is_team_manager(scope, audit) or audit.service_area_id in scope.area_ids


def can_view_audit(scope: Scope, audit: Audit) -> bool:
    """Sees the audit's page at all (the practitioner's view is narrower: see practitioner_sees_findings)."""
    if scope.user_id is None:
        return False
    if is_auditor(scope, audit) or is_practitioner(scope, audit) or in_management_line(scope, audit):
        return True
    if audit.restricted:
        return scope.has_role(Role.QA_MANAGER)
    return scope.has_role(*AUTHORITY_AUDIT_ROLES)


def can_edit_audit(scope: Scope, audit: Audit) -> bool:
    """The auditor fills the audit in while it is allocated or in progress."""
    return is_auditor(scope, audit) and audit.status in OPEN_STATUSES


def practitioner_sees_findings(audit: Audit) -> bool:
    """The practitioner sees the audit once submitted — an Inadequate grade only after their TM
    has recorded that they talked it through (DESIGN section 4)."""
    if audit.status not in DONE_STATUSES:
        return False
    if audit.moderation_changed_grade and audit.change_talked_through_at is None:
        return False  # a grade changed by moderation reaches them through their TM
    return not (audit.reported_grade == Grade.INADEQUATE and audit.talked_through_at is None)


def can_reflect(scope: Scope, audit: Audit) -> bool:
    return is_practitioner(scope, audit) and audit.status != "cancelled"


def can_respond(scope: Scope, audit: Audit) -> bool:
    return is_practitioner(scope, audit) and practitioner_sees_findings(audit)


def can_record_talked_through(scope: Scope, audit: Audit) -> bool:
    return is_team_manager(scope, audit) and audit.status in DONE_STATUSES


def can_allocate_by_hand(scope: Scope) -> bool:
    """The QA team allocates by hand (restricted cases: the QA manager only)."""
    return scope.is_qa


def can_allocate_restricted(scope: Scope) -> bool:
    return scope.has_role(Role.QA_MANAGER)


def can_manage_tools(scope: Scope) -> bool:
    return scope.is_qa


def can_view_history(scope: Scope) -> bool:
    return scope.is_qa


def can_list_audits(scope: Scope) -> bool:
    """Team, service and authority audit lists: managers and the QA team."""
    return bool(scope.whole_authority or scope.managed_team_ids or scope.area_ids)


def is_partner_only(scope: Scope) -> bool:
    """Partner contributors see only their sections of multi-agency audits: every other page
    of the programme is 'not found' to them."""
    return scope.has_role(Role.PARTNER_CONTRIBUTOR) and not scope.is_qa


def can_edit_programme(scope: Scope) -> bool:
    """The QA team runs thematic, ad-hoc and multi-agency audits."""
    return scope.is_qa


def can_manage_allocation(scope: Scope) -> bool:
    """The QA team reviews and confirms the monthly allocation."""
    return scope.is_qa
