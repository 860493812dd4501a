"""Panels higher apps add to an audit's pages (the family's view of progress beside the
practitioner's, from feedback) through the hook registry, so imports keep pointing down.

A function registered under :data:`AUDIT_PANELS_HOOK` is called as ``fn(scope=, audit=)`` and
returns ``None`` (nothing to show this person) or a dict with ``"template"`` (included in place)
and whatever that template reads; the audit pages include each panel after the overall section.
"""

from __future__ import annotations

from typing import Any

from core import hooks
from organisation.scope import Scope

from .models import Audit

AUDIT_PANELS_HOOK = "audit-detail-panels"


def audit_panels(scope: Scope, audit: Audit) -> list[dict[str, Any]]:
    return [panel for panel in hooks.call(AUDIT_PANELS_HOOK, scope=scope, audit=audit) if panel]
