"""The QA team's form for allocating an audit by hand."""

from __future__ import annotations

import datetime
from typing import Any

from crispy_forms_gds.fields import DateInputField
from django import forms

from core.forms import FREE_TEXT_HINT, BaseForm
from core.workdays import last_working_day_of_month
from organisation.models import CaseFile, User
from organisation.scope import Scope

from .models import AuditKind
from .permissions import can_allocate_restricted
from .services.allocation import auditors_on, tool_version_for_case_type


class DueDateField(DateInputField):
    """A GOV.UK date input whose impossible dates (31 February) get a message for people."""

    def compress(self, data_list: Any) -> datetime.date | None:
        try:
            return super().compress(data_list)
        except forms.ValidationError:
            raise forms.ValidationError("The due date must be a real date") from None


class AuditorChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj: User) -> str:
        return f"{obj.full_name} ({obj.job_title})" if obj.job_title else obj.full_name


class AllocateForm(BaseForm):
    submit_label = "Allocate the audit"

    case_reference = forms.CharField(
        label="Case reference",
        max_length=40,
        help_text="The child's reference in the case-management system.",
        error_messages={"required": "Enter the case reference"},
    )
    auditor = AuditorChoiceField(
        label="Auditor",
        queryset=User.objects.none(),
        empty_label="Choose an auditor",
        help_text="People who hold the auditor duty today.",
        error_messages={"required": "Choose an auditor", "invalid_choice": "Choose an auditor from the list"},
    )
    kind = forms.ChoiceField(
        label="Kind of audit",
        choices=AuditKind.choices,
        initial=AuditKind.MONTHLY,
        error_messages={"required": "Choose the kind of audit"},
    )
    due_on = DueDateField(
        label="Due date",
        help_text="For example, 30 11 2026. The last working day of this month unless you change it.",
        require_all_fields=False,
    )
    reason = forms.CharField(
        label="Why are you allocating this audit by hand?",
        max_length=300,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=f"For example: a restricted case, a concern raised by a manager. {FREE_TEXT_HINT}",
        error_messages={
            "required": "Enter why you are allocating this audit by hand",
            "max_length": "The reason must be 300 characters or fewer",
        },
    )

    def __init__(self, *args: Any, scope: Scope, **kwargs: Any) -> None:
        self.scope = scope
        self.case_file: CaseFile | None = None
        super().__init__(*args, **kwargs)
        self.fields["auditor"].queryset = auditors_on(scope.today)
        self.fields["due_on"].error_messages.update(
            {"required": "Enter the due date", "incomplete": "Enter the due date as a day, month and year"}
        )
        if not self.is_bound:
            self.initial.setdefault("due_on", last_working_day_of_month(scope.today.year, scope.today.month))

    def clean_case_reference(self) -> str:
        reference = self.cleaned_data["case_reference"].strip()
        # Looked up within the person's scope: a case they cannot see is "not found", never
        # "forbidden", which would confirm that it exists.
        case = (
            self.scope.case_files()
            .select_related("team__service_area", "practitioner")
            .filter(case_reference__iexact=reference)
            .first()
        )
        if case is None:
            raise forms.ValidationError("No case file with that reference that you can see")
        if case.restricted and not can_allocate_restricted(self.scope):
            raise forms.ValidationError("Only the QA manager allocates an audit of a restricted case file")
        self.case_file = case
        return case.case_reference

    def clean_due_on(self) -> datetime.date:
        due_on = self.cleaned_data["due_on"]
        if due_on is None:
            raise forms.ValidationError("Enter the due date")
        if due_on < self.scope.today:
            raise forms.ValidationError("The due date must be today or in the future")
        return due_on

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean()
        if self.case_file is not None and tool_version_for_case_type(self.case_file.case_type) is None:
            self.add_error(
                "case_reference",
                f"No audit tool for {self.case_file.get_case_type_display().lower()} cases is loaded yet",
            )
        return cleaned
