"""Forms of the practice observation pages: agreement and the details, the observer's checklist,
the reflective discussion, the practitioner's choice of what to share, and the list's filters."""

from __future__ import annotations

import datetime
from typing import Any

from crispy_forms_gds.layout import Field, Layout
from django import forms
from django.db.models import QuerySet

from audits.forms_dip_samples import theme_tags_field
from audits.forms_practitioner import VersionedForm, give_distinct_ids
from core.forms import FREE_TEXT_HINT, BaseForm, date_field, parse_month
from organisation.models import CaseFile, Team, User
from organisation.scope import Scope

from .models import CriterionResult, Observation, ObservationType, ShareChoice
from .selectors import practitioners_observable
from .services.observations import NOTE_MAX, TEXT_MAX

CONSENT_QUESTION = (
    "Did the family agree to an observer? For a child protection conference, review meeting, core group or "
    "child in care review: did the chair agree?"
)
NO_CASE_FILE = "No case file found with that reference that you can see"


def textarea_field(label: str, help_text: str, *, required: bool = False, limit: int = TEXT_MAX) -> forms.CharField:
    field = forms.CharField(
        label=label,
        help_text=help_text,
        required=required,
        max_length=limit,
        widget=forms.Textarea(attrs={"rows": 4}),
        error_messages={
            "required": f"Enter {label[0].lower()}{label[1:]}",
            "max_length": f"{label} must be {limit:,} characters or fewer",
        },
    )
    # The count is shown by the GOV.UK character count; the browser must not cut text silently.
    field.widget.attrs.pop("maxlength", None)
    return field


def _not_in_future(value: datetime.date | None, *, today: datetime.date, what: str) -> datetime.date | None:
    if value is not None and value > today:
        raise forms.ValidationError(f"{what} must be today or in the past")
    return value


