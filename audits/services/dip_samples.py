"""Dip samples (seed 6.1.2): the QA team sets the month's theme and its checklist; each head of
service, service manager and team manager is given 5 random case files from their own team or
service area (or records a practice observation instead); each file gets met / partly met / not
met and a note; the results are summarised per theme and team for the team's clinic.

The draw is random but reproducible: ``random.Random(f"dip-sample:{YYYY-MM}:{manager pk}")``
over candidates ordered by case reference, so the same month and the same caseload always give
the same files. It is idempotent by construction: one sample per manager and round, and a case
file at most once in a sample, are database rules; drawing again adds nothing.
"""

from __future__ import annotations

import datetime
import random
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field

from django.db import transaction
from django.db.models import Q, QuerySet
from django.utils import timezone
from simple_history.utils import bulk_create_with_history

from core.sweeps import register_sweep
from core.workdays import last_working_day_of_month
from organisation.models import CaseFile, Role, RoleAssignment, Team, User
from organisation.scope import Scope

from ..models import DipSample, DipSampleItem, DipSampleRound, Theme, ToolVersion

SAMPLE_SIZE = 5
NOTE_MAX = 2000
OBSERVATION_NOTE_MAX = 300
THEME_MAX = 200
DIP_SAMPLE_KIND = "dip_sample"
# Who is given a dip sample each month (seed 6.1.2), and where their files come from.
SAMPLING_ROLES = (Role.HEAD_OF_SERVICE, Role.SERVICE_MANAGER, Role.TEAM_MANAGER)
# A person with several of these roles is given one sample, from the widest place they hold.
_ROLE_ORDER = {Role.HEAD_OF_SERVICE: 0, Role.SERVICE_MANAGER: 1, Role.TEAM_MANAGER: 2}
FINISHED = (DipSample.Status.DONE, DipSample.Status.OBSERVATION)


class DipSampleError(Exception):
    """A change the rules refuse; the message says why, for the person making it."""


class DipSampleConflict(DipSampleError):
    """Someone saved this file's result after the page was opened; nothing was overwritten."""

    def __init__(self, message: str, *, item: DipSampleItem) -> None:
        super().__init__(message)
        self.item = item


# --- permissions ------------------------------------------------------------------------------------
def can_set_dip_sample_theme(scope: Scope) -> bool:
    """The QA team sets each month's theme and checklist."""
    return scope.is_qa


def can_edit_dip_sample(scope: Scope, sample: DipSample) -> bool:
    """Only the manager whose sample it is records its results, while it is still to do."""
    return sample.manager_id == scope.user_id and sample.status == DipSample.Status.DRAWN


def can_view_dip_sample_summary(scope: Scope) -> bool:
    """The QA team and the whole-service roles see every team; SM and HoS their area; TM their team."""
    return bool(scope.whole_authority or scope.managed_team_ids or scope.area_ids)


def dip_sample_filter(scope: Scope) -> Q:
    """The Q every dip-sample query goes through: the manager's own, their management line's, or
    everything for the QA team and the whole-service roles."""
    if scope.user_id is None:
        return Q(pk__in=[])
    if scope.whole_authority:
        return Q()
    return (
        Q(manager_id=scope.user_id)
        | Q(team_id__in=scope.managed_team_ids)
        | Q(team__service_area_id__in=scope.area_ids)
        | Q(service_area_id__in=scope.area_ids)
    )


def dip_samples_visible(scope: Scope) -> QuerySet[DipSample]:
    return DipSample.objects.filter(dip_sample_filter(scope))


# --- selectors ----------------------------------------------------------------------------------------
def dip_sample_checklists() -> list[ToolVersion]:
    """Published tool versions whose tool is for dip samples, by tool name then newest first.
    Filtered in Python: SQLite (the demo) has no JSON ``__contains``; there are few tools."""
    versions = ToolVersion.objects.filter(status=ToolVersion.Status.PUBLISHED).select_related("tool")
    return sorted(
        (v for v in versions if DIP_SAMPLE_KIND in (v.tool.kinds or [])),
        key=lambda v: (v.tool.name, -v.number),
    )


def month_start(day: datetime.date) -> datetime.date:
    return day.replace(day=1)


