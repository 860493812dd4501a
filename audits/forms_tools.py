"""Forms for the QA team's tool-version pages: a new version's change note, and a draft's element."""

from __future__ import annotations

from typing import Any

from crispy_forms_gds.layout import Field, Size
from django import forms

from core.forms import BaseForm
from organisation.models import CaseType

from .services.tools import GUIDANCE_MAX, MAX_PROMPTS, PROMPT_MAX

# Tool wording is read by every auditor about every child: it describes practice in general.
TOOL_TEXT_HINT = "Describe practice in general; never name a child, a family or a member of staff."


class ToolVersionNewForm(BaseForm):
    submit_label = "Make the new version"

    note = forms.CharField(
        label="What will this version change?",
        max_length=300,
        help_text="For example: 'Adds a prompt about fathers and male carers to A3.' Shown beside the version. "
        + TOOL_TEXT_HINT,
        error_messages={
            "required": "Say what this version will change",
            "max_length": "The change note must be 300 characters or fewer",
        },
    )
    example_content = forms.BooleanField(
        required=False,
        label="This version still contains example content",
        help_text="Untick once the wording is the council's own Appendix 2: the 'example content' banner then goes.",
    )

    def layout_fields(self) -> list[Any]:
        return [Field.text("note", label_size=Size.MEDIUM), Field.checkbox("example_content", small=True)]


class ElementForm(BaseForm):
    submit_label = "Save changes"

    title = forms.CharField(
        label="Title",
        max_length=200,
        help_text="What the element is about, for example 'The child's wishes and feelings'.",
        error_messages={"required": "Enter a title", "max_length": "The title must be 200 characters or fewer"},
    )
    guidance = forms.CharField(
        label="Guidance for the auditor",
        required=False,
        max_length=GUIDANCE_MAX,
        widget=forms.Textarea(attrs={"rows": 6}),
        help_text="A short paragraph on what good practice looks like here. " + TOOL_TEXT_HINT,
        error_messages={"max_length": f"The guidance must be {GUIDANCE_MAX} characters or fewer"},
    )
    prompts = forms.CharField(
        label="Prompts",
        widget=forms.Textarea(attrs={"rows": 8}),
        help_text=f"What the auditor looks for: one prompt per line, up to {MAX_PROMPTS}. Blank lines are ignored.",
        error_messages={"required": "Enter at least one prompt"},
    )
    applies_to = forms.MultipleChoiceField(
        label="Which case types does this element apply to?",
        choices=CaseType.choices,
        widget=forms.CheckboxSelectMultiple,
        help_text="An audit shows only the elements that apply to its case type. Select all that apply.",
        error_messages={"required": "Select at least one case type"},
    )
    # The element as it was when the page opened: a save over someone else's save is refused.
    fingerprint = forms.CharField(widget=forms.HiddenInput, required=False)

    def layout_fields(self) -> list[Any]:
        return [
            Field.text("title", label_size=Size.SMALL),
            Field.textarea("guidance", label_size=Size.SMALL, rows=6),
            Field.textarea("prompts", label_size=Size.SMALL, rows=8),
            Field.checkboxes("applies_to", legend_size=Size.SMALL, small=True),
            "fingerprint",
        ]

    def clean_prompts(self) -> list[str]:
        lines = [line.strip() for line in self.cleaned_data["prompts"].splitlines() if line.strip()]
        if not lines:
            raise forms.ValidationError("Enter at least one prompt")
        if len(lines) > MAX_PROMPTS:
            raise forms.ValidationError(f"Give at most {MAX_PROMPTS} prompts")
        too_long = [n for n, line in enumerate(lines, start=1) if len(line) > PROMPT_MAX]
        if too_long:
            raise forms.ValidationError(f"Prompt {too_long[0]} is longer than {PROMPT_MAX} characters: shorten it")
        return lines

    @staticmethod
    def initial_for(element: Any, fingerprint: str) -> dict[str, Any]:
        return {
            "title": element.title,
            "guidance": element.guidance,
            "prompts": "\n".join(element.prompts),
            # Empty means every case type: show every box ticked.
            "applies_to": list(element.applies_to) or list(CaseType.values),
            "fingerprint": fingerprint,
        }
