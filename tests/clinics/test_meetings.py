"""Meetings and their action logs: scope on every page, carry-forward, overdue, stale saves,
attachments, and a meeting page whose query count does not grow with its actions."""

from __future__ import annotations

import datetime
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from clinics.models import ActionStatus, Meeting, MeetingAction, MeetingAttachment, MeetingKind, TermsOfReference
from clinics.selectors_meetings import actions_for_period, meeting_actions, series_actions
from clinics.services.meetings import action_add, action_update, meeting_create, safe_file_name

LONDON = ZoneInfo("Europe/London")
TODAY = datetime.date(2026, 11, 16)


@pytest.fixture
def frozen():
    with time_machine.travel(datetime.datetime(2026, 11, 16, 10, 0, tzinfo=LONDON), tick=False):
        yield


def make_terms() -> None:
    for kind in MeetingKind.values:
        TermsOfReference.objects.get_or_create(
            key=f"tor-{kind}",
            version=1,
            defaults={
                "kind": kind,
                "title": f"Terms for {kind}",
                "purpose": "Purpose",
                "chair": "Chair",
                "members": ["A"],
                "frequency": "Monthly",
                "quorum": "Two",
                "inputs": ["Report"],
                "outputs": ["Actions"],
            },
        )


def clinic(world, held_on: datetime.date, team=None) -> Meeting:
    make_terms()
    return meeting_create(
        kind=MeetingKind.CLINIC,
        held_on=held_on,
        team=team or world.team_a1,
        actor=world.people["service_manager_same"],
        chair=world.people["service_manager_same"],
    )


def add_action(world, meeting: Meeting, what: str, due_on: datetime.date) -> MeetingAction:
    return action_add(
        meeting=meeting,
        what=what,
        owner=world.people["team_manager_same"],
        due_on=due_on,
        actor=world.people["service_manager_same"],
    )


def close(world, action: MeetingAction, at: Meeting, status: str = ActionStatus.DONE) -> MeetingAction:
    action.refresh_from_db()
    return action_update(
        action=action,
        status=status,
        notes="Finished",
        version=action.version,
        at_meeting=at,
        actor=world.people["service_manager_same"],
    )


def shown(meeting: Meeting) -> set[str]:
    return {a.what for a in meeting_actions(meeting, today=TODAY).all}


# --- carry-forward -------------------------------------------------------------------------------------
def test_an_open_action_carries_forward_and_a_closed_one_stops_after_the_meeting_that_closed_it(world):
    september = clinic(world, datetime.date(2026, 9, 10))
    october = clinic(world, datetime.date(2026, 10, 8))
    november = clinic(world, datetime.date(2026, 11, 12))
    december = clinic(world, datetime.date(2026, 12, 10))
    stays_open = add_action(world, september, "Review supervision frequency", datetime.date(2026, 12, 31))
    closed_in_october = add_action(world, september, "Share the audit learning", datetime.date(2026, 10, 31))
    close(world, closed_in_october, october)
    # Another team's clinic never shares the action log.
    other = clinic(world, datetime.date(2026, 10, 8), team=world.team_b1)
    add_action(world, other, "Another team's action", datetime.date(2026, 12, 1))

    assert shown(september) == {"Review supervision frequency", "Share the audit learning"}
    assert shown(october) == {"Review supervision frequency", "Share the audit learning"}
    assert shown(november) == {"Review supervision frequency"}
    assert shown(december) == {"Review supervision frequency"}
    page = meeting_actions(october, today=TODAY)
    assert page.raised == []
    assert {a.pk for a in page.carried} == {stays_open.pk, closed_in_october.pk}
    closed = MeetingAction.objects.get(pk=closed_in_october.pk)
    assert (closed.closed_at, closed.closed_on) == (october, october.held_on)


