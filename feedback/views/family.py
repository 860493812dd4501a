"""The pages a family reaches through a secure link: public (no sign-in), one link per session.

``/v/<token>/`` checks the token (rate-limited per address and per link), counts the visit, puts
the link's id in a fresh session and redirects to ``/v/answers/``: the token is never in a later
page, form or link, nor sent on as a referrer. Every later page acts only on the session's link
and its own response; no id is taken from the URL or a form. Unknown, expired, used and withdrawn
links all get the same page, so the answer says nothing about which links exist.

The pages show only the questions — no case reference, initials, team, worker or audit — and,
on every page, what to do if anyone is in danger: the answers are not watched all the time.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from functools import wraps
from typing import Any

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.middleware.csrf import CsrfViewMiddleware
from django.shortcuts import redirect, render
from django.urls import path
from django.utils.cache import add_never_cache_headers
from django.utils.decorators import decorator_from_middleware
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_GET, require_http_methods

from core import clock
from core.public import public
from core.ratelimit import rate_limit_hit

from ..forms_questionnaire import ConsentForm, QuestionnaireAnswersForm, SharingForm
from ..models import SecureLink
from ..services.links import (
    ADDRESS_LIMIT,
    SESSION_LINK_KEY,
    SESSION_SECONDS,
    TOKEN_LIMIT,
    LinkError,
    link_consent,
    link_find,
    link_for_session,
    link_save_answers,
    link_submit,
    link_visit,
    token_hash,
)
from ..services.questionnaires import answer_label
from ..services.responses import ResponseConflict, ResponseError

logger = logging.getLogger(__name__)
UNUSABLE_STATUS = 404
CONFLICT_MESSAGE = (
    "These answers were saved from another window or device after you opened this page. Nothing was "
    "overwritten: check your answers below and press a button again to save them."
)


class _NoReferrerCsrf(CsrfViewMiddleware):
    """A page sent with "Referrer-Policy: no-referrer" makes browsers send "Origin: null" with its
    forms, which Django's origin check refuses. On the family's pages only, "null" is accepted:
    the CSRF token is still checked, and the session cookie (SameSite=Lax) never rides on another
    site's POST, so a forged form reaches no link."""

    def _origin_verified(self, request: HttpRequest) -> bool:
        return request.META.get("HTTP_ORIGIN") == "null" or super()._origin_verified(request)


_csrf_protect_without_referrer = decorator_from_middleware(_NoReferrerCsrf)


