"""Matrix entries for BI's figures-of-record pages: BI and the QA team load figures and benchmarks;
nobody else has these pages (403)."""

from __future__ import annotations

import datetime
from typing import Any

from django.utils import timezone

from core.models import ImportBatch
from performance.models import Indicator, IndicatorType
from performance.services.figures import figures_batch_create
from tests.matrix import Entry, each

DATA_TEAM = ("bi_officer", "qa_officer", "qa_manager")


def _checked_batch(world: Any) -> dict[str, Any]:
    Indicator.objects.get_or_create(
        code="referrals", defaults={"name": "Referrals", "brief": "Demand.", "type": IndicatorType.FLOW}
    )
    end = timezone.localdate().replace(day=1) - datetime.timedelta(days=1)
    batch = figures_batch_create(
        file_name="figures.csv",
        text=f"indicator,period_start,period_end,scope,value\nreferrals,{end:%Y-%m-01},{end:%Y-%m-%d},authority,3\n",
        actor=world.people["bi_officer"],
    )
    assert batch.status == ImportBatch.Status.CHECKED
    return {"batch_id": batch.pk}


ENTRIES = {
    # An empty upload is shown again with its error.
    "performance:figures-import": (Entry({"default": (403, 403), **each(DATA_TEAM, (200, 200))}),),
    # The check only shows (POST is 405 before anything is looked up).
    "performance:figures-batch": (
        Entry({"default": (403, 405), **each(DATA_TEAM, (200, 405))}, kwargs=_checked_batch),
    ),
    # POST only; confirming goes back to the batch page (a second confirm says why not).
    "performance:figures-import-confirm": (
        Entry({"default": (405, 403), **each(DATA_TEAM, (405, 302))}, kwargs=_checked_batch),
    ),
    "performance:figures-template": (Entry({"default": (403, 405), **each(DATA_TEAM, (200, 405))}),),
    "performance:benchmarks-template": (Entry({"default": (403, 405), **each(DATA_TEAM, (200, 405))}),),
    "performance:figures-list": (Entry({"default": (403, 405), **each(DATA_TEAM, (200, 405))}),),
}
