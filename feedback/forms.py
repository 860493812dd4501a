"""Forms of the participation, triage and report pages. The questionnaire's own forms (answers,
consent, sharing) are in forms_questionnaire.py, shared with the family's secure link."""

from __future__ import annotations

import datetime
from typing import Any

from crispy_forms_gds.choices import Choice
from crispy_forms_gds.layout import Field
from django import forms

from audits.services.dip_samples import month_start
from core.forms import FREE_TEXT_HINT, BaseForm, date_field, month_field, parse_month

from .forms_questionnaire import NO, YES
from .models import Audience, Channel, ContactMethod, Outcome, ParticipationTask, TriageItem
from .services.participation import (
    ADULTS_MAX,
    ATTEMPT_NOTE_MAX,
    LANGUAGE_MAX,
    REASON_MAX,
    RECORDABLE_OUTCOMES,
)
from .services.triage import NOTE_MAX

YES_NO = [Choice(YES, "Yes"), Choice(NO, "No")]
STALE_PAGE = "This page was out of date: someone else changed this task after you opened it. Check it and try again."


def _yes_no(label: str, message: str, *, hint: str = "") -> forms.ChoiceField:
    return forms.ChoiceField(
        label=label,
        help_text=hint,
        choices=YES_NO,
        widget=forms.RadioSelect,
        error_messages={"required": message, "invalid_choice": message},
    )


def _text(label: str, limit: int, *, hint: str = "", required: bool = False, message: str = "", rows: int = 0) -> Any:
    field = forms.CharField(
        label=label,
        help_text=hint,
        required=required,
        max_length=limit,
        widget=forms.Textarea(attrs={"rows": rows}) if rows else forms.TextInput,
        error_messages={
            "required": message,
            "max_length": f"{label.split(' (')[0]} must be {limit:,} characters or fewer",
        },
    )
    field.widget.attrs.pop("maxlength", None)  # the error says how long; the browser would cut silently
    return field


# --- the team manager's safety check ------------------------------------------------------------
class SafetyCheckForm(BaseForm):
    """Before anyone contacts the family. The task's version is kept so a second manager's check
    made meanwhile is not silently overwritten."""

    submit_label = "Save the safety check"
    safe = _yes_no(
        "Is it safe to contact this family?",
        "Select yes if it is safe to contact this family",
        hint="Think about who lives with the child, anyone who should not know the family was contacted, and "
        "whether a call or a visit could put anyone at risk.",
    )
    adults_to_contact = _text(
        "Which adults may be contacted?",
        ADULTS_MAX,
        hint=f"For example: Mum (AB), not Dad. Needed if it is safe. {FREE_TEXT_HINT}",
    )
    interpreter_needed = _yes_no("Is an interpreter needed?", "Select yes if an interpreter is needed")
    interpreter_language = _text("Language (if an interpreter is needed)", LANGUAGE_MAX)
    domestic_abuse_risk = _yes_no(
        "Is there domestic abuse in the family?",
        "Select yes if there is domestic abuse in the family",
        hint="If yes, the participation officer contacts only the adult you name, at a time and in a way that is "
        "safe for them, and never leaves messages others could read or hear.",
    )
    notes = _text(
        "Notes (optional)",
        2000,
        hint=f"Any reason not to contact, or how to contact safely. {FREE_TEXT_HINT}",
        rows=3,
    )
    version = forms.IntegerField(widget=forms.HiddenInput, required=False, min_value=0)

    def __init__(self, *args: Any, task: ParticipationTask, **kwargs: Any) -> None:
        if task.safe_to_contact is not None:
            kwargs.setdefault(
                "initial",
                {
                    "safe": YES if task.safe_to_contact else NO,
                    "adults_to_contact": task.adults_to_contact,
                    "interpreter_needed": YES if task.interpreter_needed else NO,
                    "interpreter_language": task.interpreter_language,
                    "domestic_abuse_risk": YES if task.domestic_abuse_risk else NO,
                    "notes": task.safety_notes,
                },
            )
        super().__init__(*args, **kwargs)
        self.initial["version"] = task.version

    def layout_fields(self) -> list[Any]:
        return [
            Field.radios("safe", legend_size="m", inline=True),
            Field.text("adults_to_contact"),
            Field.radios("interpreter_needed", legend_size="s", inline=True),
            Field.text("interpreter_language", field_width=20),
            Field.radios("domestic_abuse_risk", legend_size="s", inline=True),
            Field.textarea("notes", rows=3),
            "version",
        ]

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean()
        if cleaned.get("safe") == YES and not (cleaned.get("adults_to_contact") or "").strip():
            self.add_error("adults_to_contact", "Say which adults may be contacted")
        if cleaned.get("interpreter_needed") == YES and not (cleaned.get("interpreter_language") or "").strip():
            self.add_error("interpreter_language", "Say which language the interpreter is needed for")
        return cleaned

    def values(self) -> dict[str, Any]:
        data = self.cleaned_data
        return {
            "safe": data["safe"] == YES,
            "adults_to_contact": data["adults_to_contact"],
            "interpreter_needed": data["interpreter_needed"] == YES,
            "interpreter_language": data["interpreter_language"],
            "domestic_abuse_risk": data["domestic_abuse_risk"] == YES,
            "notes": data["notes"],
        }


