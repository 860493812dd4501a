"""The QA team's settings page (core.models.QASettings): the QA manager edits, QA officers read."""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import path
from django.views.decorators.http import require_http_methods

from core.forms import BaseForm
from core.models import QASettings
from organisation.models import Role
from organisation.scope import Scope

FIELDS: dict[str, tuple[str, str, int, int]] = {
    # name: (label, hint, minimum, maximum)
    "allocation_day": (
        "Allocation day",
        "The day of the month on which the month's allocation is proposed, from 1 to 28.",
        1,
        28,
    ),
    "reminder_lead_days": (
        "Reminder lead days",
        "Days before an audit's due date that the auditor is reminded.",
        0,
        60,
    ),
    "moderation_share": (
        "Moderation share",
        "The percentage of submitted audits chosen at random for moderation, from 0 to 100.",
        0,
        100,
    ),
    "min_open_months_social_work": (
        "Minimum open period for social work files, in months",
        "A social work case must have been open this long to be drawn.",
        0,
        24,
    ),
    "min_open_months_early_help": (
        "Minimum open period for early help files, in months",
        "An early help case must have been open this long to be chosen.",
        0,
        24,
    ),
    "family_link_expiry_days": (
        "Family link expiry, in days",
        "Days a family's secure feedback link stays valid.",
        1,
        90,
    ),
}


def can_read_settings(scope: Scope) -> bool:
    return scope.is_qa


def can_edit_settings(scope: Scope) -> bool:
    return scope.has_role(Role.QA_MANAGER)


class QASettingsForm(BaseForm):
    submit_label = "Save the settings"

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        for name, (label, hint, low, high) in FIELDS.items():
            self.base_fields[name] = forms.IntegerField(
                label=label,
                help_text=hint,
                min_value=low,
                max_value=high,
                widget=forms.TextInput(attrs={"inputmode": "numeric", "class": "govuk-input--width-3"}),
                error_messages={
                    "required": f"Enter the {label.lower()}",
                    "invalid": f"The {label.lower()} must be a whole number",
                    "min_value": f"The {label.lower()} must be {low} or more",
                    "max_value": f"The {label.lower()} must be {high} or fewer",
                },
            )
        super().__init__(*args, **kwargs)


@transaction.atomic
def qa_settings_update(*, values: dict[str, int], actor: Any) -> tuple[QASettings, bool]:
    """Save the settings, recording who changed them; a save that changes nothing writes no history."""
    current = QASettings.current()
    locked = QASettings.objects.select_for_update().get(pk=current.pk)
    changed = {k: v for k, v in values.items() if k in FIELDS and getattr(locked, k) != v}
    if not changed:
        return locked, False
    for key, value in changed.items():
        setattr(locked, key, value)
    locked.updated_by = actor
    locked._history_user = actor
    locked.save()
    return locked, True


@require_http_methods(["GET", "POST"])
def qa_settings(request: HttpRequest) -> HttpResponse:
    scope = request.scope
    if not can_read_settings(scope):
        raise PermissionDenied
    can_edit = can_edit_settings(scope)
    if request.method == "POST" and not can_edit:
        raise PermissionDenied
    current = QASettings.current()
    form = QASettingsForm(
        request.POST if request.method == "POST" else None,
        initial={name: getattr(current, name) for name in FIELDS},
    )
    if request.method == "POST" and form.is_valid():
        _, changed = qa_settings_update(values=form.cleaned_data, actor=request.user)
        messages.success(request, "The settings have been saved." if changed else "Nothing was changed.")
        return redirect("qa-settings")
    rows = [(label, getattr(current, name)) for name, (label, _, _, _) in FIELDS.items()]
    return render(
        request,
        "qaframework/qa_settings.html",
        {"form": form, "can_edit": can_edit, "rows": rows, "current": current},
    )


urlpatterns: list = [path("settings/", qa_settings, name="qa-settings")]
