"""Forms of the figures-of-record pages: the CSV upload and the list's filters."""

from __future__ import annotations

from typing import Any

from django import forms

from core.forms import BaseForm
from organisation.forms import CaseloadUploadForm


class FiguresUploadForm(BaseForm):
    submit_label = "Check the file"
    file = forms.FileField(
        label="Figures or benchmarks CSV file",
        help_text="UTF-8 CSV in the figures or the benchmarks layout. Nothing is imported until you confirm.",
        error_messages={"required": "Choose a CSV file to check"},
    )

    # The caseload upload's check: under 50 MB, UTF-8 text (with or without a byte-order mark).
    clean_file = CaseloadUploadForm.clean_file


class FigureFilterForm(forms.Form):
    """The list's filters (GET); the choices come from the figures held."""

    indicator = forms.ChoiceField(label="Indicator", required=False)
    scope = forms.ChoiceField(label="Scope", required=False)

    def __init__(
        self, *args: Any, indicators: list[tuple[str, str]], scopes: list[tuple[str, str]], **kwargs: Any
    ) -> None:
        super().__init__(*args, **kwargs)
        self.fields["indicator"].choices = [("", "All indicators"), *indicators]
        self.fields["scope"].choices = [("", "All scopes"), *scopes]
        for field in self.fields.values():
            field.widget.attrs.setdefault("class", "govuk-select")

    def chosen(self, name: str) -> str:
        """The field's choice, or "" when it is not chosen or not a choice (ignored, not an error)."""
        if not self.is_bound:
            return ""
        self.is_valid()
        return str(self.cleaned_data.get(name) or "")
