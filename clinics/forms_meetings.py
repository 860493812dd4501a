"""Forms for meetings, their record, attendance, papers, attachments, actions and terms of reference.

Each form is one GOV.UK page form; the service checks the rules and the view shows any refusal on
the form, keeping what was typed.
"""

from __future__ import annotations

from typing import Any

from crispy_forms_gds.layout import Field
from django import forms
from django.db.models import QuerySet

from core.forms import FREE_TEXT_HINT, BaseForm, date_field
from organisation.models import ServiceArea, Team, User

from .models import ActionStatus, Attendance, MeetingKind, ReportVersion, TermsOfReference
from .services.meetings import ATTACHMENT_MAX_BYTES, attachment_problem

NOTES_MAX = 5000
QUORATE_CHOICES = (("", "Not recorded"), ("yes", "Yes"), ("no", "No"))


class PersonChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj: User) -> str:
        return obj.full_name


class MeetingFilterForm(forms.Form):
    """GET filters for the meetings list: kind, place (a team or service area in scope), year."""

    kind = forms.ChoiceField(label="Meeting", required=False)
    place = forms.ChoiceField(label="Team or service area", required=False)
    year = forms.ChoiceField(label="Year", required=False)

    def __init__(
        self, *args: Any, teams: list[Team], areas: list[ServiceArea], years: list[int], **kwargs: Any
    ) -> None:
        super().__init__(*args, **kwargs)
        self.fields["kind"].choices = [("", "All meetings"), *MeetingKind.choices]
        self.fields["place"].choices = [
            ("", "Everywhere"),
            *[(f"area:{a.pk}", a.name) for a in areas],
            *[(f"team:{t.pk}", f"{t.name} ({t.service_area.name})") for t in teams],
        ]
        self.fields["year"].choices = [("", "Any year"), *[(str(y), str(y)) for y in years]]


