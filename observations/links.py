"""This app's pages for "my work"'s programme links: (label, URL name, allowed) for a scope.

Each part keeps its own function; :func:`programme_links` joins them in the order people work."""

from __future__ import annotations

from organisation.scope import Scope


# --- practice observations ------------------------------------------------------------------------
def _observation_links(scope: Scope) -> list[tuple[str, str, bool]]:
    from .permissions import can_list_observations, can_view_team_learning

    return [
        ("Practice observations", "observations:observation-list", can_list_observations(scope)),
        ("Learning shared by practitioners", "observations:team-learning", can_view_team_learning(scope)),
    ]


# --- practice weeks -------------------------------------------------------------------------------
def _week_links(scope: Scope) -> list[tuple[str, str, bool]]:
    from .permissions import can_view_practice_weeks

    return [("Practice weeks", "observations:practice-week-list", can_view_practice_weeks(scope))]


def programme_links(scope: Scope) -> list[tuple[str, str, bool]]:
    return [*_observation_links(scope), *_week_links(scope)]
