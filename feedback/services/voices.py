"""Other voices (seed 2, 3 and 6.4; DESIGN section 6): complaints and compliments, the Children in
Care Council, foster carers through the Corporate Parenting Board, learning from practice reviews
and Ofsted notifications, and the workforce's staff surveys, focus groups, exit and stay
interviews — each a dated entry tagged with one or more themes.

The workforce's voices are recorded as anonymised themes only. A staff survey's results are
shown only when at least ``SURVEY_MIN_RESPONDENTS`` people answered: below that they are not
kept at all, and every selector (pages, exports, reports) returns no results for such an entry,
so a small team's answers can never be traced to a person.
"""

from __future__ import annotations

import datetime
import re
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.db import transaction
from django.db.models import QuerySet

from audits.models import Theme
from audits.services.dip_samples import month_start
from audits.services.monthly import months_before
from organisation.models import ServiceArea, User
from organisation.scope import Scope

from ..models import SURVEY_MIN_RESPONDENTS, WORKFORCE_SOURCES, VoiceEntry, VoiceSource
from ..permissions import can_record_voice
from .alerts import history_version

TITLE_MAX = VoiceEntry._meta.get_field("title").max_length
SUMMARY_MAX = 4000
STATEMENT_MAX = 200
RESULTS_MAX = 40
RESPONDENTS_MAX = 100_000
PERIOD_MONTHS = 12
WORKFORCE_HINT = "Record anonymised themes only: no names, roles or anything that identifies a person."
WITHHELD = f"Results withheld: fewer than {SURVEY_MIN_RESPONDENTS} people answered"
STALE = "This entry was changed after you opened the page. Nothing was overwritten: check it and save again."
_PERCENT = re.compile(r"^(\d{1,3}(?:\.\d)?)\s*%?$")


class VoiceError(Exception):
    """A change the rules refuse; the message says why, for the person making it."""


class VoiceConflict(VoiceError):
    """The entry changed after the page was opened; nothing was overwritten."""


# --- survey results -------------------------------------------------------------------------------------
def results_parse(text: str) -> list[dict[str, Any]]:
    """One line per statement, ``statement | percent agreeing``; blank lines are skipped. Raises
    :class:`VoiceError` naming every line that is wrong."""
    results: list[dict[str, Any]] = []
    problems: list[str] = []
    lines = [(n, line.strip()) for n, line in enumerate((text or "").splitlines(), start=1) if line.strip()]
    if len(lines) > RESULTS_MAX:
        raise VoiceError(f"Enter {RESULTS_MAX} statements or fewer")
    for number, line in lines:
        statement, bar, percent = line.rpartition("|")
        statement = statement.strip()
        match = _PERCENT.match(percent.strip())
        if not bar or not statement:
            problems.append(f"Line {number}: write the statement, a | and the percent agreeing")
            continue
        if len(statement) > STATEMENT_MAX:
            problems.append(f"Line {number}: the statement must be {STATEMENT_MAX} characters or fewer")
            continue
        value = Decimal(match.group(1)) if match else None
        if value is None or value > 100:
            problems.append(f"Line {number}: the percent agreeing must be a number from 0 to 100")
            continue
        results.append({"statement": statement, "percent_agree": int(value) if value == int(value) else float(value)})
    if problems:
        raise VoiceError("; ".join(problems))
    return results


def results_text(results: list[dict[str, Any]]) -> str:
    """The stored results as the form's lines (the inverse of :func:`results_parse`)."""
    return "\n".join(f"{row['statement']} | {row['percent_agree']}" for row in results)


def voice_results(entry: VoiceEntry) -> list[dict[str, Any]]:
    """The results anyone may be shown: none for a survey fewer than 10 people answered. Every page,
    export and report reads results through this."""
    return [] if entry.results_suppressed else list(entry.results or [])


# --- recording ----------------------------------------------------------------------------------------
@dataclass
class VoiceData:
    source: str
    happened_on: datetime.date
    themes: list[Theme]
    title: str
    summary: str
    service_area: ServiceArea | None = None
    respondents: int | None = None
    results: list[dict[str, Any]] = field(default_factory=list)


