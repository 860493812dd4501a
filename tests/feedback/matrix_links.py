"""Matrix entries for secure links: the officer's pages (make, withdraw) and the family's public
pages.

The family's pages are public, so every persona and the anonymous visitor get the same answers:
a bogus link gets the "This link cannot be used" page with 404 (unknown, expired, used and
withdrawn links all answer so); the pages behind the link answer the same 404 page to a browser
whose session holds no link, GET or POST; the thank-you and no-thank-you pages are plain pages
(200) that only show (POST 405). The link's own page is GET only (POST 405)."""

from __future__ import annotations

from typing import Any

from tests.matrix import ALL_PERSONAS, QA_TEAM, Entry, each

from .test_links import make_link, make_task

LINK_SENDERS = ("participation_officer", *QA_TEAM)
BOGUS_TOKEN = "this-is-not-a-link-that-was-ever-made-0000000"


def _ready_task(world: Any) -> dict[str, Any]:
    return {"task_id": make_task(world).pk}


def _link(world: Any) -> dict[str, Any]:
    return {"link_id": make_link(world)[0].pk}


def _everyone(statuses: tuple[int, int]) -> dict[str, tuple[int, int]]:
    return {"default": statuses, **each(ALL_PERSONAS, statuses)}


ENTRIES = {
    # The participation officer and the QA team make links (an empty POST shows the form again
    # with its error); nobody else has the page.
    "feedback:link-create": (Entry({"default": (403, 403), **each(LINK_SENDERS, (200, 200))}, kwargs=_ready_task),),
    # POST only; withdrawing goes back to the task page (a second withdrawal says why not).
    "feedback:link-withdraw": (Entry({"default": (405, 403), **each(LINK_SENDERS, (405, 302))}, kwargs=_link),),
    # Public: a bogus link gets the kind "cannot be used" page, whoever asks.
    "family:start": (Entry(_everyone((404, 405)), kwargs=lambda world: {"token": BOGUS_TOKEN}),),
    # Public, but only for a browser whose session holds a link: none here.
    "family:consent": (Entry(_everyone((404, 404))),),
    "family:questionnaire": (Entry(_everyone((404, 404))),),
    "family:saved": (Entry(_everyone((404, 405))),),
    "family:sharing": (Entry(_everyone((404, 404))),),
    "family:thanks": (Entry(_everyone((200, 405))),),
    "family:declined": (Entry(_everyone((200, 405))),),
}
