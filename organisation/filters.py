from __future__ import annotations

from typing import Any

import django_filters
from django import forms
from django.db.models import Q, QuerySet

from .models import CaseFile, CaseType
from .scope import Scope


class CaseFileFilter(django_filters.FilterSet):
    """Case-file list filters. Team choices come from the person's scope, never all teams."""

    q = django_filters.CharFilter(label="Case reference", method="filter_reference")
    team = django_filters.ModelChoiceFilter(queryset=None, empty_label="All teams")
    case_type = django_filters.ChoiceFilter(choices=CaseType.choices, empty_label="All case types")
    status = django_filters.ChoiceFilter(
        choices=[("open", "Open"), ("closed", "Closed")], method="filter_status", empty_label="Open and closed"
    )
    not_in_latest_extract = django_filters.BooleanFilter(
        label="Only cases not in the latest extract",
        widget=forms.CheckboxInput,
        method="filter_not_in_extract",
    )

    class Meta:
        model = CaseFile
        fields = ["q", "team", "case_type", "status", "not_in_latest_extract"]

    def __init__(self, *args: Any, scope: Scope, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.filters["team"].queryset = scope.teams()
        for name in ("q", "team", "case_type", "status"):
            self.filters[name].field.widget.attrs.setdefault("class", "govuk-input" if name == "q" else "govuk-select")

    def filter_reference(self, queryset: QuerySet[CaseFile], name: str, value: str) -> QuerySet[CaseFile]:
        value = value.strip()
        return (
            queryset.filter(Q(case_reference__iexact=value) | Q(family_reference__iexact=value)) if value else queryset
        )

    def filter_status(self, queryset: QuerySet[CaseFile], name: str, value: str) -> QuerySet[CaseFile]:
        if value == "open":
            return queryset.filter(closed_on__isnull=True)
        if value == "closed":
            return queryset.filter(closed_on__isnull=False)
        return queryset

    def filter_not_in_extract(self, queryset: QuerySet[CaseFile], name: str, value: bool) -> QuerySet[CaseFile]:
        return queryset.filter(not_in_latest_extract=True) if value else queryset
