"""Secure links a family completes alone (DESIGN section 6), sent only after the team manager's
safety check.

The token is random (``secrets.token_urlsafe``) and shown once to the officer who sends it; only
its SHA-256 hash is stored, so neither the database nor its history can give a working link
back. A link works until it expires (the QA setting's days), is withdrawn, is used up by sending
the answers, or the task closes. The family's pages never carry the token after the first
request: the link's id goes into a fresh session, and every later page acts only on that link's
own response.
"""

from __future__ import annotations

import datetime
import hashlib
import secrets
from dataclasses import dataclass

from django.db import transaction
from django.db.models import F, QuerySet
from django.db.models.functions import Coalesce

from audits.models import AuditStatus
from audits.services.practitioner import save_with_history
from core.clock import london_date
from core.models import QASettings
from organisation.models import User

from ..models import Channel, ContactAttempt, ContactMethod, ParticipationTask, Questionnaire, Response, SecureLink
from .responses import response_save, response_start, response_submit

TOKEN_BYTES = 32
# The session key holding the one link a family's browser may act on.
SESSION_LINK_KEY = "family_link_id"
# A family's session lasts this long after their last page (seconds).
SESSION_SECONDS = 60 * 60
# Tries on the link's first page: per client address (unknown links count too) and per link.
ADDRESS_LIMIT = (30, 10 * 60)
TOKEN_LIMIT = (50, 60 * 60)


class LinkError(Exception):
    """A change to a link the rules refuse; the message says why, for the person making it."""


class LinkStatus:
    WAITING = "waiting"
    STARTED = "started"
    SUBMITTED = "submitted"
    EXPIRED = "expired"
    WITHDRAWN = "withdrawn"
    # No longer usable because the task has an outcome (or its audit was cancelled).
    CLOSED = "closed"


STATUS_LABELS = {
    LinkStatus.WAITING: "Waiting",
    LinkStatus.STARTED: "Started",
    LinkStatus.SUBMITTED: "Submitted",
    LinkStatus.EXPIRED: "Expired",
    LinkStatus.WITHDRAWN: "Withdrawn",
    LinkStatus.CLOSED: "Ended: the task is closed",
}
STATUS_COLOURS = {
    LinkStatus.WAITING: "grey",
    LinkStatus.STARTED: "blue",
    LinkStatus.SUBMITTED: "green",
    LinkStatus.EXPIRED: "yellow",
    LinkStatus.WITHDRAWN: "red",
    LinkStatus.CLOSED: "grey",
}


def token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


# --- status ----------------------------------------------------------------------------------------
def link_status(link: SecureLink, *, now: datetime.datetime, task_open: bool = True) -> str:
    """What the task page says about a link; ``task_open``: the task still waits for the family."""
    if link.submitted_at is not None:
        return LinkStatus.SUBMITTED
    if link.withdrawn_at is not None:
        return LinkStatus.WITHDRAWN
    if link.expires_at <= now:
        return LinkStatus.EXPIRED
    if not task_open:
        return LinkStatus.CLOSED
    if link.visits or link.response_id is not None:
        return LinkStatus.STARTED
    return LinkStatus.WAITING


def task_waits_for_family(task: ParticipationTask) -> bool:
    """Safe to contact, no outcome recorded, audit not cancelled (``task.audit`` is read)."""
    return (
        task.status == ParticipationTask.Status.READY
        and bool(task.safe_to_contact)
        and task.audit.status != AuditStatus.CANCELLED
    )


def link_usable(link: SecureLink, *, now: datetime.datetime) -> bool:
    """Whether the family may still open and answer through this link."""
    status = link_status(link, now=now, task_open=task_waits_for_family(link.task))
    return status in {LinkStatus.WAITING, LinkStatus.STARTED}


@dataclass(frozen=True)
class LinkRow:
    """One link as the task page lists it (never its token: only the hash exists)."""

    link: SecureLink
    status: str

    @property
    def status_label(self) -> str:
        return STATUS_LABELS[self.status]

    @property
    def status_colour(self) -> str:
        return STATUS_COLOURS[self.status]

    @property
    def active(self) -> bool:
        return self.status in {LinkStatus.WAITING, LinkStatus.STARTED}


def links_for_task(*, task: ParticipationTask, now: datetime.datetime) -> list[LinkRow]:
    """The task's links, newest first, with their status. One query."""
    task_open = task_waits_for_family(task)
    links = (
        SecureLink.objects.filter(task=task)
        .select_related("questionnaire", "created_by")
        .order_by("-created_at", "-pk")
    )
    return [LinkRow(link=link, status=link_status(link, now=now, task_open=task_open)) for link in links]


# --- the officer's side ----------------------------------------------------------------------------
def link_refusal(task: ParticipationTask) -> str | None:
    """The plain reason a link cannot be sent for ``task`` now (None when it can)."""
    if task.status == ParticipationTask.Status.CLOSED:
        return "An outcome has already been recorded for this family's feedback, so no link can be sent."
    if task.status != ParticipationTask.Status.READY or not task.safe_to_contact:
        return (
            "The team manager has not yet said it is safe to contact this family: a link can only be sent after "
            "that safety check."
        )
    if task.audit.status == AuditStatus.CANCELLED:
        return "This audit was cancelled, so the family's views are no longer being sought for it."
    return None


