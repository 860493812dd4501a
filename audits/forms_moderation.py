"""Moderation forms: one form per part (each element, the overall part), posted together as one
page and saved part by part with their own versions; completeness is checked by the service.
"""

from __future__ import annotations

import datetime
from typing import Any

from crispy_forms_gds.choices import Choice
from django import forms
from django.http import QueryDict

from core.forms import BaseForm

from .forms_audit import _grade_choices, _radios, _text
from .forms_parts import PartForms
from .models import ElementModeration, Grade, Moderation, QualityRating, ScaleOption
from .services.moderation import OVERALL_PART, element_part, moderated_elements

AGREE_CHOICES = [Choice("yes", "I agree with the auditor's grade"), Choice("no", "I would give a different grade")]
REASON_HINT = "Say what in the file leads you to a different grade. Use initials; do not paste case notes."
FEEDBACK_HINT = (
    "Start with what the auditor did well, then what would make the audit even better. "
    "Use initials; do not paste case notes."
)
QUALITY_HINT = "Optional."


def _agrees(value: str) -> bool | None:
    return {"yes": True, "no": False}.get(value)


def _agrees_initial(value: bool | None) -> str:
    return {True: "yes", False: "no"}.get(value, "")


class _PartForm(BaseForm):
    version = forms.IntegerField(widget=forms.HiddenInput, required=False, min_value=0)


class ElementModerationForm(_PartForm):
    def __init__(
        self, data: QueryDict | None = None, *, element: Any, answer: Any, row: ElementModeration | None, grades: list
    ) -> None:
        self.element = element
        self.answer = answer
        initial = {
            "version": row.version if row else 0,
            "agrees": _agrees_initial(row.agrees) if row else "",
            "grade": row.grade if row else "",
            "reason": row.reason if row else "",
        }
        super().__init__(data, prefix=element_part(element.code), initial=initial)
        name = f"{element.code} {element.title}"
        self.fields["agrees"] = _radios(f"Do you agree with the grade for {element.code}?", AGREE_CHOICES)
        self.fields["grade"] = _radios(f"Your grade for {element.code}", grades)
        self.fields["reason"] = _text(f"Why your grade for {name} is different", hint=REASON_HINT, limit=2000)

    def part_values(self) -> dict[str, Any]:
        data = self.cleaned_data
        return {
            "version": data.get("version") or 0,
            "agrees": _agrees(data.get("agrees", "")),
            "grade": data.get("grade", "") or "",
            "reason": data.get("reason", "").strip(),
        }


class OverallModerationForm(_PartForm):
    def __init__(self, data: QueryDict | None = None, *, moderation: Moderation, grades: list) -> None:
        initial = {
            "version": moderation.version,
            "overall_agrees": _agrees_initial(moderation.overall_agrees),
            "overall_grade": moderation.overall_grade,
            "overall_reason": moderation.overall_reason,
            "feedback": moderation.feedback,
            "quality_evidence": moderation.quality_evidence,
            "quality_lived_experience": moderation.quality_lived_experience,
            "quality_strengths_language": moderation.quality_strengths_language,
        }
        super().__init__(data, prefix=OVERALL_PART, initial=initial)
        quality = list(QualityRating.choices)
        self.fields["overall_agrees"] = _radios("Do you agree with the overall grade?", AGREE_CHOICES)
        self.fields["overall_grade"] = _radios("Your overall grade", grades)
        self.fields["overall_reason"] = _text("Why your overall grade is different", hint=REASON_HINT, limit=2000)
        self.fields["feedback"] = _text("Feedback to the auditor", hint=FEEDBACK_HINT, limit=5000, rows=6)
        self.fields["quality_evidence"] = _radios("The evidence supports the grade", quality, hint=QUALITY_HINT)
        self.fields["quality_lived_experience"] = _radios(
            "The child's lived experience is visible", quality, hint=QUALITY_HINT
        )
        self.fields["quality_strengths_language"] = _radios(
            "The language is strengths-based", quality, hint=QUALITY_HINT
        )

    def part_values(self) -> dict[str, Any]:
        data = self.cleaned_data
        values: dict[str, Any] = {"version": data.get("version") or 0}
        values["overall_agrees"] = _agrees(data.get("overall_agrees", ""))
        for name in (
            "overall_grade",
            "quality_evidence",
            "quality_lived_experience",
            "quality_strengths_language",
        ):
            values[name] = data.get(name, "") or ""
        for name in ("overall_reason", "feedback"):
            values[name] = data.get(name, "").strip()
        return values


