"""Matrix entries for the Annex A pages: BI and the QA team import workbooks (an empty upload is
shown again with its error) and see the children with no case file; everyone who reads
performance data reads the reconciliation, for the scopes they may see (another team's scope is a
404, tested in test_annex_a_pages)."""

from __future__ import annotations

from tests.matrix import Entry, each

from .matrix_baskets import READERS
from .matrix_catalogue import DATA_ROLES

ENTRIES = {
    "performance:annex-a-import": (Entry({"default": (403, 403), **each(DATA_ROLES, (200, 200))}),),
    "performance:annex-a-unmatched": (Entry({"default": (403, 405), **each(DATA_ROLES, (200, 405))}),),
    "performance:reconciliation": (Entry({"default": (403, 405), **each(READERS, (200, 405))}),),
}