@transaction.atomic
def link_create(
    *, task: ParticipationTask, questionnaire: Questionnaire, actor: User, now: datetime.datetime
) -> tuple[SecureLink, str]:
    """Make a link for the family and log the contact. Returns the link and its token: the token
    is shown once and never stored (only its SHA-256 hash is)."""
    locked = ParticipationTask.objects.select_for_update(of=("self",)).select_related("audit").get(pk=task.pk)
    refusal = link_refusal(locked)
    if refusal:
        raise LinkError(refusal)
    token = secrets.token_urlsafe(TOKEN_BYTES)
    days = QASettings.current().family_link_expiry_days
    link = SecureLink(
        task=locked,
        questionnaire=questionnaire,
        token_hash=token_hash(token),
        created_by=actor,
        expires_at=now + datetime.timedelta(days=days),
    )
    link._history_user = actor
    link.save()
    ContactAttempt.objects.create(
        task=locked,
        attempted_on=london_date(now),
        method=ContactMethod.LINK,
        note=f"Secure link made for {questionnaire.get_audience_display().lower()}",
        recorded_by=actor,
    )
    return link, token


@transaction.atomic
def link_withdraw(*, link: SecureLink, actor: User, now: datetime.datetime) -> SecureLink:
    """End a link before it expires (sent to the wrong person, or no longer wanted)."""
    locked = SecureLink.objects.select_for_update().get(pk=link.pk)
    if locked.submitted_at is not None:
        raise LinkError("The family has already sent their answers through this link.")
    if locked.withdrawn_at is not None:
        raise LinkError("This link was already withdrawn.")
    locked.withdrawn_at = now
    save_with_history(locked, actor=actor, fields=["withdrawn_at"])
    return locked


# --- the family's side -----------------------------------------------------------------------------
def _usable_links() -> QuerySet[SecureLink]:
    return SecureLink.objects.select_related("task__audit", "questionnaire", "response")


def link_find(*, token: str, now: datetime.datetime) -> SecureLink | None:
    """The usable link for a token, or None — unknown, expired, used and withdrawn alike."""
    link = _usable_links().filter(token_hash=token_hash(token)).first()
    return link if link is not None and link_usable(link, now=now) else None


def link_for_session(*, link_id: object, now: datetime.datetime) -> SecureLink | None:
    """The usable link whose id a family's session holds, or None."""
    if not isinstance(link_id, int):
        return None
    link = _usable_links().filter(pk=link_id).first()
    return link if link is not None and link_usable(link, now=now) else None


def link_visit(*, link: SecureLink, now: datetime.datetime) -> None:
    """Count a visit. A plain UPDATE: visits are not worth a history row each."""
    SecureLink.objects.filter(pk=link.pk).update(
        visits=F("visits") + 1, last_visited_at=now, first_visited_at=Coalesce(F("first_visited_at"), now)
    )


@transaction.atomic
def link_response(*, link: SecureLink) -> Response:
    """The link's draft response, started on first use (channel: the secure link)."""
    locked = SecureLink.objects.select_for_update(of=("self",)).select_related("task", "response").get(pk=link.pk)
    if locked.response is not None:
        return locked.response
    response = response_start(
        task=locked.task, questionnaire=locked.questionnaire, channel=Channel.LINK, entered_by=None
    )
    locked.response = response
    save_with_history(locked, actor=None, fields=["response"])
    link.response = response
    return response


def link_consent(*, link: SecureLink, consent: bool) -> Response:
    """Record the family's answer to "Do you agree to answer these questions?"."""
    return response_save(response=link_response(link=link), consent_given=consent)


def link_save_answers(*, link: SecureLink, answers: dict[str, str], expected_version: int | None) -> Response:
    """Save the family's answers as a draft (they may come back with the same link)."""
    return response_save(response=link_response(link=link), answers=answers, expected_version=expected_version)


@transaction.atomic
def link_submit(
    *,
    link: SecureLink,
    sharing: str,
    respondent: str,
    respondent_name: str,
    now: datetime.datetime,
) -> Response:
    """Send the answers: the sharing choice saved, the response submitted (triage, outcome), and
    the link used up so it answers like an unknown one from now on."""
    locked = (
        SecureLink.objects.select_for_update(of=("self",)).select_related("task__audit", "response").get(pk=link.pk)
    )
    if not link_usable(locked, now=now) or locked.response is None:
        raise LinkError("This link cannot be used any more.")
    response = response_save(
        response=locked.response, sharing=sharing, respondent=respondent, respondent_name=respondent_name
    )
    response = response_submit(response=response, actor=None, now=now)
    locked.submitted_at = now
    save_with_history(locked, actor=None, fields=["submitted_at"])
    return response


def register() -> None:
    """Nothing to register: links are made from the task page and used by families."""
