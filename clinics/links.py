"""This app's pages for "my work"'s programme links: (label, URL name, allowed) for a scope.

Each part keeps its own function; :func:`programme_links` joins them in the order people work."""

from __future__ import annotations

from organisation.scope import Scope


# --- highlight reports ----------------------------------------------------------------------------
def _report_links(scope: Scope) -> list[tuple[str, str, bool]]:
    from .permissions import sees_reports

    return [("Highlight reports", "clinics:report-list", sees_reports(scope))]


# --- meetings and action logs ---------------------------------------------------------------------
def _meeting_links(scope: Scope) -> list[tuple[str, str, bool]]:
    from .selectors_meetings import sees_meetings

    allowed = sees_meetings(scope)
    return [
        ("Clinics, boards and action logs", "clinics:meeting-list", allowed),
        ("Terms of reference", "clinics:terms-list", allowed),
    ]


def programme_links(scope: Scope) -> list[tuple[str, str, bool]]:
    return [*_report_links(scope), *_meeting_links(scope)]
