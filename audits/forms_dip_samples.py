"""Forms of the dip-sample pages: the month's theme and checklist, each file's result and note,
and the practice observation recorded instead."""

from __future__ import annotations

import datetime
from typing import Any

from crispy_forms_gds.layout import Field, Layout
from django import forms
from django.db.models import Q

from core.forms import FREE_TEXT_HINT, BaseForm, month_field, parse_month

from .models import DipSample, DipSampleItem, Theme, ToolVersion
from .services.dip_samples import NOTE_MAX, OBSERVATION_NOTE_MAX, THEME_MAX, dip_sample_checklists, month_start


def _next_month(day: datetime.date) -> datetime.date:
    return (month_start(day) + datetime.timedelta(days=32)).replace(day=1)


class DipSampleRoundForm(BaseForm):
    submit_label = "Set the theme and draw the samples"
    month = forms.ChoiceField(
        label="Month",
        widget=forms.RadioSelect,
        error_messages={"required": "Choose the month", "invalid_choice": "Choose this month or next month"},
    )
    theme = forms.CharField(
        label="Theme",
        help_text="For example: the quality of chronologies, or the child's voice in plans.",
        max_length=THEME_MAX,
        error_messages={
            "required": "Enter the month's theme",
            "max_length": f"The theme must be {THEME_MAX} characters or fewer",
        },
    )
    checklist = forms.TypedChoiceField(
        label="Checklist",
        help_text="A published dip-sample checklist. The QA team edits checklists on the audit tools pages.",
        coerce=int,
        error_messages={"required": "Choose a checklist", "invalid_choice": "Choose a checklist from the list"},
    )

    def __init__(self, *args: Any, today: datetime.date, taken: set[datetime.date], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        months = [m for m in (month_start(today), _next_month(today)) if m not in taken]
        self.fields["month"].choices = [(m.isoformat(), f"{m:%B %Y}") for m in months]
        self.checklists = {v.pk: v for v in dip_sample_checklists()}
        self.fields["checklist"].choices = [("", "Choose a checklist")] + [
            (v.pk, f"{v.tool.name} (version {v.number})") for v in self.checklists.values()
        ]

    def layout_fields(self) -> list[Any]:
        return [Field.radios("month", legend_size="s"), Field.text("theme"), Field.select("checklist")]

    def clean_month(self) -> datetime.date:
        return datetime.date.fromisoformat(self.cleaned_data["month"])

    def clean_checklist(self) -> ToolVersion:
        return self.checklists[self.cleaned_data["checklist"]]


class DipSampleItemForm(BaseForm):
    """One file of the sample: its own prefix and version, so files are saved separately."""

    result = forms.ChoiceField(
        label="Result",
        choices=DipSampleItem.Result.choices,
        widget=forms.RadioSelect,
        required=False,
        error_messages={"invalid_choice": "Choose met, partly met or not met"},
    )
    note = forms.CharField(
        label="Note",
        help_text=f"What you found against the theme. {FREE_TEXT_HINT}",
        widget=forms.Textarea(attrs={"rows": 3}),
        required=False,
        max_length=NOTE_MAX,
        error_messages={"max_length": f"The note must be {NOTE_MAX:,} characters or fewer"},
    )
    version = forms.IntegerField(widget=forms.HiddenInput, required=False, min_value=0)

    def __init__(self, *args: Any, item: DipSampleItem, **kwargs: Any) -> None:
        kwargs.setdefault("prefix", f"item-{item.pk}")
        kwargs.setdefault("initial", {"result": item.result, "note": item.note, "version": item.version})
        super().__init__(*args, **kwargs)
        self.item = item
        reference = item.case_file.case_reference
        self.fields["result"].label = f"Is the standard met in {reference}?"
        self.fields["note"].label = f"Note for {reference}"
        self.fields["note"].widget.attrs.pop("maxlength", None)
        # No button per file: the page has one "Save" and one "Mark as done" for all of them.
        self.helper.layout = Layout(
            Field.radios("result", legend_size="s", inline=True), Field.textarea("note", rows=3), "version"
        )


def theme_tags_field(*, kept: list[int], help_text: str) -> forms.ModelMultipleChoiceField:
    """Optional checkboxes of the QA team's active themes (and any retired one already chosen, so
    saving again never drops it silently). Used by dip samples and practice observations."""
    return forms.ModelMultipleChoiceField(
        label="Themes",
        queryset=Theme.objects.filter(Q(active=True) | Q(pk__in=kept)).order_by("name"),
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text=help_text,
        error_messages={
            "invalid_choice": "Themes: choose from the options shown",
            "invalid_pk_value": "Themes: choose from the options shown",
        },
    )


class DipSampleThemesForm(BaseForm):
    """The themes the manager saw across the sample's files, saved with the results. They roll up
    on the learning page as strengths or areas to develop (see ``clinics.themes``)."""

    def __init__(self, *args: Any, sample: DipSample, **kwargs: Any) -> None:
        kept = [t.pk for t in sample.themes.all()]
        kwargs.setdefault("prefix", "themes")
        kwargs.setdefault("initial", {"themes": kept})
        super().__init__(*args, **kwargs)
        self.fields["themes"] = theme_tags_field(
            kept=kept,
            help_text="Optional. Choose the themes your findings across these files speak to.",
        )
        # No button of its own: it is saved with the files by the page's "Save" and "Mark as done".
        self.helper.layout = Layout(Field.checkboxes("themes", legend_size="m", small=True))


class ObservationForm(BaseForm):
    submit_label = "Record the practice observation"
    observation_note = forms.CharField(
        label="Which practice did you observe?",
        help_text=f"For example: a home visit, a child protection conference or a core group. {FREE_TEXT_HINT}",
        max_length=OBSERVATION_NOTE_MAX,
        widget=forms.Textarea(attrs={"rows": 3}),
        error_messages={
            "required": "Say briefly which practice you observed",
            "max_length": f"The note must be {OBSERVATION_NOTE_MAX} characters or fewer",
        },
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("auto_id", "observation_%s")
        super().__init__(*args, **kwargs)
        self.fields["observation_note"].widget.attrs.pop("maxlength", None)

    def layout_fields(self) -> list[Any]:
        return [Field.textarea("observation_note", rows=3)]


class MonthForm(forms.Form):
    """The month filter of the summary and progress pages (GET)."""

    month = month_field("Month", "2026-11", help_text="For example, 2026-11")

    def month_or(self, default: datetime.date) -> datetime.date:
        month = parse_month(self.cleaned_data.get("month")) if self.is_valid() else None
        return month or month_start(default)
