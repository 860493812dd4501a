"""Practice observations (seed 6.2, DESIGN section 5): every write and state change.

An observation exists only when the family (or, for a meeting a chair runs, the chair) agreed to
an observer: without that agreement nothing is written. The observer records what they saw
against the checklist for the type, then talks it through with the practitioner; the
observation is complete only once that reflective discussion is recorded (a database rule backs
it). Completing tells each practitioner, with a neutral message and a link, and counts towards
the observer's monthly expectation: a dip sample still to do that month is marked as done by
observation instead (seed 6.1.2). Each practitioner then chooses what learning, if any, the team
sees; they present it themselves.

The observer's edits carry the observation's version: a stale page is refused, never applied.
"""

from __future__ import annotations

import datetime
from collections.abc import Iterable
from dataclasses import dataclass

from django.db import transaction
from django.urls import reverse
from django.utils import timezone

from audits.models import DipSample, Theme
from audits.services.dip_samples import dip_sample_record_observation, month_start
from core.notifications import Notice, notify_many
from organisation.models import CaseFile, User

from ..models import (
    CHAIRED_TYPES,
    ConsentBy,
    CriterionResult,
    Observation,
    ObservationPractitioner,
    ObservationType,
    ShareChoice,
)
from ..selectors import checklist_for_type, practitioner_teams_today

TEXT_MAX = 5000
NOTE_MAX = 1000
CONSENT_NOTE_MAX = 300
COMPLETED_KIND = "observation_completed"
COMPLETED_MESSAGE = (
    "A practice observation of your work is ready to read — please choose what learning to share with your team"
)
# How a dip sample recorded as one of these observations is noted (seed 6.1.2).
DIP_SAMPLE_NOTE_PREFIX = "Practice observation: "
STALE = (
    "Someone else saved this observation since you opened it. Nothing was overwritten: check what is shown "
    "below (it is what you typed) and save again to keep it."
)


class ObservationError(Exception):
    """A change the rules refuse; the message says why, for the person making it. ``field``
    names the form field it belongs to, when it belongs to one."""

    def __init__(self, message: str, *, field: str | None = None) -> None:
        super().__init__(message)
        self.field = field


class ObservationConflict(ObservationError):
    """Someone saved the observation after the page was opened; nothing was overwritten."""


def consent_by_for(type: str) -> str:
    """Who agrees to an observer: the chair for the meetings a chair runs, else the family."""
    return ConsentBy.CHAIR if type in CHAIRED_TYPES else ConsentBy.FAMILY


def observation_note_for_dip_sample(observation: Observation) -> str:
    """The dip sample's note: what was observed and when (no case, no names)."""
    day = observation.observed_on
    return f"{DIP_SAMPLE_NOTE_PREFIX}{observation.get_type_display()} on {day.day} {day:%B %Y}"


def _locked(observation: Observation) -> Observation:
    return Observation.objects.select_for_update().get(pk=observation.pk)


def _require_draft(observation: Observation) -> None:
    if observation.status != Observation.Status.DRAFT:
        raise ObservationError("This observation is complete: it can no longer change.")


def _require_observer(observation: Observation, actor: User) -> None:
    if observation.observer_id != actor.pk:
        raise ObservationError("Only the observer can change this observation.")


def _require_version(observation: Observation, version: int | None) -> None:
    if version is None or version != observation.version:
        raise ObservationConflict(STALE)


def _text(value: str, *, limit: int, what: str, field: str, required: bool = False) -> str:
    value = (value or "").strip()
    if required and not value:
        raise ObservationError(f"Enter {what}", field=field)
    if len(value) > limit:
        raise ObservationError(f"{what[0].upper()}{what[1:]} must be {limit:,} characters or fewer", field=field)
    return value


