"""Other voices: the list by theme and period, recording an entry, reading it and correcting it."""

from __future__ import annotations

import datetime

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse, QueryDict
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import URLPattern, path
from django.views.decorators.http import require_GET, require_http_methods

from ..forms_voices import VoiceEditForm, VoiceFilterForm, VoiceForm
from ..models import VoiceEntry, VoiceSource
from ..permissions import can_read_voices, can_record_voice
from ..services.alerts import history_version
from ..services.voices import (
    WITHHELD,
    WORKFORCE_HINT,
    VoiceConflict,
    VoiceError,
    results_text,
    voice_entry_create,
    voice_entry_update,
    voice_item,
    voice_results,
    voices_by_theme,
)

NOT_KEPT = "The entry is saved. Its results were not kept: fewer than 10 people answered the survey."


def _require(allowed: bool) -> None:
    if not allowed:
        raise PermissionDenied


@require_GET
def voice_list(request: HttpRequest) -> HttpResponse:
    """Entries by theme and period: each entry under every theme it has, newest first."""
    scope = request.scope
    _require(can_read_voices(scope))
    form = VoiceFilterForm(request.GET or None, today=scope.today)
    first, last = form.period()
    chosen = form.cleaned_data if form.is_valid() else {}
    theme = chosen.get("theme")
    groups = voices_by_theme(
        first_month=first, last_month=last, theme_id=theme.pk if theme else None, source=chosen.get("source") or ""
    )
    context = {
        "form": form,
        "groups": groups,
        "entries": len({item.entry.pk for group in groups for item in group.items}),
        "first": first,
        "last": last,
        "can_record": can_record_voice(scope),
        "withheld": WITHHELD,
    }
    return render(request, "feedback/voices/list.html", context)


def _saved_message(request: HttpRequest, entry: VoiceEntry, typed_results: bool) -> None:
    messages.success(request, NOT_KEPT if typed_results and entry.results_suppressed else "The entry is saved.")


@require_http_methods(["GET", "POST"])
def voice_new(request: HttpRequest) -> HttpResponse:
    scope = request.scope
    _require(can_record_voice(scope))
    source = request.GET.get("source", "")
    form = VoiceForm(
        request.POST if request.method == "POST" else None,
        initial={"source": source} if source in VoiceSource.values else {},
        today=scope.today,
    )
    if form.is_valid():
        data = form.voice_data()
        try:
            entry = voice_entry_create(scope=scope, actor=request.user, data=data)
        except VoiceError as exc:
            form.add_error(None, str(exc))
        else:
            _saved_message(request, entry, bool(data.results))
            return redirect("feedback:voice-detail", entry_id=entry.pk)
    return render(request, "feedback/voices/form.html", {"form": form, "entry": None, "hint": WORKFORCE_HINT})


def _entry_or_404(entry_id: int) -> VoiceEntry:
    return get_object_or_404(VoiceEntry.objects.select_related("service_area", "recorded_by"), pk=entry_id)


@require_GET
def voice_detail(request: HttpRequest, entry_id: int) -> HttpResponse:
    scope = request.scope
    _require(can_read_voices(scope))
    item = voice_item(_entry_or_404(entry_id))
    context = {"item": item, "can_edit": can_record_voice(scope), "withheld": WITHHELD, "hint": WORKFORCE_HINT}
    return render(request, "feedback/voices/detail.html", context)


def _edit_form(entry: VoiceEntry, data: QueryDict | None, *, today: datetime.date) -> VoiceEditForm:
    initial = {
        "source": entry.source,
        "happened_on": entry.happened_on,
        "service_area": entry.service_area_id,
        "themes": list(entry.themes.values_list("pk", flat=True)),
        "title": entry.title,
        "summary": entry.summary,
        "respondents": entry.respondents,
        "results": results_text(voice_results(entry)),
        "version": history_version(entry),
    }
    return VoiceEditForm(data, initial=initial, today=today)


@require_http_methods(["GET", "POST"])
def voice_edit(request: HttpRequest, entry_id: int) -> HttpResponse:
    scope = request.scope
    _require(can_record_voice(scope))
    entry = _entry_or_404(entry_id)
    data = request.POST if request.method == "POST" else None
    form = _edit_form(entry, data, today=scope.today)
    if form.is_valid():
        typed = form.voice_data()
        try:
            entry = voice_entry_update(
                scope=scope, entry=entry, actor=request.user, data=typed, version=form.cleaned_data["version"]
            )
        except VoiceConflict as exc:
            # Shown again with what was typed, against the newer version: saving again is deliberate.
            refreshed = data.copy()
            refreshed["version"] = str(history_version(entry))
            form = _edit_form(entry, refreshed, today=scope.today)
            form.is_valid()
            form.add_error(None, str(exc))
        except VoiceError as exc:
            form.add_error(None, str(exc))
        else:
            _saved_message(request, entry, bool(typed.results))
            return redirect("feedback:voice-detail", entry_id=entry.pk)
    return render(request, "feedback/voices/form.html", {"form": form, "entry": entry, "hint": WORKFORCE_HINT})


urlpatterns: list[URLPattern] = [
    path("voices/", voice_list, name="voice-list"),
    path("voices/new/", voice_new, name="voice-new"),
    path("voices/<int:entry_id>/", voice_detail, name="voice-detail"),
    path("voices/<int:entry_id>/edit/", voice_edit, name="voice-edit"),
]
