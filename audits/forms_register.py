"""The 6-week review of actions: a short tool — each action complied with or not, with a note;
notes; a new overall grade (with the grade descriptors); and what happens next."""

from __future__ import annotations

from typing import Any

from crispy_forms_gds.choices import Choice
from crispy_forms_gds.layout import HTML, Field, Fieldset
from django import forms

from core.forms import FREE_TEXT_HINT, BaseForm

from .models import ActionReview, ActionReviewItem, Grade, ScaleOption
from .services.concern_process import ItemAnswer

NOTE_MAX = 2000
NOTES_MAX = 5000
COMPLIED, NOT_COMPLIED = "yes", "no"


def grade_choices() -> list[Choice]:
    """The four grades with their descriptors from the ``grade`` scale (data), best first."""
    options = list(ScaleOption.objects.filter(scale__key="grade").order_by("position"))
    if options:
        return [
            Choice(o.code, o.label, hint=o.description) if o.description else Choice(o.code, o.label) for o in options
        ]
    return [Choice(value, label) for value, label in Grade.choices]


def _text(label: str, limit: int, hint: str = FREE_TEXT_HINT) -> forms.CharField:
    field = forms.CharField(
        label=label,
        required=False,
        max_length=limit,
        help_text=hint,
        widget=forms.Textarea(attrs={"rows": 3}),
        error_messages={"max_length": f"{label} must be {limit:,} characters or fewer"},
    )
    field.widget.attrs.pop("maxlength", None)
    return field


class ActionReviewForm(BaseForm):
    submit_label = "Record the 6-week review"

    def __init__(self, data: Any = None, *, review: ActionReview, items: list[ActionReviewItem]) -> None:
        self.items = items
        super().__init__(data, initial={"version": review.version})
        for number, item in enumerate(items, 1):
            label = f"Action {number}"
            self.fields[f"complied_{item.action_id}"] = forms.ChoiceField(
                label=f"{label}: was it complied with?",
                help_text=item.action.description,
                choices=[(COMPLIED, "Complied with"), (NOT_COMPLIED, "Not complied with")],
                widget=forms.RadioSelect,
                error_messages={"required": f"Say whether action {number} was complied with"},
            )
            self.fields[f"note_{item.action_id}"] = _text(f"Note on action {number}", NOTE_MAX)
        self.fields["notes"] = _text("Notes", NOTES_MAX)
        self.fields["new_grade"] = forms.ChoiceField(
            label="Overall grade now",
            choices=grade_choices(),
            widget=forms.RadioSelect,
            error_messages={"required": "Choose the overall grade now"},
        )
        self.fields["outcome"] = forms.ChoiceField(
            label="What happens next?",
            choices=ActionReview.Outcome.choices,
            widget=forms.RadioSelect,
            help_text="If an action was not complied with, a further review is needed.",
            error_messages={"required": "Choose what happens next"},
        )
        self.fields["version"] = forms.IntegerField(widget=forms.HiddenInput)
        self._setup_helper()

    def layout_fields(self) -> list[Any]:
        parts: list[Any] = []
        for number, item in enumerate(self.items, 1):
            parts.append(
                Fieldset(
                    Field.radios(f"complied_{item.action_id}", legend_size="s", inline=True),
                    Field.textarea(f"note_{item.action_id}", rows=3),
                    legend=f"Action {number}",
                    legend_size="m",
                )
            )
        if not self.items:
            parts.append(HTML('<p class="govuk-body">This audit has no actions for improvement recorded.</p>'))
        parts += [
            Field.textarea("notes", rows=5),
            Field.radios("new_grade", legend_size="m"),
            Field.radios("outcome", legend_size="m"),
            "version",
        ]
        return parts

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        refused = any(data.get(f"complied_{item.action_id}") == NOT_COMPLIED for item in self.items)
        if refused and data.get("outcome") == ActionReview.Outcome.CLOSE:
            self.add_error(
                "outcome",
                "An action was not complied with, so choose a further review: the child stays on the register",
            )
        return data

    def answers(self) -> dict[int, ItemAnswer]:
        return {
            item.action_id: ItemAnswer(
                complied=self.cleaned_data[f"complied_{item.action_id}"] == COMPLIED,
                note=self.cleaned_data.get(f"note_{item.action_id}", ""),
            )
            for item in self.items
        }
