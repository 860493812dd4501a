"""Signals pages (seed 6.1.4): the list, one signal with its decision and the ad-hoc audit it can
open, and each series' baseline (BI and the QA team)."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import path
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from core.charts import format_value

from ..forms_signals import CONFIRM, BaselineForm, SignalDecisionForm, SignalFilterForm
from ..models import Baseline, Indicator, SeriesKind, Signal
from ..permissions import can_decide_signals, can_open_audit_from_signal, can_read_signals, can_set_baselines
from ..scopes import ScopeRef, all_scopes
from ..selectors_baskets import unit_of
from ..services import signals as services

# Each series on a page is a chart (about 0.15 s to draw the first time, then kept in memory).
PAGE_SIZE = 10


def _readable(request: HttpRequest) -> dict[str, ScopeRef]:
    """Every scope (for labels), after checking the person has the signals pages at all."""
    if not can_read_signals(request.scope):
        raise PermissionDenied
    return all_scopes()


def _signal_or_404(request: HttpRequest, signal_id: int) -> tuple[Signal, dict[str, ScopeRef]]:
    scopes = _readable(request)
    try:
        return services.signals_visible(request.scope, scopes).get(pk=signal_id), scopes
    except Signal.DoesNotExist:
        raise Http404("No signal found") from None


@require_GET
def signal_list(request: HttpRequest) -> HttpResponse:
    """Signals in the scopes this person reads, grouped by series, each series with its chart."""
    scope = request.scope
    scopes = _readable(request)
    visible = services.signals_visible(scope, scopes)
    indicators = Indicator.objects.filter(pk__in=visible.values("indicator_id")).order_by("position", "code")
    form = SignalFilterForm(request.GET or None, indicators=indicators)
    signals = form.filter(visible).order_by("-month", "indicator__position", "scope_key", "series", "rule")
    page = Paginator(signals, PAGE_SIZE).get_page(request.GET.get("page"))
    groups: dict[tuple[int, str, str], list[Signal]] = {}
    for signal in page.object_list:
        groups.setdefault((signal.indicator_id, signal.scope_key, signal.series), []).append(signal)
    # Each chart rings every signal of its series (the same chart as on a signal's page), while the
    # table beside it lists the ones on this page of the list.
    marked: dict[tuple[int, str, str], list[Signal]] = {key: [] for key in groups}
    for signal in Signal.objects.filter(
        indicator_id__in={k[0] for k in groups}, scope_key__in={k[1] for k in groups}
    ).order_by("month", "rule"):
        marked.get((signal.indicator_id, signal.scope_key, signal.series), []).append(signal)
    panels = services.series_panels(
        [(s[0].indicator, scopes[key[1]], key[2], s[0].baseline, marked[key]) for key, s in groups.items()]
    )
    query = request.GET.copy()
    query.pop("page", None)
    context = {
        "form": form,
        "page": page,
        "panels": [(panel, groups[key]) for panel, key in zip(panels, groups, strict=True)],
        "query": query.urlencode(),
        "can_decide": can_decide_signals(scope),
        "can_set_baselines": can_set_baselines(scope),
    }
    return render(request, "performance/signals/list.html", context)


@require_http_methods(["GET", "POST"])
def signal_detail(request: HttpRequest, signal_id: int) -> HttpResponse:
    """One signal: the series with its limits, the indicator's brief, the decision and its history."""
    scope = request.scope
    signal, scopes = _signal_or_404(request, signal_id)
    can_decide = can_decide_signals(scope)
    if request.method == "POST" and not can_decide:
        raise PermissionDenied
    form = SignalDecisionForm(request.POST if request.method == "POST" else None)
    if form.is_valid():
        data = form.cleaned_data
        try:
            if data["decision"] == CONFIRM:
                services.signal_confirm(signal=signal, note=data["note"], actor=request.user)
            else:
                services.signal_dismiss(signal=signal, note=data["note"], actor=request.user)
        except services.SignalError as exc:
            # Someone decided first (the form checks everything else): show what they decided.
            messages.error(request, str(exc))
        else:
            word = "confirmed" if data["decision"] == CONFIRM else "dismissed"
            messages.success(request, f"The signal has been {word}.")
        return redirect("performance:signal-detail", signal_id=signal.pk)
    series_signals = list(
        Signal.objects.filter(indicator=signal.indicator, scope_key=signal.scope_key, series=signal.series).order_by(
            "month", "rule"
        )
    )
    panel = services.series_panels(
        [(signal.indicator, scopes[signal.scope_key], signal.series, signal.baseline, series_signals)]
    )[0]
    history = list(
        Signal.history.filter(id=signal.pk).select_related("history_user").order_by("history_date", "history_id")
    )
    context = {
        "signal": signal,
        "scope_ref": scopes[signal.scope_key],
        "panel": panel,
        "form": form,
        "decisions": [h for h in history if h.status != Signal.Status.NEW],
        "can_decide": can_decide and signal.status == Signal.Status.NEW,
        "can_open_audit": (
            can_open_audit_from_signal(scope)
            and signal.status == Signal.Status.CONFIRMED
            and signal.programme_audit_id is None
        ),
        "can_set_baselines": can_set_baselines(scope),
        "period": services.signal_period(signal),
        "value_text": format_value(signal.value, unit_of(signal.indicator)),
    }
    return render(request, "performance/signals/detail.html", context)


