"""The family's pages behind a secure link: the token swapped for a session at once; consent,
questions, save and resume, sharing, send; the same kind page for every link that cannot be used;
rate limits; no case details; no other family's answers reachable; headers on every page."""

from __future__ import annotations

import datetime
import re

import pytest
import time_machine
from django.test import Client
from django.urls import reverse

from feedback.models import Outcome, ParticipationTask, Response, SecureLink, TriageItem
from feedback.services.links import ADDRESS_LIMIT, SESSION_LINK_KEY, TOKEN_LIMIT, link_withdraw

from .test_links import NOW, fresh_rate_limits, frozen, make_link, make_task  # noqa: F401 - fixtures

pytestmark = pytest.mark.usefixtures("fresh_rate_limits", "frozen")

ANSWERS = reverse("family:questionnaire")
CONSENT = reverse("family:consent")
SEND = reverse("family:sharing")
UNUSABLE_TEXT = "If you still want to tell us your views, contact the person who sent it."
CSRF_INPUT = re.compile(r'<input type="hidden" name="csrfmiddlewaretoken" value="[^"]*">')
DANGER_TEXT = "If a child or anyone else is in danger now, call"


def _start(client: Client, token: str, **extra):
    return client.get(reverse("family:start", args=[token]), **extra)


def _open(world, **kwargs) -> tuple[Client, SecureLink, str]:
    """A family's browser that has opened a new link."""
    link, token = make_link(world, **kwargs)
    client = Client()
    assert _start(client, token).status_code == 302
    return client, link, token


def _agree(client: Client) -> None:
    assert client.post(CONSENT, {"consent": "yes"})["Location"] == ANSWERS


# --- the link itself -------------------------------------------------------------------------------
def test_the_link_is_swapped_for_a_session_and_a_token_free_page(world):
    link, token = make_link(world)
    client = Client()
    client.get(reverse("family:thanks"))  # a session cookie from before the link, if any
    before = client.cookies.get("sessionid")
    response = _start(client, token)
    assert response.status_code == 302
    assert response["Location"] == ANSWERS
    assert token not in response["Location"]
    assert client.session[SESSION_LINK_KEY] == link.pk
    assert before is None or client.cookies["sessionid"].value != before.value
    # The session lasts an hour after the last page, not the staff's working day.
    assert client.session.get_expiry_age() == 3600
    link.refresh_from_db()
    assert (link.visits, link.first_visited_at, link.last_visited_at) == (1, NOW, NOW)
    # No consent yet: the questions wait for it; no page afterwards carries the token.
    page = client.get(ANSWERS, follow=True)
    assert page.redirect_chain == [(CONSENT, 302)]
    assert token not in page.content.decode()


def test_the_questions_work_only_with_the_session(world):
    _open(world)
    for path in (ANSWERS, CONSENT, SEND, reverse("family:saved")):
        response = Client().get(path)
        assert response.status_code == 404
        assert UNUSABLE_TEXT in response.content.decode()
    assert Client().post(CONSENT, {"consent": "yes"}).status_code == 404
    assert not Response.objects.exists()


def test_unknown_expired_used_and_withdrawn_links_get_the_same_page(world):
    pages = [_start(Client(), "not-a-real-link-at-all-0000000000000000000")]
    expired, expired_token = make_link(world)
    withdrawn, withdrawn_token = make_link(world)
    link_withdraw(link=withdrawn, actor=world.people["qa_officer"], now=NOW)
    client, _, used_token = _open(world)
    _agree(client)
    client.post(ANSWERS, {"action": "continue", "version": "1", "q_changed": "Things are calmer."})
    assert client.post(SEND, {"sharing": "anonymous"})["Location"] == reverse("family:thanks")
    pages += [_start(Client(), used_token), _start(Client(), withdrawn_token)]
    with time_machine.travel(expired.expires_at + datetime.timedelta(seconds=1), tick=False):
        pages.append(_start(Client(), expired_token))
    assert {p.status_code for p in pages} == {404}
    assert len({p.content for p in pages}) == 1
    assert {p.templates[0].name for p in pages} == {"feedback/family/unusable.html"}
    html = pages[0].content.decode()
    assert "This link cannot be used" in html
    assert UNUSABLE_TEXT in html
    assert DANGER_TEXT in html
    # Nothing was counted for links that cannot be used.
    assert SecureLink.objects.get(pk=expired.pk).visits == 0


