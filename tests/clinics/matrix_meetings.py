"""Matrix entries for the meeting, action-log and terms-of-reference pages.

The meeting is team A1's clinic, chaired by service_manager_same. Its readers: A1's team manager,
area A's service manager and head of service, the whole-service roles and the PSW; everyone else
gets 404. Its record is kept by A1's TM and area A's SM/HoS (and the chair); other readers get 403.
"""

from __future__ import annotations

import datetime
from typing import Any

from tests.matrix import QA_TEAM, Entry, each

CLINIC_WRITERS = ("team_manager_same", "service_manager_same", "head_of_service")
CLINIC_READERS = (*CLINIC_WRITERS, "assistant_director", "director", "principal_social_worker", *QA_TEAM)
READ_ONLY = tuple(p for p in CLINIC_READERS if p not in CLINIC_WRITERS)
# The meetings list and the terms page: managers with a team or an area, the whole service, the PSW.
LISTERS = (
    "team_manager_same",
    "team_manager_other",
    "service_manager_same",
    "service_manager_other",
    "head_of_service",
    "assistant_director",
    "director",
    "principal_social_worker",
    *QA_TEAM,
)
CREATORS = (
    "team_manager_same",
    "team_manager_other",
    "service_manager_same",
    "service_manager_other",
    "head_of_service",
    "assistant_director",
    "director",
    "qa_manager",
)
TERMS_EDITORS = ("assistant_director", "director", *QA_TEAM)


def _clinic(world: Any) -> dict[str, Any]:
    from clinics.models import MeetingAttendee, MeetingPaper
    from clinics.services.meetings import action_add, attachment_add, meeting_create
    from tests.clinics.test_meetings import make_terms

    make_terms()
    sm = world.people["service_manager_same"]
    meeting = meeting_create(kind="clinic", held_on=datetime.date(2026, 10, 8), team=world.team_a1, actor=sm, chair=sm)
    action = action_add(
        meeting=meeting,
        what="Matrix action",
        owner=world.people["team_manager_same"],
        due_on=datetime.date(2026, 12, 1),
        actor=sm,
    )
    attendee = MeetingAttendee.objects.create(meeting=meeting, name="Matrix guest")
    attachment = attachment_add(meeting=meeting, title="ChAT", file_name="chat.csv", data=b"a,b\n", actor=sm)
    paper = MeetingPaper.objects.create(meeting=meeting, title="Matrix paper")
    return {"meeting": meeting, "action": action, "attendee": attendee, "attachment": attachment, "paper": paper}


def _meeting_kwargs(world: Any) -> dict[str, Any]:
    return {"meeting_id": _clinic(world)["meeting"].pk}


def _action_kwargs(world: Any) -> dict[str, Any]:
    made = _clinic(world)
    return {"meeting_id": made["meeting"].pk, "action_id": made["action"].pk}


def _attendee_kwargs(world: Any) -> dict[str, Any]:
    made = _clinic(world)
    return {"meeting_id": made["meeting"].pk, "attendee_id": made["attendee"].pk}


def _attachment_kwargs(world: Any) -> dict[str, Any]:
    made = _clinic(world)
    return {"meeting_id": made["meeting"].pk, "attachment_id": made["attachment"].pk}


def _paper_kwargs(world: Any) -> dict[str, Any]:
    made = _clinic(world)
    return {"meeting_id": made["meeting"].pk, "paper_id": made["paper"].pk}


def _remove(kwargs: Any) -> Entry:
    # POST only: removing a row, then back to the page.
    return Entry(
        {"default": (405, 404), **each(READ_ONLY, (405, 403)), **each(CLINIC_WRITERS, (405, 302))}, kwargs=kwargs
    )


def _terms_kwargs(world: Any) -> dict[str, Any]:
    from clinics.selectors_meetings import current_terms
    from tests.clinics.test_meetings import make_terms

    make_terms()
    return {"terms_id": current_terms("board").pk}


def _write_page(kwargs: Any = _meeting_kwargs) -> Entry:
    # An empty POST is shown again with its errors (nothing saved).
    return Entry(
        {"default": (404, 404), **each(READ_ONLY, (403, 403)), **each(CLINIC_WRITERS, (200, 200))}, kwargs=kwargs
    )


ENTRIES = {
    "clinics:meeting-list": (Entry({"default": (403, 405), **each(LISTERS, (200, 405))}),),
    "clinics:meeting-new": (Entry({"default": (403, 403), **each(CREATORS, (200, 200))}),),
    "clinics:meeting-detail": (
        Entry({"default": (404, 405), **each(CLINIC_READERS, (200, 405))}, kwargs=_meeting_kwargs),
    ),
    "clinics:meeting-attachment": (
        Entry({"default": (404, 405), **each(CLINIC_READERS, (200, 405))}, kwargs=_attachment_kwargs),
    ),
    "clinics:meeting-edit": (_write_page(),),
    "clinics:meeting-attendance": (_write_page(),),
    "clinics:meeting-paper-add": (_write_page(),),
    "clinics:meeting-attachment-add": (_write_page(),),
    "clinics:action-new": (_write_page(),),
    "clinics:action-edit": (_write_page(_action_kwargs),),
    "clinics:meeting-attendee-remove": (_remove(_attendee_kwargs),),
    "clinics:meeting-paper-remove": (_remove(_paper_kwargs),),
    "clinics:meeting-attachment-remove": (_remove(_attachment_kwargs),),
    "clinics:terms-list": (Entry({"default": (403, 405), **each(LISTERS, (200, 405))}),),
    "clinics:terms-edit": (Entry({"default": (403, 403), **each(TERMS_EDITORS, (200, 200))}, kwargs=_terms_kwargs),),
}