def test_reopening_clears_the_closing_meeting(world):
    september = clinic(world, datetime.date(2026, 9, 10))
    october = clinic(world, datetime.date(2026, 10, 8))
    action = close(world, add_action(world, september, "Reopened later", datetime.date(2026, 10, 31)), october)
    reopened = action_update(
        action=action,
        status=ActionStatus.IN_PROGRESS,
        notes="Not finished after all",
        version=action.version,
        at_meeting=october,
        actor=world.people["service_manager_same"],
    )
    assert (reopened.closed_on, reopened.closed_at) == (None, None)
    assert reopened.history.count() == 3  # raised, closed, reopened: each change audited


def test_series_actions_and_actions_for_period(world, frozen):
    september = clinic(world, datetime.date(2026, 9, 10))
    october = clinic(world, datetime.date(2026, 10, 8))
    november = clinic(world, datetime.date(2026, 11, 12))
    carried_open = add_action(world, september, "Carried and open", datetime.date(2026, 10, 1))
    closed_in_nov = add_action(world, september, "Closed in November", datetime.date(2026, 12, 1))
    closed_in_oct = add_action(world, september, "Closed in October", datetime.date(2026, 12, 1))
    new_in_nov = add_action(world, november, "Raised in November", datetime.date(2027, 1, 15))
    close(world, closed_in_oct, october)
    close(world, closed_in_nov, november)

    period = actions_for_period(kind=MeetingKind.CLINIC, team=world.team_a1, period=datetime.date(2026, 11, 1))
    assert [a.pk for a in period["carried"]] == [carried_open.pk, closed_in_nov.pk]
    assert [a.pk for a in period["new"]] == [new_in_nov.pk]
    assert period["carried"][0].overdue
    assert not period["new"][0].overdue

    as_of = series_actions(kind=MeetingKind.CLINIC, team=world.team_a1, as_of=datetime.date(2026, 11, 30))
    assert [a.pk for a in as_of] == [carried_open.pk, closed_in_nov.pk, new_in_nov.pk]
    # Another series (team B1) is empty; so is the board of area A.
    assert series_actions(kind=MeetingKind.CLINIC, team=world.team_b1, as_of=TODAY) == []
    assert actions_for_period(kind=MeetingKind.BOARD, service_area=world.area_a, period=TODAY.replace(day=1)) == {
        "carried": [],
        "new": [],
    }


def test_actions_for_period_takes_one_query_however_many_actions(world, django_assert_num_queries):
    september = clinic(world, datetime.date(2026, 9, 10))
    for n in range(12):
        add_action(world, september, f"Action {n}", datetime.date(2026, 12, 1))
    with django_assert_num_queries(1):
        result = actions_for_period(kind=MeetingKind.CLINIC, team=world.team_a1, period=datetime.date(2026, 11, 1))
        [a.owner.full_name for a in result["carried"]]
    assert len(result["carried"]) == 12


# --- overdue ---------------------------------------------------------------------------------------------
def test_overdue_actions_are_tagged_and_sorted_first_on_the_meeting_page(world, client, frozen):
    october = clinic(world, datetime.date(2026, 10, 8))
    november = clinic(world, datetime.date(2026, 11, 12))
    add_action(world, october, "Not yet due", datetime.date(2026, 12, 20))
    add_action(world, october, "Due yesterday", datetime.date(2026, 11, 15))
    add_action(world, october, "Due today", datetime.date(2026, 11, 16))
    client.force_login(world.people["service_manager_same"])
    html = client.get(reverse("clinics:meeting-detail", args=[november.pk])).content.decode()
    assert html.count(">Overdue<") == 1
    assert html.index("Due yesterday") < html.index("Due today") < html.index("Not yet due")
    overdue_row = html[html.index("Due yesterday") : html.index("Due today")]
    assert "Overdue" in overdue_row


