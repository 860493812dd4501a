"""Practice weeks (seed 6.3): twice a year service leaders spend time with frontline practitioners,
observing practice and finding out first-hand what is happening for families.

The QA team schedules each week; leaders log what they did (an activity) and what they found
(strengths, areas to develop, perhaps a quote they heard); the QA team approves an anonymised
wording of each quote before it is used. The summary for the Practice and Performance Assurance
Board (observations.selectors_weeks.practice_week_summary) is aggregate: counts, and texts
without names.

Every rule is checked here, so a form, the demo and any later import are held to the same ones.
A refusal is a :class:`PracticeWeekError` naming the form field each problem belongs to.
"""

from __future__ import annotations

import datetime
import hashlib
from collections.abc import Iterable
from dataclasses import dataclass

from django.db import transaction
from django.db.models import Q

from organisation.models import ServiceArea, Team, User

from ..models import ActivityKind, PracticeWeek, PracticeWeekActivity, QuoteStatus

TITLE_MAX = 150
FOCUS_MAX = 1000
FINDING_MAX = 2000
QUOTE_MAX = 500
# A practice week is a week; two at most, so a half-term or a bank holiday can be worked around.
LONGEST_DAYS = 14
WEEKS_A_YEAR = 2


class PracticeWeekError(Exception):
    """A change the rules refuse. ``errors`` holds (form field or None, message) pairs, so a page
    can show each message beside the field it is about."""

    def __init__(self, *errors: tuple[str | None, str]) -> None:
        super().__init__(" ".join(message for _, message in errors))
        self.errors = list(errors)


def _refuse_if(errors: list[tuple[str | None, str]]) -> None:
    if errors:
        raise PracticeWeekError(*errors)


def _text(value: str | None) -> str:
    """Free text as stored: one kind of line break, no surrounding space (browsers send CRLF)."""
    return (value or "").replace("\r\n", "\n").strip()


def quote_fingerprint(quote: str) -> str:
    """A short digest of a quote as the QA team saw it: approving a quote the leader has changed
    since the page was opened is refused rather than approving words nobody read."""
    return hashlib.sha256(_text(quote).encode()).hexdigest()[:16]


def long_date(value: datetime.date) -> str:
    """'8 June 2026' (no leading zero)."""
    return f"{value.day} {value:%B %Y}"


def week_dates(week: PracticeWeek) -> str:
    """'8 to 12 June 2026', for messages and pages."""
    start, end = week.starts_on, week.ends_on
    if start == end:
        return long_date(start)
    if (start.year, start.month) == (end.year, end.month):
        return f"{start.day} to {long_date(end)}"
    if start.year == end.year:
        return f"{start.day} {start:%B} to {long_date(end)}"
    return f"{long_date(start)} to {long_date(end)}"


# --- scheduling (the QA team) ----------------------------------------------------------------------
def _week_problems(
    *,
    title: str,
    starts_on: datetime.date,
    ends_on: datetime.date,
    focus: str,
    exclude_pk: int | None,
    today: datetime.date,
) -> list[tuple[str | None, str]]:
    """Every reason a week's title, dates and focus are refused, each with its field."""
    errors: list[tuple[str | None, str]] = []
    if not title:
        errors.append(("title", "Enter a title for the practice week"))
    elif len(title) > TITLE_MAX:
        errors.append(("title", f"The title must be {TITLE_MAX} characters or fewer"))
    if len(focus) > FOCUS_MAX:
        errors.append(("focus", f"The focus must be {FOCUS_MAX:,} characters or fewer"))
    if ends_on < starts_on:
        errors.append(("ends_on", "The end date must be the same as or after the start date"))
        return errors
    if (ends_on - starts_on).days + 1 > LONGEST_DAYS:
        errors.append(("ends_on", f"A practice week can be at most {LONGEST_DAYS} days long"))
        return errors
    if ends_on < today:
        errors.append(
            ("ends_on", "The end date must be today or in the future: a week that has ended cannot be scheduled")
        )
        return errors
    others = PracticeWeek.objects.filter(starts_on__lte=ends_on, ends_on__gte=starts_on)
    if exclude_pk is not None:
        others = others.exclude(pk=exclude_pk)
    clash = others.order_by("starts_on").first()
    if clash is not None:
        errors.append(
            (
                "starts_on",
                f"These dates overlap {clash.title} ({week_dates(clash)}): choose dates that do not overlap "
                "another practice week",
            )
        )
    return errors