# --- the participation officer's list and task page ----------------------------------------------
class ParticipationFilterForm(forms.Form):
    """The list's filters (GET): a choice not offered is dropped with an error, the rest apply."""

    officer = forms.ChoiceField(
        label="Officer",
        required=False,
        choices=[("", "Anyone"), ("me", "Assigned to me"), ("unassigned", "Not yet assigned")],
    )
    status = forms.ChoiceField(label="Status", required=False)
    outcome = forms.ChoiceField(label="Outcome", required=False)
    team = forms.TypedChoiceField(label="Team", required=False, coerce=int, empty_value=None)

    def __init__(self, data: Any, *, teams: list[Any]) -> None:
        super().__init__(data)
        self.fields["status"].choices = [("", "Any"), *ParticipationTask.Status.choices]
        self.fields["outcome"].choices = [("", "Any"), *Outcome.choices]
        self.fields["team"].choices = [("", "All teams")] + [(t.pk, t.name) for t in teams]

    def filters(self) -> dict[str, Any]:
        self.is_valid()
        data = getattr(self, "cleaned_data", {})
        return {
            "status": data.get("status") or "",
            "outcome": data.get("outcome") or "",
            "team_id": data.get("team"),
            "officer": data.get("officer") or "",
        }


class AttemptForm(BaseForm):
    submit_label = "Log the attempt"
    attempted_on = date_field("Date of the attempt", "For example, 27 11 2026")
    method = forms.ChoiceField(
        label="How did you try to make contact?",
        choices=ContactMethod.choices,
        widget=forms.RadioSelect,
        error_messages={"required": "Choose how you tried to make contact"},
    )
    note = _text("Note (optional)", ATTEMPT_NOTE_MAX, hint=f"For example: left a voicemail. {FREE_TEXT_HINT}")

    def __init__(self, *args: Any, today: datetime.date, **kwargs: Any) -> None:
        kwargs.setdefault("auto_id", "attempt_%s")
        kwargs.setdefault("initial", {"attempted_on": today})
        super().__init__(*args, **kwargs)
        self.today = today

    def layout_fields(self) -> list[Any]:
        return ["attempted_on", Field.radios("method", legend_size="s"), Field.text("note")]

    def clean_attempted_on(self) -> datetime.date:
        day = self.cleaned_data["attempted_on"]
        if day > self.today:
            raise forms.ValidationError("The date of the attempt must be today or in the past")
        return day


class OutcomeForm(BaseForm):
    """The one outcome, closing the task. Completed comes only from submitting answers."""

    submit_label = "Record the outcome"
    outcome = forms.ChoiceField(
        label="Outcome",
        widget=forms.RadioSelect,
        error_messages={"required": "Choose an outcome", "invalid_choice": "Choose an outcome"},
    )
    reason = _text(
        "Reason",
        REASON_MAX,
        hint=f"Needed if contact is not appropriate, for example the child is too young to be asked. {FREE_TEXT_HINT}",
    )

    def __init__(self, *args: Any, attempts: int, **kwargs: Any) -> None:
        kwargs.setdefault("auto_id", "outcome_%s")
        super().__init__(*args, **kwargs)
        labels = {
            Outcome.DECLINED: ("The family declined", "They did not want to answer the questions."),
            Outcome.NO_REPLY: (
                f"No reply after {attempts} attempt{'' if attempts == 1 else 's'}",
                "Log at least one attempt first." if not attempts else "",
            ),
            Outcome.NOT_APPROPRIATE: ("Not appropriate", "Give the reason below."),
        }
        self.fields["outcome"].choices = [
            Choice(value, labels[value][0], hint=labels[value][1])
            if labels[value][1]
            else Choice(value, labels[value][0])
            for value in RECORDABLE_OUTCOMES
        ]

    def layout_fields(self) -> list[Any]:
        return [Field.radios("outcome", legend_size="m"), Field.text("reason")]

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean()
        if cleaned.get("outcome") == Outcome.NOT_APPROPRIATE and not (cleaned.get("reason") or "").strip():
            self.add_error("reason", "Say why contacting this family is not appropriate")
        return cleaned


