"""Forms of the learning pages: the period and area filter, learning summaries and reflective
discussions."""

from __future__ import annotations

import datetime
from typing import Any

from crispy_forms_gds.layout import Field, Size
from django import forms
from django.db.models import Q

from audits.forms_practitioner import VersionedForm
from core.forms import FREE_TEXT_HINT, date_field, month_field, parse_month
from organisation.models import Duty, DutyAssignment, RoleAssignment, ServiceArea, User

from .models import ReflectiveDiscussion
from .selectors_learning import RECORDER_ROLES, active_themes, default_period
from .services.learning import ATTENDED_MAX, TEXT_MAX, TITLE_MAX, TOPIC_MAX, DiscussionData, SummaryData

MAX_PERIOD_MONTHS = 24


def _months_between(first: datetime.date, last: datetime.date) -> int:
    return (last.year - first.year) * 12 + last.month - first.month + 1


def _text_field(label: str, help_text: str, *, limit: int, what: str) -> forms.CharField:
    field = forms.CharField(
        label=label,
        help_text=help_text,
        max_length=limit,
        widget=forms.Textarea(attrs={"rows": 6}),
        error_messages={"required": f"Enter {what}", "max_length": f"{label} must be {limit:,} characters or fewer"},
    )
    # No silent cut by the browser: the server says when it is too long, keeping what was typed.
    field.widget.attrs.pop("maxlength", None)
    return field


def _area_field(areas: list[ServiceArea]) -> forms.ModelChoiceField:
    return forms.ModelChoiceField(
        label="Service area",
        help_text="Leave as the whole service when it is not about one area.",
        queryset=ServiceArea.objects.filter(pk__in=[a.pk for a in areas]).order_by("name"),
        required=False,
        empty_label="The whole service",
        error_messages={"invalid_choice": "Choose a service area from the list"},
    )


