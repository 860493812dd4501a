"""Matrix entry for Audit programme progress: managers and the QA team, GET only."""

from __future__ import annotations

from tests.audits.matrix_lists import LISTERS
from tests.matrix import Entry, each

ENTRIES = {
    "audit-programme-progress": (Entry({"default": (403, 405), **each(LISTERS, (200, 405))}),),
}