def test_an_open_session_stops_when_the_link_expires(world):
    client, link, _ = _open(world)
    _agree(client)
    with time_machine.travel(link.expires_at, tick=False):
        response = client.get(ANSWERS)
    assert response.status_code == 404
    assert SESSION_LINK_KEY not in client.session


def test_a_link_stops_working_when_the_task_closes(world):
    from feedback.services.participation import participation_outcome_record

    client, link, token = _open(world)
    participation_outcome_record(task=link.task, outcome="declined", actor=world.people["participation_officer"])
    assert client.get(CONSENT).status_code == 404
    assert _start(Client(), token).status_code == 404


# --- consent, questions, save and resume, send ----------------------------------------------------
def test_consent_page_says_who_we_are_why_and_what_to_do_in_danger(world, settings):
    settings.AUTHORITY_FRONT_DOOR_PHONE = "01632 960 123"
    client, link, _ = _open(world)
    html = client.get(CONSENT).content.decode()
    assert "Testshire Council" in html
    assert "Why we are asking" in html
    assert "not watched all the time" in html
    assert DANGER_TEXT in html
    assert "01632 960 123" in html
    assert 'href="tel:01632960123"' in html
    assert link.questionnaire.title in html
    # The expiry date, in words the family reads.
    assert f"{link.expires_at:%-d %B %Y}" in html


def test_saying_no_asks_nothing_more(world):
    client, _, _ = _open(world)
    response = client.post(CONSENT, {"consent": "no"})
    assert response["Location"] == reverse("family:declined")
    assert "We will not ask you any questions" in client.get(response["Location"]).content.decode()
    assert not Response.objects.exists()
    assert client.get(ANSWERS).status_code == 404  # the session forgot the link


def test_consent_must_be_answered(world):
    client, _, _ = _open(world)
    response = client.post(CONSENT, {})
    html = response.content.decode()
    assert response.status_code == 200
    assert "<title>Error: " in html
    assert "Select yes if you agree to answer these questions" in html


def test_save_and_come_back_with_the_same_link(world):
    client, link, token = _open(world)
    _agree(client)
    response = client.post(
        ANSWERS, {"action": "save", "version": "1", "q_changed": "We talk more now.", "q_involved": "partly"}
    )
    assert response["Location"] == reverse("family:saved")
    saved = client.get(response["Location"]).content.decode()
    assert "Your answers are saved" in saved
    assert f"{link.expires_at:%-d %B %Y}" in saved
    draft = Response.objects.get()
    assert draft.status == Response.Status.DRAFT
    assert draft.answers == {"changed": "We talk more now.", "involved": "partly"}
    assert draft.channel == "link"
    # Days later, on another device: the same link opens the saved answers.
    with time_machine.travel(NOW + datetime.timedelta(days=3), tick=False):
        other = Client()
        assert _start(other, token)["Location"] == ANSWERS
        html = other.get(ANSWERS).content.decode()
    assert "We talk more now." in html
    assert re.search(r'id="id_q_involved_\d"\s*value="partly"\s*checked', html)
    link.refresh_from_db()
    assert link.visits == 2


def test_the_whole_journey_sends_the_answers_and_uses_the_link_up(world):
    client, link, token = _open(world)
    _agree(client)
    response = client.post(
        ANSWERS,
        {"action": "continue", "version": "1", "q_changed": "Calmer at home.", "q_progress": "better"},
    )
    assert response["Location"] == SEND
    check = client.get(SEND).content.decode()
    assert "Calmer at home." in check
    assert "Send your answers" in check
    response = client.post(SEND, {"sharing": "named", "respondent": "Mum", "respondent_name": "Sam"})
    assert response["Location"] == reverse("family:thanks")
    assert "Your answers have been sent" in client.get(response["Location"]).content.decode()
    answered = Response.objects.get()
    assert answered.status == Response.Status.SUBMITTED
    assert (answered.sharing, answered.respondent, answered.respondent_name) == ("named", "Mum", "Sam")
    assert answered.view_of_progress == "better"
    assert TriageItem.objects.filter(response=answered, question_code="changed").exists()
    link.refresh_from_db()
    assert link.submitted_at == NOW
    task = ParticipationTask.objects.get(pk=link.task_id)
    assert (task.status, task.outcome) == (ParticipationTask.Status.CLOSED, Outcome.COMPLETED)
    # Used up: the session forgot it, and the link answers like an unknown one.
    assert SESSION_LINK_KEY not in client.session
    assert client.get(ANSWERS).status_code == 404
    assert _start(Client(), token).status_code == 404