# --- recording ---------------------------------------------------------------------------------------
class ConsentForm(BaseForm):
    """Asked first: without agreement there is no observation (the page says so, nothing is saved)."""

    consent = forms.ChoiceField(
        label=CONSENT_QUESTION,
        choices=[("yes", "Yes"), ("no", "No")],
        widget=forms.RadioSelect,
        help_text="An observer only joins a visit or meeting when the family (or the chair) agrees.",
        error_messages={"required": "Choose yes if the family (or the chair) agreed to an observer, or no"},
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        # One button for the page: it belongs to the details form below.
        self.helper.layout = Layout(Field.radios("consent", legend_size="m", inline=True))

    @property
    def refused(self) -> bool:
        return self.is_valid() and self.cleaned_data["consent"] == "no"


class PractitionerChoiceField(forms.ModelMultipleChoiceField):
    def label_from_instance(self, obj: User) -> str:
        team = getattr(obj, "team_name", "")
        return f"{obj.full_name} ({team})" if team else obj.full_name


class ObservationStartForm(BaseForm):
    submit_label = "Save and continue to the checklist"
    type = forms.ChoiceField(
        label="What did you observe?",
        choices=ObservationType.choices,
        widget=forms.RadioSelect,
        error_messages={"required": "Choose what you observed", "invalid_choice": "Choose what you observed"},
    )
    observed_on = date_field("Date of the observation", "For example, 3 3 2026")
    practitioners = PractitionerChoiceField(
        label="Who did you observe?",
        queryset=User.objects.none(),
        widget=forms.CheckboxSelectMultiple,
        help_text="Choose each practitioner you observed. Their team today is shown in brackets.",
        error_messages={
            "required": "Choose the practitioner you observed",
            "invalid_choice": "Choose practitioners from the list",
            "invalid_pk_value": "Choose practitioners from the list",
        },
    )
    case_reference = forms.CharField(
        label="Case reference (optional)",
        required=False,
        max_length=40,
        help_text="The child's reference, if the observation was about one child. It is not printed on the PDF.",
    )

    def __init__(self, *args: Any, scope: Scope, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.scope = scope
        self.fields["practitioners"].queryset = practitioners_observable(scope)
        self.case_file: CaseFile | None = None

    def layout_fields(self) -> list[Any]:
        return [
            Field.radios("type", legend_size="s", small=True),
            "observed_on",
            Field.checkboxes("practitioners", legend_size="s", small=True),
            Field.text("case_reference", field_width=10),
        ]

    def clean_observed_on(self) -> datetime.date | None:
        return _not_in_future(
            self.cleaned_data.get("observed_on"), today=self.scope.today, what="The date of the observation"
        )

    def clean_case_reference(self) -> str:
        reference = (self.cleaned_data.get("case_reference") or "").strip()
        if reference:
            self.case_file = self.scope.case_files().filter(case_reference__iexact=reference).first()
            if self.case_file is None:
                raise forms.ValidationError(NO_CASE_FILE)
        return reference


# --- the observer's record ---------------------------------------------------------------------------
def result_field(code: str) -> str:
    return f"result_{code}"


def note_field(code: str) -> str:
    return f"note_{code}"


class ChecklistForm(VersionedForm):
    """The checklist kept on the observation: per item a result and an optional note; then
    strengths and areas to develop. A draft may be saved incomplete."""

    submit_label = "Save"
    strengths = textarea_field(
        "Strengths", f"What worked well, and the difference it made for the child. {FREE_TEXT_HINT}"
    )
    areas_to_develop = textarea_field(
        "Areas to develop", f"What would make the practice even better, to talk through together. {FREE_TEXT_HINT}"
    )

    def __init__(self, *args: Any, observation: Observation, **kwargs: Any) -> None:
        self.criteria = list(observation.checklist.criteria) if observation.checklist else []
        saved = observation.criteria or {}
        initial = {"strengths": observation.strengths, "areas_to_develop": observation.areas_to_develop}
        initial["version"] = observation.version
        kept = [t.pk for t in observation.themes.all()]
        initial["themes"] = kept
        for criterion in self.criteria:
            answer = saved.get(criterion["code"], {})
            initial[result_field(criterion["code"])] = answer.get("result", "")
            initial[note_field(criterion["code"])] = answer.get("note", "")
        kwargs.setdefault("initial", initial)
        super().__init__(*args, **kwargs)
        criteria_fields: dict[str, forms.Field] = {}
        for criterion in self.criteria:
            code, text = criterion["code"], criterion["text"]
            criteria_fields[result_field(code)] = forms.ChoiceField(
                label=f"{code}. {text}",
                choices=CriterionResult.choices,
                widget=forms.RadioSelect,
                required=False,
                error_messages={"invalid_choice": "Choose met, partly met, not met or not seen"},
            )
            criteria_fields[note_field(code)] = textarea_field(
                f"Note on {code} (optional)", f"What you saw. {FREE_TEXT_HINT}", limit=NOTE_MAX
            )
        # Tagged themes roll up on the learning page (DESIGN section 9) once the observation is complete.
        self.fields["themes"] = theme_tags_field(
            kept=kept, help_text="Optional. Choose the themes what you saw speaks to."
        )
        # The checklist's items come first, in order (the error summary follows this order too).
        self.fields = {**criteria_fields, **self.fields}
        self._setup_helper()
        give_distinct_ids(self)

    def layout_fields(self) -> list[Any]:
        items: list[Any] = []
        for criterion in self.criteria:
            code = criterion["code"]
            items += [
                Field.radios(result_field(code), legend_size="s", small=True),
                Field.textarea(note_field(code), rows=2),
            ]
        return [
            *items,
            Field.textarea("strengths", rows=5),
            Field.textarea("areas_to_develop", rows=5),
            Field.checkboxes("themes", legend_size="s", small=True),
            "version",
        ]

    def answers(self) -> list[tuple[str, str, str]]:
        """(code, result, note) for each item of the checklist."""
        return [
            (
                c["code"],
                self.cleaned_data.get(result_field(c["code"])) or "",
                self.cleaned_data.get(note_field(c["code"])) or "",
            )
            for c in self.criteria
        ]


class DiscussionForm(VersionedForm):
    submit_label = "Save the reflective discussion"
    discussion_on = date_field("Date of the discussion", "On or after the observation. For example, 10 3 2026")
    discussion_notes = textarea_field(
        "Notes of the discussion",
        f"What you talked through together and how the practitioner reflected on it. {FREE_TEXT_HINT}",
        required=True,
    )
    agreed_learning = textarea_field(
        "Learning agreed",
        "What you agreed the practitioner will take forward. The practitioner may share it with their team. "
        f"{FREE_TEXT_HINT}",
        required=True,
    )
    training_needs = textarea_field(
        "Training or development needs (optional)", f"Any training or development identified. {FREE_TEXT_HINT}"
    )

    def __init__(self, *args: Any, observation: Observation, today: datetime.date, **kwargs: Any) -> None:
        kwargs.setdefault(
            "initial",
            {
                "discussion_on": observation.discussion_on,
                "discussion_notes": observation.discussion_notes,
                "agreed_learning": observation.agreed_learning,
                "training_needs": observation.training_needs,
                "version": observation.version,
            },
        )
        super().__init__(*args, **kwargs)
        self.observation = observation
        self.today = today

    def layout_fields(self) -> list[Any]:
        return [
            "discussion_on",
            Field.textarea("discussion_notes", rows=6),
            Field.textarea("agreed_learning", rows=4),
            Field.textarea("training_needs", rows=3),
            "version",
        ]

    def clean_discussion_on(self) -> datetime.date | None:
        value = _not_in_future(
            self.cleaned_data.get("discussion_on"), today=self.today, what="The date of the discussion"
        )
        if value is not None and value < self.observation.observed_on:
            day = self.observation.observed_on
            raise forms.ValidationError(
                f"The date of the discussion must be on or after the observation ({day.day} {day:%B %Y})"
            )
        return value


class ShareForm(VersionedForm):
    submit_label = "Save my choice"
    share_choice = forms.ChoiceField(
        label="Do you want to share the learning from this observation with your team?",
        choices=[
            (ShareChoice.SHARED, ShareChoice.SHARED.label),
            (ShareChoice.NOT_SHARED, ShareChoice.NOT_SHARED.label),
        ],
        widget=forms.RadioSelect,
        help_text="Your team sees only the learning you write below, the type of observation and the month.",
        error_messages={"required": "Choose whether to share this learning with the team"},
    )
    shared_learning = textarea_field(
        "The learning you will share",
        f"Only if you share it. In your words, as you will present it to the team. {FREE_TEXT_HINT}",
    )
    presented_on = date_field(
        "Date you presented it at a team meeting (optional)",
        "Only if you share it, once you have presented it. For example, 24 3 2026",
        required=False,
    )

    def __init__(self, *args: Any, row: Any, agreed_learning: str, today: datetime.date, **kwargs: Any) -> None:
        kwargs.setdefault(
            "initial",
            {
                "share_choice": row.share_choice,
                "shared_learning": row.shared_learning or agreed_learning,
                "presented_on": row.presented_on,
                "version": row.version,
            },
        )
        super().__init__(*args, **kwargs)
        self.today = today

    def layout_fields(self) -> list[Any]:
        return [
            Field.radios("share_choice", legend_size="m"),
            Field.textarea("shared_learning", rows=5),
            "presented_on",
            "version",
        ]

    def clean_presented_on(self) -> datetime.date | None:
        return _not_in_future(self.cleaned_data.get("presented_on"), today=self.today, what="The date you presented it")

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean()
        if cleaned.get("share_choice") == ShareChoice.SHARED and not (cleaned.get("shared_learning") or "").strip():
            self.add_error("shared_learning", "Enter the learning you will share with the team")
        return cleaned


# --- lists ----------------------------------------------------------------------------------------------
class ObservationFilterForm(forms.Form):
    """The list's filters (GET): choices only from what this person may see."""

    month = forms.ChoiceField(label="Month", required=False)
    type = forms.ChoiceField(label="Type", required=False)
    status = forms.ChoiceField(label="Status", required=False)

    def __init__(self, *args: Any, months: list[datetime.date], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["month"].choices = [("", "Any month")] + [(f"{m:%Y-%m}", f"{m:%B %Y}") for m in months]
        self.fields["type"].choices = [("", "Any type"), *ObservationType.choices]
        self.fields["status"].choices = [("", "Any status"), *Observation.Status.choices]

    def month_value(self) -> datetime.date | None:
        value = self.cleaned_data.get("month") if self.is_valid() else ""
        return parse_month(value)


class LearningFilterForm(forms.Form):
    team = forms.ModelChoiceField(label="Team", queryset=Team.objects.none(), required=False, empty_label="All teams")

    def __init__(self, *args: Any, teams: QuerySet[Team], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["team"].queryset = teams
