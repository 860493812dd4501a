"""Forms of the signals pages: the list's filters, the decision on a signal, and a series' baseline."""

from __future__ import annotations

import datetime
from collections.abc import Iterable
from typing import Any

from crispy_forms_gds.layout import Field
from django import forms
from django.db.models import QuerySet

from core.forms import FREE_TEXT_HINT, BaseForm, month_field, parse_month

from .models import Indicator, SeriesKind, Signal
from .services.signals import NOTE_MAX

CONFIRM, DISMISS = "confirm", "dismiss"
_SELECT = forms.Select(attrs={"class": "govuk-select"})


class SignalFilterForm(forms.Form):
    """The list's filters (GET): status, figures of record or app estimates, indicator."""

    status = forms.ChoiceField(
        label="Status", choices=[("", "Any status"), *Signal.Status.choices], required=False, widget=_SELECT
    )
    series = forms.ChoiceField(
        label="Figures",
        choices=[("", "Figures of record and app estimates"), *SeriesKind.choices],
        required=False,
        widget=_SELECT,
    )
    indicator = forms.ChoiceField(label="Indicator", required=False, widget=_SELECT)

    def __init__(self, *args: Any, indicators: Iterable[Indicator], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["indicator"].choices = [("", "Every indicator")] + [(i.code, i.name) for i in indicators]

    def filter(self, signals: QuerySet[Signal]) -> QuerySet[Signal]:
        if not self.is_valid():
            return signals
        data = self.cleaned_data
        if data.get("status"):
            signals = signals.filter(status=data["status"])
        if data.get("series"):
            signals = signals.filter(series=data["series"])
        if data.get("indicator"):
            signals = signals.filter(indicator__code=data["indicator"])
        return signals


class SignalDecisionForm(BaseForm):
    submit_label = "Save the decision"
    decision = forms.ChoiceField(
        label="What do you make of this signal?",
        choices=[
            (CONFIRM, "Confirm it: the change is worth understanding further"),
            (DISMISS, "Dismiss it: no further look is needed"),
        ],
        widget=forms.RadioSelect,
        error_messages={"required": "Choose whether to confirm or dismiss the signal"},
    )
    note = forms.CharField(
        label="Note",
        help_text=(
            "Needed when you dismiss a signal: say why (for example, a known change in how something is "
            f"recorded). {FREE_TEXT_HINT}"
        ),
        widget=forms.Textarea(attrs={"rows": 3}),
        required=False,
        max_length=NOTE_MAX,
        error_messages={"max_length": f"The note must be {NOTE_MAX} characters or fewer"},
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["note"].widget.attrs.pop("maxlength", None)

    def layout_fields(self) -> list[Any]:
        return [Field.radios("decision", legend_size="m"), Field.textarea("note", rows=3)]

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean()
        if cleaned.get("decision") == DISMISS and not (cleaned.get("note") or "").strip():
            self.add_error("note", "Say why the signal is dismissed")
        return cleaned


class BaselineForm(BaseForm):
    submit_label = "Set the baseline"
    first_month = month_field("First month", "2024-04", required=True)
    last_month = month_field(
        "Last month",
        "2025-06",
        required=True,
        help_text="Year and month, for example 2025-06. At least 15 consecutive months.",
    )

    def __init__(self, *args: Any, recalculate: bool = False, **kwargs: Any) -> None:
        if recalculate:
            self.submit_label = "Recalculate the limits"
        super().__init__(*args, **kwargs)

    def layout_fields(self) -> list[Any]:
        return [Field.text("first_month", field_width=10), Field.text("last_month", field_width=10)]

    def clean_first_month(self) -> datetime.date | None:
        return parse_month(self.cleaned_data["first_month"])

    def clean_last_month(self) -> datetime.date | None:
        return parse_month(self.cleaned_data["last_month"])

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean()
        first, last = cleaned.get("first_month"), cleaned.get("last_month")
        if first and last and last < first:
            self.add_error("last_month", "The last month must be the same as or after the first month")
        return cleaned