# --- the draw -------------------------------------------------------------------------------------------
@dataclass(frozen=True)
class _Place:
    manager_id: int
    team_id: int | None
    service_area_id: int | None


def _sampling_places(today: datetime.date) -> list[_Place]:
    """One place per manager: their team (TM) or service area (SM, HoS), from the role assignment
    active today that covers the most (HoS, then SM, then TM; then the earliest)."""
    assignments = (
        RoleAssignment.objects.active_on(today)
        .filter(role__in=SAMPLING_ROLES, person__is_active=True)
        .filter(Q(team__isnull=False) | Q(service_area__isnull=False))
        .order_by("person_id", "starts_on", "pk")
        .values_list("person_id", "role", "team_id", "service_area_id")
    )
    best: dict[int, tuple[int, int | None, int | None]] = {}
    for person_id, role, team_id, area_id in assignments:
        rank = _ROLE_ORDER[role]
        if person_id not in best or rank < best[person_id][0]:
            best[person_id] = (rank, team_id, area_id)
    return [_Place(pk, team_id, area_id) for pk, (_, team_id, area_id) in sorted(best.items())]


def _candidates(today: datetime.date) -> tuple[dict[int, list[int]], dict[int, list[int]]]:
    """Open, unrestricted case files by team and by service area, each ordered by case reference.
    Restricted files are never in a random draw (DESIGN section 2)."""
    rows = (
        CaseFile.objects.filter(Q(closed_on__isnull=True) | Q(closed_on__gt=today), opened_on__lte=today)
        .filter(restricted=False)
        .order_by("case_reference")
        .values_list("pk", "team_id", "team__service_area_id")
    )
    by_team: dict[int, list[int]] = defaultdict(list)
    by_area: dict[int, list[int]] = defaultdict(list)
    for pk, team_id, area_id in rows:
        by_team[team_id].append(pk)
        by_area[area_id].append(pk)
    return by_team, by_area


def dip_sample_draw_for(*, month: datetime.date, manager_id: int, candidates: list[int]) -> list[int]:
    """The seeded draw for one manager: up to SAMPLE_SIZE of ``candidates`` (ordered by case
    reference). The same month, manager and candidates always give the same files."""
    rng = random.Random(f"dip-sample:{month:%Y-%m}:{manager_id}")
    return rng.sample(candidates, min(SAMPLE_SIZE, len(candidates)))


@transaction.atomic
def dip_sample_draw(*, round: DipSampleRound, actor: User | None = None, today: datetime.date | None = None) -> int:
    """Give every HoS, SM and TM without a sample in this round their sample. Returns how many
    samples were made (0 when everyone has one: drawing again adds nothing)."""
    day = today or timezone.localdate()
    taken = set(DipSample.objects.filter(round=round).values_list("manager_id", flat=True))
    places = [p for p in _sampling_places(day) if p.manager_id not in taken]
    if not places:
        return 0
    by_team, by_area = _candidates(day)
    due_on = last_working_day_of_month(round.month.year, round.month.month)
    samples = [
        DipSample(
            round=round, manager_id=p.manager_id, team_id=p.team_id, service_area_id=p.service_area_id, due_on=due_on
        )
        for p in places
    ]
    # Another worker drawing the same round at once makes the same rows: the unique constraints
    # keep one of each.
    bulk_create_with_history(samples, DipSample, ignore_conflicts=True, default_user=actor)
    made = {
        s.manager_id: s.pk
        for s in DipSample.objects.filter(round=round, manager_id__in=[p.manager_id for p in places]).only(
            "pk", "manager_id"
        )
    }
    items = []
    for place in places:
        pool = by_team.get(place.team_id, []) if place.team_id else by_area.get(place.service_area_id, [])
        drawn = dip_sample_draw_for(month=round.month, manager_id=place.manager_id, candidates=pool)
        items += [
            DipSampleItem(sample_id=made[place.manager_id], case_file_id=case_id, position=position)
            for position, case_id in enumerate(drawn)
        ]
    bulk_create_with_history(items, DipSampleItem, ignore_conflicts=True, default_user=actor)
    return len(places)