def family_page(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
    """Public, and never cached, indexed or sent on as a referrer (the first URL holds the token)."""
    protected = csrf_exempt(_csrf_protect_without_referrer(view))

    @wraps(protected)
    def wrapped(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        response = protected(request, *args, **kwargs)
        add_never_cache_headers(response)
        response["Referrer-Policy"] = "no-referrer"
        response["X-Robots-Tag"] = "noindex, nofollow"
        return response

    return public(wrapped)


def _render(
    request: HttpRequest, template: str, context: dict[str, Any] | None = None, status: int = 200
) -> HttpResponse:
    base = {"front_door_phone": settings.AUTHORITY_FRONT_DOOR_PHONE}
    return render(request, f"feedback/family/{template}", {**base, **(context or {})}, status=status)


def _unusable(request: HttpRequest) -> HttpResponse:
    # One page and one status for unknown, expired, used and withdrawn links, and for a session
    # that has ended: the answer must not tell anyone which links exist.
    return _render(request, "unusable.html", status=UNUSABLE_STATUS)


def _session_link(request: HttpRequest) -> SecureLink | None:
    """The link this browser's session may act on, if it is still usable; forgotten otherwise."""
    link = link_for_session(link_id=request.session.get(SESSION_LINK_KEY), now=clock.now())
    if link is None:
        request.session.pop(SESSION_LINK_KEY, None)
    elif not request.user.is_authenticated:
        request.session.set_expiry(SESSION_SECONDS)  # an hour after the last page
    return link


def _answering(request: HttpRequest) -> SecureLink | HttpResponse:
    """The session's link once the family has agreed to answer, or the page to go to instead."""
    link = _session_link(request)
    if link is None:
        return _unusable(request)
    if link.response is None or not link.response.consent_given:
        return redirect("family:consent")
    return link


def _client_address(request: HttpRequest) -> str:
    return request.META.get("REMOTE_ADDR", "") or "unknown"


def _unlogged(response: HttpResponse, reason: str) -> HttpResponse:
    """Django logs every 4xx with its path, which here holds the token (still working, when the
    answer is 429): log the refusal without it."""
    response._has_been_logged = True  # read by django.utils.log.log_response
    logger.warning("Secure link refused (%s): %s", response.status_code, reason)
    return response


@family_page
@require_GET
def family_start(request: HttpRequest, token: str) -> HttpResponse:
    """The link itself: checked, counted, swapped for a session, then the token-free page."""
    now = clock.now()
    address_limit, address_window = ADDRESS_LIMIT
    token_limit, token_window = TOKEN_LIMIT
    if rate_limit_hit(
        key=f"family-start:address:{_client_address(request)}",
        limit=address_limit,
        window_seconds=address_window,
        now=now,
    ) or rate_limit_hit(
        key=f"family-start:link:{token_hash(token)}", limit=token_limit, window_seconds=token_window, now=now
    ):
        return _unlogged(_render(request, "too_many.html", status=429), "too many tries")
    link = link_find(token=token, now=now)
    if link is None:
        return _unlogged(_unusable(request), "unknown, expired, used or withdrawn")
    link_visit(link=link, now=now)
    # A fresh session key: nothing from before this link can ride on the new session.
    request.session.cycle_key()
    request.session[SESSION_LINK_KEY] = link.pk
    if not request.user.is_authenticated:
        request.session.set_expiry(SESSION_SECONDS)
    return redirect("family:questionnaire")


@family_page
@require_http_methods(["GET", "POST"])
def family_consent(request: HttpRequest) -> HttpResponse:
    """Who we are, why we ask, that answers are not watched all the time, and consent."""
    link = _session_link(request)
    if link is None:
        return _unusable(request)
    form = ConsentForm(request.POST if request.method == "POST" else None, submit_label="Continue")
    if form.is_valid():
        if form.cleaned_data["consent"]:
            link_consent(link=link, consent=True)
            return redirect("family:questionnaire")
        if link.response is not None:
            link_consent(link=link, consent=False)
        # Nothing more is asked; the link still works if they change their mind.
        request.session.pop(SESSION_LINK_KEY, None)
        return redirect("family:declined")
    context = {"link": link, "form": form, "has_errors": bool(form.errors)}
    return _render(request, "consent.html", context)


@family_page
@require_http_methods(["GET", "POST"])
def family_questionnaire(request: HttpRequest) -> HttpResponse:
    """The questions, all on one page; "Save and finish later" or "Continue"."""
    link = _answering(request)
    if isinstance(link, HttpResponse):
        return link
    response = link.response
    data = request.POST if request.method == "POST" else None
    form = QuestionnaireAnswersForm(
        data, questionnaire=link.questionnaire, initial_answers=response.answers, submit_label=""
    )
    version = response.version
    if form.is_valid():
        try:
            link_save_answers(link=link, answers=form.answers(), expected_version=_posted_version(request))
        except ResponseConflict as exc:
            form.add_error(None, CONFLICT_MESSAGE)
            version = exc.version
        except ResponseError as exc:
            for message in exc.messages:
                form.add_error(None, message)
        else:
            return redirect("family:sharing" if request.POST.get("action") == "continue" else "family:saved")
    context = {"link": link, "form": form, "version": version, "has_errors": bool(form.errors)}
    return _render(request, "questionnaire.html", context)


def _posted_version(request: HttpRequest) -> int | None:
    try:
        return int(request.POST.get("version", ""))
    except ValueError:
        return None


@family_page
@require_GET
def family_saved(request: HttpRequest) -> HttpResponse:
    """Saved: they can close the page and come back with the same link until it expires."""
    link = _session_link(request)
    if link is None:
        return _unusable(request)
    return _render(request, "saved.html", {"link": link})


def _answer_rows(link: SecureLink) -> list[tuple[str, str]]:
    answers = link.response.answers if link.response else {}
    return [
        (question["text"], answer_label(question, answers[question["code"]]))
        for question in link.questionnaire.questions
        if answers.get(question["code"])
    ]


@family_page
@require_http_methods(["GET", "POST"])
def family_sharing(request: HttpRequest) -> HttpResponse:
    """Their answers to check, who may see them, and "Send your answers"."""
    link = _answering(request)
    if isinstance(link, HttpResponse):
        return link
    response = link.response
    initial = {
        "sharing": response.sharing,
        "respondent": response.respondent,
        "respondent_name": response.respondent_name,
    }
    form = SharingForm(request.POST if request.method == "POST" else None, initial=initial, submit_label="")
    if form.is_valid():
        try:
            link_submit(
                link=link,
                sharing=form.cleaned_data["sharing"],
                respondent=form.cleaned_data["respondent"],
                respondent_name=form.cleaned_data["respondent_name"],
                now=clock.now(),
            )
        except LinkError:
            request.session.pop(SESSION_LINK_KEY, None)
            return _unusable(request)
        except ResponseError as exc:
            for message in exc.messages:
                form.add_error(None, message)
        else:
            # The link is used up; this browser forgets it.
            request.session.pop(SESSION_LINK_KEY, None)
            return redirect("family:thanks")
    context = {"link": link, "form": form, "answers": _answer_rows(link), "has_errors": bool(form.errors)}
    return _render(request, "sharing.html", context)


@family_page
@require_GET
def family_thanks(request: HttpRequest) -> HttpResponse:
    return _render(request, "thanks.html")


@family_page
@require_GET
def family_declined(request: HttpRequest) -> HttpResponse:
    return _render(request, "declined.html")


urlpatterns = [
    # Named paths first: a token is never one of these words (it is 43 random characters).
    path("answers/", family_questionnaire, name="questionnaire"),
    path("about/", family_consent, name="consent"),
    path("saved/", family_saved, name="saved"),
    path("send/", family_sharing, name="sharing"),
    path("thank-you/", family_thanks, name="thanks"),
    path("no-thank-you/", family_declined, name="declined"),
    path("<str:token>/", family_start, name="start"),
]
