"""Audit pages: the read-only audit page (printable) and the audit's history for the QA team."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.db.models import Prefetch
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import path, reverse
from django.views.decorators.http import require_GET

from core.models import AccessLog

from .. import permissions
from ..history import audit_history
from ..models import Action, Audit, Participant, Pillar, ScaleOption, Theme
from ..panels import audit_panels

HISTORY_PAGE_SIZE = 100


def _audit_or_404(request: HttpRequest, audit_id: int, *, for_page: bool = False) -> Audit:
    """The audit, if this person may see it; otherwise 404 — never 403, which would confirm it exists.
    ``for_page``: with the actions and concerns the page lists (two more queries, not one per row)."""
    queryset = Audit.objects.all()
    if for_page:
        queryset = queryset.prefetch_related(
            Prefetch("actions", queryset=Action.objects.select_related("owner", "confirmed_by")), "concerns"
        )
    audit = get_object_or_404(
        queryset.select_related(
            "tool_version__tool",
            "auditor",
            "practitioner",
            "team",
            "service_area",
            "allocated_by",
            "talked_through_by",
        ),
        pk=audit_id,
    )
    if not permissions.can_view_audit(request.scope, audit):
        raise Http404("No audit found")
    return audit


def _element_rows(audit: Audit) -> list[dict[str, Any]]:
    """Each element that applies to the audit's case type, with its answer in words. Fixed queries:
    elements, their questions, answers, scale options, themes and pillars."""
    elements = [
        e
        for e in audit.tool_version.elements.prefetch_related("questions").order_by("position")
        if e.applies_to_case_type(audit.case_type)
    ]
    answers = {a.element_id: a for a in audit.answers.all()}
    scale_ids = {q.scale_id for e in elements for q in e.questions.all() if q.scale_id}
    options = ScaleOption.objects.filter(scale__key="grade") | ScaleOption.objects.filter(scale_id__in=scale_ids)
    grade_words: dict[str, tuple[str, str]] = {}
    option_labels: dict[tuple[int, str], str] = {}
    for option in options.select_related("scale"):
        option_labels[(option.scale_id, option.code)] = option.label
        if option.scale.key == "grade":
            grade_words[option.code] = (option.label, option.description)
    theme_slugs = {t for a in answers.values() for t in a.theme_tags}
    pillar_keys = {p for a in answers.values() for p in a.pillar_tags}
    themes = dict(Theme.objects.filter(slug__in=theme_slugs).values_list("slug", "name")) if theme_slugs else {}
    pillars: dict[str, str] = {}
    if pillar_keys:
        for key, name in (
            Pillar.objects.filter(key__in=pillar_keys).order_by("key", "-version").values_list("key", "name")
        ):
            pillars.setdefault(key, name)
    rows = []
    for element in elements:
        answer = answers.get(element.pk)
        grade_label, grade_descriptor = ("", "")
        if answer and answer.grade:
            grade_label, grade_descriptor = grade_words.get(answer.grade, (answer.get_grade_display(), ""))
        questions = [
            {
                "text": q.text,
                "answer": (
                    option_labels.get((q.scale_id, answer.answers.get(q.code, "")), answer.answers.get(q.code, ""))
                    if answer
                    else ""
                ),
            }
            for q in element.questions.all()
        ]
        rows.append(
            {
                "element": element,
                "answer": answer,
                "grade_label": grade_label,
                "grade_descriptor": grade_descriptor,
                "questions": questions,
                "themes": [themes.get(t, t) for t in (answer.theme_tags if answer else [])],
                "pillars": [pillars.get(p, p) for p in (answer.pillar_tags if answer else [])],
            }
        )
    return rows


@require_GET
def audit_detail(request: HttpRequest, audit_id: int) -> HttpResponse:
    """The read-only audit page, printable. The practitioner has their own view of it."""
    scope = request.scope
    audit = _audit_or_404(request, audit_id, for_page=True)
    if permissions.is_practitioner(scope, audit) and not permissions.is_auditor(scope, audit):
        return redirect("audits:audit-practitioner", audit_id=audit.pk)
    AccessLog.objects.create(
        user=request.user,
        action=AccessLog.Action.VIEW,
        object_type="audit",
        object_ref=audit.case_reference,
        path=request.path[:300],
    )
    participants = dict(Participant.choices)
    context = {
        "audit": audit,
        "rows": _element_rows(audit),
        "participants": [participants.get(p, p) for p in audit.participants],
        "edit_url": reverse("audits:audit-edit", args=[audit.pk]) if permissions.can_edit_audit(scope, audit) else None,
        "can_view_history": permissions.can_view_history(scope),
        "today": scope.today,
        "panels": audit_panels(scope, audit),
    }
    return render(request, "audits/detail.html", context)


@require_GET
def audit_history_page(request: HttpRequest, audit_id: int) -> HttpResponse:
    """Every change to the audit and the records under it: the QA team's audit trail."""
    scope = request.scope
    audit = _audit_or_404(request, audit_id)
    if not permissions.can_view_history(scope):
        raise PermissionDenied
    page = Paginator(audit_history(audit), HISTORY_PAGE_SIZE).get_page(request.GET.get("page"))
    return render(request, "audits/history.html", {"audit": audit, "page": page, "query": ""})


urlpatterns: list = [
    path("<int:audit_id>/", audit_detail, name="audit-detail"),
    path("<int:audit_id>/history/", audit_history_page, name="audit-history"),
]
