"""This app's pages for "my work"'s programme links: (label, URL name, allowed) for a scope.

Each part keeps its own function; :func:`programme_links` joins them in the order people work."""

from __future__ import annotations

from organisation.scope import MANAGER_ROLES, Scope

from .permissions import (
    can_list_participation,
    can_read_voices,
    can_record_alert,
    can_triage,
    can_view_alert_summary,
    can_view_progress_differences,
)


# --- participation tasks, responses, triage and reports -----------------------------------------
def _participation_links(scope: Scope) -> list[tuple[str, str, bool]]:
    return [
        ("Families' views: participation tasks", "feedback:participation-list", can_list_participation(scope)),
        ("Families' answers to read", "feedback:triage-list", can_triage(scope)),
        (
            "Where families see progress differently",
            "feedback:progress-differences",
            can_view_progress_differences(scope),
        ),
    ]


# --- reviewing-officer alerts and other voices ----------------------------------------------------
def _voices_links(scope: Scope) -> list[tuple[str, str, bool]]:
    recorder = can_record_alert(scope)
    return [
        ("Record a good-practice alert or practice concern", "feedback:alert-new", recorder),
        (
            "Alerts from reviewing officers and chairs",
            "feedback:alert-list",
            # Chairs and IROs, and those who follow them up: the QA team and managers.
            recorder or scope.is_qa or scope.has_role(*MANAGER_ROLES),
        ),
        ("Reviewing officers' monthly summary", "feedback:alert-summary", can_view_alert_summary(scope)),
        (
            "Other voices: complaints, compliments, councils and the workforce",
            "feedback:voice-list",
            can_read_voices(scope),
        ),
    ]


def programme_links(scope: Scope) -> list[tuple[str, str, bool]]:
    return [*_participation_links(scope), *_voices_links(scope)]
