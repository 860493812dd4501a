"""Forms of the practice-week pages: the QA team's schedule, a leader's activity, and the QA
team's decision on a quote. Rules beyond types and lengths live in services/weeks.py, which
names the field each refusal belongs to (see :func:`add_service_errors`)."""

from __future__ import annotations

from typing import Any

from crispy_forms_gds.layout import Field, Layout
from django import forms

from core.forms import FREE_TEXT_HINT, BaseForm, date_field
from organisation.models import ServiceArea, Team

from .forms import textarea_field
from .models import ActivityKind, PracticeWeek, PracticeWeekActivity, QuoteStatus
from .services.weeks import (
    FINDING_MAX,
    FOCUS_MAX,
    LONGEST_DAYS,
    QUOTE_MAX,
    TITLE_MAX,
    ActivityInput,
    PracticeWeekError,
    quote_fingerprint,
)

QUOTE_HINT = (
    "Leave out names and anything that identifies a child, family or worker — the QA team approves an "
    "anonymised wording before it is used."
)
QUOTE_LOCKED_HINT = "The QA team approved an anonymised wording of this quote, so it can no longer change."


def add_service_errors(form: forms.Form, exc: PracticeWeekError) -> None:
    """Show a service's refusal beside the field it is about (or at the top of the form)."""
    for field, message in exc.errors:
        form.add_error(field if field in form.fields else None, message)


# --- scheduling (the QA team) ----------------------------------------------------------------------
class PracticeWeekForm(BaseForm):
    submit_label = "Schedule the practice week"
    title = forms.CharField(
        label="Title",
        max_length=TITLE_MAX,
        help_text="For example: Practice week, spring 2027.",
        error_messages={
            "required": "Enter a title for the practice week",
            "max_length": f"The title must be {TITLE_MAX} characters or fewer",
        },
    )
    starts_on = date_field("Start date", "For example, 8 3 2027")
    ends_on = date_field("End date", f"A practice week is at most {LONGEST_DAYS} days long. For example, 12 3 2027")
    focus = textarea_field(
        "Focus",
        "Optional. What leaders are asked to look at this time, for example the child's voice in plans.",
        limit=FOCUS_MAX,
    )

    def __init__(self, *args: Any, week: PracticeWeek | None = None, **kwargs: Any) -> None:
        if week is not None:
            self.submit_label = "Save the changes"
            kwargs.setdefault(
                "initial",
                {"title": week.title, "starts_on": week.starts_on, "ends_on": week.ends_on, "focus": week.focus},
            )
        super().__init__(*args, **kwargs)

    def layout_fields(self) -> list[Any]:
        return [Field.text("title"), "starts_on", "ends_on", Field.textarea("focus", rows=3, max_characters=FOCUS_MAX)]

    def week_fields(self) -> dict[str, Any]:
        """What the scheduling services take from this form."""
        return {name: self.cleaned_data[name] for name in ("title", "starts_on", "ends_on", "focus")}

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean()
        start, end = cleaned.get("starts_on"), cleaned.get("ends_on")
        if start and end and end < start:
            self.add_error("ends_on", "The end date must be the same as or after the start date")
        return cleaned


# --- activities (leaders) --------------------------------------------------------------------------
class TeamChoiceField(forms.TypedChoiceField):
    """Teams grouped by service area (an optional choice)."""

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(coerce=int, empty_value=None, required=False, **kwargs)