@require_POST
def signal_open_audit(request: HttpRequest, signal_id: int) -> HttpResponse:
    """The QA team opens an ad-hoc audit from a confirmed signal."""
    signal, scopes = _signal_or_404(request, signal_id)
    if not can_open_audit_from_signal(request.scope):
        raise PermissionDenied
    try:
        programme = services.signal_open_audit(
            signal=signal, scope_label=scopes[signal.scope_key].label, actor=request.user, today=request.scope.today
        )
    except services.SignalError as exc:
        messages.error(request, str(exc))
        return redirect("performance:signal-detail", signal_id=signal.pk)
    messages.success(request, "An ad-hoc audit has been opened from the signal. Choose its tool and auditors.")
    return redirect("audits:programme-detail", programme_id=programme.pk)


# --- baselines -----------------------------------------------------------------------------------
def _managing(request: HttpRequest) -> dict[str, ScopeRef]:
    if not can_set_baselines(request.scope):
        raise PermissionDenied
    return all_scopes()


@require_GET
def baseline_list(request: HttpRequest) -> HttpResponse:
    """Every authority and service-area series with monthly figures, and its baseline."""
    scopes = _managing(request)
    held = services.series_held()
    indicators = Indicator.objects.in_bulk({h.indicator_id for h in held})
    baselines = {(b.indicator_id, b.scope_key, b.series): b for b in Baseline.objects.all()}
    rows = [
        {
            "indicator": indicators[h.indicator_id],
            "scope": scopes[h.scope_key],
            "held": h,
            "baseline": baselines.get((h.indicator_id, h.scope_key, h.series)),
        }
        for h in held
        if h.scope_key in scopes and h.indicator_id in indicators
    ]
    rows.sort(key=lambda r: (r["indicator"].position, r["indicator"].code, r["scope"].kind != "authority",
                             r["scope"].label, r["held"].series))  # fmt: skip
    return render(request, "performance/signals/baselines.html", {"rows": rows})


def _series_or_404(
    scopes: dict[str, ScopeRef], indicator_code: str, scope_key: str, series: str
) -> tuple[Indicator, ScopeRef]:
    indicator = Indicator.objects.filter(code=indicator_code).first()
    ref = scopes.get(scope_key)
    if indicator is None or ref is None or series not in SeriesKind.values:
        raise Http404("No such series")
    try:
        services.baseline_series_check(indicator=indicator, scope_key=scope_key, series=series)
    except services.BaselineError:
        raise Http404("No such series") from None
    return indicator, ref


@require_http_methods(["GET", "POST"])
def baseline(request: HttpRequest, indicator_code: str, scope_key: str, series: str) -> HttpResponse:
    """Set or recalculate one series' limits from a range of at least 15 consecutive months."""
    scopes = _managing(request)
    indicator, ref = _series_or_404(scopes, indicator_code, scope_key, series)
    current = Baseline.objects.filter(indicator=indicator, scope_key=scope_key, series=series).first()
    initial: dict[str, Any] = {}
    if current is not None:
        initial = {"first_month": f"{current.first_month:%Y-%m}", "last_month": f"{current.last_month:%Y-%m}"}
    form = BaselineForm(
        request.POST if request.method == "POST" else None, initial=initial, recalculate=current is not None
    )
    if form.is_valid():
        try:
            services.baseline_set(
                indicator=indicator,
                scope_key=scope_key,
                series=series,
                first_month=form.cleaned_data["first_month"],
                last_month=form.cleaned_data["last_month"],
                actor=request.user,
            )
        except services.SignalError as exc:
            form.add_error(None, str(exc))
        else:
            messages.success(request, "The limits have been set. Signals still to look at were checked again.")
            return redirect("performance:baseline", indicator_code=indicator.code, scope_key=scope_key, series=series)
    signals = list(
        Signal.objects.filter(indicator=indicator, scope_key=scope_key, series=series).order_by("month", "rule")
    )
    panel = services.series_panels([(indicator, ref, series, current, signals)])[0]
    context = {"form": form, "panel": panel, "baseline": current, "signals": signals}
    return render(request, "performance/signals/baseline.html", context)


urlpatterns = [
    path("signals/", signal_list, name="signal-list"),
    path("signals/<int:signal_id>/", signal_detail, name="signal-detail"),
    path("signals/<int:signal_id>/open-audit/", signal_open_audit, name="signal-open-audit"),
    path("signals/baselines/", baseline_list, name="baseline-list"),
    path("signals/baselines/<slug:indicator_code>/<str:scope_key>/<slug:series>/", baseline, name="baseline"),
]