# --- stale saves ------------------------------------------------------------------------------------------
def test_a_stale_action_save_is_refused_and_keeps_what_was_typed(world, client):
    october = clinic(world, datetime.date(2026, 10, 8))
    action = add_action(world, october, "Refresh the supervision tracker", datetime.date(2026, 12, 1))
    url = reverse("clinics:action-edit", args=[october.pk, action.pk])
    client.force_login(world.people["service_manager_same"])
    opened_version = action.version
    # Someone else saves first.
    close(world, action, october, status=ActionStatus.IN_PROGRESS)
    response = client.post(
        url,
        {
            "status": "done",
            "due_on_0": "1",
            "due_on_1": "12",
            "due_on_2": "2026",
            "notes": "My careful update",
            "version": opened_version,
        },
    )
    assert response.status_code == 200
    html = response.content.decode()
    assert "Someone else saved this" in html
    assert "My careful update" in html
    stored = MeetingAction.objects.get(pk=action.pk)
    assert (stored.status, stored.notes) == (ActionStatus.IN_PROGRESS, "Finished")
    # Saving again (the form now carries the stored version) is a deliberate choice and works.
    response = client.post(
        url,
        {
            "status": "done",
            "due_on_0": "1",
            "due_on_1": "12",
            "due_on_2": "2026",
            "notes": "My careful update",
            "version": stored.version,
        },
    )
    assert response.status_code == 302
    assert MeetingAction.objects.get(pk=action.pk).status == ActionStatus.DONE


def test_a_stale_meeting_record_is_refused(world, client):
    meeting = clinic(world, datetime.date(2026, 10, 8))
    Meeting.objects.filter(pk=meeting.pk).update(version=3, notes="Saved by someone else")
    client.force_login(world.people["service_manager_same"])
    response = client.post(
        reverse("clinics:meeting-edit", args=[meeting.pk]),
        {"held_on_0": "8", "held_on_1": "10", "held_on_2": "2026", "quorate": "yes", "notes": "Mine", "version": 0},
    )
    assert response.status_code == 200
    assert "Someone else saved this" in response.content.decode()
    assert Meeting.objects.get(pk=meeting.pk).notes == "Saved by someone else"


# --- attachments --------------------------------------------------------------------------------------------
def test_an_attachment_uploads_and_downloads_with_a_safe_name_and_only_in_scope(world, client):
    meeting = clinic(world, datetime.date(2026, 10, 8))
    client.force_login(world.people["service_manager_same"])
    upload = SimpleUploadedFile('../ChAT "output" Oct.csv', b"indicator,value\nA,1\n", content_type="text/html")
    response = client.post(
        reverse("clinics:meeting-attachment-add", args=[meeting.pk]), {"title": "ChAT output", "file": upload}
    )
    assert response.status_code == 302, response.context["form"].errors
    attachment = MeetingAttachment.objects.get(meeting=meeting)
    url = reverse("clinics:meeting-attachment", args=[meeting.pk, attachment.pk])
    response = client.get(url)
    assert response.status_code == 200
    assert response.content == b"indicator,value\nA,1\n"
    assert response["Content-Type"] == "text/csv"  # the extension's type, never the browser's claim
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Content-Disposition"] == 'attachment; filename="ChAT-output-Oct.csv"'
    # Another team's manager gets 404 for the file, as for the meeting.
    client.force_login(world.people["team_manager_other"])
    assert client.get(url).status_code == 404
    # The right meeting id with another meeting's attachment id: 404 too.
    other = clinic(world, datetime.date(2026, 10, 9))
    client.force_login(world.people["service_manager_same"])
    assert client.get(reverse("clinics:meeting-attachment", args=[other.pk, attachment.pk])).status_code == 404


def test_a_bad_attachment_is_a_form_error(world, client, settings):
    meeting = clinic(world, datetime.date(2026, 10, 8))
    client.force_login(world.people["service_manager_same"])
    url = reverse("clinics:meeting-attachment-add", args=[meeting.pk])
    response = client.post(url, {"title": "Script", "file": SimpleUploadedFile("evil.html", b"<script>")})
    assert "The file must be a PDF, XLSX, CSV, DOCX or PNG" in response.content.decode()
    big = SimpleUploadedFile("big.pdf", b"%PDF" + b"0" * (10 * 1024 * 1024))
    response = client.post(url, {"title": "Too big", "file": big})
    assert "The file must be smaller than 10 MB" in response.content.decode()
    assert not MeetingAttachment.objects.exists()