@transaction.atomic
def dip_sample_round_create(
    *,
    month: datetime.date,
    theme: str,
    checklist: ToolVersion,
    actor: User,
    today: datetime.date | None = None,
) -> DipSampleRound:
    """Set a month's theme and checklist, then draw every manager's sample. A month has one theme:
    setting it again is refused (the draw already went out)."""
    day = today or timezone.localdate()
    first = month_start(month)
    theme = (theme or "").strip()
    if not theme:
        raise DipSampleError("Enter the month's theme")
    if len(theme) > THEME_MAX:
        raise DipSampleError(f"The theme must be {THEME_MAX} characters or fewer")
    if checklist.status != ToolVersion.Status.PUBLISHED or DIP_SAMPLE_KIND not in (checklist.tool.kinds or []):
        raise DipSampleError("Choose a published dip-sample checklist")
    if first < month_start(day):
        raise DipSampleError("Choose this month or a later one")
    if DipSampleRound.objects.filter(month=first).exists():
        raise DipSampleError(f"The theme for {first:%B %Y} is already set")
    round = DipSampleRound(month=first, theme=theme, checklist=checklist, set_by=actor)
    round._history_user = actor
    round.save()
    dip_sample_draw(round=round, actor=actor, today=day)
    return round


def dip_sample_draw_sweep(*, today: datetime.date, now: datetime.datetime | None = None) -> int:
    """Daily: a manager who starts mid-month is given this month's sample too."""
    round = DipSampleRound.objects.filter(month=month_start(today)).first()
    return dip_sample_draw(round=round, today=today) if round else 0


# --- results --------------------------------------------------------------------------------------------
@dataclass
class ItemAnswer:
    item_id: int
    result: str
    note: str
    version: int | None


@dataclass
class SaveOutcome:
    changed: int = 0
    conflicts: list[DipSampleConflict] = field(default_factory=list)


def _locked_sample(sample: DipSample) -> DipSample:
    return DipSample.objects.select_for_update().get(pk=sample.pk)


def _require_to_do(sample: DipSample) -> None:
    if sample.status != DipSample.Status.DRAWN:
        raise DipSampleError(f"This dip sample is already {sample.get_status_display().lower()}: it cannot change.")


@transaction.atomic
def dip_sample_save(*, sample: DipSample, answers: Iterable[ItemAnswer], actor: User) -> SaveOutcome:
    """Save each file's result and note. Each file is its own part with its own version: a stale
    page is refused for that file (nothing overwritten), a save that changes nothing writes
    nothing (no history row)."""
    locked = _locked_sample(sample)
    _require_to_do(locked)
    items = {i.pk: i for i in DipSampleItem.objects.select_for_update().filter(sample=locked)}
    outcome = SaveOutcome()
    for answer in answers:
        item = items.get(answer.item_id)
        if item is None:
            raise DipSampleError("A file on this page is not in this dip sample. Reload the page and try again.")
        if answer.result and answer.result not in DipSampleItem.Result.values:
            raise DipSampleError("Choose met, partly met or not met")
        note = (answer.note or "").strip()
        if len(note) > NOTE_MAX:
            raise DipSampleError(f"A note must be {NOTE_MAX:,} characters or fewer")
        if item.result == answer.result and item.note == note:
            continue
        if answer.version is not None and answer.version != item.version:
            outcome.conflicts.append(
                DipSampleConflict(
                    "Someone else saved this file's result after you opened the page. Nothing was overwritten.",
                    item=item,
                )
            )
            continue
        item.result, item.note, item.version = answer.result, note, item.version + 1
        item._history_user = actor
        item.save(update_fields=["result", "note", "version"])
        outcome.changed += 1
    return outcome


@transaction.atomic
def dip_sample_set_themes(*, sample: DipSample, themes: Iterable[Theme], actor: User) -> bool:
    """Tag the sample's findings with themes (DESIGN section 9), while it is still to do. The
    tags are the manager's one view across the files, so the last save wins; saving the same
    tags writes nothing. Returns whether anything changed."""
    locked = _locked_sample(sample)
    _require_to_do(locked)
    wanted = {t.pk for t in themes}
    if wanted == set(locked.themes.values_list("pk", flat=True)):
        return False
    locked.themes.set(wanted)
    return True


