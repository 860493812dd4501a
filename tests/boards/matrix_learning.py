"""Matrix entries for the learning pages (DESIGN section 9).

The PSW and the QA team (and practice leads, a duty no persona holds) read and record; the head of
service, assistant director and director read the aggregates; everyone else gets 403. The
records are area B's: the head of service (area A) gets 404 for them, never 403.
"""

from __future__ import annotations

import datetime
from typing import Any

from boards.models import LearningSummary, ReflectiveDiscussion
from tests.matrix import QA_TEAM, Entry, each

RECORDERS = ("principal_social_worker", *QA_TEAM)
READERS = (*RECORDERS, "head_of_service", "assistant_director", "director")
WHOLE_SERVICE_READERS = (*RECORDERS, "assistant_director", "director")


def _summary(world: Any) -> dict[str, Any]:
    summary = LearningSummary.objects.create(
        service_area=world.area_b,
        period_from=datetime.date(2026, 8, 1),
        period_to=datetime.date(2026, 10, 1),
        title="Area B learning",
        summary="What area B learnt.",
        written_by=world.people["principal_social_worker"],
    )
    return {"summary_id": summary.pk}


def _discussion(world: Any) -> dict[str, Any]:
    discussion = ReflectiveDiscussion.objects.create(
        held_on=datetime.date(2026, 10, 14),
        service_area=world.area_b,
        led_by=ReflectiveDiscussion.LedBy.PSW,
        facilitator=world.people["principal_social_worker"],
        topic="Area B discussion",
        attended=9,
        learning="What was learnt.",
    )
    return {"discussion_id": discussion.pk}


def _reader_page() -> Entry:
    # Pages that only show: GET only, so POST is 405 once signed in.
    return Entry({"default": (403, 405), **each(READERS, (200, 405))})


def _record_page(kwargs: Any) -> Entry:
    # Another area's record: 404 for the head of service; readers who do not record get 403; an
    # empty form is shown again with its errors.
    return Entry({"default": (403, 403), "head_of_service": (404, 404), **each(RECORDERS, (200, 200))}, kwargs=kwargs)


def _detail_page(kwargs: Any) -> Entry:
    return Entry(
        {"default": (403, 405), "head_of_service": (404, 405), **each(WHOLE_SERVICE_READERS, (200, 405))},
        kwargs=kwargs,
    )


ENTRIES = {
    "boards:learning": (_reader_page(),),
    "boards:learning-summary-list": (_reader_page(),),
    "boards:reflective-discussion-list": (_reader_page(),),
    "boards:learning-summary-new": (Entry({"default": (403, 403), **each(RECORDERS, (200, 200))}),),
    "boards:reflective-discussion-new": (Entry({"default": (403, 403), **each(RECORDERS, (200, 200))}),),
    "boards:learning-summary-detail": (_detail_page(_summary),),
    "boards:reflective-discussion-detail": (_detail_page(_discussion),),
    "boards:learning-summary-edit": (_record_page(_summary),),
    "boards:reflective-discussion-edit": (_record_page(_discussion),),
}
