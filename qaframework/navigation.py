"""Service navigation by role: each person sees links only to pages they have."""

from __future__ import annotations

from dataclasses import dataclass

from django.http import HttpRequest
from django.urls import reverse

from organisation import permissions


@dataclass(frozen=True)
class NavItem:
    label: str
    url: str
    active: bool


def navigation_for(request: HttpRequest) -> list[NavItem]:
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return []
    scope = request.scope
    items: list[tuple[str, str]] = [("My work", "home")]
    if scope.sees_case_files:
        items.append(("Case files", "organisation:case-list"))
    if permissions.can_import_caseload(scope):
        items.append(("Import caseload", "organisation:caseload-import"))
    entries = []
    for label, name in items:
        url = reverse(name)
        active = request.path == url if name == "home" else request.path.startswith(url)
        entries.append(NavItem(label=label, url=url, active=active))
    if user.is_staff:
        entries.append(NavItem(label="Administration", url=reverse("admin:index"), active=False))
    return entries
