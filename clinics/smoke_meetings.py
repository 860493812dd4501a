"""Smoke-test samplers for the meeting pages (see observations/smoke.py): each takes the smoke
test's personas (``.team_manager``, ``.qa_officer``) and returns the URL's kwargs from whatever the
demo database holds, or None when there is nothing to show."""

from __future__ import annotations

from typing import Any

SAMPLERS: dict[str, Any] = {}


def _meeting(personas: Any) -> dict[str, Any] | None:
    from organisation.scope import scope_for

    from .selectors_meetings import meetings

    # The team manager's own team's latest clinic when there is one, else the latest meeting.
    meeting = meetings(scope_for(personas.team_manager)).first() or meetings(scope_for(personas.qa_officer)).first()
    return {"meeting_id": meeting.pk} if meeting else None


def _action(personas: Any) -> dict[str, Any] | None:
    from .models import MeetingAction

    found = _meeting(personas)
    if found is None:
        return None
    action = MeetingAction.objects.filter(raised_at_id=found["meeting_id"]).order_by("pk").first()
    return {**found, "action_id": action.pk} if action else None


def _attendee(personas: Any) -> dict[str, Any] | None:
    from .models import MeetingAttendee

    found = _meeting(personas)
    if found is None:
        return None
    attendee = MeetingAttendee.objects.filter(meeting_id=found["meeting_id"]).order_by("pk").first()
    return {**found, "attendee_id": attendee.pk} if attendee else None


def _attachment(personas: Any) -> dict[str, Any] | None:
    from .models import MeetingAttachment

    attachment = MeetingAttachment.objects.order_by("pk").first()
    return {"meeting_id": attachment.meeting_id, "attachment_id": attachment.pk} if attachment else None


def _paper(personas: Any) -> dict[str, Any] | None:
    from .models import MeetingPaper

    found = _meeting(personas)
    if found is None:
        return None
    paper = MeetingPaper.objects.filter(meeting_id=found["meeting_id"]).order_by("pk").first()
    return {**found, "paper_id": paper.pk} if paper else None


def _terms(personas: Any) -> dict[str, Any] | None:
    from .models import TermsOfReference

    terms = TermsOfReference.objects.order_by("kind", "-version").first()
    return {"terms_id": terms.pk} if terms else None


SAMPLERS.update(
    dict.fromkeys(
        (
            "clinics:meeting-detail",
            "clinics:meeting-edit",
            "clinics:meeting-attendance",
            "clinics:meeting-paper-add",
            "clinics:meeting-attachment-add",
            "clinics:action-new",
        ),
        _meeting,
    )
)
SAMPLERS["clinics:action-edit"] = _action
SAMPLERS["clinics:meeting-attendee-remove"] = _attendee
SAMPLERS["clinics:meeting-attachment"] = _attachment
SAMPLERS["clinics:meeting-paper-remove"] = _paper
SAMPLERS["clinics:meeting-attachment-remove"] = _attachment
SAMPLERS["clinics:terms-edit"] = _terms
