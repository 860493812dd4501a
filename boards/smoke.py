"""Smoke-test samplers for this app's URLs with parameters (gathered by ``manage.py smoke_urls``).

Each takes the smoke test's personas and returns the URL's kwargs from whatever the demo database
holds, or None when there is nothing to show."""

from __future__ import annotations

from typing import Any

SAMPLERS: dict[str, Any] = {}


# --- the learning loop ----------------------------------------------------------------------------
def _learning_summary(personas: Any) -> dict[str, Any] | None:
    from .models import LearningSummary

    # A whole-service summary is one every reader of the learning pages may open.
    summaries = LearningSummary.objects.order_by("-period_to", "-pk")
    summary = summaries.filter(service_area__isnull=True).first() or summaries.first()
    return {"summary_id": summary.pk} if summary else None


def _reflective_discussion(personas: Any) -> dict[str, Any] | None:
    from .models import ReflectiveDiscussion

    discussions = ReflectiveDiscussion.objects.order_by("-held_on", "-pk")
    discussion = discussions.filter(service_area__isnull=True).first() or discussions.first()
    return {"discussion_id": discussion.pk} if discussion else None


SAMPLERS.update(
    {
        "boards:learning-summary-detail": _learning_summary,
        "boards:learning-summary-edit": _learning_summary,
        "boards:reflective-discussion-detail": _reflective_discussion,
        "boards:reflective-discussion-edit": _reflective_discussion,
    }
)
