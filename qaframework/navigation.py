"""Service navigation by role: each person sees links only to pages they have."""

from __future__ import annotations

from dataclasses import dataclass

from django.http import HttpRequest
from django.urls import reverse

from audits import permissions as audit_permissions
from clinics import permissions as report_permissions
from organisation import permissions
from organisation.models import Duty
from performance import permissions as performance_permissions


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
    if scope.has_duty(Duty.AUDITOR):
        items.append(("My audits", "audits:my-audits"))
    if audit_permissions.can_list_audits(scope):
        items.append(("Audits", "audits:audit-list"))
        items.append(("Progress", "audit-programme-progress"))
    if scope.sees_case_files:
        items.append(("Case files", "organisation:case-list"))
        items.append(("Find a child", "child-search"))
    if performance_permissions.can_read_performance(scope):
        items.append(("Performance", "performance:basket-list"))
    if report_permissions.sees_reports(scope):
        items.append(("Reports", "clinics:report-list"))
    if scope.is_qa:
        items.append(("Allocation", "audits:allocation-list"))
        items.append(("Moderation", "audits:moderation-queue"))
    if audit_permissions.can_manage_tools(scope):
        items.append(("Audit tools", "audits:tool-list"))
    if permissions.can_import_caseload(scope):
        items.append(("Import caseload", "organisation:caseload-import"))
    entries = []
    urls = [reverse(name) for _, name in items]
    for (label, name), url in zip(items, urls, strict=True):
        # The most specific link that starts the current path is the active one.
        longer = [u for u in urls if u != url and u.startswith(url) and request.path.startswith(u)]
        active = request.path == url if name == "home" else request.path.startswith(url) and not longer
        entries.append(NavItem(label=label, url=url, active=active))
    if user.is_staff:
        entries.append(NavItem(label="Administration", url=reverse("admin:index"), active=False))
    return entries
