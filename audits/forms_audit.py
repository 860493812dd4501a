"""Forms of the auditor's audit form and of immediate concerns.

The audit form is one HTML form made of several Django forms, one per part that is edited on
its own: a form per applicable element (prefix ``el-<code>``) and the overall section (prefix
``overall``), each with a hidden ``version``. They check only types and lengths (draft rules);
completeness is checked on submission by the service. Choices come from data: grade
descriptors from the ``grade`` scale, the progress scale, active themes, the latest version of
each pillar.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field
from typing import Any

from crispy_forms_gds.choices import Choice
from django import forms
from django.core.exceptions import ValidationError
from django.db.models import Prefetch, Q
from django.http import QueryDict

from core.forms import FREE_TEXT_HINT, BaseForm

from .forms_parts import PartForms
from .models import (
    Audit,
    Element,
    ElementAnswer,
    Grade,
    Participant,
    Pillar,
    PractitionerAbsence,
    Progress,
    Question,
    ScaleOption,
    Theme,
)
from .services.answers import (
    ACTIONS_PART,
    ELEMENT_FIELDS,
    OVERALL_FIELDS,
    OVERALL_PART,
    Problem,
    element_part,
)

TEXT_LIMIT = 10_000
NOT_APPLICABLE = "not_applicable"
YES, NO = "yes", "no"
# The framework's rule for the overall grade (seed 6.1.6), shown beside it.
GRADING_RULE = (
    "Impact on the child's outcomes in a timely way is key.",
    "Minor gaps in recording do not lower a grade.",
    "Significant gaps in recording, supervision, management oversight, procedures or delay are likely to lower it.",
    "The overall grade is a holistic judgement, never an average of the element grades.",
)
CONCERN_HINT = (
    "Say briefly what worries you about the child's safety now, and why. Use initials only; do not paste case notes."
)


# --- fields ----------------------------------------------------------------------------------------
def _text(label: str, *, limit: int = TEXT_LIMIT, hint: str = FREE_TEXT_HINT, rows: int = 4) -> forms.CharField:
    text = forms.CharField(
        label=label,
        required=False,
        max_length=limit,
        help_text=hint,
        widget=forms.Textarea(attrs={"rows": rows}),
        error_messages={"max_length": f"{label} must be {limit:,} characters or fewer"},
    )
    # No maxlength attribute: the browser would cut pasted text short without saying so.
    text.widget.attrs.pop("maxlength", None)
    return text


def _line(label: str, *, limit: int, hint: str = FREE_TEXT_HINT) -> forms.CharField:
    line = forms.CharField(
        label=label,
        required=False,
        max_length=limit,
        help_text=hint,
        error_messages={"max_length": f"{label} must be {limit:,} characters or fewer"},
    )
    line.widget.attrs.pop("maxlength", None)
    return line


def _radios(label: str, choices: list[Any], *, hint: str = "") -> forms.ChoiceField:
    return forms.ChoiceField(
        label=label,
        required=False,
        choices=choices,
        help_text=hint,
        widget=forms.RadioSelect,
        error_messages={"invalid_choice": f"{label}: choose one of the options"},
    )


def _checkboxes(label: str, choices: list[Any], *, hint: str = "") -> forms.MultipleChoiceField:
    return forms.MultipleChoiceField(
        label=label,
        required=False,
        choices=choices,
        help_text=hint,
        widget=forms.CheckboxSelectMultiple,
        error_messages={"invalid_choice": f"{label}: choose from the options shown"},
    )


class DateBoundField(forms.BoundField):
    @property
    def parts(self) -> list[str]:
        """Day, month and year as typed (or as stored), for the GOV.UK date input."""
        value = self.value()
        if isinstance(value, datetime.date):
            return [str(value.day), str(value.month), str(value.year)]
        if isinstance(value, list | tuple):
            return [str(v or "") for v in [*value, "", "", ""][:3]]
        return ["", "", ""]


class DatePartsWidget(forms.MultiWidget):
    def __init__(self, attrs: dict[str, Any] | None = None) -> None:
        super().__init__([forms.TextInput(), forms.TextInput(), forms.TextInput()], attrs)

    def decompress(self, value: Any) -> list[Any]:
        if isinstance(value, datetime.date):
            return [value.day, value.month, value.year]
        return [None, None, None]


class GovukDateField(forms.MultiValueField):
    """A GOV.UK date input (day, month, year). Blank is allowed in a draft; a part-filled or
    impossible date is an error, never silently dropped."""

    widget = DatePartsWidget
    bound_field_class = DateBoundField

    def __init__(self, *, label: str, hint: str = "For example, 27 3 2026", **kwargs: Any) -> None:
        parts = (forms.CharField(required=False), forms.CharField(required=False), forms.CharField(required=False))
        super().__init__(fields=parts, require_all_fields=False, required=False, label=label, help_text=hint, **kwargs)

    def compress(self, data_list: list[str]) -> datetime.date | None:
        values = [str(v or "").strip() for v in data_list or []]
        if not any(values):
            return None
        day, month, year = [*values, "", "", ""][:3]
        if not (day and month and year):
            missing = [name for name, value in (("day", day), ("month", month), ("year", year)) if not value]
            raise ValidationError(f"{self.label} must include a {' and '.join(missing)}")
        try:
            if len(year) != 4:
                raise ValueError
            return datetime.date(int(year), int(month), int(day))
        except ValueError:
            raise ValidationError(f"{self.label} must be a real date") from None


# --- what the choices are made of, read once per page ------------------------------------------------
@dataclass
class FormOptions:
    grades: list[Choice]
    progress: list[Choice]
    scale_options: dict[int, list[Choice]]
    themes: list[Choice]
    pillars: list[Pillar]
    elements: list[Element] = field(default_factory=list)


def _grade_choices(options: list[ScaleOption]) -> list[Choice]:
    if options:
        return [
            Choice(o.code, o.label, hint=o.description) if o.description else Choice(o.code, o.label) for o in options
        ]
    return [Choice(value, label) for value, label in Grade.choices]


def form_options(audit: Audit) -> FormOptions:
    """Everything the form's choices need: five queries, whatever the number of elements."""
    elements = [
        e
        for e in audit.tool_version.elements.order_by("position").prefetch_related(
            Prefetch("questions", queryset=Question.objects.order_by("position"))
        )
        if e.applies_to_case_type(audit.case_type)
    ]
    scale_ids = {q.scale_id for e in elements for q in e.questions.all() if q.scale_id}
    by_scale: dict[int, list[ScaleOption]] = {}
    by_key: dict[str, list[ScaleOption]] = {}
    wanted = Q(scale__key__in=["grade", "progress"]) | Q(scale_id__in=scale_ids)
    for option in ScaleOption.objects.filter(wanted).select_related("scale"):
        by_scale.setdefault(option.scale_id, []).append(option)
        by_key.setdefault(option.scale.key, []).append(option)
    for options in (*by_scale.values(), *by_key.values()):
        options.sort(key=lambda o: o.position)
    progress = by_key.get("progress")
    latest: dict[str, Pillar] = {}
    for pillar in Pillar.objects.order_by("position", "key", "-version"):
        latest.setdefault(pillar.key, pillar)
    return FormOptions(
        grades=_grade_choices(by_key.get("grade", [])),
        progress=[Choice(o.code, o.label) for o in progress]
        if progress
        else [Choice(v, lbl) for v, lbl in Progress.choices],
        scale_options={sid: [Choice(o.code, o.label) for o in opts] for sid, opts in by_scale.items()},
        themes=[Choice(t.slug, t.name) for t in Theme.objects.filter(active=True)],
        pillars=list(latest.values()),
        elements=elements,
    )


