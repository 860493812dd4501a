"""Forms of the other-voices pages: recording or correcting an entry, and the list's period, theme
and source filters."""

from __future__ import annotations

import datetime
from typing import Any

from crispy_forms_gds.layout import Field, Size
from django import forms

from audits.forms_practitioner import VersionedForm
from audits.services.monthly import months_before
from audits.services.tools import themes_active
from core.forms import FREE_TEXT_HINT, BaseForm, date_field, month_field, parse_month
from organisation.models import ServiceArea

from .models import SURVEY_MIN_RESPONDENTS, VoiceSource
from .services.voices import (
    PERIOD_MONTHS,
    RESPONDENTS_MAX,
    SUMMARY_MAX,
    TITLE_MAX,
    VoiceData,
    VoiceError,
    results_parse,
    voice_period_default,
)


class VoiceForm(BaseForm):
    submit_label = "Save the entry"
    source = forms.ChoiceField(
        label="Where did this come from?",
        choices=VoiceSource.choices,
        widget=forms.RadioSelect,
        error_messages={"required": "Choose where this came from"},
    )
    happened_on = date_field("Date", "When it was received or took place. For example, 27 3 2026")
    service_area = forms.ModelChoiceField(
        label="Service area (optional)",
        help_text="Leave as the whole service when it is not about one area.",
        queryset=ServiceArea.objects.order_by("name"),
        required=False,
        empty_label="The whole service",
        error_messages={"invalid_choice": "Choose a service area from the list"},
    )
    themes = forms.ModelMultipleChoiceField(
        label="Themes",
        help_text="Choose every theme it speaks to.",
        queryset=themes_active(),
        widget=forms.CheckboxSelectMultiple,
        error_messages={"required": "Choose at least one theme", "invalid_choice": "Choose themes from the list"},
    )
    title = forms.CharField(
        label="Title",
        max_length=TITLE_MAX,
        error_messages={
            "required": "Enter a title",
            "max_length": f"The title must be {TITLE_MAX} characters or fewer",
        },
    )
    summary = forms.CharField(
        label="Short summary",
        help_text=f"What was said and what we learn from it. {FREE_TEXT_HINT}",
        widget=forms.Textarea(attrs={"rows": 5}),
        max_length=SUMMARY_MAX,
        error_messages={
            "required": "Enter a short summary",
            "max_length": f"The summary must be {SUMMARY_MAX:,} characters or fewer",
        },
    )
    respondents = forms.IntegerField(
        label="How many people answered? (staff surveys only)",
        required=False,
        min_value=1,
        max_value=RESPONDENTS_MAX,
        widget=forms.TextInput(attrs={"inputmode": "numeric"}),
        error_messages={
            "invalid": "Enter the number of people who answered as a whole number",
            "min_value": "Enter the number of people who answered as a whole number",
            "max_value": "Enter the number of people who answered as a whole number",
        },
    )
    results = forms.CharField(
        label="Results (staff surveys only)",
        help_text=(
            "One statement a line, then a | and the percent agreeing, for example: "
            "“I get regular reflective supervision | 72”. Results are withheld, and not kept, when fewer than "
            f"{SURVEY_MIN_RESPONDENTS} people answered."
        ),
        widget=forms.Textarea(attrs={"rows": 6}),
        required=False,
    )

    def __init__(self, *args: Any, today: datetime.date, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.today = today

    def layout_fields(self) -> list[Any]:
        return [
            Field.radios("source", legend_size=Size.MEDIUM),
            "happened_on",
            Field.select("service_area"),
            Field.checkboxes("themes", legend_size=Size.MEDIUM, small=True),
            Field.text("title"),
            Field.textarea("summary", rows=5),
            Field.text("respondents", field_width=5),
            Field.textarea("results", rows=6),
            *(["version"] if "version" in self.fields else []),
        ]

    def clean_happened_on(self) -> datetime.date | None:
        day = self.cleaned_data.get("happened_on")
        if day and day > self.today:
            raise forms.ValidationError("The date must be today or in the past")
        return day

    def clean_results(self) -> list[dict[str, Any]]:
        try:
            return results_parse(self.cleaned_data.get("results") or "")
        except VoiceError as exc:
            raise forms.ValidationError(str(exc)) from None

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean()
        survey = cleaned.get("source") == VoiceSource.STAFF_SURVEY
        if survey and cleaned.get("respondents") is None and "respondents" not in self.errors:
            self.add_error("respondents", "Enter how many people answered the survey")
        return cleaned

    def voice_data(self) -> VoiceData:
        data = self.cleaned_data
        return VoiceData(
            source=data["source"],
            happened_on=data["happened_on"],
            themes=list(data["themes"]),
            title=data["title"],
            summary=data["summary"],
            service_area=data["service_area"],
            respondents=data["respondents"],
            results=data["results"],
        )


class VoiceEditForm(VoiceForm, VersionedForm):
    submit_label = "Save the changes"


class VoiceFilterForm(BaseForm):
    """The list's filters (GET): the period in months (default the last 12), a theme, a source."""

    submit_label = "Show entries"
    from_month = month_field("From", "2025-12", what="first month", help_text="Month, for example 2025-12")
    to_month = month_field("To", "2026-11", what="last month", help_text="Month, for example 2026-11")
    theme = forms.ModelChoiceField(
        label="Theme",
        queryset=themes_active(),
        required=False,
        empty_label="All themes",
        error_messages={"invalid_choice": "Choose a theme from the list"},
    )
    source = forms.ChoiceField(
        label="Source",
        choices=[("", "All sources"), *VoiceSource.choices],
        required=False,
        error_messages={"invalid_choice": "Choose a source from the list"},
    )

    def __init__(self, *args: Any, today: datetime.date, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.default_period = voice_period_default(today)

    def layout_fields(self) -> list[Any]:
        return [
            Field.text("from_month", field_width=10),
            Field.text("to_month", field_width=10),
            Field.select("theme"),
            Field.select("source"),
        ]

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean()
        first, last = cleaned.get("from_month"), cleaned.get("to_month")
        if first and last and first > last:
            self.add_error("to_month", "The last month must be the same as or after the first month")
        return cleaned

    def period(self) -> tuple[datetime.date, datetime.date]:
        """The months asked for (a missing end makes a 12-month period with the other), or the
        last 12 months when none, or a wrong one, is given."""
        if not self.is_valid():
            return self.default_period
        first, last = (
            parse_month(value) for value in (self.cleaned_data.get("from_month"), self.cleaned_data.get("to_month"))
        )
        if first is None and last is None:
            return self.default_period
        if first is None:
            first = months_before(last, PERIOD_MONTHS - 1)
        if last is None:
            last = max(first, self.default_period[1])
        return first, last
