"""The one base form every page form uses: GOV.UK crispy helper, labels, button, error summary."""

from __future__ import annotations

import datetime
from typing import Any

from crispy_forms_gds.fields import DateInputField
from crispy_forms_gds.helper import FormHelper
from crispy_forms_gds.layout import Layout, Submit
from django import forms

FREE_TEXT_HINT = "Use initials; do not paste case notes."


class BaseFormMixin:
    """Sets up the GOV.UK helper. Subclasses set ``submit_label`` and optionally ``layout()``."""

    submit_label = "Continue"
    label_size: str | None = None

    def _setup_helper(self) -> None:
        self.helper = FormHelper()
        self.helper.form_tag = False  # the template owns <form>, so several forms share one page
        if self.label_size:
            self.helper.label_size = self.label_size
        self.helper.layout = Layout(*self.layout_fields(), Submit("submit", self.submit_label))

    def layout_fields(self) -> list[Any]:
        return list(self.fields)  # type: ignore[attr-defined]


class BaseForm(BaseFormMixin, forms.Form):
    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._setup_helper()


class BaseModelForm(BaseFormMixin, forms.ModelForm):
    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._setup_helper()


class DateField(DateInputField):
    """The GOV.UK date input, with our own message for a date that does not exist (31 2 2027)."""

    def compress(self, data_list: Any) -> datetime.date | None:
        try:
            return super().compress(data_list)
        except forms.ValidationError:
            raise forms.ValidationError(self.error_messages["invalid"], code="invalid") from None


def date_field(label: str, help_text: str, *, required: bool = True) -> DateField:
    """A GOV.UK date input whose error messages name the date."""
    field = DateField(label=label, help_text=help_text, required=required)
    field.error_messages.update(
        {
            "required": f"Enter the {label.lower()}",
            "incomplete": f"Enter the {label.lower()} as a day, month and year",
            "invalid": f"Enter the {label.lower()} as a real date",
        }
    )
    return field


# A calendar month typed or chosen as "2026-11" (GET filters and baseline ranges).
MONTH_PATTERN = r"^\d{4}-(0[1-9]|1[0-2])$"


def month_field(
    label: str, example: str, *, what: str | None = None, help_text: str | None = None, required: bool = False
) -> forms.RegexField:
    """A "YYYY-MM" field whose messages name the month (``what``, default the label)."""
    what = what or label.lower()
    return forms.RegexField(
        regex=MONTH_PATTERN,
        required=required,
        label=label,
        help_text=help_text if help_text is not None else f"Year and month, for example {example}",
        error_messages={
            "required": f"Enter the {what}",
            "invalid": f"Enter the {what} as a year and month, for example {example}",
        },
    )


def parse_month(value: str | None) -> datetime.date | None:
    """The first day of a "YYYY-MM" month already checked by :func:`month_field`; None when empty."""
    return datetime.date.fromisoformat(f"{value}-01") if value else None
