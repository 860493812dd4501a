"""Smoke-test samplers for this app's URLs with parameters (gathered by ``manage.py smoke_urls``).

Each takes the smoke test's personas (``.team_manager``, ``.qa_officer``) and returns the URL's
kwargs from whatever the demo database holds, or None when there is nothing to show."""

from __future__ import annotations

from typing import Any

SAMPLERS: dict[str, Any] = {}


# --- figures of record and benchmarks ---------------------------------------------------------------
def _figures_batch(personas: Any) -> dict[str, Any] | None:
    import io

    from django.utils import timezone

    from core.csvio import write_csv
    from core.models import ImportBatch

    from .services.figures import KINDS, figures_batch_create, template_rows

    batch = ImportBatch.objects.filter(kind__in=KINDS).order_by("-pk").first()
    if batch is None:
        # A fresh demo has none: check the template's example file (rolled back with everything else).
        out = io.StringIO()
        write_csv(out, *template_rows(ImportBatch.Kind.INDICATORS, today=timezone.localdate()))
        batch = figures_batch_create(file_name="smoke.csv", text=out.getvalue(), actor=personas.qa_officer)
    return {"batch_id": batch.pk}


SAMPLERS.update(dict.fromkeys(("performance:figures-batch", "performance:figures-import-confirm"), _figures_batch))


# --- catalogue ---------------------------------------------------------------------------------------
def _indicator(personas: Any) -> dict[str, Any] | None:
    from .models import Indicator

    indicator = Indicator.objects.filter(target_allowed=True).order_by("position", "code").first()
    return {"code": indicator.code} if indicator else None


SAMPLERS["performance:indicator-detail"] = _indicator
SAMPLERS["performance:indicator-edit"] = _indicator


# --- baskets -----------------------------------------------------------------------------------------
def _basket(personas: Any) -> dict[str, Any] | None:
    from .models import Basket

    return {"basket": Basket.FRONT_DOOR.value}


SAMPLERS["performance:basket"] = _basket


# --- signals -----------------------------------------------------------------------------------------
def _signal(personas: Any) -> dict[str, Any] | None:
    from .models import Signal

    # An authority signal: the team manager reads it too (another area's would be a 404 for them).
    signal = Signal.objects.filter(scope_key="authority").order_by("-month", "pk").first()
    signal = signal or Signal.objects.order_by("-month", "pk").first()
    return {"signal_id": signal.pk} if signal else None


def _baseline(personas: Any) -> dict[str, Any] | None:
    from .models import Baseline

    baseline = Baseline.objects.select_related("indicator").order_by("scope_key", "indicator__position", "pk").first()
    if baseline is None:
        return None
    return {"indicator_code": baseline.indicator.code, "scope_key": baseline.scope_key, "series": baseline.series}


SAMPLERS.update(
    {
        "performance:signal-detail": _signal,
        "performance:signal-open-audit": _signal,
        "performance:baseline": _baseline,
    }
)