def test_sending_needs_a_sharing_choice_and_keeps_what_was_typed(world):
    client, _, _ = _open(world)
    _agree(client)
    client.post(ANSWERS, {"action": "continue", "version": "1", "q_changed": "Better."})
    response = client.post(SEND, {"respondent": "Grandad"})
    html = response.content.decode()
    assert response.status_code == 200
    assert "<title>Error: " in html
    assert "Choose who can see the answers" in html
    assert 'value="Grandad"' in html
    assert Response.objects.get().status == Response.Status.DRAFT


def test_a_bad_answer_shows_the_error_and_keeps_what_was_typed(world):
    client, _, _ = _open(world)
    _agree(client)
    response = client.post(ANSWERS, {"action": "save", "version": "1", "q_changed": "Kept", "q_involved": "maybe"})
    html = response.content.decode()
    assert response.status_code == 200
    assert "govuk-error-summary" in html
    assert "Kept" in html
    assert Response.objects.get().answers == {}


def test_a_stale_save_overwrites_nothing(world):
    client, _, token = _open(world)
    _agree(client)
    other = Client()
    _start(other, token)
    page_version = Response.objects.get().version
    other.post(ANSWERS, {"action": "save", "version": str(page_version), "q_changed": "From the phone."})
    response = client.post(ANSWERS, {"action": "save", "version": str(page_version), "q_changed": "From the laptop."})
    html = response.content.decode()
    assert "Nothing was overwritten" in html
    assert "From the laptop." in html  # what they typed is kept, to save again on purpose
    assert Response.objects.get().answers == {"changed": "From the phone."}


def test_wrong_methods_are_refused(world):
    client, _, token = _open(world)
    assert client.post(reverse("family:start", args=[token])).status_code == 405
    assert client.put(ANSWERS).status_code == 405
    assert client.post(reverse("family:thanks")).status_code == 405


# --- privacy --------------------------------------------------------------------------------------
def test_no_case_details_on_any_family_page(world):
    task = make_task(world)
    audit = task.audit
    client, _, token = _open(world, task=task)
    pages = [client.get(CONSENT)]
    _agree(client)
    pages.append(client.get(ANSWERS))
    client.post(ANSWERS, {"action": "save", "version": "1", "q_changed": "Fine."})
    pages += [client.get(reverse("family:saved")), client.get(SEND)]
    client.post(SEND, {"sharing": "not_shared"})
    pages += [client.get(reverse("family:thanks")), _start(Client(), token)]
    case = world.case_a
    secrets_ = {
        case.case_reference,
        case.child_initials,
        case.family_reference,
        world.team_a1.name,
        world.area_a.name,
        case.practitioner.full_name,
        audit.auditor.full_name,
        world.people["participation_officer"].full_name,
        world.people["team_manager_same"].full_name,
        "Sign out",
        "Sign in",
        "QA Framework",
    }
    for response in pages:
        assert 'href="/"' not in response.content.decode()  # no link to the staff home page
        # The CSRF token is random text: leave it out, so "AB" in it is not a child's initials.
        html = CSRF_INPUT.sub("", response.content.decode())
        leaks = [s for s in secrets_ if s and re.search(rf"(?<![\w-]){re.escape(s)}(?![\w-])", html)]
        assert not leaks, f"{response.request['PATH_INFO']} shows {leaks}"
        assert DANGER_TEXT in html


def test_another_familys_session_cannot_reach_the_first_familys_answers(world):
    first, first_link, _ = _open(world)
    _agree(first)
    first.post(ANSWERS, {"action": "save", "version": "1", "q_changed": "First family's words."})
    first_response = Response.objects.get()
    second, second_link, _ = _open(world, task=make_task(world, case=world.case_b))
    # The second family's pages show only their own (empty) answers.
    _agree(second)
    assert "First family's words." not in second.get(ANSWERS).content.decode()
    # Ids slipped into the form are ignored: only the session's link is ever touched.
    second.post(
        ANSWERS,
        {
            "action": "save",
            "version": "1",
            "q_changed": "Second family's words.",
            "response": first_response.pk,
            "response_id": first_response.pk,
            "link": first_link.pk,
            "link_id": first_link.pk,
            SESSION_LINK_KEY: first_link.pk,
        },
    )
    first_response.refresh_from_db()
    assert first_response.answers == {"changed": "First family's words."}
    second_link.refresh_from_db()
    assert second_link.response.answers == {"changed": "Second family's words."}
    assert second.session[SESSION_LINK_KEY] == second_link.pk
    # A browser that never opened a link reaches nothing, whatever it posts.
    stranger = Client()
    assert stranger.post(ANSWERS, {"action": "save", "q_changed": "x", "link_id": first_link.pk}).status_code == 404
    first_response.refresh_from_db()
    assert first_response.answers == {"changed": "First family's words."}


