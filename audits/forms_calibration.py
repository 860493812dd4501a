"""Forms of the calibration pages: a new exercise, a participant's grades, an auditor's training."""

from __future__ import annotations

import datetime
from typing import Any

from crispy_forms_gds.layout import Field, Layout
from django import forms
from django.db.models import QuerySet

from core.forms import FREE_TEXT_HINT, BaseForm
from organisation.models import User

from .models import Audit, Grade

TITLE_MAX = 200
REASON_MAX = 2000
COURSE_MAX = 200
NOTES_MAX = 300


class CalibrationNewForm(BaseForm):
    submit_label = "Create the exercise"
    case_reference = forms.CharField(
        label="Case reference of the audit to copy",
        help_text="A submitted audit. Participants see an anonymised copy with no grades.",
        max_length=40,
        error_messages={"required": "Enter the case reference of a submitted audit"},
    )
    title = forms.CharField(
        label="Title",
        max_length=TITLE_MAX,
        help_text="For example: Calibration, spring term.",
        error_messages={
            "required": "Enter a title for the exercise",
            "max_length": f"The title must be {TITLE_MAX} characters or fewer",
        },
    )
    participants = forms.MultipleChoiceField(
        label="Auditors taking part",
        widget=forms.CheckboxSelectMultiple,
        error_messages={"required": "Choose at least one auditor", "invalid_choice": "Choose auditors from the list"},
    )

    def __init__(self, *args: Any, sources: QuerySet[Audit], auditors: QuerySet[User], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.sources = sources
        self.auditors = {str(u.pk): u for u in auditors}
        self.fields["participants"].choices = [(pk, u.full_name) for pk, u in self.auditors.items()]

    def layout_fields(self) -> list[Any]:
        return [
            Field.text("case_reference", field_width=10),
            Field.text("title"),
            Field.checkboxes("participants", legend_size="s", small=True),
        ]

    def clean_case_reference(self) -> Audit:
        reference = self.cleaned_data["case_reference"].strip()
        audit = self.sources.filter(case_reference__iexact=reference).first()
        if audit is None:
            raise forms.ValidationError("There is no submitted audit of that case reference that you can copy")
        return audit

    def clean_participants(self) -> list[User]:
        return [self.auditors[pk] for pk in self.cleaned_data["participants"]]

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        audit = data.get("case_reference")
        people = data.get("participants") or []
        if audit is not None and any(p.pk == audit.auditor_id for p in people):
            self.add_error("participants", "The audit's own auditor cannot take part: they could not grade it blind")
        return data


class GradeReasonForm(BaseForm):
    """One element's grade and reason (or the overall grade), with its own prefix."""

    grade = forms.ChoiceField(
        label="Grade",
        choices=Grade.choices,
        widget=forms.RadioSelect,
        required=False,
        error_messages={"invalid_choice": "Choose one of the four grades"},
    )
    reason = forms.CharField(
        label="Why this grade",
        help_text=FREE_TEXT_HINT,
        widget=forms.Textarea(attrs={"rows": 3}),
        required=False,
        max_length=REASON_MAX,
        error_messages={"max_length": f"The reason must be {REASON_MAX:,} characters or fewer"},
    )

    def __init__(self, *args: Any, code: str, title: str, **kwargs: Any) -> None:
        kwargs.setdefault("prefix", f"el-{code}")
        super().__init__(*args, **kwargs)
        self.code = code
        self.title = title
        self.fields["grade"].label = f"Your grade for {title}"
        self.fields["reason"].label = f"Why this grade for {title}"
        self.fields["reason"].widget.attrs.pop("maxlength", None)
        self.helper.layout = Layout(Field.radios("grade", legend_size="s"), Field.textarea("reason", rows=3))

    def require(self) -> bool:
        """For a submission: both the grade and the reason are needed."""
        ok = True
        if not self.cleaned_data.get("grade"):
            self.add_error("grade", f"Choose a grade for {self.title}")
            ok = False
        if not (self.cleaned_data.get("reason") or "").strip():
            self.add_error("reason", f"Give a reason for your grade for {self.title}")
            ok = False
        return ok


class TrainingForm(BaseForm):
    submit_label = "Record the training"
    person = forms.ChoiceField(
        label="Auditor", error_messages={"required": "Choose the auditor", "invalid_choice": "Choose an auditor"}
    )
    trained_on = forms.DateField(
        label="Date of the training",
        help_text="For example, 2026-03-27",
        error_messages={"required": "Enter the date of the training", "invalid": "Enter the date as 2026-03-27"},
    )
    course = forms.CharField(
        label="Course",
        max_length=COURSE_MAX,
        error_messages={
            "required": "Enter the course",
            "max_length": f"The course must be {COURSE_MAX} characters or fewer",
        },
    )
    notes = forms.CharField(
        label="Note (optional)",
        required=False,
        max_length=NOTES_MAX,
        help_text=FREE_TEXT_HINT,
        error_messages={"max_length": f"The note must be {NOTES_MAX} characters or fewer"},
    )

    def __init__(self, *args: Any, auditors: QuerySet[User], today: datetime.date, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.today = today
        self.auditors = {str(u.pk): u for u in auditors}
        self.fields["person"].choices = [("", "Choose an auditor")] + [
            (pk, u.full_name) for pk, u in self.auditors.items()
        ]

    def layout_fields(self) -> list[Any]:
        return [Field.select("person"), Field.text("trained_on", field_width=10), Field.text("course"), "notes"]

    def clean_person(self) -> User:
        return self.auditors[self.cleaned_data["person"]]

    def clean_trained_on(self) -> datetime.date:
        day = self.cleaned_data["trained_on"]
        if day > self.today:
            raise forms.ValidationError("The date of the training must be today or in the past")
        return day
