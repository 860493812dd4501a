"""Seeking families' views: the team manager's safety check, the participation officer's list and
task page (attempts and the one outcome), and the questionnaire completed by phone or in person."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import path
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from ..forms import (
    STALE_PAGE,
    AttemptForm,
    OutcomeForm,
    ParticipationFilterForm,
    ResponseStartForm,
    SafetyCheckForm,
)
from ..forms_questionnaire import ConsentForm, QuestionnaireAnswersForm, SharingForm
from ..models import Channel, Outcome, ParticipationTask, Response
from ..permissions import can_check_safety, can_list_participation, can_send_link, can_work_participation
from ..selectors import (
    answer_rows,
    participation_task_list,
    participation_tasks_visible,
    participation_teams,
    safety_tasks_visible,
    task_attempts,
    task_responses,
)
from ..services.participation import (
    ParticipationError,
    contact_attempt_record,
    participation_outcome_record,
    participation_safety_record,
    participation_task_assign,
)
from ..services.questionnaires import questionnaire_current
from ..services.responses import (
    ResponseConflict,
    ResponseError,
    accepts_responses,
    response_save,
    response_start,
    response_submit,
)

PAGE_SIZE = 50


def paginate(request: HttpRequest, queryset: Any) -> dict[str, Any]:
    """A page of a list and the query string its page links keep (the filters)."""
    query = request.GET.copy()
    query.pop("page", None)
    return {"page": Paginator(queryset, PAGE_SIZE).get_page(request.GET.get("page")), "query": query.urlencode()}


def _add_errors(form: Any, messages_: list[str]) -> None:
    for message in messages_:
        form.add_error(None, message)


# --- the team manager's safety check ------------------------------------------------------------
@require_http_methods(["GET", "POST"])
def participation_safety(request: HttpRequest, task_id: int) -> HttpResponse:
    """The audit team's manager says whether the family may be contacted, and how safely."""
    scope = request.scope
    if not can_check_safety(scope):
        raise PermissionDenied
    task = get_object_or_404(safety_tasks_visible(scope), pk=task_id)
    closed = task.status == ParticipationTask.Status.CLOSED
    form = SafetyCheckForm(request.POST if request.method == "POST" and not closed else None, task=task)
    if request.method == "POST" and closed:
        form.add_error(None, f"An outcome has already been recorded: {task.get_outcome_display().lower()}.")
    elif form.is_valid():
        if form.cleaned_data.get("version") != task.version:
            form.add_error(None, STALE_PAGE)
        else:
            try:
                task = participation_safety_record(task=task, actor=request.user, **form.values())
            except ParticipationError as exc:
                _add_errors(form, exc.messages)
            else:
                if task.status == ParticipationTask.Status.READY:
                    messages.success(
                        request, "Safety check saved: the participation officer can now contact the family."
                    )
                else:
                    messages.success(request, "Safety check saved: the family will not be contacted.")
                return redirect("home")
    return render(request, "feedback/participation/safety.html", {"task": task, "form": form, "closed": closed})


# --- the participation officer's list and task page ---------------------------------------------
@require_GET
def participation_list(request: HttpRequest) -> HttpResponse:
    scope = request.scope
    if not can_list_participation(scope):
        raise PermissionDenied
    form = ParticipationFilterForm(request.GET or None, teams=list(participation_teams(scope)))
    filters = form.filters() if request.GET else {"status": "", "outcome": "", "team_id": None, "officer": ""}
    context = {
        "form": form,
        **paginate(request, participation_task_list(scope, **filters)),
        "can_work": can_work_participation(scope),
    }
    return render(request, "feedback/participation/list.html", context)


def _task_or_404(request: HttpRequest, task_id: int) -> ParticipationTask:
    """A task this person sees (403 for roles without the list, 404 for a task they do not see)."""
    if not can_list_participation(request.scope):
        raise PermissionDenied
    return get_object_or_404(participation_tasks_visible(request.scope), pk=task_id)


def _task_to_work_on(request: HttpRequest, task_id: int) -> ParticipationTask:
    """As :func:`_task_or_404`, for the officer and the QA team only (readers get 403)."""
    task = _task_or_404(request, task_id)
    if not can_work_participation(request.scope):
        raise PermissionDenied
    return task