def test_every_family_page_is_private_and_unindexed(world):
    client, _, token = _open(world)
    responses = [_start(Client(), token), _start(Client(), "unknown-link"), client.get(CONSENT)]
    _agree(client)
    responses += [client.get(ANSWERS), client.post(ANSWERS, {"action": "save", "version": "1"})]
    responses += [client.get(reverse("family:saved")), client.get(SEND)]
    responses += [client.post(SEND, {"sharing": "anonymous"}), client.get(reverse("family:thanks"))]
    responses += [client.get(reverse("family:declined")), client.put(ANSWERS)]
    for response in responses:
        assert response["Referrer-Policy"] == "no-referrer", response
        assert "no-store" in response["Cache-Control"], response
        assert "noindex" in response["X-Robots-Tag"], response


def test_refused_links_are_logged_without_their_token(world, caplog):
    link, token = make_link(world)
    link_withdraw(link=link, actor=world.people["qa_officer"], now=NOW)
    with caplog.at_level("INFO"):
        assert _start(Client(), token).status_code == 404
    assert "Secure link refused (404)" in caplog.text
    assert token not in caplog.text


def test_forms_work_without_a_referrer_but_still_need_the_csrf_token(world):
    # "Referrer-Policy: no-referrer" makes browsers send "Origin: null" with the family's forms.
    _, token = make_link(world)
    client = Client(enforce_csrf_checks=True)
    _start(client, token)
    csrf = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', client.get(CONSENT).content.decode()).group(1)
    assert client.post(CONSENT, {"consent": "yes"}, headers={"origin": "null"}).status_code == 403
    forged = {"consent": "yes", "csrfmiddlewaretoken": csrf}
    assert client.post(CONSENT, forged, headers={"origin": "https://elsewhere.example"}).status_code == 403
    assert not Response.objects.exists()
    response = client.post(CONSENT, {"consent": "yes", "csrfmiddlewaretoken": csrf}, headers={"origin": "null"})
    assert response["Location"] == ANSWERS
    assert Response.objects.get().consent_given


# --- rate limits ----------------------------------------------------------------------------------
def test_too_many_tries_from_one_address_are_refused_until_the_window_ends(world):
    _, token = make_link(world)
    limit, window = ADDRESS_LIMIT
    client = Client(REMOTE_ADDR="203.0.113.7")
    statuses = [_start(client, f"guess-{n}").status_code for n in range(limit)]
    assert set(statuses) == {404}  # unknown links count too
    refused = _start(client, token)
    assert refused.status_code == 429
    assert "Too many tries. Please wait a few minutes and try again." in refused.content.decode()
    assert "no-store" in refused["Cache-Control"]
    assert SecureLink.objects.get().visits == 0  # nothing was looked up
    # Another address is not affected; the same one is welcome again in the next window.
    assert _start(Client(REMOTE_ADDR="203.0.113.8"), token).status_code == 302
    with time_machine.travel(NOW + datetime.timedelta(seconds=window), tick=False):
        assert _start(client, token).status_code == 302


def test_too_many_tries_on_one_link_are_refused_from_any_address(world):
    _, token = make_link(world)
    limit, window = TOKEN_LIMIT
    for n in range(limit):
        assert _start(Client(REMOTE_ADDR=f"198.51.100.{n}"), token).status_code == 302
    assert _start(Client(REMOTE_ADDR="192.0.2.1"), token).status_code == 429
    assert _start(Client(REMOTE_ADDR="192.0.2.1"), "some-other-link").status_code == 404
    with time_machine.travel(NOW + datetime.timedelta(seconds=window), tick=False):
        assert _start(Client(REMOTE_ADDR="192.0.2.1"), token).status_code == 302
