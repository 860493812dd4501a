"""Permission matrix entries for the QA team's audit-tool pages (audits/views/tools.py).

Only the QA team manages tools. The tool list answers 403 to everyone else; pages about one
version or element answer 404, so nobody outside the QA team learns which versions exist.
Actions are POST only: a GET is 405 before anything is looked up.
"""

from __future__ import annotations

from typing import Any

from tests.conftest import World
from tests.matrix import QA_TEAM, Entry, each

from .factories import tool_version


# Several entries of one page share a test's database: each makes its own tool.
def _published(world: World) -> dict[str, Any]:
    return {"version_id": tool_version(key="published-tool").pk}


def _draft(world: World) -> dict[str, Any]:
    tool_version(key="drafted-tool", number=1)
    return {"version_id": tool_version(key="drafted-tool", number=2, status="draft").pk}


def _published_element(world: World) -> dict[str, Any]:
    return {"element_id": tool_version(key="published-tool").elements.get(code="A1").pk}


def _draft_element(world: World) -> dict[str, Any]:
    tool_version(key="drafted-tool", number=1)
    draft = tool_version(key="drafted-tool", number=2, status="draft")
    return {"element_id": draft.elements.get(code="A1").pk}


ENTRIES: dict[str, tuple[Entry, ...]] = {
    "audits:tool-list": (Entry({"default": (403, 405), **each(QA_TEAM, (200, 405))}),),
    "audits:tool-version-detail": (
        Entry({"default": (404, 405), **each(QA_TEAM, (200, 405))}, kwargs=_published, label="published"),
        Entry({"default": (404, 405), **each(QA_TEAM, (200, 405))}, kwargs=_draft, label="draft"),
    ),
    # GET shows the change-note form; an empty POST shows it again with its error.
    "audits:tool-version-new": (Entry({"default": (404, 404), **each(QA_TEAM, (200, 200))}, kwargs=_published),),
    # A draft's element: an empty POST shows the form again with its errors. A published
    # version's element never changes: 409, with the way forward (make a new version).
    "audits:element-edit": (
        Entry({"default": (404, 404), **each(QA_TEAM, (200, 200))}, kwargs=_draft_element, label="draft element"),
        Entry({"default": (404, 404), **each(QA_TEAM, (409, 409))}, kwargs=_published_element, label="published"),
    ),
    # The first QA persona publishes the draft and is sent back to it; the second is refused
    # (already published) and is sent back to it with the reason.
    "audits:tool-version-publish": (
        Entry({"default": (405, 404), **each(QA_TEAM, (405, 302))}, kwargs=_draft, label="draft"),
    ),
    # A published version can never be discarded: the QA team is sent back to it with the reason,
    # both ways. For a draft, GET asks "are you sure?" and POST deletes it — the first QA persona
    # would delete it for the next, so that happy path is in test_tools.py.
    "audits:tool-version-discard": (
        Entry({"default": (404, 404), **each(QA_TEAM, (302, 302))}, kwargs=_published, label="published"),
    ),
}
