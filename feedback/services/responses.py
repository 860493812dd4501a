"""A family member's answers to a questionnaire: started, saved as a draft, submitted (DESIGN
section 6). The same services serve the officer asking by phone or in person and the family
completing a secure link alone.

Safety first: nothing starts until the team manager has said contact is safe (task READY).
Consent and a sharing choice are required to submit. Submitting reads the view of progress from
the progress question, sends every open answer to a named QA officer to read within one working
day, and completes the task.
"""

from __future__ import annotations

import datetime
from typing import Any

from django.db import transaction
from django.utils import timezone

from audits.panels import AUDIT_PANELS_HOOK
from audits.services.practitioner import changed_fields, save_with_history
from core import hooks
from core.clock import london_date

from ..models import Channel, Outcome, ParticipationTask, Questionnaire, Response, Sharing
from .participation import OUTCOME_FIELDS, set_outcome
from .questionnaires import OPEN, progress_code, question_options
from .triage import triage_items_create

ANSWER_MAX = 2000
NOT_READY = {
    ParticipationTask.Status.AWAITING_SAFETY: (
        "The team manager has not yet said whether it is safe to contact this family: no contact can be made "
        "before that safety check."
    ),
    ParticipationTask.Status.CLOSED: "An outcome has already been recorded for this family's feedback.",
}


class ResponseError(Exception):
    """A change to a response the rules refuse; ``messages`` say why, in plain words."""

    def __init__(self, messages: list[str] | str) -> None:
        self.messages = [messages] if isinstance(messages, str) else list(messages)
        super().__init__(" ".join(self.messages))


class ResponseConflict(ResponseError):
    """Someone saved this response after the page was opened; nothing was overwritten."""

    def __init__(self, *, version: int) -> None:
        super().__init__(
            "Someone else saved these answers after you opened the page. Nothing was overwritten: "
            "the page now shows the saved answers, and what you typed is kept below each question."
        )
        self.version = version


def accepts_responses(task: ParticipationTask) -> bool:
    """After a safe safety check, until an outcome other than "completed" is recorded: once one
    family member has answered, another (the child after the parent) still may."""
    if not task.safe_to_contact:
        return False
    return task.status == ParticipationTask.Status.READY or task.outcome == Outcome.COMPLETED


def _require_safe(task: ParticipationTask) -> None:
    if not accepts_responses(task):
        raise ResponseError(NOT_READY.get(task.status, NOT_READY[ParticipationTask.Status.AWAITING_SAFETY]))
    if task.audit.cancelled_at is not None:
        raise ResponseError("This audit was cancelled, so the family's views are no longer being sought for it.")


@transaction.atomic
def response_start(
    *, task: ParticipationTask, questionnaire: Questionnaire, channel: str, entered_by: Any | None
) -> Response:
    """Start a draft response, only once the team manager has said contact is safe."""
    locked = ParticipationTask.objects.select_for_update(of=("self",)).select_related("audit").get(pk=task.pk)
    _require_safe(locked)
    if channel not in Channel.values:
        raise ResponseError("Choose how the questions were asked")
    response = Response(task=locked, questionnaire=questionnaire, channel=channel, entered_by=entered_by)
    response._history_user = entered_by
    response.save()
    return response


def _clean_answers(questionnaire: Questionnaire, answers: dict[str, str]) -> dict[str, str]:
    """Answers checked against this questionnaire version: unknown questions dropped, blanks left
    out, a closed question's answer must be one of its options."""
    problems: list[str] = []
    clean: dict[str, str] = {}
    for question in questionnaire.questions:
        code = question["code"]
        value = str(answers.get(code) or "").strip()
        if not value:
            continue
        if question.get("kind") == OPEN:
            if len(value) > ANSWER_MAX:
                problems.append(f"An answer must be {ANSWER_MAX:,} characters or fewer")
        elif value not in dict(question_options(question)):
            problems.append(f"“{question['text']}”: choose one of the answers, or leave the question blank")
        clean[code] = value
    if problems:
        raise ResponseError(problems)
    return clean


