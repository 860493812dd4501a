"""The one scope mechanism (DESIGN section 1).

What a person may see is computed once per request from three things: their role assignments
active today, their duties, and their relationships to records (the case's practitioner or
chair; later, the audit's auditor or moderator, which higher apps add through the
``case_scope`` hook). Every selector, detail page, filter choice, export and task asks the
same :class:`Scope`, so a list and its detail page can never disagree.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field
from functools import reduce
from operator import or_

from django.db.models import Q, QuerySet
from django.http import Http404
from django.utils import timezone

from core import hooks

from .models import CaseFile, Duty, DutyAssignment, Role, RoleAssignment, ServiceArea, Team

# Roles whose view covers the whole service (restricted case files aside).
AUTHORITY_ROLES = frozenset({Role.ASSISTANT_DIRECTOR, Role.DIRECTOR, Role.QA_OFFICER, Role.QA_MANAGER})
QA_ROLES = frozenset({Role.QA_OFFICER, Role.QA_MANAGER})
MANAGER_ROLES = frozenset(
    {Role.TEAM_MANAGER, Role.SERVICE_MANAGER, Role.HEAD_OF_SERVICE, Role.ASSISTANT_DIRECTOR, Role.DIRECTOR}
)
# Hook: functions (scope) -> Q over CaseFile for relationships higher apps know about,
# e.g. "cases I am allocated an audit of". Such a relationship also opens a restricted file.
CASE_SCOPE_HOOK = "case_scope"


@dataclass(frozen=True)
class Scope:
    """What one person may see today. Build it with :func:`scope_for`."""

    user_id: int | None
    today: datetime.date
    roles: frozenset[str] = frozenset()
    duties: frozenset[str] = frozenset()
    # Teams in which the person holds a team role (practitioner, TM, EH co-ordinator).
    member_team_ids: frozenset[int] = frozenset()
    # Teams whose case files the person sees as a manager: TM and EH co-ordinator.
    managed_team_ids: frozenset[int] = frozenset()
    # Service areas the person sees as SM, HoS or EH strategic lead.
    area_ids: frozenset[int] = frozenset()
    role_places: tuple[tuple[str, str], ...] = field(default=())

    @property
    def duty_labels(self) -> list[str]:
        return sorted(Duty(d).label for d in self.duties)

    @property
    def is_authenticated(self) -> bool:
        return self.user_id is not None

    def has_role(self, *roles: str) -> bool:
        return bool(self.roles.intersection(roles))

    def has_duty(self, duty: str) -> bool:
        return duty in self.duties

    @property
    def is_qa(self) -> bool:
        return self.has_role(*QA_ROLES)

    @property
    def whole_authority(self) -> bool:
        return self.has_role(*AUTHORITY_ROLES)

    # --- case files -----------------------------------------------------------------------
    def _relationship_q(self) -> Q:
        """Cases this person is related to, whatever their roles."""
        q = Q(practitioner_id=self.user_id)
        for extra in hooks.call(CASE_SCOPE_HOOK, scope=self):
            q |= extra
        return q

    def _management_line_q(self) -> Q:
        parts = []
        if self.managed_team_ids:
            parts.append(Q(team_id__in=self.managed_team_ids))
        if self.area_ids:
            parts.append(Q(team__service_area_id__in=self.area_ids))
        return reduce(or_, parts) if parts else Q(pk__in=[])

    def case_filter(self) -> Q:
        """The Q every case-file query goes through."""
        if self.user_id is None:
            return Q(pk__in=[])
        related = self._relationship_q()
        line = self._management_line_q()
        broad = related | line | Q(chair_id=self.user_id)
        if self.whole_authority:
            broad = Q()
        elif self.has_role(Role.EH_STRATEGIC_LEAD):
            broad |= Q(case_type="early_help")
        # Restricted files (staff's relatives, high-profile cases): only the QA manager, the
        # case's practitioner and their management line, and whoever is allocated an audit.
        restricted = Q() if self.has_role(Role.QA_MANAGER) else related | line
        return (Q(restricted=False) & broad) | (Q(restricted=True) & restricted)

    def case_files(self, queryset: QuerySet[CaseFile] | None = None) -> QuerySet[CaseFile]:
        qs = CaseFile.objects.all() if queryset is None else queryset
        return qs.filter(self.case_filter())

    @property
    def sees_case_files(self) -> bool:
        """Whether a case-file list is a page this person has (it may still be empty)."""
        return bool(
            self.whole_authority
            or self.managed_team_ids
            or self.area_ids
            or self.has_role(Role.PRACTITIONER, Role.CONFERENCE_CHAIR, Role.IRO, Role.EH_STRATEGIC_LEAD)
        )

    # --- filter choices -------------------------------------------------------------------
    def teams(self) -> QuerySet[Team]:
        """Teams offered as filter choices: only those whose records this person sees."""
        if self.whole_authority:
            return Team.objects.select_related("service_area")
        q = Q(pk__in=self.managed_team_ids) | Q(service_area_id__in=self.area_ids)
        return Team.objects.filter(q).select_related("service_area")

    def service_areas(self) -> QuerySet[ServiceArea]:
        if self.whole_authority:
            return ServiceArea.objects.all()
        return ServiceArea.objects.filter(pk__in=self.area_ids)


ANONYMOUS_SCOPE = Scope(user_id=None, today=datetime.date.min)


def scope_for(user: object, *, today: datetime.date | None = None) -> Scope:
    """Build a person's scope for a day (default: today in Europe/London). Two queries."""
    day = today or timezone.localdate()
    if user is None or not getattr(user, "is_authenticated", False) or not getattr(user, "is_active", False):
        return Scope(user_id=None, today=day)
    assignments = list(
        RoleAssignment.objects.active_on(day)
        .filter(person_id=user.pk)
        .select_related("team", "service_area")
        .order_by("starts_on", "pk")
    )
    duties = frozenset(
        DutyAssignment.objects.active_on(day).filter(person_id=user.pk).order_by().values_list("duty", flat=True)
    )
    roles = frozenset(a.role for a in assignments)
    member = frozenset(a.team_id for a in assignments if a.team_id)
    managed = frozenset(
        a.team_id for a in assignments if a.team_id and a.role in {Role.TEAM_MANAGER, Role.EH_COORDINATOR}
    )
    areas = frozenset(
        a.service_area_id
        for a in assignments
        if a.service_area_id and a.role in {Role.SERVICE_MANAGER, Role.HEAD_OF_SERVICE, Role.EH_STRATEGIC_LEAD}
    )
    places = tuple((a.get_role_display(), str(a.team or a.service_area or "Whole authority")) for a in assignments)
    return Scope(
        user_id=user.pk,
        today=day,
        roles=roles,
        duties=duties,
        member_team_ids=member,
        managed_team_ids=managed,
        area_ids=areas,
        role_places=places,
    )


def get_case_file_or_404(scope: Scope, case_reference: str) -> CaseFile:
    """A case file this person may see, or 404 — never 403, which would confirm it exists."""
    try:
        return (
            scope.case_files()
            .select_related("team__service_area", "practitioner", "chair")
            .get(case_reference=case_reference)
        )
    except CaseFile.DoesNotExist:
        raise Http404("No case file found") from None
