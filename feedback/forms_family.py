"""The officer's form for making a family's secure link. (The family's own pages use the
questionnaire forms in ``forms_questionnaire.py``.)"""

from __future__ import annotations

from typing import Any

from crispy_forms_gds.choices import Choice
from crispy_forms_gds.layout import Field
from django import forms

from core.forms import BaseForm

from .models import Questionnaire


class LinkCreateForm(BaseForm):
    """Which questionnaire the link opens: the current version for a child or for a parent."""

    submit_label = "Make the link"

    def __init__(self, *args: Any, questionnaires: dict[str, Questionnaire], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.questionnaires = questionnaires
        message = "Choose who the link is for"
        self.fields["audience"] = forms.ChoiceField(
            label="Who is the link for?",
            choices=[
                Choice(audience, q.get_audience_display(), hint=f"Questions: “{q.title}” (version {q.version})")
                for audience, q in sorted(questionnaires.items())
            ],
            widget=forms.RadioSelect,
            error_messages={"required": message, "invalid_choice": message},
        )
        self._setup_helper()

    def layout_fields(self) -> list[Any]:
        return [Field.radios("audience", legend_size="m")]

    @property
    def questionnaire(self) -> Questionnaire:
        """The chosen questionnaire (after ``is_valid()``)."""
        return self.questionnaires[self.cleaned_data["audience"]]
