"""Matrix entries for the basket pages: everyone who reads performance data (managers, the
whole-service roles, BI, the PSW, early help leads) reads them; others get 403. Both only show,
so POST is 405 before anything else."""

from __future__ import annotations

from tests.audits.matrix_lists import LISTERS
from tests.matrix import Entry, each

# Managers and the whole-service roles (as for the audit lists), and BI and the PSW, who read
# every scope's aggregates (performance.scopes.ALL_SCOPES_ROLES).
READERS = (*LISTERS, "principal_social_worker", "bi_officer")

ENTRIES = {
    "performance:basket-list": (Entry({"default": (403, 405), **each(READERS, (200, 405))}),),
    # Each reader's default scope is one they may read (their team, area, or the authority).
    "performance:basket": (
        Entry({"default": (403, 405), **each(READERS, (200, 405))}, kwargs=lambda world: {"basket": "front_door"}),
    ),
}