def _themes_field() -> forms.ModelMultipleChoiceField:
    return forms.ModelMultipleChoiceField(
        label="Themes",
        help_text="Optional. Choose the themes it speaks to.",
        queryset=active_themes(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
        error_messages={
            "invalid_choice": "Choose themes from the list",
            "invalid_pk_value": "Choose themes from the list",
        },
    )


# --- the learning page's filter ---------------------------------------------------------------------------
class LearningFilterForm(forms.Form):
    """The period (from / to months) and the service area (GET). Area choices are only those the
    person sees."""

    first = month_field("From", "2026-08", what="first month")
    last = month_field("To", "2026-10", what="last month")
    area = forms.ChoiceField(label="Service area", required=False)

    def __init__(self, *args: Any, areas: list[ServiceArea], today: datetime.date, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.areas = {str(a.pk): a for a in areas}
        self.fields["area"].choices = [("", "All areas"), *((str(a.pk), a.name) for a in areas)]
        self.fields["area"].error_messages["invalid_choice"] = "Choose a service area from the list"
        self.default = default_period(today)
        if not self.is_bound:
            self.initial = {"first": f"{self.default[0]:%Y-%m}", "last": f"{self.default[1]:%Y-%m}"}

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean()
        first, last = parse_month(cleaned.get("first")), parse_month(cleaned.get("last"))
        if first and last:
            if first > last:
                self.add_error("last", "The last month must be the same as or after the first month")
            elif _months_between(first, last) > MAX_PERIOD_MONTHS:
                self.add_error("last", f"Choose a period of {MAX_PERIOD_MONTHS} months or fewer")
        return cleaned

    def period(self) -> tuple[datetime.date, datetime.date]:
        """The chosen months, or the last 3 complete months when nothing (valid) was chosen."""
        if not self.is_bound:
            return self.default
        self.is_valid()
        if "first" in self.errors or "last" in self.errors:
            return self.default
        # The months are kept when only the area has a problem.
        first = parse_month(self.cleaned_data.get("first")) or self.default[0]
        last = parse_month(self.cleaned_data.get("last")) or self.default[1]
        if first > last or _months_between(first, last) > MAX_PERIOD_MONTHS:
            return self.default
        return first, last

    def chosen_area(self) -> ServiceArea | None:
        if not self.is_bound or not self.is_valid():
            return None
        return self.areas.get(self.cleaned_data.get("area") or "")


# --- learning summaries -----------------------------------------------------------------------------------
class LearningSummaryForm(VersionedForm):
    submit_label = "Save the learning summary"
    title = forms.CharField(
        label="Title",
        max_length=TITLE_MAX,
        error_messages={
            "required": "Enter a title",
            "max_length": f"The title must be {TITLE_MAX} characters or fewer",
        },
    )
    first = month_field("First month", "2026-08", required=True)
    last = month_field("Last month", "2026-10", required=True)
    summary = _text_field(
        "Learning summary",
        f"What the period's themes tell us, what is changing and how we will know. {FREE_TEXT_HINT}",
        limit=TEXT_MAX,
        what="the learning summary",
    )

    def __init__(self, *args: Any, areas: list[ServiceArea], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["service_area"] = _area_field(areas)
        self.fields["themes"] = _themes_field()
        # The error summary follows the fields' order: the page's order.
        self.order_fields(["title", "service_area", "first", "last", "themes", "summary", "version"])
        self._setup_helper()

    def layout_fields(self) -> list[Any]:
        return [
            Field.text("title"),
            Field.select("service_area"),
            Field.text("first", field_width=10),
            Field.text("last", field_width=10),
            Field.checkboxes("themes", legend_size=Size.SMALL, small=True),
            Field.textarea("summary", rows=8),
            "version",
        ]

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean()
        first, last = parse_month(cleaned.get("first")), parse_month(cleaned.get("last"))
        if first and last and first > last:
            self.add_error("last", "The last month must be the same as or after the first month")
        return cleaned

    def summary_data(self) -> SummaryData:
        data = self.cleaned_data
        return SummaryData(
            period_from=parse_month(data["first"]),
            period_to=parse_month(data["last"]),
            title=data["title"],
            summary=data["summary"],
            service_area=data.get("service_area"),
            themes=list(data.get("themes") or []),
        )


# --- reflective discussions -------------------------------------------------------------------------------
def facilitators(today: datetime.date) -> Any:
    """Who may facilitate: the PSW, practice leads and the QA team, as they are today."""
    by_role = RoleAssignment.objects.active_on(today).filter(role__in=RECORDER_ROLES).values("person_id")
    by_duty = DutyAssignment.objects.active_on(today).filter(duty=Duty.PRACTICE_LEAD).values("person_id")
    return User.objects.filter(Q(pk__in=by_role) | Q(pk__in=by_duty), is_active=True).order_by("full_name")


class FacilitatorField(forms.ModelChoiceField):
    def label_from_instance(self, obj: User) -> str:
        return obj.full_name


class ReflectiveDiscussionForm(VersionedForm):
    submit_label = "Save the reflective discussion"
    held_on = date_field("Date of the discussion", "For example, 12 10 2026")
    led_by = forms.ChoiceField(
        label="Who led it?",
        choices=ReflectiveDiscussion.LedBy.choices,
        widget=forms.RadioSelect,
        error_messages={"required": "Choose who led the discussion", "invalid_choice": "Choose who led the discussion"},
    )
    topic = forms.CharField(
        label="Topic",
        max_length=TOPIC_MAX,
        help_text=f"For example: the child's lived experience in plans. {FREE_TEXT_HINT}",
        error_messages={
            "required": "Enter the topic",
            "max_length": f"The topic must be {TOPIC_MAX} characters or fewer",
        },
    )
    attended = forms.IntegerField(
        label="How many took part?",
        help_text="A number only: no names of those who took part.",
        min_value=1,
        max_value=ATTENDED_MAX,
        widget=forms.TextInput(attrs={"inputmode": "numeric"}),
        error_messages={
            "required": "Enter how many took part",
            "invalid": "Enter how many took part as a whole number",
            "min_value": f"Enter how many took part, from 1 to {ATTENDED_MAX}",
            "max_value": f"Enter how many took part, from 1 to {ATTENDED_MAX}",
        },
    )
    learning = _text_field(
        "What was learnt",
        f"What was learnt and what will change. {FREE_TEXT_HINT}",
        limit=TEXT_MAX,
        what="what was learnt",
    )

    def __init__(self, *args: Any, areas: list[ServiceArea], today: datetime.date, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.today = today
        self.fields["service_area"] = _area_field(areas)
        self.fields["facilitator"] = FacilitatorField(
            label="Facilitator",
            queryset=facilitators(today),
            empty_label=None,
            error_messages={
                "required": "Choose the facilitator",
                "invalid_choice": "Choose the facilitator from the list",
            },
        )
        self.fields["themes"] = _themes_field()
        self.order_fields(
            ["held_on", "service_area", "led_by", "facilitator", "topic", "themes", "attended", "learning", "version"]
        )
        self._setup_helper()

    def layout_fields(self) -> list[Any]:
        return [
            "held_on",
            Field.select("service_area"),
            Field.radios("led_by", legend_size=Size.SMALL),
            Field.select("facilitator"),
            Field.text("topic"),
            Field.checkboxes("themes", legend_size=Size.SMALL, small=True),
            Field.text("attended", field_width=4),
            Field.textarea("learning", rows=8),
            "version",
        ]

    def clean_held_on(self) -> datetime.date | None:
        day = self.cleaned_data.get("held_on")
        if day and day > self.today:
            raise forms.ValidationError("The date of the discussion must be today or in the past")
        return day

    def discussion_data(self) -> DiscussionData:
        data = self.cleaned_data
        return DiscussionData(
            held_on=data["held_on"],
            led_by=data["led_by"],
            facilitator=data["facilitator"],
            topic=data["topic"],
            attended=data["attended"],
            learning=data["learning"],
            service_area=data.get("service_area"),
            themes=list(data.get("themes") or []),
        )
