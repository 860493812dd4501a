"""Who may read and write which highlight report (DESIGN sections 1 and 8).

A report is about a *place*: a team (the team manager's clinic report), a service area (the
service manager's or head of service's board report) or the whole service (the assistant
director's assurance-board report and the practice-week summary). Everyone else gets 404.

* team-clinic for team T — written by T's team manager; read by them, the service managers and
  heads of service of T's area, and the whole-service roles (AD, director, QA team).
* service-board for area A — written by A's service managers and heads of service; read by them
  and the whole-service roles.
* assurance-board — written by assistant directors and directors; read by the whole-service roles,
  every service manager and head of service, and the PSW (it is aggregate only).
* practice-week — written by the QA team; read by every manager and the PSW.
"""

from __future__ import annotations

from django.db.models import Q
from django.http import Http404

from organisation.models import Role, ServiceArea, Team
from organisation.scope import MANAGER_ROLES, Scope

from .models import HighlightReport, ReportKind

AUTHORITY = "authority"
Place = Team | ServiceArea | None

_AREA_MANAGERS = (Role.SERVICE_MANAGER, Role.HEAD_OF_SERVICE)
_AUTHORITY_WRITERS = (Role.ASSISTANT_DIRECTOR, Role.DIRECTOR)


def level_of(kind: str) -> str:
    if kind == ReportKind.TEAM_CLINIC:
        return "team"
    if kind == ReportKind.SERVICE_BOARD:
        return "area"
    if kind in (ReportKind.ASSURANCE_BOARD, ReportKind.PRACTICE_WEEK):
        return "authority"
    raise Http404("No such report")


def report_place(kind: str, code: str) -> Place:
    """The team, service area or None (whole service) a report kind and code name; 404 if none."""
    level = level_of(kind)
    if level == "authority":
        if code != AUTHORITY:
            raise Http404("No such report")
        return None
    model = Team if level == "team" else ServiceArea
    place = model.objects.filter(code=code).first()
    if place is None:
        raise Http404("No such report")
    return place


def place_of(report: HighlightReport) -> Place:
    """The team, service area or None (whole service) a report is about."""
    return report.team or report.service_area


def place_code(place: Place) -> str:
    return AUTHORITY if place is None else place.code


def scope_key_for(place: Place) -> str:
    """As in ``performance.scopes``: "team:<code>", "area:<code>" or "authority"."""
    if place is None:
        return AUTHORITY
    return f"team:{place.code}" if isinstance(place, Team) else f"area:{place.code}"


def place_label(place: Place) -> str:
    if place is None:
        return "Whole service"
    if isinstance(place, Team):
        return f"{place.name} ({place.service_area.name})"
    return place.name


def _area_id(place: Place) -> int | None:
    if isinstance(place, Team):
        return place.service_area_id
    if isinstance(place, ServiceArea):
        return place.pk
    return None


def can_write_report(scope: Scope, kind: str, place: Place) -> bool:
    level = level_of(kind)
    if level == "team":
        return isinstance(place, Team) and scope.has_role(Role.TEAM_MANAGER) and place.pk in scope.managed_team_ids
    if level == "area":
        return isinstance(place, ServiceArea) and scope.has_role(*_AREA_MANAGERS) and place.pk in scope.area_ids
    if kind == ReportKind.ASSURANCE_BOARD:
        return scope.has_role(*_AUTHORITY_WRITERS)
    return scope.is_qa


def can_read_report(scope: Scope, kind: str, place: Place) -> bool:
    if not scope.is_authenticated:
        return False
    if can_write_report(scope, kind, place) or scope.whole_authority:
        return True
    level = level_of(kind)
    if level in ("team", "area"):
        return scope.has_role(*_AREA_MANAGERS) and _area_id(place) in scope.area_ids
    if kind == ReportKind.ASSURANCE_BOARD:
        return scope.has_role(*_AREA_MANAGERS, Role.PSW)
    return scope.has_role(*MANAGER_ROLES, Role.PSW)


def can_read(scope: Scope, report: HighlightReport) -> bool:
    """:func:`can_read_report` for a report row (its kind and place)."""
    return can_read_report(scope, report.kind, place_of(report))


def readable_reports_q(scope: Scope) -> Q:
    """The HighlightReport rows this person may read (the same rules as :func:`can_read_report`)."""
    if not scope.is_authenticated:
        return Q(pk__in=[])
    if scope.whole_authority:
        return Q()
    q = Q(pk__in=[])
    if scope.has_role(Role.TEAM_MANAGER) and scope.managed_team_ids:
        q |= Q(kind=ReportKind.TEAM_CLINIC, team_id__in=scope.managed_team_ids)
    if scope.has_role(*_AREA_MANAGERS) and scope.area_ids:
        q |= Q(kind=ReportKind.TEAM_CLINIC, team__service_area_id__in=scope.area_ids)
        q |= Q(kind=ReportKind.SERVICE_BOARD, service_area_id__in=scope.area_ids)
    if scope.has_role(*_AREA_MANAGERS, Role.PSW):
        q |= Q(kind=ReportKind.ASSURANCE_BOARD)
    if scope.has_role(*MANAGER_ROLES, Role.PSW) or scope.is_qa:
        q |= Q(kind=ReportKind.PRACTICE_WEEK)
    return q


def sees_reports(scope: Scope) -> bool:
    """Whether the "Highlight reports" page is one this person has."""
    return scope.is_authenticated and (scope.has_role(*MANAGER_ROLES, Role.PSW) or scope.is_qa)


def readable_team_places(scope: Scope) -> list[Team]:
    """Teams whose clinic report this person may read, for the "every team report" batch."""
    if scope.whole_authority:
        return list(Team.objects.select_related("service_area"))
    q = Q(pk__in=scope.managed_team_ids) if scope.has_role(Role.TEAM_MANAGER) else Q(pk__in=[])
    if scope.has_role(*_AREA_MANAGERS):
        q |= Q(service_area_id__in=scope.area_ids)
    return list(Team.objects.filter(q).select_related("service_area"))
