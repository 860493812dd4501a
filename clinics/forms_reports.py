"""Forms for the highlight report pages: the list's month filter and the author's narrative."""

from __future__ import annotations

import datetime
from typing import Any

from django import forms

from core.forms import FREE_TEXT_HINT, BaseForm, month_field, parse_month
from organisation.models import ServiceArea

from .report_kinds import KINDS
from .services.reports import BOX_MAX


class ReportFilterForm(forms.Form):
    """The list's filters (GET): a month, and a service area for people who read several."""

    month = month_field("Month", "2026-10", what="month")
    area = forms.ChoiceField(label="Service area", required=False)

    def __init__(self, *args: Any, areas: list[ServiceArea], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.areas = {str(a.pk): a for a in areas}
        if len(areas) > 1:
            self.fields["area"].choices = [("", "All service areas")] + [(str(a.pk), a.name) for a in areas]
        else:
            del self.fields["area"]

    def month_value(self, default: datetime.date) -> datetime.date:
        if self.is_bound and self.is_valid():
            return parse_month(self.cleaned_data.get("month")) or default
        return default

    def area_value(self) -> ServiceArea | None:
        if "area" in self.fields and self.is_bound and self.is_valid():
            return self.areas.get(self.cleaned_data.get("area") or "")
        return None


class NarrativeForm(BaseForm):
    """One textarea per narrative box of the report's kind (draft rules only: each may be empty)."""

    submit_label = "Save and come back later"

    def __init__(self, *args: Any, kind: str, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.boxes = KINDS[kind].boxes
        for box in self.boxes:
            self.fields[box.key] = forms.CharField(
                label=box.label,
                help_text=f"{box.hint} {FREE_TEXT_HINT}",
                required=False,
                max_length=BOX_MAX,
                strip=True,
                widget=forms.Textarea(attrs={"rows": 6}),
                error_messages={"max_length": f"{box.label} must be {BOX_MAX:,} characters or fewer"},
            )
        self._setup_helper()

    def box_fields(self) -> list[tuple[Any, forms.BoundField]]:
        return [(box, self[box.key]) for box in self.boxes]

    def json_errors(self) -> dict[str, list[str]]:
        return {name: [str(e) for e in errors] for name, errors in self.errors.items()}
