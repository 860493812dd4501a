"""Forms of the reviewing officers' and conference chairs' pages: recording an alert, moving a
concern on or recording it resolved, and the list's filters."""

from __future__ import annotations

import datetime
from typing import Any

from crispy_forms_gds.layout import Field
from django import forms
from django.db.models import QuerySet

from audits.forms_practitioner import VersionedForm
from audits.services.tools import themes_active
from core.forms import FREE_TEXT_HINT, BaseForm, date_field, parse_month
from organisation.models import CaseFile

from .models import DisputeStage, MeetingKind, ReviewingOfficerAlert
from .services.alerts import RESOLUTION_MAX, SUMMARY_MAX, alert_resolution_problem, dispute_stages_offered

Kind = ReviewingOfficerAlert.Kind
UNKNOWN_CASE = "Enter the case reference of a child whose conference or review you chair"
STAGE_REQUIRED = "Choose the dispute-resolution stage of the practice concern"


def _check_resolution(form: forms.Form, *, meeting_on: datetime.date | None, today: datetime.date) -> None:
    problem = alert_resolution_problem(
        meeting_on=meeting_on,
        resolved_on=form.cleaned_data.get("resolved_on"),
        resolution=form.cleaned_data.get("resolution") or "",
        today=today,
    )
    if problem and "resolved_on" not in form.errors:
        form.add_error("resolved_on", problem)


def _stage_field() -> forms.ModelChoiceField:
    return forms.ModelChoiceField(
        label="Dispute-resolution stage",
        help_text="For a practice concern only: the lowest stage at which it is being resolved.",
        queryset=DisputeStage.objects.none(),
        widget=forms.RadioSelect,
        required=False,
        empty_label=None,
        error_messages={"invalid_choice": "Choose a dispute-resolution stage from the list"},
    )


def _resolution_field() -> forms.CharField:
    return forms.CharField(
        label="Resolution note (optional)",
        help_text=f"How it was resolved. {FREE_TEXT_HINT}",
        widget=forms.Textarea(attrs={"rows": 3}),
        required=False,
        max_length=RESOLUTION_MAX,
        error_messages={"max_length": f"The resolution note must be {RESOLUTION_MAX:,} characters or fewer"},
    )


