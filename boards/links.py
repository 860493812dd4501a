"""This app's pages for "my work"'s programme links: (label, URL name, allowed) for a scope."""

from __future__ import annotations

from organisation.scope import Scope


def _learning_links(scope: Scope) -> list[tuple[str, str, bool]]:
    from .selectors_learning import can_view_learning

    return [("Learning", "boards:learning", can_view_learning(scope))]


def programme_links(scope: Scope) -> list[tuple[str, str, bool]]:
    return [*_learning_links(scope)]
