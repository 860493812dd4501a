"""Practice observation pages (seed 6.2): the list, recording one (agreement first), the
observer's checklist and reflective discussion, completing, the practitioner's choice of what to
share, the team's shared learning and the one-page PDF for the supervision file.

Someone who may not see an observation gets 404, never 403 (which would confirm it exists); a
page a role never has answers 403.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any
from urllib.parse import urlencode

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import URLPattern, path
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from core.forms import BaseForm
from core.models import AccessLog

from ..forms import (
    ChecklistForm,
    ConsentForm,
    DiscussionForm,
    LearningFilterForm,
    ObservationFilterForm,
    ObservationStartForm,
    ShareForm,
)
from ..models import Observation, ObservationPractitioner
from ..permissions import (
    can_choose_sharing,
    can_edit_observation,
    can_list_observations,
    can_record_observation,
    can_view_team_learning,
    is_observer,
    my_practitioner_row,
)
from ..selectors import (
    learning_teams,
    observation_criteria_rows,
    observation_for_page,
    observation_list,
    observation_months,
    shared_learning,
)
from ..services.observations import (
    CriterionAnswer,
    ObservationConflict,
    ObservationError,
    completion_problems,
    observation_complete,
    observation_record,
    observation_record_discussion,
    observation_save_checklist,
    observation_share_choose,
)

PAGE_SIZE = 50


def _observation_or_404(request: HttpRequest, observation_id: int) -> Observation:
    observation = observation_for_page(request.scope, observation_id)
    if observation is None:
        raise Http404("No observation found")
    return observation


def _log_access(request: HttpRequest, observation: Observation, action: str) -> None:
    AccessLog.objects.create(
        user=request.user,
        action=action,
        object_type="observation",
        object_ref=str(observation.pk),
        path=request.path[:300],
    )


def _observer_draft_or_redirect(request: HttpRequest, observation: Observation) -> HttpResponse | None:
    """Only the observer changes an observation (403 for others who see it), and only a draft:
    a complete one sends the observer back to read it."""
    if not is_observer(request.scope, observation):
        raise PermissionDenied
    if not can_edit_observation(request.scope, observation):
        messages.info(request, "This observation is complete: it can no longer change.")
        return redirect("observations:observation-detail", observation_id=observation.pk)
    return None


def _add_service_error(form: BaseForm, exc: ObservationError) -> None:
    form.add_error(exc.field if exc.field in form.fields else None, str(exc))


def _applied(form: BaseForm, save: Callable[[], object], *, stored_version: Callable[[], int]) -> bool:
    """Call the service; a refusal is shown on the form (a stale page keeps what was typed, with
    the stored version, so that saving again is a deliberate choice). True when it was saved."""
    try:
        save()
    except ObservationConflict as exc:
        form.add_error(None, str(exc))
        _refresh_version(form, stored_version())
        return False
    except ObservationError as exc:
        _add_service_error(form, exc)
        return False
    return True


def _form_page(
    request: HttpRequest, template: str, observation: Observation, form: BaseForm, heading: str
) -> HttpResponse:
    context = {"observation": observation, "form": form, "heading": heading, "has_errors": bool(form.errors)}
    return render(request, template, context)


def _stored_version(observation: Observation) -> int:
    return Observation.objects.values_list("version", flat=True).get(pk=observation.pk)


def _refresh_version(form: Any, version: int) -> None:
    """After a stale save: keep what was typed, with the stored version, so saving again is a
    deliberate choice to keep it (the person has been told)."""
    data = form.data.copy()
    data[form.add_prefix("version")] = str(version)
    form.data = data


# --- lists -------------------------------------------------------------------------------------------
@require_GET
def observation_list_view(request: HttpRequest) -> HttpResponse:
    """Observations this person may see: of them, by them, in their line, or all for QA."""
    scope = request.scope
    if not can_list_observations(scope):
        raise PermissionDenied
    filters = ObservationFilterForm(request.GET or None, months=observation_months(scope))
    for field in filters.fields.values():
        field.widget.attrs["class"] = "govuk-select"
    month = filters.month_value() if filters.is_bound else None
    cleaned = filters.cleaned_data if filters.is_bound and filters.is_valid() else {}
    observations = observation_list(scope, month=month, type=cleaned.get("type", ""), status=cleaned.get("status", ""))
    page = Paginator(observations, PAGE_SIZE).get_page(request.GET.get("page"))
    query = urlencode({k: v for k, v in cleaned.items() if v})
    context = {
        "filters": filters,
        "page": page,
        "query": query,
        "can_record": can_record_observation(scope),
        "user_id": scope.user_id,
    }
    return render(request, "observations/list.html", context)


@require_GET
def team_learning_view(request: HttpRequest) -> HttpResponse:
    """Learning practitioners chose to share with their team: only that, never the record."""
    scope = request.scope
    if not can_view_team_learning(scope):
        raise PermissionDenied
    teams = learning_teams(scope)
    filters = LearningFilterForm(request.GET or None, teams=teams)
    filters.fields["team"].widget.attrs["class"] = "govuk-select"
    team = filters.cleaned_data.get("team") if filters.is_bound and filters.is_valid() else None
    page = Paginator(shared_learning(scope, team=team), PAGE_SIZE).get_page(request.GET.get("page"))
    context = {
        "filters": filters,
        "page": page,
        "team": team,
        "query": f"team={team.pk}" if team else "",
    }
    return render(request, "observations/team_learning.html", context)


# --- recording -----------------------------------------------------------------------------------------
@require_http_methods(["GET", "POST"])
def observation_new(request: HttpRequest) -> HttpResponse:
    """Agreement first: "No" records nothing and says so; "Yes" saves a draft."""
    scope = request.scope
    if not can_record_observation(scope):
        raise PermissionDenied
    data = request.POST if request.method == "POST" else None
    consent = ConsentForm(data)
    details = ObservationStartForm(data, scope=scope)
    if data is not None and consent.refused:
        return render(request, "observations/no_consent.html", {})
    if data is not None and consent.is_valid() and details.is_valid():
        try:
            observation = observation_record(
                observer=request.user,
                type=details.cleaned_data["type"],
                observed_on=details.cleaned_data["observed_on"],
                practitioners=list(details.cleaned_data["practitioners"]),
                case_file=details.case_file,
                consent_given=True,
                today=scope.today,
            )
        except ObservationError as exc:
            _add_service_error(details, exc)
        else:
            messages.success(request, "Observation saved as a draft. Now record what you saw.")
            return redirect("observations:observation-edit", observation_id=observation.pk)
    context = {
        "consent": consent,
        "details": details,
        "has_errors": bool(consent.errors or details.errors),
        "has_practitioners": details.fields["practitioners"].queryset.exists(),
    }
    return render(request, "observations/new.html", context)


@require_GET
def observation_detail(request: HttpRequest, observation_id: int) -> HttpResponse:
    observation = _observation_or_404(request, observation_id)
    _log_access(request, observation, AccessLog.Action.VIEW)
    return render(request, "observations/detail.html", _detail_context(request, observation, complete_form=None))


def _detail_context(
    request: HttpRequest, observation: Observation, *, complete_form: BaseForm | None
) -> dict[str, Any]:
    scope = request.scope
    editable = can_edit_observation(scope, observation)
    return {
        "observation": observation,
        "practitioners": list(observation.practitioners.all()),
        "criteria": observation_criteria_rows(observation),
        "editable": editable,
        "problems": completion_problems(observation) if editable else [],
        "my_row": my_practitioner_row(scope, observation),
        "can_share": can_choose_sharing(scope, observation),
        "complete_form": complete_form,
        "has_errors": bool(complete_form and complete_form.errors),
    }


@require_http_methods(["GET", "POST"])
def observation_edit(request: HttpRequest, observation_id: int) -> HttpResponse:
    """The observer's record against the checklist: results, notes, strengths, areas to develop."""
    observation = _observation_or_404(request, observation_id)
    if (response := _observer_draft_or_redirect(request, observation)) is not None:
        return response
    form = ChecklistForm(request.POST if request.method == "POST" else None, observation=observation)
    if form.is_bound and form.is_valid():
        saved = _applied(
            form,
            lambda: observation_save_checklist(
                observation=observation,
                answers=[CriterionAnswer(code, result, note) for code, result, note in form.answers()],
                strengths=form.cleaned_data["strengths"],
                areas_to_develop=form.cleaned_data["areas_to_develop"],
                version=form.cleaned_data["version"],
                actor=request.user,
                themes=form.cleaned_data["themes"],
            ),
            stored_version=lambda: _stored_version(observation),
        )
        if saved:
            messages.success(request, "Observation saved.")
            return redirect("observations:observation-detail", observation_id=observation.pk)
    return _form_page(request, "observations/edit.html", observation, form, "What you saw")


