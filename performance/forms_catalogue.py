"""Forms of the catalogue pages: an indicator's target, owner and brief; a local indicator; a
year's population and the population CSV."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from crispy_forms_gds.layout import Field
from django import forms

from core.forms import BaseForm
from organisation.forms import CaseloadUploadForm

from .models import Basket, Direction, Indicator, IndicatorType
from .services.catalogue import FIRST_YEAR, LAST_YEAR, MOST_CHILDREN, LocalIndicator

BRIEF_HELP = "What the data may be showing, in a sentence or two, for the people reading the basket page."
OWNER_HELP = "The team or role that supplies the figures, for example 'Finance' or 'Front door service manager'."
# Who supplies a local measure, and what kind of measure it is: a demand or threshold measure
# takes no target; only a timeliness or compliance measure does.
MEASURE_KINDS = [
    ("demand", "A demand or threshold measure (no target and no good or bad colouring)"),
    ("target", "A timeliness or compliance measure (may have a target)"),
    ("other", "Another measure (no target)"),
]
LOWEST_SCOPES = [
    ("team", "Teams, service areas and the whole authority"),
    ("area", "Service areas and the whole authority (for example workforce rates)"),
    ("authority", "The whole authority only (every rate per 10,000 children)"),
]


def _max(name: str) -> int:
    return int(Indicator._meta.get_field(name).max_length)


def _text(label: str, name: str, *, required: bool = True, help_text: str = "") -> forms.CharField:
    limit = _max(name)
    return forms.CharField(
        label=label,
        required=required,
        max_length=limit,
        help_text=help_text,
        error_messages={
            "required": f"Enter the {label.lower()}",
            "max_length": f"The {label.lower()} must be {limit} characters or fewer",
        },
    )


def _brief() -> forms.CharField:
    return forms.CharField(
        label="What the data may be showing",
        help_text=BRIEF_HELP,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 4}),
        error_messages={
            "required": "Enter what the data may be showing",
            "max_length": "What the data may be showing must be 2000 characters or fewer",
        },
    )


def _target() -> forms.DecimalField:
    return forms.DecimalField(
        label="Target (optional)",
        required=False,
        min_value=0,
        max_digits=12,
        decimal_places=2,
        help_text="A number, for example 90 for 90%. Leave it empty for no target.",
        error_messages={
            "invalid": "Enter the target as a number, for example 90",
            "min_value": "The target must be 0 or more",
            "max_digits": "Enter a smaller target",
            "max_decimal_places": "The target can have at most 2 decimal places",
        },
    )


def _direction() -> forms.ChoiceField:
    return forms.ChoiceField(
        label="Which way is better?",
        required=False,
        choices=Direction.choices,
        widget=forms.RadioSelect,
        help_text="Needed with a target.",
    )


class IndicatorEditForm(BaseForm):
    """An indicator's brief and owner, and for a timeliness or compliance measure only, its
    target and direction (a demand measure's form has no such fields)."""

    submit_label = "Save the indicator"
    brief = _brief()
    owner = _text("Owner", "owner", required=False, help_text=OWNER_HELP)
    target = _target()
    direction = _direction()
    version = forms.IntegerField(widget=forms.HiddenInput)

    def __init__(self, *args: Any, indicator: Indicator, **kwargs: Any) -> None:
        self.indicator = indicator
        super().__init__(*args, **kwargs)
        if not indicator.target_allowed:
            del self.fields["target"], self.fields["direction"]
            self._setup_helper()

    def layout_fields(self) -> list[Any]:
        fields: list[Any] = [Field.textarea("brief"), Field.text("owner")]
        if "target" in self.fields:
            fields += [Field.text("target", field_width=5), Field.radios("direction", legend_size="s", inline=True)]
        return [*fields, "version"]

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        if data.get("target") is not None and not data.get("direction"):
            self.add_error("direction", "Choose whether higher or lower is better")
        if (
            self.indicator.type == IndicatorType.PERCENTAGE
            and data.get("target") is not None
            and data["target"] > Decimal(100)
        ):
            self.add_error("target", "A percentage's target must be 100 or less")
        return data


class LocalIndicatorForm(BaseForm):
    """A local indicator of the council's own (its source is local monitoring)."""

    submit_label = "Add the indicator"
    name = _text("Name", "name")
    code = forms.SlugField(
        label="Code",
        max_length=_max("code"),
        help_text="A short unique code used in CSV files: lower-case letters, numbers and underscores, for "
        "example 'missing_episodes'.",
        error_messages={
            "required": "Enter a code",
            "invalid": "The code can only have letters, numbers, underscores and hyphens",
            "max_length": f"The code must be {_max('code')} characters or fewer",
        },
    )
    brief = _brief()
    owner = _text("Owner", "owner", help_text=OWNER_HELP)
    type = forms.ChoiceField(
        label="Type",
        choices=IndicatorType.choices,
        widget=forms.RadioSelect,
        error_messages={"required": "Choose the type of measure"},
    )
    unit = _text("Unit", "unit", required=False, help_text="For example 'children', '%' or 'days per FTE'.")
    numerator = _text("What it counts", "numerator", help_text="The numerator: what is counted, and when.")
    denominator = _text(
        "Out of what (for a percentage or a rate)", "denominator", required=False, help_text="The denominator."
    )
    period_rule = _text(
        "Period", "period_rule", help_text="For example 'Count per calendar month' or 'Month-end snapshot'."
    )
    baskets = forms.MultipleChoiceField(
        label="Baskets",
        choices=Basket.choices,
        widget=forms.CheckboxSelectMultiple,
        help_text="Choose every basket page that shows it.",
        error_messages={"required": "Choose at least one basket"},
    )
    measure_kind = forms.ChoiceField(
        label="What kind of measure is it?",
        choices=MEASURE_KINDS,
        widget=forms.RadioSelect,
        error_messages={"required": "Choose what kind of measure it is"},
    )
    target = _target()
    direction = _direction()
    lowest_scope = forms.ChoiceField(
        label="Shown for",
        choices=LOWEST_SCOPES,
        initial="team",
        widget=forms.RadioSelect,
        error_messages={"required": "Choose the scopes it is shown for"},
    )

    def layout_fields(self) -> list[Any]:
        return [
            Field.text("name"),
            Field.text("code", field_width=20),
            Field.textarea("brief"),
            Field.text("owner"),
            Field.radios("type", legend_size="s"),
            Field.text("unit", field_width=20),
            Field.text("numerator"),
            Field.text("denominator"),
            Field.text("period_rule"),
            Field.checkboxes("baskets", legend_size="s"),
            Field.radios("measure_kind", legend_size="s"),
            Field.text("target", field_width=5),
            Field.radios("direction", legend_size="s", inline=True),
            Field.radios("lowest_scope", legend_size="s"),
        ]

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        kind = data.get("measure_kind")
        if kind and kind != "target" and (data.get("target") is not None or data.get("direction")):
            self.add_error("target", "Only a timeliness or compliance measure can have a target or a direction")
        if kind == "target" and not data.get("direction"):
            self.add_error("direction", "Choose whether higher or lower is better")
        if data.get("type") in (IndicatorType.PERCENTAGE, IndicatorType.RATE) and not data.get("denominator"):
            self.add_error("denominator", "Enter what a percentage or a rate is out of")
        return data

    def definition(self) -> LocalIndicator:
        data = self.cleaned_data
        return LocalIndicator(
            code=data["code"],
            name=data["name"],
            brief=data["brief"],
            type=data["type"],
            unit=data["unit"],
            numerator=data["numerator"],
            denominator=data["denominator"],
            period_rule=data["period_rule"],
            baskets=list(data["baskets"]),
            owner=data["owner"],
            demand_measure=data["measure_kind"] == "demand",
            target_allowed=data["measure_kind"] == "target",
            lowest_scope=data["lowest_scope"],
            target=data.get("target"),
            direction=data.get("direction") or "",
        )


class PopulationForm(BaseForm):
    submit_label = "Save the population"
    prefix = "population"
    year = forms.IntegerField(
        label="Year",
        min_value=FIRST_YEAR,
        max_value=LAST_YEAR,
        help_text="The year of the ONS mid-year estimate, for example 2024.",
        error_messages={
            "required": "Enter the year",
            "invalid": "Enter the year as a number, for example 2024",
            "min_value": f"Enter a year from {FIRST_YEAR}",
            "max_value": f"Enter a year up to {LAST_YEAR}",
        },
    )
    aged_0_to_17 = forms.IntegerField(
        label="Children aged 0 to 17",
        min_value=1,
        max_value=MOST_CHILDREN,
        error_messages={
            "required": "Enter the number of children aged 0 to 17",
            "invalid": "Enter the number of children as a whole number, for example 52300",
            "min_value": "The number of children must be more than 0",
            "max_value": f"The number of children must be {MOST_CHILDREN:,} or fewer",
        },
    )
    source = forms.CharField(
        label="Source (optional)",
        required=False,
        max_length=150,
        help_text="For example 'ONS mid-2024 estimate'.",
        error_messages={"max_length": "The source must be 150 characters or fewer"},
    )

    def layout_fields(self) -> list[Any]:
        return [
            Field.text("year", field_width=4),
            Field.text("aged_0_to_17", field_width=10),
            Field.text("source"),
        ]


class PopulationUploadForm(BaseForm):
    submit_label = "Import the file"
    prefix = "upload"
    file = forms.FileField(
        label="Population CSV file",
        help_text="UTF-8 CSV with the columns year and aged_0_to_17 (and source if you like). A file with any "
        "problem is not imported.",
        error_messages={"required": "Choose a CSV file to import"},
    )

    # The caseload upload's check: under 50 MB, UTF-8 text (with or without a byte-order mark).
    clean_file = CaseloadUploadForm.clean_file
