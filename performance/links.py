"""This app's pages for "my work"'s programme links: (label, URL name, allowed) for a scope.

Each part keeps its own function; :func:`programme_links` joins them in the order people work."""

from __future__ import annotations

from organisation.scope import Scope


# --- baskets ----------------------------------------------------------------------------------------
def _basket_links(scope: Scope) -> list[tuple[str, str, bool]]:
    from .permissions import can_read_baskets

    return [("Performance baskets", "performance:basket-list", can_read_baskets(scope))]


# --- catalogue, figures of record, Annex A ----------------------------------------------------------
def _data_links(scope: Scope) -> list[tuple[str, str, bool]]:
    from .permissions import (
        can_import_annex_a,
        can_import_figures,
        can_view_annex_a_unmatched,
        can_view_catalogue,
        can_view_reconciliation,
    )

    return [
        ("Indicator catalogue", "performance:indicator-list", can_view_catalogue(scope)),
        ("Children aged 0 to 17 by year", "performance:population", can_view_catalogue(scope)),
        ("Figures of record and benchmarks", "performance:figures-import", can_import_figures(scope)),
        ("Annex A workbooks", "performance:annex-a-import", can_import_annex_a(scope)),
        ("App estimates beside BI's figures", "performance:reconciliation", can_view_reconciliation(scope)),
        ("Annex A children without a case file", "performance:annex-a-unmatched", can_view_annex_a_unmatched(scope)),
    ]


# --- signals -----------------------------------------------------------------------------------------
def _signal_links(scope: Scope) -> list[tuple[str, str, bool]]:
    from .permissions import can_read_signals

    return [("Performance signals", "performance:signal-list", can_read_signals(scope))]


def programme_links(scope: Scope) -> list[tuple[str, str, bool]]:
    return [*_basket_links(scope), *_data_links(scope), *_signal_links(scope)]