@transaction.atomic
def practice_week_schedule(
    *,
    title: str,
    starts_on: datetime.date,
    ends_on: datetime.date,
    focus: str,
    actor: User,
    today: datetime.date,
) -> PracticeWeek:
    """Schedule a practice week. Its end must be today or later, it lasts at most
    LONGEST_DAYS days, and it never overlaps another week."""
    title, focus = _text(title), _text(focus)
    _refuse_if(
        _week_problems(title=title, starts_on=starts_on, ends_on=ends_on, focus=focus, exclude_pk=None, today=today)
    )
    week = PracticeWeek(title=title, starts_on=starts_on, ends_on=ends_on, focus=focus, scheduled_by=actor)
    week._history_user = actor
    week.save()
    return week


@transaction.atomic
def practice_week_update(
    *,
    week: PracticeWeek,
    title: str,
    starts_on: datetime.date,
    ends_on: datetime.date,
    focus: str,
    actor: User,
    today: datetime.date,
) -> PracticeWeek:
    """Change a week's title, dates or focus, until it ends. Activities already logged must still
    fall within its dates. A save that changes nothing writes nothing."""
    locked = PracticeWeek.objects.select_for_update().get(pk=week.pk)
    if locked.ends_on < today:
        raise PracticeWeekError((None, "This practice week has ended: its dates and focus can no longer change."))
    title, focus = _text(title), _text(focus)
    errors = _week_problems(
        title=title, starts_on=starts_on, ends_on=ends_on, focus=focus, exclude_pk=locked.pk, today=today
    )
    outside = (
        PracticeWeekActivity.objects.filter(week=locked)
        .filter(Q(happened_on__lt=starts_on) | Q(happened_on__gt=ends_on))
        .order_by("happened_on")
        .values_list("happened_on", flat=True)
        .first()
    )
    if outside is not None and not errors:
        errors.append(
            ("starts_on", f"An activity is already logged on {long_date(outside)}: the week must include that date")
        )
    _refuse_if(errors)
    new = {"title": title, "starts_on": starts_on, "ends_on": ends_on, "focus": focus}
    changed = [name for name, value in new.items() if getattr(locked, name) != value]
    if changed:
        for name in changed:
            setattr(locked, name, new[name])
        locked._history_user = actor
        locked.save(update_fields=changed)
    return locked


def practice_week_started(week: PracticeWeek, *, today: datetime.date) -> bool:
    """Leaders log activities once the week has begun (and afterwards, for days within it)."""
    return week.starts_on <= today


def practice_week_editable(week: PracticeWeek, *, today: datetime.date) -> bool:
    """The QA team may change a week's dates and focus until it ends."""
    return week.ends_on >= today


# --- activities (leaders) --------------------------------------------------------------------------
@dataclass(frozen=True)
class ActivityInput:
    """What a leader records about one activity, as typed (checked by the services)."""

    kind: str
    happened_on: datetime.date
    service_area: ServiceArea
    team: Team | None
    strengths: str
    areas_to_develop: str
    quote: str


def _activity_problems(
    week: PracticeWeek, data: ActivityInput, *, today: datetime.date
) -> tuple[list[tuple[str | None, str]], dict[str, str]]:
    errors: list[tuple[str | None, str]] = []
    texts = {
        "strengths": _text(data.strengths),
        "areas_to_develop": _text(data.areas_to_develop),
        "quote": _text(data.quote),
    }
    if data.kind not in ActivityKind.values:
        errors.append(("kind", "Choose what you did"))
    if not practice_week_started(week, today=today):
        errors.append((None, f"{week.title} starts on {long_date(week.starts_on)}: log activities from then."))
    elif not week.starts_on <= data.happened_on <= week.ends_on:
        errors.append(("happened_on", f"The date must be within the practice week, {week_dates(week)}"))
    elif data.happened_on > today:
        errors.append(("happened_on", "The date must be today or in the past"))
    if data.team is not None and data.team.service_area_id != data.service_area.pk:
        errors.append(("team", f"{data.team.name} is not in {data.service_area.name}: choose a team in that area"))
    if not texts["strengths"] and not texts["areas_to_develop"]:
        errors.append(("strengths", "Enter the strengths you found, the areas to develop, or both"))
    for name, label in (("strengths", "Strengths"), ("areas_to_develop", "Areas to develop")):
        if len(texts[name]) > FINDING_MAX:
            errors.append((name, f"{label} must be {FINDING_MAX:,} characters or fewer"))
    if len(texts["quote"]) > QUOTE_MAX:
        errors.append(("quote", f"The quote must be {QUOTE_MAX} characters or fewer"))
    return errors, texts