def test_safe_file_name():
    assert safe_file_name("C:\\Users\\x\\Résumé final.docx") == "Resume-final.docx"
    assert safe_file_name('x"; rm -rf /.png') == "attachment.png"
    assert safe_file_name('ChAT "output"; evil=1.csv') == "ChAT-output-evil-1.csv"
    assert safe_file_name("a" * 300 + ".pdf").endswith(".pdf")
    assert len(safe_file_name("a" * 300 + ".pdf")) <= 100


# --- scope ------------------------------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("persona", "status"),
    [
        ("team_manager_same", 200),
        ("service_manager_same", 200),
        ("head_of_service", 200),
        ("assistant_director", 200),
        ("qa_officer", 200),
        ("principal_social_worker", 200),
        ("team_manager_other", 404),
        ("service_manager_other", 404),
        ("practitioner_own", 404),
        ("bi_officer", 404),
    ],
)
def test_a_clinic_page_is_404_outside_its_scope(world, client, persona, status):
    meeting = clinic(world, datetime.date(2026, 10, 8))
    action = add_action(world, meeting, "An action", datetime.date(2026, 12, 1))
    client.force_login(world.people[persona])
    assert client.get(reverse("clinics:meeting-detail", args=[meeting.pk])).status_code == status
    if status == 404:
        for name, args in (
            ("clinics:meeting-edit", [meeting.pk]),
            ("clinics:meeting-attendance", [meeting.pk]),
            ("clinics:action-new", [meeting.pk]),
            ("clinics:action-edit", [meeting.pk, action.pk]),
        ):
            assert client.get(reverse(name, args=args)).status_code == 404


def test_the_list_shows_only_meetings_in_scope_and_filters(world, client):
    make_terms()
    mine = clinic(world, datetime.date(2026, 10, 8))
    theirs = clinic(world, datetime.date(2026, 10, 9), team=world.team_b1)
    board_b = meeting_create(
        kind=MeetingKind.BOARD,
        held_on=datetime.date(2026, 10, 20),
        service_area=world.area_b,
        actor=world.people["director"],
    )
    assurance = meeting_create(
        kind=MeetingKind.ASSURANCE, held_on=datetime.date(2025, 12, 1), actor=world.people["director"]
    )
    client.force_login(world.people["service_manager_same"])
    response = client.get(reverse("clinics:meeting-list"))
    ids = {m.pk for m in response.context["page"].object_list}
    assert ids == {mine.pk, assurance.pk}
    assert theirs.pk not in ids
    assert board_b.pk not in ids
    # The place filter offers only places in scope.
    assert f"team:{world.team_b1.pk}" not in response.content.decode()
    response = client.get(reverse("clinics:meeting-list"), {"year": "2025"})
    assert {m.pk for m in response.context["page"].object_list} == {assurance.pk}
    response = client.get(reverse("clinics:meeting-list"), {"kind": "clinic"})
    assert {m.pk for m in response.context["page"].object_list} == {mine.pk}
    client.force_login(world.people["team_manager_other"])
    response = client.get(reverse("clinics:meeting-list"))
    assert {m.pk for m in response.context["page"].object_list} == {theirs.pk}
    client.force_login(world.people["practitioner_own"])
    assert client.get(reverse("clinics:meeting-list")).status_code == 403


def test_who_may_create_which_meeting(world, client):
    make_terms()
    url = reverse("clinics:meeting-new")
    clinic_b1 = {
        "kind": "clinic",
        "team": world.team_b1.pk,
        "held_on_0": "8",
        "held_on_1": "10",
        "held_on_2": "2026",
    }
    # The TM of A1 cannot choose team B1 (not offered).
    client.force_login(world.people["team_manager_same"])
    response = client.post(url, clinic_b1)
    assert response.status_code == 200
    assert not Meeting.objects.exists()
    # Nor create the assurance board.
    response = client.post(url, {**clinic_b1, "kind": "assurance", "team": ""})
    assert "You cannot create this meeting" in response.content.decode()
    # The TM creates their own team's clinic, chaired by themself by default.
    response = client.post(url, {**clinic_b1, "team": world.team_a1.pk})
    meeting = Meeting.objects.get()
    assert response.status_code == 302
    assert meeting.team == world.team_a1
    assert meeting.terms.kind == MeetingKind.CLINIC
    # The QA manager creates the assurance board; a practitioner has no such page.
    client.force_login(world.people["qa_manager"])
    assert client.post(url, {**clinic_b1, "kind": "assurance", "team": ""}).status_code == 302
    client.force_login(world.people["practitioner_own"])
    assert client.get(url).status_code == 403


