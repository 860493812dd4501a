"""Who may do what with performance data. Predicates take a Scope (and a record)."""

from __future__ import annotations

from organisation.models import Role
from organisation.scope import Scope

from .scopes import sees_performance

# BI loads performance data; BI and the QA team edit targets, add local indicators, set baselines
# and decide signals (DESIGN section 7).
DATA_ROLES = frozenset({Role.BI_OFFICER, Role.QA_OFFICER, Role.QA_MANAGER})


def can_manage_performance_data(scope: Scope) -> bool:
    return scope.has_role(*DATA_ROLES)


def can_read_performance(scope: Scope) -> bool:
    return sees_performance(scope)


# --- catalogue and population ----------------------------------------------------------------------
def can_view_catalogue(scope: Scope) -> bool:
    """Everyone who reads performance data reads the definitions behind it, and the population."""
    return can_read_performance(scope)


def can_edit_indicator(scope: Scope) -> bool:
    """BI and the QA team edit targets, owners and briefs, and add local indicators."""
    return can_manage_performance_data(scope)


def can_edit_population(scope: Scope) -> bool:
    return can_manage_performance_data(scope)


# --- figures of record and benchmarks --------------------------------------------------------------
def can_import_figures(scope: Scope) -> bool:
    """BI loads figures of record and benchmarks; the QA team may too (DESIGN section 7)."""
    return can_manage_performance_data(scope)


def can_view_figures_held(scope: Scope) -> bool:
    return can_manage_performance_data(scope)


# --- Annex A ------------------------------------------------------------------------------------------
def can_import_annex_a(scope: Scope) -> bool:
    """BI and the QA team import Annex A workbooks and see their snapshots."""
    return can_manage_performance_data(scope)


def can_view_annex_a_unmatched(scope: Scope) -> bool:
    """The children of Annex A episodes with no case file: for the QA team to add (and BI)."""
    return can_manage_performance_data(scope)


def can_view_reconciliation(scope: Scope) -> bool:
    """Readers of performance data compare the app estimates with BI's figures, for the scopes
    they may see (performance.scopes.visible_scopes)."""
    return can_read_performance(scope)


# --- baskets -------------------------------------------------------------------------------------------
def can_read_baskets(scope: Scope) -> bool:
    """Anyone who reads performance data reads the baskets, for the scopes they may see
    (performance.scopes.visible_scopes); practitioners and roles without a scope do not."""
    return can_read_performance(scope)


# --- signals -------------------------------------------------------------------------------------------
def can_read_signals(scope: Scope) -> bool:
    """Readers of performance data see the signals of the authority and their service areas."""
    return can_read_performance(scope)


def can_decide_signals(scope: Scope) -> bool:
    """BI and the QA team confirm or dismiss signals."""
    return can_manage_performance_data(scope)


def can_set_baselines(scope: Scope) -> bool:
    """BI and the QA team set and recalculate a series' limits; nothing else moves them."""
    return can_manage_performance_data(scope)


def can_open_audit_from_signal(scope: Scope) -> bool:
    """The QA team runs ad-hoc audits (audits.permissions.can_edit_programme)."""
    from audits.permissions import can_edit_programme

    return can_edit_programme(scope)
