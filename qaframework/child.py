"""The child page (DESIGN section 9): everything about one child, within scope.

Found by case reference, searched by POST so the reference stays out of addresses, browser
history and server logs. An unknown reference and one the person may not see get the same
"not found" answer (404), so the page never confirms that a case exists.
"""

from __future__ import annotations

from django import forms
from django.db.models import Prefetch
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import path
from django.views.decorators.http import require_http_methods

from audits.models import Action, Audit, ImmediateConcern
from audits.permissions import can_allocate_by_hand, is_auditor, is_practitioner, practitioner_sees_findings
from audits.selectors import audits_visible
from core.forms import BaseForm
from core.models import AccessLog
from observations.selectors import observations_visible
from organisation.scope import Scope


class ChildSearchForm(BaseForm):
    submit_label = "Find the child"

    case_reference = forms.CharField(
        label="Case reference",
        max_length=40,
        help_text="The child's reference in the case-management system.",
        error_messages={"required": "Enter the child's case reference"},
    )

    def clean_case_reference(self) -> str:
        return self.cleaned_data["case_reference"].strip()


def child_record(scope: Scope, case_reference: str) -> dict[str, object] | None:
    """The case file and everything about the child this person may see, or None. A fixed
    number of queries however many audits the child has: the case, siblings, audits (with the
    family-feedback outcome), one prefetch each for actions and concerns, and observations."""
    case = (
        scope.case_files()
        .select_related("team__service_area", "practitioner", "chair")
        .filter(case_reference__iexact=case_reference)
        .first()
    )
    if case is None:
        return None
    siblings = []
    if case.family_reference:
        siblings = list(
            scope.case_files()
            .filter(family_reference=case.family_reference)
            .exclude(pk=case.pk)
            .order_by("case_reference")
            .values_list("case_reference", flat=True)
        )
    audits = list(
        audits_visible(scope, Audit.objects.filter(case_file=case))
        .select_related("auditor", "tool_version__tool", "team", "participation_task")
        .prefetch_related(
            Prefetch("actions", queryset=Action.objects.select_related("owner").order_by("due_on", "pk")),
            Prefetch("concerns", queryset=ImmediateConcern.objects.order_by("-raised_at")),
        )
        .order_by("-month", "-pk")
    )
    for audit in audits:
        # The practitioner sees an audit of their own case only as their own view allows: once
        # submitted, and an Inadequate grade only after their TM has talked it through.
        audit.findings_hidden = (
            is_practitioner(scope, audit) and not is_auditor(scope, audit) and not practitioner_sees_findings(audit)
        )
    shown = [audit for audit in audits if not audit.findings_hidden]
    observations = list(
        observations_visible(scope).filter(case_file=case).select_related("observer").order_by("-observed_on", "-pk")
    )
    return {
        "observations": observations,
        "case": case,
        "siblings": siblings,
        "audits": audits,
        "actions": [action for audit in shown for action in audit.actions.all()],
        "concerns": [concern for audit in shown for concern in audit.concerns.all()],
    }


@require_http_methods(["GET", "POST"])
def child_search(request: HttpRequest) -> HttpResponse:
    scope = request.scope
    form = ChildSearchForm(request.POST if request.method == "POST" else None)
    context: dict[str, object] = {"form": form, "today": scope.today, "can_allocate": can_allocate_by_hand(scope)}
    status = 200
    if form.is_valid():
        record = child_record(scope, form.cleaned_data["case_reference"])
        if record is None:
            context["not_found"] = True
            status = 404
        else:
            AccessLog.objects.create(
                user=request.user,
                action=AccessLog.Action.VIEW,
                object_type="child",
                object_ref=record["case"].case_reference,
                path=request.path[:300],
            )
            context.update(record)
            # A fresh, empty form below the result for the next search.
            context["form"] = ChildSearchForm()
    return render(request, "qaframework/child.html", context, status=status)


urlpatterns: list = [path("child/", child_search, name="child-search")]
