"""The practitioner's forms: reflections before and after the audit, and the response to the grade.

Each form carries the version of the part it edits (hidden), so a save from a stale page is
caught and shown with both texts rather than overwriting.
"""

from __future__ import annotations

from typing import Any

from crispy_forms_gds.layout import Field, Submit
from django import forms

from core.forms import FREE_TEXT_HINT, BaseForm

from .models import PractitionerResponse
from .services.practitioner import COMMENT_MAX, REFLECTION_MAX

STALE_PAGE = "This page was out of date. Reload it and try again."


def give_distinct_ids(form: BaseForm) -> None:
    """Several forms share one page: the submit button's id follows the form's ``auto_id`` (as
    every field's does), so no id is repeated."""
    form.helper.layout[-1] = Submit("submit", form.submit_label, css_id=str(form.auto_id) % "submit")


class VersionedForm(BaseForm):
    """A form for one separately edited part, with that part's version in a hidden field."""

    version = forms.IntegerField(widget=forms.HiddenInput, required=False, min_value=0)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        give_distinct_ids(self)

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean()
        # A hidden field's error would be invisible (the summary lists visible fields only).
        if cleaned.get("version") is None:
            raise forms.ValidationError(STALE_PAGE)
        return cleaned


class ReflectionBeforeForm(VersionedForm):
    submit_label = "Save your reflection"
    reflection_before = forms.CharField(
        label="Your reflection before the audit",
        help_text=(
            "What is working well for this child? What are you worried about? What would you like to talk "
            f"through with the auditor? {FREE_TEXT_HINT}"
        ),
        widget=forms.Textarea,
        max_length=REFLECTION_MAX,
        error_messages={
            "required": "Enter your reflection before the audit",
            "max_length": f"Your reflection must be {REFLECTION_MAX} characters or fewer",
        },
    )

    def layout_fields(self) -> list[Any]:
        return [Field.textarea("reflection_before", label_size="m", rows=8, max_characters=REFLECTION_MAX), "version"]


class ReflectionAfterForm(VersionedForm):
    submit_label = "Save your reflection"

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        # Shares the page with the response form: its own ids.
        kwargs.setdefault("auto_id", "after_%s")
        super().__init__(*args, **kwargs)

    reflection_after = forms.CharField(
        label="Your reflection after the audit",
        help_text=(
            "Looking back on the audit: what has changed for this child, what have you done differently, and what "
            f"would help you next? {FREE_TEXT_HINT}"
        ),
        widget=forms.Textarea,
        max_length=REFLECTION_MAX,
        error_messages={
            "required": "Enter your reflection after the audit",
            "max_length": f"Your reflection must be {REFLECTION_MAX} characters or fewer",
        },
    )

    def layout_fields(self) -> list[Any]:
        return [Field.textarea("reflection_after", label_size="m", rows=8, max_characters=REFLECTION_MAX), "version"]


class ResponseForm(VersionedForm):
    submit_label = "Save your response"
    response = forms.ChoiceField(
        label="Do you agree with the grade?",
        choices=PractitionerResponse.choices,
        widget=forms.RadioSelect,
        error_messages={"required": "Choose whether you agree, partly agree or disagree with the grade"},
    )
    response_comment = forms.CharField(
        label="Your comment",
        help_text=f"Needed if you partly agree or disagree: say what you see differently. {FREE_TEXT_HINT}",
        widget=forms.Textarea,
        required=False,
        max_length=COMMENT_MAX,
        error_messages={"max_length": f"Your comment must be {COMMENT_MAX} characters or fewer"},
    )

    def layout_fields(self) -> list[Any]:
        return [
            Field.radios("response", legend_size="m"),
            Field.textarea("response_comment", rows=5, max_characters=COMMENT_MAX),
            "version",
        ]

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean()
        if cleaned.get("response") in {PractitionerResponse.PARTLY, PractitionerResponse.DISAGREE} and not cleaned.get(
            "response_comment"
        ):
            self.add_error("response_comment", "Say what you see differently about the grade")
        return cleaned


# The practitioner's page has one form per part; a hidden "part" says which one was sent.
FORMS: dict[str, type[VersionedForm]] = {
    "before": ReflectionBeforeForm,
    "after": ReflectionAfterForm,
    "response": ResponseForm,
}
