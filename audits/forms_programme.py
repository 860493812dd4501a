"""Forms for the audit plan, thematic / ad-hoc / multi-agency audits, partner sections and
early help allocation."""

from __future__ import annotations

import datetime
from typing import Any

from crispy_forms_gds.fields import DateInputField
from django import forms

from core.forms import FREE_TEXT_HINT, BaseForm
from organisation.models import CaseType, User
from organisation.scope import Scope

from .models import AuditPlan, AuditPlanItem, AuditPlanReview, ProgrammeAudit, ToolVersion
from .services.allocation import auditors_on


class PersonChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj: User) -> str:
        return f"{obj.full_name} ({obj.job_title})" if obj.job_title else obj.full_name


class PeopleChoiceField(forms.ModelMultipleChoiceField):
    def label_from_instance(self, obj: User) -> str:
        return f"{obj.full_name} ({obj.job_title})" if obj.job_title else obj.full_name


class ToolVersionChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj: ToolVersion) -> str:
        return f"{obj.tool.name}, version {obj.number}"


def _date_field(label: str, *, required: bool = True, hint: str = "For example, 27 3 2027") -> DateInputField:
    field = DateInputField(label=label, help_text=hint, required=required, require_all_fields=False)
    field.error_messages.update(
        {
            "required": f"Enter the {label.lower()}",
            "incomplete": f"Enter the {label.lower()} as a day, month and year",
            "invalid": f"The {label.lower()} must be a real date",
        }
    )
    return field


def _safe_date(form: forms.Form, name: str) -> None:
    field = form.fields[name]
    original = field.compress

    def compress(data_list: Any) -> datetime.date | None:
        try:
            return original(data_list)
        except (forms.ValidationError, ValueError, TypeError):
            raise forms.ValidationError(f"The {str(field.label).lower()} must be a real date") from None

    field.compress = compress


