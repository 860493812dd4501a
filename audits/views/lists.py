"""Audit pages: "My audits", the team/service/authority audit list and its CSV export.

Counts are shown only as "N audits": never per practitioner, never ranked (DESIGN section 10).
"""

from __future__ import annotations

import datetime
from collections.abc import Iterator, Sequence

from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.db.models import Prefetch, QuerySet
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import NoReverseMatch, path, reverse
from django.utils import timezone
from django.views.decorators.http import require_GET

from core.csvio import write_csv
from core.models import AccessLog

from .. import permissions
from ..filters import apply_sort, audit_filter_for, sort_key
from ..models import DONE_STATUSES, OPEN_STATUSES, Audit, AuditStatus, ElementAnswer, Grade

PAGE_SIZE = 50
EXPORT_CHUNK = 500
# Column headings of the sortable columns, in the order the table shows them.
SORTABLE = (
    ("case", "Case reference"),
    ("month", "Month"),
    ("due", "Due"),
    ("status", "Status"),
    ("grade", "Reported grade"),
)


def _edit_url_name() -> str | None:
    """The auditor's form, once it exists (another part of the app adds it)."""
    try:
        reverse("audits:audit-edit", args=[0])
    except NoReverseMatch:
        return None
    return "audits:audit-edit"


def _list_rows(queryset: QuerySet[Audit]) -> QuerySet[Audit]:
    return queryset.select_related("team", "service_area", "auditor")


@require_GET
def my_audits(request: HttpRequest) -> HttpResponse:
    """The person's audits as auditor: to do first (soonest due first), then done."""
    mine = _list_rows(Audit.objects.filter(auditor_id=request.user.pk))
    to_do = list(mine.filter(status__in=OPEN_STATUSES).order_by("due_on", "case_reference", "pk"))
    done = Paginator(mine.filter(status__in=DONE_STATUSES).order_by("-submitted_at", "-pk"), PAGE_SIZE).get_page(
        request.GET.get("page")
    )
    cancelled = list(mine.filter(status=AuditStatus.CANCELLED).order_by("-cancelled_at", "-pk")[:20])
    return render(
        request,
        "audits/lists/my_audits.html",
        {
            "to_do": to_do,
            "page": done,
            "cancelled": cancelled,
            "today": request.scope.today,
            "edit_url_name": _edit_url_name(),
        },
    )


def _sort_headers(current: str, query: str) -> list[dict[str, str]]:
    """Each sortable column: its link (toggling direction) and its aria-sort value."""
    headers = []
    for key, label in SORTABLE:
        if current.lstrip("-") == key:
            descending = current.startswith("-")
            aria = "descending" if descending else "ascending"
            target = key if descending else f"-{key}"
        else:
            aria, target = "none", key
        prefix = f"{query}&" if query else ""
        headers.append({"key": key, "label": label, "aria_sort": aria, "href": f"?{prefix}sort={target}"})
    return headers


@require_GET
def audit_list(request: HttpRequest) -> HttpResponse:
    scope = request.scope
    if not permissions.can_list_audits(scope):
        raise PermissionDenied
    filterset, audits = audit_filter_for(scope=scope, params=request.GET)
    sort = sort_key(request.GET.get("sort"))
    page = Paginator(_list_rows(apply_sort(audits, sort)), PAGE_SIZE).get_page(request.GET.get("page"))
    filters_only = request.GET.copy()
    for name in ("page", "sort", "include_text"):
        filters_only.pop(name, None)
    with_sort = filters_only.copy()
    with_sort["sort"] = sort
    return render(
        request,
        "audits/lists/audit_list.html",
        {
            "filter": filterset,
            "page": page,
            "sort": sort,
            "headers": _sort_headers(sort, filters_only.urlencode()),
            # Pagination keeps the filters and the sort; the export keeps the filters.
            "query": with_sort.urlencode(),
            "export_fields": [(k, v) for k, values in filters_only.lists() for v in values],
            "today": scope.today,
        },
    )


