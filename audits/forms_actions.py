"""Forms for actions for improvement: what, owner and due date; and status with its evidence."""

from __future__ import annotations

import datetime
from typing import Any

from crispy_forms_gds.layout import Field
from django import forms
from django.db.models import QuerySet

from core.forms import FREE_TEXT_HINT, BaseForm, date_field
from organisation.models import User

from .forms_practitioner import STALE_PAGE, give_distinct_ids
from .models import ActionStatus
from .services.actions import DESCRIPTION_MAX, EVIDENCE_MAX


class ActionForm(BaseForm):
    submit_label = "Save the action"
    description = forms.CharField(
        label="What needs to happen",
        help_text=f"One clear step that will make a difference for the child. {FREE_TEXT_HINT}",
        widget=forms.Textarea,
        max_length=DESCRIPTION_MAX,
        error_messages={
            "required": "Enter what needs to happen",
            "max_length": f"What needs to happen must be {DESCRIPTION_MAX} characters or fewer",
        },
    )
    owner = forms.ModelChoiceField(
        label="Owner",
        help_text="The practitioner, someone in the team, the team manager or the auditor.",
        queryset=User.objects.none(),
        empty_label="Choose an owner",
        error_messages={
            "required": "Choose who owns the action",
            "invalid_choice": "Choose an owner from the list",
        },
    )
    due_on = date_field("Due date", "For example, 27 3 2027")
    version = forms.IntegerField(widget=forms.HiddenInput, required=False, min_value=0)

    def __init__(self, *args: Any, owners: QuerySet[User], today: datetime.date, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.today = today
        self.fields["owner"].queryset = owners
        give_distinct_ids(self)

    def layout_fields(self) -> list[Any]:
        return [
            Field.textarea("description", rows=4, max_characters=DESCRIPTION_MAX),
            Field.select("owner"),
            "due_on",
            "version",
        ]

    def clean_due_on(self) -> datetime.date | None:
        due = self.cleaned_data.get("due_on")
        # An existing action's unchanged due date may be in the past; a new date may not.
        if due and due < self.today and due != self.initial.get("due_on"):
            raise forms.ValidationError("The due date must be today or in the future")
        return due

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean()
        if "version" in self.initial and cleaned.get("version") is None:
            raise forms.ValidationError(STALE_PAGE)
        return cleaned


class ActionStatusForm(BaseForm):
    submit_label = "Save the status"
    status = forms.ChoiceField(
        label="Status",
        choices=ActionStatus.choices,
        widget=forms.RadioSelect,
        error_messages={"required": "Choose the status of the action"},
    )
    completed_on = date_field(
        "Completion date", "Needed when the action is done. For example, 27 3 2027", required=False
    )
    evidence = forms.CharField(
        label="Evidence",
        help_text=f"One line: how you know, for example where it is recorded. {FREE_TEXT_HINT}",
        required=False,
        max_length=EVIDENCE_MAX,
        error_messages={"max_length": f"Evidence must be {EVIDENCE_MAX} characters or fewer"},
    )
    version = forms.IntegerField(widget=forms.HiddenInput, required=False, min_value=0)

    def __init__(self, *args: Any, today: datetime.date, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.today = today
        give_distinct_ids(self)

    def layout_fields(self) -> list[Any]:
        return [Field.radios("status", legend_size="s"), "completed_on", Field.text("evidence"), "version"]

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean()
        if cleaned.get("version") is None:
            raise forms.ValidationError(STALE_PAGE)
        completed = cleaned.get("completed_on")
        if cleaned.get("status") == ActionStatus.DONE and completed is None and "completed_on" not in self.errors:
            self.add_error("completed_on", "Enter the date the action was completed")
        if completed and completed > self.today:
            self.add_error("completed_on", "The completion date must be today or in the past")
        return cleaned
