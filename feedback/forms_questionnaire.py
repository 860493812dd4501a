"""The questionnaire forms, shared by the officer's pages (phone, in person) and the family's secure
link: the questions of one questionnaire version, consent first, and the sharing choice last.

Families may skip any question, so every answer field is optional; what is required (consent
and a sharing choice) is checked by ``response_submit`` and by these forms' own required fields.
"""

from __future__ import annotations

from typing import Any

from crispy_forms_gds.choices import Choice
from crispy_forms_gds.layout import Field, Layout
from django import forms

from core.forms import BaseForm

from .models import Questionnaire, Sharing
from .services.questionnaires import OPEN, question_options

ANSWER_MAX = 2000
RESPONDENT_MAX = 60
RESPONDENT_NAME_MAX = 80
YES, NO = "yes", "no"

# Plain words for what each sharing choice means, for a family reading it alone.
SHARING_HINTS = {
    Sharing.NAMED: "Your worker will see your answers and your name.",
    Sharing.ANONYMOUS: "Your worker will see your answers, but not who gave them.",
    Sharing.NOT_SHARED: "Only the council's quality assurance team will read your answers.",
}


def _without_button(form: BaseForm) -> None:
    """A page that puts several forms in one <form> has its own buttons ("Save", "Submit")."""
    form.helper.layout = Layout(*form.layout_fields())


class QuestionnaireAnswersForm(BaseForm):
    """One optional field per question, named ``q_<code>``; ``answers()`` gives what was answered.

    ``submit_label``: the button's text; an empty string leaves the button out (the page has its
    own buttons)."""

    submit_label = "Continue"

    def __init__(
        self,
        data: Any = None,
        *,
        questionnaire: Questionnaire,
        initial_answers: dict[str, str] | None = None,
        submit_label: str | None = None,
        **kw: Any,
    ) -> None:
        if submit_label is not None:
            self.submit_label = submit_label
        self.questionnaire = questionnaire
        self.questions = list(questionnaire.questions)
        initial = dict(kw.pop("initial", None) or {})
        initial.update({f"q_{code}": value for code, value in (initial_answers or {}).items()})
        super().__init__(data, initial=initial, **kw)
        for question in self.questions:
            self.fields[f"q_{question['code']}"] = self._field(question)
        self._setup_helper()
        if submit_label == "":
            _without_button(self)

    @staticmethod
    def _field(question: dict[str, Any]) -> forms.Field:
        label = question["text"]
        hint = question.get("hint") or ""
        if question.get("kind") == OPEN:
            field = forms.CharField(
                label=label,
                help_text=hint,
                required=False,
                max_length=ANSWER_MAX,
                widget=forms.Textarea(attrs={"rows": 4}),
                error_messages={"max_length": f"Your answer must be {ANSWER_MAX:,} characters or fewer"},
            )
            # The error message says how long an answer may be; the browser would cut it silently.
            field.widget.attrs.pop("maxlength", None)
            return field
        return forms.ChoiceField(
            label=label,
            help_text=hint,
            required=False,
            choices=[Choice(code, text) for code, text in question_options(question)],
            widget=forms.RadioSelect,
            error_messages={"invalid_choice": "Choose one of the answers, or leave the question blank"},
        )

    def layout_fields(self) -> list[Any]:
        fields = []
        for question in self.questions:
            name = f"q_{question['code']}"
            if question.get("kind") == OPEN:
                fields.append(Field.textarea(name, label_size="m", rows=4))
            else:
                fields.append(Field.radios(name, legend_size="m"))
        return fields

    def answers(self) -> dict[str, str]:
        """The answers given, by question code (blank ones left out). Call after ``is_valid()``."""
        answers = {}
        for question in self.questions:
            value = (self.cleaned_data.get(f"q_{question['code']}") or "").strip()
            if value:
                answers[question["code"]] = value
        return answers


def _yes_no(label: str, *, hint: str = "", required_message: str) -> forms.ChoiceField:
    return forms.ChoiceField(
        label=label,
        help_text=hint,
        choices=[Choice(YES, "Yes"), Choice(NO, "No")],
        widget=forms.RadioSelect,
        error_messages={"required": required_message, "invalid_choice": required_message},
    )


class ConsentForm(BaseForm):
    """Consent before any question. ``cleaned_data["consent"]`` is True or False.

    ``officer=True``: the wording for an officer asking by phone or in person."""

    submit_label = "Continue"

    def __init__(self, *args: Any, officer: bool = False, submit_label: str | None = None, **kwargs: Any) -> None:
        if submit_label is not None:
            self.submit_label = submit_label
        super().__init__(*args, **kwargs)
        if officer:
            self.fields["consent"] = _yes_no(
                "Has the person agreed to answer?",
                hint="Explain that answering is their choice, that they can skip any question, and how their "
                "answers will be shared.",
                required_message="Select yes if the person has agreed to answer",
            )
        else:
            self.fields["consent"] = _yes_no(
                "Do you agree to answer these questions?",
                hint="It is your choice. You can skip any question, and you will choose who sees your answers.",
                required_message="Select yes if you agree to answer these questions",
            )
        self._setup_helper()
        if submit_label == "":
            _without_button(self)

    def layout_fields(self) -> list[Any]:
        return [Field.radios("consent", legend_size="m", inline=True)]

    def clean_consent(self) -> bool:
        return self.cleaned_data["consent"] == YES


class SharingForm(BaseForm):
    """Who may see the answers, and who gave them. The name is kept only when the person chose to
    share it (``clean()`` blanks it otherwise): least data."""

    submit_label = "Continue"
    sharing = forms.ChoiceField(
        label="Who can see your answers?",
        help_text="Whatever you choose, if you tell us something that means a child may not be safe, we will act "
        "on it.",
        choices=[Choice(value, label, hint=SHARING_HINTS[value]) for value, label in Sharing.choices],
        widget=forms.RadioSelect,
        error_messages={
            "required": "Choose who can see the answers",
            "invalid_choice": "Choose who can see the answers",
        },
    )
    respondent = forms.CharField(
        label="Who is answering? (optional)",
        help_text="For example: Mum, Grandad, or the young person.",
        required=False,
        max_length=RESPONDENT_MAX,
        error_messages={"max_length": f"Who is answering must be {RESPONDENT_MAX} characters or fewer"},
    )
    respondent_name = forms.CharField(
        label="Name to share with the worker (optional)",
        help_text="Only if you chose to share your answers with your name.",
        required=False,
        max_length=RESPONDENT_NAME_MAX,
        error_messages={"max_length": f"The name must be {RESPONDENT_NAME_MAX} characters or fewer"},
    )

    def __init__(self, *args: Any, officer: bool = False, submit_label: str | None = None, **kwargs: Any) -> None:
        if submit_label is not None:
            self.submit_label = submit_label
        super().__init__(*args, **kwargs)
        if officer:
            self.fields["sharing"].label = "Who does the person want to see their answers?"
            self.fields["respondent"].help_text = "In their words, for example: Mum, Grandad, or the young person."
            self.fields["respondent_name"].help_text = "Only if they chose to share their answers with their name."
        if submit_label == "":
            _without_button(self)

    def layout_fields(self) -> list[Any]:
        return [
            Field.radios("sharing", legend_size="m"),
            Field.text("respondent", field_width=20),
            Field.text("respondent_name", field_width=20),
        ]

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean()
        cleaned["respondent"] = (cleaned.get("respondent") or "").strip()
        if cleaned.get("sharing") != Sharing.NAMED:
            cleaned["respondent_name"] = ""
        else:
            cleaned["respondent_name"] = (cleaned.get("respondent_name") or "").strip()
        return cleaned