@transaction.atomic
def practice_week_activity_log(
    *, week: PracticeWeek, leader: User, data: ActivityInput, today: datetime.date
) -> PracticeWeekActivity:
    """Log one activity of a leader's practice week. A quote makes it wait for the QA team's
    approval of an anonymised wording (quote_status "proposed")."""
    errors, texts = _activity_problems(week, data, today=today)
    _refuse_if(errors)
    activity = PracticeWeekActivity(
        week=week,
        leader=leader,
        kind=data.kind,
        happened_on=data.happened_on,
        service_area=data.service_area,
        team=data.team,
        strengths=texts["strengths"],
        areas_to_develop=texts["areas_to_develop"],
        quote=texts["quote"],
        quote_status=QuoteStatus.PROPOSED if texts["quote"] else QuoteStatus.NONE,
    )
    activity._history_user = leader
    activity.save()
    return activity


@transaction.atomic
def practice_week_activity_update(
    *, activity: PracticeWeekActivity, data: ActivityInput, actor: User, today: datetime.date
) -> PracticeWeekActivity:
    """The leader changes their own activity. Once the QA team has approved a wording of its
    quote, the quote is locked; a changed quote waits for approval again. A save that changes
    nothing writes nothing."""
    locked = PracticeWeekActivity.objects.select_for_update(of=("self",)).select_related("week").get(pk=activity.pk)
    if locked.leader_id != actor.pk:
        raise PracticeWeekError((None, "Only the leader who logged an activity can change it."))
    errors, texts = _activity_problems(locked.week, data, today=today)
    quote_changed = texts["quote"] != locked.quote
    if quote_changed and locked.quote_status == QuoteStatus.APPROVED:
        errors.append(("quote", "The QA team has approved a wording of this quote: it can no longer change"))
    _refuse_if(errors)
    new: dict[str, object] = {
        "kind": data.kind,
        "happened_on": data.happened_on,
        "service_area_id": data.service_area.pk,
        "team_id": data.team.pk if data.team else None,
        "strengths": texts["strengths"],
        "areas_to_develop": texts["areas_to_develop"],
    }
    if quote_changed:
        # A new quote (or a changed one) waits for the QA team; an emptied one has nothing to approve.
        new |= {
            "quote": texts["quote"],
            "quote_status": QuoteStatus.PROPOSED if texts["quote"] else QuoteStatus.NONE,
            "quote_approved_text": "",
            "quote_approved_by_id": None,
        }
    changed = [name for name, value in new.items() if getattr(locked, name) != value]
    if changed:
        for name in changed:
            setattr(locked, name, new[name])
        locked._history_user = actor
        locked.save(update_fields=[name.removesuffix("_id") for name in changed])
    return locked


# --- quotes (the QA team) --------------------------------------------------------------------------
def _locked_proposed(activity: PracticeWeekActivity, fingerprint: str) -> PracticeWeekActivity:
    locked = PracticeWeekActivity.objects.select_for_update().get(pk=activity.pk)
    if locked.quote_status != QuoteStatus.PROPOSED:
        raise PracticeWeekError(
            (None, f"This quote is no longer waiting for approval: it is {locked.get_quote_status_display().lower()}.")
        )
    if fingerprint != quote_fingerprint(locked.quote):
        raise PracticeWeekError(
            (None, "The leader changed this quote after you opened the page. Read the new words and decide again.")
        )
    return locked


@transaction.atomic
def practice_week_quote_approve(
    *, activity: PracticeWeekActivity, approved_text: str, fingerprint: str, actor: User
) -> PracticeWeekActivity:
    """Approve an anonymised wording of a proposed quote: only this wording is ever shown in the
    summary, unattributed."""
    locked = _locked_proposed(activity, fingerprint)
    wording = _text(approved_text)
    if not wording:
        raise PracticeWeekError(("approved_text", "Enter the anonymised wording to use"))
    if len(wording) > QUOTE_MAX:
        raise PracticeWeekError(("approved_text", f"The wording must be {QUOTE_MAX} characters or fewer"))
    locked.quote_status = QuoteStatus.APPROVED
    locked.quote_approved_text = wording
    locked.quote_approved_by = actor
    locked._history_user = actor
    locked.save(update_fields=["quote_status", "quote_approved_text", "quote_approved_by"])
    return locked


@transaction.atomic
def practice_week_quote_decline(
    *, activity: PracticeWeekActivity, fingerprint: str, actor: User
) -> PracticeWeekActivity:
    """The quote is not to be used (it cannot be anonymised, or says too much)."""
    locked = _locked_proposed(activity, fingerprint)
    locked.quote_status = QuoteStatus.DECLINED
    locked._history_user = actor
    locked.save(update_fields=["quote_status"])
    return locked


def weeks_in_year(weeks: Iterable[PracticeWeek], year: int) -> int:
    """How many of ``weeks`` start in ``year`` (practice weeks happen WEEKS_A_YEAR times a year)."""
    return sum(1 for week in weeks if week.starts_on.year == year)


def register() -> None:
    """Hooks, loaders and sweeps of this part (none yet: practice weeks need no schedule)."""
