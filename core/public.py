"""Default deny: every page needs sign-in except the few named here.

A view is public only when it is decorated with :func:`public` *and* its URL name is in
``PUBLIC_URL_NAMES``; a test walks every URL and fails when the two disagree, so a page cannot
become public by accident.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TypeVar

from django.contrib.auth.decorators import login_not_required

PUBLIC_URL_NAMES: frozenset[str] = frozenset(
    {
        "sign-in",
        "healthz",
        # A family's secure link (feedback/views/family.py): the link, then one session's pages.
        "family:start",
        "family:consent",
        "family:questionnaire",
        "family:saved",
        "family:sharing",
        "family:thanks",
        "family:declined",
    }
)

F = TypeVar("F", bound=Callable)


def public(view: F) -> F:
    """Mark a function view as reachable without signing in."""
    return login_not_required(view)
