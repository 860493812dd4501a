"""Meetings, terms of reference and action logs (DESIGN section 8): every write.

Terms of reference are framework content: an edit in the app is a new version (``based_on`` the
one edited), never a change to a row a meeting sat under. A meeting's record (notes, quorate) and
each action carry an integer ``version``: a stale page is refused and nothing is overwritten.
Closing an action (done or withdrawn) records the meeting it was closed at, which is what the
carry-forward rule in :mod:`clinics.selectors_meetings` reads. History rows carry the actor.
"""

from __future__ import annotations

import datetime
import re
import unicodedata
from dataclasses import dataclass

from django.db import IntegrityError, transaction
from django.db.models import Max

from organisation.models import ServiceArea, Team, User

from ..models import (
    OPEN_ACTION_STATUSES,
    ActionStatus,
    Attendance,
    Meeting,
    MeetingAction,
    MeetingAttachment,
    MeetingAttendee,
    MeetingKind,
    MeetingPaper,
    ReportVersion,
    TermsOfReference,
)
from ..selectors_meetings import current_terms

ATTACHMENT_MAX_BYTES = 10 * 1024 * 1024
# Extension → the content type the file is stored and served with (never the browser's claim).
ATTACHMENT_TYPES = {
    "pdf": "application/pdf",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "csv": "text/csv",
    "docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    "png": "image/png",
}
STALE = (
    "Someone else saved this since you opened the page. Nothing was overwritten: check what is shown "
    "(it is what you typed) and save again to keep it."
)


class MeetingError(Exception):
    """A change the rules refuse; ``field`` names the form field it belongs to, if any."""

    def __init__(self, message: str, *, field: str | None = None) -> None:
        super().__init__(message)
        self.field = field


class MeetingConflict(MeetingError):
    """The row was saved by someone else after the page was opened."""


# --- terms of reference ------------------------------------------------------------------------------
@dataclass(frozen=True)
class TermsText:
    title: str
    purpose: str
    chair: str
    members: list[str]
    frequency: str
    quorum: str
    inputs: list[str]
    outputs: list[str]


@transaction.atomic
def terms_new_version(
    *, based_on: TermsOfReference, text: TermsText, change_note: str, actor: User
) -> TermsOfReference:
    """Save an edit as the next version of the same key; the edited row is never changed. Only the
    latest version may be edited (someone else's newer version would otherwise be lost)."""
    latest = TermsOfReference.objects.select_for_update().filter(key=based_on.key).aggregate(top=Max("version"))["top"]
    if latest != based_on.version:
        raise MeetingConflict(
            "A newer version of these terms of reference has been saved since you opened the page. "
            "Nothing was overwritten: open the latest version and make your change there."
        )
    try:
        with transaction.atomic():
            return TermsOfReference.objects.create(
                key=based_on.key,
                version=based_on.version + 1,
                kind=based_on.kind,
                title=text.title,
                purpose=text.purpose,
                chair=text.chair,
                members=text.members,
                frequency=text.frequency,
                quorum=text.quorum,
                inputs=text.inputs,
                outputs=text.outputs,
                example_content=False,
                based_on=based_on,
                change_note=change_note.strip(),
                created_by=actor,
            )
    except IntegrityError:
        raise MeetingConflict("Someone else saved a new version at the same moment. Open the latest version.") from None


# --- meetings ----------------------------------------------------------------------------------------
def _place_fields(kind: str, team: Team | None, area: ServiceArea | None) -> dict:
    if kind == MeetingKind.CLINIC:
        if team is None:
            raise MeetingError("Choose the team whose clinic this is", field="team")
        return {"team": team, "service_area": None}
    if kind == MeetingKind.BOARD:
        if area is None:
            raise MeetingError("Choose the service area whose board this is", field="service_area")
        return {"team": None, "service_area": area}
    return {"team": None, "service_area": None}