class AlertForm(BaseForm):
    submit_label = "Record the alert"
    kind = forms.ChoiceField(
        label="What are you recording?",
        choices=Kind.choices,
        widget=forms.RadioSelect,
        error_messages={"required": "Choose a good-practice alert or a practice concern"},
    )
    case_reference = forms.CharField(
        label="Case reference",
        help_text="The child's case reference in the case-management system, for example NM0001234.",
        max_length=CaseFile._meta.get_field("case_reference").max_length,
        error_messages={"required": "Enter the case reference", "max_length": UNKNOWN_CASE},
    )
    meeting = forms.ChoiceField(
        label="Which meeting was it?",
        choices=MeetingKind.choices,
        widget=forms.RadioSelect,
        error_messages={"required": "Choose the kind of meeting"},
    )
    meeting_on = date_field("Date of the meeting", "For example, 27 3 2026")
    theme = forms.ModelChoiceField(
        label="Theme",
        queryset=themes_active(),
        empty_label="Choose a theme",
        error_messages={"required": "Choose a theme", "invalid_choice": "Choose a theme from the list"},
    )
    stage = _stage_field()
    summary = forms.CharField(
        label="Summary",
        help_text=f"What was good, or what the concern is, and what you asked for. {FREE_TEXT_HINT}",
        widget=forms.Textarea(attrs={"rows": 5}),
        max_length=SUMMARY_MAX,
        error_messages={
            "required": "Enter a summary of the good practice or the concern",
            "max_length": f"The summary must be {SUMMARY_MAX:,} characters or fewer",
        },
    )
    resolved_on = date_field("Date resolved", "Optional. For example, 27 3 2026", required=False)
    resolution = _resolution_field()

    def __init__(self, *args: Any, cases: QuerySet[CaseFile], today: datetime.date, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.cases = cases
        self.today = today
        self.fields["stage"].queryset = dispute_stages_offered()

    def layout_fields(self) -> list[Any]:
        return [
            Field.radios("kind", legend_size="m"),
            Field.text("case_reference", field_width=10),
            Field.radios("meeting", legend_size="m"),
            "meeting_on",
            Field.select("theme"),
            Field.radios("stage", legend_size="m"),
            Field.textarea("summary", rows=5),
            "resolved_on",
            Field.textarea("resolution", rows=3),
        ]

    def clean_case_reference(self) -> CaseFile:
        reference = self.cleaned_data["case_reference"].strip()
        # Unknown and outside the person's scope read alike: never confirm that a case exists.
        case = self.cases.select_related("team").filter(case_reference__iexact=reference).first()
        if case is None:
            raise forms.ValidationError(UNKNOWN_CASE)
        return case

    def clean_meeting_on(self) -> datetime.date | None:
        meeting_on = self.cleaned_data.get("meeting_on")
        if meeting_on and meeting_on > self.today:
            raise forms.ValidationError("The date of the meeting must be today or in the past")
        return meeting_on

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean()
        if cleaned.get("kind") == Kind.PRACTICE_CONCERN and not cleaned.get("stage") and "stage" not in self.errors:
            self.add_error("stage", STAGE_REQUIRED)
        if cleaned.get("kind") == Kind.GOOD_PRACTICE:
            cleaned["stage"] = None  # not a dispute: whatever was chosen is ignored
        _check_resolution(self, meeting_on=cleaned.get("meeting_on"), today=self.today)
        return cleaned


class AlertUpdateForm(VersionedForm):
    submit_label = "Save the changes"
    stage = _stage_field()
    resolved_on = date_field(
        "Date resolved", "Leave empty while it is still open. For example, 27 3 2026", required=False
    )
    resolution = _resolution_field()

    def __init__(
        self, *args: Any, alert: ReviewingOfficerAlert, version: int, today: datetime.date, **kwargs: Any
    ) -> None:
        self.alert = alert
        self.today = today
        kwargs.setdefault(
            "initial",
            {
                "stage": alert.stage_id,
                "resolved_on": alert.resolved_on,
                "resolution": alert.resolution,
                "version": version,
            },
        )
        super().__init__(*args, **kwargs)
        if self._asks_stage:
            self.fields["stage"].queryset = dispute_stages_offered(current=alert.stage)
            self.fields["stage"].help_text = "Move the concern on when it is raised at a higher stage."
        else:
            del self.fields["stage"]  # a good-practice alert has no stage

    @property
    def _asks_stage(self) -> bool:
        return self.alert.kind == Kind.PRACTICE_CONCERN

    def layout_fields(self) -> list[Any]:
        stage = [Field.radios("stage", legend_size="m")] if self._asks_stage else []
        return [*stage, "resolved_on", Field.textarea("resolution", rows=3), "version"]

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean()
        if self._asks_stage and not cleaned.get("stage") and "stage" not in self.errors:
            self.add_error("stage", STAGE_REQUIRED)
        _check_resolution(self, meeting_on=self.alert.meeting_on, today=self.today)
        return cleaned


class AlertFilterForm(forms.Form):
    """The list's filters (GET); every choice comes from the alerts the person sees."""

    kind = forms.ChoiceField(label="Kind", required=False)
    month = forms.ChoiceField(label="Month of the meeting", required=False)
    theme = forms.TypedChoiceField(label="Theme", required=False, coerce=int, empty_value=None)
    stage = forms.TypedChoiceField(label="Stage", required=False, coerce=int, empty_value=None)
    status = forms.ChoiceField(
        label="Open or resolved",
        required=False,
        choices=[("", "Open and resolved"), ("open", "Open"), ("resolved", "Resolved")],
    )

    def __init__(self, *args: Any, choices: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["kind"].choices = [("", "Both kinds"), *Kind.choices]
        self.fields["month"].choices = [("", "All months")] + [(f"{m:%Y-%m}", f"{m:%B %Y}") for m in choices.months]
        self.fields["theme"].choices = [("", "All themes"), *choices.themes]
        self.fields["stage"].choices = [("", "All stages"), *choices.stages]
        for field in self.fields.values():
            field.widget.attrs.setdefault("class", "govuk-select")

    def month_value(self) -> datetime.date | None:
        month = self.cleaned_data.get("month") if self.is_valid() else None
        return parse_month(month)
