"""Dip samples (seed 6.1.2): the month's theme (QA team), a manager's sample, their own list, and
the summary per theme and team for the team's clinic."""

from __future__ import annotations

from types import SimpleNamespace

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.db.models import Count, Q
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import path, reverse
from django.views.decorators.http import require_GET, require_http_methods

from ..forms_dip_samples import DipSampleItemForm, DipSampleRoundForm, DipSampleThemesForm, MonthForm, ObservationForm
from ..models import DipSample, DipSampleItem, DipSampleRound
from ..services.dip_samples import (
    FINISHED,
    DipSampleError,
    ItemAnswer,
    can_edit_dip_sample,
    can_set_dip_sample_theme,
    can_view_dip_sample_summary,
    dip_sample_mark_done,
    dip_sample_record_observation,
    dip_sample_round_create,
    dip_sample_save,
    dip_sample_set_themes,
    dip_sample_summary,
    dip_samples_visible,
)


@require_http_methods(["GET", "POST"])
def dip_sample_rounds(request: HttpRequest) -> HttpResponse:
    """The QA team's page: every month's theme, and the form that sets the next one."""
    scope = request.scope
    if not can_set_dip_sample_theme(scope):
        raise PermissionDenied
    rounds = list(
        DipSampleRound.objects.select_related("checklist__tool", "set_by").annotate(
            sample_count=Count("samples"),
            done=Count("samples", filter=Q(samples__status=DipSample.Status.DONE)),
            observations=Count("samples", filter=Q(samples__status=DipSample.Status.OBSERVATION)),
        )
    )
    taken = {r.month for r in rounds}
    form = DipSampleRoundForm(request.POST if request.method == "POST" else None, today=scope.today, taken=taken)
    if form.is_valid():
        try:
            round = dip_sample_round_create(
                month=form.cleaned_data["month"],
                theme=form.cleaned_data["theme"],
                checklist=form.cleaned_data["checklist"],
                actor=request.user,
                today=scope.today,
            )
        except DipSampleError as exc:
            form.add_error(None, str(exc))
        else:
            count = round.samples.count()
            messages.success(request, f"Theme set for {round.month:%B %Y}: {count} managers were given their sample.")
            return redirect("audits:dip-sample-rounds")
    return render(
        request,
        "audits/dip_samples/rounds.html",
        {"rounds": rounds, "form": form, "can_set": bool(form.fields["month"].choices)},
    )


def _sample_or_404(request: HttpRequest, sample_id: int) -> DipSample:
    qs = dip_samples_visible(request.scope).select_related("round__checklist__tool", "manager", "team", "service_area")
    return get_object_or_404(qs, pk=sample_id)


