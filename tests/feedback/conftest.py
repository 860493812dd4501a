"""Family-feedback fixtures other feedback tests share.

``questionnaires``: the example child and parent questionnaires, loaded from the framework file
(``{"child": Questionnaire, "parent": Questionnaire}``). ``feedback_audit``: an audit of
``world.case_a`` (team A1, worked by practitioner_own; TM team_manager_same) allocated to
team_manager_other, with the participation task the allocation made (``.participation_task``),
waiting for the safety check. ``ready_task``: that task after team_manager_same said contact is
safe (status READY). ``submit_response(task, audience=..., answers=..., sharing=...)`` submits
answers through the real services."""

from __future__ import annotations

import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.utils import timezone

from audits.models import Audit, ToolVersion
from core.framework import framework_load
from feedback.models import Channel, ParticipationTask, Questionnaire, Response, Sharing
from feedback.services.participation import participation_safety_record
from feedback.services.responses import response_save, response_start, response_submit
from tests.audits.factories import allocate, tool_version

FRAMEWORK = Path(__file__).resolve().parents[2] / "feedback" / "framework"
ALLOCATED_ON = datetime.date(2026, 11, 2)
# Friday 20 November 2026, late afternoon in London: the feedback tests' "now".
CLOCK = datetime.datetime(2026, 11, 20, 17, 0, tzinfo=ZoneInfo("Europe/London"))


@pytest.fixture
def clock():
    """Freeze time at CLOCK; modules use it with ``pytestmark = pytest.mark.usefixtures("clock")``."""
    with time_machine.travel(CLOCK, tick=False):
        yield CLOCK


def load_questionnaires() -> dict[str, Questionnaire]:
    framework_load(dirs=[FRAMEWORK])
    return {q.audience: q for q in Questionnaire.objects.filter(version=1)}


@pytest.fixture
def questionnaires(db) -> dict[str, Questionnaire]:
    return load_questionnaires()


def feedback_tool() -> ToolVersion:
    """The tests' social work tool, made once per test."""
    return ToolVersion.objects.filter(tool__key="social-work", number=1).first() or tool_version()


def allocate_audit(world, case_file=None, **kwargs) -> Audit:
    """An audit allocated by the QA officer to team_manager_other (the allocation makes its task)."""
    return allocate(
        case_file or world.case_a,
        world.people["team_manager_other"],
        version=kwargs.pop("version", None) or feedback_tool(),
        actor=world.people["qa_officer"],
        today=kwargs.pop("today", ALLOCATED_ON),
        **kwargs,
    )


@pytest.fixture
def feedback_audit(world) -> Audit:
    return allocate_audit(world)


def make_ready(task: ParticipationTask, tm, **kwargs) -> ParticipationTask:
    values = {"adults_to_contact": "Mum and Grandad", **kwargs}
    return participation_safety_record(task=task, safe=True, actor=tm, **values)


@pytest.fixture
def ready_task(world, feedback_audit) -> ParticipationTask:
    return make_ready(feedback_audit.participation_task, world.people["team_manager_same"])


def submit_response(
    task: ParticipationTask,
    questionnaire: Questionnaire,
    *,
    answers: dict[str, str] | None = None,
    sharing: str = Sharing.NAMED,
    respondent: str = "Mum",
    respondent_name: str = "",
    by=None,
    channel: str = Channel.PHONE,
    now: datetime.datetime | None = None,
) -> Response:
    response = response_start(task=task, questionnaire=questionnaire, channel=channel, entered_by=by)
    response_save(
        response=response,
        answers=answers if answers is not None else {"changed": "Things are calmer at home", "progress": "better"},
        consent_given=True,
        sharing=sharing,
        respondent=respondent,
        respondent_name=respondent_name,
    )
    moment = now or timezone.make_aware(datetime.datetime(2026, 11, 20, 11, 0))
    return response_submit(response=response, actor=by, now=moment)
