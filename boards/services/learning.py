"""Recording the learning loop (DESIGN section 9): learning summaries and reflective discussions.

Only the PSW, practice leads (by duty) and the QA team record them. They are aggregate by nature:
no case details and no names of those who took part. Each change writes one history row (who and
when); a save that changes nothing writes nothing; a stale page is refused, never overwritten.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field
from typing import Any

from django.db import transaction

from audits.models import Theme
from organisation.models import ServiceArea, User
from organisation.scope import Scope

from ..models import LearningSummary, ReflectiveDiscussion
from ..selectors_learning import can_record_learning

TITLE_MAX = 150
TOPIC_MAX = 200
TEXT_MAX = 5000
ATTENDED_MAX = 500
STALE = (
    "Someone else changed this after you opened the page. Nothing was overwritten: your changes are shown "
    "below against their version — check them and save again."
)


class LearningError(Exception):
    """A save the rules refuse; the message is shown to the person."""


class LearningConflict(LearningError):
    """The page was stale."""


def record_version(record: LearningSummary | ReflectiveDiscussion) -> int:
    """The id of the record's latest history row: its version for the stale-page check (records
    change only here, each change writing one history row)."""
    return record.history.order_by("-history_id").values_list("history_id", flat=True).first() or 0


def _require_recorder(scope: Scope, actor: User) -> None:
    if not can_record_learning(scope) or actor.pk != scope.user_id:
        raise LearningError("Only the principal social worker, practice leads and the QA team record learning")


def _text(value: str, *, limit: int, what: str) -> str:
    value = (value or "").strip()
    if not value:
        raise LearningError(f"Enter {what}")
    if len(value) > limit:
        raise LearningError(f"{what[0].upper()}{what[1:]} must be {limit:,} characters or fewer")
    return value


def _apply(record: Any, values: dict[str, Any], themes: list[Theme], actor: User) -> bool:
    """Write only what changed; True when anything did."""
    changed = [name for name, value in values.items() if getattr(record, name) != value]
    if changed:
        for name in changed:
            setattr(record, name, values[name])
        record._history_user = actor
        record.save(update_fields=[name.removesuffix("_id") for name in changed])
    wanted = {t.pk for t in themes}
    themes_changed = set(record.themes.values_list("pk", flat=True)) != wanted
    if themes_changed:
        record.themes.set(wanted)
    return bool(changed) or themes_changed


# --- learning summaries -----------------------------------------------------------------------------------
@dataclass
class SummaryData:
    period_from: datetime.date  # first month (first-of-month date)
    period_to: datetime.date  # last month (first-of-month date)
    title: str
    summary: str
    service_area: ServiceArea | None = None
    themes: list[Theme] = field(default_factory=list)


def _summary_values(data: SummaryData) -> dict[str, Any]:
    first, last = data.period_from.replace(day=1), data.period_to.replace(day=1)
    if first > last:
        raise LearningError("The first month must be the same as or before the last month")
    return {
        "period_from": first,
        "period_to": last,
        "title": _text(data.title, limit=TITLE_MAX, what="a title"),
        "summary": _text(data.summary, limit=TEXT_MAX, what="the summary"),
        "service_area_id": data.service_area.pk if data.service_area else None,
    }


@transaction.atomic
def learning_summary_create(*, scope: Scope, actor: User, data: SummaryData) -> LearningSummary:
    """The PSW, a practice lead or the QA team records what they draw from a period's themes."""
    _require_recorder(scope, actor)
    summary = LearningSummary(written_by=actor, **_summary_values(data))
    summary._history_user = actor
    summary.save()
    summary.themes.set(data.themes)
    return summary


@transaction.atomic
def learning_summary_update(
    *, scope: Scope, summary: LearningSummary, actor: User, data: SummaryData, version: int
) -> LearningSummary:
    """Correct a summary. A stale page is refused; a save that changes nothing writes nothing."""
    _require_recorder(scope, actor)
    locked = LearningSummary.objects.select_for_update(of=("self",)).get(pk=summary.pk)
    if version != record_version(locked):
        raise LearningConflict(STALE)
    _apply(locked, _summary_values(data), data.themes, actor)
    return locked


# --- reflective discussions -------------------------------------------------------------------------------
@dataclass
class DiscussionData:
    held_on: datetime.date
    led_by: str
    facilitator: User
    topic: str
    attended: int
    learning: str
    service_area: ServiceArea | None = None
    themes: list[Theme] = field(default_factory=list)


def _discussion_values(data: DiscussionData, *, today: datetime.date) -> dict[str, Any]:
    if data.held_on > today:
        raise LearningError("The date of the discussion must be today or in the past")
    if data.led_by not in ReflectiveDiscussion.LedBy.values:
        raise LearningError("Choose who led the discussion")
    if not 1 <= data.attended <= ATTENDED_MAX:
        raise LearningError(f"Enter how many took part, from 1 to {ATTENDED_MAX}")
    return {
        "held_on": data.held_on,
        "led_by": data.led_by,
        "facilitator_id": data.facilitator.pk,
        "topic": _text(data.topic, limit=TOPIC_MAX, what="the topic"),
        "attended": data.attended,
        "learning": _text(data.learning, limit=TEXT_MAX, what="what was learnt"),
        "service_area_id": data.service_area.pk if data.service_area else None,
    }


@transaction.atomic
def reflective_discussion_create(*, scope: Scope, actor: User, data: DiscussionData) -> ReflectiveDiscussion:
    """Record a reflective case or learning discussion (seed section 9): no case details, no names
    of those who took part — only how many."""
    _require_recorder(scope, actor)
    discussion = ReflectiveDiscussion(**_discussion_values(data, today=scope.today))
    discussion._history_user = actor
    discussion.save()
    discussion.themes.set(data.themes)
    return discussion


@transaction.atomic
def reflective_discussion_update(
    *, scope: Scope, discussion: ReflectiveDiscussion, actor: User, data: DiscussionData, version: int
) -> ReflectiveDiscussion:
    _require_recorder(scope, actor)
    locked = ReflectiveDiscussion.objects.select_for_update(of=("self",)).get(pk=discussion.pk)
    if version != record_version(locked):
        raise LearningConflict(STALE)
    _apply(locked, _discussion_values(data, today=scope.today), data.themes, actor)
    return locked