# --- the audit plan ----------------------------------------------------------------------------
class PlanItemForm(BaseForm):
    submit_label = "Add to the plan"
    prefix = "item"

    theme = forms.CharField(
        label="Theme", max_length=200, error_messages={"required": "Enter the theme"}, help_text="For example: neglect."
    )
    month = forms.ChoiceField(label="Month", error_messages={"required": "Choose the month"})
    lead = PersonChoiceField(
        label="Lead",
        queryset=User.objects.none(),
        empty_label="Choose the lead",
        error_messages={"required": "Choose the lead", "invalid_choice": "Choose the lead from the list"},
    )
    scope = forms.CharField(
        label="Scope",
        max_length=300,
        help_text="Which children and teams the audit looks at.",
        error_messages={"required": "Enter the scope", "max_length": "The scope must be 300 characters or fewer"},
    )
    status = forms.ChoiceField(label="Status", choices=AuditPlanItem.Status.choices, initial="planned")

    def __init__(self, *args: Any, plan: AuditPlan, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        months = []
        for i in range(12):
            index = plan.year_starting * 12 + 3 + i
            first = datetime.date(index // 12, index % 12 + 1, 1)
            months.append((first.isoformat(), f"{first:%B %Y}"))
        self.fields["month"].choices = [("", "Choose the month"), *months]
        self.fields["lead"].queryset = User.objects.filter(is_active=True).order_by("full_name", "pk")

    def clean_month(self) -> datetime.date:
        return datetime.date.fromisoformat(self.cleaned_data["month"])


class PlanReviewForm(BaseForm):
    submit_label = "Record the review"
    prefix = "review"

    body = forms.ChoiceField(
        label="Who reviewed the plan?",
        choices=AuditPlanReview.Body.choices,
        widget=forms.RadioSelect,
        error_messages={"required": "Choose who reviewed the plan"},
    )
    reviewed_on = _date_field("Date of the review")
    notes = forms.CharField(
        label="Notes",
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=f"What was agreed or changed. {FREE_TEXT_HINT}",
    )

    def __init__(self, *args: Any, today: datetime.date, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        _safe_date(self, "reviewed_on")
        self.today = today

    def clean_reviewed_on(self) -> datetime.date:
        value = self.cleaned_data["reviewed_on"]
        if value is None:
            raise forms.ValidationError("Enter the date of the review")
        if value > self.today:
            raise forms.ValidationError("The date of the review must be today or in the past")
        return value


# --- programme audits --------------------------------------------------------------------------
class ProgrammeForm(BaseForm):
    submit_label = "Create the audit"

    kind = forms.ChoiceField(
        label="Kind of audit",
        choices=ProgrammeAudit.Kind.choices,
        widget=forms.RadioSelect,
        error_messages={"required": "Choose the kind of audit"},
    )
    title = forms.CharField(label="Title", max_length=200, error_messages={"required": "Enter a title"})
    reason = forms.ChoiceField(
        label="Why is it being done?",
        choices=ProgrammeAudit.Reason.choices,
        initial=ProgrammeAudit.Reason.PLAN,
        error_messages={"required": "Choose why the audit is being done"},
    )
    reason_detail = forms.CharField(
        label="More about the reason",
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=f"For an ad-hoc audit, the concern or signal. {FREE_TEXT_HINT}",
    )
    plan_item = forms.ModelChoiceField(
        label="Audit plan item", required=False, queryset=AuditPlanItem.objects.none(), empty_label="None"
    )
    tool_version = ToolVersionChoiceField(
        label="Audit tool", required=False, queryset=ToolVersion.objects.none(), empty_label="Choose later"
    )
    due_on = _date_field("Due date", required=False)
    partnership_run = forms.BooleanField(
        label="Run by the partnership (record its themes, findings and actions here)", required=False
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        _safe_date(self, "due_on")
        self.fields["tool_version"].queryset = (
            ToolVersion.objects.filter(status=ToolVersion.Status.PUBLISHED)
            .select_related("tool")
            .order_by("tool__name", "-number")
        )
        self.fields["plan_item"].queryset = AuditPlanItem.objects.select_related("plan").order_by("-plan", "month")

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean()
        if cleaned.get("kind") == ProgrammeAudit.Kind.AD_HOC and cleaned.get("reason") == ProgrammeAudit.Reason.PLAN:
            self.add_error("reason", "Choose why this ad-hoc audit is being opened")
        if cleaned.get("partnership_run") and cleaned.get("kind") != ProgrammeAudit.Kind.MULTI_AGENCY:
            self.add_error("partnership_run", "Only a multi-agency audit can be run by the partnership")
        return cleaned


OPEN_STATES = [("any", "Open or closed"), ("open", "Open now"), ("closed", "Closed")]
PREVIOUS = [
    ("any", "Any"),
    ("none_recent", "No audit in the last number of months below"),
    ("at_least_one", "Audited at least once before"),
]


class CriteriaForm(BaseForm):
    submit_label = "Save the criteria"
    prefix = "criteria"

    case_types = forms.MultipleChoiceField(
        label="Case types",
        required=False,
        choices=CaseType.choices,
        widget=forms.CheckboxSelectMultiple,
        help_text="Leave all unticked for every case type.",
    )
    legal_status_contains = forms.CharField(
        label="Legal status contains", required=False, max_length=60, help_text="For example: neglect, s20."
    )
    service_area_ids = forms.MultipleChoiceField(
        label="Service areas", required=False, widget=forms.CheckboxSelectMultiple
    )
    team_ids = forms.MultipleChoiceField(label="Teams", required=False, widget=forms.CheckboxSelectMultiple)
    opened_from = _date_field("Opened on or after", required=False)
    opened_to = _date_field("Opened on or before", required=False)
    open_state = forms.ChoiceField(label="Open or closed", choices=OPEN_STATES, initial="any", widget=forms.RadioSelect)
    closed_from = _date_field("Closed on or after", required=False)
    closed_to = _date_field("Closed on or before", required=False)
    previous_audits = forms.ChoiceField(
        label="Previous audits", choices=PREVIOUS, initial="any", widget=forms.RadioSelect
    )
    previous_months = forms.IntegerField(
        label="Months without an audit",
        required=False,
        min_value=1,
        max_value=60,
        widget=forms.TextInput(attrs={"inputmode": "numeric"}),
        error_messages={
            "invalid": "Months without an audit must be a whole number",
            "min_value": "Months without an audit must be 1 or more",
            "max_value": "Months without an audit must be 60 or fewer",
        },
    )
    sample_size = forms.IntegerField(
        label="Sample size",
        min_value=1,
        max_value=500,
        widget=forms.TextInput(attrs={"inputmode": "numeric"}),
        error_messages={
            "required": "Enter the sample size",
            "invalid": "The sample size must be a whole number",
            "min_value": "The sample size must be 1 or more",
            "max_value": "The sample size must be 500 or fewer",
        },
    )

    def __init__(self, *args: Any, scope: Scope, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for name in ("opened_from", "opened_to", "closed_from", "closed_to"):
            _safe_date(self, name)
        self.fields["service_area_ids"].choices = [(str(a.pk), a.name) for a in scope.service_areas().order_by("name")]
        self.fields["team_ids"].choices = [(str(t.pk), t.name) for t in scope.teams().order_by("name")]

    @classmethod
    def initial_from(cls, programme: ProgrammeAudit) -> dict[str, Any]:
        c = programme.criteria or {}
        initial: dict[str, Any] = {k: v for k, v in c.items() if k != "sampled"}
        for key in ("opened_from", "opened_to", "closed_from", "closed_to"):
            if c.get(key):
                initial[key] = datetime.date.fromisoformat(c[key])
        initial["team_ids"] = [str(x) for x in c.get("team_ids", [])]
        initial["service_area_ids"] = [str(x) for x in c.get("service_area_ids", [])]
        initial["sample_size"] = programme.sample_size
        initial.setdefault("open_state", "any")
        initial.setdefault("previous_audits", "any")
        return initial

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean()
        for start, end, label in (("opened_from", "opened_to", "opened"), ("closed_from", "closed_to", "closed")):
            if cleaned.get(start) and cleaned.get(end) and cleaned[start] > cleaned[end]:
                self.add_error(end, f"The {label} 'on or before' date must be on or after the 'on or after' date")
        if cleaned.get("previous_audits") == "none_recent" and not cleaned.get("previous_months"):
            self.add_error("previous_months", "Enter the number of months without an audit")
        if (cleaned.get("closed_from") or cleaned.get("closed_to")) and cleaned.get("open_state") == "open":
            self.add_error("open_state", "Closing dates only apply to closed case files")
        return cleaned

    def criteria(self) -> dict[str, Any]:
        c = self.cleaned_data
        out: dict[str, Any] = {
            "case_types": list(c.get("case_types") or []),
            "legal_status_contains": (c.get("legal_status_contains") or "").strip(),
            "service_area_ids": [int(x) for x in c.get("service_area_ids") or []],
            "team_ids": [int(x) for x in c.get("team_ids") or []],
            "open_state": c.get("open_state") or "any",
            "previous_audits": c.get("previous_audits") or "any",
        }
        for key in ("opened_from", "opened_to", "closed_from", "closed_to"):
            if c.get(key):
                out[key] = c[key].isoformat()
        if out["previous_audits"] == "none_recent":
            out["previous_months"] = c["previous_months"]
        return out


class AuditorsForm(BaseForm):
    submit_label = "Save the auditors"
    prefix = "auditors"

    auditors = PeopleChoiceField(
        label="Auditors",
        queryset=User.objects.none(),
        widget=forms.CheckboxSelectMultiple,
        help_text="People who hold the auditor duty today.",
        error_messages={"required": "Choose at least one auditor", "invalid_choice": "Choose auditors from the list"},
    )

    def __init__(self, *args: Any, today: datetime.date, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["auditors"].queryset = auditors_on(today)


class FindingsForm(BaseForm):
    submit_label = "Save the findings"
    prefix = "findings"

    findings = forms.CharField(
        label="Findings", required=False, widget=forms.Textarea(attrs={"rows": 5}), help_text=FREE_TEXT_HINT
    )
    recommendations = forms.CharField(
        label="Recommendations", required=False, widget=forms.Textarea(attrs={"rows": 5}), help_text=FREE_TEXT_HINT
    )
    partnership_themes = forms.CharField(
        label="Themes (a partnership-run audit)",
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text="The themes the partnership's audit looked at.",
    )
    version = forms.IntegerField(widget=forms.HiddenInput)


class ProgrammeActionForm(BaseForm):
    submit_label = "Add the action"
    prefix = "action"

    description = forms.CharField(
        label="Action",
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=FREE_TEXT_HINT,
        error_messages={"required": "Describe the action"},
    )
    owner = PersonChoiceField(
        label="Owner",
        queryset=User.objects.none(),
        empty_label="Choose the owner",
        error_messages={"required": "Choose the owner", "invalid_choice": "Choose the owner from the list"},
    )
    due_on = _date_field("Due date")

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        _safe_date(self, "due_on")
        self.fields["owner"].queryset = User.objects.filter(is_active=True).order_by("full_name", "pk")

    def clean_due_on(self) -> datetime.date:
        value = self.cleaned_data["due_on"]
        if value is None:
            raise forms.ValidationError("Enter the due date")
        return value


class PartnerSectionAddForm(BaseForm):
    submit_label = "Add the section"
    prefix = "section"

    partner = PersonChoiceField(
        label="Partner contributor",
        queryset=User.objects.none(),
        empty_label="Choose the contributor",
        error_messages={"required": "Choose the contributor", "invalid_choice": "Choose the contributor from the list"},
    )
    agency = forms.CharField(
        label="Agency",
        max_length=100,
        help_text="For example: police, health, education.",
        error_messages={"required": "Enter the agency"},
    )
    title = forms.CharField(
        label="Section title", max_length=200, error_messages={"required": "Enter the section title"}
    )
    prompt = forms.CharField(
        label="What the partner is asked",
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text="Shown to the partner above their text box.",
    )

    def __init__(self, *args: Any, today: datetime.date, **kwargs: Any) -> None:
        from .services.programme import partner_contributors

        super().__init__(*args, **kwargs)
        self.fields["partner"].queryset = partner_contributors(today=today)


class PartnerSectionForm(BaseForm):
    submit_label = "Save the section"

    content = forms.CharField(
        label="Your contribution",
        required=False,
        widget=forms.Textarea(attrs={"rows": 10}),
        help_text=f"What your agency knows and did. {FREE_TEXT_HINT}",
    )
    version = forms.IntegerField(widget=forms.HiddenInput)


class ChildAdHocForm(BaseForm):
    submit_label = "Start the ad-hoc audit"

    reason_detail = forms.CharField(
        label="Why is this child's case being audited?",
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=FREE_TEXT_HINT,
        error_messages={"required": "Enter why this child's case is being audited"},
    )


# --- early help ---------------------------------------------------------------------------------
class EarlyHelpAllocateForm(BaseForm):
    submit_label = "Allocate the chosen files"

    case_files = forms.MultipleChoiceField(
        label="Case files",
        widget=forms.CheckboxSelectMultiple,
        error_messages={"required": "Choose at least one case file", "invalid_choice": "Choose files from the list"},
    )
    auditor = PersonChoiceField(
        label="Auditor",
        queryset=User.objects.none(),
        empty_label="Choose the auditor",
        help_text="Early help co-ordinators and operational managers.",
        error_messages={"required": "Choose the auditor", "invalid_choice": "Choose the auditor from the list"},
    )

    def __init__(self, *args: Any, candidates: list[Any], auditors: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["case_files"].choices = [
            (str(c.pk), f"{c.case_reference} — {c.team.name}, opened {c.opened_on:%d %B %Y}") for c in candidates
        ]
        self.fields["auditor"].queryset = auditors