def test_a_reader_who_does_not_keep_the_record_may_not_change_it(world, client):
    meeting = clinic(world, datetime.date(2026, 10, 8))
    client.force_login(world.people["principal_social_worker"])
    assert client.get(reverse("clinics:meeting-detail", args=[meeting.pk])).status_code == 200
    assert client.get(reverse("clinics:meeting-edit", args=[meeting.pk])).status_code == 403
    assert client.post(reverse("clinics:action-new", args=[meeting.pk]), {}).status_code == 403


# --- recording a meeting ----------------------------------------------------------------------------------
def test_attendance_papers_and_an_action_are_recorded(world, client, frozen):
    meeting = clinic(world, datetime.date(2026, 11, 12))
    client.force_login(world.people["service_manager_same"])
    tm = world.people["team_manager_same"]
    url = reverse("clinics:meeting-attendance", args=[meeting.pk])
    assert client.post(url, {"person": tm.pk, "role_label": "Team manager", "attendance": "present"}).status_code == 302
    assert client.post(url, {"name": "Pat Partner", "attendance": "apologies"}).status_code == 302
    response = client.post(url, {"person": tm.pk, "attendance": "present"})
    assert "already on the attendance list" in response.content.decode()
    response = client.post(url, {"attendance": "present"})
    assert "Choose a person or enter a name" in response.content.decode()
    # Someone outside the meeting's place is not offered (another area's manager).
    response = client.post(url, {"person": world.people["team_manager_other"].pk, "attendance": "present"})
    assert "Choose a person from the list" in response.content.decode()
    client.post(reverse("clinics:meeting-paper-add", args=[meeting.pk]), {"title": "Team baskets, October"})
    response = client.post(
        reverse("clinics:action-new", args=[meeting.pk]),
        {
            "what": "Book the team's reflective session",
            "owner": tm.pk,
            "due_on_0": "1",
            "due_on_1": "12",
            "due_on_2": "2026",
        },
    )
    assert response.status_code == 302
    response = client.post(
        reverse("clinics:meeting-edit", args=[meeting.pk]),
        {"held_on_0": "12", "held_on_1": "11", "held_on_2": "2026", "quorate": "yes", "notes": "Good", "version": 0},
    )
    assert response.status_code == 302
    html = client.get(reverse("clinics:meeting-detail", args=[meeting.pk])).content.decode()
    for text in ("Pat Partner", "Apologies", "Team baskets, October", "Book the team&#x27;s reflective session"):
        assert text in html
    assert Meeting.objects.get(pk=meeting.pk).quorate is True
    assert Meeting.objects.get(pk=meeting.pk).history.first().history_user == world.people["service_manager_same"]


def test_a_form_error_keeps_what_was_typed(world, client):
    meeting = clinic(world, datetime.date(2026, 11, 12))
    client.force_login(world.people["service_manager_same"])
    response = client.post(
        reverse("clinics:action-new", args=[meeting.pk]),
        {"what": "Typed text survives", "owner": "", "due_on_0": "31", "due_on_1": "2", "due_on_2": "2027"},
    )
    html = response.content.decode()
    assert "govuk-error-summary" in html
    assert "Typed text survives" in html
    assert "Choose who owns the action" in html


# --- query count ------------------------------------------------------------------------------------------
def _page_queries(client, meeting: Meeting) -> int:
    with CaptureQueriesContext(connection) as ctx:
        assert client.get(reverse("clinics:meeting-detail", args=[meeting.pk])).status_code == 200
    return len(ctx.captured_queries)