@require_http_methods(["GET", "POST"])
def observation_discussion(request: HttpRequest, observation_id: int) -> HttpResponse:
    """The reflective discussion with the practitioner: required before the observation is complete."""
    scope = request.scope
    observation = _observation_or_404(request, observation_id)
    if (response := _observer_draft_or_redirect(request, observation)) is not None:
        return response
    data = request.POST if request.method == "POST" else None
    form = DiscussionForm(data, observation=observation, today=scope.today)
    if form.is_bound and form.is_valid():
        saved = _applied(
            form,
            lambda: observation_record_discussion(
                observation=observation,
                discussion_on=form.cleaned_data["discussion_on"],
                notes=form.cleaned_data["discussion_notes"],
                agreed_learning=form.cleaned_data["agreed_learning"],
                training_needs=form.cleaned_data["training_needs"],
                version=form.cleaned_data["version"],
                actor=request.user,
                today=scope.today,
            ),
            stored_version=lambda: _stored_version(observation),
        )
        if saved:
            messages.success(request, "Reflective discussion saved.")
            return redirect("observations:observation-detail", observation_id=observation.pk)
    return _form_page(request, "observations/discussion.html", observation, form, "Reflective discussion")


@require_POST
def observation_complete_view(request: HttpRequest, observation_id: int) -> HttpResponse:
    """Refused (and said why) until the checklist and the reflective discussion are recorded."""
    observation = _observation_or_404(request, observation_id)
    if not is_observer(request.scope, observation):
        raise PermissionDenied
    try:
        observation_complete(observation=observation, actor=request.user)
    except ObservationError as exc:
        # An empty bound form carries the message into the page's one error summary.
        form = BaseForm({})
        form.is_valid()
        form.add_error(None, str(exc))
        context = _detail_context(request, observation, complete_form=form)
        return render(request, "observations/detail.html", context)
    messages.success(request, "Observation complete. The practitioner has been told it is ready to read.")
    return redirect("observations:observation-detail", observation_id=observation.pk)


