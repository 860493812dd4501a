"""The scopes performance figures are kept for: the authority, a service area or a team.

A value's ``scope_key`` is ``"authority"``, ``"area:<service area code>"`` or ``"team:<team
code>"``; files name a scope by the bare code (a team or service-area code) or ``authority``.
Who may read which scope follows the one scope mechanism (organisation.scope): whole-service
roles, BI and the PSW see every scope; managers see the authority, their areas and their teams
(a team manager also sees their team's service area, for comparison); others see none.
"""

from __future__ import annotations

from dataclasses import dataclass

from organisation.models import Role, ServiceArea, Team
from organisation.scope import Scope

AUTHORITY = "authority"
# Roles that read every scope's performance data (DESIGN section 1: BI loads it; the PSW sees
# aggregates; the whole-service roles see everything).
ALL_SCOPES_ROLES = frozenset({Role.BI_OFFICER, Role.PSW})


@dataclass(frozen=True)
class ScopeRef:
    key: str
    kind: str  # "authority", "area" or "team"
    label: str
    service_area_id: int | None = None
    team_id: int | None = None


def area_key(code: str) -> str:
    return f"area:{code}"


def team_key(code: str) -> str:
    return f"team:{code}"


def all_scopes() -> dict[str, ScopeRef]:
    """Every scope, keyed by scope_key: the authority, each area, each team (two queries)."""
    found = {AUTHORITY: ScopeRef(AUTHORITY, "authority", "The whole authority")}
    for area in ServiceArea.objects.order_by("name"):
        found[area_key(area.code)] = ScopeRef(area_key(area.code), "area", area.name, service_area_id=area.pk)
    for team in Team.objects.order_by("name"):
        found[team_key(team.code)] = ScopeRef(
            team_key(team.code), "team", team.name, service_area_id=team.service_area_id, team_id=team.pk
        )
    return found


def scope_from_code(code: str, scopes: dict[str, ScopeRef]) -> ScopeRef | None:
    """A file's scope cell (``authority``, a team code or a service-area code) as a ScopeRef."""
    code = code.strip()
    if code.lower() == AUTHORITY:
        return scopes[AUTHORITY]
    return scopes.get(team_key(code)) or scopes.get(area_key(code))


def sees_performance(scope: Scope) -> bool:
    return bool(scope.whole_authority or scope.has_role(*ALL_SCOPES_ROLES) or scope.managed_team_ids or scope.area_ids)


def visible_scopes(scope: Scope, scopes: dict[str, ScopeRef] | None = None) -> dict[str, ScopeRef]:
    """The scopes this person may read, in order: authority, areas, teams."""
    every = scopes if scopes is not None else all_scopes()
    if scope.whole_authority or scope.has_role(*ALL_SCOPES_ROLES):
        return every
    if not sees_performance(scope):
        return {}
    teams = {ref.service_area_id for ref in every.values() if ref.team_id in scope.managed_team_ids}
    areas = set(scope.area_ids) | teams
    return {
        key: ref
        for key, ref in every.items()
        if ref.kind == "authority"
        or (ref.kind == "area" and ref.service_area_id in areas)
        or (ref.kind == "team" and (ref.team_id in scope.managed_team_ids or ref.service_area_id in scope.area_ids))
    }