def _checked(data: VoiceData, *, today: datetime.date) -> dict[str, Any]:
    if data.source not in VoiceSource.values:
        raise VoiceError("Choose where this came from")
    if data.happened_on > today:
        raise VoiceError("The date must be today or in the past")
    if not data.themes:
        raise VoiceError("Choose at least one theme")
    if any(not theme.active for theme in data.themes):
        raise VoiceError("Choose themes from the list")
    title, summary = (data.title or "").strip(), (data.summary or "").strip()
    if not title:
        raise VoiceError("Enter a title")
    if len(title) > TITLE_MAX:
        raise VoiceError(f"The title must be {TITLE_MAX} characters or fewer")
    if not summary:
        raise VoiceError("Enter a short summary")
    if len(summary) > SUMMARY_MAX:
        raise VoiceError(f"The summary must be {SUMMARY_MAX:,} characters or fewer")
    respondents, results = None, []
    if data.source == VoiceSource.STAFF_SURVEY:
        respondents = data.respondents
        if respondents is None or not 1 <= respondents <= RESPONDENTS_MAX:
            raise VoiceError("Enter how many people answered the survey")
        # Least data: results of a survey fewer than 10 people answered are never kept.
        results = list(data.results) if respondents >= SURVEY_MIN_RESPONDENTS else []
    return {
        "source": data.source,
        "happened_on": data.happened_on,
        "service_area": data.service_area,
        "title": title,
        "summary": summary,
        "respondents": respondents,
        "results": results,
    }


@transaction.atomic
def voice_entry_create(*, scope: Scope, actor: User, data: VoiceData) -> VoiceEntry:
    """Record a dated, themed entry from another voice."""
    if not can_record_voice(scope) or actor.pk != scope.user_id:
        raise VoiceError("Only the QA team and the principal social worker record other voices")
    entry = VoiceEntry(**_checked(data, today=scope.today), recorded_by=actor)
    entry._history_user = actor
    entry.save()
    entry.themes.set(data.themes)
    return entry


@transaction.atomic
def voice_entry_update(*, scope: Scope, entry: VoiceEntry, actor: User, data: VoiceData, version: int) -> VoiceEntry:
    """Correct an entry. A stale page is refused; a save that changes nothing writes nothing."""
    if not can_record_voice(scope) or actor.pk != scope.user_id:
        raise VoiceError("Only the QA team and the principal social worker change other voices")
    locked = VoiceEntry.objects.select_for_update().get(pk=entry.pk)
    if version != history_version(locked):
        raise VoiceConflict(STALE)
    values = _checked(data, today=scope.today)
    values["service_area_id"] = values.pop("service_area").pk if values["service_area"] else None
    changed = [name for name, value in values.items() if getattr(locked, name) != value]
    if changed:
        for name in changed:
            setattr(locked, name, values[name])
        locked._history_user = actor
        locked.save(update_fields=[name.removesuffix("_id") for name in changed])
    wanted = {t.pk for t in data.themes}
    if set(locked.themes.values_list("pk", flat=True)) != wanted:
        locked.themes.set(wanted)
    return locked


# --- reading: by theme and period ---------------------------------------------------------------------
def voice_period_default(today: datetime.date) -> tuple[datetime.date, datetime.date]:
    """The last 12 months, this one included: (first month, last month)."""
    last = month_start(today)
    return months_before(last, PERIOD_MONTHS - 1), last


@dataclass(frozen=True)
class VoiceItem:
    entry: VoiceEntry
    themes: list[Theme]
    results: list[dict[str, Any]]

    @property
    def suppressed(self) -> bool:
        return self.entry.results_suppressed

    @property
    def workforce(self) -> bool:
        return self.entry.source in WORKFORCE_SOURCES


@dataclass(frozen=True)
class VoiceGroup:
    theme: Theme
    items: list[VoiceItem]


def voice_item(entry: VoiceEntry) -> VoiceItem:
    return VoiceItem(entry=entry, themes=sorted(entry.themes.all(), key=lambda t: t.name), results=voice_results(entry))


def voice_entries(
    *, first_month: datetime.date, last_month: datetime.date, theme_id: int | None = None, source: str = ""
) -> QuerySet[VoiceEntry]:
    """Entries dated within the months (both included), newest first, with their themes."""
    last_day = months_before(month_start(last_month), -1) - datetime.timedelta(days=1)
    qs = VoiceEntry.objects.filter(happened_on__range=(month_start(first_month), last_day))
    if source:
        qs = qs.filter(source=source)
    if theme_id:
        qs = qs.filter(themes__id=theme_id)
    return qs.select_related("service_area").prefetch_related("themes").order_by("-happened_on", "-pk")


def voices_by_theme(
    *, first_month: datetime.date, last_month: datetime.date, theme_id: int | None = None, source: str = ""
) -> list[VoiceGroup]:
    """Entries grouped under each of their themes (an entry with two themes is under both), themes
    by name, newest entry first in each. Two queries, however many entries."""
    groups: dict[int, VoiceGroup] = {}
    for entry in voice_entries(first_month=first_month, last_month=last_month, theme_id=theme_id, source=source):
        item = voice_item(entry)
        for theme in item.themes:
            if theme_id and theme.pk != theme_id:
                continue
            groups.setdefault(theme.pk, VoiceGroup(theme=theme, items=[])).items.append(item)
    return sorted(groups.values(), key=lambda g: g.theme.name)


def register() -> None:
    """Hooks, loaders and sweeps of this part (none: entries are recorded by hand)."""