@require_http_methods(["GET", "POST"])
def dip_sample_detail(request: HttpRequest, sample_id: int) -> HttpResponse:
    """The manager records met / partly met / not met and a note for each file, then marks the
    sample done — or records a practice observation instead. Others in the line only look."""
    scope = request.scope
    sample = _sample_or_404(request, sample_id)
    editable = can_edit_dip_sample(scope, sample)
    if request.method == "POST" and not editable:
        raise PermissionDenied
    items = list(DipSampleItem.objects.filter(sample=sample).select_related("case_file").order_by("position"))
    data = request.POST if request.method == "POST" else None
    action = request.POST.get("action", "save") if data is not None else ""
    item_forms = [DipSampleItemForm(data if action in {"save", "done"} else None, item=i) for i in items]
    observation_form = ObservationForm(data if action == "observation" else None)
    themes_form = DipSampleThemesForm(data if action in {"save", "done"} else None, sample=sample)
    page_errors: list[str] = []
    conflicts = []
    if action == "observation" and observation_form.is_valid():
        try:
            dip_sample_record_observation(
                sample=sample, note=observation_form.cleaned_data["observation_note"], actor=request.user
            )
        except DipSampleError as exc:
            observation_form.add_error(None, str(exc))
        else:
            messages.success(request, "Practice observation recorded instead of the dip sample.")
            return redirect("audits:my-dip-samples")
    elif action in {"save", "done"} and all(f.is_valid() for f in [*item_forms, themes_form]):
        answers = [
            ItemAnswer(
                item_id=f.item.pk,
                result=f.cleaned_data["result"],
                note=f.cleaned_data["note"],
                version=f.cleaned_data["version"],
            )
            for f in item_forms
        ]
        try:
            outcome = dip_sample_save(sample=sample, answers=answers, actor=request.user)
            dip_sample_set_themes(sample=sample, themes=themes_form.cleaned_data["themes"], actor=request.user)
            conflicts = outcome.conflicts
            if conflicts:
                page_errors.append(
                    "Someone else saved a result on this page after you opened it. Nothing of theirs was "
                    "overwritten: check the files below and save again."
                )
            elif action == "done":
                dip_sample_mark_done(sample=sample, actor=request.user)
                messages.success(request, "Dip sample marked as done. Thank you.")
                return redirect("audits:my-dip-samples")
            else:
                messages.success(request, "Results saved.")
                return redirect("audits:dip-sample", sample_id=sample.pk)
        except DipSampleError as exc:
            page_errors.append(str(exc))
        if page_errors:
            # Shown again with what was typed; versions refreshed so saving again is deliberate.
            fresh = {i.pk: i for i in DipSampleItem.objects.filter(sample=sample).select_related("case_file")}
            refreshed = data.copy()
            for f in item_forms:
                refreshed[f"{f.prefix}-version"] = str(fresh[f.item.pk].version)
            item_forms = [DipSampleItemForm(refreshed, item=fresh[i.pk]) for i in items]
            for f in item_forms:
                f.is_valid()
    # Page-level problems go into the one error summary, linked to the first field.
    for message in page_errors:
        (item_forms[0] if item_forms else observation_form).add_error(None, message)
    elements = list(sample.round.checklist.elements.order_by("position"))
    has_errors = bool(observation_form.errors or themes_form.errors or any(f.errors for f in item_forms))
    context = {
        "sample": sample,
        "item_forms": item_forms,
        # One error summary for every file's form (the tag reads a group's ``forms``).
        "item_group": SimpleNamespace(forms=[*item_forms, themes_form]),
        "themes_form": themes_form,
        "themes": list(sample.themes.all()),
        "observation_form": observation_form,
        "elements": elements,
        "editable": editable,
        "has_errors": has_errors,
        "is_manager": sample.manager_id == scope.user_id,
        "finished": sample.status in FINISHED,
    }
    return render(request, "audits/dip_samples/detail.html", context)


@require_GET
def my_dip_samples(request: HttpRequest) -> HttpResponse:
    """The signed-in manager's own samples, newest month first."""
    samples = list(
        DipSample.objects.filter(manager_id=request.scope.user_id)
        .select_related("round", "team", "service_area")
        .annotate(files=Count("items"), answered=Count("items", filter=~Q(items__result="")))
        .order_by("-round__month")
    )
    return render(request, "audits/dip_samples/mine.html", {"samples": samples})


@require_GET
def dip_sample_summary_view(request: HttpRequest) -> HttpResponse:
    """Per theme and team, for the team's clinic: counts of met, partly met and not met, with notes."""
    scope = request.scope
    if not can_view_dip_sample_summary(scope):
        raise PermissionDenied
    month_form = MonthForm(request.GET or None)
    month = month_form.month_or(scope.today)
    summary = dip_sample_summary(scope=scope, month=month)
    months = list(DipSampleRound.objects.order_by("-month").values_list("month", flat=True)[:24])
    context = {
        "summary": summary,
        "month_form": month_form,
        "months": months,
        "has_errors": bool(month_form.errors),
        "month_value": request.GET.get("month") or f"{month:%Y-%m}",
        "rounds_url": reverse("audits:dip-sample-rounds") if can_set_dip_sample_theme(scope) else "",
    }
    return render(request, "audits/dip_samples/summary.html", context)


urlpatterns = [
    path("dip-samples/", dip_sample_rounds, name="dip-sample-rounds"),
    path("dip-samples/mine/", my_dip_samples, name="my-dip-samples"),
    path("dip-samples/summary/", dip_sample_summary_view, name="dip-sample-summary"),
    path("dip-samples/<int:sample_id>/", dip_sample_detail, name="dip-sample"),
]