@require_http_methods(["GET", "POST"])
def observation_share(request: HttpRequest, observation_id: int) -> HttpResponse:
    """The practitioner's choice, for their own row only: share the learning with the team, or not."""
    scope = request.scope
    observation = _observation_or_404(request, observation_id)
    row = my_practitioner_row(scope, observation)
    if row is None:
        raise PermissionDenied
    if not can_choose_sharing(scope, observation):
        messages.info(request, "You can choose what to share once the observation is complete.")
        return redirect("observations:observation-detail", observation_id=observation.pk)
    data = request.POST if request.method == "POST" else None
    form = ShareForm(data, row=row, agreed_learning=observation.agreed_learning, today=scope.today)
    if form.is_bound and form.is_valid():
        saved = _applied(
            form,
            lambda: observation_share_choose(
                row=row,
                choice=form.cleaned_data["share_choice"],
                learning=form.cleaned_data["shared_learning"],
                presented_on=form.cleaned_data["presented_on"],
                version=form.cleaned_data["version"],
                actor=request.user,
                today=scope.today,
            ),
            stored_version=lambda: ObservationPractitioner.objects.values_list("version", flat=True).get(pk=row.pk),
        )
        if saved:
            messages.success(request, "Your choice is saved.")
            return redirect("observations:observation-detail", observation_id=observation.pk)
    return _form_page(request, "observations/share.html", observation, form, "What to share with your team")


@require_GET
def observation_pdf(request: HttpRequest, observation_id: int) -> HttpResponse:
    """The one-page PDF for the practitioner's supervision file (no case reference, no initials)."""
    # Imported here: WeasyPrint takes over a second to import, and only this page needs it
    # (every other page, the demo seeder and each worker start stay fast).
    from core.pdf import render_pdf

    observation = _observation_or_404(request, observation_id)
    context = {
        "observation": observation,
        "practitioners": list(observation.practitioners.all()),
        "criteria": observation_criteria_rows(observation),
    }
    pdf = render_pdf("pdf/observation.html", context, title=f"Practice observation, {observation.observed_on:%d %B %Y}")
    _log_access(request, observation, AccessLog.Action.EXPORT)
    response = HttpResponse(pdf, content_type="application/pdf")
    name = f"practice-observation-{observation.observed_on:%Y-%m-%d}.pdf"
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    return response


urlpatterns: list[URLPattern] = [
    path("", observation_list_view, name="observation-list"),
    path("new/", observation_new, name="observation-new"),
    path("learning/", team_learning_view, name="team-learning"),
    path("<int:observation_id>/", observation_detail, name="observation-detail"),
    path("<int:observation_id>/edit/", observation_edit, name="observation-edit"),
    path("<int:observation_id>/discussion/", observation_discussion, name="observation-discussion"),
    path("<int:observation_id>/complete/", observation_complete_view, name="observation-complete"),
    path("<int:observation_id>/share/", observation_share, name="observation-share"),
    path("<int:observation_id>/pdf/", observation_pdf, name="observation-pdf"),
]
