"""Permission-matrix entries for the QA settings page: the QA manager edits (an empty POST shows
the errors), QA officers read, everyone else 403."""

from __future__ import annotations

from tests.matrix import Entry

ENTRIES: dict[str, tuple[Entry, ...]] = {
    "qa-settings": (Entry({"default": (403, 403), "qa_officer": (200, 403), "qa_manager": (200, 200)}),),
}