# --- the parts ----------------------------------------------------------------------------------------
class ElementAnswerForm(BaseForm):
    """One element's answer: grade (or not applicable, with a reason), the three texts, its
    questions and optional tags. Draft rules only."""

    version = forms.IntegerField(required=False, min_value=0, widget=forms.HiddenInput)

    def __init__(
        self,
        data: QueryDict | None = None,
        *,
        element: Element,
        options: FormOptions,
        answer: ElementAnswer | None = None,
    ) -> None:
        self.element = element
        initial = self._initial(answer)
        super().__init__(data, prefix=element_part(element.code), initial=initial)
        name = f"{element.code} {element.title}"
        if element.graded:
            grades = [*options.grades]
            last = grades[-1]
            grades[-1] = Choice(last.value, last.label, hint=getattr(last, "hint", ""), divider="or")
            grades.append(Choice(NOT_APPLICABLE, "Not applicable"))
            self.fields["grade"] = _radios(f"Grade for {element.code}", grades)
            self.fields["not_applicable_reason"] = _line(
                f"Why {element.code} is not applicable",
                limit=300,
                hint="For example, there has been no conference yet. " + FREE_TEXT_HINT,
            )
        self.fields["working_well"] = _text("What is working well")
        self.fields["even_better_if"] = _text("Even better if…")
        self.fields["evidence"] = _text("Evidence")
        for label in ("working_well", "even_better_if", "evidence"):
            self.fields[label].error_messages["max_length"] = (
                f"{ELEMENT_FIELDS[label]} for {name} must be {TEXT_LIMIT:,} characters or fewer"
            )
        self.questions = list(element.questions.all())
        for question in self.questions:
            key = f"q-{question.code}"
            if question.kind == Question.Kind.SCALE and question.scale_id in options.scale_options:
                self.fields[key] = _radios(question.text, options.scale_options[question.scale_id])
            else:
                self.fields[key] = _text(question.text)
        stored_themes = set(answer.theme_tags) if answer else set()
        themes = [*options.themes, *(Choice(s, s) for s in sorted(stored_themes - {c.value for c in options.themes}))]
        self.fields["theme_tags"] = _checkboxes("Theme tags", themes, hint="Optional.")
        self.fields["pillar_tags"] = _checkboxes(
            "Pillars of practice seen in this element",
            [Choice(p.key, p.name, hint=p.looks_like) for p in options.pillars],
            hint="Optional. The pillars are guidance to help you reach a judgement, not a rating.",
        )
        self._setup_helper()

    @staticmethod
    def _initial(answer: ElementAnswer | None) -> dict[str, Any]:
        if answer is None:
            return {"version": 0}
        initial: dict[str, Any] = {
            "version": answer.version,
            "grade": NOT_APPLICABLE if answer.not_applicable else answer.grade,
            "not_applicable_reason": answer.not_applicable_reason,
            "working_well": answer.working_well,
            "even_better_if": answer.even_better_if,
            "evidence": answer.evidence,
            "theme_tags": list(answer.theme_tags),
            "pillar_tags": list(answer.pillar_tags),
        }
        initial.update({f"q-{code}": value for code, value in (answer.answers or {}).items()})
        return initial

    @property
    def part(self) -> str:
        return element_part(self.element.code)

    @property
    def question_fields(self) -> list[forms.BoundField]:
        return [self[f"q-{q.code}"] for q in self.questions]

    @property
    def has_tags(self) -> bool:
        """Open the tags when some are chosen (or wrong), so nothing chosen is out of sight."""
        fields = ("theme_tags", "pillar_tags")
        return any(self[name].value() or self.errors.get(name) for name in fields)

    def part_values(self) -> dict[str, Any]:
        data = self.cleaned_data
        values: dict[str, Any] = {
            "version": data.get("version") or 0,
            "working_well": data["working_well"],
            "even_better_if": data["even_better_if"],
            "evidence": data["evidence"],
            "answers": {q.code: data[f"q-{q.code}"] for q in self.questions},
            "theme_tags": data["theme_tags"],
            "pillar_tags": data["pillar_tags"],
        }
        if self.element.graded:
            grade = data["grade"]
            values["not_applicable"] = grade == NOT_APPLICABLE
            values["grade"] = "" if grade == NOT_APPLICABLE else grade
            values["not_applicable_reason"] = data["not_applicable_reason"]
        return values