@transaction.atomic
def meeting_create(
    *,
    kind: str,
    held_on: datetime.date,
    actor: User,
    team: Team | None = None,
    service_area: ServiceArea | None = None,
    chair: User | None = None,
) -> Meeting:
    """A meeting of a kind and place, sitting under the latest version of the kind's terms."""
    if kind not in MeetingKind.values:
        raise MeetingError("Choose the kind of meeting", field="kind")
    terms = current_terms(kind)
    if terms is None:
        raise MeetingError("There are no terms of reference for this kind of meeting yet. Load the framework first.")
    meeting = Meeting(
        kind=kind,
        held_on=held_on,
        terms=terms,
        chair=chair,
        created_by=actor,
        **_place_fields(kind, team, service_area),
    )
    meeting._history_user = actor
    meeting.save()
    return meeting


def _locked_meeting(meeting: Meeting) -> Meeting:
    return Meeting.objects.select_for_update(of=("self",)).get(pk=meeting.pk)


@transaction.atomic
def meeting_update(
    *,
    meeting: Meeting,
    held_on: datetime.date,
    chair: User | None,
    quorate: bool | None,
    notes: str,
    version: int | None,
    actor: User,
) -> Meeting:
    """Save the meeting's record. A stale page is refused; a save that changes nothing writes nothing."""
    locked = _locked_meeting(meeting)
    notes = notes.strip()
    if (locked.held_on, locked.chair_id, locked.quorate, locked.notes) == (
        held_on,
        chair.pk if chair else None,
        quorate,
        notes,
    ):
        return locked
    if version is None or version != locked.version:
        raise MeetingConflict(STALE)
    locked.held_on, locked.chair, locked.quorate, locked.notes = held_on, chair, quorate, notes
    locked.version += 1
    locked._history_user = actor
    locked.save(update_fields=["held_on", "chair", "quorate", "notes", "version"])
    return locked


@transaction.atomic
def attendee_add(
    *,
    meeting: Meeting,
    attendance: str,
    person: User | None = None,
    name: str = "",
    role_label: str = "",
) -> MeetingAttendee:
    """Someone from the app, or a name for someone without an account; each person once."""
    name, role_label = name.strip(), role_label.strip()
    if person is None and not name:
        raise MeetingError("Choose a person or enter a name", field="person")
    if attendance not in Attendance.values:
        raise MeetingError("Choose present, apologies or absent", field="attendance")
    if person is not None and MeetingAttendee.objects.filter(meeting=meeting, person=person).exists():
        raise MeetingError(f"{person.full_name} is already on the attendance list", field="person")
    return MeetingAttendee.objects.create(
        meeting=meeting, person=person, name="" if person else name, role_label=role_label, attendance=attendance
    )


def attendee_remove(*, meeting: Meeting, attendee_id: int) -> None:
    MeetingAttendee.objects.filter(meeting=meeting, pk=attendee_id).delete()


def paper_add(*, meeting: Meeting, title: str = "", report_version: ReportVersion | None = None) -> MeetingPaper:
    """A paper tabled: a finalised report version (its title by default) or a title alone."""
    title = title.strip() or (str(report_version.report) if report_version else "")
    if not title:
        raise MeetingError("Enter the paper's title or choose a report", field="title")
    return MeetingPaper.objects.create(meeting=meeting, title=title[:200], report_version=report_version)


def paper_remove(*, meeting: Meeting, paper_id: int) -> None:
    MeetingPaper.objects.filter(meeting=meeting, pk=paper_id).delete()


def safe_file_name(name: str) -> str:
    """A file name safe in a Content-Disposition header: ASCII letters, digits, dot, dash and
    underscore only, no path, at most 100 characters, keeping the extension."""
    name = name.replace("\\", "/").rsplit("/", 1)[-1]
    name = unicodedata.normalize("NFKD", name).encode("ascii", "ignore").decode("ascii")
    stem, dot, ext = name.rpartition(".")
    if not dot:
        stem, ext = name, ""
    ext = re.sub(r"[^A-Za-z0-9]+", "", ext)[:10]
    stem = re.sub(r"[^A-Za-z0-9_-]+", "-", stem).strip("-_") or "attachment"
    if not ext:
        return stem[:100]
    return f"{stem[: 99 - len(ext)]}.{ext}"


