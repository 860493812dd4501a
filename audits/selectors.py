"""Reads for audits, already scoped. Every list and export starts from :func:`audits_visible`."""

from __future__ import annotations

from django.db.models import Q, QuerySet

from organisation.models import Role
from organisation.scope import Scope

from .models import Audit, ProgrammeAudit
from .permissions import AUTHORITY_AUDIT_ROLES, can_list_audits, is_partner_only


def audit_filter(scope: Scope) -> Q:
    """The Q every audit query goes through; the same rules as permissions.can_view_audit."""
    if scope.user_id is None:
        return Q(pk__in=[])
    related = Q(auditor_id=scope.user_id) | Q(practitioner_id=scope.user_id)
    line = Q(team_id__in=scope.managed_team_ids) | Q(service_area_id__in=scope.area_ids)
    if scope.has_role(Role.QA_MANAGER):
        return Q()
    if scope.has_role(*AUTHORITY_AUDIT_ROLES):
        return related | line | Q(restricted=False)
    return related | line


def audits_visible(scope: Scope, queryset: QuerySet[Audit] | None = None) -> QuerySet[Audit]:
    qs = Audit.objects.all() if queryset is None else queryset
    return qs.filter(audit_filter(scope))


def programmes_visible(scope: Scope) -> QuerySet[ProgrammeAudit]:
    """Thematic, ad-hoc and multi-agency audits: QA and the whole-authority roles see all;
    managers those with an audit (or a child) in their scope; auditors those they are assigned."""
    qs = ProgrammeAudit.objects.all()
    if scope.user_id is None or is_partner_only(scope):
        return qs.none()
    if scope.whole_authority:
        return qs
    q = Q(auditors__pk=scope.user_id)
    if can_list_audits(scope):
        q |= Q(pk__in=audits_visible(scope).filter(programme__isnull=False).values("programme_id"))
        q |= Q(case_file__in=scope.case_files())
    return qs.filter(q).distinct()