class OverallForm(BaseForm):
    """The audit as a whole: the conversation, the overall grade, the impact for the child,
    the practitioner's view of progress and the child's record. Draft rules only."""

    part = OVERALL_PART
    version = forms.IntegerField(required=False, min_value=0, widget=forms.HiddenInput)

    def __init__(self, data: QueryDict | None = None, *, audit: Audit, options: FormOptions) -> None:
        super().__init__(data, prefix=OVERALL_PART, initial=self._initial(audit))
        self.fields["conversation_on"] = GovukDateField(label=OVERALL_FIELDS["conversation_on"])
        self.fields["participants"] = _checkboxes(
            OVERALL_FIELDS["participants"], list(Participant.choices), hint="Select all that apply."
        )
        self.fields["participants_other"] = _line(
            OVERALL_FIELDS["participants_other"],
            limit=200,
            hint="Their role, for example school nurse. " + FREE_TEXT_HINT,
        )
        self.fields["practitioner_absence"] = _radios(
            "Did the practitioner take part?",
            [
                Choice("", "Yes, the practitioner took part"),
                *(Choice(v, lbl) for v, lbl in PractitionerAbsence.choices),
            ],
            hint="If the practitioner could not take part, say why. The team manager takes part instead.",
        )
        self.fields["practitioner_absence_detail"] = _line(
            OVERALL_FIELDS["practitioner_absence_detail"] + " (optional)", limit=300
        )
        self.fields["overall_grade"] = _radios(OVERALL_FIELDS["overall_grade"], list(options.grades))
        self.fields["impact_for_child"] = _text(
            OVERALL_FIELDS["impact_for_child"],
            hint="What difference the help, care or protection is making for the child. " + FREE_TEXT_HINT,
            rows=6,
        )
        self.fields["practitioner_view_of_progress"] = _radios(
            OVERALL_FIELDS["practitioner_view_of_progress"],
            list(options.progress),
            hint="How the practitioner thinks things have changed for the child.",
        )
        self.fields["added_to_record"] = _radios(
            "Have the audit summary and actions been added to the child's record?",
            [Choice(YES, "Yes"), Choice(NO, "No")],
        )
        self.fields["added_to_record_on"] = GovukDateField(label=OVERALL_FIELDS["added_to_record_on"])
        self._setup_helper()

    @staticmethod
    def _initial(audit: Audit) -> dict[str, Any]:
        added = {True: YES, False: NO}.get(audit.added_to_record, "")
        return {
            "version": audit.overall_version,
            "conversation_on": audit.conversation_on,
            "participants": list(audit.participants or []),
            "participants_other": audit.participants_other,
            "practitioner_absence": audit.practitioner_absence,
            "practitioner_absence_detail": audit.practitioner_absence_detail,
            "overall_grade": audit.overall_grade,
            "impact_for_child": audit.impact_for_child,
            "practitioner_view_of_progress": audit.practitioner_view_of_progress,
            "added_to_record": added,
            "added_to_record_on": audit.added_to_record_on,
        }

    def part_values(self) -> dict[str, Any]:
        data = self.cleaned_data
        values = {name: data[name] for name in OVERALL_FIELDS}
        values["added_to_record"] = {YES: True, NO: False}.get(data["added_to_record"])
        values["version"] = data.get("version") or 0
        return values


