"""Meeting pages (DESIGN section 8): the list, creating a meeting, its page with the action log
carried forward, its record, attendance, papers, attachments and actions; and the terms of
reference with their versions.

A meeting this person may not read answers 404, never 403 (which would confirm it exists); a page
a role never has, or a change a reader may not make, answers 403.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any
from urllib.parse import urlencode

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.db.models import Q
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import URLPattern, path
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from core.forms import BaseForm
from organisation.models import Role, ServiceArea, Team

from ..forms_meetings import (
    ActionForm,
    ActionUpdateForm,
    AttachmentForm,
    AttendeeForm,
    MeetingCreateForm,
    MeetingFilterForm,
    MeetingRecordForm,
    PaperForm,
    TermsForm,
)
from ..models import Meeting, MeetingAction, MeetingKind, TermsOfReference
from ..selectors_meetings import (
    can_create_any_meeting,
    can_edit_terms,
    can_write_meeting,
    can_write_meeting_kind,
    get_attachment_or_404,
    get_meeting_or_404,
    meeting_actions,
    meeting_people,
    meetings,
    reports_to_table,
    sees_meetings,
    sees_terms,
    terms_by_kind,
)
from ..services.meetings import (
    MeetingConflict,
    MeetingError,
    TermsText,
    action_add,
    action_update,
    attachment_add,
    attachment_remove,
    attendee_add,
    attendee_remove,
    meeting_create,
    meeting_update,
    paper_add,
    paper_remove,
    terms_new_version,
)

PAGE_SIZE = 50


def _writable_meeting(request: HttpRequest, meeting_id: int) -> Meeting:
    meeting = get_meeting_or_404(request.scope, meeting_id)
    if not can_write_meeting(request.scope, meeting):
        raise PermissionDenied
    return meeting


def _service_error(form: BaseForm, exc: MeetingError) -> None:
    form.add_error(exc.field if exc.field in form.fields else None, str(exc))


def _applied(form: BaseForm, save: Callable[[], object], *, stored_version: Callable[[], int] | None = None) -> bool:
    """Call the service; a refusal is shown on the form. A stale page keeps what was typed, with the
    stored version, so saving again is a deliberate choice."""
    try:
        save()
    except MeetingConflict as exc:
        form.add_error(None, str(exc))
        if stored_version is not None:
            data = form.data.copy()
            data[form.add_prefix("version")] = str(stored_version())
            form.data = data
        return False
    except MeetingError as exc:
        _service_error(form, exc)
        return False
    return True


def _form_page(
    request: HttpRequest, meeting: Meeting | None, form: BaseForm, heading: str, **extra: Any
) -> HttpResponse:
    context = {"meeting": meeting, "form": form, "heading": heading, "has_errors": bool(form.errors), **extra}
    return render(request, "clinics/meetings/form_page.html", context)


# --- the list and a new meeting ------------------------------------------------------------------------
@require_GET
def meeting_list(request: HttpRequest) -> HttpResponse:
    scope = request.scope
    if not sees_meetings(scope):
        raise PermissionDenied
    visible = meetings(scope)
    years = [d.year for d in visible.dates("held_on", "year", order="DESC")]
    # The PSW reads every meeting (themes and aggregates), so is offered every place.
    everywhere = scope.whole_authority or scope.has_role(Role.PSW)
    teams = Team.objects.select_related("service_area") if everywhere else scope.teams()
    areas = ServiceArea.objects.all() if everywhere else scope.service_areas()
    filters = MeetingFilterForm(
        request.GET or None,
        teams=list(teams.order_by("service_area__name", "name")),
        areas=list(areas.order_by("name")),
        years=years,
    )
    for field in filters.fields.values():
        field.widget.attrs["class"] = "govuk-select"
    cleaned = filters.cleaned_data if filters.is_bound and filters.is_valid() else {}
    if cleaned.get("kind"):
        visible = visible.filter(kind=cleaned["kind"])
    place = cleaned.get("place") or ""
    if place.startswith("team:"):
        visible = visible.filter(team_id=int(place[5:]))
    elif place.startswith("area:"):
        area_id = int(place[5:])
        visible = visible.filter(Q(service_area_id=area_id) | Q(team__service_area_id=area_id))
    if cleaned.get("year"):
        visible = visible.filter(held_on__year=int(cleaned["year"]))
    page = Paginator(visible, PAGE_SIZE).get_page(request.GET.get("page"))
    context = {
        "filters": filters,
        "page": page,
        "query": urlencode({k: v for k, v in cleaned.items() if v}),
        "can_create": can_create_any_meeting(scope),
        "can_see_terms": sees_terms(scope),
    }
    return render(request, "clinics/meetings/list.html", context)


@require_http_methods(["GET", "POST"])
def meeting_new(request: HttpRequest) -> HttpResponse:
    scope = request.scope
    if not can_create_any_meeting(scope):
        raise PermissionDenied
    teams = scope.teams().order_by("name")
    areas = scope.service_areas().order_by("name")
    form = MeetingCreateForm(request.POST or None, teams=teams, areas=areas)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        kind = data["kind"]
        team = data.get("team") if kind == MeetingKind.CLINIC else None
        area = data.get("service_area") if kind == MeetingKind.BOARD else None
        if not can_write_meeting_kind(scope, kind, team=team, area=area):
            form.add_error("kind", "You cannot create this meeting. Choose a meeting you keep the record of.")
        else:
            created: list[Meeting] = []
            if _applied(
                form,
                lambda: created.append(
                    meeting_create(
                        kind=kind,
                        held_on=data["held_on"],
                        actor=request.user,
                        team=team,
                        service_area=area,
                        chair=request.user,
                    )
                ),
            ):
                messages.success(request, "The meeting is created.")
                return redirect("clinics:meeting-detail", meeting_id=created[0].pk)
    return _form_page(request, None, form, "Create a meeting")


# --- one meeting -------------------------------------------------------------------------------------------
@require_GET
def meeting_detail(request: HttpRequest, meeting_id: int) -> HttpResponse:
    scope = request.scope
    meeting = get_meeting_or_404(scope, meeting_id)
    actions = meeting_actions(meeting, today=scope.today)
    context = {
        "meeting": meeting,
        "terms": meeting.terms,
        "attendees": list(meeting.attendees.select_related("person")),
        "papers": list(meeting.papers.select_related("report_version__report")),
        "attachments": list(meeting.attachments.defer("data")),
        "raised": actions.raised,
        "carried": actions.carried,
        "can_write": can_write_meeting(scope, meeting),
        "today": scope.today,
    }
    return render(request, "clinics/meetings/detail.html", context)


@require_http_methods(["GET", "POST"])
def meeting_edit(request: HttpRequest, meeting_id: int) -> HttpResponse:
    meeting = _writable_meeting(request, meeting_id)
    people = meeting_people(meeting, day=request.scope.today)
    initial = {
        "held_on": meeting.held_on,
        "chair": meeting.chair_id,
        "quorate": {True: "yes", False: "no"}.get(meeting.quorate, ""),
        "notes": meeting.notes,
        "version": meeting.version,
    }
    form = MeetingRecordForm(request.POST or None, initial=initial, people=people)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        if _applied(
            form,
            lambda: meeting_update(
                meeting=meeting,
                held_on=data["held_on"],
                chair=data.get("chair"),
                quorate=form.quorate_value(),
                notes=data.get("notes") or "",
                version=data.get("version"),
                actor=request.user,
            ),
            stored_version=lambda: Meeting.objects.values_list("version", flat=True).get(pk=meeting.pk),
        ):
            messages.success(request, "The meeting's record is saved.")
            return redirect("clinics:meeting-detail", meeting_id=meeting.pk)
    return _form_page(request, meeting, form, "Record of the meeting")


@require_http_methods(["GET", "POST"])
def meeting_attendance(request: HttpRequest, meeting_id: int) -> HttpResponse:
    meeting = _writable_meeting(request, meeting_id)
    form = AttendeeForm(request.POST or None, people=meeting_people(meeting, day=request.scope.today))
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        if _applied(
            form,
            lambda: attendee_add(
                meeting=meeting,
                person=data.get("person"),
                name=data.get("name") or "",
                role_label=data.get("role_label") or "",
                attendance=data["attendance"],
            ),
        ):
            messages.success(request, "Added to the attendance list.")
            return redirect("clinics:meeting-attendance", meeting_id=meeting.pk)
    attendees = list(meeting.attendees.select_related("person"))
    return _form_page(request, meeting, form, "Attendance", attendees=attendees)


@require_POST
def meeting_attendee_remove(request: HttpRequest, meeting_id: int, attendee_id: int) -> HttpResponse:
    meeting = _writable_meeting(request, meeting_id)
    attendee_remove(meeting=meeting, attendee_id=attendee_id)
    messages.success(request, "Removed from the attendance list.")
    return redirect("clinics:meeting-attendance", meeting_id=meeting.pk)


@require_http_methods(["GET", "POST"])
def meeting_paper_add(request: HttpRequest, meeting_id: int) -> HttpResponse:
    meeting = _writable_meeting(request, meeting_id)
    form = PaperForm(request.POST or None, reports=reports_to_table(meeting))
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        if _applied(
            form,
            lambda: paper_add(
                meeting=meeting, title=data.get("title") or "", report_version=data.get("report_version")
            ),
        ):
            messages.success(request, "The paper is added.")
            return redirect("clinics:meeting-detail", meeting_id=meeting.pk)
    return _form_page(request, meeting, form, "Add a paper tabled")


@require_POST
def meeting_paper_remove(request: HttpRequest, meeting_id: int, paper_id: int) -> HttpResponse:
    meeting = _writable_meeting(request, meeting_id)
    paper_remove(meeting=meeting, paper_id=paper_id)
    messages.success(request, "The paper is removed.")
    return redirect("clinics:meeting-detail", meeting_id=meeting.pk)


@require_POST
def meeting_attachment_remove(request: HttpRequest, meeting_id: int, attachment_id: int) -> HttpResponse:
    meeting = _writable_meeting(request, meeting_id)
    attachment_remove(meeting=meeting, attachment_id=attachment_id)
    messages.success(request, "The attachment is removed.")
    return redirect("clinics:meeting-detail", meeting_id=meeting.pk)


@require_http_methods(["GET", "POST"])
def meeting_attachment_add(request: HttpRequest, meeting_id: int) -> HttpResponse:
    meeting = _writable_meeting(request, meeting_id)
    form = AttachmentForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["file"]
        if _applied(
            form,
            lambda: attachment_add(
                meeting=meeting,
                title=form.cleaned_data.get("title") or "",
                file_name=upload.name,
                data=upload.read(),
                actor=request.user,
            ),
        ):
            messages.success(request, "The file is uploaded.")
            return redirect("clinics:meeting-detail", meeting_id=meeting.pk)
    return _form_page(request, meeting, form, "Upload an attachment", multipart=True)


@require_GET
def meeting_attachment(request: HttpRequest, meeting_id: int, attachment_id: int) -> HttpResponse:
    """The file, only to someone who may read the meeting; stored type, safe name, no sniffing."""
    attachment = get_attachment_or_404(request.scope, meeting_id, attachment_id)
    response = HttpResponse(bytes(attachment.data), content_type=attachment.content_type)
    response["Content-Disposition"] = f'attachment; filename="{attachment.file_name}"'
    response["X-Content-Type-Options"] = "nosniff"
    response["Content-Length"] = str(attachment.size)
    return response


# --- actions -------------------------------------------------------------------------------------------------
@require_http_methods(["GET", "POST"])
def action_new(request: HttpRequest, meeting_id: int) -> HttpResponse:
    meeting = _writable_meeting(request, meeting_id)
    form = ActionForm(request.POST or None, people=meeting_people(meeting, day=request.scope.today))
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        if _applied(
            form,
            lambda: action_add(
                meeting=meeting,
                what=data["what"],
                owner=data["owner"],
                due_on=data["due_on"],
                notes=data.get("notes") or "",
                actor=request.user,
            ),
        ):
            messages.success(request, "The action is added to the action log.")
            return redirect("clinics:meeting-detail", meeting_id=meeting.pk)
    return _form_page(request, meeting, form, "Add an action")


@require_http_methods(["GET", "POST"])
def action_edit(request: HttpRequest, meeting_id: int, action_id: int) -> HttpResponse:
    """Update an action at a meeting whose page shows it (raised at it, or carried forward to it)."""
    meeting = _writable_meeting(request, meeting_id)
    shown = meeting_actions(meeting, today=request.scope.today)
    action = next((a for a in shown.all if a.pk == action_id), None)
    if action is None:
        raise Http404("No action found")
    initial = {"status": action.status, "due_on": action.due_on, "notes": action.notes, "version": action.version}
    form = ActionUpdateForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        if _applied(
            form,
            lambda: action_update(
                action=action,
                status=data["status"],
                notes=data.get("notes") or "",
                due_on=data["due_on"],
                version=data.get("version"),
                at_meeting=meeting,
                actor=request.user,
            ),
            stored_version=lambda: MeetingAction.objects.values_list("version", flat=True).get(pk=action.pk),
        ):
            messages.success(request, "The action is saved.")
            return redirect("clinics:meeting-detail", meeting_id=meeting.pk)
    return _form_page(request, meeting, form, "Update an action", action=action)


# --- terms of reference -----------------------------------------------------------------------------------
@require_GET
def terms_list(request: HttpRequest) -> HttpResponse:
    scope = request.scope
    if not sees_terms(scope):
        raise PermissionDenied
    context = {"kinds": terms_by_kind(), "can_edit": can_edit_terms(scope)}
    return render(request, "clinics/meetings/terms.html", context)


@require_http_methods(["GET", "POST"])
def terms_edit(request: HttpRequest, terms_id: int) -> HttpResponse:
    scope = request.scope
    if not can_edit_terms(scope):
        raise PermissionDenied
    terms = TermsOfReference.objects.filter(pk=terms_id).first()
    if terms is None:
        raise Http404("No terms of reference found")
    form = TermsForm(request.POST or None, initial=TermsForm.initial_from(terms))
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        text = TermsText(
            title=data["title"].strip(),
            purpose=data["purpose"].strip(),
            chair=data["chair"].strip(),
            members=form.lines("members"),
            frequency=data["frequency"].strip(),
            quorum=data["quorum"].strip(),
            inputs=form.lines("inputs"),
            outputs=form.lines("outputs"),
        )
        if _applied(
            form,
            lambda: terms_new_version(based_on=terms, text=text, change_note=data["change_note"], actor=request.user),
        ):
            messages.success(request, "The terms of reference are saved as a new version.")
            return redirect("clinics:terms-list")
    return _form_page(request, None, form, f"Edit the terms of reference: {terms.title}", terms=terms)


urlpatterns: list[URLPattern] = [
    path("meetings/", meeting_list, name="meeting-list"),
    path("meetings/new/", meeting_new, name="meeting-new"),
    path("meetings/<int:meeting_id>/", meeting_detail, name="meeting-detail"),
    path("meetings/<int:meeting_id>/record/", meeting_edit, name="meeting-edit"),
    path("meetings/<int:meeting_id>/attendance/", meeting_attendance, name="meeting-attendance"),
    path(
        "meetings/<int:meeting_id>/attendance/<int:attendee_id>/remove/",
        meeting_attendee_remove,
        name="meeting-attendee-remove",
    ),
    path("meetings/<int:meeting_id>/papers/", meeting_paper_add, name="meeting-paper-add"),
    path("meetings/<int:meeting_id>/papers/<int:paper_id>/remove/", meeting_paper_remove, name="meeting-paper-remove"),
    path(
        "meetings/<int:meeting_id>/attachments/<int:attachment_id>/remove/",
        meeting_attachment_remove,
        name="meeting-attachment-remove",
    ),
    path("meetings/<int:meeting_id>/attachments/", meeting_attachment_add, name="meeting-attachment-add"),
    path(
        "meetings/<int:meeting_id>/attachments/<int:attachment_id>/",
        meeting_attachment,
        name="meeting-attachment",
    ),
    path("meetings/<int:meeting_id>/actions/new/", action_new, name="action-new"),
    path("meetings/<int:meeting_id>/actions/<int:action_id>/", action_edit, name="action-edit"),
    path("terms/", terms_list, name="terms-list"),
    path("terms/<int:terms_id>/edit/", terms_edit, name="terms-edit"),
]
