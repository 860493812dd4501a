"""Two fictional Annex A workbooks for the demo, imported so that history merges.

Both tell one generated story (``annex_a_workbook_bytes`` with the seed
``demo-annex-a:{size}:{today}``) over 15 months each: the older one up to the end of the month 13
months ago, the newer one up to the end of last month. They overlap by three months, so the
newer one updates end dates the older one could not know (plans ended, children left care) and
adds what came after. Half the children take the demo's case references as their child IDs, so
their episodes match case files and the others are listed for the QA team to add.

Deterministic and idempotent: the same size and date give byte-identical workbooks, and a
workbook imported already changes nothing.
"""

from __future__ import annotations

import datetime

from organisation.models import CaseFile, Team

from .annex_a_workbook import annex_a_workbook_bytes
from .estimates import add_months, month_end, month_start
from .services.annex_a import annex_a_import

ROWS = {"tiny": 600, "demo": 2500, "large": 20000}
MONTHS = 15


def seed_annex_a(*, size: str, today: datetime.date) -> str:
    """Import the two demo workbooks; returns a one-line summary."""
    seed = f"demo-annex-a:{size}:{today}"
    teams = list(Team.objects.order_by("code").values_list("code", flat=True))
    references = list(CaseFile.objects.order_by("case_reference").values_list("case_reference", flat=True))
    newer = month_start(today) - datetime.timedelta(days=1)
    older = month_end(add_months(newer, -12))
    parts = []
    for day in (older, newer):
        data = annex_a_workbook_bytes(
            rows=ROWS[size],
            today=day,
            seed=seed,
            months=MONTHS,
            team_codes=teams,
            case_references=references,
        )
        # The estimates are computed once, after the newer workbook.
        outcome = annex_a_import(data=data, file_name=f"annex-a-{day:%Y-%m}.xlsx", today=today, recompute=day == newer)
        snap = outcome.snapshot
        if outcome.created:
            parts.append(f"{snap.file_name}: {snap.events_added} added, {snap.events_updated} updated")
        else:
            parts.append(f"{snap.file_name}: already imported")
    return "Annex A: " + "; ".join(parts) + "."