class MeetingCreateForm(BaseForm):
    submit_label = "Create meeting"
    kind = forms.ChoiceField(
        label="Which meeting?",
        choices=MeetingKind.choices,
        widget=forms.RadioSelect,
        error_messages={"required": "Choose which meeting", "invalid_choice": "Choose which meeting"},
    )
    team = forms.ModelChoiceField(
        label="Team (for a clinic)",
        queryset=Team.objects.none(),
        required=False,
        empty_label="Choose a team",
        error_messages={"invalid_choice": "Choose a team from the list"},
    )
    service_area = forms.ModelChoiceField(
        label="Service area (for a board)",
        queryset=ServiceArea.objects.none(),
        required=False,
        empty_label="Choose a service area",
        error_messages={"invalid_choice": "Choose a service area from the list"},
    )
    held_on = date_field("Date of the meeting", "For example, 14 11 2026")

    def __init__(self, *args: Any, teams: QuerySet[Team], areas: QuerySet[ServiceArea], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["team"].queryset = teams
        self.fields["service_area"].queryset = areas

    def layout_fields(self) -> list[Any]:
        return [Field.radios("kind", legend_size="s", small=True), "team", "service_area", "held_on"]

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        kind = data.get("kind")
        if kind == MeetingKind.CLINIC and not data.get("team"):
            self.add_error("team", "Choose the team whose clinic this is")
        if kind == MeetingKind.BOARD and not data.get("service_area"):
            self.add_error("service_area", "Choose the service area whose board this is")
        return data


class MeetingRecordForm(BaseForm):
    submit_label = "Save the record"
    held_on = date_field("Date of the meeting", "For example, 14 11 2026")
    chair = PersonChoiceField(
        label="Chair",
        queryset=User.objects.none(),
        required=False,
        empty_label="Not recorded",
        error_messages={"invalid_choice": "Choose the chair from the list"},
    )
    quorate = forms.ChoiceField(
        label="Was the meeting quorate?", choices=QUORATE_CHOICES, required=False, widget=forms.RadioSelect
    )
    notes = forms.CharField(
        label="Notes",
        required=False,
        max_length=NOTES_MAX,
        widget=forms.Textarea(attrs={"rows": 8}),
        help_text=f"A summary of the discussion: themes, decisions and learning. No case details. {FREE_TEXT_HINT}",
        error_messages={"max_length": f"The notes must be {NOTES_MAX} characters or fewer"},
    )
    version = forms.IntegerField(widget=forms.HiddenInput, required=False)

    def __init__(self, *args: Any, people: QuerySet[User], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["chair"].queryset = people

    def layout_fields(self) -> list[Any]:
        return [
            "held_on",
            "chair",
            Field.radios("quorate", legend_size="s", small=True, inline=True),
            "notes",
            "version",
        ]

    def quorate_value(self) -> bool | None:
        return {"yes": True, "no": False}.get(self.cleaned_data.get("quorate") or "")


class AttendeeForm(BaseForm):
    submit_label = "Add to the attendance list"
    person = PersonChoiceField(
        label="Person",
        queryset=User.objects.none(),
        required=False,
        empty_label="Someone without an account (enter their name)",
        error_messages={"invalid_choice": "Choose a person from the list"},
    )
    name = forms.CharField(
        label="Name (if not in the list)",
        required=False,
        max_length=150,
        help_text="For example, a partner agency's representative.",
    )
    role_label = forms.CharField(
        label="Role (optional)", required=False, max_length=150, help_text="For example, practice lead."
    )
    attendance = forms.ChoiceField(
        label="Attendance",
        choices=Attendance.choices,
        initial=Attendance.PRESENT,
        widget=forms.RadioSelect,
        error_messages={"required": "Choose present, apologies or absent"},
    )

    def __init__(self, *args: Any, people: QuerySet[User], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["person"].queryset = people

    def layout_fields(self) -> list[Any]:
        return ["person", "name", "role_label", Field.radios("attendance", legend_size="s", small=True, inline=True)]

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        if not data.get("person") and not (data.get("name") or "").strip() and "person" not in self.errors:
            self.add_error("person", "Choose a person or enter a name")
        return data


class ReportVersionChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj: ReportVersion) -> str:
        return f"{obj.report} (version {obj.number}, finalised {obj.finalised_at:%d %B %Y})"


class PaperForm(BaseForm):
    submit_label = "Add the paper"
    report_version = ReportVersionChoiceField(
        label="A finalised highlight report",
        queryset=ReportVersion.objects.none(),
        required=False,
        empty_label="None: another paper (enter its title)",
        help_text="Reports for this meeting's team, service area or the whole service, for this month or last.",
        error_messages={"invalid_choice": "Choose a report from the list"},
    )
    title = forms.CharField(
        label="Title", required=False, max_length=200, help_text="Leave empty to use the report's title."
    )

    def __init__(self, *args: Any, reports: QuerySet[ReportVersion], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["report_version"].queryset = reports

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        if not data.get("report_version") and not (data.get("title") or "").strip() and not self.errors:
            self.add_error("title", "Enter the paper's title or choose a report")
        return data


class AttachmentForm(BaseForm):
    submit_label = "Upload the file"
    title = forms.CharField(
        label="Title", max_length=200, required=False, help_text="For example, ChAT output, October 2026."
    )
    file = forms.FileField(
        label="File",
        help_text="A PDF, XLSX, CSV, DOCX or PNG file, smaller than 10 MB. No case details.",
        error_messages={"required": "Select a file", "empty": "The selected file is empty"},
    )

    def clean_file(self) -> Any:
        upload = self.cleaned_data["file"]
        size = upload.size if upload.size is not None else ATTACHMENT_MAX_BYTES + 1
        problem = attachment_problem(file_name=upload.name or "", size=size)
        if problem:
            raise forms.ValidationError(problem)
        return upload


class ActionForm(BaseForm):
    submit_label = "Add the action"
    what = forms.CharField(
        label="What is the action?",
        max_length=1000,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=f"What will be done, by whom and why. {FREE_TEXT_HINT}",
        error_messages={"required": "Enter what the action is"},
    )
    owner = PersonChoiceField(
        label="Owner",
        queryset=User.objects.none(),
        empty_label="Choose the owner",
        error_messages={"required": "Choose who owns the action", "invalid_choice": "Choose the owner from the list"},
    )
    due_on = date_field("Due date", "For example, 31 12 2026")
    notes = forms.CharField(
        label="Notes (optional)",
        required=False,
        max_length=NOTES_MAX,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=FREE_TEXT_HINT,
    )

    def __init__(self, *args: Any, people: QuerySet[User], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["owner"].queryset = people


class ActionUpdateForm(BaseForm):
    submit_label = "Save the action"
    status = forms.ChoiceField(
        label="Status",
        choices=ActionStatus.choices,
        widget=forms.RadioSelect,
        error_messages={"required": "Choose the action's status"},
    )
    due_on = date_field("Due date", "For example, 31 12 2026")
    notes = forms.CharField(
        label="Notes",
        required=False,
        max_length=NOTES_MAX,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=f"Progress, or why it was withdrawn. {FREE_TEXT_HINT}",
    )
    version = forms.IntegerField(widget=forms.HiddenInput, required=False)

    def layout_fields(self) -> list[Any]:
        return [Field.radios("status", legend_size="s", small=True), "due_on", "notes", "version"]


def _lines_field(label: str, help_text: str) -> forms.CharField:
    return forms.CharField(
        label=label,
        widget=forms.Textarea(attrs={"rows": 5}),
        help_text=f"{help_text} One on each line.",
        error_messages={"required": f"Enter the {label.lower()}"},
    )


class TermsForm(BaseForm):
    submit_label = "Save as a new version"
    title = forms.CharField(label="Title", max_length=150, error_messages={"required": "Enter the title"})
    purpose = forms.CharField(
        label="Purpose",
        max_length=4000,
        widget=forms.Textarea(attrs={"rows": 5}),
        help_text="What the meeting is for.",
        error_messages={"required": "Enter the purpose"},
    )
    chair = forms.CharField(label="Chair", max_length=200, error_messages={"required": "Enter who chairs it"})
    members = _lines_field("Members", "Who attends.")
    frequency = forms.CharField(label="Frequency", max_length=150, error_messages={"required": "Enter how often"})
    quorum = forms.CharField(label="Quorum", max_length=200, error_messages={"required": "Enter the quorum"})
    inputs = _lines_field("Inputs", "Papers and information it considers.")
    outputs = _lines_field("Outputs", "What it produces or decides.")
    change_note = forms.CharField(
        label="What changed and why",
        max_length=300,
        help_text="Kept with the new version, for example: quorum agreed at the October board.",
        error_messages={"required": "Say what changed"},
    )

    @classmethod
    def initial_from(cls, terms: TermsOfReference) -> dict[str, Any]:
        return {
            "title": terms.title,
            "purpose": terms.purpose,
            "chair": terms.chair,
            "members": "\n".join(terms.members),
            "frequency": terms.frequency,
            "quorum": terms.quorum,
            "inputs": "\n".join(terms.inputs),
            "outputs": "\n".join(terms.outputs),
        }

    def lines(self, name: str) -> list[str]:
        return [line.strip() for line in self.cleaned_data[name].splitlines() if line.strip()]