@transaction.atomic
def dip_sample_mark_done(*, sample: DipSample, actor: User, now: datetime.datetime | None = None) -> DipSample:
    """The manager has looked at every file: the sample is done."""
    locked = _locked_sample(sample)
    _require_to_do(locked)
    results = list(DipSampleItem.objects.filter(sample=locked).values_list("result", flat=True))
    if not results:
        raise DipSampleError(
            "There were no open case files to sample this month: record a practice observation instead."
        )
    if not all(results):
        raise DipSampleError("Choose met, partly met or not met for every file before marking the sample as done")
    locked.status = DipSample.Status.DONE
    locked.completed_at = now or timezone.now()
    locked._history_user = actor
    locked.save(update_fields=["status", "completed_at"])
    return locked


@transaction.atomic
def dip_sample_record_observation(
    *, sample: DipSample, note: str, actor: User, now: datetime.datetime | None = None
) -> DipSample:
    """The manager did a practice observation this month instead of the dip sample (seed 6.1.2)."""
    note = (note or "").strip()
    if not note:
        raise DipSampleError("Say briefly which practice you observed")
    if len(note) > OBSERVATION_NOTE_MAX:
        raise DipSampleError(f"The note must be {OBSERVATION_NOTE_MAX} characters or fewer")
    locked = _locked_sample(sample)
    _require_to_do(locked)
    locked.status = DipSample.Status.OBSERVATION
    locked.observation_note = note
    locked.completed_at = now or timezone.now()
    locked._history_user = actor
    locked.save(update_fields=["status", "observation_note", "completed_at"])
    return locked


# --- the summary for the team's clinic ---------------------------------------------------------------
@dataclass
class TeamSummary:
    team: Team
    met: int = 0
    partly_met: int = 0
    not_met: int = 0
    not_yet: int = 0
    notes: list[tuple[str, str, str]] = field(default_factory=list)  # (case reference, result label, note)

    @property
    def files(self) -> int:
        return self.met + self.partly_met + self.not_met + self.not_yet


@dataclass
class DipSampleSummary:
    month: datetime.date
    round: DipSampleRound | None
    teams: list[TeamSummary]
    samples: int = 0
    done: int = 0
    observations: int = 0


def dip_sample_summary(*, scope: Scope, month: datetime.date) -> DipSampleSummary:
    """Per team (the case file's team), the month's results against its theme: counts of met,
    partly met and not met, with the notes. Only teams the person sees. Four queries."""
    first = month_start(month)
    round = DipSampleRound.objects.filter(month=first).select_related("checklist__tool").first()
    if round is None:
        return DipSampleSummary(month=first, round=None, teams=[])
    teams = {t.pk: t for t in scope.teams()}
    summaries: dict[int, TeamSummary] = {}
    items = (
        DipSampleItem.objects.filter(sample__round=round, case_file__team_id__in=list(teams))
        .exclude(sample__status=DipSample.Status.OBSERVATION)
        .order_by("case_file__case_reference")
        .values_list("case_file__team_id", "case_file__case_reference", "result", "note")
    )
    labels = dict(DipSampleItem.Result.choices)
    for team_id, reference, result, note in items:
        summary = summaries.setdefault(team_id, TeamSummary(team=teams[team_id]))
        if result:
            setattr(summary, result, getattr(summary, result) + 1)
        else:
            summary.not_yet += 1
        if note:
            summary.notes.append((reference, labels.get(result, "Not yet looked at"), note))
    statuses = list(dip_samples_visible(scope).filter(round=round).values_list("status", flat=True))
    ordered = sorted(summaries.values(), key=lambda s: (s.team.service_area.name, s.team.name))
    return DipSampleSummary(
        month=first,
        round=round,
        teams=ordered,
        samples=len(statuses),
        done=statuses.count(DipSample.Status.DONE),
        observations=statuses.count(DipSample.Status.OBSERVATION),
    )


def register() -> None:
    """Hooks, loaders and sweeps of this part (called once at start-up)."""
    register_sweep("dip-sample-draw", "daily", dip_sample_draw_sweep)