# --- recording ---------------------------------------------------------------------------------------
@transaction.atomic
def observation_record(
    *,
    observer: User,
    type: str,
    observed_on: datetime.date,
    practitioners: list[User],
    consent_given: bool,
    case_file: CaseFile | None = None,
    consent_note: str = "",
    today: datetime.date,
) -> Observation:
    """Record an observation as a draft. Refused without the family's (or chair's) agreement:
    there is no observation then, and nothing is written. The team and service area are frozen
    from the first practitioner's team today; each practitioner's own team likewise."""
    if not consent_given:
        raise ObservationError(
            "Without the agreement of the family (or the chair) there is no observation: nothing was saved.",
            field="consent",
        )
    if type not in ObservationType.values:
        raise ObservationError("Choose the type of observation", field="type")
    if observed_on > today:
        raise ObservationError("The date of the observation must be today or in the past", field="observed_on")
    if not practitioners:
        raise ObservationError("Choose the practitioner you observed", field="practitioners")
    if any(p.pk == observer.pk for p in practitioners):
        raise ObservationError(
            "You cannot observe yourself: choose the practitioner you observed", field="practitioners"
        )
    teams = practitioner_teams_today([p.pk for p in practitioners], today=today)
    missing = [p.full_name for p in practitioners if p.pk not in teams]
    if missing:
        raise ObservationError(
            f"{', '.join(missing)} does not hold a practitioner role in a team today", field="practitioners"
        )
    first_team = teams[practitioners[0].pk]
    observation = Observation(
        type=type,
        observed_on=observed_on,
        observer=observer,
        case_file=case_file,
        team=first_team,
        service_area_id=first_team.service_area_id,
        consent_given=True,
        consent_by=consent_by_for(type),
        consent_note=_text(consent_note, limit=CONSENT_NOTE_MAX, what="the note about agreement", field="consent_note"),
        checklist=checklist_for_type(type),
    )
    observation._history_user = observer
    observation.save()
    for person in practitioners:
        row = ObservationPractitioner(observation=observation, practitioner=person, team=teams[person.pk])
        row._history_user = observer
        row.save()
    return observation


@dataclass(frozen=True)
class CriterionAnswer:
    code: str
    result: str
    note: str


@transaction.atomic
def observation_save_checklist(
    *,
    observation: Observation,
    answers: list[CriterionAnswer],
    strengths: str,
    areas_to_develop: str,
    version: int | None,
    actor: User,
    themes: Iterable[Theme] | None = None,
) -> Observation:
    """Save the observer's checklist results, strengths and areas to develop (a draft may be
    incomplete), and the themes they tag it with (None leaves the tags as they are). A stale page
    is refused; a save that changes nothing writes nothing."""
    locked = _locked(observation)
    _require_observer(locked, actor)
    _require_draft(locked)
    codes = [c["code"] for c in (locked.checklist.criteria if locked.checklist else [])]
    criteria: dict[str, dict[str, str]] = {}
    for answer in answers:
        if answer.code not in codes:
            raise ObservationError("An item on this page is not on the observation's checklist. Reload the page.")
        if answer.result and answer.result not in CriterionResult.values:
            raise ObservationError("Choose met, partly met, not met or not seen", field=f"result_{answer.code}")
        note = _text(answer.note, limit=NOTE_MAX, what="a note", field=f"note_{answer.code}")
        if answer.result or note:
            criteria[answer.code] = {"result": answer.result, "note": note}
    strengths = _text(strengths, limit=TEXT_MAX, what="the strengths", field="strengths")
    areas = _text(areas_to_develop, limit=TEXT_MAX, what="the areas to develop", field="areas_to_develop")
    wanted = None if themes is None else {t.pk for t in themes}
    themes_change = wanted is not None and wanted != set(locked.themes.values_list("pk", flat=True))
    if (locked.criteria, locked.strengths, locked.areas_to_develop) == (criteria, strengths, areas):
        if themes_change:
            _require_version(locked, version)
            locked.themes.set(wanted)
            locked.version += 1
            locked._history_user = actor
            locked.save(update_fields=["version", "updated_at"])
        return locked
    _require_version(locked, version)
    if themes_change:
        locked.themes.set(wanted)
    locked.criteria, locked.strengths, locked.areas_to_develop = criteria, strengths, areas
    locked.version += 1
    locked._history_user = actor
    locked.save(update_fields=["criteria", "strengths", "areas_to_develop", "version", "updated_at"])
    return locked


@transaction.atomic
def observation_record_discussion(
    *,
    observation: Observation,
    discussion_on: datetime.date,
    notes: str,
    agreed_learning: str,
    training_needs: str,
    version: int | None,
    actor: User,
    today: datetime.date,
) -> Observation:
    """Record the reflective discussion with the practitioner (seed 6.2: evidence of it is
    required; training and development needs are identified)."""
    locked = _locked(observation)
    _require_observer(locked, actor)
    _require_draft(locked)
    if discussion_on < locked.observed_on:
        day = locked.observed_on
        raise ObservationError(
            f"The date of the discussion must be on or after the observation ({day.day} {day:%B %Y})",
            field="discussion_on",
        )
    if discussion_on > today:
        raise ObservationError("The date of the discussion must be today or in the past", field="discussion_on")
    notes = _text(notes, limit=TEXT_MAX, what="notes of the discussion", field="discussion_notes", required=True)
    learning = _text(
        agreed_learning, limit=TEXT_MAX, what="the learning agreed", field="agreed_learning", required=True
    )
    training = _text(training_needs, limit=TEXT_MAX, what="the training needs", field="training_needs")
    current = (locked.discussion_on, locked.discussion_notes, locked.agreed_learning, locked.training_needs)
    if current == (discussion_on, notes, learning, training):
        return locked
    _require_version(locked, version)
    locked.discussion_on, locked.discussion_notes = discussion_on, notes
    locked.agreed_learning, locked.training_needs = learning, training
    locked.version += 1
    locked._history_user = actor
    locked.save(
        update_fields=[
            "discussion_on",
            "discussion_notes",
            "agreed_learning",
            "training_needs",
            "version",
            "updated_at",
        ]
    )
    return locked