def test_the_meeting_page_query_count_does_not_grow_with_actions(world, client):
    earlier = clinic(world, datetime.date(2026, 9, 10))
    meeting = clinic(world, datetime.date(2026, 10, 8))
    add_action(world, earlier, "Carried 1", datetime.date(2026, 12, 1))
    add_action(world, meeting, "New 1", datetime.date(2026, 12, 1))
    client.force_login(world.people["service_manager_same"])
    _page_queries(client, meeting)
    before = _page_queries(client, meeting)
    for n in range(10):
        add_action(world, earlier, f"Carried more {n}", datetime.date(2026, 12, 1))
        action = add_action(world, meeting, f"New more {n}", datetime.date(2026, 12, 1))
        if n % 2:
            close(world, action, meeting)
    assert _page_queries(client, meeting) == before


# --- my work --------------------------------------------------------------------------------------------
def test_my_work_lists_my_open_actions_overdue_first(world, frozen):
    from clinics.mywork import my_work
    from organisation.scope import scope_for

    october = clinic(world, datetime.date(2026, 10, 8))
    later = add_action(world, october, "Due next month", datetime.date(2026, 12, 20))
    overdue = add_action(world, october, "Overdue one", datetime.date(2026, 11, 1))
    close(world, add_action(world, october, "Done already", datetime.date(2026, 11, 2)), october)
    work = my_work(scope_for(world.people["team_manager_same"]))
    assert [a.pk for a in work["actions"]] == [overdue.pk, later.pk]
    assert work["actions"][0].overdue
    assert my_work(scope_for(world.people["team_manager_other"])) == {}


def test_a_paper_and_an_attachment_are_removed_only_by_those_who_keep_the_record(world, client):
    from clinics.models import MeetingPaper
    from clinics.services.meetings import attachment_add, paper_add

    meeting = clinic(world, datetime.date(2026, 10, 8))
    sm = world.people["service_manager_same"]
    paper = paper_add(meeting=meeting, title="Team baskets")
    attachment = attachment_add(meeting=meeting, title="ChAT", file_name="chat.csv", data=b"a\n", actor=sm)
    paper_url = reverse("clinics:meeting-paper-remove", args=[meeting.pk, paper.pk])
    attachment_url = reverse("clinics:meeting-attachment-remove", args=[meeting.pk, attachment.pk])
    client.force_login(world.people["principal_social_worker"])
    assert client.post(paper_url).status_code == 403
    client.force_login(world.people["team_manager_other"])
    assert client.post(attachment_url).status_code == 404
    assert MeetingPaper.objects.exists()
    assert MeetingAttachment.objects.exists()
    client.force_login(sm)
    html = client.get(reverse("clinics:meeting-detail", args=[meeting.pk])).content.decode()
    assert 'Remove<span class="govuk-visually-hidden"> attachment: ChAT</span>' in html
    assert client.post(paper_url).status_code == 302
    assert client.post(attachment_url).status_code == 302
    assert not MeetingPaper.objects.exists()
    assert not MeetingAttachment.objects.exists()


@pytest.mark.parametrize(
    ("persona", "board", "assurance"),
    [
        ("service_manager_same", 200, 200),
        ("head_of_service", 200, 200),
        ("service_manager_other", 404, 200),
        ("team_manager_same", 404, 404),
        ("principal_social_worker", 200, 200),
        ("director", 200, 200),
        ("qa_officer", 200, 200),
        ("practitioner_own", 404, 404),
        ("early_help_strategic_lead", 404, 404),
    ],
)
def test_who_reads_a_board_and_the_assurance_board(world, client, persona, board, assurance):
    make_terms()
    director = world.people["director"]
    area_board = meeting_create(
        kind=MeetingKind.BOARD, held_on=datetime.date(2026, 10, 20), service_area=world.area_a, actor=director
    )
    whole = meeting_create(kind=MeetingKind.ASSURANCE, held_on=datetime.date(2026, 10, 27), actor=director)
    client.force_login(world.people[persona])
    assert client.get(reverse("clinics:meeting-detail", args=[area_board.pk])).status_code == board
    assert client.get(reverse("clinics:meeting-detail", args=[whole.pk])).status_code == assurance