@require_POST
def participation_assign(request: HttpRequest, task_id: int) -> HttpResponse:
    """ "Assign to me", from the list or the task page."""
    task = _task_to_work_on(request, task_id)
    try:
        participation_task_assign(task=task, officer=request.user, actor=request.user)
    except ParticipationError as exc:
        messages.error(request, str(exc))
    else:
        messages.success(request, f"You have taken the task for {task.audit.case_reference}.")
    target = request.POST.get("next", "")
    if target and url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()}):
        return redirect(target)
    return redirect("feedback:participation-task", task_id=task.pk)


@require_http_methods(["GET", "POST"])
def participation_task(request: HttpRequest, task_id: int) -> HttpResponse:
    """What the officer needs to reach the family (no grades), the safety check, the attempts and
    the one outcome. POST: the outcome, or with ``action=attempt`` an attempt."""
    scope = request.scope
    task = _task_or_404(request, task_id)
    can_work = can_work_participation(scope)
    if request.method == "POST" and not can_work:
        raise PermissionDenied
    attempts = task_attempts(task)
    action = request.POST.get("action", "") if request.method == "POST" else ""
    recording_outcome = request.method == "POST" and action != "attempt"
    attempt_form = AttemptForm(request.POST if action == "attempt" else None, today=scope.today)
    outcome_form = OutcomeForm(request.POST if recording_outcome else None, attempts=len(attempts))
    if action == "attempt" and attempt_form.is_valid():
        try:
            contact_attempt_record(task=task, actor=request.user, today=scope.today, **attempt_form.cleaned_data)
        except ParticipationError as exc:
            _add_errors(attempt_form, exc.messages)
        else:
            messages.success(request, "Attempt logged.")
            return redirect("feedback:participation-task", task_id=task.pk)
    elif recording_outcome and outcome_form.is_valid():
        try:
            participation_outcome_record(task=task, actor=request.user, **outcome_form.cleaned_data)
        except ParticipationError as exc:
            _add_errors(outcome_form, exc.messages)
        else:
            messages.success(request, "Outcome recorded. The task is closed.")
            return redirect("feedback:participation-list")
    context = {
        "task": task,
        "audit": task.audit,
        "attempts": attempts,
        "responses": task_responses(task),
        "attempt_form": attempt_form,
        "outcome_form": outcome_form,
        "can_work": can_work,
        "ready": task.status == ParticipationTask.Status.READY,
        "accepts_responses": accepts_responses(task),
        "has_errors": bool(attempt_form.errors or outcome_form.errors),
        # The secure links (feedback/views/links.py fills this in).
        "links": list(task.links.all()),
        "can_send_link": can_send_link(scope, task),
    }
    return render(request, "feedback/participation/task.html", context)


# --- the questionnaire by phone or in person -------------------------------------------------------
@require_http_methods(["GET", "POST"])
def response_new(request: HttpRequest, task_id: int) -> HttpResponse:
    """Choose child or parent and how the questions are asked, then start."""
    task = _task_to_work_on(request, task_id)
    form = ResponseStartForm(request.POST if request.method == "POST" else None)
    ready = accepts_responses(task)
    if form.is_valid():
        questionnaire = questionnaire_current(audience=form.cleaned_data["audience"])
        if questionnaire is None:
            form.add_error("audience", "There is no questionnaire for this audience yet. Ask the QA team to load one.")
        else:
            try:
                response = response_start(
                    task=task,
                    questionnaire=questionnaire,
                    channel=form.cleaned_data["channel"],
                    entered_by=request.user,
                )
            except ResponseError as exc:
                _add_errors(form, exc.messages)
            else:
                return redirect("feedback:response-edit", response_id=response.pk)
    return render(request, "feedback/participation/response_new.html", {"task": task, "form": form, "ready": ready})


def _response_or_404(request: HttpRequest, response_id: int) -> Response:
    scope = request.scope
    if not can_list_participation(scope):
        raise PermissionDenied
    tasks = participation_tasks_visible(scope)
    response = get_object_or_404(
        Response.objects.select_related("questionnaire", "task__audit__team").filter(task__in=tasks.values("pk")),
        pk=response_id,
    )
    if not can_work_participation(scope):
        raise PermissionDenied
    return response


