"""Matrix entries for the catalogue pages: everyone who reads performance data reads the
catalogue and the population; only BI and the QA team change them (an empty form is shown again
with its errors). The catalogue is not scoped, so an unknown code is the only 404."""

from __future__ import annotations

from typing import Any

from performance.models import Indicator
from tests.matrix import QA_TEAM, Entry, each

from .matrix_baskets import READERS

DATA_ROLES = ("bi_officer", *QA_TEAM)


def _indicator(world: Any) -> dict[str, Any]:
    indicator, _ = Indicator.objects.get_or_create(
        code="visits_in_timescale_pct",
        defaults={
            "name": "Statutory visits in timescale",
            "brief": "Whether visits happen on time.",
            "sources": ["local"],
            "owner": "Performance and BI team",
            "type": "percentage",
            "baskets": ["team"],
            "target_allowed": True,
            "direction": "higher",
        },
    )
    return {"code": indicator.code}


ENTRIES = {
    "performance:indicator-list": (Entry({"default": (403, 405), **each(READERS, (200, 405))}),),
    "performance:indicator-detail": (
        Entry({"default": (403, 405), **each(READERS, (200, 405))}, kwargs=_indicator),
        Entry(
            {"default": (403, 405), **each(READERS, (404, 405))},
            kwargs=lambda world: {"code": "no_such_indicator"},
            label="unknown code",
        ),
    ),
    "performance:indicator-edit": (Entry({"default": (403, 403), **each(DATA_ROLES, (200, 200))}, kwargs=_indicator),),
    "performance:indicator-new": (Entry({"default": (403, 403), **each(DATA_ROLES, (200, 200))}),),
    # Readers see every year's population; only BI and the QA team enter or import it.
    "performance:population": (
        Entry({"default": (403, 403), **each(READERS, (200, 403)), **each(DATA_ROLES, (200, 200))}),
    ),
}