class ResponseStartForm(BaseForm):
    submit_label = "Start the questionnaire"
    audience = forms.ChoiceField(
        label="Who are you asking?",
        choices=Audience.choices,
        widget=forms.RadioSelect,
        error_messages={"required": "Choose who you are asking"},
    )
    channel = forms.ChoiceField(
        label="How are you asking?",
        choices=[(Channel.PHONE, Channel.PHONE.label), (Channel.IN_PERSON, Channel.IN_PERSON.label)],
        widget=forms.RadioSelect,
        error_messages={"required": "Choose how you are asking"},
    )

    def layout_fields(self) -> list[Any]:
        return [Field.radios("audience", legend_size="m"), Field.radios("channel", legend_size="m", inline=True)]


# --- triage ---------------------------------------------------------------------------------------
class TriageFilterForm(forms.Form):
    assigned = forms.ChoiceField(label="Assigned to", required=False)
    status = forms.ChoiceField(
        label="Status",
        required=False,
        choices=[("open", "To read"), ("done", "Read"), ("all", "Either")],
    )
    overdue = forms.BooleanField(label="Overdue only", required=False)

    def __init__(self, data: Any, *, people: list[Any]) -> None:
        super().__init__(data)
        self.fields["assigned"].choices = [("me", "Me"), ("anyone", "Anyone")] + [
            (str(p.pk), p.full_name) for p in people
        ]

    def filters(self) -> dict[str, Any]:
        self.is_valid()
        data = getattr(self, "cleaned_data", {})
        status = data.get("status") or "open"
        return {
            "assigned": data.get("assigned") or "me",
            "status": "" if status == "all" else status,
            "overdue": bool(data.get("overdue")),
        }


class TriageReadForm(BaseForm):
    submit_label = "Mark as read"
    taken = forms.ChoiceField(
        label="What did you do after reading it?",
        choices=TriageItem.Action.choices,
        widget=forms.RadioSelect,
        error_messages={"required": "Choose what you did after reading the answer"},
    )
    note = _text("Note", NOTE_MAX, hint=f"Needed if you chose something else. {FREE_TEXT_HINT}", rows=3)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("auto_id", "read_%s")
        super().__init__(*args, **kwargs)

    def layout_fields(self) -> list[Any]:
        return [Field.radios("taken", legend_size="m"), Field.textarea("note", rows=3)]

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean()
        if cleaned.get("taken") == TriageItem.Action.OTHER and not (cleaned.get("note") or "").strip():
            self.add_error("note", "Say what you did in the note")
        return cleaned


class TriageReassignForm(BaseForm):
    submit_label = "Give it to them"
    assignee = forms.TypedChoiceField(
        label="Who should read it?",
        coerce=int,
        error_messages={"required": "Choose who should read it", "invalid_choice": "Choose someone in the QA team"},
    )

    def __init__(self, *args: Any, people: list[Any], **kwargs: Any) -> None:
        kwargs.setdefault("auto_id", "reassign_%s")
        super().__init__(*args, **kwargs)
        self.people = {p.pk: p for p in people}
        self.fields["assignee"].choices = [("", "Choose someone")] + [(p.pk, p.full_name) for p in people]

    def layout_fields(self) -> list[Any]:
        return [Field.select("assignee")]

    def clean_assignee(self) -> Any:
        return self.people[self.cleaned_data["assignee"]]


# --- the differences report -------------------------------------------------------------------------
class MonthRangeForm(forms.Form):
    """From and to months (GET), as 2026-11; a bad value falls back to the last 12 months."""

    month_from = month_field("From", "2026-01", what="first month", help_text="For example, 2026-01")
    month_to = month_field("To", "2026-11", what="last month", help_text="For example, 2026-11")

    def months(self, today: datetime.date) -> tuple[datetime.date, datetime.date]:
        last = month_start(today)
        first = (last.replace(day=1) - datetime.timedelta(days=330)).replace(day=1)
        if self.is_valid():
            first = parse_month(self.cleaned_data.get("month_from")) or first
            last = parse_month(self.cleaned_data.get("month_to")) or last
            if first > last:
                self.add_error("month_to", "The last month must be the same as or after the first")
        return first, last
