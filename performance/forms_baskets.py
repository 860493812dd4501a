"""The basket page's filters (GET): the scope (only those the person may read) and the month
(only months with figures; the latest by default)."""

from __future__ import annotations

import datetime
from typing import Any

from django import forms
from django.http import QueryDict

from core.forms import BaseForm, parse_month

from .scopes import ScopeRef
from .selectors_baskets import BasketFrame


def scope_choice_label(ref: ScopeRef) -> str:
    if ref.kind == "area":
        return f"Service area: {ref.label}"
    if ref.kind == "team":
        return f"Team: {ref.label}"
    return ref.label


class BasketFilterForm(BaseForm):
    submit_label = "Show the basket"
    scope = forms.ChoiceField(label="Where", required=False)
    month = forms.ChoiceField(
        label="Month",
        required=False,
        error_messages={"invalid_choice": "Choose a month from the list: there are no figures for that month"},
    )

    def __init__(self, query: QueryDict, *, frame: BasketFrame, **kwargs: Any) -> None:
        # Always bound: what the page shows (the default scope, the latest month) is what the
        # selects show, and anything asked for in the address overrides it.
        latest = f"{frame.months[0]:%Y-%m}" if frame.months else ""
        data = {"scope": frame.ref.key, "month": latest}
        data.update({key: query[key] for key in ("scope", "month") if query.get(key)})
        super().__init__(data, **kwargs)
        self.fields["scope"].choices = [(key, scope_choice_label(ref)) for key, ref in frame.visible.items()]
        self.fields["month"].choices = [(f"{month:%Y-%m}", f"{month:%B %Y}") for month in frame.months]

    def chosen_month(self) -> datetime.date | None:
        """The month asked for, or None (the latest) when none, or a wrong one, was given."""
        return parse_month(self.cleaned_data.get("month")) if self.is_valid() else None
