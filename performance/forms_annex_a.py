"""Forms of the Annex A pages: the workbook upload, and the reconciliation's scope and months."""

from __future__ import annotations

import datetime
from typing import Any

from crispy_forms_gds.layout import Field
from django import forms
from django.http import QueryDict

from core.forms import BaseForm, month_field, parse_month

from .estimates import MAX_MONTHS, add_months
from .forms_baskets import scope_choice_label
from .scopes import ScopeRef
from .services.annex_a import MAX_UPLOAD_BYTES

WORKBOOK_SUFFIXES = (".xlsx", ".xlsm")
# Every .xlsx file is a zip archive.
_ZIP_MAGIC = b"PK\x03\x04"


class AnnexAUploadForm(BaseForm):
    submit_label = "Import the workbook"
    file = forms.FileField(
        label="Annex A workbook",
        help_text="An Excel workbook (.xlsx) with a sheet for each list, for example 'List 3 - Referrals'.",
        error_messages={"required": "Choose an Annex A workbook to import"},
    )

    def clean_file(self) -> bytes:
        upload = self.cleaned_data["file"]
        if upload.size > MAX_UPLOAD_BYTES:
            raise forms.ValidationError(f"The workbook must be smaller than {MAX_UPLOAD_BYTES // (1024 * 1024)} MB")
        data = upload.read()
        if not upload.name.lower().endswith(WORKBOOK_SUFFIXES) or not data.startswith(_ZIP_MAGIC):
            raise forms.ValidationError(
                "The file must be an Excel workbook (.xlsx). In Excel, use 'Save as' and choose 'Excel Workbook'."
            )
        return data


class ReconciliationForm(BaseForm):
    """GET filters: the scope (only those the person may read) and the months shown."""

    submit_label = "Show"
    scope = forms.ChoiceField(label="Where", required=False)
    first_month = month_field("First month", "2025-04")
    last_month = month_field("Last month", "2026-03")

    def __init__(
        self, query: QueryDict, *, visible: dict[str, ScopeRef], default: tuple[datetime.date, datetime.date]
    ) -> None:
        # Always bound, so the fields show what the page shows (the default months included).
        data = {
            "scope": next(iter(visible), ""),
            "first_month": f"{default[0]:%Y-%m}",
            "last_month": f"{default[1]:%Y-%m}",
        }
        data.update({key: query[key] for key in data if query.get(key)})
        super().__init__(data)
        self.fields["scope"].choices = [(key, scope_choice_label(ref)) for key, ref in visible.items()]
        self.default = default

    def layout_fields(self) -> list[Any]:
        return [
            Field.select("scope"),
            Field.text("first_month", field_width=10),
            Field.text("last_month", field_width=10),
        ]

    def clean_first_month(self) -> datetime.date | None:
        return parse_month(self.cleaned_data["first_month"])

    def clean_last_month(self) -> datetime.date | None:
        return parse_month(self.cleaned_data["last_month"])

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean()
        first, last = cleaned.get("first_month"), cleaned.get("last_month")
        if first and last and last < first:
            self.add_error("last_month", "The last month must be the same as or after the first month")
        elif first and last and add_months(first, MAX_MONTHS - 1) < last:
            self.add_error("last_month", f"Choose at most {MAX_MONTHS} months")
        return cleaned

    def months(self) -> tuple[datetime.date, datetime.date]:
        """The months asked for, or the default ones when the filters have errors."""
        if self.is_valid():
            return (
                self.cleaned_data["first_month"] or self.default[0],
                self.cleaned_data["last_month"] or self.default[1],
            )
        return self.default