# --- the page: all the parts together ---------------------------------------------------------------
class AuditForms(PartForms):
    """Every part of one audit's form, bound to one POST (or to what is stored)."""

    def __init__(self, audit: Audit, data: QueryDict | None = None, *, options: FormOptions | None = None) -> None:
        self.audit = audit
        self.options = options or form_options(audit)
        self.answers = {a.element_id: a for a in audit.answers.all()}
        self.bind(data)

    def _bind(self, data: QueryDict | None) -> None:
        self.element_forms = [
            ElementAnswerForm(data, element=e, options=self.options, answer=self.answers.get(e.pk))
            for e in self.options.elements
        ]
        self.overall = OverallForm(data, audit=self.audit, options=self.options)

    def extra_error_target(self, problem: Problem) -> str:
        return "actions" if problem.part == ACTIONS_PART else ""


# --- immediate concerns ---------------------------------------------------------------------------------
class ConcernRaiseForm(BaseForm):
    submit_label = "Raise the concern and alert managers"

    description = forms.CharField(
        label="What is the concern?",
        help_text=CONCERN_HINT,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 5}),
        error_messages={
            "required": "Enter what the concern is",
            "max_length": "The concern must be 2,000 characters or fewer",
        },
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["description"].widget.attrs.pop("maxlength", None)


class ConcernActionForm(BaseForm):
    submit_label = "Record the action taken"

    action_taken = forms.CharField(
        label="What action has been taken?",
        help_text="For example, who was contacted and what was agreed to keep the child safe. " + FREE_TEXT_HINT,
        max_length=TEXT_LIMIT,
        widget=forms.Textarea(attrs={"rows": 5}),
        error_messages={
            "required": "Enter the action taken",
            "max_length": f"The action taken must be {TEXT_LIMIT:,} characters or fewer",
        },
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["action_taken"].widget.attrs.pop("maxlength", None)
