"""Filters for the audit lists and the export (django-filter).

Every choice comes from the person's scope: the teams and service areas they see, the months
and auditors of audits they can see. There is deliberately no practitioner filter and no
ordering by grade totals: the service never ranks or league-tables people (DESIGN section 10).
"""

from __future__ import annotations

import datetime
from typing import Any

import django_filters
from django.contrib.auth import get_user_model
from django.db.models import Case, IntegerField, QuerySet, Value, When
from django.utils.dateformat import format as date_format

from organisation.models import CaseType
from organisation.scope import Scope

from .models import Audit, AuditKind, AuditStatus, Grade
from .selectors import audits_visible

# ?sort= values the lists accept, each with the ordering it stands for. Anything else is ignored.
SORTS: dict[str, tuple[str, ...]] = {
    "due": ("due_on", "case_reference", "pk"),
    "month": ("month", "case_reference", "pk"),
    "case": ("case_reference", "pk"),
    "status": ("status_rank", "due_on", "pk"),
    "grade": ("grade_rank", "due_on", "pk"),
}
DEFAULT_SORT = "-month"

# Workflow order for statuses and best-first for grades, so sorting reads as people expect
# rather than alphabetically by code.
_STATUS_ORDER = [
    AuditStatus.ALLOCATED,
    AuditStatus.IN_PROGRESS,
    AuditStatus.SUBMITTED,
    AuditStatus.IN_MODERATION,
    AuditStatus.CLOSED,
    AuditStatus.CANCELLED,
]
_GRADE_ORDER = [Grade.OUTSTANDING, Grade.GOOD, Grade.REQUIRES_IMPROVEMENT, Grade.INADEQUATE]


def _rank(field: str, order: list[str]) -> Case:
    return Case(
        *[When(**{field: value}, then=Value(position)) for position, value in enumerate(order)],
        default=Value(len(order)),
        output_field=IntegerField(),
    )


def sort_key(raw: str | None) -> str:
    """The whitelisted sort (``due``, ``-due`` …) asked for, or the default."""
    if raw and raw.lstrip("-") in SORTS:
        return raw
    return DEFAULT_SORT


def apply_sort(queryset: QuerySet[Audit], key: str) -> QuerySet[Audit]:
    descending = key.startswith("-")
    fields = SORTS[key.lstrip("-")]
    ordering = [f"-{name}" if descending and position == 0 else name for position, name in enumerate(fields)]
    return queryset.annotate(
        status_rank=_rank("status", _STATUS_ORDER), grade_rank=_rank("reported_grade", _GRADE_ORDER)
    ).order_by(*ordering)


def month_value(month: datetime.date) -> str:
    return f"{month:%Y-%m}"


class AuditFilter(django_filters.FilterSet):
    """Team, service and authority audit lists. Build with ``scope=``; choices come from it."""

    month = django_filters.ChoiceFilter(label="Month", method="filter_month", empty_label="All months")
    kind = django_filters.ChoiceFilter(label="Kind", choices=AuditKind.choices, empty_label="All kinds")
    status = django_filters.ChoiceFilter(label="Status", choices=AuditStatus.choices, empty_label="All statuses")
    reported_grade = django_filters.ChoiceFilter(
        label="Reported grade",
        choices=[*Grade.choices, ("none", "Not graded yet")],
        method="filter_grade",
        empty_label="All grades",
    )
    team = django_filters.ModelChoiceFilter(label="Team", queryset=None, empty_label="All teams")
    service_area = django_filters.ModelChoiceFilter(
        label="Service area", queryset=None, empty_label="All service areas"
    )
    case_type = django_filters.ChoiceFilter(label="Case type", choices=CaseType.choices, empty_label="All case types")
    auditor = django_filters.ModelChoiceFilter(label="Auditor", queryset=None, empty_label="All auditors")

    class Meta:
        model = Audit
        fields = ["month", "kind", "status", "reported_grade", "team", "service_area", "case_type", "auditor"]

    def __init__(self, *args: Any, scope: Scope, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        visible = audits_visible(scope)
        # Choices are evaluated when the form is rendered or validated: one query each.
        self.filters["month"].extra["choices"] = _MonthChoices(visible)
        self.filters["team"].queryset = scope.teams().order_by("name")
        self.filters["service_area"].queryset = scope.service_areas().order_by("name")
        self.filters["auditor"].queryset = (
            get_user_model().objects.filter(pk__in=visible.order_by().values("auditor_id")).order_by("full_name")
        )
        for field in self.form.fields.values():
            field.widget.attrs.setdefault("class", "govuk-select")

    def filter_month(self, queryset: QuerySet[Audit], name: str, value: str) -> QuerySet[Audit]:
        try:
            month = datetime.datetime.strptime(value, "%Y-%m").date()
        except ValueError:
            return queryset
        return queryset.filter(month=month)

    def filter_grade(self, queryset: QuerySet[Audit], name: str, value: str) -> QuerySet[Audit]:
        if value == "none":
            return queryset.filter(reported_grade="")
        return queryset.filter(reported_grade=value)


class _MonthChoices:
    """Months that have audits the person can see, newest first (a lazy, re-iterable choice list)."""

    def __init__(self, visible: QuerySet[Audit]) -> None:
        self.visible = visible
        self._choices: list[tuple[str, str]] | None = None

    def _load(self) -> list[tuple[str, str]]:
        if self._choices is None:
            months = self.visible.order_by("-month").values_list("month", flat=True).distinct()
            self._choices = [(month_value(m), date_format(m, "F Y")) for m in months]
        return self._choices

    def __iter__(self) -> Any:
        return iter(self._load())

    def __len__(self) -> int:
        return len(self._load())


def audit_filter_for(*, scope: Scope, params: Any) -> tuple[AuditFilter, QuerySet[Audit]]:
    """The audits a person may see, filtered by the list's query string.

    A choice that is not offered (another team's id, a month without audits) is dropped with an
    error on its field; the other filters still apply.
    """
    filterset = AuditFilter(params or None, queryset=audits_visible(scope), scope=scope)
    return filterset, filterset.qs