def attachment_problem(*, file_name: str, size: int) -> str | None:
    ext = file_name.rsplit(".", 1)[-1].lower() if "." in file_name else ""
    if ext not in ATTACHMENT_TYPES:
        return "The file must be a PDF, XLSX, CSV, DOCX or PNG"
    if size == 0:
        return "The selected file is empty"
    if size > ATTACHMENT_MAX_BYTES:
        return "The file must be smaller than 10 MB"
    return None


def attachment_add(*, meeting: Meeting, title: str, file_name: str, data: bytes, actor: User) -> MeetingAttachment:
    """Store an uploaded file with a safe name and the content type its extension allows."""
    problem = attachment_problem(file_name=file_name, size=len(data))
    if problem:
        raise MeetingError(problem, field="file")
    safe = safe_file_name(file_name)
    ext = safe.rsplit(".", 1)[-1].lower()
    return MeetingAttachment.objects.create(
        meeting=meeting,
        title=(title.strip() or safe)[:200],
        file_name=safe,
        content_type=ATTACHMENT_TYPES[ext],
        size=len(data),
        data=data,
        uploaded_by=actor,
    )


def attachment_remove(*, meeting: Meeting, attachment_id: int) -> None:
    MeetingAttachment.objects.filter(meeting=meeting, pk=attachment_id).delete()


# --- actions -----------------------------------------------------------------------------------------
@transaction.atomic
def action_add(
    *, meeting: Meeting, what: str, owner: User, due_on: datetime.date, notes: str = "", actor: User
) -> MeetingAction:
    """An action raised at a meeting, in the meeting's series."""
    what = what.strip()
    if not what:
        raise MeetingError("Enter what the action is", field="what")
    action = MeetingAction(
        raised_at=meeting,
        kind=meeting.kind,
        team_id=meeting.team_id,
        service_area_id=meeting.service_area_id,
        what=what,
        owner=owner,
        due_on=due_on,
        notes=notes.strip(),
        created_by=actor,
    )
    action._history_user = actor
    action.save()
    return action


@transaction.atomic
def action_update(
    *,
    action: MeetingAction,
    status: str,
    notes: str,
    version: int | None,
    at_meeting: Meeting,
    actor: User,
    due_on: datetime.date | None = None,
) -> MeetingAction:
    """Change an action's status, notes (and due date) at a meeting of its series. Done or withdrawn
    sets ``closed_on`` (the meeting's date) and ``closed_at``; reopening clears them. A stale page
    is refused; a save that changes nothing writes nothing."""
    locked = MeetingAction.objects.select_for_update(of=("self",)).get(pk=action.pk)
    if status not in ActionStatus.values:
        raise MeetingError("Choose the action's status", field="status")
    notes = notes.strip()
    due_on = due_on or locked.due_on
    if (locked.status, locked.notes, locked.due_on) == (status, notes, due_on):
        return locked
    if version is None or version != locked.version:
        raise MeetingConflict(STALE)
    was_open = locked.status in OPEN_ACTION_STATUSES
    now_open = status in OPEN_ACTION_STATUSES
    fields = ["status", "notes", "due_on", "version"]
    if was_open and not now_open:
        locked.closed_on, locked.closed_at = at_meeting.held_on, at_meeting
        fields += ["closed_on", "closed_at"]
    elif now_open and not was_open:
        locked.closed_on, locked.closed_at = None, None
        fields += ["closed_on", "closed_at"]
    locked.status, locked.notes, locked.due_on = status, notes, due_on
    locked.version += 1
    locked._history_user = actor
    locked.save(update_fields=fields)
    return locked