@transaction.atomic
def response_save(
    *,
    response: Response,
    answers: dict[str, str] | None = None,
    consent_given: bool | None = None,
    sharing: str | None = None,
    respondent: str | None = None,
    respondent_name: str | None = None,
    expected_version: int | None = None,
) -> Response:
    """Save a draft: whichever parts are given (None leaves a part as it is). A stale
    ``expected_version`` is refused (ResponseConflict); a save that changes nothing writes
    nothing."""
    locked = Response.objects.select_for_update(of=("self",)).select_related("questionnaire").get(pk=response.pk)
    if locked.status != Response.Status.DRAFT:
        raise ResponseError("These answers have been submitted: they cannot change.")
    wanted: dict[str, Any] = {}
    if answers is not None:
        wanted["answers"] = _clean_answers(locked.questionnaire, answers)
    if consent_given is not None:
        wanted["consent_given"] = bool(consent_given)
    if sharing is not None:
        if sharing and sharing not in Sharing.values:
            raise ResponseError("Choose who can see the answers")
        wanted["sharing"] = sharing
    if respondent is not None:
        wanted["respondent"] = respondent.strip()[:60]
    if respondent_name is not None:
        wanted["respondent_name"] = respondent_name.strip()[:80]
    # Least data: a name is kept only when the person chose to share their answers with it.
    final_sharing = wanted.get("sharing", locked.sharing)
    if final_sharing != Sharing.NAMED and (locked.respondent_name or wanted.get("respondent_name")):
        wanted["respondent_name"] = ""
    changes = changed_fields(locked, wanted)
    if not changes:
        return locked
    if expected_version is not None and expected_version != locked.version:
        raise ResponseConflict(version=locked.version)
    for name, value in changes.items():
        setattr(locked, name, value)
    locked.version += 1
    save_with_history(locked, actor=locked.entered_by, fields=[*changes, "version", "updated_at"])
    return locked


def _submit_problems(response: Response) -> list[str]:
    problems = []
    if not response.consent_given:
        problems.append("Answers can only be submitted when the person has agreed to answer")
    if not response.sharing:
        problems.append("Choose who can see the answers")
    return problems


@transaction.atomic
def response_submit(*, response: Response, actor: Any | None, now: datetime.datetime | None = None) -> Response:
    """Submit the answers: consent and a sharing choice are required. Reads the view of progress,
    creates a triage item for every open answer (assigned, due in one working day, the reader
    told), and completes the task if no outcome was recorded yet."""
    moment = now or timezone.now()
    locked = Response.objects.select_for_update(of=("self",)).select_related("questionnaire").get(pk=response.pk)
    if locked.status != Response.Status.DRAFT:
        raise ResponseError("These answers have already been submitted.")
    task = ParticipationTask.objects.select_for_update(of=("self",)).select_related("audit").get(pk=locked.task_id)
    locked.task = task
    if task.status == ParticipationTask.Status.CLOSED and task.outcome != Outcome.COMPLETED:
        raise ResponseError(
            f"The outcome “{task.get_outcome_display()}” has already been recorded for this family's feedback, "
            "so these answers cannot be submitted. Speak to the participation officer."
        )
    if task.status == ParticipationTask.Status.AWAITING_SAFETY:
        raise ResponseError(NOT_READY[ParticipationTask.Status.AWAITING_SAFETY])
    problems = _submit_problems(locked)
    if problems:
        raise ResponseError(problems)
    code = progress_code(locked.questionnaire)
    progress = locked.answers.get(code, "") if code else ""
    locked.status = Response.Status.SUBMITTED
    locked.submitted_at = moment
    locked.view_of_progress = progress
    locked.version += 1
    save_with_history(
        locked, actor=actor, fields=["status", "submitted_at", "view_of_progress", "version", "updated_at"]
    )
    triage_items_create(response=locked, today=london_date(moment))
    if task.status == ParticipationTask.Status.READY:
        set_outcome(task, outcome=Outcome.COMPLETED, reason="", actor=actor, when=moment)
        save_with_history(task, actor=actor, fields=OUTCOME_FIELDS)
    return locked


def register() -> None:
    """The family's view beside the practitioner's on the audit's pages."""
    from ..selectors import audit_family_panel

    hooks.register(AUDIT_PANELS_HOOK, audit_family_panel)
