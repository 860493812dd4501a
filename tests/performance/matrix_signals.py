"""Matrix entries for the signals pages: readers of performance data read the signals of the
authority and their service areas; BI and the QA team decide them and set baselines; only the QA
team opens an ad-hoc audit from a confirmed signal."""

from __future__ import annotations

from typing import Any

from performance.models import Indicator, Signal
from performance.services.signals import signal_confirm
from tests.matrix import QA_TEAM, Entry, each

from .matrix_baskets import READERS
from .test_signals_views import make_indicator, series_with_signal

# BI and the QA team: an empty decision or baseline form is shown again with its errors.
DATA_TEAM = ("bi_officer", *QA_TEAM)
# Who reads area A's signals: its managers, the whole-service roles, BI and the PSW.
AREA_A_READERS = (
    "team_manager_same",
    "service_manager_same",
    "head_of_service",
    "assistant_director",
    "director",
    "principal_social_worker",
    *DATA_TEAM,
)


def _signal(world: Any, scope_key: str) -> Signal:
    indicator = Indicator.objects.filter(code="referrals").first() or make_indicator()
    return series_with_signal(indicator, scope_key)


def _authority_signal(world: Any) -> dict[str, Any]:
    return {"signal_id": _signal(world, "authority").pk}


def _area_a_signal(world: Any) -> dict[str, Any]:
    return {"signal_id": _signal(world, "area:area-a").pk}


def _confirmed_signal(world: Any) -> dict[str, Any]:
    signal = _signal(world, "authority")
    signal_confirm(signal=signal, actor=world.people["bi_officer"])
    return {"signal_id": signal.pk}


def _baseline(world: Any) -> dict[str, Any]:
    _signal(world, "authority")
    return {"indicator_code": "referrals", "scope_key": "authority", "series": "record"}


ENTRIES = {
    # Every reader of performance data has the list (often empty); it only shows.
    "performance:signal-list": (Entry({"default": (403, 405), **each(READERS, (200, 405))}),),
    # Readers read a signal in their scopes; only BI and the QA team post a decision. Another
    # area's signal answers 404, before anything is decided.
    "performance:signal-detail": (
        Entry(
            {"default": (403, 403), **each(READERS, (200, 403)), **each(DATA_TEAM, (200, 200))},
            kwargs=_authority_signal,
            label="authority",
        ),
        Entry(
            {
                "default": (403, 403),
                **each(READERS, (404, 404)),
                **each(AREA_A_READERS, (200, 403)),
                **each(DATA_TEAM, (200, 200)),
            },
            kwargs=_area_a_signal,
            label="area A",
        ),
    ),
    # POST only; the QA team opens the audit (the second attempt is told why not, back on the signal).
    "performance:signal-open-audit": (
        Entry({"default": (405, 403), **each(QA_TEAM, (405, 302))}, kwargs=_confirmed_signal),
    ),
    "performance:baseline-list": (Entry({"default": (403, 405), **each(DATA_TEAM, (200, 405))}),),
    "performance:baseline": (Entry({"default": (403, 403), **each(DATA_TEAM, (200, 200))}, kwargs=_baseline),),
}
