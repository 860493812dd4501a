"""Forms of the monthly allocation: swap a case, exclude an auditor, cancel, reallocate, conflict."""

from __future__ import annotations

from typing import Any

from django import forms

from core.forms import FREE_TEXT_HINT, BaseForm
from organisation.models import CaseFile, User

from .models import CancelCategory


def _reason(label: str, required: str) -> forms.CharField:
    return forms.CharField(
        label=label,
        max_length=300,
        help_text=FREE_TEXT_HINT,
        error_messages={"required": required, "max_length": "The reason must be 300 characters or fewer"},
    )


class CaseChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj: CaseFile) -> str:
        return f"{obj.case_reference} — {obj.get_case_type_display()}, {obj.team}"


class SwapForm(BaseForm):
    submit_label = "Swap the case"

    case_file = CaseChoiceField(
        label="Case file",
        queryset=CaseFile.objects.none(),
        empty_label="Choose a case file",
        help_text="Eligible files for this auditor that nobody else has this month.",
        error_messages={"required": "Choose a case file", "invalid_choice": "Choose a case file from the list"},
    )
    reason = _reason("Why are you swapping the case?", "Enter why you are swapping the case")

    def __init__(self, *args: Any, choices: list[CaseFile], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["case_file"].queryset = CaseFile.objects.filter(pk__in=[c.pk for c in choices]).select_related(
            "team"
        )


class ExcludeForm(BaseForm):
    submit_label = "Exclude this auditor"

    reason = _reason("Why is this auditor excluded this month?", "Enter why this auditor is excluded")


class CancelForm(BaseForm):
    submit_label = "Cancel the audit"

    category = forms.ChoiceField(
        label="Why is the audit cancelled?",
        choices=CancelCategory.choices,
        widget=forms.RadioSelect,
        error_messages={"required": "Choose why the audit is cancelled"},
    )
    reason = _reason("Details", "Enter the details of why the audit is cancelled")


class AuditorChoice(forms.ModelChoiceField):
    def label_from_instance(self, obj: User) -> str:
        return f"{obj.full_name} ({obj.job_title})" if obj.job_title else obj.full_name


class ReallocateForm(BaseForm):
    submit_label = "Reallocate the audit"

    auditor = AuditorChoice(
        label="New auditor",
        queryset=User.objects.none(),
        empty_label="Choose an auditor",
        error_messages={"required": "Choose an auditor", "invalid_choice": "Choose an auditor from the list"},
    )
    category = forms.ChoiceField(
        label="Why is it reallocated?",
        choices=CancelCategory.choices,
        widget=forms.RadioSelect,
        error_messages={"required": "Choose why the audit is reallocated"},
    )
    reason = _reason("Details", "Enter the details of why the audit is reallocated")

    def __init__(self, *args: Any, auditors: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["auditor"].queryset = auditors


class ConflictForm(BaseForm):
    submit_label = "Declare a conflict of interest"

    reason = _reason("What is the conflict of interest?", "Enter what the conflict of interest is")