@require_http_methods(["GET", "POST"])
def response_edit(request: HttpRequest, response_id: int) -> HttpResponse:
    """Consent first; then the questions and the sharing choice. "Save" keeps a draft (versioned);
    "Submit" sends it on. A consent of no offers to record that the family declined."""
    response = _response_or_404(request, response_id)
    task = response.task
    editable = response.status == Response.Status.DRAFT and response.channel != Channel.LINK
    data = request.POST if request.method == "POST" and editable else None
    action = request.POST.get("action", "") if data is not None else ""
    context: dict[str, Any] = {"response": response, "task": task, "editable": editable, "refused": False}
    if request.method == "POST" and not editable:
        messages.error(request, "These answers can no longer be changed here.")
        return redirect("feedback:participation-task", task_id=task.pk)

    if editable and not response.consent_given:
        return _consent_step(request, response, action, context)

    answers_form = QuestionnaireAnswersForm(
        data, questionnaire=response.questionnaire, initial_answers=response.answers, submit_label=""
    )
    sharing_form = SharingForm(
        data,
        officer=True,
        submit_label="",
        initial={
            "sharing": response.sharing,
            "respondent": response.respondent,
            "respondent_name": response.respondent_name,
        },
    )
    if action == "save":
        sharing_form.fields["sharing"].required = False  # a draft may not have it yet
    status = 200
    if action in {"save", "submit"} and answers_form.is_valid() and sharing_form.is_valid():
        try:
            version = int(request.POST.get("version", ""))
        except ValueError:
            version = None
        try:
            response = response_save(
                response=response,
                answers=answers_form.answers(),
                sharing=sharing_form.cleaned_data["sharing"],
                respondent=sharing_form.cleaned_data["respondent"],
                respondent_name=sharing_form.cleaned_data["respondent_name"],
                expected_version=version,
            )
            if action == "submit":
                response_submit(response=response, actor=request.user)
                messages.success(request, "The answers are submitted. Thank you.")
                return redirect("feedback:participation-task", task_id=task.pk)
        except ResponseConflict as exc:
            answers_form.add_error(None, str(exc))
            context["version"] = exc.version
            status = 409
        except ResponseError as exc:
            _add_errors(answers_form, exc.messages)
        else:
            messages.success(request, "Answers saved. You can come back to them.")
            return redirect("feedback:response-edit", response_id=response.pk)
    context.update(
        {
            "answers_form": answers_form,
            "sharing_form": sharing_form,
            "version": context.get("version", response.version),
            "has_errors": bool(answers_form.errors or sharing_form.errors),
            "answer_rows": answer_rows(response) if not editable else [],
        }
    )
    return render(request, "feedback/participation/response_edit.html", context, status=status)


def _consent_step(request: HttpRequest, response: Response, action: str, context: dict[str, Any]) -> HttpResponse:
    """Has the person agreed to answer? Yes: the questions. No: explain, and offer to record that
    the family declined (which closes the task)."""
    task = response.task
    form = ConsentForm(request.POST if action in {"consent", "decline"} else None, officer=True, submit_label="")
    if action == "decline":
        try:
            participation_outcome_record(task=task, outcome=Outcome.DECLINED, actor=request.user)
        except ParticipationError as exc:
            form = ConsentForm(officer=True, submit_label="")
            _add_errors(form, exc.messages)
        else:
            messages.success(request, "Recorded that the family declined. The task is closed.")
            return redirect("feedback:participation-list")
    elif action == "consent" and form.is_valid():
        if form.cleaned_data["consent"]:
            try:
                response_save(response=response, consent_given=True)
            except ResponseError as exc:
                _add_errors(form, exc.messages)
            else:
                return redirect("feedback:response-edit", response_id=response.pk)
        else:
            context["refused"] = True
    context.update({"consent_form": form, "has_errors": bool(form.errors)})
    return render(request, "feedback/participation/response_consent.html", context)


urlpatterns = [
    path("participation/", participation_list, name="participation-list"),
    path("participation/<int:task_id>/", participation_task, name="participation-task"),
    path("participation/<int:task_id>/assign/", participation_assign, name="participation-assign"),
    path("participation/<int:task_id>/safety/", participation_safety, name="participation-safety"),
    path("participation/<int:task_id>/responses/new/", response_new, name="response-new"),
    path("responses/<int:response_id>/", response_edit, name="response-edit"),
]
