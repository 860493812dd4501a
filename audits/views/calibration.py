"""Audit pages: calibration exercises (several auditors grade the same anonymised audit, then
see the spread) and auditors' training dates (DESIGN section 4, Moderation)."""

from __future__ import annotations

from types import SimpleNamespace

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.db.models import Count, Q
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import path
from django.views.decorators.http import require_http_methods, require_POST

from organisation.models import Duty

from ..forms_calibration import CalibrationNewForm, GradeReasonForm, TrainingForm
from ..models import CalibrationExercise
from ..services.calibration import (
    CalibrationConflict,
    CalibrationError,
    ResponseInput,
    auditor_training_record,
    auditor_training_visible,
    auditors_on,
    calibration_close,
    calibration_create,
    calibration_exercises_visible,
    calibration_response_for,
    calibration_response_save,
    calibration_results,
    calibration_source_audits,
    can_run_calibration,
    can_view_calibration_list,
    can_view_results,
    is_participant,
)


def _exercise_or_404(request: HttpRequest, exercise_id: int) -> CalibrationExercise:
    return get_object_or_404(calibration_exercises_visible(request.scope), pk=exercise_id)


@require_http_methods(["GET"])
def calibration_list(request: HttpRequest) -> HttpResponse:
    scope = request.scope
    if not can_view_calibration_list(scope):
        raise PermissionDenied
    exercises = list(
        calibration_exercises_visible(scope).annotate(
            participant_count=Count("participants", distinct=True),
            submitted=Count("responses", filter=Q(responses__submitted_at__isnull=False), distinct=True),
        )
    )
    return render(
        request,
        "audits/calibration/list.html",
        {"exercises": exercises, "can_run": can_run_calibration(scope)},
    )


@require_http_methods(["GET", "POST"])
def calibration_new(request: HttpRequest) -> HttpResponse:
    scope = request.scope
    if not can_run_calibration(scope):
        raise PermissionDenied
    form = CalibrationNewForm(
        request.POST if request.method == "POST" else None,
        sources=calibration_source_audits(scope),
        auditors=auditors_on(scope.today),
    )
    if form.is_valid():
        try:
            exercise = calibration_create(
                source_audit=form.cleaned_data["case_reference"],
                title=form.cleaned_data["title"],
                participants=form.cleaned_data["participants"],
                actor=request.user,
                today=scope.today,
            )
        except CalibrationError as exc:
            form.add_error(None, str(exc))
        else:
            messages.success(request, "Calibration exercise created. The auditors taking part can now grade it.")
            return redirect("audits:calibration-exercise", exercise_id=exercise.pk)
    return render(request, "audits/calibration/new.html", {"form": form})


@require_http_methods(["GET", "POST"])
def calibration_exercise(request: HttpRequest, exercise_id: int) -> HttpResponse:
    """A participant grades the anonymised copy; the QA team reads it. Nobody sees the source
    audit here, nor anyone else's grades."""
    scope = request.scope
    exercise = _exercise_or_404(request, exercise_id)
    participant = is_participant(scope, exercise)
    response = calibration_response_for(exercise=exercise, auditor=request.user) if participant else None
    editable = bool(
        participant and exercise.status == CalibrationExercise.Status.OPEN and response.submitted_at is None
    )
    if request.method == "POST" and not editable:
        raise PermissionDenied
    elements = exercise.anonymised.get("elements", [])
    data = request.POST if request.method == "POST" else None
    saved = response.element_grades if response else {}
    forms = [
        GradeReasonForm(data, code=e["code"], title=f"{e['code']} {e['title']}", initial=saved.get(e["code"], {}))
        for e in elements
    ]
    overall = GradeReasonForm(
        data,
        code="overall",
        title="the overall grade",
        initial={"grade": response.overall_grade, "reason": response.overall_reason} if response else {},
    )
    version = response.version if response else 0
    if data is not None:
        submit = data.get("action") == "submit"
        valid = all(f.is_valid() for f in [*forms, overall])
        if valid and submit:
            # Every form checked (not stopping at the first), so the summary lists every gap.
            required = [f.require() for f in [*forms, overall]]
            valid = all(required)
        if valid:
            payload = ResponseInput(
                element_grades={
                    f.code: {"grade": f.cleaned_data["grade"], "reason": f.cleaned_data["reason"]} for f in forms
                },
                overall_grade=overall.cleaned_data["grade"],
                overall_reason=overall.cleaned_data["reason"],
                version=int(data.get("version") or 0),
            )
            try:
                calibration_response_save(exercise=exercise, auditor=request.user, data=payload, submit=submit)
            except CalibrationConflict as exc:
                overall.add_error(None, str(exc))
                version = calibration_response_for(exercise=exercise, auditor=request.user).version
            except CalibrationError as exc:
                overall.add_error(None, str(exc))
            else:
                if submit:
                    messages.success(
                        request, "Your grades are submitted. You will see everyone's once the exercise closes."
                    )
                    return redirect("audits:calibration-list")
                messages.success(request, "Your grades are saved.")
                return redirect("audits:calibration-exercise", exercise_id=exercise.pk)
    has_errors = any(f.errors for f in [*forms, overall])
    context = {
        "exercise": exercise,
        "copy": exercise.anonymised,
        "pairs": list(zip(elements, forms, strict=True)),
        "overall": overall,
        "form_group": SimpleNamespace(forms=[*forms, overall]),
        "editable": editable,
        "participant": participant,
        "response": response,
        "version": version,
        "has_errors": has_errors,
        "sees_results": can_view_results(scope, exercise),
    }
    return render(request, "audits/calibration/exercise.html", context)