def completion_problems(observation: Observation) -> list[str]:
    """What stands between a draft and "complete", in words for the observer."""
    problems = []
    codes = [c["code"] for c in (observation.checklist.criteria if observation.checklist else [])]
    if any(not (observation.criteria or {}).get(code, {}).get("result") for code in codes):
        problems.append(
            "Choose a result for every item of the checklist before completing the observation "
            "(choose “Not seen at this observation” where it did not come up)"
        )
    if observation.discussion_on is None:
        problems.append("Record the reflective discussion with the practitioner before completing the observation")
    return problems


@transaction.atomic
def observation_complete(*, observation: Observation, actor: User, now: datetime.datetime | None = None) -> Observation:
    """Complete a draft: refused until the checklist and the reflective discussion are recorded.
    Tells each practitioner (a neutral message and a link) and counts the observation towards
    the observer's month: a dip sample still to do that month is recorded as this observation."""
    moment = now or timezone.now()
    locked = _locked(observation)
    _require_observer(locked, actor)
    _require_draft(locked)
    problems = completion_problems(locked)
    if problems:
        raise ObservationError(problems[0])
    locked.status = Observation.Status.COMPLETED
    locked.completed_at = moment
    locked._history_user = actor
    locked.save(update_fields=["status", "completed_at", "updated_at"])
    url = reverse("observations:observation-detail", args=[locked.pk])
    rows = ObservationPractitioner.objects.filter(observation=locked).select_related("practitioner").order_by("pk")
    notify_many(
        [
            Notice(
                recipient=row.practitioner,
                kind=COMPLETED_KIND,
                key=f"observation-completed:{locked.pk}",
                message=COMPLETED_MESSAGE,
                url=url,
            )
            for row in rows
        ]
    )
    sample = (
        DipSample.objects.filter(
            manager_id=locked.observer_id,
            round__month=month_start(locked.observed_on),
            status=DipSample.Status.DRAWN,
        )
        .order_by("pk")
        .first()
    )
    if sample is not None:
        dip_sample_record_observation(
            sample=sample, note=observation_note_for_dip_sample(locked), actor=actor, now=moment
        )
    return locked


# --- the practitioner's choice -----------------------------------------------------------------------
@transaction.atomic
def observation_share_choose(
    *,
    row: ObservationPractitioner,
    choice: str,
    learning: str,
    presented_on: datetime.date | None,
    version: int | None,
    actor: User,
    today: datetime.date,
    now: datetime.datetime | None = None,
) -> ObservationPractitioner:
    """The practitioner chooses, for their own row, whether the team sees their learning (and
    writes it as they will present it). Keeping it between them clears any shared text."""
    locked = (
        ObservationPractitioner.objects.select_for_update(of=("self",)).select_related("observation").get(pk=row.pk)
    )
    if locked.practitioner_id != actor.pk:
        raise ObservationError("Only the practitioner observed chooses what learning to share.")
    if locked.observation.status != Observation.Status.COMPLETED:
        raise ObservationError("You can choose what to share once the observation is complete.")
    if choice not in (ShareChoice.SHARED, ShareChoice.NOT_SHARED):
        raise ObservationError("Choose whether to share this learning with the team", field="share_choice")
    if choice == ShareChoice.SHARED:
        learning = _text(learning, limit=TEXT_MAX, what="the learning to share", field="shared_learning", required=True)
        if presented_on is not None and presented_on > today:
            raise ObservationError(
                "The date you presented it must be today or in the past (leave it blank until then)",
                field="presented_on",
            )
        if presented_on is not None and presented_on < locked.observation.observed_on:
            raise ObservationError(
                "The date you presented it must be on or after the observation", field="presented_on"
            )
    else:
        learning, presented_on = "", None
    if (locked.share_choice, locked.shared_learning, locked.presented_on) == (choice, learning, presented_on):
        return locked
    if version is None or version != locked.version:
        raise ObservationConflict(
            "You changed this choice on another page since you opened this one. Nothing was overwritten: "
            "check what is shown below and save again."
        )
    locked.share_choice, locked.shared_learning, locked.presented_on = choice, learning, presented_on
    locked.decided_at = now or timezone.now()
    locked.version += 1
    locked._history_user = actor
    locked.save(update_fields=["share_choice", "shared_learning", "presented_on", "decided_at", "version"])
    return locked


def register() -> None:
    """Hooks, loaders and sweeps of this part (the checklist loader is in framework_loaders)."""