class ActivityForm(BaseForm):
    submit_label = "Save the activity"
    kind = forms.ChoiceField(
        label="What did you do?",
        choices=ActivityKind.choices,
        widget=forms.RadioSelect,
        error_messages={"required": "Choose what you did", "invalid_choice": "Choose what you did from the list"},
    )
    happened_on = date_field("Date", "A day within the practice week. For example, 9 3 2027")
    service_area = forms.ModelChoiceField(
        label="Service area",
        queryset=ServiceArea.objects.none(),
        empty_label="Choose a service area",
        error_messages={
            "required": "Choose the service area",
            "invalid_choice": "Choose a service area from the list",
        },
    )
    team = TeamChoiceField(
        label="Team (optional)",
        help_text="Only if the activity was with one team. It must be a team in the service area you chose.",
        error_messages={"invalid_choice": "Choose a team from the list"},
    )
    strengths = textarea_field(
        "Strengths",
        f"What is working well for children and families. Enter strengths, areas to develop or both. {FREE_TEXT_HINT}",
        limit=FINDING_MAX,
    )
    areas_to_develop = textarea_field(
        "Areas to develop", f"What would make practice even better. {FREE_TEXT_HINT}", limit=FINDING_MAX
    )
    quote = textarea_field("A quote you heard (optional)", QUOTE_HINT, limit=QUOTE_MAX)

    def __init__(self, *args: Any, activity: PracticeWeekActivity | None = None, **kwargs: Any) -> None:
        if activity is not None:
            self.submit_label = "Save the changes"
            kwargs.setdefault(
                "initial",
                {
                    "kind": activity.kind,
                    "happened_on": activity.happened_on,
                    "service_area": activity.service_area_id,
                    "team": activity.team_id,
                    "strengths": activity.strengths,
                    "areas_to_develop": activity.areas_to_develop,
                    "quote": activity.quote,
                },
            )
        super().__init__(*args, **kwargs)
        self.fields["quote"].error_messages["max_length"] = f"The quote must be {QUOTE_MAX} characters or fewer"
        self.fields["service_area"].queryset = ServiceArea.objects.order_by("name")
        self.teams = {
            t.pk: t for t in Team.objects.select_related("service_area").order_by("service_area__name", "name")
        }
        grouped: dict[str, list[tuple[int, str]]] = {}
        for team in self.teams.values():
            grouped.setdefault(team.service_area.name, []).append((team.pk, team.name))
        self.fields["team"].choices = [("", "No particular team"), *grouped.items()]
        if activity is not None and activity.quote_status == QuoteStatus.APPROVED:
            self.fields["quote"].disabled = True
            self.fields["quote"].help_text = QUOTE_LOCKED_HINT

    def layout_fields(self) -> list[Any]:
        return [
            Field.radios("kind", legend_size="m"),
            "happened_on",
            Field.select("service_area"),
            Field.select("team"),
            Field.textarea("strengths", rows=4, max_characters=FINDING_MAX),
            Field.textarea("areas_to_develop", rows=4, max_characters=FINDING_MAX),
            Field.textarea("quote", rows=3, max_characters=QUOTE_MAX),
        ]

    def clean_team(self) -> Team | None:
        pk = self.cleaned_data.get("team")
        return self.teams[pk] if pk is not None else None

    def activity_input(self) -> ActivityInput:
        data = self.cleaned_data
        return ActivityInput(
            kind=data["kind"],
            happened_on=data["happened_on"],
            service_area=data["service_area"],
            team=data["team"],
            strengths=data["strengths"],
            areas_to_develop=data["areas_to_develop"],
            quote=data["quote"],
        )


# --- quotes (the QA team) --------------------------------------------------------------------------
class QuoteDecisionForm(BaseForm):
    """One proposed quote: the anonymised wording to use (prefilled with the quote as heard), and
    the quote's fingerprint as the page showed it, so a quote changed since is never approved.
    The page gives two buttons that post ``decision``: approve this wording, or decline."""

    approved_text = textarea_field(
        "Anonymised wording to use",
        "Only this wording appears in the summary, without saying who said it or who heard it.",
        limit=QUOTE_MAX,
    )
    fingerprint = forms.CharField(widget=forms.HiddenInput, required=False)
    decision = forms.ChoiceField(choices=[("approve", "Approve"), ("decline", "Decline")], required=False)

    def __init__(self, *args: Any, activity: PracticeWeekActivity, number: int = 1, **kwargs: Any) -> None:
        kwargs.setdefault("prefix", f"quote-{activity.pk}")
        kwargs.setdefault(
            "initial", {"approved_text": activity.quote, "fingerprint": quote_fingerprint(activity.quote)}
        )
        super().__init__(*args, **kwargs)
        self.activity = activity
        self.fields["approved_text"].label = f"Anonymised wording of quote {number}"
        self.fields["approved_text"].error_messages["max_length"] = (
            f"The wording must be {QUOTE_MAX} characters or fewer"
        )
        # No crispy button: the template gives the two decision buttons.
        self.helper.layout = Layout(Field.textarea("approved_text", rows=3, max_characters=QUOTE_MAX), "fingerprint")

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean()
        if cleaned.get("decision") not in {"approve", "decline"}:
            raise forms.ValidationError("Choose whether to approve the wording or decline the quote")
        return cleaned