@require_http_methods(["GET"])
def calibration_results_view(request: HttpRequest, exercise_id: int) -> HttpResponse:
    scope = request.scope
    exercise = _exercise_or_404(request, exercise_id)
    if not can_view_results(scope, exercise):
        raise PermissionDenied
    results = calibration_results(exercise=exercise, with_names=scope.is_qa)
    context = {
        "exercise": exercise,
        "results": results,
        "rows": [*results["elements"], results["overall"]],
        "can_close": scope.is_qa and exercise.status == CalibrationExercise.Status.OPEN,
        "with_names": scope.is_qa,
    }
    return render(request, "audits/calibration/results.html", context)


@require_POST
def calibration_close_view(request: HttpRequest, exercise_id: int) -> HttpResponse:
    scope = request.scope
    exercise = _exercise_or_404(request, exercise_id)
    if not can_run_calibration(scope):
        raise PermissionDenied
    try:
        calibration_close(exercise=exercise, actor=request.user)
    except CalibrationError as exc:
        messages.error(request, str(exc))
    else:
        messages.success(request, "Exercise closed. The auditors taking part can now see the spread of grades.")
    return redirect("audits:calibration-results", exercise_id=exercise.pk)


@require_http_methods(["GET", "POST"])
def auditor_training(request: HttpRequest) -> HttpResponse:
    """The QA team records auditors' training dates; an auditor sees their own here."""
    scope = request.scope
    qa = can_run_calibration(scope)
    if not (qa or scope.has_duty(Duty.AUDITOR)):
        raise PermissionDenied
    if request.method == "POST" and not qa:
        raise PermissionDenied
    form = None
    if qa:
        form = TrainingForm(
            request.POST if request.method == "POST" else None, auditors=auditors_on(scope.today), today=scope.today
        )
        if form.is_valid():
            auditor_training_record(
                person=form.cleaned_data["person"],
                trained_on=form.cleaned_data["trained_on"],
                course=form.cleaned_data["course"],
                notes=form.cleaned_data["notes"],
                actor=request.user,
            )
            messages.success(request, "Training recorded.")
            return redirect("audits:auditor-training")
    trainings = list(auditor_training_visible(scope))
    return render(request, "audits/calibration/training.html", {"form": form, "trainings": trainings, "qa": qa})


urlpatterns = [
    path("calibration/", calibration_list, name="calibration-list"),
    path("calibration/new/", calibration_new, name="calibration-new"),
    path("calibration/training/", auditor_training, name="auditor-training"),
    path("calibration/<int:exercise_id>/", calibration_exercise, name="calibration-exercise"),
    path("calibration/<int:exercise_id>/results/", calibration_results_view, name="calibration-results"),
    path("calibration/<int:exercise_id>/close/", calibration_close_view, name="calibration-close"),
]