class ModerationForms(PartForms):
    """Every part's form for one moderation, read in a handful of queries."""

    def __init__(self, moderation: Moderation, data: QueryDict | None = None) -> None:
        self.moderation = moderation
        options = list(ScaleOption.objects.filter(scale__key="grade").order_by("position"))
        self.grades = _grade_choices(options)
        self.grade_labels = {c.value: c.label for c in self.grades} or dict(Grade.choices)
        self.elements = moderated_elements(moderation)
        self.answers = {a.element_id: a for a in moderation.audit.answers.all()}
        self.rows = {row.element_id: row for row in moderation.elements.all()}
        self.bind(data)

    def _bind(self, data: QueryDict | None) -> None:
        self.element_forms = [
            ElementModerationForm(
                data, element=e, answer=self.answers.get(e.pk), row=self.rows.get(e.pk), grades=self.grades
            )
            for e in self.elements
        ]
        self.overall = OverallModerationForm(data, moderation=self.moderation, grades=self.grades)


class ModerationAddForm(BaseForm):
    submit_label = "Add to moderation"
    reason = forms.CharField(
        label="Why should this audit be moderated?",
        help_text="For example, the grade does not seem to match the evidence. Do not paste case notes.",
        max_length=300,
        error_messages={"required": "Enter why this audit should be moderated"},
    )


class ModerationAssignForm(BaseForm):
    submit_label = "Assign"

    def __init__(self, *args: Any, moderators: list[Any], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.people = {str(p.pk): p for p in moderators}
        self.fields["moderator"] = forms.ChoiceField(
            label="Who will moderate this audit?",
            choices=[(str(p.pk), p.full_name) for p in moderators],
            widget=forms.RadioSelect,
            error_messages={"required": "Choose who will moderate this audit"},
        )
        self._setup_helper()

    def chosen(self) -> Any:
        return self.people[self.cleaned_data["moderator"]]


class ModerationResponseForm(BaseForm):
    submit_label = "Save your response"
    version = forms.IntegerField(widget=forms.HiddenInput, min_value=0)
    response = forms.CharField(
        label="Your response to the moderation",
        help_text="Say what you take from the feedback, or where you see it differently.",
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 5}),
        error_messages={"required": "Enter your response to the moderation"},
    )


WAITED_CHOICES = [("", "Any time"), ("7", "More than 7 days"), ("14", "More than 14 days"), ("28", "More than 28 days")]


class QueueFilterForm(forms.Form):
    """The queue's filters (GET): all optional; a bad value is ignored, not an error page."""

    month = forms.CharField(label="Month", required=False, help_text="For example, 2026-11")
    service_area = forms.ChoiceField(label="Service area", required=False)
    team = forms.ChoiceField(label="Team", required=False)
    auditor = forms.ChoiceField(label="Auditor", required=False)
    grade = forms.ChoiceField(label="Auditor's grade", required=False)
    waited = forms.ChoiceField(label="Time waiting", required=False, choices=WAITED_CHOICES)

    def __init__(self, data: Any, *, areas: list, teams: list, auditors: list) -> None:
        super().__init__(data)
        self.fields["service_area"].choices = [("", "All")] + [(str(a.pk), a.name) for a in areas]
        self.fields["team"].choices = [("", "All")] + [(str(t.pk), t.name) for t in teams]
        self.fields["auditor"].choices = [("", "All")] + [(str(p.pk), p.full_name) for p in auditors]
        self.fields["grade"].choices = [("", "All"), *Grade.choices]

    def month_value(self) -> datetime.date | None:
        text = self.cleaned_data.get("month", "").strip()
        try:
            return datetime.datetime.strptime(text, "%Y-%m").date() if text else None
        except ValueError:
            return None

    def filters(self) -> dict[str, Any]:
        if not self.is_valid():
            return {}
        data = self.cleaned_data
        return {
            "month": self.month_value(),
            "service_area_id": int(data["service_area"]) if data.get("service_area") else None,
            "team_id": int(data["team"]) if data.get("team") else None,
            "auditor_id": int(data["auditor"]) if data.get("auditor") else None,
            "grade": data.get("grade") or "",
            "waited_over_days": int(data["waited"]) if data.get("waited") else None,
        }