# --- CSV export -------------------------------------------------------------------------------
BASE_COLUMNS = (
    "audit_id",
    "kind",
    "month",
    "status",
    "case_reference",
    "case_type",
    "team",
    "service_area",
    "auditor",
    "due_on",
    "submitted_on",
    "reported_grade",
    "moderated",
)
ELEMENT_TEXT = (("working_well", "working well"), ("even_better_if", "even better if"), ("evidence", "evidence"))
GRADE_LABELS = dict(Grade.choices)


def _element_sort_key(code: str) -> tuple[str, int, str]:
    letters = code.rstrip("0123456789")
    digits = code[len(letters) :]
    return (letters, int(digits) if digits else 0, code)


def _element_cell(answer: ElementAnswer | None) -> str:
    if answer is None:
        return ""
    if answer.not_applicable:
        return "Not applicable"
    return GRADE_LABELS.get(answer.grade, "")


def _date(value: datetime.date | datetime.datetime | None) -> str:
    if value is None:
        return ""
    if isinstance(value, datetime.datetime):
        value = timezone.localdate(value)
    return value.isoformat()


def _export_rows(audits: QuerySet[Audit], codes: Sequence[str], include_text: bool) -> Iterator[list[object]]:
    answers = Prefetch("answers", queryset=ElementAnswer.objects.select_related("element"))
    ids = list(audits.values_list("pk", flat=True))
    for start in range(0, len(ids), EXPORT_CHUNK):
        chunk = (
            _list_rows(Audit.objects.filter(pk__in=ids[start : start + EXPORT_CHUNK]))
            .prefetch_related(answers)
            .order_by("-month", "case_reference", "pk")
        )
        for audit in chunk:
            by_code = {answer.element.code: answer for answer in audit.answers.all()}
            row: list[object] = [
                audit.pk,
                audit.get_kind_display(),
                f"{audit.month:%Y-%m}",
                audit.get_status_display(),
                audit.case_reference,
                audit.get_case_type_display(),
                audit.team.name,
                audit.service_area.name,
                audit.auditor.full_name,
                _date(audit.due_on),
                _date(audit.submitted_at),
                audit.get_reported_grade_display(),
                "yes" if audit.moderated else "no",
            ]
            for code in codes:
                answer = by_code.get(code)
                row.append(_element_cell(answer))
                if include_text:
                    row += [getattr(answer, name) if answer else "" for name, _ in ELEMENT_TEXT]
            if include_text:
                row.append(audit.impact_for_child)
            yield row


@require_GET
def audit_export(request: HttpRequest) -> HttpResponse:
    """CSV of the filtered audits. Free text only when asked for explicitly; every export logged."""
    scope = request.scope
    if not permissions.can_list_audits(scope):
        raise PermissionDenied
    _, audits = audit_filter_for(scope=scope, params=request.GET)
    include_text = request.GET.get("include_text") == "1"
    codes = sorted(
        set(ElementAnswer.objects.filter(audit__in=audits.order_by()).values_list("element__code", flat=True)),
        key=_element_sort_key,
    )
    header = list(BASE_COLUMNS)
    for code in codes:
        header.append(f"{code} grade")
        if include_text:
            header += [f"{code} {label}" for _, label in ELEMENT_TEXT]
    if include_text:
        header.append("impact for the child")
    AccessLog.objects.create(
        user=request.user,
        action=AccessLog.Action.EXPORT,
        object_type="audit-export",
        object_ref=request.GET.urlencode()[: AccessLog._meta.get_field("object_ref").max_length],
        path=request.path[:300],
    )
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="audits-{scope.today:%Y-%m-%d}.csv"'
    write_csv(response, header, _export_rows(audits, codes, include_text))
    return response


urlpatterns: list = [
    path("mine/", my_audits, name="my-audits"),
    path("", audit_list, name="audit-list"),
    path("export.csv", audit_export, name="audit-export"),
]
